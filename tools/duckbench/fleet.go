package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// fleetSQL computes iotpm's five metrics (version 3 definitions) over the
// five inputs of tools/genexports' default mix — devices (device_id,
// shipped_at, customer_id, model), lifecycle events, AWS IoT Jobs OTA rows,
// usage and tickets — in SQL, for the side-by-side comparison. Times are
// µs. %[1]s is the directory, %[2]d and %[3]d the window, %[4]d the
// dormancy D, %[5]d the activation window A. Devices of model drip-valve
// check in (genexports -checkin): every connect makes them reachable for
// %[6]d µs (1.5 × a day), their disconnects end nothing. The activation
// cohort leaves out the units whose window [shipped, shipped + A) ends by
// the events' first row (no row of the data can be in it).
const fleetSQL = `
CREATE TEMP TABLE dev AS
  SELECT device_id, epoch_us(shipped_at::TIMESTAMP) AS shipped, customer_id, %[7]s AS model
  FROM read_csv('%[1]s/devices.csv', header = true, columns = {'device_id': 'VARCHAR', 'shipped_at': 'DATE', 'customer_id': 'VARCHAR'%[8]s});
CREATE TEMP TABLE raw AS
  SELECT clientId AS device_id, "timestamp" * 1000 AS ts,
         CASE lower(trim(eventType)) WHEN 'connected' THEN 1 ELSE 0 END AS st
  FROM read_csv('%[1]s/lifecycle.csv', header = true, columns = {'clientId': 'VARCHAR', 'timestamp': 'BIGINT', 'eventType': 'VARCHAR'});
CREATE TEMP TABLE ota AS
  SELECT thingName AS device_id, jobId AS job, upper(status) AS status, lastUpdatedAt * 1000000 AS ts, row_number() OVER () AS rn
  FROM read_csv('%[1]s/ota.csv', header = true, columns = {'thingName': 'VARCHAR', 'jobId': 'VARCHAR', 'status': 'VARCHAR', 'lastUpdatedAt': 'BIGINT'});
CREATE TEMP TABLE usage AS
  SELECT device_id, epoch_us("timestamp") AS ts
  FROM read_csv('%[1]s/usage.csv', header = true, columns = {'device_id': 'VARCHAR', 'feature': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ'});
CREATE TEMP TABLE tickets AS
  SELECT customer_id, epoch_us(created_at) AS ts
  FROM read_csv('%[1]s/tickets.csv', header = true, columns = {'ticket_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'created_at': 'TIMESTAMP', 'subject': 'VARCHAR'});
CREATE TEMP TABLE hz AS SELECT GREATEST((SELECT MAX(ts) FROM raw), (SELECT MAX(ts) FROM ota), (SELECT MAX(ts) FROM usage), (SELECT MAX(ts) FROM tickets)) AS h;
CREATE TEMP TABLE ev AS
  SELECT DISTINCT r.device_id, r.ts, r.st, d.shipped, COALESCE(d.model = 'drip-valve', false) AS ci
  FROM raw r JOIN dev d USING (device_id), hz WHERE r.ts <= hz.h AND r.ts >= d.shipped;
CREATE TEMP TABLE seg AS
WITH o AS (
  SELECT device_id, ts, st, shipped,
         LEAD(ts) OVER w AS next_ts, LAG(st) OVER w AS prev_st, ROW_NUMBER() OVER w AS rn
  FROM ev WHERE NOT ci WINDOW w AS (PARTITION BY device_id ORDER BY ts, st)
),
s AS (
  SELECT *, MAX(CASE WHEN st = 0 AND (prev_st IS NULL OR prev_st = 1) THEN ts END)
              OVER (PARTITION BY device_id ORDER BY ts, st ROWS UNBOUNDED PRECEDING) AS down_since
  FROM o
),
raw_seg AS (
  SELECT device_id, st, ts AS a, COALESCE(next_ts, 9000000000000000000) AS b, down_since FROM s
  UNION ALL
  SELECT device_id, 1, GREATEST(shipped, (SELECT MIN(ts) FROM ev)), ts, NULL FROM s WHERE rn = 1 AND st = 0
),
observed AS (
  SELECT device_id, st, a, CASE WHEN st = 0 AND %[4]d > 0 THEN LEAST(b, down_since + %[4]d) ELSE b END AS b FROM raw_seg
),
ci AS (
  SELECT device_id, ts, LEAD(ts) OVER (PARTITION BY device_id ORDER BY ts) AS nt, MIN(ts) OVER (PARTITION BY device_id) AS st0
  FROM ev WHERE ci AND st = 1
),
ci_seg AS (
  SELECT device_id, 1 AS st, GREATEST(ts, st0) AS a, LEAST(ts + %[6]d, COALESCE(nt, 9000000000000000000)) AS b FROM ci
  UNION ALL
  SELECT device_id, 0, ts + %[6]d,
         CASE WHEN %[4]d > 0 THEN LEAST(COALESCE(nt, 9000000000000000000), ts + %[6]d + %[4]d) ELSE COALESCE(nt, 9000000000000000000) END FROM ci
)
SELECT device_id, st, GREATEST(a, %[2]d) AS a, LEAST(b, %[3]d, hz.h) AS b FROM observed, hz
UNION ALL
SELECT device_id, st, GREATEST(a, %[2]d), LEAST(b, %[3]d, hz.h) FROM ci_seg, hz;
CREATE TEMP TABLE per_dev AS
  SELECT device_id, SUM(CASE WHEN st = 1 THEN b - a ELSE 0 END) AS conn, SUM(b - a) AS obs
  FROM seg WHERE b > a GROUP BY device_id;
`

