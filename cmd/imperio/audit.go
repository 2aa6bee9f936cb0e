package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/store"
)

// audit checks the money invariants over the whole database: every balance
// equals the sum of its ledger and is not negative, every balance_after
// chain holds, every settled or void round adds up. Rounds still open are
// listed: while the server runs they are rounds in play; with --no-open
// (for a database no server is using) they are violations too. It exits
// non-zero when anything is wrong.
func audit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("imperio audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noOpen := fs.Bool("no-open", false, "count rounds still open as violations (no server is running)")
	dbURL := fs.String("database-url", "", "the database (default: IMPERIO_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfgArgs []string
	if *dbURL != "" {
		cfgArgs = []string{"--database-url", *dbURL}
	}
	cfg, err := config.Load(cfgArgs, getenv, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, newLogger(cfg, stderr))
	if err != nil {
		return fmt.Errorf("open database (IMPERIO_DATABASE_URL): %w", err)
	}
	defer st.Close()
	problems, err := st.CheckLedger(ctx)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	open, err := st.OpenRounds(ctx, "")
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "VIOLATION", p)
	}
	for _, id := range open {
		label := "OPEN"
		if *noOpen {
			label = "VIOLATION open round"
			problems = append(problems, id)
		}
		fmt.Fprintln(stdout, label, id)
	}
	if len(problems) > 0 {
		return fmt.Errorf("audit: %d violations", len(problems))
	}
	fmt.Fprintf(stdout, "OK: every balance equals its ledger, none is negative, every closed round adds up (%d rounds open)\n", len(open))
	return nil
}
