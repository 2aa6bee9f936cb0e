// Package config owns the server's configuration: one Config struct read
// from IMPERIO_* environment variables and then from command-line flags,
// which win. It is the only package that reads the environment, and it
// reads it through a function the caller passes, so tests hand it a map.
//
// Every setting is one row of the table that Variables returns: its
// variable, its flag, its default and its help. Load, the -h usage text and
// the README's table (WriteMarkdown) are all made from that table, so the
// documentation cannot drift from the code. Defaults are chosen so that a
// bare `imperio serve` runs on a laptop; production mode refuses to start
// without a real JWT secret. A bad value is an error that names the
// variable (and the flag, when it came from one).
package config
