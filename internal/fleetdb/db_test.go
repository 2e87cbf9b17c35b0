package fleetdb

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/jackc/pgx/v5"
)

func testConn(t testing.TB) (*pgx.Conn, string) { return pgtest.Conn(t) }

// engines runs f as a subtest on each engine: plain PostgreSQL, TimescaleDB
// and Citus (the latter two under scripts/with-citus).
func engines(t *testing.T, f func(t *testing.T, e *pgtest.Engine)) {
	for _, e := range pgtest.Engines {
		t.Run(e.Name, func(t *testing.T) { f(t, e) })
	}
}

// spread makes the loaded tables of a mapping the engine's own kind:
// hypertables on their time column, or distributed by device id (tickets
// by customer), as a user of that engine would have them.
func spread(t testing.TB, e *pgtest.Engine, conn *pgx.Conn, tables map[planfile.InputKind]Input) {
	t.Helper()
	var layouts []pgtest.Layout
	for _, kind := range planfile.InputKinds {
		in, ok := tables[kind]
		if !ok {
			continue
		}
		key, at := "device_id", "timestamp"
		if kind == planfile.KindTickets {
			key, at = "customer_id", "created_at"
		}
		if kind == planfile.KindDevices {
			at = ""
		}
		l := pgtest.Layout{Table: in.Table, Key: in.Columns[key].Column}
		if c, ok := in.Columns[at]; ok {
			l.Time, l.Unit = c.Column, c.Unit
		}
		layouts = append(layouts, l)
	}
	e.Spread(t, conn, layouts...)
}

func load(t testing.TB, conn *pgx.Conn, schema, name, columns, csvPath string) {
	pgtest.Load(t, conn, schema, name, columns, csvPath)
}

