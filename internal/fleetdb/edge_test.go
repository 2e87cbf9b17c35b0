package fleetdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// A small fleet written to make every rule of the definitions matter:
// factory connections before shipping, a leading disconnect, connect and
// disconnect at the same instant, exact duplicates, devices retired in and
// before the window, devices not in the devices input, long outages that
// turn dormant across the window's edges, activity rows, and (sequenced)
// events delivered out of order with AWS's versionNumber starting over
// after an hour offline — and a device whose sequence is not numeric.
// Some devices check in (definitions v3): model V and V2 (one profile,
// hourly connects with a disconnect after each, late and missed ones, long
// silences), model L (uplinks every 10 h as activity rows); model X-9
// names no profile.
type fleet struct {
	devices, events, activity, ota strings.Builder
}

func genFleet(seed uint64, sequenced bool) *fleet {
	rng := rand.New(rand.NewPCG(seed, 7))
	f := &fleet{}
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	day := int64(86_400_000)
	f.devices.WriteString("device_id,shipped_at,customer_id,retired_at,model,firmware\n")
	if sequenced {
		f.events.WriteString("clientId,timestamp,eventType,versionNumber\n")
	} else {
		f.events.WriteString("device_id,timestamp,event\n")
	}
	f.activity.WriteString("device_id,timestamp\n")
	f.ota.WriteString("device_id,job_id,status,timestamp,version\n")
	statuses := []string{"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED", "QUEUED", "IN_PROGRESS"}
	for d := range 40 {
		id := fmt.Sprintf("dev-%02d", d)
		ship := base + rng.Int64N(60)*day - 20*day
		listed := d%10 != 9
		if listed {
			retired := ""
			switch d % 7 {
			case 3:
				retired = time.UnixMilli(ship + rng.Int64N(80)*day).UTC().Format(time.RFC3339)
			}
			// the devices export's firmware (a snapshot at H): some
			// devices have none
			fw := []string{"1.9.0", "2.0.0", "", "2.1.0-rc.1"}[d%4]
			fmt.Fprintf(&f.devices, "%s,%s,cust-%d,%s,%s,%s\n", id, time.UnixMilli(ship).UTC().Format("2006-01-02"), d%4, retired, edgeModels[d%len(edgeModels)], fw)
		}
		if listed && (d%len(edgeModels) < 3) {
			f.checkins(rng, id, ship, edgeModels[d%len(edgeModels)], sequenced)
			continue
		}
		// factory tests before shipping
		t := ship - 3*day
		type ev struct {
			t     int64
			state string
			seq   string
		}
		var evs []ev
		version := 0
		if d%5 == 2 {
			evs = append(evs, ev{t - day, "connected", "0"}, ev{t - day + 60_000, "disconnected", "0"})
		}
		t = ship + rng.Int64N(5)*day
		state := "connected"
		if d%6 == 1 {
			state = "disconnected" // leading disconnect
		}
		numeric := d%8 != 5
		for range 10 + rng.IntN(40) {
			seq := fmt.Sprint(version)
			if !numeric {
				seq = fmt.Sprintf("s%03d", version)
			}
			evs = append(evs, ev{t, state, seq})
			if rng.IntN(15) == 0 {
				evs = append(evs, ev{t, state, seq}) // exact duplicate
			}
			if state == "connected" {
				state = "disconnected"
				t += rng.Int64N(3 * day)
			} else {
				state = "connected"
				gap := rng.Int64N(4 * 3_600_000)
				if rng.IntN(6) == 0 {
					gap = rng.Int64N(50 * day) // a long outage: dormant after D
				}
				if !sequenced && rng.IntN(8) == 0 {
					gap = 0 // a reconnect at the same instant
				}
				if gap >= 3_600_000 && sequenced && numeric {
					version = 0 // AWS starts the version over after an hour offline
				}
				t += gap
			}
			version++
		}
		if sequenced {
			// delivered out of order: shuffle neighbours
			for i := 1; i < len(evs); i++ {
				if rng.IntN(5) == 0 {
					evs[i-1], evs[i] = evs[i], evs[i-1]
				}
			}
		}
		for _, e := range evs {
			if sequenced {
				fmt.Fprintf(&f.events, "%s,%d,%s,%s\n", id, e.t, e.state, e.seq)
			} else {
				fmt.Fprintf(&f.events, "%s,%s,%s\n", id, time.UnixMilli(e.t).UTC().Format("2006-01-02T15:04:05.000Z"), e.state)
			}
		}
		for range rng.IntN(6) {
			fmt.Fprintf(&f.activity, "%s,%s\n", id, time.UnixMilli(ship+rng.Int64N(70*day)-5*day).UTC().Format(time.RFC3339))
		}
		for j := range rng.IntN(3) {
			for k := range 1 + rng.IntN(3) {
				ts := ship + int64(j*20+k)*day + rng.Int64N(day)
				// the job's target version; some rows name none
				version := fmt.Sprintf("2.%d.0", j)
				if rng.IntN(8) == 0 {
					version = ""
				}
				status := statuses[rng.IntN(len(statuses))]
				fmt.Fprintf(&f.ota, "%s,fw-%d,%s,%s,%s\n", id, j, status, time.UnixMilli(ts).UTC().Format(time.RFC3339), version)
				if status == "SUCCEEDED" && d%11 == 5 {
					// another job succeeded at the same second: which
					// version runs is ambiguous
					fmt.Fprintf(&f.ota, "%s,fw-x%d,SUCCEEDED,%s,3.0.0\n", id, j, time.UnixMilli(ts).UTC().Format(time.RFC3339))
				}
			}
		}
	}
	f.lateChanges(sequenced)
	return f
}

