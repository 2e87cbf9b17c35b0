// Package pgtest gives tests a real PostgreSQL: a connection to the server
// of IOTPM_TEST_DSN (scripts/with-postgres starts a throwaway one) and a
// schema of the test's own, dropped when it ends.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Engine is a PostgreSQL flavour the database source is tested on, with
// the environment variable that holds its test server's DSN.
type Engine struct {
	Name string
	env  string
	// require is the variable that makes a missing server a failure.
	require string
}

var (
	// Postgres is plain PostgreSQL (scripts/with-postgres).
	Postgres = &Engine{Name: "postgres", env: "IOTPM_TEST_DSN", require: "IOTPM_REQUIRE_PG"}
	// TimescaleDB is PostgreSQL with the timescaledb extension: the
	// inputs with a time column become hypertables (scripts/with-citus).
	TimescaleDB = &Engine{Name: "timescaledb", env: "IOTPM_TEST_TIMESCALE_DSN", require: "IOTPM_REQUIRE_EXT"}
	// Citus is a coordinator and two workers: the inputs are distributed
	// by device id, tickets by customer (scripts/with-citus).
	Citus = &Engine{Name: "citus", env: "IOTPM_TEST_CITUS_DSN", require: "IOTPM_REQUIRE_EXT"}
)

// Engines are the three, in the order the tests run them.
var Engines = []*Engine{Postgres, TimescaleDB, Citus}

// DSN returns the test server's connection string. Without it the test is
// skipped, unless the engine's require variable is set (.ci/run sets
// IOTPM_REQUIRE_PG and IOTPM_REQUIRE_EXT): then a missing server fails the
// run, so CI cannot pass by skipping.
func (e *Engine) DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(e.env)
	if dsn == "" {
		script := "scripts/with-postgres"
		if e != Postgres {
			script = "scripts/with-postgres scripts/with-citus"
		}
		if os.Getenv(e.require) != "" {
			t.Fatalf("%s is not set but %s is: run the tests through %s", e.env, e.require, script)
		}
		t.Skipf("no %s server: run %s go test ./... to include its tests", e.Name, script)
	}
	return dsn
}

// DSN is plain PostgreSQL's (Postgres.DSN).
func DSN(t testing.TB) string { t.Helper(); return Postgres.DSN(t) }

var seq atomic.Int64

// Conn connects to plain PostgreSQL and creates a fresh schema for the test.
func Conn(t testing.TB) (*pgx.Conn, string) { t.Helper(); return Postgres.Conn(t) }

