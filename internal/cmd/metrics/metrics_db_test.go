package metrics_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/fleetmetrics"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
)

// dbRepo copies the example repo and points its metrics inputs at tables
// of a real PostgreSQL holding the same exports.
func dbRepo(t *testing.T) (repo string, env map[string]string, schema string) {
	t.Helper()
	return engineRepo(t, pgtest.Postgres)
}

// engineRepo is dbRepo on an engine: on TimescaleDB the tables with a time
// column are hypertables, on Citus every input is distributed by its
// device id (tickets by customer), as their users keep them.
func engineRepo(t *testing.T, e *pgtest.Engine) (repo string, env map[string]string, schema string) {
	t.Helper()
	conn, schema := e.Conn(t)
	pgtest.Example(t, conn, schema, filepath.Join(cmdtest.ExampleRepo, "exports"))
	e.Spread(t, conn,
		pgtest.Layout{Table: schema + ".devices", Key: "device_id"},
		pgtest.Layout{Table: schema + ".uplinks", Key: "device_id", Time: "received_at"},
		pgtest.Layout{Table: schema + ".lifecycle", Key: "clientId", Time: "ts_ms", Unit: "ms"},
		pgtest.Layout{Table: schema + ".ota", Key: "thing_name", Time: "last_updated_at", Unit: "s"},
		pgtest.Layout{Table: schema + ".usage", Key: "device_id", Time: "ts"},
		pgtest.Layout{Table: schema + ".tickets", Key: "customer_id", Time: "created_at"})
	// the indexes iotpm reads the tables by (it warns without them)
	for _, ix := range []string{"lifecycle (ts_ms)", "uplinks (received_at)", "ota (last_updated_at)", "usage (ts)", "tickets (created_at)"} {
		if _, err := conn.Exec(context.Background(), "CREATE INDEX ON "+schema+"."+ix); err != nil {
			t.Fatal(err)
		}
	}
	// iotpm reads as the least-privilege role SECURITY.md recommends
	dsn := e.ReaderDSN(t, conn, schema)
	repo = cmdtest.CopyExample(t)
	path := filepath.Join(repo, "iotpm.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "  inputs:\n")
	end := strings.Index(text, "  activation_window:")
	if start < 0 || end < start {
		t.Fatal("the example's iotpm.yaml no longer has metrics.inputs before activation_window")
	}
	tables := `  source: {driver: postgres, dsn_env: IOTPM_FLEET_DSN}
  inputs:
    devices: {table: SCHEMA.devices, columns: {device_id: device_id, shipped_at: shipped_at, customer_id: customer_id, model: model, firmware: firmware}}
    activity: {table: SCHEMA.uplinks, columns: {device_id: device_id, timestamp: received_at}}
    events:
      table: SCHEMA.lifecycle
      columns: {device_id: clientId, timestamp: {column: ts_ms, unit: ms}, event: event_type}
    ota:
      table: SCHEMA.ota
      columns: {device_id: thing_name, job_id: job_id, status: status, timestamp: {column: last_updated_at, unit: s}, version: version}
    usage: {table: SCHEMA.usage, columns: {device_id: device_id, feature: feature, timestamp: ts}}
    tickets: {table: SCHEMA.tickets, tz: UTC, columns: {customer_id: customer_id, created_at: created_at}}
    onboarding: exports/setup.csv   # the app's analytics stay a file beside the tables
  models: {DL-200: drip-lora}
  unmodelled: always
`
	text = text[:start] + strings.ReplaceAll(tables, "SCHEMA", schema) + text[end:]
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return repo, map[string]string{"IOTPM_FLEET_DSN": dsn}, schema
}

// On the example repo, check, metrics and rollout with the PostgreSQL
// source give the same gates, values and forecast as with the files.
func TestPostgresSourceSameAsFiles(t *testing.T) {
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) { sameAsFiles(t, e) })
	}
}

func sameAsFiles(t *testing.T, e *pgtest.Engine) {
	repo, env, _ := engineRepo(t, e)
	now := "--now=2026-11-11T00:00:00Z"
	for _, args := range [][]string{{"check", "-o", "json"}, {"metrics", "-o", "json", now}, {"rollout", "-o", "json"}} {
		t.Run(args[0], func(t *testing.T) {
			fileOut, fileErr, fileCode := cmdtest.Run(t, nil, append(args, "-C", cmdtest.ExampleRepo)...)
			dbOut, dbErr, dbCode := cmdtest.Run(t, env, append(args, "-C", repo)...)
			if fileCode != dbCode {
				t.Fatalf("exit: files %d, postgres %d\nfiles: %s\npostgres: %s", fileCode, dbCode, fileErr, dbErr)
			}
			var a, b map[string]any
			if err := json.Unmarshal([]byte(fileOut), &a); err != nil {
				t.Fatalf("files: %v\n%s", err, fileErr)
			}
			if err := json.Unmarshal([]byte(dbOut), &b); err != nil {
				t.Fatalf("postgres: %v\n%s", err, dbErr)
			}
			delete(a, "rows") // paths and formats differ; the counts are compared in fleetdb
			delete(b, "rows")
			for _, doc := range []map[string]any{a, b} {
				if outcomes, ok := doc["outcomes"].([]any); ok {
					for _, o := range outcomes {
						delete(o.(map[string]any), "file") // the repo's path
					}
				}
			}
			// the setup funnel is the same, read from the same file, and so
			// is its join to the units shipped and activated, whose fleet
			// side comes from the tables
			if fa, ok := a["onboarding"].(map[string]any); ok {
				if fa["fleet"] == nil {
					t.Errorf("files: the funnel is not joined to the fleet: %v", fa["fleet_note"])
				}
			} else if args[0] == "metrics" {
				t.Errorf("files: no onboarding in the output")
			}

			if !sameJSON(a, b) {
				ja, _ := json.MarshalIndent(a, "", " ")
				jb, _ := json.MarshalIndent(b, "", " ")
				t.Errorf("files and postgres differ:\n--- files\n%s\n--- postgres\n%s", ja, jb)
			}
		})
	}
}

// sameJSON compares decoded JSON, numbers to 1e-9 (the engines sum
// per-device uptimes in different orders: the mean differs in the 16th
// digit).
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x))
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// Bad input from the database side: exit 2, the place in iotpm.yaml, the
// table and column, never the password.
func TestPostgresSourceBadInput(t *testing.T) {
	repo, env, schema := dbRepo(t)
	cfg := filepath.Join(repo, "iotpm.yaml")
	original, _ := os.ReadFile(cfg)
	edit := func(old, new string) {
		t.Helper()
		if !strings.Contains(string(original), old) {
			t.Fatalf("iotpm.yaml has no %q", old)
		}
		os.WriteFile(cfg, []byte(strings.Replace(string(original), old, new, 1)), 0o644)
	}
	for _, tc := range []struct {
		name, old, new string
		env            map[string]string
		want           []string
	}{
		{"missing table", schema + ".ota", schema + ".jobs", env, []string{"iotpm.yaml:", "table " + schema + ".jobs: no such table"}},
		{"missing column", "job_id: job_id", "job_id: jobId", env, []string{"iotpm.yaml:", `has no column "jobId"`, "its columns: job_id"}},
		{"epoch without unit", "{column: ts_ms, unit: ms}", "ts_ms", env, []string{"lifecycle.ts_ms is bigint: say its epoch unit"}},
		{"text as time", "created_at: created_at}", "created_at: subject}", env, []string{"tickets.subject is text; a time must be"}},
		{"wrong id column", "device_id: clientId", "device_id: event_type", env, []string{"none of the", "lifecycle.event_type", "is it the right column?"}},
		{"unknown event values", "event: event_type", "event: clientId", env, []string{"rows with unknown event value", "drip-"}},
		{"no DSN", "", "", map[string]string{}, []string{"IOTPM_FLEET_DSN is not set"}},
		{"bad password", "", "", map[string]string{"IOTPM_FLEET_DSN": "postgres://iotpm:s3cret-pw@127.0.0.1:1/fleet?connect_timeout=2"}, []string{`database "fleet" on 127.0.0.1:1`}},
		{"unknown role", "feature: feature,", "feature: feature, colour: feature,", env, []string{`has no role "colour"`}},
		{"session column", "event: event_type", "event: event_type, session: clientId", env, []string{"the database source does not apply sessions yet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.old != "" {
				edit(tc.old, tc.new)
			} else {
				os.WriteFile(cfg, original, 0o644)
			}
			stdout, stderr, code := cmdtest.Run(t, tc.env, "metrics", "-C", repo, "-o", "json")
			if code != cmdutil.ExitInvalid || stdout != "" {
				t.Fatalf("exit %d (want 2), stdout %q, stderr:\n%s", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("the password is in the message:\n%s", stderr)
			}
		})
	}
}

// --print-sql writes a psql script that needs no connection; --source files
// with a postgres config reads the flags' files.
func TestPostgresPrintSQL(t *testing.T) {
	repo, _, schema := dbRepo(t)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", repo, "--print-sql")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"\\gset", "PREPARE iotpm_device_metrics AS", "EXECUTE iotpm_ota_success_rate(", `"` + schema + `"."lifecycle"`, `"clientId"`, "PARTITION BY device_id"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("the script lacks %q", w)
		}
	}
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", repo, "--events", "exports/lifecycle.csv")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--source files") {
		t.Errorf("a file flag with the postgres source: exit %d, %s", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", repo, "--source", "files", "--events", "exports/lifecycle.csv", "-o", "json")
	if code != cmdutil.ExitOK {
		t.Errorf("--source files: exit %d, %s", code, stderr)
	}
}

// --timeout cancels the queries: exit 2 with what to do, nothing written.
func TestPostgresTimeout(t *testing.T) {
	repo, env, _ := dbRepo(t)
	stdout, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "-o", "json", "--timeout", "1ms")
	if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, "took longer than 1ms") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// The tables a run may read can be limited from outside the repository