// lateChanges writes four devices whose patterns the rules about devices
// down at one time of day and changes late in the window read (the same
// in every fleet): "late-a" always connected, dropping each hour (10
// minutes connected) from Oct 22; "daily-a" always connected from 06:00
// to 22:00 each day; "late-v" a valve (hourly) checking in every 4 h from
// Oct 22; "daily-v" a valve silent from 01:00 to 05:00 each day; and
// two down so long each day that they are intermittent or sparse too:
// "night-a" always connected from 08:00 to 18:00, "night-v" a valve
// silent from 01:00 to 10:00; and two that changed early in October the
// other way: "early-a" always connected, dropping each hour until Oct 12,
// "early-v" a valve checking in every 4 h until Oct 12, "settled-v" a
// valve checking in every 4 h until Oct 22. From Sep 1 to Nov 5, all
// listed and shipped Aug 30.
func (f *fleet) lateChanges(sequenced bool) {
	hour := int64(3_600_000)
	start, change, end := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC).UnixMilli()
	fixed := time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC).UnixMilli()
	seq := map[string]int{}
	row := func(id string, ms int64, state string) {
		if sequenced {
			fmt.Fprintf(&f.events, "%s,%d,%s,%d\n", id, ms, state, seq[id])
			seq[id]++
			return
		}
		fmt.Fprintf(&f.events, "%s,%s,%s\n", id, time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z"), state)
	}
	for _, d := range []struct{ id, model string }{{"late-a", ""}, {"daily-a", ""}, {"late-v", "V"}, {"daily-v", "V"}, {"night-a", ""}, {"night-v", "V"}, {"early-a", ""}, {"early-v", "V"}, {"settled-v", "V"}} {
		fmt.Fprintf(&f.devices, "%s,2026-08-30,cust-1,,%s,2.0.0\n", d.id, d.model)
	}
	row("late-a", start, "connected")
	for t := change; t < end; t += hour {
		row("late-a", t+hour/6, "disconnected")
		row("late-a", t+hour, "connected")
	}
	row("early-a", start, "connected")
	for t := start; t < fixed; t += hour {
		row("early-a", t+hour/6, "disconnected")
		row("early-a", t+hour, "connected")
	}
	for t := start; t < end; t += 24 * hour {
		row("daily-a", t+6*hour, "connected")
		row("daily-a", t+22*hour, "disconnected")
		row("night-a", t+8*hour, "connected")
		row("night-a", t+18*hour, "disconnected")
	}
	for t := start; t < end; t += hour {
		if t < change || (t-change)%(4*hour) == 0 {
			row("late-v", t, "connected")
			row("late-v", t+1000, "disconnected")
		}
		if t >= fixed || (t-start)%(4*hour) == 0 {
			row("early-v", t, "connected")
			row("early-v", t+1000, "disconnected")
		}
		if t >= change || (t-start)%(4*hour) == 0 {
			row("settled-v", t, "connected")
			row("settled-v", t+1000, "disconnected")
		}
		h := (t / hour) % 24
		if h < 1 || h > 5 {
			row("daily-v", t, "connected")
			row("daily-v", t+1000, "disconnected")
		}
		if h < 1 || h > 10 {
			row("night-v", t, "connected")
			row("night-v", t+1000, "disconnected")
		}
	}
}

