package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/store"
)

const adminUsage = `Usage: imperio admin grant|revoke USERNAME [--database-url URL]

  grant    make the account an admin (it must turn on two-factor authentication
           before the admin API answers it)
  revoke   make the account a player again

Each change is written to the admin audit log, by "cli".
`

// admin grants or revokes the admin role from the command line: the way
// the first admin is made.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 || (args[0] != "grant" && args[0] != "revoke") {
		fmt.Fprint(stderr, adminUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errors.New("admin: want grant or revoke and a username")
	}
	action, username := args[0], args[1]
	fs := flag.NewFlagSet("imperio admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", "", "the database (default: IMPERIO_DATABASE_URL)")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin: unexpected arguments %q", fs.Args())
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
	role := imperio.RoleAdmin
	if action == "revoke" {
		role = imperio.RolePlayer
	}
	u, err := st.SetRole(ctx, imperio.Actor{Name: "cli"}, username, role)
	if err != nil {
		return fmt.Errorf("admin %s %s: %s", action, username, imperio.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "%s (id %d) is now %s\n", u.Username, u.ID, u.Role)
	if role == imperio.RoleAdmin && !u.TOTPEnabled {
		fmt.Fprintln(stdout, "They must turn on two-factor authentication (POST /api/auth/totp/setup, then /enable) before the admin API answers them.")
	}
	return nil
}
