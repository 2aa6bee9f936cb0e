package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestRunServes starts the real command on a free port with the embedded
// defaults, checks it answers, and stops it as SIGTERM would.
func TestRunServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr}, env(map[string]string{
			"IMPERIO_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "data", "imperio.db"),
			"IMPERIO_LOG_FORMAT":   "json",
		}), io.Discard, &logs) // read only after run returns
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("/readyz: %d", res.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := http.Get("http://" + addr + "/")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(logs.String(), "IMPERIO_JWT_SECRET is not set") {
		t.Errorf("no warning about the generated development key in:\n%s", logs.String())
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"BadGrant", map[string]string{"IMPERIO_SIGNUP_GRANT": "lots"}, "IMPERIO_SIGNUP_GRANT"},
		{"ProductionWithoutSecret", map[string]string{"IMPERIO_ENV": "production"}, "IMPERIO_JWT_SECRET"},
		{"BadDatabase", map[string]string{"IMPERIO_DATABASE_URL": "mysql://x"}, "IMPERIO_DATABASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), nil, env(tc.env), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}
