package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteUsage writes the -h text: every flag with its variable, default and
// help, straight from the table.
func WriteUsage(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Usage: imperio [command] [flags]\n\n")
	fmt.Fprintf(bw, "Every flag can also be set by its environment variable; a flag wins over the variable.\n\n")
	for _, v := range table() {
		fmt.Fprintf(bw, "  %s value    %s", v.Flag, v.Name)
		if v.Default != "" {
			fmt.Fprintf(bw, " (default %q)", v.Default)
		}
		fmt.Fprintf(bw, "\n      %s\n", v.Help)
	}
	return bw.Flush()
}

// mdEscape keeps help text literal inside a Markdown table cell.
var mdEscape = strings.NewReplacer("|", `\|`, "<", `\<`, "*", `\*`)

// WriteMarkdown writes the settings as a Markdown table for the README and
// docs/OPERATIONS.md, so that a test can check the documents against it.
func WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "| Variable | Flag | Default | Description |")
	fmt.Fprintln(bw, "| --- | --- | --- | --- |")
	for _, v := range table() {
		def := ""
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		fmt.Fprintf(bw, "| `%s` | `%s` | %s | %s |\n", v.Name, v.Flag, def, mdEscape.Replace(v.Help))
	}
	return bw.Flush()
}
