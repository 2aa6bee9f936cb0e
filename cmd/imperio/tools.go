package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/games/slots"
	"github.com/imperio-casino/imperio/store"
)

// migrate brings the schema up to date (store.Open migrates) and reports it.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, newLogger(cfg, stderr))
	if err != nil {
		return fmt.Errorf("open database (IMPERIO_DATABASE_URL): %w", err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s schema at version %d\n", st.Backend(), v)
	return nil
}

// printMachines writes the machine table the README shows. The RTP column
// is each machine's exact figure, computed now by enumerating every stop.
func printMachines(w io.Writer) error {
	fmt.Fprint(w, machineTable())
	return nil
}

func machineTable() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| machine\t name\t reels x rows\t lines\t bet\t RTP (exact)\t")
	fmt.Fprintln(tw, "|---\t---\t---\t---\t---\t---\t")
	for _, m := range slots.Machines() {
		fmt.Fprintf(tw, "| `%s`\t %s\t %dx%d\t %d\t %d-%d\t %.4f%%\t\n",
			m.ID, m.Name, len(m.Reels), m.Rows, len(m.Lines), m.MinBet, m.MaxBet, m.ExactRTP()*100)
	}
	tw.Flush()
	return b.String()
}