// (IOTPM_DB_ALLOW_TABLES, --allow-tables): a table off the list is refused
// at its line of iotpm.yaml, however it is spelt; and the recommended
// role cannot read pg_authid even when a pull request maps it.
func TestAllowTablesAndTheReaderRole(t *testing.T) {
	repo, env, schema := dbRepo(t)
	env[fleetmetrics.AllowTablesEnv] = "other.*"
	_, stderr, code := cmdtest.Run(t, env, "check", "-C", repo)
	want := "metrics.inputs.devices: table " + schema + ".devices (" + schema + ".devices) is not among the tables this run may read (--allow-tables or IOTPM_DB_ALLOW_TABLES: other.*)"
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) || !strings.Contains(stderr, "iotpm.yaml:") {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	env[fleetmetrics.AllowTablesEnv] = schema + ".*"
	if _, stderr, code := cmdtest.Run(t, env, "check", "-C", repo); code != cmdutil.ExitOK {
		t.Errorf("allowed schema: exit %d: %s", code, stderr)
	}
	// the flag wins over the variable
	if _, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "--allow-tables", schema+".lifecycle"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "is not among the tables") {
		t.Errorf("--allow-tables: exit %d: %s", code, stderr)
	}
	if _, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "--allow-tables", "lifecycle"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, `"lifecycle" is not schema.table or schema.*`) {
		t.Errorf("--allow-tables lifecycle: exit %d: %s", code, stderr)
	}
	// a pull request maps the password table: the role cannot read it
	delete(env, fleetmetrics.AllowTablesEnv)
	cmdtest.EditFile(t, filepath.Join(repo, "iotpm.yaml"), "table: "+schema+".tickets, tz: UTC, columns: {customer_id: customer_id, created_at: created_at}",
		"table: pg_catalog.pg_authid, tz: UTC, columns: {customer_id: rolname, created_at: rolvaliduntil}")
	_, stderr, code = cmdtest.Run(t, env, "check", "-C", repo)
	if code == cmdutil.ExitOK || !strings.Contains(stderr, "permission denied") || strings.Contains(stderr, "SCRAM") || strings.Contains(stderr, "md5") {
		t.Errorf("pg_authid as the reader: exit %d: %s", code, stderr)
	}
}

// A table without an index iotpm reads it by: the numbers come, with a
// warning at the input's line naming the CREATE INDEX to run.
func TestMissingIndexWarning(t *testing.T) {
	repo, env, schema := dbRepo(t)
	conn, _ := pgtest.Conn(t)
	var name string
	if err := conn.QueryRow(context.Background(), `SELECT indexrelid::regclass::text FROM pg_index
		WHERE indrelid = '`+schema+`.lifecycle'::regclass`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "DROP INDEX "+name); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "-o", "json", "--now=2026-11-11T00:00:00Z")
	if code != cmdutil.ExitOK || !strings.Contains(stdout, `"uptime"`) {
		t.Fatalf("exit %d, stdout %.200s, stderr %s", code, stdout, stderr)
	}
	want := `iotpm.yaml:12:7: warning: ` + schema + `.lifecycle has no index on (ts_ms), by which iotpm reads the horizon (the latest row time)`
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, `CREATE INDEX ON "`+schema+`"."lifecycle" ("ts_ms");`) {
		t.Errorf("stderr lacks %q and its CREATE INDEX:\n%s", want, stderr)
	}
	if n := strings.Count(stderr, "has no index"); n != 1 {
		t.Errorf("%d index warnings, want 1:\n%s", n, stderr)
	}
}

// --max-bad-rows for tables: two bad rows added to the events table (an
// event no vocabulary has, an empty device id) stop the run at one
// allowed, and at two are skipped — said on stderr and counted in the
// rows' accounting by reason — leaving every metric as it was without
// them.
func TestPostgresSourceMaxBadRows(t *testing.T) {
	repo, env, schema := dbRepo(t)
	args := []string{"metrics", "-C", repo, "-o", "json", "--now=2026-11-11T00:00:00Z"}
	before, stderr, code := cmdtest.Run(t, env, args...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Postgres.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO `+schema+`.lifecycle ("clientId", ts_ms, event_type) VALUES ('drip-000001', 1791000000000, 'rebooted'), ('', 1791000000000, 'connected')`); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = cmdtest.Run(t, env, append(args, "--max-bad-rows", "1")...)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "2 bad rows in all inputs, more than --max-bad-rows 1") || !strings.Contains(stderr, "iotpm.yaml:") {
		t.Errorf("one allowed: exit %d (want 2), stderr:\n%s", code, stderr)
	}
	after, stderr, code := cmdtest.Run(t, env, append(args, "--max-bad-rows", "2")...)
	if code != 0 || !strings.Contains(stderr, "skipped 2 bad rows (within --max-bad-rows 2)") {
		t.Fatalf("two allowed: exit %d, stderr:\n%s", code, stderr)
	}
	var b, a map[string]any
	if err := json.Unmarshal([]byte(before), &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(after), &a); err != nil {
		t.Fatal(err)
	}
	rows := a["rows"].(map[string]any)["events"].(map[string]any)
	want := map[string]any{"empty device_id": 1.0, "unknown event value": 1.0}
	if !reflect.DeepEqual(rows["skipped_by_reason"], want) || rows["skipped"] != 2.0 {
		t.Errorf("events rows: skipped %v by reason %v, want 2 by %v", rows["skipped"], rows["skipped_by_reason"], want)
	}
	delete(a, "rows")
	delete(b, "rows")
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the metrics changed when the bad rows were skipped:\nbefore %s\nafter  %s", before, after)
	}
}

// A connect and a disconnect of one device at the same instant in a table
// without a sequence: the numbers come, with a warning at the events'
// timestamp column naming the first pair and how to order them.
func TestSameInstantWarningFromTables(t *testing.T) {
	repo, env, schema := dbRepo(t)
	conn, _ := pgtest.Conn(t)
	at := int64(1792929600000) // 2026-10-25T12:00:00Z, in the month asked for
	if _, err := conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.lifecycle ("clientId", ts_ms, event_type)
		VALUES ('drip-000070', %d, 'disconnected'), ('drip-000070', %[2]d, 'connected')`, schema, at)); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "--month", "2026-10", "-o", "json", "--now=2026-11-11T00:00:00Z")
	if code != cmdutil.ExitOK || !strings.Contains(stdout, `"same_instant_pairs": 1`) {
		t.Fatalf("exit %d, stdout lacks same_instant_pairs 1: %.300s, stderr %s", code, stdout, stderr)
	}
	want := `iotpm.yaml:13:49: warning: metrics.inputs.events: ` + schema + `.lifecycle: 1 times a device connects and disconnects at the same instant (e.g. "drip-000070" at 2026-10-25T12:00:00Z)`
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "map it as sequence") {
		t.Errorf("stderr lacks %q and the fix:\n%s", want, stderr)
	}
}

// A firmware target that cannot be ordered against the fleet's versions
// (a typo: 2.4.l) gives firmware_on_target 0% and a warning at the target
// that names the versions, the same from the files and from the tables;
// a rollout of a release named so counts the same devices as unordered.
func TestUnorderedFirmwareTargetBothEngines(t *testing.T) {
	repo, env, _ := dbRepo(t)
	files := cmdtest.CopyExample(t)
	for _, dir := range []string{repo, files} {
		cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "firmware: {target: 2.4.1}", "firmware: {target: 2.4.l}")
	}
	// the files' iotpm.yaml has the target on line 21, the tables' on 23
	want := `:13: warning: metrics.firmware.target "2.4.l": it is no semantic version, so only devices running exactly "2.4.l" count as on target; 188 run other versions (the most common "2.4.1"): they count as not on target`
	var unordered []float64
	for _, run := range []struct {
		dir string
		env map[string]string
	}{{files, nil}, {repo, env}} {
		_, stderr, code := cmdtest.Run(t, run.env, "metrics", "-C", run.dir, "--now=2026-11-11T00:00:00Z")
		if code != cmdutil.ExitGate || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", run.dir, code, want, stderr)
		}
		stdout, stderr, code := cmdtest.Run(t, run.env, "rollout", "-C", run.dir, "--version", "release-7", "-o", "json")
		var doc struct {
			Unordered float64 `json:"devices_version_unordered"`
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || !strings.Contains(stderr, `warning: rollout version "release-7": 202 of the devices to update run another version (the most common "2.4.1")`) {
			t.Errorf("%s: rollout exit %d, stderr %s", run.dir, code, stderr)
		}
		unordered = append(unordered, doc.Unordered)
	}
	if unordered[0] != 202 || unordered[1] != 202 {
		t.Errorf("devices_version_unordered: files %v, postgres %v; want 202", unordered[0], unordered[1])
	}
}

