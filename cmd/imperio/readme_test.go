package main

import (
	"os"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/config"
)

// TestReadmeAgrees keeps the README's tables equal to what the code says:
// the variables from config, the machines (with their exact RTP) from
// games/slots.
func TestReadmeAgrees(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var vars strings.Builder
	if err := config.WriteMarkdown(&vars); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"configuration": vars.String(), "machines": machineTable()} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md's %s table is out of date; it should contain:\n%s", name, want)
		}
	}
	if !strings.HasPrefix(readme, "# Imperio") || !strings.Contains(readme, "go run ./cmd/imperio") || !strings.Contains(readme, "make test") {
		t.Error("README.md must start with the two commands")
	}
}
