package fleetdb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
)

// BenchmarkPostgresVsLocal runs the five metrics on one generated fleet in
// both engines, side by side in one run, and reports each engine's time
// and their ratio. The fleet has IOTPM_BENCH_EVENTS events (default 1M;
// docs/performance.md's figures use 10M) and one device per 100 events, at most
// 100,000. It also logs EXPLAIN (ANALYZE, BUFFERS) of the device-metrics
// statement (uptime, MAD, health: the per-device walk).
//
//	IOTPM_BENCH_EVENTS=10000000 scripts/with-postgres go test -run '^$' -bench PostgresVsLocal -benchtime 1x -v ./internal/fleetdb
func BenchmarkPostgresVsLocal(b *testing.B) {
	events := 1_000_000
	if s := os.Getenv("IOTPM_BENCH_EVENTS"); s != "" {
		events, _ = strconv.Atoi(s)
	}
	devices := min(events/100, 100_000)
	conn, schema := pgtest.Conn(b)
	dir := b.TempDir()
	cmd := exec.Command("go", "run", "./tools/genexports", "-out", dir, "-devices", strconv.Itoa(devices), "-events", strconv.Itoa(events))
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("genexports: %v\n%s", err, out)
	}
	t0 := time.Now()
	files, tables := exampleInputs(b, pgtest.Postgres, conn, schema, dir)
	ctx := context.Background()
	for _, ix := range []string{"lifecycle (\"clientId\", ts_ms)", "ota (thing_name, job_id)", "usage (unit)", "devices (unit_ref)"} {
		if _, err := conn.Exec(ctx, "CREATE INDEX ON "+schema+"."+ix); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d events with COPY and indexed in %.1f s", events, time.Since(t0).Seconds())
	o := options("2026-10")
	job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}
	var localT, pgT time.Duration
	for b.Loop() {
		t0 := time.Now()
		local(b, files, o)
		localT += time.Since(t0)
		t0 = time.Now()
		if _, err := Run(ctx, conn, job); err != nil {
			b.Fatal(err)
		}
		pgT += time.Since(t0)
	}
	n := float64(b.N)
	b.ReportMetric(localT.Seconds()/n, "local-s/op")
	b.ReportMetric(pgT.Seconds()/n, "postgres-s/op")
	b.ReportMetric(pgT.Seconds()/localT.Seconds(), "postgres/local")
	p, err := Resolve(ctx, conn, tables, nil)
	if err != nil {
		b.Fatal(err)
	}
	q := job.metricQueries(p, job.params(o.Window.To))[0]
	s, args, _ := bind(q.SQL, q.Params)
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+s, args...)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var line string
		rows.Scan(&line)
		b.Log(line)
	}
}
