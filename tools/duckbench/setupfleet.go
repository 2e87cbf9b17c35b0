package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"
)

// The setup funnel joined to the fleet (docs/metrics-definitions.md, "Joined
// to the fleet"), written again in SQL from the definitions alone: of the
// units of the devices input shipped in the window (the activation rate's
// cohort),
//
//   - started: an attempt naming the unit starts in [shipped, shipped + A);
//   - completed: one of those reaches the last step; its completion is the
//     earliest such attempt's last step;
//   - activated: a connect in [shipped, min(shipped + A, H + 1)), H the
//     fleet's horizon (the latest lifecycle row);
//   - completed, not activated: completed at or before H (after H:
//     completed_after_fleet_rows);
//   - activated without setup: activated, not started, the activation within
//     the onboarding rows' span [their first row, H_s] (before it or after
//     it: activated_before/after_onboarding_rows);
//   - unknown devices: the distinct ids step rows name that the devices
//     input does not list.
//
// %[1]s is the devices file, %[2]s the lifecycle file, %[3]d and %[4]d the
// window, %[5]d A; the funnel's tables (raw with the unit, att with t3) are
// there already.
const setupFleetSQL = `
CREATE TEMP TABLE units AS
  SELECT device_id, epoch_us(shipped_at::TIMESTAMP) AS shipped
  FROM read_csv('%[1]s', header = true, columns = {'device_id': 'VARCHAR', 'shipped_at': 'DATE'});
CREATE TEMP TABLE con AS
  SELECT clientId AS device_id, "timestamp" * 1000 AS ts, lower(eventType) = 'connected' AS up
  FROM read_csv('%[2]s', header = true, columns = {'clientId': 'VARCHAR', 'timestamp': 'BIGINT', 'eventType': 'VARCHAR'});
CREATE TEMP TABLE span AS
  SELECT (SELECT MAX(ts) FROM con) AS hf, (SELECT MIN(ts) FROM raw) AS sf, (SELECT h FROM hz) AS hs;
CREATE TEMP TABLE per_unit AS
WITH a AS (
  SELECT u.device_id, MIN(a.t3) AS done
  FROM att a JOIN units u ON a.unit = u.device_id
  WHERE a.start >= u.shipped AND a.start < u.shipped + %[5]d GROUP BY u.device_id
),
act AS (
  SELECT u.device_id, MIN(c.ts) AS act_at FROM units u JOIN con c USING (device_id), span
  WHERE c.up AND c.ts >= u.shipped AND c.ts < LEAST(u.shipped + %[5]d, span.hf + 1) GROUP BY u.device_id
)
SELECT u.device_id, a.device_id IS NOT NULL AS started, a.done, act.act_at
FROM units u LEFT JOIN a USING (device_id) LEFT JOIN act USING (device_id)
WHERE u.shipped >= %[3]d AND u.shipped < %[4]d;
`

// fleetJoin is the join's figures, named as iotpm's JSON names them.
type fleetJoin struct {
	Shipped               int `json:"shipped"`
	Started               int `json:"started_setup"`
	Completed             int `json:"completed_setup"`
	Activated             int `json:"activated"`
	CompletedNotActivated int `json:"completed_not_activated"`
	ActivatedNotStarted   int `json:"activated_without_setup"`
	ActivatedBefore       int `json:"activated_before_onboarding_rows"`
	ActivatedAfter        int `json:"activated_after_onboarding_rows"`
	CompletedAfter        int `json:"completed_after_fleet_rows"`
	UnknownDevices        int `json:"unknown_devices"`
}