// edgeModels are the devices' model values by d % len: V, V2 and L check
// in (edgeModes), X-9 names no profile, "" has no model.
var edgeModels = []string{"V", "L", "V2", "X-9", "", ""}

var edgeModes = map[string]metrics.Mode{
	"V":  {Profile: "valve", Every: 3600e6, Grace: 1.5},
	"V2": {Profile: "valve", Every: 3600e6, Grace: 1.5},
	"L":  {Profile: "lora", Every: 36000e6, Grace: 1.5, NoOTA: true},
}

// checkins writes a check-in device's rows: hourly connects (a valve)
// with a disconnect a second after each, or uplinks every 10 h (LoRa) as
// activity rows; some late, some missed, some long silences, a few
// before shipping.
func (f *fleet) checkins(rng *rand.Rand, id string, ship int64, model string, sequenced bool) {
	every := int64(3_600_000)
	if model == "L" {
		every = 36_000_000
	}
	t := ship - 2*every + rng.Int64N(5*86_400_000)
	for n := range 200 + rng.IntN(400) {
		switch {
		case model == "L":
			fmt.Fprintf(&f.activity, "%s,%s\n", id, time.UnixMilli(t).UTC().Format(time.RFC3339))
		case sequenced:
			fmt.Fprintf(&f.events, "%s,%d,connected,%d\n%s,%d,disconnected,%d\n", id, t, n, id, t+1000, n)
		default:
			fmt.Fprintf(&f.events, "%s,%s,connected\n%s,%s,disconnected\n", id, time.UnixMilli(t).UTC().Format("2006-01-02T15:04:05.000Z"),
				id, time.UnixMilli(t+1000).UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		switch r := rng.IntN(40); {
		case r == 0:
			t += every * (5 + rng.Int64N(400)) // silent for days: dormant after D
		case r < 6:
			t += every * (2 + rng.Int64N(3)) // missed check-ins
		default:
			t += every + rng.Int64N(every/2) - every/4 // on time, give or take
		}
	}
}

func TestEdgeCasesSameAsLocal(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) { edgeCasesSameAsLocal(t, e) })
}

