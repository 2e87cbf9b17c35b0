package metrics

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/planfile"
)

// metricsRun on stubbed options, without the command tree: the flags the
// options say were set override nothing else, a gate fails after the
// output is written, and misuse is a usage error with nothing written.
func Test_metricsRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	events := filepath.Join("exports", "lifecycle.csv") // from the repo, as a flag's path
	flags := func(set ...string) fleetmetrics.Flags {
		return fleetmetrics.Flags{Inputs: map[planfile.InputKind]string{planfile.KindEvents: events}, Month: "2026-10",
			ActivationWindow: "30d", SLO: "99%", DormantAfter: "30d", DSNEnv: fleetmetrics.DefaultDSNEnv, Timeout: "10m",
			Set: func(name string) bool { return slices.Contains(set, name) }}
	}
	for _, tc := range []struct {
		name   string
		opts   MetricsOptions
		output string
		err    string // "", "usage" or "gate"
	}{
		{name: "events for a month", opts: MetricsOptions{Flags: flags()}, output: "json"},
		{name: "a gate that fails", opts: MetricsOptions{Flags: flags("min-uptime"), MinUptime: "100%"}, output: "json", err: "gate"},
		{name: "--table without -o csv", opts: MetricsOptions{Flags: flags(), Table: "months"}, output: "json", err: "usage"},
		{name: "--print-sql without the database source", opts: MetricsOptions{Flags: flags("print-sql"), PrintSQL: true}, output: "json", err: "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, stdout, stderr := flagtest.RunFactory(example, tc.output, nil)
			opts := tc.opts
			opts.Factory = f
			err := metricsRun(&opts)
			var usage *failure.UsageError
			var gate *failure.GateError
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("err = %v; stderr %s", err, stderr)
			case tc.err == "usage" && !errors.As(err, &usage):
				t.Fatalf("err = %v, want a usage error", err)
			case tc.err == "gate" && !errors.As(err, &gate):
				t.Fatalf("err = %v, want a failed gate", err)
			}
			if tc.err == "usage" {
				if stdout.Len() != 0 {
					t.Errorf("output despite a usage error: %.200s", stdout)
				}
				return
			}
			// the result is written, a failed gate or not
			var doc fleetmetrics.Result
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatalf("%v: %.300s", err, stdout)
			}
			if doc.Uptime == nil || !strings.HasPrefix(doc.Window.From, "2026-10-01") {
				t.Errorf("window %+v, uptime %v", doc.Window, doc.Uptime)
			}
			if tc.err == "gate" && len(gate.Failed) != 1 {
				t.Errorf("%d failed gates, want 1", len(gate.Failed))
			}
		})
	}
}