// setupFleet computes the join in DuckDB, after funnel.
func setupFleet(db *sql.DB, devices, lifecycle string, from, to, activation int64) *fleetJoin {
	q := func(s string) string { return strings.ReplaceAll(s, "'", "''") }
	_, err := db.Exec(fmt.Sprintf(setupFleetSQL, q(devices), q(lifecycle), from, to, activation))
	check(err)
	var j fleetJoin
	check(db.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE started), COUNT(done), COUNT(act_at),
  COUNT(*) FILTER (WHERE done IS NOT NULL AND act_at IS NULL AND done <= span.hf),
  COUNT(*) FILTER (WHERE act_at IS NOT NULL AND NOT started AND act_at >= span.sf AND act_at <= span.hs),
  COUNT(*) FILTER (WHERE act_at IS NOT NULL AND NOT started AND act_at < span.sf),
  COUNT(*) FILTER (WHERE act_at IS NOT NULL AND NOT started AND act_at > span.hs),
  COUNT(*) FILTER (WHERE done IS NOT NULL AND act_at IS NULL AND done > span.hf)
FROM per_unit, span`).Scan(&j.Shipped, &j.Started, &j.Completed, &j.Activated, &j.CompletedNotActivated, &j.ActivatedNotStarted,
		&j.ActivatedBefore, &j.ActivatedAfter, &j.CompletedAfter))
	check(db.QueryRow(`SELECT COUNT(DISTINCT unit) FROM raw WHERE k IS NOT NULL AND unit <> '' AND unit NOT IN (SELECT device_id FROM units)`).Scan(&j.UnknownDevices))
	return &j
}

// fleetFiles are the devices and lifecycle files genFleet writes beside an
// onboarding export.
func fleetFiles(setup string) (devices, lifecycle string) {
	base := strings.TrimSuffix(setup, ".csv")
	return base + ".devices.csv", base + ".lifecycle.csv"
}

// genFleet writes the units an onboarding export sets up (drip-NNNNNN, a
// user's), beside it: a devices input (device_id, shipped_at) and an AWS IoT
// lifecycle export, made to exercise each rule of the join. first is each
// user's first session. A unit ships up to 5 days before it (some two days
// after: its setup is then not its own); 2% of the units are not listed;
// most connect within two hours of the session, some 25–35 days later
// (around A = 30 d), some between shipping and setup, some never; units no
// user sets up ship in the window and connect. The fleet's rows run a
// tenth of the window past its end, past the app's (which end a 40th
// before it); with cut, the fleet's end a tenth before the window's end
// (before the app's: completions after it) and the app's rows start a 20th
// into the window (activations before them).
func genFleet(setup string, first []int64, from, to int64, cut bool) {
	const day = int64(86_400e6)
	rng := rand.New(rand.NewPCG(2026, 12))
	span := to - from
	devPath, lifePath := fleetFiles(setup)
	type event struct {
		id string
		ts int64
		up bool
	}
	var units []string
	var events []event
	floor := func(ts int64) int64 { return ts - ((ts%day)+day)%day }
	unit := func(id string, shipped int64) {
		units = append(units, fmt.Sprintf("%s,%s", id, time.UnixMicro(shipped).UTC().Format("2006-01-02")))
	}
	for u, t := range first {
		id := fmt.Sprintf("drip-%06d", u)
		shipped := floor(t - rng.Int64N(5*day))
		switch x := rng.IntN(100); {
		case x < 2:
			shipped = -1 // not listed
		case x < 5:
			shipped = floor(t) + 2*day
		}
		if shipped >= 0 {
			unit(id, shipped)
		}
		var at int64 = -1
		switch x := rng.IntN(100); {
		case x < 70:
			at = t + rng.Int64N(2*3600e6)
		case x < 80:
			at = t + 25*day + rng.Int64N(10*day)
		case x < 85 && shipped >= 0 && t > shipped:
			at = shipped + rng.Int64N(t-shipped)
		}
		if at >= 0 {
			events = append(events, event{id, at, true}, event{id, at + rng.Int64N(6*3600e6), false})
		}
	}
	for i := range len(first) / 20 {
		id := fmt.Sprintf("drip-9%05d", i)
		shipped := floor(from - span/10 + rng.Int64N(span+span/10))
		unit(id, shipped)
		at := shipped + rng.Int64N(3*day)
		events = append(events, event{id, at, true}, event{id, at + 3600e6, false})
	}
	end := to + span/10
	if cut {
		end = to - span/10
	}
	events = append(events, event{"drip-000000", end, false})
	slices.SortStableFunc(events, func(a, b event) int { return int(a.ts - b.ts) })
	write := func(path, header string, lines func(w *bufio.Writer)) {
		f, err := os.Create(path)
		check(err)
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintln(w, header)
		lines(w)
		check(w.Flush())
		check(f.Close())
	}
	write(devPath, "device_id,shipped_at", func(w *bufio.Writer) {
		for _, u := range units {
			fmt.Fprintln(w, u)
		}
	})
	write(lifePath, "clientId,timestamp,eventType", func(w *bufio.Writer) {
		for _, e := range events {
			if e.ts > end {
				break
			}
			state := "disconnected"
			if e.up {
				state = "connected"
			}
			fmt.Fprintf(w, "%s,%d,%s\n", e.id, e.ts/1000, state)
		}
	})
}