// The queries over those tables, one value (or one row per customer) each.
const (
	uptimeQ = `SELECT SUM(conn)::DOUBLE / SUM(obs) FROM per_dev WHERE obs > 0`
	madQ    = `SELECT COUNT(*) FROM (
  SELECT device_id FROM ev, hz WHERE st = 1 AND ts >= %[2]d AND ts < %[3]d AND ts <= hz.h
  UNION SELECT device_id FROM per_dev WHERE conn > 0)`
	activationQ = `SELECT COUNT(DISTINCT e.device_id)::DOUBLE / (SELECT COUNT(*) FROM dev WHERE shipped >= %[2]d AND shipped < %[3]d AND shipped + %[5]d > (SELECT MIN(ts) FROM raw))
  FROM dev d JOIN ev e USING (device_id)
  WHERE d.shipped >= %[2]d AND d.shipped < %[3]d AND d.shipped + %[5]d > (SELECT MIN(ts) FROM raw) AND e.st = 1 AND e.ts < d.shipped + %[5]d`
	otaQ = `WITH fin AS (
  SELECT device_id, job, arg_max(status, (ts, rn)) AS status, MAX(ts) AS ts FROM ota, hz WHERE ts <= hz.h GROUP BY device_id, job
)
SELECT SUM(CASE WHEN status = 'SUCCEEDED' THEN 1 ELSE 0 END)::DOUBLE /
       SUM(CASE WHEN status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED') THEN 1 ELSE 0 END)
FROM fin WHERE ts >= %[2]d AND ts < %[3]d`
	healthQ = `WITH base AS (
  SELECT customer_id, COUNT(*) AS n FROM dev WHERE shipped < %[3]d GROUP BY customer_id
),
up AS (
  SELECT d.customer_id, SUM(p.conn)::DOUBLE / SUM(p.obs) AS x FROM per_dev p JOIN dev d USING (device_id) WHERE p.obs > 0 GROUP BY d.customer_id
),
us AS (
  SELECT d.customer_id, COUNT(DISTINCT u.device_id) AS k FROM usage u JOIN dev d USING (device_id), hz
  WHERE d.shipped < %[3]d AND u.ts >= %[2]d AND u.ts < %[3]d AND u.ts <= hz.h GROUP BY d.customer_id
),
tk AS (
  SELECT customer_id, COUNT(*) AS k FROM tickets, hz WHERE ts >= %[2]d AND ts < %[3]d AND ts <= hz.h GROUP BY customer_id
),
comp AS (
  SELECT b.customer_id,
         LEAST(GREATEST((up.x - 0.95) / (0.995 - 0.95), 0), 1) * 100 AS su,
         LEAST(GREATEST((COALESCE(us.k, 0)::DOUBLE / b.n - 0.30) / (0.80 - 0.30), 0), 1) * 100 AS ss,
         LEAST(GREATEST((COALESCE(tk.k, 0) * 100.0 / b.n - 10) / (1 - 10), 0), 1) * 100 AS st
  FROM base b LEFT JOIN up USING (customer_id) LEFT JOIN us USING (customer_id) LEFT JOIN tk USING (customer_id)
)
SELECT customer_id, (COALESCE(su * 40, 0) + ss * 35 + st * 25) / (CASE WHEN su IS NULL THEN 0 ELSE 40 END + 35 + 25) FROM comp ORDER BY customer_id`
)

