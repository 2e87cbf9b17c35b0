package fleetdb

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/jackc/pgx/v5"
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
	conn, schema := pgtest.Conn(b)
	dir, events := benchFleet(b)
	t0 := time.Now()
	files, tables := exampleInputs(b, pgtest.Postgres, conn, schema, dir)
	ctx := context.Background()
	for _, ix := range []string{"lifecycle (ts_ms)", "ota (thing_name, job_id)", "usage (unit)", "devices (unit_ref)"} {
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

// BenchmarkWindowBounded measures what the history before the window
// costs, on the shape of the "cost bounded by the window" target (at most
// 1.5×): the month 2026-10 computed from an events table holding only the
// generated fleet's rows from the window's start on, and from one holding
// as well eleven earlier months of as many rows each (the month's rows
// copied 30, 60, … 330 days back, the devices shipped 330 days earlier).
// The values differ — without the earlier rows a device's state at the
// window's start is unknown — only the times are compared, side by side
// in one run. Both with the 12-month series (its uptime by month walks
// the twelve months whatever the bound) and without (series 0: the window
// alone).
//
//	IOTPM_BENCH_EVENTS=10000000 scripts/with-postgres go test -run '^$' -bench WindowBounded -benchtime 1x -v ./internal/fleetdb
func BenchmarkWindowBounded(b *testing.B) {
	dir, _ := benchFleet(b)
	ctx := context.Background()
	o := options("2026-10")
	type side struct {
		name   string
		conn   *pgx.Conn
		job    *Job
		rows   int64
		t, t0s time.Duration // with the series, without
	}
	var sides []*side
	for _, name := range []string{"history", "month"} {
		conn, schema := pgtest.Conn(b)
		_, tables := exampleInputs(b, pgtest.Postgres, conn, schema, dir)
		if _, err := conn.Exec(ctx, "DELETE FROM "+schema+".lifecycle WHERE ts_ms < $1", o.Window.From/1000); err != nil {
			b.Fatal(err)
		}
		if name == "history" {
			for _, q := range []string{
				`INSERT INTO ` + schema + `.lifecycle SELECT "clientId", ts_ms - k * 2592000000::bigint, event_type FROM ` + schema + `.lifecycle, generate_series(1, 11) AS k`,
				`UPDATE ` + schema + `.devices SET shipped_at = shipped_at - 330`,
			} {
				if _, err := conn.Exec(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, ix := range []string{"lifecycle (ts_ms)", "ota (thing_name, job_id)", "usage (unit)", "devices (unit_ref)"} {
			if _, err := conn.Exec(ctx, "CREATE INDEX ON "+schema+"."+ix); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+schema+".lifecycle"); err != nil {
			b.Fatal(err)
		}
		s := &side{name: name, conn: conn, job: &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+schema+".lifecycle").Scan(&s.rows); err != nil {
			b.Fatal(err)
		}
		sides = append(sides, s)
	}
	for b.Loop() {
		for _, s := range sides {
			t0 := time.Now()
			if _, err := Run(ctx, s.conn, s.job); err != nil {
				b.Fatal(err)
			}
			s.t += time.Since(t0)
			job := *s.job
			job.Options.SeriesMonths = 0
			clock := stageClock{}
			job.Stage = clock.stage
			t0 = time.Now()
			if _, err := Run(ctx, s.conn, &job); err != nil {
				b.Fatal(err)
			}
			s.t0s += time.Since(t0)
			b.Logf("%s without the series, by stage: %s", s.name, clock.String())
		}
	}
	n := float64(b.N)
	for _, s := range sides {
		b.Logf("%s: %d event rows, %.1f s with the series, %.1f s without", s.name, s.rows, s.t.Seconds()/n, s.t0s.Seconds()/n)
		b.ReportMetric(s.t.Seconds()/n, s.name+"-s/op")
	}
	b.ReportMetric(sides[0].t.Seconds()/sides[1].t.Seconds(), "history/month")
	b.ReportMetric(sides[0].t0s.Seconds()/sides[1].t0s.Seconds(), "history/month-no-series")
}

// stageClock times a run's stages (Job.Stage), for the benchmarks' logs:
// where the time of a run goes.
type stageClock struct {
	names []string
	took  []time.Duration
	at    time.Time
}

func (c *stageClock) stage(name string) {
	now := time.Now()
	if len(c.names) > 0 {
		c.took = append(c.took, now.Sub(c.at))
	}
	c.names, c.at = append(c.names, name), now
}

// String lists the stages with their seconds, the last one's up to now.
func (c *stageClock) String() string {
	var sb strings.Builder
	for i, name := range c.names {
		d := time.Since(c.at)
		if i < len(c.took) {
			d = c.took[i]
		}
		if i > 0 {
			sb.WriteString("; ")
		}
		fmt.Fprintf(&sb, "%s %.2f s", name, d.Seconds())
	}
	return sb.String()
}

// benchFleet generates the benchmarks' fleet: IOTPM_BENCH_EVENTS events
// (default 1M), one device per 100 events, at most 100,000.
func benchFleet(b *testing.B) (dir string, events int) {
	events = 1_000_000
	if s := os.Getenv("IOTPM_BENCH_EVENTS"); s != "" {
		events, _ = strconv.Atoi(s)
	}
	devices := min(events/100, 100_000)
	dir = b.TempDir()
	cmd := exec.Command("go", "run", "./tools/genexports", "-out", dir, "-devices", strconv.Itoa(devices), "-events", strconv.Itoa(events))
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("genexports: %v\n%s", err, out)
	}
	return dir, events
}