// writeCSV writes a file of the test's data into dir and returns its path.
func writeCSV(t testing.TB, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func cols(kv ...string) map[string]planfile.ColumnRef {
	out := map[string]planfile.ColumnRef{}
	for _, s := range kv {
		role, col, _ := strings.Cut(s, "=")
		name, unit, _ := strings.Cut(col, ":")
		out[role] = planfile.ColumnRef{Column: name, Unit: unit}
	}
	return out
}

// local computes the metrics from files with the file reader and the
// local engine, as iotpm metrics does.
// localFleet is the file engine's FleetDays on the same inputs.
func localFleet(t testing.TB, inputs map[planfile.InputKind]export.Input, o metrics.Options) []metrics.FleetDevice {
	t.Helper()
	data := metrics.NewData()
	ing := &export.Ingest{Data: data, Window: o.Window, UseUntil: o.Window.To + o.ActivationWindow, Formats: export.NewFormats(nil), MaxExpansion: 100}
	if o.Unmodelled != "" {
		ing.Unmodelled = []byte(o.Unmodelled)
	}
	for _, kind := range planfile.InputKinds {
		if in, ok := inputs[kind]; ok {
			if _, err := ing.Read(in); err != nil {
				t.Fatalf("reading %s: %v", in.Path, err)
			}
		}
	}
	return data.FleetDays(o, o.FleetLookbackDays)
}

func local(t testing.TB, inputs map[planfile.InputKind]export.Input, o metrics.Options) (metrics.Report, map[planfile.InputKind]*export.Stats) {
	t.Helper()
	data := metrics.NewData()
	useUntil := o.Window.To
	if _, ok := inputs["devices"]; ok {
		useUntil += o.ActivationWindow
	}
	ing := &export.Ingest{Data: data, Window: o.Window, UseUntil: useUntil, Formats: export.NewFormats(nil), MaxExpansion: 100}
	if o.Unmodelled != "" {
		ing.Unmodelled = []byte(o.Unmodelled)
	}
	stats := map[planfile.InputKind]*export.Stats{}
	for _, kind := range planfile.InputKinds {
		in, ok := inputs[kind]
		if !ok {
			continue
		}
		st, err := ing.Read(in)
		if err != nil {
			t.Fatalf("reading %s: %v", in.Path, err)
		}
		stats[kind] = st
	}
	// the fleet's data start, and the health inputs outside the window,
	// from the rows read, as the command takes them
	o.DataStart, _ = export.FleetStart(slices.Collect(maps.Values(stats)))
	o.HealthOutside = export.HealthOutside(slices.Collect(maps.Values(stats)), o.Window)
	r := metrics.Compute(data, o)
	if st, ok := stats["events"]; ok {
		st.Duplicates, st.SameInstant = data.DuplicateEvents, data.SameInstant // as the command does
	}
	if st, ok := stats["tickets"]; ok {
		st.Duplicates = data.DuplicateTickets // as the command does
	}
	for _, j := range data.Joins() {
		stats[planfile.InputKind(j.Input)].UnknownDevices = j.Unknown
	}
	return r, stats
}

func options(month string) metrics.Options {
	m, _ := time.Parse("2006-01", month)
	return metrics.Options{
		Window:           metrics.Window{From: m.UnixMicro(), To: m.AddDate(0, 1, 0).UnixMicro()},
		ActivationWindow: 30 * 86_400e6, SLO: 0.99, Health: metrics.DefaultHealth(), SeriesMonths: 12,
		DormantAfter: 30 * 86_400e6,
		Models:       exampleModes, FirmwareTarget: "2.1.0",
	}
}

// exampleModes are the example repo's check-in profiles by model value
// (devices.yaml and metrics.models).
var exampleModes = map[string]metrics.Mode{
	"DL-200":     {Profile: "drip-lora", Every: 900e6, Grace: 1.5},
	"drip-valve": {Profile: "drip-valve", Every: 3600e6, Grace: 1.5},
}

// same fails the test where the two reports differ: counts exactly, rates
// to 1e-9.
func same(t *testing.T, want, got metrics.Report) {
	t.Helper()
	eq := func(what string, a, b float64) {
		t.Helper()
		if math.IsNaN(a) && math.IsNaN(b) {
			return
		}
		if math.IsNaN(a) != math.IsNaN(b) || math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(a)) {
			t.Errorf("%s: local %v, postgres %v", what, a, b)
		}
	}
	eqi := func(what string, a, b int64) {
		t.Helper()
		if a != b {
			t.Errorf("%s: local %d, postgres %d", what, a, b)
		}
	}
	eqi("horizon", want.Horizon, got.Horizon)
	if (want.Uptime == nil) != (got.Uptime == nil) {
		t.Fatalf("uptime: local %v, postgres %v", want.Uptime, got.Uptime)
	}
	if u, v := want.Uptime, got.Uptime; u != nil {
		eq("uptime", u.Value, v.Value)
		eqi("connected µs", u.ConnectedUS, v.ConnectedUS)
		eqi("observed µs", u.ObservedUS, v.ObservedUS)
		eqi("devices observed", int64(u.Devices), int64(v.Devices))
		eqi("left out", int64(u.LeftOut), int64(v.LeftOut))
		eq("mean", u.Mean, v.Mean)
		eq("median", u.Median, v.Median)
		eqi("below SLO", int64(u.BelowSLO), int64(v.BelowSLO))
		eqi("never activated", int64(u.NeverActivated), int64(v.NeverActivated))
		eqi("dormant", int64(u.Dormant), int64(v.Dormant))
		eqi("retired", int64(u.Retired), int64(v.Retired))
		eqi("planned disconnects", int64(u.PlannedDisconnects), int64(v.PlannedDisconnects))
		eqi("disconnects", int64(u.Disconnects), int64(v.Disconnects))
		eqi("event devices", int64(u.EventDevices), int64(v.EventDevices))
		eqi("single-event devices", int64(u.SingleEventDevices), int64(v.SingleEventDevices))
		eqi("unknown models", int64(u.UnknownModels), int64(v.UnknownModels))
		eqi("no model", int64(u.NoModel), int64(v.NoModel))
		if !slices.Equal(u.BeforeShippingByMonth, v.BeforeShippingByMonth) {
			t.Errorf("rows before shipping by ship month: local %+v, postgres %+v", u.BeforeShippingByMonth, v.BeforeShippingByMonth)
		}
		if !slices.Equal(u.UnknownModelValues, v.UnknownModelValues) {
			t.Errorf("unknown model values: local %q, postgres %q", u.UnknownModelValues, v.UnknownModelValues)
		}
		modes := func(what string, a, b metrics.ModeUptime) {
			t.Helper()
			eq(what+" uptime", a.Value, b.Value)
			eqi(what+" connected µs", a.ConnectedUS, b.ConnectedUS)
			eqi(what+" observed µs", a.ObservedUS, b.ObservedUS)
			eqi(what+" devices", int64(a.Devices), int64(b.Devices))
			eqi(what+" missed check-ins", int64(a.Missed), int64(b.Missed))
			eqi(what+" check-ins", int64(a.Checkins), int64(b.Checkins))
			eqi(what+" unreachable stretches", int64(a.Stretches), int64(b.Stretches))
			eqi(what+" observed time over the recent part", a.RecentObservedUS, b.RecentObservedUS)
			eqi(what+" missed check-ins over the recent part", int64(a.RecentMissed), int64(b.RecentMissed))
			if a.Sparse != b.Sparse {
				t.Errorf("%s sparse devices: local %+v, postgres %+v", what, a.Sparse, b.Sparse)
			}
			// the devices down at one time of day: counts exact, the
			// sums of float weights and angles to a relative 1e-9
			if a.Daily.SparseUptime != b.Daily.SparseUptime || a.Daily.Stretches != b.Daily.Stretches || a.Daily.Length != b.Daily.Length {
				t.Errorf("%s devices down at one time of day: local %+v, postgres %+v", what, a.Daily, b.Daily)
			}
			for _, f := range [][2]float64{{a.Daily.Weight, b.Daily.Weight}, {a.Daily.Cos, b.Daily.Cos}, {a.Daily.Sin, b.Daily.Sin}} {
				if math.Abs(f[0]-f[1]) > 1e-9*max(math.Abs(f[0]), 1) {
					t.Errorf("%s devices down at one time of day: local %+v, postgres %+v", what, a.Daily, b.Daily)
				}
			}
		}
		modes("always", u.Always, v.Always)
		modes("check-in", u.Checkin, v.Checkin)
		if len(u.ByProfile) != len(v.ByProfile) {
			t.Errorf("profiles: local %+v, postgres %+v", u.ByProfile, v.ByProfile)
		} else {
			for k, a := range u.ByProfile {
				b := v.ByProfile[k]
				if a.Profile != b.Profile || a.Checkin != b.Checkin {
					t.Errorf("profile %d: local %s/%v, postgres %s/%v", k, a.Profile, a.Checkin, b.Profile, b.Checkin)
				}
				modes("profile "+a.Profile, a.ModeUptime, b.ModeUptime)
			}
		}
	}
	if (want.MAD == nil) != (got.MAD == nil) {
		t.Fatalf("MAD: local %v, postgres %v", want.MAD, got.MAD)
	}
	if m, n := want.MAD, got.MAD; m != nil {
		if *m != *n {
			t.Errorf("MAD: local %+v, postgres %+v", *m, *n)
		}
	}
	if len(want.Months) != len(got.Months) {
		t.Errorf("months: local %d, postgres %d", len(want.Months), len(got.Months))
	} else {
		for i, m := range want.Months {
			n := got.Months[i]
			if m.Label != n.Label || m.MAD != n.MAD || m.ObservedUS != n.ObservedUS || m.Rows != n.Rows {
				t.Errorf("month %s: local %+v, postgres %+v", m.Label, m, n)
			}
			eq("uptime "+m.Label, m.Uptime, n.Uptime)
		}
	}
	if (want.Activation == nil) != (got.Activation == nil) {
		t.Fatalf("activation: local %v, postgres %v", want.Activation, got.Activation)
	}
	if a, b := want.Activation, got.Activation; a != nil {
		eqi("cohort shipped", int64(a.Shipped), int64(b.Shipped))
		eqi("cohort activated", int64(a.Activated), int64(b.Activated))
		eqi("activated at shipping", int64(a.AtShipping), int64(b.AtShipping))
		eqi("window cohort activated at shipping", int64(a.Cohort.AtShipping), int64(b.Cohort.AtShipping))
		eq("activation", a.Rate, b.Rate)
		sameCohorts := func(what string, a, b []metrics.Cohort) {
			t.Helper()
			if len(a) != len(b) {
				t.Errorf("%s: local %+v, postgres %+v", what, a, b)
				return
			}
			for i := range a {
				if x, y := a[i], b[i]; x.Label != y.Label || x.Shipped != y.Shipped || x.Activated != y.Activated || x.Mature != y.Mature || x.AtShipping != y.AtShipping {
					t.Errorf("%s cohort %s: local %+v, postgres %+v", what, x.Label, x, y)
				}
			}
		}
		if a.Mature != b.Mature {
			t.Errorf("activation: local %+v, postgres %+v", *a, *b)
		}
		sameCohorts("activation", a.ByMonth, b.ByMonth)
		if len(a.ByProfile) != len(b.ByProfile) {
			t.Errorf("activation by profile: local %+v, postgres %+v", a.ByProfile, b.ByProfile)
		} else {
			for i := range a.ByProfile {
				x, y := a.ByProfile[i], b.ByProfile[i]
				if x.Profile != y.Profile || x.Shipped != y.Shipped || x.Activated != y.Activated || x.Mature != y.Mature || x.Cohort.AtShipping != y.Cohort.AtShipping {
					t.Errorf("activation of profile %s: local %+v, postgres %+v", x.Profile, x, y)
				}
				sameCohorts("activation of "+x.Profile, x.ByMonth, y.ByMonth)
			}
		}
	}
	if (want.OTA == nil) != (got.OTA == nil) {
		t.Fatalf("OTA: local %v, postgres %v", want.OTA, got.OTA)
	}
	if a, b := want.OTA, got.OTA; a != nil {
		eq("OTA", a.Rate, b.Rate)
		if len(a.Jobs) != len(b.Jobs) || a.Success != b.Success || a.Failure != b.Failure || a.Excluded != b.Excluded || a.Pending != b.Pending {
			t.Errorf("OTA: local %+v, postgres %+v", *a, *b)
		}
		for i := range min(len(a.Jobs), len(b.Jobs)) {
			x, y := a.Jobs[i], b.Jobs[i]
			if x.Job != y.Job || x.Success != y.Success || x.Failure != y.Failure || x.Excluded != y.Excluded || x.Pending != y.Pending {
				t.Errorf("OTA job: local %+v, postgres %+v", x, y)
			}
		}
		if len(a.ByProfile) != len(b.ByProfile) {
			t.Errorf("OTA by profile: local %+v, postgres %+v", a.ByProfile, b.ByProfile)
		}
		for i := range min(len(a.ByProfile), len(b.ByProfile)) {
			x, y := a.ByProfile[i], b.ByProfile[i]
			if x.Profile != y.Profile || x.Success != y.Success || x.Failure != y.Failure || x.Excluded != y.Excluded || x.Pending != y.Pending {
				t.Errorf("OTA of profile %s: local %+v, postgres %+v", x.Profile, x, y)
			}
		}
	}
	if (want.Firmware == nil) != (got.Firmware == nil) {
		t.Fatalf("firmware: local %v, postgres %v", want.Firmware, got.Firmware)
	}
	if a, b := want.Firmware, got.Firmware; a != nil {
		eq("firmware on target", a.Value, b.Value)
		if a.At != b.At || a.Devices != b.Devices || a.Unknown != b.Unknown || a.NoOTA != b.NoOTA || a.OnTarget != b.OnTarget ||
			a.Ambiguous != b.Ambiguous || a.AmbiguousDevice != b.AmbiguousDevice || !slices.Equal(a.Versions, b.Versions) {
			t.Errorf("firmware: local %+v, postgres %+v", *a, *b)
		}
	}
	if len(want.Customers) != len(got.Customers) {
		t.Fatalf("customers: local %d, postgres %d", len(want.Customers), len(got.Customers))
	}
	for i, c := range want.Customers {
		d := got.Customers[i]
		if c.Customer != d.Customer || c.Devices != d.Devices || c.Band != d.Band {
			t.Errorf("customer %d: local %s %d %s, postgres %s %d %s", i, c.Customer, c.Devices, c.Band, d.Customer, d.Devices, d.Band)
		}
		eq("score "+c.Customer, c.Score, d.Score)
		if c.Sparse != d.Sparse {
			t.Errorf("customer %s's sparse devices: local %+v, postgres %+v", c.Customer, c.Sparse, d.Sparse)
		}
	}
}

