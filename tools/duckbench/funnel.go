package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The setup funnel of iotpm's docs/metrics-definitions.md ("The setup
// funnel"), written again in SQL from the definitions alone, for the
// side-by-side comparison with iotpm metrics --onboarding:
//
//   - a step event is a row whose event name, ignoring case, blanks, _, -
//     and ., is a step's; the user is the first non-empty of amplitude_id,
//     device_id, user_id; rows after the horizon H (the latest row) are
//     left out;
//   - a user's steps[0] event starts an attempt unless the open one started
//     at most `within` before (a recursion over the user's steps[0] events);
//     the attempt holds the user's step events up to `within` after its
//     start (an ASOF join to the latest start at or before the event);
//   - step k is reached at the earliest step-k event of the attempt at or
//     after step k−1's (step 0: the start): one aggregate per step;
//   - counted: attempts starting in the window with start + within ≤ H;
//     time to pair: the last step's time − the start; median and p90 the
//     ⌈q·n⌉-th smallest.
//
// %[1]s is the file, %[2]d and %[3]d the window (µs), %[4]d within (µs),
// %[5]s the folded step names as a list literal.
const funnelSQL = `
CREATE TEMP TABLE raw AS
  SELECT COALESCE(NULLIF(amplitude_id, ''), NULLIF(device_id, ''), NULLIF(user_id, '')) AS usr,
         list_position(%[5]s, lower(regexp_replace(event_type, '[ \t_.\-]', '', 'g'))) - 1 AS k,
         epoch_us(event_time) AS ts, platform AS seg, "event_properties.device_id" AS unit
  FROM read_csv('%[1]s', header = true, columns = {'event_time': 'TIMESTAMP', 'event_type': 'VARCHAR', 'amplitude_id': 'VARCHAR',
    'user_id': 'VARCHAR', 'device_id': 'VARCHAR', 'platform': 'VARCHAR', 'app_version': 'VARCHAR', 'event_properties.device_id': 'VARCHAR'});
CREATE TEMP TABLE hz AS SELECT MAX(ts) AS h FROM raw;
CREATE TEMP TABLE st AS SELECT usr, k, ts, seg, unit FROM raw, hz WHERE k IS NOT NULL AND ts <= hz.h;
CREATE TEMP TABLE s0 AS
  SELECT usr, ts, seg, unit, row_number() OVER (PARTITION BY usr ORDER BY ts) AS rn FROM st WHERE k = 0;
CREATE TEMP TABLE att AS
WITH RECURSIVE r(usr, rn, start, seg, unit) AS (
  SELECT usr, rn, ts, seg, unit FROM s0 WHERE rn = 1
  UNION ALL
  SELECT s0.usr, s0.rn, CASE WHEN s0.ts - r.start > %[4]d THEN s0.ts ELSE r.start END,
         CASE WHEN s0.ts - r.start > %[4]d THEN s0.seg ELSE r.seg END,
         CASE WHEN s0.ts - r.start > %[4]d THEN s0.unit ELSE r.unit END
  FROM r JOIN s0 ON s0.usr = r.usr AND s0.rn = r.rn + 1
)
SELECT usr, start, arg_min(seg, rn) AS seg, arg_min(unit, rn) AS unit FROM r GROUP BY usr, start;
CREATE TEMP TABLE ev AS
  SELECT st.usr, st.k, st.ts, a.start FROM st ASOF JOIN att a ON st.usr = a.usr AND st.ts >= a.start
  WHERE st.ts <= a.start + %[4]d;
`

// funnelReach adds step k's reach time to the attempts (t0 is the start).
const funnelReach = `
CREATE OR REPLACE TEMP TABLE att AS
  SELECT a.*, (SELECT MIN(e.ts) FROM ev e WHERE e.usr = a.usr AND e.start = a.start AND e.k = %[1]d AND e.ts >= a.t%[2]d) AS t%[1]d
  FROM att a;
`