// From tables as from files: event ids the devices table does not list are
// counted and warned of, and those that are a listed id but for letter
// case get their own warning (one device counted as two: its events under
// both spellings), on every engine.
func TestJoinWarningsFromTables(t *testing.T) {
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			// a copy of one device's events under its id in capitals (Citus
			// does not update a distribution column: the rows are copied)
			if _, err := conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.lifecycle ("clientId", ts_ms, event_type)
				SELECT upper("clientId"), ts_ms, event_type FROM %[1]s.lifecycle WHERE "clientId" = 'drip-000201'`, schema)); err != nil {
				t.Fatal(err)
			}
			// and another's as drip_000202: the same id written otherwise
			if _, err := conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.lifecycle ("clientId", ts_ms, event_type)
				SELECT replace("clientId", '-', '_'), ts_ms, event_type FROM %[1]s.lifecycle WHERE "clientId" = 'drip-000202'`, schema)); err != nil {
				t.Fatal(err)
			}
			_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", repo, "--now=2026-11-11T00:00:00Z")
			for _, want := range []string{
				`warning: metrics.inputs.events: ` + schema + `.lifecycle: 2 of the 248 device ids are not in the devices table ` + schema + `.devices (e.g. "DRIP-000201")`,
				`warning: metrics.inputs.events: ` + schema + `.lifecycle: 1 of the ids of events not in the devices input ` + schema + `.devices are one of its ids but for letter case (e.g. "DRIP-000201" here, "drip-000201" there)`,
				`warning: metrics.inputs.events: ` + schema + `.lifecycle: 1 of the ids of events not in the devices input ` + schema + `.devices are one of its ids written otherwise (e.g. "drip_000202" here, "drip-000202" there: letter case, separators or an "eui-" prefix aside, the same)`,
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// The check-in interval warning reads the sums the engine gives: with the
// heartbeat at 5m on the example's 15-minute fleet, the PostgreSQL source
// warns with the same counts as the files.
func TestCheckinIntervalWarningFromTheDatabase(t *testing.T) {
	repo, env, _ := dbRepo(t)
	files := cmdtest.CopyExample(t)
	warning := func(dir string, env map[string]string) string {
		t.Helper()
		cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "        every: 15m", "        every: 5m")
		_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", dir, "--now=2026-11-11T00:00:00Z")
		for line := range strings.Lines(stderr) {
			if _, w, ok := strings.Cut(line, "warning: drip-lora: its devices missed "); ok {
				return w
			}
		}
		t.Fatalf("no check-in interval warning:\n%s", stderr)
		return ""
	}
	if f, d := warning(files, nil), warning(repo, env); f != d {
		t.Errorf("files: %s\npostgres: %s", f, d)
	}
}

// The warning of always-connected devices without a disconnect reads the
// count the engine gives: the example's events with every disconnect
// taken out warn the same in the files and in each engine's tables (whose
// columns are not named like the roles), and the whole example warns in
// neither.
func TestNoDisconnectWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "no disconnect among") }
	want, stderr := filesWarning(t, warning, func(files string) {
		cmdtest.KeepLines(t, files, "lifecycle.csv", func(line string) bool { return !strings.HasSuffix(strings.TrimSpace(line), ",disconnected") })
	})
	if !strings.Contains(want, "devices counted as always connected have no disconnect among their events") {
		t.Fatalf("no warning from the files without disconnects:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.lifecycle WHERE event_type = 'disconnected'")
}

// sameWarningFromTables runs the example's tables on each engine: they
// must not warn (warning finds the warning in stderr), and after the
// statements (each with {schema} for the engine's schema) they must warn
// as the files did, want with the files' path left out.
func sameWarningFromTables(t *testing.T, warning func(string) string, want string, statements ...string) {
	t.Helper()
	sameWarningFromTablesWith(t, nil, warning, want, statements...)
}

// sameWarningFromTablesWith is sameWarningFromTables with more arguments
// to iotpm metrics (a window).
func sameWarningFromTablesWith(t *testing.T, args []string, warning func(string) string, want string, statements ...string) {
	t.Helper()
	args = append([]string{"metrics", "--now=2026-11-11T00:00:00Z"}, args...)
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			_, stderr, _ := cmdtest.Run(t, env, append(args, "-C", repo)...)
			if w := warning(stderr); w != "" {
				t.Fatalf("the example's tables warn: %s", w)
			}
			conn, _ := e.Conn(t)
			for _, sql := range statements {
				if _, err := conn.Exec(context.Background(), strings.ReplaceAll(sql, "{schema}", schema)); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, _ = cmdtest.Run(t, env, append(args, "-C", repo)...)
			// the same count and words; the table's is at the input's line
			if got := warning(stderr); got == "" || !strings.HasSuffix(strings.TrimSpace(got), strings.TrimSpace(want)) {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
}

// The late-start warning reads each input's earliest row as the engine
// gives it: the example with its events and uplinks from 2026-10-20 on
// warns the same in the files and in each engine's tables.
func TestLateStartWarningFromTables(t *testing.T) {
	const cut, cutMS = "2026-10-20", 1792454400000 // 2026-10-20T00:00:00Z
	warning := func(stderr string) string {
		for line := range strings.Lines(stderr) {
			if _, w, ok := strings.Cut(line, "the fleet's rows start "); ok {
				return w
			}
		}
		return ""
	}
	files := cmdtest.CopyExample(t)
	keep := func(name string, later func(fields []string) bool) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(files, "exports", name))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, line := range slices.Collect(strings.Lines(string(data))) {
			if i == 0 || later(strings.Split(strings.TrimSpace(line), ",")) {
				b.WriteString(line)
			}
		}
		cmdtest.WriteFile(t, files, "exports/"+name, b.String())
	}
	keep("lifecycle.csv", func(f []string) bool { ms, _ := strconv.ParseInt(f[1], 10, 64); return ms >= cutMS })
	keep("uplinks.csv", func(f []string) bool { return f[1] >= cut })
	_, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	want := warning(stderr)
	if !strings.HasPrefix(want, "2026-10-20T") {
		t.Fatalf("no late-start warning from the files:\n%s", stderr)
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			for _, q := range []string{
				fmt.Sprintf("DELETE FROM %s.lifecycle WHERE ts_ms < %d", schema, cutMS),
				fmt.Sprintf("DELETE FROM %s.uplinks WHERE received_at < '%sT00:00:00Z'", schema, cut),
			} {
				if _, err := conn.Exec(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", repo, "--now=2026-11-11T00:00:00Z")
			if got := warning(stderr); got != want {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
}

// The single-event warning reads the same counts from tables: the
// example's events cut to each device's earliest one (the devices input
// keeps every id joined), from the files and from each engine.
func TestSingleEventWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "have one event each") }
	first := map[string]string{} // device → its earliest row
	want, stderr := filesWarning(t, warning, func(files string) {
		path := filepath.Join(files, "exports", "lifecycle.csv")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, line := range lines[1:] {
			f := strings.Split(line, ",")
			if prev, ok := first[f[0]]; !ok || f[1] < strings.Split(prev, ",")[1] {
				first[f[0]] = line
			}
		}
		kept := lines[0] + "\n"
		for _, line := range first {
			kept += line + "\n"
		}
		cmdtest.WriteFile(t, files, "exports/lifecycle.csv", kept)
	})
	if !strings.Contains(want, fmt.Sprintf("%d of the %d device ids of events (column clientId) have one event each", len(first), len(first))) {
		t.Fatalf("no warning from the files with one event a device:\n%s", stderr)
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			if _, err := conn.Exec(context.Background(), `DELETE FROM `+schema+`.lifecycle l WHERE ts_ms > (SELECT min(ts_ms) FROM `+schema+`.lifecycle m WHERE m."clientId" = l."clientId")`); err != nil {
				t.Fatal(err)
			}
			_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", repo, "--now=2026-11-11T00:00:00Z")
			// the same counts and words; the table's is at the input's line
			if got := warning(stderr); got == "" || !strings.HasSuffix(strings.TrimSpace(got), strings.TrimSpace(want)) {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
}

// warningWith is the text after "warning: " of stderr's first warning
// that holds phrase; "" when none does.
func warningWith(stderr, phrase string) string {
	for line := range strings.Lines(stderr) {
		if _, w, ok := strings.Cut(line, "warning: "); ok && strings.Contains(w, phrase) {
			return w
		}
	}
	return ""
}

// The sequence check reads the same counts and example from tables: the
// example's events with a column of hashes mapped as their sequence (an
// id, not a sequence: each device's events in random order), from the
// files (as AWS's versionNumber) and from each engine.
func TestSequenceWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "so this column may not be one") }
	seqOf := func(id, ts string) string { return fmt.Sprintf("%x", md5.Sum([]byte(id+"/"+ts))) }
	files := cmdtest.CopyExample(t)
	path := filepath.Join(files, "exports", "lifecycle.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var out strings.Builder
	out.WriteString(lines[0] + ",versionNumber\n")
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		out.WriteString(line + "," + seqOf(f[0], f[1]) + "\n")
	}
	cmdtest.WriteFile(t, files, "exports/lifecycle.csv", out.String())
	_, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	want := warning(stderr)
	if !strings.Contains(want, "of their device are stamped more than a minute before an event it puts earlier (e.g. ") {
		t.Fatalf("no warning from the files with a hash for a sequence:\n%s", stderr)
	}
	want = want[strings.Index(want, " of the "):] // the table's names its column
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			if _, err := conn.Exec(context.Background(), `ALTER TABLE `+schema+`.lifecycle ADD COLUMN seq text`); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(context.Background(), `UPDATE `+schema+`.lifecycle SET seq = md5("clientId" || '/' || ts_ms::text)`); err != nil {
				t.Fatal(err)
			}
			cmdtest.EditFile(t, filepath.Join(repo, "iotpm.yaml"), "event: event_type}", "event: event_type, sequence: seq}")
			_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", repo, "--now=2026-11-11T00:00:00Z")
			got := warning(stderr)
			if i := strings.Index(got, " of the "); i < 0 || strings.Replace(got[i:], "(column seq)", "(column versionNumber)", 1) != want {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
}

// The devices table's status column is checked as the file's is: the
// example's devices with a "Lifecycle State" column (a name with a blank
// and capitals, as a table may have) that says three units are out of
// service warn with the same count, column and value from the files and
// from each engine; the example as it is warns in neither.
func TestStatusWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "out of service") }
	out := map[string]string{"drip-000010": "Decommissioned", "drip-000011": "RMA", "drip-000012": "de-commissioned"}
	files := cmdtest.CopyExample(t)
	path := filepath.Join(files, "exports", "devices.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var edited strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		state := "active"
		if i == 0 {
			state = "Lifecycle State"
		} else if s, ok := out[strings.SplitN(line, ",", 2)[0]]; ok {
			state = s
		}
		edited.WriteString(line + "," + state + "\n")
	}
	cmdtest.WriteFile(t, files, "exports/devices.csv", edited.String())
	_, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	want := warning(stderr)
	if !strings.Contains(want, `3 rows of the devices input say in column "Lifecycle State" that the unit is out of service (e.g. "Decommissioned")`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	statements := []string{`ALTER TABLE {schema}.devices ADD COLUMN "Lifecycle State" text DEFAULT 'active'`}
	for id, state := range out {
		statements = append(statements, fmt.Sprintf(`UPDATE {schema}.devices SET "Lifecycle State" = '%s' WHERE device_id = '%s'`, state, id))
	}
	sameWarningFromTables(t, warning, want[strings.Index(want, "3 rows"):], statements...)
}

