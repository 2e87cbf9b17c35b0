package fleetdb

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
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
		all := []string{
			"CREATE INDEX ON \"" + schema + "\".\"lifecycle\" (\"ts_ms\");",
			"CREATE INDEX ON \"" + schema + "\".\"ota\" (\"last_updated_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"tickets\" (\"created_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"uplinks\" (\"received_at\");",
			"CREATE INDEX ON \"" + schema + "\".\"usage\" (\"ts\");",
		}
		want := all
		if e == pgtest.TimescaleDB {
			// create_hypertable makes an index on the time column
			want = nil
		}
		got := statements(res.MissingIndexes)
		if !slices.Equal(got, want) {
			t.Fatalf("missing indexes on bare tables:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// an index on (device, time) does not lead with the time
		if _, err := conn.Exec(ctx, "CREATE INDEX ON "+schema+".lifecycle (\"clientId\", ts_ms)"); err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, s := range got {
			if strings.Contains(s, "lifecycle") {
				left = append(left, s)
				continue
			}
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if res, err = Run(ctx, conn, job); err != nil {
			t.Fatal(err)
		}
		if got := statements(res.MissingIndexes); !slices.Equal(got, left) {
			t.Errorf("after creating all but the lifecycle's: missing %q, want %q", got, left)
		}
		script, err := Script(job)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
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

// Every index iotpm asks for serves a condition of one of its statements:
// with the indexes made and sequential scans ruled out, each one appears
// in some statement's plan with an index condition (the horizon's max()
// reads it backwards with "IS NOT NULL", the window's rows by a range).
// Only asked on PostgreSQL: Citus's EXPLAIN shows one task's plan, and a
// hypertable's indexes are its chunks'.
func TestIndexesServeStatements(t *testing.T) {
	conn, schema := testConn(t)
	ctx := context.Background()
	_, tables := exampleInputs(t, pgtest.Postgres, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
	o := options("2026-10")
	job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}
	p, err := Resolve(ctx, conn, tables, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.skip = map[planfile.InputKind]bool{}
	names := map[string]Index{}
	for i, ix := range p.indexes() {
		name := fmt.Sprintf("iotpm_ix_%d", i)
		names[name] = ix
		if _, err := conn.Exec(ctx, strings.Replace(ix.Statement(), "CREATE INDEX ON", "CREATE INDEX "+name+" ON", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if len(names) != 5 {
		t.Fatalf("%d indexes asked for on the example, want 5 (one per input with a time column)", len(names))
	}
	for _, s := range []string{"ANALYZE", sessionSettings, "SET enable_seqscan = off"} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	statements := []Query{{Name: "horizon", SQL: p.horizonSQL(), Params: job.params(metrics.NoTime)}}
	for _, kind := range p.orderedKinds() {
		sql, _ := p.checkSQL(kind)
		statements = append(statements, Query{Name: "check " + string(kind), SQL: sql, Params: job.params(metrics.NoTime)})
	}
	statements = append(statements, job.metricQueries(p, job.params(o.Window.To))...)
	served := map[string][]string{}
	for _, q := range statements {
		s, args, err := bind(q.SQL, q.Params.only(q.SQL))
		if err != nil {
			t.Fatal(err)
		}
		var plan string
		if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+s, args...).Scan(&plan); err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		for _, name := range indexConds(t, plan) {
			served[name] = append(served[name], q.Name)
		}
	}
	for name, ix := range names {
		if len(served[name]) == 0 {
			t.Errorf("%s (%s: %s) serves no condition of any statement", ix.Statement(), ix.Kind, ix.Why())
		} else {
			t.Logf("%s: %s", ix.Statement(), strings.Join(served[name], ", "))
		}
	}
}

// indexConds are the indexes a JSON plan reads with an index condition.
func indexConds(t *testing.T, plan string) []string {
	var nodes []map[string]any
	if err := json.Unmarshal([]byte(plan), &nodes); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if name, ok := n["Index Name"].(string); ok && n["Index Cond"] != nil {
			out = append(out, name)
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
	}
	for _, n := range nodes {
		if m, ok := n["Plan"].(map[string]any); ok {
			walk(m)
		}
	}
	return out
}

// A view and a foreign table have no index of their own: no index is asked
// for on them (CREATE INDEX on a foreign table fails), only on a table.
func TestMissingIndexesNotOnViewsOrForeignTables(t *testing.T) {
	conn, schema := testConn(t)
	ctx := context.Background()
	for _, s := range []string{
		"CREATE EXTENSION IF NOT EXISTS file_fdw",
		"CREATE SERVER IF NOT EXISTS iotpm_test_files FOREIGN DATA WRAPPER file_fdw",
		`CREATE TABLE ` + schema + `.events ("clientId" text, ts_ms bigint, event_type text)`,
		`CREATE VIEW ` + schema + `.events_view AS SELECT * FROM ` + schema + `.events`,
		`CREATE FOREIGN TABLE ` + schema + `.events_remote ("clientId" text, ts_ms bigint, event_type text) SERVER iotpm_test_files OPTIONS (filename '/dev/null', format 'csv')`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for name, want := range map[string]int{"events": 1, "events_view": 0, "events_remote": 0} {
		tables := map[planfile.InputKind]Input{
			"events": {Kind: "events", Table: schema + "." + name, Columns: cols("device_id=clientId", "timestamp=ts_ms:ms", "event=event_type")},
		}
		p, err := Resolve(ctx, conn, tables, nil)
		if err != nil {
			t.Fatal(err)
		}
		missing, err := MissingIndexes(ctx, conn, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) != want {
			t.Errorf("%s: %d indexes asked for, want %d: %+v", name, len(missing), want, missing)
		}
	}
}