func sameStats(t *testing.T, want map[planfile.InputKind]*export.Stats, got []*export.Stats) {
	t.Helper()
	for _, st := range got {
		w := want[st.Kind]
		if w.Read != st.Read || w.Used != st.Used || w.Outside != st.Outside || w.Duplicates != st.Duplicates ||
			w.UnknownDevices != st.UnknownDevices || w.Earliest != st.Earliest || w.Latest != st.Latest || !maps.Equal(w.Skipped, st.Skipped) {
			t.Errorf("rows %s: local read %d used %d outside %d dup %d unknown %d span %d..%d skipped %v; postgres read %d used %d outside %d dup %d unknown %d span %d..%d skipped %v",
				st.Kind, w.Read, w.Used, w.Outside, w.Duplicates, w.UnknownDevices, w.Earliest, w.Latest, w.Skipped,
				st.Read, st.Used, st.Outside, st.Duplicates, st.UnknownDevices, st.Earliest, st.Latest, st.Skipped)
		}
		// (same-instant pairs are counted over different spans: every
		// event read by the file reader, the span the walk counts in SQL;
		// TestSameInstantWarned compares them where those agree)
		if w.RepeatedHour != st.RepeatedHour {
			t.Errorf("rows %s: local repeated-hour times %d (%s); postgres %d (%s)", st.Kind, w.RepeatedHour, w.RepeatedHourExample, st.RepeatedHour, st.RepeatedHourExample)
		}
	}
}