// Conn connects to the engine's server and creates a fresh schema for the
// test, dropped when it ends.
func (e *Engine) Conn(t testing.TB) (*pgx.Conn, string) {
	t.Helper()
	conn := e.Connect(t)
	schema := fmt.Sprintf("t_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	return conn, schema
}

// Connect opens a connection to the engine's server, closed when the test
// ends (after its other cleanups: a schema Conn made is dropped first).
// The server's warnings go to the test's log, where a failing test shows
// them (Citus warns there of a worker it could not reach).
func (e *Engine) Connect(t testing.TB) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(e.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if n.Severity == "WARNING" {
			t.Logf("%s server: %s: %s %s", e.Name, n.Severity, n.Message, n.Detail)
		}
	}
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Layout says how a loaded table is spread on an engine: by Key on Citus
// (a device id, or a customer for tickets; tables with keys of one type
// are co-located, Citus's default), as a hypertable on Time on
// TimescaleDB. Unit is Time's epoch unit ("s", "ms", "us") for an integer
// column, "" for a date or timestamp.
type Layout struct {
	Table, Key, Time, Unit string
}

// Spread turns the loaded tables into the engine's own kind: hypertables
// (chunks of 7 days) on TimescaleDB, distributed tables on Citus (32
// shards, Citus's default). Plain PostgreSQL leaves them as they are.
// On Citus a table is co-located with the first of the layouts whose key
// has its type, by name: with Citus's default, the tables a test spreads
// join the default group of their key's type, and another package's
// tests on the same cluster drop their last tables, and with them that
// group, meanwhile — a test's devices and uplinks then landed in two
// groups once, and every plan of it had its walk on the coordinator.
func (e *Engine) Spread(t testing.TB, conn *pgx.Conn, layouts ...Layout) {
	t.Helper()
	ctx := context.Background()
	first := map[string]string{} // key type → the first table with it
	for _, l := range layouts {
		var stmt string
		switch {
		case e == TimescaleDB && l.Time != "":
			week := map[string]string{"s": "604800", "ms": "604800000", "us": "604800000000", "": "interval '7 days'"}[l.Unit]
			stmt = fmt.Sprintf("SELECT create_hypertable('%s', '%s', chunk_time_interval => %s, migrate_data => true)", l.Table, l.Time, week)
		case e == Citus && l.Key != "":
			var typ string
			if err := conn.QueryRow(ctx, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2", l.Table, strings.Trim(l.Key, `"`)).Scan(&typ); err != nil {
				t.Fatalf("the type of %s.%s: %v", l.Table, l.Key, err)
			}
			with := "default"
			if f, ok := first[typ]; ok {
				with = f
			} else {
				first[typ] = l.Table
			}
			stmt = fmt.Sprintf("SELECT create_distributed_table('%s', '%s', colocate_with => '%s')", l.Table, l.Key, with)
		default:
			continue
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// Load creates schema.name with the columns given and copies a CSV file
// (with a header) into it with COPY.
func Load(t testing.TB, conn *pgx.Conn, schema, name, columns, csvPath string) {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s.%s (%s)", schema, name, columns)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s.%s FROM STDIN (FORMAT csv, HEADER true)", schema, name)); err != nil {
		t.Fatalf("COPY %s: %v", csvPath, err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ANALYZE %s.%s", schema, name)); err != nil {
		t.Fatal(err)
	}
}

// Example loads the example planning repo's exports (dir) into schema as
// devices, lifecycle, ota, usage, tickets and — when the directory has
// them — uplinks (activity), in a variety of column types: a date, epoch
// milliseconds, epoch seconds, timestamp (without zone) and timestamptz.
// A devices.csv with a model column keeps it.
func Example(t testing.TB, conn *pgx.Conn, schema, dir string) {
	t.Helper()
	devices := "device_id text, shipped_at date, customer_id text"
	if HasModel(dir) {
		devices += ", model text"
	}
	if HasColumn(dir, "devices.csv", "firmware") {
		devices += ", firmware text"
	}
	ota := "thing_name text, job_id text, status text, last_updated_at bigint"
	if HasColumn(dir, "ota.csv", "version") {
		ota += ", version text"
	}
	Load(t, conn, schema, "devices", devices, dir+"/devices.csv")
	if _, err := os.Stat(dir + "/uplinks.csv"); err == nil {
		Load(t, conn, schema, "uplinks", "device_id text, received_at timestamptz, f_cnt bigint", dir+"/uplinks.csv")
	}
	Load(t, conn, schema, "lifecycle", `"clientId" text, ts_ms bigint, event_type text`, dir+"/lifecycle.csv")
	Load(t, conn, schema, "ota", ota, dir+"/ota.csv")
	Load(t, conn, schema, "usage", "device_id text, feature text, ts timestamptz", dir+"/usage.csv")
	Load(t, conn, schema, "tickets", "ticket_id text, customer_id text, created_at timestamp, subject text", dir+"/tickets.csv")
}

// HasModel reports whether dir's devices.csv has a model column.
func HasModel(dir string) bool {
	data, err := os.ReadFile(dir + "/devices.csv")
	if err != nil {
		return false
	}
	header, _, _ := strings.Cut(string(data), "\n")
	return strings.Contains(header, ",model")
}

// HasColumn reports whether the header of an export in dir names col.
func HasColumn(dir, file, col string) bool {
	data, err := os.ReadFile(dir + "/" + file)
	if err != nil {
		return false
	}
	header, _, _ := strings.Cut(string(data), "\n")
	return slices.Contains(strings.Split(strings.TrimSpace(header), ","), col)
}

// ReaderSQL is the least-privilege role SECURITY.md recommends for the
// database source, for a schema: it may log in, read the schema's tables
// and views, and nothing else (no writes, no other schema; pg_authid and
// the other catalog tables holding secrets are closed to it as to any
// non-superuser). %[1]s is the role, %[2]s the schema.
const ReaderSQL = `CREATE ROLE %[1]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
REVOKE ALL ON SCHEMA public FROM %[1]s;
GRANT USAGE ON SCHEMA %[2]s TO %[1]s;
GRANT SELECT ON ALL TABLES IN SCHEMA %[2]s TO %[1]s;
ALTER ROLE %[1]s SET default_transaction_read_only = on`

// ReaderDSN creates the least-privilege reader of schema (ReaderSQL) and
// returns a DSN that connects as it: the tests run iotpm as CI's workflow
// should, never as the superuser that loaded the data.
func ReaderDSN(t testing.TB, conn *pgx.Conn, schema string) string {
	t.Helper()
	return Postgres.ReaderDSN(t, conn, schema)
}

// ReaderDSN is ReaderDSN on the engine's server (Citus creates the role
// and its grants on the workers too).
func (e *Engine) ReaderDSN(t testing.TB, conn *pgx.Conn, schema string) string {
	t.Helper()
	ctx := context.Background()
	role := "reader_" + schema
	for _, stmt := range strings.Split(fmt.Sprintf(ReaderSQL, role, schema), ";\n") {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), fmt.Sprintf("DROP OWNED BY %s", role))
		conn.Exec(context.Background(), fmt.Sprintf("DROP ROLE %s", role))
	})
	cfg := e.DSN(t)
	return regexp.MustCompile(`user=\S+`).ReplaceAllString(cfg, "user="+role)
}
