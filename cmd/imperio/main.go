// Command imperio is the Imperio game server and its tools:
//
//	imperio [serve]    serve the game (the default)
//	imperio migrate    bring the database schema up to date and exit
//	imperio machines   print the slot machines with their exact RTP
//
// Every subcommand reads the same IMPERIO_* variables and flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "imperio:", err)
		os.Exit(1)
	}
}

// run is the whole program: main only hands it the process's arguments,
// environment and streams, so tests can call it too.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "machines":
		return printMachines(stdout)
	case "sim":
		return simulate(ctx, args, stdout, stderr)
	case "audit":
		return audit(ctx, args, getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, args, getenv, stdout, stderr)
	case "verify":
		return verifyRound(ctx, args, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, args, getenv, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

const usage = `Usage: imperio [command] [flags]

Commands:
  serve      serve the game (default)
  migrate    bring the database schema up to date and exit
  audit      check every balance against its ledger and every round; non-zero exit on a violation
  machines   print the slot machines and their exact return to player
  sim        measure a game's house edge by simulation (imperio sim blackjack -h)
  admin      grant or revoke the admin role (imperio admin grant USERNAME)
  bench      load a server over real sockets and print what it measured (imperio bench -h)
  verify     recompute a slot, roulette or crash round from what it revealed (imperio verify ROUND_ID --user NAME)
  help       show this text

Run "imperio serve -h" for the flags and IMPERIO_* variables.
`