// exampleInputs loads the example planning repo's exports into schema and
// returns them as files and as tables — in a variety of column types: a
// date, epoch milliseconds, epoch seconds, timestamp (no zone) and
// timestamptz.
func exampleInputs(t testing.TB, e *pgtest.Engine, conn *pgx.Conn, schema, dir string) (map[planfile.InputKind]export.Input, map[planfile.InputKind]Input) {
	pgtest.Example(t, conn, schema, dir)
	// Users' tables name their columns their own way: none of the
	// id, customer or time columns below is named like iotpm's role.
	for _, r := range [][3]string{
		{"devices", "device_id", "unit_ref"}, {"devices", "customer_id", "account"},
		{"usage", "device_id", "unit"}, {"tickets", "customer_id", "acct"},
	} {
		if _, err := conn.Exec(context.Background(), fmt.Sprintf("ALTER TABLE %s.%s RENAME COLUMN %s TO %s", schema, r[0], r[1], r[2])); err != nil {
			t.Fatal(err)
		}
	}
	files := exampleFiles(dir)
	tables := map[planfile.InputKind]Input{
		"devices": {Kind: "devices", Table: schema + ".devices", Columns: cols("device_id=unit_ref", "shipped_at=shipped_at", "customer_id=account")},
		"events":  {Kind: "events", Table: schema + ".lifecycle", Columns: cols("device_id=clientId", "timestamp=ts_ms:ms", "event=event_type")},
		"ota":     {Kind: "ota", Table: schema + ".ota", Columns: cols("device_id=thing_name", "job_id=job_id", "status=status", "timestamp=last_updated_at:s")},
		"usage":   {Kind: "usage", Table: schema + ".usage", Columns: cols("device_id=unit", "feature=feature", "timestamp=ts")},
		"tickets": {Kind: "tickets", Table: schema + ".tickets", Zone: "UTC", Columns: cols("customer_id=acct", "created_at=created_at")},
	}
	if pgtest.HasModel(dir) {
		tables["devices"].Columns["model"] = planfile.ColumnRef{Column: "model"}
	}
	if pgtest.HasColumn(dir, "devices.csv", "firmware") {
		tables["devices"].Columns["firmware"] = planfile.ColumnRef{Column: "firmware"}
	}
	if pgtest.HasColumn(dir, "ota.csv", "version") {
		tables["ota"].Columns["version"] = planfile.ColumnRef{Column: "version"}
	}
	if pgtest.HasColumn(dir, "tickets.csv", "ticket_id") {
		// the ticket id too, under a name of the table's own
		if _, err := conn.Exec(context.Background(), "ALTER TABLE "+schema+".tickets RENAME COLUMN ticket_id TO ref"); err != nil {
			t.Fatal(err)
		}
		tables["tickets"].Columns["ticket_id"] = planfile.ColumnRef{Column: "ref"}
	}
	if _, err := os.Stat(filepath.Join(dir, "uplinks.csv")); err == nil {
		if _, err := conn.Exec(context.Background(), "ALTER TABLE "+schema+".uplinks RENAME COLUMN device_id TO eui"); err != nil {
			t.Fatal(err)
		}
		tables["activity"] = Input{Kind: "activity", Table: schema + ".uplinks", Columns: cols("device_id=eui", "timestamp=received_at")}
	}
	spread(t, e, conn, tables)
	return files, tables
}