func edgeCasesSameAsLocal(t *testing.T, e *pgtest.Engine) {
	conn, schema := e.Conn(t)
	ctx := context.Background()
	// the firmware rules all matter somewhere: versions known and
	// unknown, profiles without OTA, ambiguous rows
	var sawVersions, sawUnknown, sawNoOTA, sawAmbiguous, sawPartial bool
	// and the rules of devices down at one time of day, sparse or
	// intermittent over the window's recent part alone (lateChanges)
	var sawDailyA, sawDailyV, sawRecentA, sawRecentV, sawBothA, sawBothV, sawEarlyA, sawEarlyV, sawSettled bool
	defer func() {
		if !t.Failed() && !(sawVersions && sawUnknown && sawNoOTA && sawAmbiguous && sawPartial) {
			t.Errorf("the fleets do not exercise every firmware and online-day rule: versions %v unknown %v no-OTA %v ambiguous %v partly online %v",
				sawVersions, sawUnknown, sawNoOTA, sawAmbiguous, sawPartial)
		}
		if !t.Failed() && !(sawDailyA && sawDailyV && sawRecentA && sawRecentV && sawBothA && sawBothV && sawEarlyA && sawEarlyV && sawSettled) {
			t.Errorf("the fleets do not exercise every rule of late changes: daily always %v, daily check-in %v, recent intermittent %v, recent sparse %v, intermittent and daily %v, sparse and daily %v, early intermittent %v, early sparse %v, settled %v",
				sawDailyA, sawDailyV, sawRecentA, sawRecentV, sawBothA, sawBothV, sawEarlyA, sawEarlyV, sawSettled)
		}
	}()
	for _, sequenced := range []bool{false, true} {
		for seed := range uint64(4) {
			name := fmt.Sprintf("seed%d", seed)
			if sequenced {
				name += "-sequenced"
			}
			t.Run(name, func(t *testing.T) {
				files, tables := loadFleet(t, e, conn, schema, name, genFleet(seed, sequenced), sequenced)
				for _, tc := range []struct {
					month   string
					dormant time.Duration
					asOf    string
					// series and lookback: 0 for 12 months and 12 days
					series, lookback int
					// unmodelled: the model value of the devices without
					// one (metrics.unmodelled naming a profile)
					unmodelled string
				}{
					{"2026-10", 30 * 24 * time.Hour, "", 0, 0, ""},
					{"2026-09", 2 * 24 * time.Hour, "", 0, 0, ""},
					{"2026-10", 0, "", 0, 0, ""},
					{"2026-10", 5 * 24 * time.Hour, "2026-10-20T12:00:00Z", 0, 0, ""},
					{"2026-11", 30 * 24 * time.Hour, "2026-11-03T00:00:00Z", 0, 0, ""},
					// the fleet lookback reaching before the window and
					// the series: the walk starts there
					{"2026-10", 2 * 24 * time.Hour, "2026-10-25T00:00:00Z", 1, 60, ""},
					// the devices without a model value are valves: they
					// check in (their connects are not hourly: missed)
					{"2026-10", 30 * 24 * time.Hour, "", 0, 0, "V"},
				} {
					o := options(tc.month)
					o.DormantAfter = tc.dormant.Microseconds()
					o.Models = edgeModes
					o.FleetLookbackDays = cmp.Or(tc.lookback, 12)
					o.SeriesMonths = cmp.Or(tc.series, o.SeriesMonths)
					o.Unmodelled = tc.unmodelled
					if tc.asOf != "" {
						a, _ := time.Parse(time.RFC3339, tc.asOf)
						o.AsOf = a.UnixMicro()
					}
					want, wantStats := local(t, files, o)
					got, err := Run(ctx, conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s D=%s as-of %q: uptime %.6f (always %.6f, check-in %.6f, %d missed) MAD %d OTA %.4f firmware %+v", tc.month, tc.dormant, tc.asOf,
						want.Uptime.Value, want.Uptime.Always.Value, want.Uptime.Checkin.Value, want.Uptime.Checkin.Missed, want.MAD.Value, want.OTA.Rate, *want.Firmware)
					f := want.Firmware
					sawVersions = sawVersions || len(f.Versions) >= 2
					sawUnknown = sawUnknown || f.Unknown > 0
					sawNoOTA = sawNoOTA || f.NoOTA > 0
					sawAmbiguous = sawAmbiguous || f.Ambiguous > 0
					sawDailyA = sawDailyA || want.Uptime.Always.Daily.Devices > 0
					sawRecentA = sawRecentA || want.Uptime.Always.Sparse.Recent > 0
					sawBothA = sawBothA || want.Uptime.Always.Sparse.Daily > 0
					sawEarlyA = sawEarlyA || want.Uptime.Always.Sparse.Early > 0
					for _, p := range want.Uptime.ByProfile {
						sawDailyV = sawDailyV || p.Daily.Devices > 0
						sawRecentV = sawRecentV || p.Sparse.Recent > 0
						sawBothV = sawBothV || p.Sparse.Daily > 0
						sawEarlyV = sawEarlyV || p.Sparse.Early > 0
						sawSettled = sawSettled || p.Sparse.Settled > 0
					}
					same(t, want, got.Report)
					// a rollout's input: every device's online and observed
					// days, version at H, model and OTA capability
					if wantFleet := localFleet(t, files, o); !slices.Equal(wantFleet, got.Fleet) {
						t.Errorf("fleet days: local %+v\npostgres %+v", wantFleet, got.Fleet)
					}
					for _, fd := range got.Fleet {
						sawPartial = sawPartial || fd.Online > 0 && fd.Online < fd.Observed
					}
					sameStats(t, wantStats, got.Stats)
					if t.Failed() {
						t.Fatalf("differs with month %s, dormant %s, as-of %q", tc.month, tc.dormant, tc.asOf)
					}
				}
			})
		}
	}
}

