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