// An activity input with one row a device is a last-seen list, not a
// history: the example's uplinks replaced by one row for each of 150 units
// over 12.4 days warn with the same counts from the files and from each
// engine (the column's name aside: the file's is The Things Stack's).
func TestSingleActivityWarningFromTables(t *testing.T) {
	warning := func(stderr string) string {
		w := warningWith(stderr, "device ids of activity")
		for _, col := range []string{"result.end_device_ids.device_id", "device_id"} {
			w = strings.Replace(w, "(column "+col+")", "(column C)", 1)
		}
		return w
	}
	files := cmdtest.CopyExample(t)
	var rows strings.Builder
	rows.WriteString("result.end_device_ids.device_id,result.received_at,result.uplink_message.f_cnt\n")
	for g := range 150 {
		fmt.Fprintf(&rows, "drip-%06d,%s,0\n", g, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g)*2*time.Hour).Format(time.RFC3339))
	}
	cmdtest.WriteFile(t, files, "exports/uplinks.csv", rows.String())
	_, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	want := warning(stderr)
	if !strings.Contains(want, "150 of the 150 device ids of activity (column C) have one row each over 12.4 days") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks",
		"INSERT INTO {schema}.uplinks (device_id, received_at, f_cnt) SELECT 'drip-' || lpad(g::text, 6, '0'), timestamptz '2026-10-01 00:00:00+00' + g * interval '2 hours', 0 FROM generate_series(0, 149) g")
}

// The gap warning reads which stretches of the window hold rows as the
// engine finds them: the example's uplinks without Oct 20–21 warn of the
// same stretch, rate and count from the files and from each engine.
func TestDataGapWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "has no row from") }
	want, stderr := filesWarning(t, warning, func(files string) {
		cmdtest.KeepLines(t, files, "uplinks.csv", func(line string) bool {
			f := strings.Split(line, ",")
			return len(f) < 2 || !strings.HasPrefix(f[1], "2026-10-20") && !strings.HasPrefix(f[1], "2026-10-21")
		})
	})
	if !strings.HasPrefix(want, "the activity input has no row from 2026-10-20T00:0") || !strings.Contains(want, "to 2026-10-21T23:5") {
		t.Fatalf("no gap warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE received_at >= timestamptz '2026-10-20 00:00:00+00' AND received_at < timestamptz '2026-10-22 00:00:00+00'")
}

// A day missing at the window's end, the export going on after it, is
// warned of by the files and by each engine alike (the stretches with
// rows, and the input's rows beyond the window): the example's uplinks
// without Oct 31.
func TestWindowEdgeGapFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "has no row from") }
	want, stderr := filesWarning(t, warning, func(files string) {
		cmdtest.KeepLines(t, files, "uplinks.csv", func(line string) bool {
			f := strings.Split(line, ",")
			return len(f) < 2 || !strings.HasPrefix(f[1], "2026-10-31")
		})
	})
	if !strings.Contains(want, "to 2026-11-01T00:00:00Z, 1 day between its rows") {
		t.Fatalf("no gap warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE received_at >= timestamptz '2026-10-31 00:00:00+00' AND received_at < timestamptz '2026-11-01 00:00:00+00'")
}

// A fleet that reports at the same minute every day (every week), missing
// a day (a week), is warned of alike by the files and each engine: 50
// meters at 02:00 from Sep 1, daily to Nov 10 without Oct 17's reports;
// from Sep 7 (a Monday), weekly to Nov 9 without Oct 12's.
func TestRhythmGapWarningFromTables(t *testing.T) {
	for _, c := range []struct {
		name, start    string
		every, reports int // days apart, how many
		missing        int // the report left out
		from, because  string
	}{
		{"daily", "2026-09-01", 1, 71, 46, "2026-10-16T02:", "the two days before it and the two after each have at least "},
		{"weekly", "2026-09-07", 7, 10, 5, "2026-10-05T02:", "the week before it and the week after each have at least "},
	} {
		t.Run(c.name, func(t *testing.T) {
			warning := func(stderr string) string { return warningWith(stderr, "has no row from") }
			want, stderr := filesWarning(t, warning, func(files string) {
				var b strings.Builder
				b.WriteString("result.end_device_ids.device_id,result.received_at,result.uplink_message.f_cnt\n")
				start, err := time.Parse(time.DateOnly, c.start)
				if err != nil {
					t.Fatal(err)
				}
				for r := range c.reports {
					if r == c.missing {
						continue
					}
					for dev := range 50 {
						fmt.Fprintf(&b, "drip-%06d,%s,0\n", dev, start.AddDate(0, 0, c.every*r).Add(2*time.Hour+time.Duration(dev)*12*time.Second).Format(time.RFC3339))
					}
				}
				cmdtest.WriteFile(t, files, "exports/uplinks.csv", b.String())
			})
			if !strings.HasPrefix(want, "the activity input has no row from "+c.from) || !strings.Contains(want, c.because) {
				t.Fatalf("no gap warning from the files:\n%s", stderr)
			}
			sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks",
				fmt.Sprintf("INSERT INTO {schema}.uplinks (device_id, received_at, f_cnt) SELECT 'drip-' || lpad(dev::text, 6, '0'), timestamptz '%s 02:00:00+00' + r * interval '%d days' + dev * interval '12 seconds', 0 FROM generate_series(0, %d) r, generate_series(0, 49) dev WHERE r <> %d",
					c.start, c.every, c.reports-1, c.missing))
		})
	}
}

// Customer health leaves out an input whose rows all lie outside the
// window alike in the files and each engine: the example in August (its
// usage starts Oct 1, its tickets Sep 2) scores each customer by uptime
// alone, and every engine gives the same customers.
func TestHealthOutsideWindowFromTables(t *testing.T) {
	customers := func(t *testing.T, env map[string]string, repo string) string {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, env, "metrics", "-C", repo, "--month", "2026-08", "--now=2026-11-11T00:00:00Z", "-o", "json")
		if code > cmdutil.ExitGate {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		return jsonField(t, stdout, "customers")
	}
	want := customers(t, nil, cmdtest.CopyExample(t))
	if strings.Contains(want, `"tickets_per_100_devices"`) || strings.Contains(want, `"usage"`) || !strings.Contains(want, `"uptime"`) {
		t.Fatalf("files: %s", want)
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, _ := engineRepo(t, e)
			if got := customers(t, env, repo); got != want {
				t.Errorf("files:\n%s\n%s:\n%s", want, e.Name, got)
			}
		})
	}
}

// Units whose every row precedes their shipped_at are counted alike by
// the files and each engine: the example with every unit's shipped_at
// moved to Nov 11, after its rows (they end Nov 10).
func TestRowsBeforeShippingFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "have every row before their shipped_at") }
	want, stderr := filesWarning(t, warning, func(files string) {
		editDevices(t, files, func(f []string) { f[1] = "2026-11-11" })
	})
	if !strings.Contains(want, " units with a shipped_at and connection rows have every row before their shipped_at") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "UPDATE {schema}.devices SET shipped_at = '2026-11-11'")
}