// loadFleet writes a fleet's exports to files and loads them into tables
// of schema (named after name), returning both as inputs.
func loadFleet(t *testing.T, e *pgtest.Engine, conn *pgx.Conn, schema, name string, f *fleet, sequenced bool) (map[planfile.InputKind]export.Input, map[planfile.InputKind]Input) {
	t.Helper()
	dir := t.TempDir()
	write := func(file string, b *strings.Builder) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tbl := func(n string) string { return fmt.Sprintf("%s.%s_%s", schema, n, name[:min(len(name), 20)]) }
	tname := func(n string) string { return strings.ReplaceAll(tbl(n), "-", "_") }
	short := func(n string) string { return strings.TrimPrefix(tname(n), schema+".") }
	load(t, conn, schema, short("devices"), "device_id text, shipped_at date, customer_id text, retired_at timestamptz, model text, firmware text", write("devices.csv", &f.devices))
	files := map[planfile.InputKind]export.Input{
		"devices":  {Kind: "devices", Path: filepath.Join(dir, "devices.csv")},
		"activity": {Kind: "activity", Path: write("activity.csv", &f.activity)},
		"ota":      {Kind: "ota", Path: write("ota.csv", &f.ota)},
	}
	tables := map[planfile.InputKind]Input{
		"devices":  {Kind: "devices", Table: tname("devices"), Columns: cols("device_id=device_id", "shipped_at=shipped_at", "customer_id=customer_id", "retired_at=retired_at", "model=model", "firmware=firmware")},
		"activity": {Kind: "activity", Table: tname("activity"), Columns: cols("device_id=device_id", "timestamp=timestamp")},
		"ota":      {Kind: "ota", Table: tname("ota"), Columns: cols("device_id=device_id", "job_id=job_id", "status=status", "timestamp=timestamp", "version=version")},
	}
	load(t, conn, schema, short("activity"), "device_id text, timestamp timestamptz", files["activity"].Path)
	load(t, conn, schema, short("ota"), "device_id text, job_id text, status text, timestamp timestamptz, version text", files["ota"].Path)
	evPath := write("events.csv", &f.events)
	if sequenced {
		load(t, conn, schema, short("events"), `"clientId" text, ts bigint, "eventType" text, "versionNumber" text`, evPath)
		files["events"] = export.Input{Kind: "events", Path: evPath, Format: "aws-iot-lifecycle"}
		tables["events"] = Input{Kind: "events", Table: tname("events"), SequenceReset: 3_600_000_000,
			Columns: cols("device_id=clientId", "timestamp=ts:ms", "event=eventType", "sequence=versionNumber")}
	} else {
		load(t, conn, schema, short("events"), "device_id text, ts timestamptz, event text", evPath)
		files["events"] = export.Input{Kind: "events", Path: evPath}
		tables["events"] = Input{Kind: "events", Table: tname("events"), Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}
	}
	return files, tables
}

