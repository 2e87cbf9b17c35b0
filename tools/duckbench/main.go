// Command duckbench measures `iotpm metrics` against DuckDB on the same
// exports: both compute the metrics with iotpm's definitions, the harness
// checks that they agree, and prints both times, peak memory and the
// ratio. With -events, connectivity uptime of an event log alone; with
// -fleet DIR, all five metrics over tools/genexports' five inputs. It is its
// own Go module so the iotpm binary never links DuckDB.
//
//	go run ./tools/genexports -out /tmp/ex -devices 100000 -events 10000000 -all=false -prefix dripsensor-lora-
//	go build -o /tmp/iotpm ./cmd/iotpm
//	cd tools/duckbench && go run . -iotpm /tmp/iotpm -events /tmp/ex/lifecycle.csv -month 2026-10 -runs 3
//
//	go run ./tools/genexports -out /tmp/fleet -devices 100000 -events 10000000 -customers 200
//	cd tools/duckbench && go run . -iotpm /tmp/iotpm -fleet /tmp/fleet -month 2026-10 -runs 3
package main

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// uptimeSQL is iotpm's connectivity-uptime definition (version 3, for an
// events input alone: no shipping or retirement dates, no sequence column)
// in SQL:
//   - the horizon H is the latest row; rows after it are ignored and time is
//     measured before it;
//   - exact duplicates count once; per device, events ordered by time with
//     a disconnect before a connect at the same instant; after an event the
//     device is in its state; before a first event that is a disconnect it
//     was connected since the data start D0 (the earliest event), before a
//     first connect unknown;
//   - a disconnected stretch starts at the first disconnect after the device
//     was connected; it is down for D and dormant (not observed) after that.
//
// %[1]s is the file, %[2]d and %[3]d the window in µs, %[4]d D in µs.
const uptimeSQL = `
WITH raw AS (
  SELECT clientId AS device_id, "timestamp" * 1000 AS ts,
         CASE lower(trim(eventType)) WHEN 'connected' THEN 1 ELSE 0 END AS st
  FROM read_csv('%[1]s', header = true, columns = {'clientId': 'VARCHAR', 'timestamp': 'BIGINT', 'eventType': 'VARCHAR'})
),
hz AS (SELECT MAX(ts) AS h FROM raw),
ev AS (SELECT DISTINCT device_id, ts, st FROM raw, hz WHERE ts <= hz.h),
o AS (
  SELECT device_id, ts, st,
         LEAD(ts) OVER w AS next_ts,
         LAG(st) OVER w AS prev_st,
         ROW_NUMBER() OVER w AS rn
  FROM ev
  WINDOW w AS (PARTITION BY device_id ORDER BY ts, st)
),
s AS (
  SELECT *, MAX(CASE WHEN st = 0 AND (prev_st IS NULL OR prev_st = 1) THEN ts END)
              OVER (PARTITION BY device_id ORDER BY ts, st ROWS UNBOUNDED PRECEDING) AS down_since
  FROM o
),
seg AS (
  SELECT st, ts AS a, COALESCE(next_ts, 9000000000000000000) AS b, down_since FROM s
  UNION ALL
  SELECT 1 AS st, (SELECT MIN(ts) FROM ev) AS a, ts AS b, NULL AS down_since FROM s WHERE rn = 1 AND st = 0
),
observed AS (
  SELECT st, a, CASE WHEN st = 0 AND %[4]d > 0 THEN LEAST(b, down_since + %[4]d) ELSE b END AS b FROM seg
),
clipped AS (
  SELECT st, GREATEST(a, %[2]d) AS a, LEAST(b, %[3]d, hz.h) AS b FROM observed, hz
)
SELECT SUM(CASE WHEN st = 1 THEN b - a ELSE 0 END)::DOUBLE / SUM(b - a) FROM clipped WHERE b > a`

// simpleSQL is the simplest form of the job, the anchor of #26's item 7:
// the three columns typed by read_csv (times as ISO 8601 timestamps),
// each event's state lasting until the device's next event, the connected
// spans inside the window summed over the spans inside it — no horizon, no
// duplicates rule, no data start, no dormancy. Its value is not iotpm's
// uptime; its time is what the simplest SQL costs. %[1]s is the file, %[2]d
// and %[3]d the window in µs.
const simpleSQL = `
WITH e AS (
  SELECT clientId AS device_id, epoch_us("timestamp") AS ts, eventType = 'connected' AS up
  FROM read_csv('%[1]s', header = true, columns = {'clientId': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'eventType': 'VARCHAR'})
),
s AS (
  SELECT up, GREATEST(ts, %[2]d) AS a, LEAST(LEAD(ts) OVER (PARTITION BY device_id ORDER BY ts), %[3]d) AS b FROM e
)
SELECT SUM(b - a) FILTER (WHERE up)::DOUBLE / SUM(b - a) FROM s WHERE b > a`