// The units of one ship month whose every row precedes their shipped_at
// are counted alike by the files and each engine: the example with its
// October units' shipped_at moved to Nov 11, after their rows.
func TestMonthRowsBeforeShippingFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "have every row before their shipped_at") }
	want, stderr := filesWarning(t, warning, func(files string) {
		editDevices(t, files, func(f []string) {
			if strings.HasPrefix(f[1], "2026-10") {
				f[1] = "2026-11-11"
			}
		})
	})
	if !strings.Contains(want, "most units with a shipped_at and connection rows of ship month 2026-11 (24 of 24)") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "UPDATE {schema}.devices SET shipped_at = '2026-11-11' WHERE shipped_at >= '2026-10-01'")
}

// The customers whose health band sparse devices decide are found alike
// by the files and each engine: two of the example's LoRaWAN sensors
// keeping one uplink in eight turn baltic-insurance red.
func TestCustomerSparseWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "customer health: the band of") }
	want, stderr := filesWarning(t, warning, thinUplinks(t))
	if !strings.Contains(want, `"baltic-insurance" is red (35.3), yellow (52.4) without 1 such device ("eui-70b3d57ed00500a2")`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, thinUplinksSQL)
}

// thinUplinks is cmdtest.ThinUplinks for filesWarning; thinUplinksSQL
// does the same to an engine's table.
func thinUplinks(t *testing.T) func(files string) {
	return func(files string) { cmdtest.ThinUplinks(t, files) }
}

const thinUplinksSQL = "DELETE FROM {schema}.uplinks WHERE device_id IN ('eui-70b3d57ed00500a1', 'eui-70b3d57ed00500a2') AND f_cnt::bigint % 8 <> 0"

// editDevices rewrites the example's devices export in repo with edit
// applied to the fields of each row (the header aside).
func editDevices(t *testing.T, repo string, edit func(fields []string)) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "exports", "devices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Split(line, ","); i > 0 {
			edit(f)
			line = strings.Join(f, ",")
		}
		b.WriteString(line + "\n")
	}
	cmdtest.WriteFile(t, repo, "exports/devices.csv", b.String())
}

// jsonField is the value of a top-level key of a JSON document, compact.
func jsonField(t *testing.T, doc, key string) string {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &fields); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, fields[key]); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return compact.String()
}

// filesWarning is the warning (as warning finds it) of the example's
// files after edit changes them, with the run's stderr; the example as it
// is must not give it.
func filesWarning(t *testing.T, warning func(stderr string) string, edit func(files string)) (want, stderr string) {
	t.Helper()
	return filesWarningWith(t, nil, warning, edit)
}

// filesWarningWith is filesWarning with more arguments to iotpm metrics.
func filesWarningWith(t *testing.T, args []string, warning func(stderr string) string, edit func(files string)) (want, stderr string) {
	t.Helper()
	args = append([]string{"metrics", "--now=2026-11-11T00:00:00Z"}, args...)
	files := cmdtest.CopyExample(t)
	_, stderr, _ = cmdtest.Run(t, nil, append(args, "-C", files)...)
	if w := warning(stderr); w != "" {
		t.Fatalf("the example warns: %s", w)
	}
	edit(files)
	_, stderr, _ = cmdtest.Run(t, nil, append(args, "-C", files)...)
	return warning(stderr), stderr
}

// Units of the window's cohort shipped after the data's horizon are
// counted alike by the files and each engine: the example checked for
// November (its rows end Nov 10) with three more units shipped Nov 20.
func TestAfterHorizonWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "after the data's horizon") }
	args := []string{"metrics", "--month", "2026-11", "--now=2026-11-25T00:00:00Z"}
	files := cmdtest.CopyExample(t)
	_, stderr, _ := cmdtest.Run(t, nil, append(args, "-C", files)...)
	if w := warning(stderr); w != "" {
		t.Fatalf("the example warns: %s", w)
	}
	data, err := os.ReadFile(filepath.Join(files, "exports", "devices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, files, "exports/devices.csv", string(data)+"drip-900000,2026-11-20,aqua-homes,,2.4.1\ndrip-900001,2026-11-20,aqua-homes,,2.4.1\ndrip-900002,2026-11-21,baltic-insurance,,2.4.1\n")
	_, stderr, _ = cmdtest.Run(t, nil, append(args, "-C", files)...)
	want := warning(stderr)
	if !strings.HasPrefix(want, "3 of the ") || !strings.Contains(want, "after the data's horizon 2026-11-10T") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			if _, err := conn.Exec(context.Background(), "INSERT INTO "+schema+".devices (device_id, shipped_at, customer_id, firmware) VALUES ('drip-900000', '2026-11-20', 'aqua-homes', '2.4.1'), ('drip-900001', '2026-11-20', 'aqua-homes', '2.4.1'), ('drip-900002', '2026-11-21', 'baltic-insurance', '2.4.1')"); err != nil {
				t.Fatal(err)
			}
			_, stderr, _ := cmdtest.Run(t, env, append(args, "-C", repo)...)
			if got := warning(stderr); got != want {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
}

// The setup funnel's join to the fleet is the same from the tables as
// from the files: the example's app export whole, ending early (units
// activated after its rows), starting late (activated before them), with
// attempts naming a unit of another month and one no devices input lists;
// the whole onboarding result and the warnings about the join compared.
func TestOnboardingJoinFromTables(t *testing.T) {
	const extra = "2026-10-20 09:00:00.000000,setup_started,990001,user-x1,AA-PHONE-X1,iOS,3.8.0,drip-nobody\n" +
		"2026-10-20 09:01:00.000000,cloud_connected,990001,user-x1,AA-PHONE-X1,iOS,3.8.0,drip-nobody\n"
	cuts := []struct {
		name string
		edit func(data string) string
	}{
		{"whole", func(data string) string { return data }},
		{"ends early", keepSetupDays(func(d string) bool { return d < "2026-10-12" })},
		{"starts late", keepSetupDays(func(d string) bool { return d >= "2026-10-12" })},
		{"an unlisted unit", func(data string) string { return data + extra }},
		{"a listed unit in capitals", func(data string) string {
			return data + strings.ReplaceAll(extra, "drip-nobody", "DRIP-000001")
		}},
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, _ := engineRepo(t, e)
			original, err := os.ReadFile(filepath.Join(repo, "exports", "setup.csv"))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cuts {
				t.Run(c.name, func(t *testing.T) {
					files := exampleWithSetup(t, c.edit)
					cmdtest.WriteFile(t, repo, "exports/setup.csv", c.edit(string(original)))
					args := []string{"metrics", "-o", "json", "--now=2026-11-11T00:00:00Z"}
					fileOut, fileErr, _ := cmdtest.Run(t, nil, append(args, "-C", files)...)
					dbOut, dbErr, _ := cmdtest.Run(t, env, append(args, "-C", repo)...)
					var a, b struct {
						Onboarding map[string]any `json:"onboarding"`
						Rows       map[string]struct {
							Read, Used int
						} `json:"rows"`
					}
					if err := json.Unmarshal([]byte(fileOut), &a); err != nil || a.Onboarding["fleet"] == nil {
						t.Fatalf("files: %v %v\n%s", err, a.Onboarding["fleet_note"], fileErr)
					}
					if err := json.Unmarshal([]byte(dbOut), &b); err != nil {
						t.Fatalf("%s: %v\n%s", e.Name, err, dbErr)
					}
					if !sameJSON(a.Onboarding, b.Onboarding) {
						ja, _ := json.MarshalIndent(a.Onboarding["fleet"], "", " ")
						jb, _ := json.MarshalIndent(b.Onboarding["fleet"], "", " ")
						t.Errorf("the funnels differ; joins:\n--- files\n%s\n--- %s\n%s", ja, e.Name, jb)
					}
					if a.Rows["onboarding"] != b.Rows["onboarding"] || b.Rows["onboarding"].Read == 0 {
						t.Errorf("the onboarding input's rows: files %+v, %s %+v", a.Rows["onboarding"], e.Name, b.Rows["onboarding"])
					}
					for _, phrase := range []string{"their setup is not in the export", "not counted as activated without setup", "but for letter case (e.g. "} {
						// the devices input is named otherwise: the words after it
						after := func(w string) string {
							if _, tail, ok := strings.Cut(w, " are one of its ids"); ok {
								return tail
							}
							return w
						}
						if fw, dw := after(warningWith(fileErr, phrase)), after(warningWith(dbErr, phrase)); fw != dw {
							t.Errorf("warning %q: files %q, %s %q", phrase, fw, e.Name, dw)
						}
					}
					// the ids no devices input lists: the same count and
					// example (the devices input is named otherwise)
					unknown := func(stderr string) string {
						w := warningWith(stderr, "device ids the onboarding rows name are not in the devices input")
						if w == "" {
							return ""
						}
						head, _, _ := strings.Cut(w, " (column")
						_, example, _ := strings.Cut(w, "e.g. ")
						example, _, _ = strings.Cut(example, " ")
						return head[:strings.LastIndex(head, " ")] + " " + example
					}
					if c.name == "a listed unit in capitals" && !strings.Contains(dbErr, `but for letter case (e.g. "DRIP-000001" here, "drip-000001" there)`) {
						t.Errorf("%s: no case warning\n%s", e.Name, dbErr)
					}
					if fw, dw := unknown(fileErr), unknown(dbErr); fw != dw || (c.name == "an unlisted unit") != strings.Contains(fw, `"drip-nobody"`) {
						t.Errorf("unlisted ids: files %q, %s %q", fw, e.Name, dw)
					}
				})
			}
		})
	}
}

