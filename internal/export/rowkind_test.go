package export

import (
	"compress/gzip"
	"maps"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// TestRowKinds: every bad row is counted under its typed kind, and its
// error carries the same kind, whichever reader (sequential, split by
// offset, gzip stream) read it; the kinds' keys are the output contract.
func TestRowKinds(t *testing.T) {
	const events = "device_id,timestamp,event\n" +
		"d1,2026-10-01T00:00:00Z,connected\n" +
		"d1,2026-10-01T01:00:00Z\n" + // wrong field count
		",2026-10-01T02:00:00Z,connected\n" + // empty device_id
		"d1,yesterday,connected\n" + // unparseable timestamp
		"d1,2026-10-01T03:00:00Z,rebooted\n" + // unknown event value
		"Device_ID, timestamp ,event\n" + // a second export's header: exports joined with cat
		"d1,2026-10-01T04:00:00Z,disconnected\n"
	const devices = "device_id,shipped_at,retired_at\n" +
		"d1,2026-09-01T00:00:00Z,\n" +
		"d2,2026-09-01T00:00:00Z,soon\n" + // unparseable retired_at
		",2026-09-01T00:00:00Z,\n" + // empty device_id
		"device_id,shipped_at,retired_at\n" // the header again
	want := map[planfile.InputKind]map[RowKind]int{
		"events": {
			{Problem: WrongFieldCount}: 1, {EmptyValue, "device_id"}: 1, {BadTimestamp, "timestamp"}: 1, {UnknownValue, "event"}: 1, {Problem: RepeatedHeader}: 1,
		},
		"devices": {{BadTimestamp, "retired_at"}: 1, {EmptyValue, "device_id"}: 1, {Problem: RepeatedHeader}: 1},
	}
	keys := map[RowKind]string{
		{Problem: WrongFieldCount}: "wrong field count", {EmptyValue, "device_id"}: "empty device_id",
		{BadTimestamp, "timestamp"}: "unparseable timestamp", {UnknownValue, "event"}: "unknown event value",
		{BadTimestamp, "retired_at"}: "unparseable timestamp", {Problem: UnclosedQuote}: "unclosed quote",
		{Problem: RepeatedHeader}: "repeated header",
	}
	dir := t.TempDir()
	write := func(name, text string, gz bool) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if !gz {
			f.WriteString(text)
			return path
		}
		z := gzip.NewWriter(f)
		z.Write([]byte(text))
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tt := range []struct {
		name string
		kind planfile.InputKind
		path string
	}{
		{"events split by offset", "events", write("events.csv", events, false)},
		{"events gzip stream", "events", write("events.csv.gz", events, true)},
		{"devices sequential", "devices", write("devices.csv", devices, false)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
			st, err := g.Read(Input{Kind: tt.kind, Path: tt.path, Format: "generic"})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(st.Skipped, want[tt.kind]) {
				t.Errorf("skipped %v, want %v", st.Skipped, want[tt.kind])
			}
			errs := map[RowKind]int{}
			for _, e := range st.Errors {
				errs[e.Kind]++
				if e.Line < 2 {
					t.Errorf("%v at line %d", e.Kind, e.Line)
				}
			}
			if !maps.Equal(errs, want[tt.kind]) {
				t.Errorf("errors by kind %v, want %v", errs, want[tt.kind])
			}
		})
	}
	for k, key := range keys {
		if k.String() != key {
			t.Errorf("%#v keyed %q, want %q", k, k.String(), key)
		}
	}
}

// A ticket id Excel turned into a number in scientific notation would make
// several tickets one: a bad row, as a mangled device id is.
func TestTicketIDExcelMangled(t *testing.T) {
	st, _ := ingest(t, "tickets", "ticket_id,customer_id,created_at\n1.23457E+11,acme,2026-10-05T09:00:00Z\n123457000001,acme,2026-10-05T10:00:00Z\n")
	if st.Skipped[RowKind{ExcelNumber, "ticket_id"}] != 1 || st.Used != 1 {
		t.Errorf("%+v", st)
	}
}
