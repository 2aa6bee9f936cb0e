package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/store/storetest"
)

// runBenchJSON runs `imperio bench` with the load in this process, small
// and short, and returns its JSON report.
func runBenchJSON(t *testing.T, env map[string]string, args ...string) benchReport {
	t.Helper()
	var out, errw bytes.Buffer
	args = append([]string{"bench"}, append(args, "--json", "--procs", "0", "--quiet")...)
	if err := run(t.Context(), args, func(k string) string { return env[k] }, &out, &errw); err != nil {
		t.Fatalf("imperio %s: %v\n%s", strings.Join(args, " "), err, errw.String())
	}
	var r benchReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("bench output is not its JSON report: %v\n%s", err, out.String())
	}
	for _, row := range r.Rows {
		if strings.HasPrefix(row.Metric, "errors ") || strings.HasPrefix(row.Metric, "signup errors ") {
			t.Errorf("%s: %s = %g", row.Scenario, row.Metric, row.Value)
		}
	}
	return r
}

// figure returns the value of the row named metric, failing when absent.
func figure(t *testing.T, r benchReport, metric string) float64 {
	t.Helper()
	for _, row := range r.Rows {
		if row.Metric == metric {
			return row.Value
		}
	}
	t.Fatalf("no %q in the report: %+v", metric, r.Rows)
	return 0
}

// positive checks that each metric is there and above zero.
func positive(t *testing.T, r benchReport, metrics ...string) {
	t.Helper()
	for _, m := range metrics {
		if v := figure(t, r, m); !(v > 0) {
			t.Errorf("%s = %g, want more than 0", m, v)
		}
	}
}

func TestBenchSmoke(t *testing.T) {
	t.Run("Spin", func(t *testing.T) {
		r := runBenchJSON(t, nil, "spin", "--duration", "1s", "--clients", "4")
		positive(t, r, "spins/s", "spin p50", "spin p99")
		if r.Conditions.Database != "sqlite" || !r.Conditions.InProcess {
			t.Errorf("conditions %+v, want an in-process server on SQLite", r.Conditions)
		}
	})
	t.Run("Idle", func(t *testing.T) {
		r := runBenchJSON(t, nil, "idle", "--sockets", "20")
		if n := figure(t, r, "sockets held"); n != 20 {
			t.Errorf("%g sockets held, want 20", n)
		}
		positive(t, r, "raw coder/websocket heap+stack per socket", "imperio heap+stack per socket")
	})
	t.Run("Table", func(t *testing.T) {
		r := runBenchJSON(t, nil, "table", "--duration", "2s", "--tables", "2", "--players", "3", "--spectators", "1")
		positive(t, r, "actions/s", "action to broadcast p99")
	})
	t.Run("Fanout", func(t *testing.T) {
		r := runBenchJSON(t, nil, "fanout", "--duration", "5s", "--sockets", "10", "--bigwins", "2")
		if n := figure(t, r, "deliveries"); n != 20 {
			t.Errorf("%g deliveries, want 2 big wins x 10 sockets", n)
		}
		positive(t, r, "delivery p99")
	})
	t.Run("Relay", func(t *testing.T) {
		r := runBenchJSON(t, nil, "relay", "--duration", "1s", "--rooms", "2", "--members", "3", "--rate", "5")
		positive(t, r, "deliveries/s", "messages sent/s", "send to receipt p99")
		if sent, got := figure(t, r, "messages sent/s"), figure(t, r, "deliveries/s"); got < 2*sent {
			t.Errorf("%g deliveries/s for %g lines/s in rooms of 3", got, sent)
		}
	})
	t.Run("Signup", func(t *testing.T) {
		r := runBenchJSON(t, nil, "signup", "--duration", "2s", "--clients", "2", "--signups", "2")
		positive(t, r, "password hashes/s (ceiling, every core)", "signups/s during spins", "spin p99 quiet", "spin p99 during signups")
	})
	t.Run("BaselineWS", func(t *testing.T) {
		r := runBenchJSON(t, nil, "baseline-ws", "--duration", "1s", "--clients", "4", "--sockets", "10")
		positive(t, r, "echo round trips/s (4 clients)", "echo p99", "broadcast deliveries/s (10 sockets)")
	})
	t.Run("BaselinePG", func(t *testing.T) {
		storetest.RequirePostgres(t)
		r := runBenchJSON(t, map[string]string{"IMPERIO_DATABASE_URL": storetest.PostgresURL()}, "baseline-pg", "--duration", "1s")
		positive(t, r, "one spin per transaction, 1 clients", "50 spins per transaction, set-based, 4 clients")
	})
	t.Run("RefusesRemoteAddresses", func(t *testing.T) {
		var out, errw bytes.Buffer
		err := run(t.Context(), []string{"bench", "spin", "--addr", "10.1.2.3:8080"}, func(string) string { return "" }, &out, &errw)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("bench against a remote address: %v, want a refusal", err)
		}
	})
}
