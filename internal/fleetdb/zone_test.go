package fleetdb

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
)

// TestLocalTimestampColumns: a timestamp (without time zone) column is
// read in the input's zone by the file reader's rules, which differ from
// PostgreSQL's AT TIME ZONE at both daylight-saving transitions. In
// Europe/Berlin, October 2026, no devices input:
//
//   - d1 connects at 2026-10-25 02:30, an hour that occurs twice: the
//     first occurrence, CEST, 00:30Z (PostgreSQL alone: 01:30Z). It
//     disconnects at 04:00 CET = 03:00Z: connected 2.5 h of 167.5 h
//     observed (to 1 Nov 00:00Z).
//   - d2 connects on 1 Oct 00:00 CEST = 30 Sep 22:00Z: 744 h of 744 h.
//
// Uptime = (2.5 + 744) / (167.5 + 744). A row at 2026-03-29 02:30, an
// hour that never occurs, is a bad row in both engines (PostgreSQL
// alone: 03:30 CEST).
func TestLocalTimestampColumns(t *testing.T) {
	conn, schema := testConn(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "events.csv")
	csv := "device_id,ts,event\n" +
		"d1,2026-10-25 02:30:00,connected\n" +
		"d1,2026-10-25 04:00:00,disconnected\n" +
		"d2,2026-10-01 00:00:00,connected\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, conn, schema, "local_events", "device_id text, ts timestamp, event text", path)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	files := map[planfile.InputKind]export.Input{"events": {Kind: "events", Path: path, Zone: berlin, ZoneName: "Europe/Berlin"}}
	tables := map[planfile.InputKind]Input{"events": {Kind: "events", Table: schema + ".local_events", Zone: "Europe/Berlin",
		Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}}
	o := options("2026-10")
	o.AsOf = o.Window.To // H = 1 Nov 00:00Z
	want, wantStats := local(t, files, o)
	got, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To})
	if err != nil {
		t.Fatal(err)
	}
	if hand := (2.5 + 744) / (167.5 + 744); math.Abs(want.Uptime.Value-hand) > 1e-12 || math.Abs(got.Report.Uptime.Value-hand) > 1e-12 {
		t.Errorf("uptime: files %v, postgres %v, by hand %v", want.Uptime.Value, got.Report.Uptime.Value, hand)
	}
	same(t, want, got.Report)
	sameStats(t, wantStats, got.Stats)
	// d1's connect is in the repeated hour: said by both engines
	if st := got.Stats[0]; st.RepeatedHour != 1 || st.RepeatedHourExample != `"2026-10-25 02:30:00" in Europe/Berlin` {
		t.Errorf("repeated hour: %d (%s), want 1", st.RepeatedHour, st.RepeatedHourExample)
	}

	// a local time that never occurs: a bad row in both engines
	if err := os.WriteFile(path, []byte(csv+"d2,2026-03-29 02:30:00,disconnected\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, conn, schema, "skipped_events", "device_id text, ts timestamp, event text", path)
	_, wantStats = local(t, files, o)
	if wantStats["events"].SkippedTotal() != 1 {
		t.Errorf("files: %d bad rows, want 1", wantStats["events"].SkippedTotal())
	}
	tables["events"] = Input{Kind: "events", Table: schema + ".skipped_events", Zone: "Europe/Berlin", Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}
	_, err = Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To})
	if err == nil || !strings.Contains(err.Error(), `1 rows with timestamp is a local time that does not occur in Europe/Berlin (skipped when daylight saving time starts) (for example a row of device "d2"; the values are not shown)`) {
		t.Errorf("a skipped local time: %v", err)
	}

	// no zone: refused at the mapping, never read as UTC
	tables["events"] = Input{Kind: "events", Table: schema + ".local_events", Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}
	_, err = Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To})
	if err == nil || !strings.Contains(err.Error(), "is timestamp without time zone, whose values have no zone: name it with tz: on the input") {
		t.Errorf("without a zone: %v", err)
	}
}

// A row later than the clock plus a day is a bad row in SQL too, naming
// the column and an example, as the file reader does.
func TestFutureRowsAreBadRows(t *testing.T) {
	conn, schema := testConn(t)
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte("device_id,ts,event\nd1,2026-10-01T00:00:00Z,connected\nd1,9999-12-31T00:00:00Z,disconnected\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, conn, schema, "future_events", "device_id text, ts timestamptz, event text", path)
	tables := map[planfile.InputKind]Input{"events": {Kind: "events", Table: schema + ".future_events", Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}}
	o := options("2026-10")
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	_, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To, Now: now})
	if err == nil || !strings.Contains(err.Error(), "1 rows with timestamp is later than the clock by more than a day") || !strings.Contains(err.Error(), `a row of device "d1"`) || strings.Contains(err.Error(), "9999-12-31") {
		// (the value is not shown; the test schema's name, t_PID_N, may
		// hold 9999 itself: the check once failed on process 9999)
		t.Errorf("a row from the future: %v", err)
	}
	// without a clock (as with --as-of) the row is not checked
	if _, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To}); err != nil {
		t.Errorf("without a clock: %v", err)
	}
}

// TestSameInstantWarned: a connect and a disconnect of one device at the
// same instant, in a table without a sequence, are counted with the first
// of them, as the file reader counts them — over the span the SQL walk
// counts (from the series' first month on), where the file reader counts
// every event it reads. October 2026, a 12-month series: d1 disconnects
// and connects at 12:00 on 10 Oct (counted by both); d2 at 2025-01-05
// 08:00, before the series (counted by the file reader alone). A
// sequence column orders them: none counted.
func TestSameInstantWarned(t *testing.T) {
	conn, schema := testConn(t)
	path := filepath.Join(t.TempDir(), "events.csv")
	csv := "device_id,ts,event,seq\n" +
		"d1,2026-10-10T10:00:00Z,connected,1\n" +
		"d1,2026-10-10T12:00:00Z,disconnected,2\n" +
		"d1,2026-10-10T12:00:00Z,connected,3\n" +
		"d1,2026-10-10T13:00:00Z,disconnected,4\n" +
		"d2,2025-01-05T07:00:00Z,connected,1\n" +
		"d2,2025-01-05T08:00:00Z,connected,2\n" +
		"d2,2025-01-05T08:00:00Z,disconnected,3\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, conn, schema, "same_events", "device_id text, ts timestamptz, event text, seq int", path)
	o := options("2026-10")
	files := map[planfile.InputKind]export.Input{"events": {Kind: "events", Path: path, Format: "generic"}}
	_, wantStats := local(t, files, o)
	if st := wantStats["events"]; st.SameInstant != 2 {
		t.Errorf("files: %d same-instant pairs, want 2", st.SameInstant)
	}
	tables := map[planfile.InputKind]Input{"events": {Kind: "events", Table: schema + ".same_events", Columns: cols("device_id=device_id", "timestamp=ts", "event=event")}}
	got, err := Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To})
	if err != nil {
		t.Fatal(err)
	}
	if st := got.Stats[0]; st.SameInstant != 1 || st.SameInstantExample != `"d1" at 2026-10-10T12:00:00Z` {
		t.Errorf("postgres: %d same-instant pairs (%s), want 1 (d1 at 12:00)", st.SameInstant, st.SameInstantExample)
	}
	tables["events"].Columns["sequence"] = planfile.ColumnRef{Column: "seq"}
	got, err = Run(context.Background(), conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To})
	if err != nil {
		t.Fatal(err)
	}
	if st := got.Stats[0]; st.SameInstant != 0 {
		t.Errorf("postgres with a sequence: %d same-instant pairs, want 0", st.SameInstant)
	}
}