// exampleFiles are the example repo's exports in dir (or exports of the
// same names and shapes) as file inputs.
func exampleFiles(dir string) map[planfile.InputKind]export.Input {
	files := map[planfile.InputKind]export.Input{
		"devices": {Kind: "devices", Path: filepath.Join(dir, "devices.csv")},
		"events":  {Kind: "events", Path: filepath.Join(dir, "lifecycle.csv"), Format: "aws-iot-lifecycle"},
		"ota":     {Kind: "ota", Path: filepath.Join(dir, "ota.csv"), Format: "aws-iot-jobs"},
		"usage":   {Kind: "usage", Path: filepath.Join(dir, "usage.csv")},
		"tickets": {Kind: "tickets", Path: filepath.Join(dir, "tickets.csv"), Zone: time.UTC, ZoneName: "UTC"},
	}
	if _, err := os.Stat(filepath.Join(dir, "uplinks.csv")); err == nil {
		files["activity"] = export.Input{Kind: "activity", Path: filepath.Join(dir, "uplinks.csv")}
	}
	return files
}

// sameAsLocal computes the metrics of options o from the files and from
// the tables, requires the same report and rows' accounting, and returns
// the tables' result.
func sameAsLocal(t *testing.T, conn *pgx.Conn, files map[planfile.InputKind]export.Input, tables map[planfile.InputKind]Input, o metrics.Options) *Result {
	t.Helper()
	want, wantStats := local(t, files, o)
	got, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
	if err != nil {
		t.Fatal(err)
	}
	same(t, want, got.Report)
	sameStats(t, wantStats, got.Stats)
	return got
}