// The onboarding file beside the tables is checked as beside files: an
// export whose times have no zone stops the run with the same error (it
// was read as UTC without a word, the funnel's weeks and time to pair
// computed on guessed hours).
func TestOnboardingZonelessFromTables(t *testing.T) {
	zoneless := func(data string) string {
		lines := strings.Split(strings.TrimSpace(data), "\n")
		var out strings.Builder
		out.WriteString("user,step,timestamp,device_id\n")
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			fmt.Fprintf(&out, "%s,%s,%s,%s\n", f[2], f[1], strings.Replace(f[0], " ", "T", 1)[:19], f[7])
		}
		return out.String()
	}
	files := exampleWithSetup(t, zoneless)
	_, fileErr, fileCode := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	const phrase = "timestamps of onboarding have no zone"
	if fileCode != cmdutil.ExitInvalid || !strings.Contains(fileErr, phrase) {
		t.Fatalf("files: exit %d\n%s", fileCode, fileErr)
	}
	withSetupFromTables(t, zoneless, nil, func(t *testing.T, engine, _, stderr string, code int) {
		if code != fileCode || !strings.Contains(stderr, phrase) {
			t.Errorf("%s: exit %d\n%s", engine, code, stderr)
		}
	})
}

// withSetupFromTables runs metrics (with args) on the example's tables in
// each engine, its app export (a file beside them) edited by edit, and
// hands check the run's stdout, stderr and exit code.
func withSetupFromTables(t *testing.T, edit func(string) string, args []string, check func(t *testing.T, engine, stdout, stderr string, code int)) {
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, _ := engineRepo(t, e)
			data, err := os.ReadFile(filepath.Join(repo, "exports", "setup.csv"))
			if err != nil {
				t.Fatal(err)
			}
			cmdtest.WriteFile(t, repo, "exports/setup.csv", edit(string(data)))
			stdout, stderr, code := cmdtest.Run(t, env, append([]string{"metrics", "-C", repo, "--now=2026-11-11T00:00:00Z"}, args...)...)
			check(t, e.Name, stdout, stderr, code)
		})
	}
}

// The onboarding file beside the tables is checked for a row cap as beside
// files: the example's app export filled up with app events to 10,000
// rows, a console's cap, is warned of in both (the database source left
// out every file check, the file's too).
func TestOnboardingRowCapFromTables(t *testing.T) {
	capped := func(data string) string {
		lines := strings.SplitAfter(strings.TrimSpace(data)+"\n", "\n")
		var out strings.Builder
		for _, l := range lines {
			out.WriteString(l)
		}
		for i := len(lines) - 2; i < 10_000; i++ { // lines: the header, the rows and ""
			fmt.Fprintf(&out, "2026-10-%02d 12:00:00.000000,App Opened,%d,,PHONE-%d,iOS,3.8.0,\n", 1+i%28, 990000+i, i)
		}
		return out.String()
	}
	warning := func(stderr string) string { return warningWith(stderr, "10,000 rows, a round number") }
	files := exampleWithSetup(t, capped)
	_, fileErr, _ := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	want := warning(fileErr)
	if want == "" {
		t.Fatalf("files: no warning\n%s", fileErr)
	}
	withSetupFromTables(t, capped, nil, func(t *testing.T, engine, _, stderr string, _ int) {
		if got := warning(stderr); got != want {
			t.Errorf("files: %s\n%s: %s", want, engine, got)
		}
	})
}

// A bad row of the onboarding file beside the tables stops the run as
// beside files (within --max-bad-rows it is skipped and counted).
func TestOnboardingBadRowFromTables(t *testing.T) {
	bad := func(data string) string {
		return data + "2026-10-40 12:00:00.000000,setup_started,990001,user-x1,AA-PHONE-X1,iOS,3.8.0,drip-0001\n"
	}
	const phrase = "2026-10-40"
	files := exampleWithSetup(t, bad)
	_, fileErr, fileCode := cmdtest.Run(t, nil, "metrics", "-C", files, "--now=2026-11-11T00:00:00Z")
	if fileCode != cmdutil.ExitInvalid || !strings.Contains(fileErr, phrase) {
		t.Fatalf("files: exit %d\n%s", fileCode, fileErr)
	}
	withSetupFromTables(t, bad, nil, func(t *testing.T, engine, _, stderr string, code int) {
		if code != fileCode || !strings.Contains(stderr, phrase) {
			t.Errorf("%s: exit %d\n%s", engine, code, stderr)
		}
	})
	// tolerated, it is skipped and counted alike
	tolerate := []string{"-o", "json", "--max-bad-rows", "1"}
	fileOut, fileErr, fileCode := cmdtest.Run(t, nil, append([]string{"metrics", "-C", files, "--now=2026-11-11T00:00:00Z"}, tolerate...)...)
	type doc struct {
		Onboarding map[string]any `json:"onboarding"`
		Rows       map[string]struct{ Read, Used, Skipped int }
	}
	var a doc
	if fileCode == cmdutil.ExitInvalid || json.Unmarshal([]byte(fileOut), &a) != nil {
		t.Fatalf("files, tolerated: exit %d\n%s", fileCode, fileErr)
	}
	withSetupFromTables(t, bad, tolerate, func(t *testing.T, engine, stdout, stderr string, code int) {
		var b doc
		if code != fileCode || json.Unmarshal([]byte(stdout), &b) != nil {
			t.Fatalf("tolerated: exit: files %d, %s %d\n%s", fileCode, engine, code, stderr)
		}
		if !sameJSON(a.Onboarding, b.Onboarding) || a.Rows["onboarding"] != b.Rows["onboarding"] || b.Rows["onboarding"].Skipped != 1 {
			t.Errorf("tolerated: files %+v, %s %+v", a.Rows["onboarding"], engine, b.Rows["onboarding"])
		}
	})
}

// Units whose activation window ends before the fleet's first row are
// left out of the activation rates alike by the files and each engine:
// the example (its rows start 2026-03-29T10:11:47Z) with four units more,
// shipped 2025-12-01, 2026-01-15, 2026-02-27 (its window ends that
// morning, before the first row) and 2026-03-01 (its window reaches past
// it: counted, not activated, and warned of as straddling the data
// start). February's cohort has no rate, and why.
func TestBeforeDataFromTables(t *testing.T) {
	const extra = "drip-800000,2025-12-01,aqua-homes,,2.4.1\ndrip-800001,2026-01-15,aqua-homes,,2.4.1\ndrip-800002,2026-02-27,baltic-insurance,,2.4.1\ndrip-800003,2026-03-01,baltic-insurance,,2.4.1\n"
	args := []string{"metrics", "--month", "2026-02", "--now=2026-11-11T00:00:00Z", "-o", "json"}
	// the input's path (a file's, a table's) is the one difference
	path := regexp.MustCompile(`(first row \(\S+), [^;)]+`)
	run := func(t *testing.T, env map[string]string, repo string) (activation, warning string) {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, env, append(args, "-C", repo)...)
		if code != 0 && code != 1 { // 1: the example's gates fail on February
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		// the units before the data, and those straddling its start
		warnings := warningWith(stderr, "shipped more than the activation window") + warningWith(stderr, "shipped less than the activation window")
		return path.ReplaceAllString(jsonField(t, stdout, "activation_rate"), "$1, PATH"), path.ReplaceAllString(warnings, "$1, PATH")
	}
	files := cmdtest.CopyExample(t)
	data, err := os.ReadFile(filepath.Join(files, "exports", "devices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, files, "exports/devices.csv", string(data)+extra)
	wantActivation, want := run(t, nil, files)
	if !strings.HasPrefix(want, "3 units shipped more than the activation window (30 days) before the fleet's first row (2026-03-29T10:11:47Z, PATH; ship months 2025-12 to 2026-02, 1 of them in the window's cohort)") ||
		!strings.Contains(wantActivation, `"reason":"every unit shipped in window has its activation window before the fleet's first row (2026-03-29T10:11:47Z, PATH)`) ||
		!strings.Contains(wantActivation, `{"month":"2026-03","value":0,"activated":0,"shipped":1,"mature":true,"before_data":0,"not_activated_straddling_data_start":1}`) ||
		!strings.Contains(want, "1 unit shipped less than the activation window (30 days) before the fleet's first row (2026-03-29T10:11:47Z, PATH; ship month 2026-03) and shows no activation from it, so it counts as not activated") {
		t.Fatalf("files:\n%s\n%s", want, wantActivation)
	}
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, schema := engineRepo(t, e)
			conn, _ := e.Conn(t)
			var values []string
			for line := range strings.Lines(extra) {
				f := strings.Split(strings.TrimSpace(line), ",")
				values = append(values, fmt.Sprintf("('%s', '%s', '%s', '%s')", f[0], f[1], f[2], f[4]))
			}
			if _, err := conn.Exec(context.Background(), "INSERT INTO "+schema+".devices (device_id, shipped_at, customer_id, firmware) VALUES "+strings.Join(values, ", ")); err != nil {
				t.Fatal(err)
			}
			activation, warning := run(t, env, repo)
			if activation != wantActivation || warning != want {
				t.Errorf("files:\n%s\n%s\n%s:\n%s\n%s", wantActivation, want, e.Name, activation, warning)
			}
		})
	}
}

// The sparse check-in devices are counted alike by the files and each
// engine: two of the example's six LoRaWAN sensors keeping one uplink in
// eight (every 2 h instead of every 15 min, as a longer heartbeat rolled
// out to them would) warn with the same devices, example and uptimes.
func TestSparseCheckinWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "each missed at least") }
	want, stderr := filesWarning(t, warning, thinUplinks(t))
	if !strings.Contains(want, `drip-lora: 2 of its 6 devices (e.g. "eui-70b3d57ed00500a1") each missed at least 40%`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, thinUplinksSQL)
}