// funnelResult is the figures the comparison reads, from either side.
type funnelResult struct {
	Attempts       int      `json:"attempts"`
	Completed      int      `json:"completed"`
	Open           int      `json:"open_left_out"`
	Median         float64  `json:"median_seconds"`
	P90            float64  `json:"p90_seconds"`
	WithinTarget   float64  `json:"within_target"`
	Users          int      `json:"users"`
	UsersCompleted int      `json:"users_completed"`
	UsersRetried   int      `json:"users_retried"`
	Steps          []int    `json:"-"`
	ByWeek         []fGroup `json:"by_week"`
	BySegment      []fGroup `json:"by_segment"`
	StepDocs       []fStep  `json:"steps"`
	// Fleet is the join to the units, when genFleet's files are there
	Fleet *fleetJoin `json:"fleet"`
}

type fStep struct {
	Attempts int `json:"attempts"`
}

type fGroup struct {
	Label     string  `json:"label"`
	Attempts  int     `json:"attempts"`
	Completed int     `json:"completed"`
	Median    float64 `json:"median_seconds"`
	P90       float64 `json:"p90_seconds"`
}

var funnelSteps = []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected"}

// funnel computes the funnel in DuckDB.
func funnel(db *sql.DB, path string, from, to, within, target int64) funnelResult {
	folded := make([]string, len(funnelSteps))
	for i, s := range funnelSteps {
		folded[i] = "'" + strings.NewReplacer("_", "", "-", "", ".", "", " ", "").Replace(strings.ToLower(s)) + "'"
	}
	_, err := db.Exec(fmt.Sprintf(funnelSQL, strings.ReplaceAll(path, "'", "''"), from, to, within, "["+strings.Join(folded, ", ")+"]"))
	check(err)
	_, err = db.Exec(`ALTER TABLE att ADD COLUMN t0 BIGINT; UPDATE att SET t0 = start`)
	check(err)
	for k := 1; k < len(funnelSteps); k++ {
		_, err = db.Exec(fmt.Sprintf(funnelReach, k, k-1))
		check(err)
	}
	last := len(funnelSteps) - 1
	_, err = db.Exec(fmt.Sprintf(`CREATE TEMP TABLE cnt AS
  SELECT a.*, t%[1]d - start AS pair, strftime(make_timestamp(start), '%%G-W%%V') AS week
  FROM att a, hz WHERE start >= %[2]d AND start < %[3]d AND start + %[4]d <= hz.h`, last, from, to, within))
	check(err)
	var r funnelResult
	check(db.QueryRow(fmt.Sprintf(`SELECT COUNT(*), COUNT(pair), COALESCE(SUM(CASE WHEN pair <= %d THEN 1 ELSE 0 END), 0) FROM cnt`, target)).Scan(&r.Attempts, &r.Completed, &r.WithinTarget))
	if r.Completed > 0 {
		r.WithinTarget /= float64(r.Completed)
	}
	check(db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM att, hz WHERE start >= %d AND start < %d AND start + %d > hz.h`, from, to, within)).Scan(&r.Open))
	r.Median, r.P90 = rank(db, "TRUE")
	for k := range funnelSteps {
		var n int
		check(db.QueryRow(fmt.Sprintf(`SELECT COUNT(t%d) FROM cnt`, k)).Scan(&n))
		r.StepDocs = append(r.StepDocs, fStep{n})
	}
	// users: their counted attempts in start order; retried: the first
	// completed one is not the first
	check(db.QueryRow(`WITH u AS (
  SELECT usr, MIN(start) AS first, MIN(start) FILTER (WHERE pair IS NOT NULL) AS done FROM cnt GROUP BY usr
) SELECT COUNT(*), COUNT(done), COUNT(*) FILTER (WHERE done > first) FROM u`).Scan(&r.Users, &r.UsersCompleted, &r.UsersRetried))
	for _, by := range []struct {
		col string
		out *[]fGroup
	}{{"week", &r.ByWeek}, {"seg", &r.BySegment}} {
		rows, err := db.Query(fmt.Sprintf(`SELECT %s, COUNT(*), COUNT(pair) FROM cnt GROUP BY 1 ORDER BY 1`, by.col))
		check(err)
		for rows.Next() {
			var g fGroup
			check(rows.Scan(&g.Label, &g.Attempts, &g.Completed))
			*by.out = append(*by.out, g)
		}
		check(rows.Err())
		rows.Close()
		for i, g := range *by.out {
			(*by.out)[i].Median, (*by.out)[i].P90 = rank(db, fmt.Sprintf("%s = '%s'", by.col, strings.ReplaceAll(g.Label, "'", "''")))
		}
	}
	return r
}

// rank is the median and p90 of the completed attempts' times to pair
// (seconds) where cond holds: the ⌈q·n⌉-th smallest; −1 for none.
func rank(db *sql.DB, cond string) (med, p90 float64) {
	med, p90 = -1, -1
	var m, p sql.NullInt64
	check(db.QueryRow(fmt.Sprintf(`WITH c AS (
  SELECT pair, row_number() OVER (ORDER BY pair) AS rn, COUNT(*) OVER () AS n FROM cnt WHERE pair IS NOT NULL AND %s
) SELECT MAX(pair) FILTER (WHERE rn = GREATEST(1, ceil(0.5 * n))), MAX(pair) FILTER (WHERE rn = GREATEST(1, ceil(0.9 * n))) FROM c`, cond)).Scan(&m, &p))
	if m.Valid {
		med, p90 = float64(m.Int64)/1e6, float64(p.Int64)/1e6
	}
	return med, p90
}

// genSetup writes an Amplitude-shaped onboarding export of about n rows
// that exercises every rule of the definitions: steps out of order, a
// steps[0] again inside an attempt and just past within, steps at the
// same instant (times in whole seconds), step names spelled otherwise,
// attempts across the window's start and open at the horizon (the rows
// end before the window does), other app events, and platforms.
// Deterministic.
func genSetup(path string, n int, from, to int64, cut bool) {
	rng := rand.New(rand.NewPCG(26, 31))
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "event_time,event_type,amplitude_id,user_id,device_id,platform,app_version,event_properties.device_id")
	spell := [][]string{{"setup_started", "Setup Started"}, {"ble_found", "BLE-Found"}, {"wifi_sent", "Wi-Fi Sent", "wifi.sent"}, {"cloud_connected", "Cloud Connected"}}
	type row struct {
		ts   int64
		line string
	}
	var rows []row
	span := to - from
	var first []int64 // each user's first session
	for user := 0; len(rows) < n; user++ {
		platform := []string{"iOS", "Android", "Android"}[rng.IntN(3)]
		add := func(ts int64, event string) {
			if rng.IntN(4) == 0 {
				ts -= ts % 1_000_000 // whole seconds: ties
			}
			rows = append(rows, row{ts, fmt.Sprintf(",%s,%d,,PHONE-%06d,%s,3.8.%d,drip-%06d", event, 880000+user, user, platform, user%3, user)})
		}
		t := from - span/10 + rng.Int64N(span+span/5)
		first = append(first, t)
		for range 1 + rng.IntN(3) { // sessions
			add(t-rng.Int64N(60e6), "Screen Viewed")
			step := func(k int) string { return spell[k][rng.IntN(len(spell[k]))] }
			add(t, step(0))
			cur := t
			for k := 1; k < len(funnelSteps); k++ {
				switch x := rng.IntN(100); {
				case x < 8: // gives up
					k = len(funnelSteps)
					continue
				case x < 12: // logged before the previous step
					add(cur-rng.Int64N(5e6), step(k))
				case x < 16: // the same instant as the previous step
					add(cur, step(k))
					continue
				case x < 19: // steps[0] again inside the attempt
					add(cur+rng.Int64N(10e6), step(0))
				}
				cur += int64(math.Exp(3.5+0.8*rng.NormFloat64()) * 1e6)
				add(cur, step(k))
				if rng.IntN(20) == 0 { // the same step twice
					add(cur+rng.Int64N(30e6), step(k))
				}
			}
			switch rng.IntN(5) { // the next session: soon, at or just past within, or later
			case 0:
				t += 3600e6 + rng.Int64N(2e6)
			case 4:
				t += 3600e6 // exactly within after: inside the attempt
			case 1:
				t += rng.Int64N(30 * 60e6)
			default:
				t += rng.Int64N(3 * 86400e6)
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return int(a.ts - b.ts) })
	// the export ends 18 hours before the window does: the attempts of
	// its last hour are open at the horizon
	end := to - span/40
	for _, r := range rows {
		if r.ts > end {
			break
		}
		if cut && r.ts < from+span/20 {
			continue // the app's rows start late
		}
		fmt.Fprintf(w, "%s%s\n", time.UnixMicro(r.ts).UTC().Format("2006-01-02 15:04:05.000000"), r.line)
	}
	check(w.Flush())
	check(f.Close())
	genFleet(path, first, from, to, cut)
}

// runFunnel compares iotpm's setup funnel with DuckDB's on one export.
func runFunnel(iotpm, path, month string, runs int, child bool, threads int, from, to int64) {
	const within, target, activation = 3600e6, 180e6, 30 * 86_400e6
	if child {
		db, err := sql.Open("duckdb", "")
		check(err)
		_, err = db.Exec(fmt.Sprintf("SET threads = %d", threads))
		check(err)
		r := funnel(db, path, from, to, within, target)
		if devices, lifecycle := fleetFiles(path); exists(devices) && exists(lifecycle) {
			r.Fleet = setupFleet(db, devices, lifecycle, from, to, activation)
		}
		check(json.NewEncoder(os.Stdout).Encode(r))
		return
	}
	dir, err := os.MkdirTemp("", "duckbench-funnel")
	check(err)
	defer os.RemoveAll(dir)
	check(os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte("onboarding:\n  steps: ["+strings.Join(funnelSteps, ", ")+"]\n  within: 1h\n  target: 3m\n"), 0o644))
	abs, err := filepath.Abs(path)
	check(err)
	self, err := os.Executable()
	check(err)
	var iotpmT, duckT []float64
	var iotpmRSS, duckRSS int64
	var ours, theirs funnelResult
	for range runs {
		args := []string{"metrics", "-C", dir, "--onboarding", abs, "--month", month, "-o", "json"}
		if devices, lifecycle := fleetFiles(abs); exists(devices) && exists(lifecycle) {
			args = append(args, "--devices", devices, "--events", lifecycle)
		}
		out, secs, rss := run(iotpm, args...)
		var doc struct {
			Onboarding funnelResult `json:"onboarding"`
		}
		check(json.Unmarshal(out, &doc))
		ours = doc.Onboarding
		iotpmT, iotpmRSS = append(iotpmT, secs), max(iotpmRSS, rss)
		out, secs, rss = run(self, "-duck-child", "-setup", abs, "-month", month, "-threads", strconv.Itoa(threads))
		check(json.Unmarshal(out, &theirs))
		duckT, duckRSS = append(duckT, secs), max(duckRSS, rss)
	}
	for _, r := range []*funnelResult{&ours, &theirs} {
		for _, s := range r.StepDocs {
			r.Steps = append(r.Steps, s.Attempts)
		}
	}
	slices.SortFunc(ours.BySegment, func(a, b fGroup) int { return strings.Compare(a.Label, b.Label) })
	agree := true
	same := func(name string, a, b float64) {
		ok := a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
		agree = agree && ok
		mark := ""
		if !ok {
			mark = "  DIFFERENT"
		}
		fmt.Printf("%-34s iotpm %-20s duckdb %-20s%s\n", name, strconv.FormatFloat(a, 'g', 12, 64), strconv.FormatFloat(b, 'g', 12, 64), mark)
	}
	same("attempts", float64(ours.Attempts), float64(theirs.Attempts))
	same("completed", float64(ours.Completed), float64(theirs.Completed))
	same("open (left out)", float64(ours.Open), float64(theirs.Open))
	same("median (s)", ours.Median, theirs.Median)
	same("p90 (s)", ours.P90, theirs.P90)
	same("within target", ours.WithinTarget, theirs.WithinTarget)
	same("users", float64(ours.Users), float64(theirs.Users))
	same("users completed", float64(ours.UsersCompleted), float64(theirs.UsersCompleted))
	same("users retried", float64(ours.UsersRetried), float64(theirs.UsersRetried))
	for k := range funnelSteps {
		same("step "+funnelSteps[k], float64(at(ours.Steps, k)), float64(at(theirs.Steps, k)))
	}
	groups := func(kind string, a, b []fGroup) {
		if len(a) != len(b) {
			fmt.Printf("%s: iotpm %d groups, duckdb %d  DIFFERENT\n", kind, len(a), len(b))
			agree = false
			return
		}
		for i := range a {
			if a[i].Label != b[i].Label {
				fmt.Printf("%s %d: iotpm %q, duckdb %q  DIFFERENT\n", kind, i, a[i].Label, b[i].Label)
				agree = false
				continue
			}
			same(kind+" "+a[i].Label+" attempts", float64(a[i].Attempts), float64(b[i].Attempts))
			same(kind+" "+a[i].Label+" completed", float64(a[i].Completed), float64(b[i].Completed))
			same(kind+" "+a[i].Label+" median", a[i].Median, b[i].Median)
			same(kind+" "+a[i].Label+" p90", a[i].P90, b[i].P90)
		}
	}
	switch a, b := ours.Fleet, theirs.Fleet; {
	case a == nil && b == nil:
	case a == nil || b == nil:
		fmt.Printf("fleet join: iotpm %v, duckdb %v  DIFFERENT\n", a != nil, b != nil)
		agree = false
	default:
		for _, f := range []struct {
			name string
			a, b int
		}{{"shipped", a.Shipped, b.Shipped}, {"started setup", a.Started, b.Started}, {"completed setup", a.Completed, b.Completed},
			{"activated", a.Activated, b.Activated}, {"completed, not activated", a.CompletedNotActivated, b.CompletedNotActivated},
			{"activated without setup", a.ActivatedNotStarted, b.ActivatedNotStarted}, {"activated before app rows", a.ActivatedBefore, b.ActivatedBefore},
			{"activated after app rows", a.ActivatedAfter, b.ActivatedAfter}, {"completed after fleet rows", a.CompletedAfter, b.CompletedAfter},
			{"unknown devices", a.UnknownDevices, b.UnknownDevices}} {
			same("fleet "+f.name, float64(f.a), float64(f.b))
		}
	}
	groups("week", ours.ByWeek, theirs.ByWeek)
	groups("segment", ours.BySegment, theirs.BySegment)
	fmt.Printf("agree: %v\n", agree)
	fmt.Printf("time (s)   iotpm %.2f  duckdb %.2f  (median of %d; runs %v / %v)\n", median(iotpmT), median(duckT), runs, fmtAll(iotpmT), fmtAll(duckT))
	fmt.Printf("ratio      iotpm / duckdb = %.2f\n", median(iotpmT)/median(duckT))
	fmt.Printf("peak RSS   iotpm %d MB  duckdb %d MB\n", iotpmRSS>>10, duckRSS>>10)
	if !agree {
		os.Exit(1)
	}
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return -1
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