// fleet runs fleetSQL and the queries; it returns the four fleet values
// and the health score per customer.
func fleet(db *sql.DB, dir string, from, to, dormant, activation int64) (vals map[string]float64, health map[string]float64) {
	q := func(s string) string {
		if !strings.Contains(s, "%[") {
			return s
		}
		// a devices.csv without a model column: no device checks in
		model, modelCol := "NULL::VARCHAR", ""
		if head, err := os.ReadFile(dir + "/devices.csv"); err == nil && strings.Contains(strings.SplitN(string(head), "\n", 2)[0], ",model") {
			model, modelCol = "model", ", 'model': 'VARCHAR'"
		}
		return fmt.Sprintf(s, strings.ReplaceAll(dir, "'", "''"), from, to, dormant, activation, int64(1.5*86_400_000_000), model, modelCol)
	}
	_, err := db.Exec(q(fleetSQL))
	check(err)
	vals = map[string]float64{}
	for name, s := range map[string]string{"connectivity_uptime": uptimeQ, "monthly_active_devices": madQ, "activation_rate": activationQ, "ota_success_rate": otaQ} {
		var v float64
		check(db.QueryRow(q(s)).Scan(&v))
		vals[name] = v
	}
	health = map[string]float64{}
	rows, err := db.Query(q(healthQ))
	check(err)
	defer rows.Close()
	for rows.Next() {
		var id string
		var v float64
		check(rows.Scan(&id, &v))
		health[id] = v
	}
	return vals, health
}

type fleetResult struct {
	Values map[string]float64 `json:"values"`
	Health map[string]float64 `json:"health"`
}

// runFleet compares iotpm and DuckDB on all five metrics of a fleet.
func runFleet(iotpm, dir, month string, runs int, child bool, threads int, from, to int64, dormant time.Duration) {
	const activation = 30 * 24 * 3600 * 1000000
	if child {
		db, err := sql.Open("duckdb", "")
		check(err)
		_, err = db.Exec(fmt.Sprintf("SET threads = %d", threads))
		check(err)
		vals, health := fleet(db, dir, from, to, dormant.Microseconds(), activation)
		check(json.NewEncoder(os.Stdout).Encode(fleetResult{vals, health}))
		return
	}
	self, err := os.Executable()
	check(err)
	var iotpmT, duckT []float64
	var iotpmRSS, duckRSS int64
	var ours, theirs fleetResult
	for range runs {
		out, secs, rss := run(iotpm, "metrics", "-C", dir, "--month", month, "--dormant-after", fmt.Sprintf("%gh", dormant.Hours()),
			"--devices", dir+"/devices.csv", "--events", dir+"/lifecycle.csv", "--ota", dir+"/ota.csv",
			"--usage", dir+"/usage.csv", "--tickets", dir+"/tickets.csv", "--tz", "tickets=UTC", "-o", "json")
		var doc struct {
			Uptime     struct{ Value float64 } `json:"connectivity_uptime"`
			MAD        struct{ Value float64 } `json:"monthly_active_devices"`
			Activation struct{ Value float64 } `json:"activation_rate"`
			OTA        struct{ Value float64 } `json:"ota_success_rate"`
			Customers  []struct {
				ID    string   `json:"id"`
				Score *float64 `json:"score"`
			} `json:"customers"`
		}
		check(json.Unmarshal(out, &doc))
		ours = fleetResult{Values: map[string]float64{"connectivity_uptime": doc.Uptime.Value, "monthly_active_devices": doc.MAD.Value,
			"activation_rate": doc.Activation.Value, "ota_success_rate": doc.OTA.Value}, Health: map[string]float64{}}
		for _, c := range doc.Customers {
			if c.Score != nil {
				ours.Health[c.ID] = *c.Score
			}
		}
		iotpmT, iotpmRSS = append(iotpmT, secs), max(iotpmRSS, rss)
		out, secs, rss = run(self, "-duck-child", "-fleet", dir, "-month", month, "-threads", strconv.Itoa(threads), "-dormant-after", dormant.String())
		check(json.Unmarshal(out, &theirs))
		duckT, duckRSS = append(duckT, secs), max(duckRSS, rss)
	}
	agree := true
	for _, name := range []string{"connectivity_uptime", "monthly_active_devices", "activation_rate", "ota_success_rate"} {
		ok := math.Abs(ours.Values[name]-theirs.Values[name]) < 1e-9
		agree = agree && ok
		fmt.Printf("%-24s iotpm %.12f  duckdb %.12f  agree: %v\n", name, ours.Values[name], theirs.Values[name], ok)
	}
	worst, worstID := 0.0, ""
	for id, v := range theirs.Health {
		if d := math.Abs(ours.Health[id] - v); d >= worst {
			worst, worstID = d, id
		}
	}
	healthOK := len(ours.Health) == len(theirs.Health) && worst < 1e-6
	agree = agree && healthOK
	fmt.Printf("%-24s %d customers / %d, largest difference %.3g (%s)  agree: %v\n", "customer health", len(ours.Health), len(theirs.Health), worst, worstID, healthOK)
	fmt.Printf("time (s)   iotpm %.2f  duckdb %.2f  (median of %d; runs %v / %v)\n", median(iotpmT), median(duckT), runs, fmtAll(iotpmT), fmtAll(duckT))
	fmt.Printf("ratio      iotpm / duckdb = %.2f\n", median(iotpmT)/median(duckT))
	fmt.Printf("peak RSS   iotpm %d MB  duckdb %d MB\n", iotpmRSS>>10, duckRSS>>10)
	if !agree {
		os.Exit(1)
	}
}