func TestExampleRepoSameAsLocal(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		files, tables := exampleInputs(t, e, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
		for _, month := range []string{"2026-10", "2026-09", "2026-06"} {
			t.Run(month, func(t *testing.T) {
				sameAsLocal(t, conn, files, tables, options(month))
			})
		}
		// without the events input, as a fleet whose platform logs no
		// connection events: uptime and health from the LoRaWAN
		// sensors' uplinks alone (the check-in devices')
		t.Run("2026-10 without events", func(t *testing.T) {
			delete(files, "events")
			delete(tables, "events")
			got := sameAsLocal(t, conn, files, tables, options("2026-10"))
			u := got.Report.Uptime
			if u == nil || !u.ActivityOnly || u.Checkin.Devices == 0 || u.Always.Devices != 0 || u.ObservedUS == 0 {
				t.Errorf("uptime from activity alone: %+v", u)
			}
			withUptime := 0
			for _, c := range got.Report.Customers {
				if c.UptimeWeight > 0 {
					withUptime++
				}
			}
			if withUptime == 0 {
				t.Errorf("no customer's health has an uptime component: %+v", got.Report.Customers)
			}
		})
	})
}

// TestFirmwareAfterReleaseSameAsLocal: metrics.firmware.after_release
// reads a suffix as a fix after its release in both engines. With the
// target 2.4.0-hotfix1 and after_release [hotfix], the example's devices
// on 2.4.0 are before it (off target); by semantic versioning alone,
// 2.4.0 is after the pre-release 2.4.0-hotfix1 (on target): the share
// falls by the 2.4.0 devices, the same in the tables as in the files.
func TestFirmwareAfterReleaseSameAsLocal(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		files, tables := exampleInputs(t, e, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
		o := options("2026-10")
		o.FirmwareTarget = "2.4.0-hotfix1"
		plain := sameAsLocal(t, conn, files, tables, o).Report.Firmware
		o.FirmwareAfter = []string{"hotfix"}
		after := sameAsLocal(t, conn, files, tables, o).Report.Firmware
		on240 := 0
		for _, v := range plain.Versions {
			if v.Version == "2.4.0" {
				on240 = v.Devices
			}
		}
		if on240 == 0 || plain.OnTarget-after.OnTarget != on240 {
			t.Errorf("on target %d by semantic versioning, %d with after_release: want a difference of the %d devices on 2.4.0", plain.OnTarget, after.OnTarget, on240)
		}
	})
}