// Devices sparse over the window's last 7 days of data alone are counted
// alike by the files and each engine: the example's six LoRaWAN sensors
// keeping one uplink in four (every hour, not every 15 min) from a day on,
// the profile's share of missed check-ins over the window under 40%,
// warn with the same devices, uptimes and recent part — in October from
// Oct 26, and in November, the month in progress (the data ends Nov 10),
// from Nov 7.
func TestSparseSinceAChangeFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "each missed at least") }
	for _, c := range []struct {
		name, from, recent string
		args               []string
	}{
		{"october", "2026-10-26", "(2026-10-25 to 2026-11-01; not over all of it", nil},
		{"november in progress", "2026-11-07", "(2026-11-03T23:56:19Z to 2026-11-10T23:56:19Z; not over all of it", []string{"--month", "2026-11"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, stderr := filesWarningWith(t, c.args, warning, func(files string) {
				hourlyUplinks(t, files, func(_, received string) bool { return received >= c.from })
			})
			if !strings.Contains(want, `drip-lora: 6 of its 6 devices (e.g. "eui-70b3d57ed00500a1") each missed at least 40% of the check-ins its interval in devices.yaml (every 15m) expects, in 10 or more unreachable stretches over the window's last 7 days of data `+c.recent) {
				t.Fatalf("no warning from the files:\n%s", stderr)
			}
			sameWarningFromTablesWith(t, c.args, warning, want, "DELETE FROM {schema}.uplinks WHERE received_at >= timestamptz '"+c.from+" 00:00:00+00' AND f_cnt::bigint % 4 <> 0")
		})
	}
}

// hourlyUplinks keeps, of the example's LoRaWAN uplinks whose device and
// received time (ISO 8601) thin says, one in four (frame counter % 4 =
// 0): an hourly heartbeat in place of every 15 min.
func hourlyUplinks(t *testing.T, files string, thin func(device, received string) bool) {
	t.Helper()
	cmdtest.KeepLines(t, files, "uplinks.csv", func(line string) bool {
		f := strings.Split(strings.TrimSpace(line), ",")
		n, err := strconv.Atoi(f[len(f)-1])
		return err != nil || !thin(f[0], f[1]) || n%4 == 0
	})
}

// A heartbeat shortened to the profile's inside the window is counted
// alike by the files and each engine: the example's six LoRaWAN sensors
// keeping one uplink in four (hourly) until Oct 20, every 15 min after,
// warn with the same devices, uptimes and first half of the data.
func TestSparseUntilAChangeFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "each missed at least") }
	want, stderr := filesWarning(t, warning, func(files string) {
		hourlyUplinks(t, files, func(_, received string) bool { return received < "2026-10-20" })
	})
	if !strings.Contains(want, `drip-lora: 4 of its 6 devices (e.g. "eui-70b3d57ed00500a1") each missed at least 40% of the check-ins its interval in devices.yaml (every 15m) expects, in 10 or more unreachable stretches over the window's first half of data (2026-10-01 to 2026-10-16T12:00:00Z; not over all of it nor its last 7 days`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE received_at < timestamptz '2026-10-20 00:00:00+00' AND f_cnt::bigint % 4 <> 0")
}

// A whole profile whose interval changed to P inside the window is told
// apart alike by the files and each engine: the example's six LoRaWAN
// sensors keeping one uplink in four (hourly) until Oct 25, every 15 min
// after, miss 47% of the month's check-ins and few of the last week's,
// and the profile's warning says so with the same counts.
func TestProfileChangedToItsIntervalFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "its devices missed") }
	want, stderr := filesWarning(t, warning, func(files string) {
		hourlyUplinks(t, files, func(_, received string) bool { return received < "2026-10-25" })
	})
	if !strings.Contains(want, "drip-lora: its devices missed 4,458 of the 9,490 check-ins") || !strings.Contains(want, "over the window's last 7 days of data (2026-10-25 to 2026-11-01) they missed only 313 of the 4,032 expected (7.8%)") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE received_at < timestamptz '2026-10-25 00:00:00+00' AND f_cnt::bigint % 4 <> 0")
}

// Devices sparse over the window whose interval changed to P inside it
// are counted alike by the files and each engine: two of the example's
// LoRaWAN sensors keeping one uplink in four (hourly) until Oct 25, every
// 15 min after (one of them sparse over the month: the other's data
// starts later), warn with the same device, uptimes and recent part.
func TestSparseSettledFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "missed at least 40%") }
	two := []string{"eui-70b3d57ed00500a3", "eui-70b3d57ed00500a6"}
	want, stderr := filesWarning(t, warning, func(files string) {
		hourlyUplinks(t, files, func(device, received string) bool { return slices.Contains(two, device) && received < "2026-10-25" })
	})
	if !strings.Contains(want, `drip-lora: 1 of its 6 devices (e.g. "eui-70b3d57ed00500a3") missed at least 40% of the check-ins its interval in devices.yaml (every 15m) expects, in 10 or more unreachable stretches over the window, not over its last 7 days of data (2026-10-25 to 2026-11-01), where it missed few`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE device_id IN ('eui-70b3d57ed00500a3', 'eui-70b3d57ed00500a6') AND received_at < timestamptz '2026-10-25 00:00:00+00' AND f_cnt::bigint % 4 <> 0")
}

// Devices down at one time of day are counted alike by the files and each
// engine: the example's six LoRaWAN sensors silent from 00:00 to 05:00 UTC
// each day warn with the same devices, uptimes, stretches and time of day.
func TestDailyDownFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "at one time of day, day after day: ") }
	want, stderr := filesWarning(t, warning, func(files string) {
		cmdtest.KeepLines(t, files, "uplinks.csv", func(line string) bool {
			f := strings.Split(line, ",")
			return len(f) < 2 || len(f[1]) < 13 || f[1][11:13] >= "05"
		})
	})
	if !strings.Contains(want, `drip-lora: 6 of its 6 devices (e.g. "eui-70b3d57ed00500a1") were unreachable at one time of day, day after day: 14 or more stretches each longer than the interval (every 15m), 4h 57m on average, that begin around 00:20 UTC`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE extract(hour FROM received_at AT TIME ZONE 'UTC') < 5")
}

// Sparse devices that are down at one time of day too are counted alike
// by the files and each engine: two of the example's six LoRaWAN sensors
// silent from 00:00 to 12:00 UTC each day are sparse and down daily, and
// the sparse warning says so (the advice of a longer interval is not
// theirs).
func TestSparseAndDailyFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "each missed at least") }
	silent := []string{"eui-70b3d57ed00500a2", "eui-70b3d57ed00500a5"}
	want, stderr := filesWarning(t, warning, func(files string) {
		cmdtest.KeepLines(t, files, "uplinks.csv", func(line string) bool {
			f := strings.Split(line, ",")
			return len(f) < 2 || len(f[1]) < 13 || !slices.Contains(silent, f[0]) || f[1][11:13] >= "12"
		})
	})
	if !strings.Contains(want, `drip-lora: 2 of its 6 devices (e.g. "eui-70b3d57ed00500a2") each missed at least 40%`) || !strings.Contains(want, "; they were also unreachable at one time of day, day after day") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want, "DELETE FROM {schema}.uplinks WHERE device_id IN ('eui-70b3d57ed00500a2', 'eui-70b3d57ed00500a5') AND extract(hour FROM received_at AT TIME ZONE 'UTC') < 12")
}

// Check-ins more frequent than the profile's interval are counted alike by
// the files and each engine: the example's LoRaWAN sensors (uplinks every
// 15 min) with devices.yaml's heartbeat every hour warn with the same
// check-ins, expected count and mean interval.
func TestFrequentCheckinsFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "checked in") }
	want := sameHeartbeatWarning(t, "1h", warning)
	if !strings.Contains(want, "drip-lora: its devices checked in 9,013 times over their observed time in the window, 3.8 times the 2,372 its interval in devices.yaml (every 1h) expects") {
		t.Fatalf("no warning from the files: %q", want)
	}
}

// A field interval longer than the profile's, within its grace, is
// estimated alike by the files and each engine: the example's LoRaWAN
// sensors (uplinks every 15 min) with devices.yaml's heartbeat set to
// 10 min warn with the same interval, missed check-ins and expected
// count.
func TestLongIntervalFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "check in about every") }
	want := sameHeartbeatWarning(t, "10m", warning)
	if !strings.Contains(want, "drip-lora: its devices check in about every 14m 44s, 1.47 times its interval in devices.yaml (every 10m)") || !strings.Contains(want, "5,086 missed, 35.7% of the 14,235 expected") {
		t.Fatalf("no warning from the files: %q", want)
	}
}

