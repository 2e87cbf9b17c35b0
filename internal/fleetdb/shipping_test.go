package fleetdb

import (
	"testing"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
)

// TestActivatedAtShipping holds the SQL to pkg/metrics'
// TestActivatedAtShipping: six devices shipped 1 Oct 10:00; a connects
// 10:20, b 11:00 (the hour is half-open), c has an uplink 10:59:59, d
// connects three days later, e tests at 09:50 (before shipping: not
// counted) and connects 10:30, f never: 5 activated, 3 of them within the
// hour; g, shipped 15 Sep 10:00, connects 10:10: 4 in all, 3 in the
// window's cohort and October's, 1 in September's — in every engine, as
// the files give.
func TestActivatedAtShipping(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeCSV(t, dir, name, text) }
	devices := write("devices.csv", "device_id,shipped_at\n"+
		"a,2026-10-01T10:00:00Z\nb,2026-10-01T10:00:00Z\nc,2026-10-01T10:00:00Z\nd,2026-10-01T10:00:00Z\ne,2026-10-01T10:00:00Z\nf,2026-10-01T10:00:00Z\ng,2026-09-15T10:00:00Z\n")
	events := write("events.csv", "device_id,timestamp,event\n"+
		"a,2026-10-01T10:20:00Z,connected\nb,2026-10-01T11:00:00Z,connected\nd,2026-10-04T10:00:00Z,connected\n"+
		"e,2026-10-01T09:50:00Z,connected\ne,2026-10-01T09:55:00Z,disconnected\ne,2026-10-01T10:30:00Z,connected\ng,2026-09-15T10:10:00Z,connected\n")
	activity := write("activity.csv", "device_id,timestamp\nc,2026-10-01T10:59:59Z\n")
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		load(t, conn, schema, "devices", "device_id text, shipped_at timestamptz", devices)
		load(t, conn, schema, "events", "device_id text, ts timestamptz, event text", events)
		load(t, conn, schema, "activity", "device_id text, ts timestamptz", activity)
		files := map[planfile.InputKind]export.Input{"devices": {Kind: "devices", Path: devices}, "events": {Kind: "events", Path: events}, "activity": {Kind: "activity", Path: activity}}
		tables := map[planfile.InputKind]Input{
			"devices":  {Kind: "devices", Table: schema + ".devices", Columns: cols("device_id=device_id", "shipped_at=shipped_at")},
			"events":   {Kind: "events", Table: schema + ".events", Columns: cols("device_id=device_id", "timestamp=ts", "event=event")},
			"activity": {Kind: "activity", Table: schema + ".activity", Columns: cols("device_id=device_id", "timestamp=ts")},
		}
		spread(t, e, conn, tables)
		o := options("2026-10")
		o.AsOf = o.Window.To
		got := sameAsLocal(t, conn, files, tables, o)
		a := got.Report.Activation
		if a == nil || a.Activated != 5 || a.AtShipping != 4 || a.Cohort.AtShipping != 3 {
			t.Fatalf("activation %+v: want 5 activated, 3 of them within the hour, 4 in all", a)
		}
		for _, c := range a.ByMonth {
			if want := map[string]int{"2026-09": 1, "2026-10": 3}[c.Label]; c.AtShipping != want {
				t.Errorf("ship month %s: %d at shipping, want %d", c.Label, c.AtShipping, want)
			}
		}
	})
}