// addBadRows adds rows the file reader calls bad, one of each kind a
// table can hold — an empty id, a time that is NULL (nullTimes: not in a
// TimescaleDB hypertable, whose time column refuses NULL), an event or
// status no vocabulary has, an empty job or sequence, a time before 2001,
// and a row with two faults (counted once, as its first) — and returns
// how many.
func (f *fleet) addBadRows(sequenced, nullTimes bool) int {
	n := 0
	add := func(b *strings.Builder, lines ...string) {
		for _, l := range lines {
			b.WriteString(l + "\n")
			n++
		}
	}
	add(&f.devices, `"",2026-09-01,cust-1,,V,`)
	if nullTimes {
		add(&f.devices, "dev-90,,cust-1,,V,")
	}
	if sequenced {
		add(&f.events, "dev-01,1790985600000,rebooted,7", `"",1790985600000,connected,7`, "dev-03,1790985600000,connected,", `"",1790985600000,rebooted,`)
		if nullTimes {
			add(&f.events, "dev-02,,connected,7")
		}
	} else {
		add(&f.events, "dev-01,2026-10-03T00:00:00.000Z,rebooted", `"",2026-10-03T00:00:00.000Z,connected`, `"",2026-10-03T00:00:00.000Z,rebooted`)
		if nullTimes {
			add(&f.events, "dev-02,,connected")
		}
	}
	add(&f.activity, `"",2026-10-02T00:00:00Z`)
	add(&f.ota, "dev-04,fw-0,WEIRD,2026-10-05T00:00:00Z,2.0.0", "dev-04,,SUCCEEDED,2026-10-05T00:00:00Z,2.0.0")
	// times before 2001: clocks never set (the devices' ship and
	// retirement dates too)
	if !sequenced {
		// (an epoch in ms before 2001 has under 13 digits: a file's is
		// unparseable, a bigint column's is read in the unit mapped)
		add(&f.events, "dev-03,1970-01-01T00:00:12Z,connected")
	}
	add(&f.activity, "dev-02,1980-01-06T00:00:00Z")
	add(&f.ota, "dev-04,fw-0,SUCCEEDED,2000-12-31T23:59:59Z,2.0.0")
	add(&f.devices, "dev-91,1970-01-01,cust-1,,V,", "dev-92,2026-09-01,cust-1,2000-01-01,V,")
	return n
}

// Bad rows within --max-bad-rows are left out of every statement as the
// file reader skips them: the same values, the same rows counted as
// skipped under the same kinds (a row with two faults once), on tables
// spread over the engine; one more bad row than allowed stops the run at
// the first input that has them.
func TestBadRowsSkippedSameAsLocal(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		ctx := context.Background()
		for _, sequenced := range []bool{false, true} {
			name := "bad"
			if sequenced {
				name += "_sequenced"
			}
			t.Run(name, func(t *testing.T) {
				f := genFleet(11, sequenced)
				bad := f.addBadRows(sequenced, e != pgtest.TimescaleDB)
				files, tables := loadFleet(t, e, conn, schema, name, f, sequenced)
				spread(t, e, conn, tables)
				o := options("2026-10")
				o.Models = edgeModes
				o.FleetLookbackDays = 12
				want, wantStats := local(t, files, o)
				total := 0
				for _, st := range wantStats {
					total += st.SkippedTotal()
				}
				if total != bad {
					t.Fatalf("the file reader skipped %d rows, want the %d bad ones: %v", total, bad, wantStats)
				}
				got, err := Run(ctx, conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow, MaxBadRows: bad})
				if err != nil {
					t.Fatal(err)
				}
				same(t, want, got.Report)
				sameStats(t, wantStats, got.Stats)
				if wantFleet := localFleet(t, files, o); !slices.Equal(wantFleet, got.Fleet) {
					t.Errorf("fleet days: local %+v\ndatabase %+v", wantFleet, got.Fleet)
				}
				_, err = Run(ctx, conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow, MaxBadRows: bad - 1})
				var p *Problem
				if !errors.As(err, &p) || !strings.Contains(p.Message, "more than --max-bad-rows") || !strings.Contains(p.Message, "device_id is NULL or empty") {
					t.Errorf("one bad row too many: %v", err)
				}
			})
		}
	})
}