// sameHeartbeatWarning sets the example's LoRaWAN heartbeat (every 15m)
// to every in devices.yaml, and wants each engine's tables to give the
// warning the files give; it returns the files' ("" when they give none).
func sameHeartbeatWarning(t *testing.T, every string, warning func(stderr string) string) string {
	t.Helper()
	heartbeat := func(repo string) {
		t.Helper()
		cmdtest.EditFile(t, filepath.Join(repo, "devices.yaml"), "      - name: heartbeat\n        feature: connectivity\n        every: 15m\n",
			"      - name: heartbeat\n        feature: connectivity\n        every: "+every+"\n")
	}
	want, _ := filesWarning(t, warning, heartbeat)
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) {
			repo, env, _ := engineRepo(t, e)
			heartbeat(repo)
			_, stderr, _ := cmdtest.Run(t, env, "metrics", "-C", repo, "--now=2026-11-11T00:00:00Z")
			if got := warning(stderr); got != want {
				t.Errorf("files: %s\n%s: %s", want, e.Name, got)
			}
		})
	}
	return want
}

// Always-connected devices down at one time of day are counted alike by
// the files and each engine: three of the example's first-batch units
// (always connected) connected 06:00 to 22:00 each day from Sep 30 on
// warn with the same devices, uptimes, stretches and time of day.
func TestAlwaysConnectedDailyDownFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "at one time of day, day after day: ") }
	units := []string{"drip-000001", "drip-000002", "drip-000003"}
	const from = 1790726400000 // 2026-09-30T00:00:00Z
	want, stderr := filesWarning(t, warning, func(files string) {
		var b strings.Builder
		for d := range 41 {
			for _, u := range units {
				day := int64(from + d*86_400_000)
				fmt.Fprintf(&b, "%s,%d,connected\n%s,%d,disconnected\n", u, day+6*3_600_000, u, day+22*3_600_000)
			}
		}
		replaceLifecycle(t, files, units, from, b.String())
	})
	if !strings.Contains(want, `3 of the 190 devices counted as always connected (e.g. "drip-000001") were disconnected at one time of day, day after day: 14 or more stretches each over 15m`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want,
		`DELETE FROM {schema}.lifecycle WHERE "clientId" IN ('drip-000001', 'drip-000002', 'drip-000003') AND ts_ms >= 1790726400000`,
		`INSERT INTO {schema}.lifecycle ("clientId", ts_ms, event_type)
		 SELECT u, 1790726400000 + d::bigint * 86400000 + h::bigint * 3600000, CASE WHEN h = 6 THEN 'connected' ELSE 'disconnected' END
		 FROM unnest(ARRAY['drip-000001', 'drip-000002', 'drip-000003']) u, generate_series(0, 40) d, unnest(ARRAY[6, 22]) h`)
}

// Always-connected devices intermittent over the window's recent part
// alone are counted alike by the files and each engine: five of the
// example's first-batch units connected 5 minutes in every 20 from
// Oct 25 on warn with the same devices, uptimes and recent part.
func TestIntermittentSinceAChangeFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "counted as always connected (e.g.") }
	units := []string{"drip-000010", "drip-000011", "drip-000012", "drip-000013", "drip-000014"}
	const from, to = 1792886400000, 1794268800000 // 2026-10-25, 2026-11-10
	want, stderr := filesWarning(t, warning, func(files string) {
		var b strings.Builder
		for t := int64(from); t < to; t += 20 * 60_000 {
			for _, u := range units {
				fmt.Fprintf(&b, "%s,%d,connected\n%s,%d,disconnected\n", u, t, u, t+5*60_000)
			}
		}
		replaceLifecycle(t, files, units, from, b.String())
	})
	if !strings.Contains(want, `5 of the 191 devices counted as always connected (e.g. "drip-000010") were each connected less than half`) || !strings.Contains(want, "; 4 of them were so over the window's last 7 days of data alone (2026-10-25 to 2026-11-01)") {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want,
		`DELETE FROM {schema}.lifecycle WHERE "clientId" IN ('drip-000010', 'drip-000011', 'drip-000012', 'drip-000013', 'drip-000014') AND ts_ms >= 1792886400000`,
		`INSERT INTO {schema}.lifecycle ("clientId", ts_ms, event_type)
		 SELECT u, t + CASE WHEN e = 'connected' THEN 0 ELSE 300000 END, e
		 FROM unnest(ARRAY['drip-000010', 'drip-000011', 'drip-000012', 'drip-000013', 'drip-000014']) u,
		      generate_series(1792886400000::bigint, 1794268800000::bigint - 1, 1200000::bigint) t, unnest(ARRAY['connected', 'disconnected']) e`)
}

// replaceLifecycle rewrites the example's lifecycle export in repo
// without the rows of units at or after from (epoch ms), and with rows
// appended.
func replaceLifecycle(t *testing.T, repo string, units []string, from int64, rows string) {
	t.Helper()
	cmdtest.KeepLines(t, repo, "lifecycle.csv", func(line string) bool {
		f := strings.Split(strings.TrimSpace(line), ",")
		ms, err := strconv.ParseInt(f[1], 10, 64)
		return err != nil || !slices.Contains(units, f[0]) || ms < from
	})
	cmdtest.AppendFile(t, repo, "exports/lifecycle.csv", rows)
}

// The intermittent always-connected devices are counted alike by the
// files and each engine: three of the example's Wi-Fi valves (connected
// for 0.8 s each hour) without a model value, which metrics.unmodelled:
// always counts as always connected, warn with the same devices, example
// and uptimes.
func TestIntermittentWarningFromTables(t *testing.T) {
	warning := func(stderr string) string { return warningWith(stderr, "counted as always connected (e.g.") }
	valves := []string{"drip-valve-01", "drip-valve-02", "drip-valve-03"}
	want, stderr := filesWarning(t, warning, func(files string) {
		editDevices(t, files, func(f []string) {
			if slices.Contains(valves, f[0]) {
				f[3] = "" // the model column
			}
		})
	})
	if !strings.Contains(want, `3 of the 193 devices counted as always connected (e.g. "drip-valve-01") were each connected less than half`) {
		t.Fatalf("no warning from the files:\n%s", stderr)
	}
	sameWarningFromTables(t, warning, want,
		"UPDATE {schema}.devices SET model = NULL WHERE device_id IN ('drip-valve-01', 'drip-valve-02', 'drip-valve-03')")
}

// With no devices input, metrics.unmodelled names the profile of every
// device, in both engines: the example's events, uplinks and OTA without
// its devices export (nor the inputs that need it), every device a
// drip-lora, give the same uptime by mode and profile, MAD, OTA by
// profile, firmware, months and gates from the files and from each
// engine's tables.
func TestUnmodelledWithoutDevicesFromTables(t *testing.T) {
	// drop rewrites iotpm.yaml without the inputs named (an input's
	// lines: its key's and those indented under it), every device then
	// a drip-lora
	drop := func(repo string, inputs ...string) {
		data, err := os.ReadFile(filepath.Join(repo, "iotpm.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		dropping := false
		for line := range strings.Lines(string(data)) {
			key, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") {
				dropping = slices.Contains(inputs, key)
			} else if !strings.HasPrefix(line, "      ") {
				dropping = false
			}
			if !dropping {
				b.WriteString(strings.Replace(line, "unmodelled: always", "unmodelled: drip-lora", 1))
			}
		}
		if !strings.Contains(b.String(), "unmodelled: drip-lora") {
			t.Fatal("the example's iotpm.yaml no longer has unmodelled: always")
		}
		cmdtest.WriteFile(t, repo, "iotpm.yaml", b.String())
	}
	args := []string{"metrics", "-o", "json", "--now=2026-11-11T00:00:00Z"}
	keys := []string{"connectivity_uptime", "monthly_active_devices", "ota_success_rate", "firmware_on_target", "months", "gates"}
	for _, c := range []struct {
		name    string
		without []string
	}{
		// the example's events, uplinks and OTA without its devices
		// export (nor the inputs that need it)
		{"events, uplinks and OTA", []string{"devices", "usage", "tickets", "onboarding"}},
		// a LoRaWAN network server's uplinks alone
		{"uplinks alone", []string{"devices", "usage", "tickets", "onboarding", "events", "ota"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := cmdtest.CopyExample(t)
			drop(files, c.without...)
			fileOut, fileErr, fileCode := cmdtest.Run(t, nil, append(args, "-C", files)...)
			var a map[string]any
			if err := json.Unmarshal([]byte(fileOut), &a); err != nil {
				t.Fatalf("files: %v\n%s", err, fileErr)
			}
			if u, _ := a["connectivity_uptime"].(map[string]any); u == nil || u["value"] == nil ||
				!strings.Contains(fileOut, `"model": "drip-lora"`) || strings.Contains(fileOut, `"model": "drip-valve"`) {
				t.Fatalf("files: every device should be a drip-lora, with an uptime:\n%s\n%s", fileOut, fileErr)
			}
			for _, e := range pgtest.Engines {
				t.Run(e.Name, func(t *testing.T) {
					repo, env, _ := engineRepo(t, e)
					drop(repo, c.without...)
					dbOut, dbErr, dbCode := cmdtest.Run(t, env, append(args, "-C", repo)...)
					if dbCode != fileCode {
						t.Fatalf("exit: files %d, %s %d\n%s\n%s", fileCode, e.Name, dbCode, fileErr, dbErr)
					}
					var b map[string]any
					if err := json.Unmarshal([]byte(dbOut), &b); err != nil {
						t.Fatalf("%s: %v\n%s", e.Name, err, dbErr)
					}
					for _, k := range keys {
						if !sameJSON(a[k], b[k]) {
							ja, _ := json.Marshal(a[k])
							jb, _ := json.Marshal(b[k])
							t.Errorf("%s differs:\nfiles: %s\n%s: %s", k, ja, e.Name, jb)
						}
					}
				})
			}
		})
	}
}
