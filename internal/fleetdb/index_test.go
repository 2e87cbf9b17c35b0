package fleetdb

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
)

// The indexes the statements read the inputs by: every one is reported
// missing on bare tables, none once the statements iotpm names are run
// (on each engine: a hypertable's and a distributed table's indexes are
// the parent's), a view is not checked, and --print-sql lists them.
func TestMissingIndexes(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		ctx := context.Background()
		_, tables := exampleInputs(t, e, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
		o := options("2026-10")
		job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}
		statements := func(ixs []Index) []string {
			var out []string
			for _, ix := range ixs {
				out = append(out, ix.Statement())
			}
			slices.Sort(out)
			return out
		}
		res, err := Run(ctx, conn, job)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"CREATE INDEX ON \"" + schema + "\".\"lifecycle\" (\"clientId\", \"ts_ms\");",
			"CREATE INDEX ON \"" + schema + "\".\"lifecycle\" (\"ts_ms\");",
			"CREATE INDEX ON \"" + schema + "\".\"ota\" (\"last_updated_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"tickets\" (\"created_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"uplinks\" (\"eui\", \"received_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"uplinks\" (\"received_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"usage\" (\"ts\");",
		}
		slices.Sort(want)
		got := statements(res.MissingIndexes)
		if e == pgtest.TimescaleDB {
			// create_hypertable makes an index on the time column
			want = slices.DeleteFunc(want, func(s string) bool { return !strings.Contains(s, ", ") })
		}
		if !slices.Equal(got, want) {
			t.Fatalf("missing indexes on bare tables:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// an index on (time, device) does not lead with the device
		if _, err := conn.Exec(ctx, "CREATE INDEX ON "+schema+".lifecycle (ts_ms, \"clientId\")"); err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			if strings.Contains(s, "lifecycle") && strings.Contains(s, ", ") {
				continue
			}
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if res, err = Run(ctx, conn, job); err != nil {
			t.Fatal(err)
		}
		if got := statements(res.MissingIndexes); len(got) != 1 || !strings.Contains(got[0], `"clientId", "ts_ms"`) {
			t.Errorf("after creating all but (clientId, ts_ms): missing %q", got)
		}
		script, err := Script(job)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range want {
			if !strings.Contains(script, s) {
				t.Errorf("--print-sql does not name %s", s)
			}
		}
	})
}

// Run names each stage before its query, for the progress line.
func TestRunStages(t *testing.T) {
	conn, schema := testConn(t)
	_, tables := exampleInputs(t, pgtest.Postgres, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
	o := options("2026-10")
	var stages []string
	job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow, Stage: func(s string) { stages = append(stages, s) }}
	if _, err := Run(context.Background(), conn, job); err != nil {
		t.Fatal(err)
	}
	want := []string{"indexes", "checking devices", "checking events", "checking activity", "checking ota", "checking usage", "checking tickets", "horizon",
		"device_metrics", "activation_rate", "ota_success_rate"}
	got := slices.Clone(stages)
	slices.Sort(got[1:7]) // the checks' order is the inputs' order, not asserted
	w := slices.Clone(want)
	slices.Sort(w[1:7])
	if !slices.Equal(got, w) {
		t.Errorf("stages %q, want %q", stages, want)
	}
}