func main() {
	iotpm := flag.String("iotpm", "iotpm", "path to the iotpm binary")
	events := flag.String("events", "", "lifecycle export (clientId,timestamp,eventType with epoch ms)")
	month := flag.String("month", "2026-10", "the window, YYYY-MM")
	runs := flag.Int("runs", 3, "runs of each; the median is reported")
	duckOnly := flag.Bool("duck-child", false, "internal: run DuckDB once and print the value")
	threads := flag.Int("threads", runtime.NumCPU(), "DuckDB threads")
	dormant := flag.Duration("dormant-after", 30*24*time.Hour, "D, as iotpm's --dormant-after (0: no dormancy)")
	simple := flag.Bool("simple", false, "with -events: time DuckDB's simplest form of the job (simpleSQL; times as ISO 8601) instead of iotpm's definition; the values are not compared")
	fleetDir := flag.String("fleet", "", "a directory of tools/genexports' five inputs: compare all five metrics instead of uptime alone")
	setup := flag.String("setup", "", "an Amplitude-shaped onboarding export: compare the setup funnel (steps "+strings.Join(funnelSteps, ", ")+", within 1h, target 3m)")
	genRows := flag.Int("gen-setup", 0, "with -setup: first write that file, about this many rows that exercise every rule of the funnel's definitions, and beside it the units it sets up (FILE.devices.csv, FILE.lifecycle.csv), which the join to the fleet is compared on")
	cut := flag.Bool("setup-cut", false, "with -gen-setup: the app's rows start a 20th into the window and the fleet's end a tenth before its end (the join's rows the other input does not cover)")
	flag.Parse()
	m, err := time.Parse("2006-01", *month)
	check(err)
	from, to := m.UnixMicro(), m.AddDate(0, 1, 0).UnixMicro()

	if *setup != "" {
		if *genRows > 0 && !*duckOnly {
			genSetup(*setup, *genRows, from, to, *cut)
		}
		runFunnel(*iotpm, *setup, *month, *runs, *duckOnly, *threads, from, to)
		return
	}

	if *fleetDir != "" {
		runFleet(*iotpm, *fleetDir, *month, *runs, *duckOnly, *threads, from, to, *dormant)
		return
	}
	if *duckOnly {
		db, err := sql.Open("duckdb", "")
		check(err)
		_, err = db.Exec(fmt.Sprintf("SET threads = %d", *threads))
		check(err)
		var v float64
		q := fmt.Sprintf(uptimeSQL, strings.ReplaceAll(*events, "'", "''"), from, to, dormant.Microseconds())
		if *simple {
			q = fmt.Sprintf(simpleSQL, strings.ReplaceAll(*events, "'", "''"), from, to)
		}
		check(db.QueryRow(q).Scan(&v))
		fmt.Println(strconv.FormatFloat(v, 'g', -1, 64))
		return
	}
	if *events == "" {
		check(fmt.Errorf("give -events"))
	}
	self, err := os.Executable()
	check(err)
	var iotpmT, duckT []float64
	var iotpmRSS, duckRSS int64
	var iotpmV, duckV float64
	for range *runs {
		out, secs, rss := run(*iotpm, "metrics", "--events", *events, "--month", *month, "--dormant-after", fmt.Sprintf("%gh", dormant.Hours()), "-o", "json")
		var doc struct {
			Uptime struct {
				Value float64 `json:"value"`
			} `json:"connectivity_uptime"`
		}
		check(json.Unmarshal(out, &doc))
		iotpmV, iotpmT, iotpmRSS = doc.Uptime.Value, append(iotpmT, secs), max(iotpmRSS, rss)

		out, secs, rss = run(self, "-duck-child", "-events", *events, "-month", *month, "-threads", strconv.Itoa(*threads), "-dormant-after", dormant.String(), "-simple="+strconv.FormatBool(*simple))
		duckV, err = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		check(err)
		duckT, duckRSS = append(duckT, secs), max(duckRSS, rss)
	}
	if *simple {
		fmt.Printf("value      iotpm uptime %.12f  duckdb simplest form %.12f (different definitions: not compared)\n", iotpmV, duckV)
	} else {
		fmt.Printf("uptime     iotpm %.12f  duckdb %.12f  agree: %v\n", iotpmV, duckV, math.Abs(iotpmV-duckV) < 1e-9)
	}
	fmt.Printf("time (s)   iotpm %.2f  duckdb %.2f  (median of %d; runs %v / %v)\n", median(iotpmT), median(duckT), *runs, fmtAll(iotpmT), fmtAll(duckT))
	fmt.Printf("ratio      iotpm / duckdb = %.2f\n", median(iotpmT)/median(duckT))
	fmt.Printf("peak RSS   iotpm %d MB  duckdb %d MB\n", iotpmRSS>>10, duckRSS>>10)
	if !*simple && math.Abs(iotpmV-duckV) >= 1e-9 {
		os.Exit(1)
	}
}

func run(name string, args ...string) ([]byte, float64, int64) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	secs := time.Since(start).Seconds()
	check(err)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	return out, secs, rss
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func fmtAll(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "duckbench:", err)
		os.Exit(2)
	}
}
