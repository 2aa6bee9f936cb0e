package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"
	"golang.org/x/term"

	"github.com/imperio-casino/imperio/config"
)

// newLogger builds the process's logger: tint's coloured text on a terminal,
// JSON otherwise (or as IMPERIO_LOG_FORMAT says).
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	format := cfg.LogFormat
	if format == "" || format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(tint.NewHandler(w, &tint.Options{Level: cfg.Level(), TimeFormat: "15:04:05.000"}))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.Level()}))
}