// TestGeneratedFleetSameAsLocal: a million events of 10,000 devices from
// tools/genexports (out-of-order delivery, duplicates, outages, OTA
// retries), both engines, every value.
func TestGeneratedFleetSameAsLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 1M-event comparison")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./tools/genexports", "-out", dir, "-devices", "10000", "-events", "1000000")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("genexports: %v\n%s", err, out)
	}
	wants := map[string]metrics.Report{}
	wantStats := map[string]map[planfile.InputKind]*export.Stats{}
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		files, tables := exampleInputs(t, e, conn, schema, dir)
		for _, month := range []string{"2026-10", "2026-08"} {
			o := options(month)
			if _, ok := wants[month]; !ok {
				wants[month], wantStats[month] = local(t, files, o)
			}
			want := wants[month]
			got, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: uptime %.9f over %d devices, MAD %d, activation %.6f, OTA %.6f, %d customers",
				month, want.Uptime.Value, want.Uptime.Devices, want.MAD.Value, want.Activation.Rate, want.OTA.Rate, len(want.Customers))
			same(t, want, got.Report)
			sameStats(t, wantStats[month], got.Stats)
		}
	})
}

// The --print-sql script runs in psql as printed and gives the counts Run
// brings back.
func TestScriptRunsInPsql(t *testing.T) {
	conn, schema := testConn(t)
	_, tables := exampleInputs(t, pgtest.Postgres, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed (scripts/with-postgres installs PostgreSQL with it)")
	}
	o := options("2026-10")
	job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}
	script, err := Script(job)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "metrics.sql")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", path, os.Getenv("IOTPM_TEST_DSN")).CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	res, err := Run(context.Background(), conn, job)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	u := res.Report.Uptime
	for _, want := range []string{fmt.Sprintf(`"connected_us":%d,"observed_us":%d,"devices":%d,`, u.ConnectedUS, u.ObservedUS, u.Devices),
		fmt.Sprintf(`"i":0,"active":%d,`, res.Report.MAD.Value)} {
		if !strings.Contains(text, want) {
			t.Errorf("the device metrics lack %s:\n%s", want, text)
		}
	}
	// the activation rows are by ship month and profile
	// (month|profile|shipped|activated|...): a month's are its profiles'
	monthRow := regexp.MustCompile(`(?m)^(\d{4}-\d{2})\|[^|\n]*\|(\d+)\|(\d+)\|`)
	byMonth := map[string][2]int{}
	for _, m := range monthRow.FindAllStringSubmatch(text, -1) {
		s, _ := strconv.Atoi(m[2])
		a, _ := strconv.Atoi(m[3])
		byMonth[m[1]] = [2]int{byMonth[m[1]][0] + s, byMonth[m[1]][1] + a}
	}
	for _, c := range res.Report.Activation.ByMonth {
		if got := byMonth[c.Label]; got != [2]int{c.Shipped, c.Activated} {
			t.Errorf("cohort %+v: psql's rows add up to %d shipped, %d activated", c, got[0], got[1])
		}
	}
	// the OTA rows are by job and profile (job|profile|success|failure|
	// excluded|pending): a job's are its profiles'
	byJob := map[string][4]int{}
	for _, j := range res.Report.OTA.Jobs {
		byJob[j.Job] = [4]int{}
	}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "|")
		if _, ok := byJob[f[0]]; !ok || len(f) != 6 {
			continue
		}
		var n [4]int
		for k := range n {
			n[k], _ = strconv.Atoi(f[2+k])
		}
		sum := byJob[f[0]]
		for k := range n {
			sum[k] += n[k]
		}
		byJob[f[0]] = sum
	}
	for _, j := range res.Report.OTA.Jobs {
		if got := byJob[j.Job]; got != [4]int{j.Success, j.Failure, j.Excluded, j.Pending} {
			t.Errorf("job %+v: psql's rows add up to %v", j, got)
		}
	}
	for _, c := range res.Report.Customers {
		if !strings.Contains(text, fmt.Sprintf(`"customer_id":%q,"devices":%d,`, c.Customer, c.Devices)) {
			t.Errorf("customer %s missing from psql's output", c.Customer)
		}
	}
}
