package export

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// readWith reads csv as one input of kind with the formats of a repo's
// iotpm.yaml (formatsYAML, the formats: list; "" for none), the named
// format (or detection) and the zone (or none).
func readWith(t *testing.T, kind planfile.InputKind, csv, formatsYAML, format, tz, order string) (*Stats, *metrics.Data, error) {
	t.Helper()
	var own []*Format
	if formatsYAML != "" {
		var cfg planfile.ConfigFile
		if diags := planfile.Decode("iotpm.yaml", []byte("formats:\n"+formatsYAML), &cfg); diags.HasErrors() {
			t.Fatalf("formats: %v", diags)
		}
		var diags diag.List
		own, diags = CompileFormats("iotpm.yaml", cfg.Formats, Builtins())
		if diags.HasErrors() {
			t.Fatalf("formats: %v", diags)
		}
	}
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return ingestFile(t, kind, path, NewFormats(own), format, tz, order)
}

func errorsText(st *Stats) string {
	var out []string
	for _, e := range st.Errors {
		out = append(out, e.Error())
	}
	return strings.Join(out, "\n")
}

const layoutFormat = `  - name: hub-log
    kind: events
    columns: {device_id: unit, timestamp: at, event: what}
    time: {layout: "02/01/2006 15:04:05", local: true}
`

// Defect 1: a layout's zone-less times with local: true are refused until
// tz names the zone (they were read as UTC).
func TestLayoutLocalNeedsAZone(t *testing.T) {
	csv := "unit,at,what\nu1,10/10/2026 13:00:00,connected\n"
	st, _, err := readWith(t, "events", csv, layoutFormat, "hub-log", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 0 || st.SkippedTotal() != 1 || !strings.Contains(errorsText(st), "has no zone and this format's times are local") {
		t.Errorf("used %d skipped %d: %s", st.Used, st.SkippedTotal(), errorsText(st))
	}
	_, d, err := readWith(t, "events", csv, layoutFormat, "hub-log", "Europe/Berlin", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := evs(t, d, "u1"); !slices.Equal(got, []string{"11:00:00 C"}) {
		t.Errorf("events %v, want 11:00 UTC (13:00 CEST)", got)
	}
}

// A layout of a date alone ("13.08.2026", an ERP's ship date) reads a
// day: midnight UTC without the zone-less note that stops a run (a bare
// ISO 8601 date needs no zone either), or midnight in the input's zone.
// Such layouts were refused ("not a Go time layout with a date and
// time"), so a regional ship date could not be read at all.
func TestLayoutDateOnly(t *testing.T) {
	const format = `  - name: erp-devices
    kind: events
    columns: {device_id: unit, timestamp: at, event: what}
    time: {layout: "2.1.2006"}
`
	csv := "unit,at,what\nu1,13.08.2026,connected\nu2,1.9.2026,connected\n"
	st, d, err := readWith(t, "events", csv, format, "erp-devices", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 2 || st.TimeNotes != (TimeNotes{}) {
		t.Errorf("used %d, notes %+v: %s", st.Used, st.TimeNotes, errorsText(st))
	}
	for id, want := range map[string]time.Time{"u1": time.Date(2026, 8, 13, 0, 0, 0, 0, time.UTC), "u2": time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)} {
		if got := d.DeviceEvents(id); len(got) != 1 || got[0].At != want.UnixMicro() {
			t.Errorf("%s: %v, want %s", id, got, want)
		}
	}
	_, d, err = readWith(t, "events", csv, format, "erp-devices", "Europe/Berlin", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.DeviceEvents("u1"), time.Date(2026, 8, 12, 22, 0, 0, 0, time.UTC); len(got) != 1 || got[0].At != want.UnixMicro() {
		t.Errorf("u1 in Europe/Berlin: %v, want %s (midnight CEST)", got, want)
	}
}

// Defect 2: daylight saving on the layout path follows the built-in
// parser: a skipped local hour is a bad row, a repeated one its first
// occurrence.
func TestLayoutDaylightSaving(t *testing.T) {
	csv := "unit,at,what\nu1,29/03/2026 02:30:00,connected\nu2,25/10/2026 02:30:00,connected\n"
	st, d, err := readWith(t, "events", csv, layoutFormat, "hub-log", "Europe/Berlin", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.SkippedTotal() != 1 || !strings.Contains(errorsText(st), "does not exist") {
		t.Errorf("skipped %d: %s", st.SkippedTotal(), errorsText(st))
	}
	got := d.DeviceEvents("u2")
	if want := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC).UnixMicro(); len(got) != 1 || got[0].At != want {
		t.Errorf("u2 %v, want 00:30Z (02:30 CEST, the first occurrence)", got)
	}
	// a layout with an abbreviation Go does not know is refused, not UTC
	abbr := strings.Replace(layoutFormat, `"02/01/2006 15:04:05", local: true`, `"02/01/2006 15:04:05 MST"`, 1)
	st, _, err = readWith(t, "events", "unit,at,what\nu1,10/10/2026 13:00:00 CEST,connected\n", abbr, "hub-log", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 0 || !strings.Contains(errorsText(st), "abbreviation") {
		t.Errorf("used %d: %s", st.Used, errorsText(st))
	}
}

// Defect 3: a list of columns is the first non-empty per row for the
// event and status roles too, and values.ignore applies to whichever
// column the value came from.
func TestFirstNonEmptyValueColumnPerRow(t *testing.T) {
	format := `  - name: two-cols
    kind: events
    columns: {device_id: dev, timestamp: ts, event: [state, status]}
    values: {connect: [online], disconnect: [offline], ignore: [PING]}
`
	// 200+ rows where only status is filled would have made the sample
	// pick status for the whole file; the rows after them use state.
	var b strings.Builder
	b.WriteString("dev,ts,state,status\n")
	for i := range 250 {
		b.WriteString("p" + strings.Repeat("x", i%3) + ",2026-10-10T10:00:00Z,,PING\n")
	}
	b.WriteString("a,2026-10-10T11:00:00Z,online,\n")
	b.WriteString("a,2026-10-10T12:00:00Z,,offline\n")
	st, d, err := readWith(t, "events", b.String(), format, "two-cols", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 2 || st.IgnoredTotal() != 250 || st.SkippedTotal() != 0 {
		t.Errorf("used %d ignored %d skipped %d: %s", st.Used, st.IgnoredTotal(), st.SkippedTotal(), errorsText(st))
	}
	if got := evs(t, d, "a"); !slices.Equal(got, []string{"11:00:00 C", "12:00:00 D"}) {
		t.Errorf("a: %v", got)
	}
}

// Defect 4: an id Excel turned into scientific notation is a bad row with
// a message that says so; the devices it merged are never counted as one.
func TestExcelMangledIDs(t *testing.T) {
	csv := "device_id,shipped_at,customer_id\n3.56938E+14,2026-10-01,acme\n3,56938E+14,2026-10-01,acme\n356938035643809,2026-10-01,4.5E+11\n356938035643810,2026-10-01,acme\n"
	st, d, err := readWith(t, "devices", strings.Replace(csv, "3,56938E+14", "\"3,56938E+14\"", 1), "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 1 || st.SkippedTotal() != 3 || d.Devices() != 1 {
		t.Errorf("used %d skipped %d devices %d: %s", st.Used, st.SkippedTotal(), d.Devices(), errorsText(st))
	}
	for _, want := range []string{`device_id "3.56938E+14" in column device_id looks like a number Excel re-formatted`, `customer_id "4.5E+11"`, "export the column as text"} {
		if !strings.Contains(errorsText(st), want) {
			t.Errorf("errors lack %q:\n%s", want, errorsText(st))
		}
	}
	if st.Skipped[RowKind{ExcelNumber, "device_id"}] != 2 {
		t.Errorf("skipped %v", st.Skipped)
	}
	// an id with an e that is no number Excel wrote stays an id
	for _, id := range []string{"1e10", "a3.5E+14", "35E+", "dev-1E+2x"} {
		if excelID([]byte(id)) {
			t.Errorf("%s taken for an Excel number", id)
		}
	}
}

// Defect 5: normalising values ignores separators inside words only:
// "-1" is not "1" and "1.5" is not "15".
func TestNormalizeKeepsNumbers(t *testing.T) {
	for _, tt := range []struct{ a, b string }{{"-1", "1"}, {"1.5", "15"}, {"1_000", "1000"}, {"v1.2", "v12"}} {
		if normalize(tt.a) == normalize(tt.b) {
			t.Errorf("%q and %q normalise alike (%q)", tt.a, tt.b, normalize(tt.a))
		}
	}
	for _, tt := range []struct{ a, b string }{{"Client.Connected", "clientconnected"}, {"TIMED_OUT", "timedout"}, {"already-installed", "Already Installed"}, {" 1 ", "1"}} {
		if normalize(tt.a) != normalize(tt.b) {
			t.Errorf("%q (%q) and %q (%q) differ", tt.a, normalize(tt.a), tt.b, normalize(tt.b))
		}
	}
	st, d, err := readWith(t, "events", "device_id,timestamp,event\na,2026-10-10T11:00:00Z,1\na,2026-10-10T12:00:00Z,-1\n", "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 1 || !strings.Contains(errorsText(st), `unknown event value "-1"`) {
		t.Errorf("used %d: %s", st.Used, errorsText(st))
	}
	if got := evs(t, d, "a"); !slices.Equal(got, []string{"11:00:00 C"}) {
		t.Errorf("a: %v", got)
	}
}

// Defect 6: with second-resolution logs, a connect and a disconnect in
// the same second. By time alone the disconnect comes first (and is
// counted, for a warning); with order: file the rows' order decides.
func TestOrderFile(t *testing.T) {
	csv := "device_id,timestamp,event\ns,2026-10-10T11:00:00Z,connected\ns,2026-10-10T12:00:00Z,connected\ns,2026-10-10T12:00:00Z,disconnected\n"
	_, d, err := readWith(t, "events", csv, "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := evs(t, d, "s"); !slices.Equal(got, []string{"11:00:00 C", "12:00:00 D", "12:00:00 C"}) || d.SameInstant != 1 {
		t.Errorf("by time: %v, same instant %d", got, d.SameInstant)
	}
	_, d, err = readWith(t, "events", csv, "", "", "", "file")
	if err != nil {
		t.Fatal(err)
	}
	if got := evs(t, d, "s"); !slices.Equal(got, []string{"11:00:00 C", "12:00:00 C", "12:00:00 D"}) || d.SameInstant != 0 {
		t.Errorf("order: file: %v, same instant %d", got, d.SameInstant)
	}
	// the format may say it too
	format := `  - name: second-log
    kind: events
    columns: {device_id: device_id, timestamp: timestamp, event: event}
    order: file
`
	_, d, err = readWith(t, "events", csv, format, "second-log", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := evs(t, d, "s"); !slices.Equal(got, []string{"11:00:00 C", "12:00:00 C", "12:00:00 D"}) {
		t.Errorf("format order: file: %v", got)
	}
}

// Defect 9: Mender's device deployment statuses count as Mender's own
// statistics group them.
func TestMenderStatuses(t *testing.T) {
	for status, want := range map[string]int{
		"success": OTASuccess, "already-installed": OTASuccess, "noartifact": OTASuccess,
		"failure": OTAFailure, "aborted": OTAFailure, "decommissioned": OTAFailure,
		"pending": OTAPending, "downloading": OTAPending, "installing": OTAPending, "rebooting": OTAPending, "pause_before_installing": OTAPending,
	} {
		if got, ok := ParseOTAStatus([]byte(status)); !ok || got != want {
			t.Errorf("%s = %d %v, want %d", status, got, ok, want)
		}
	}
}

// TestUserFormatShapes reads exports nobody built in, each in its real
// shape, with the formats in testdata/userformats/formats.yaml: every key
// of the format language a repo may write is used by one of them, and
// each gives the events worked out by hand in the comments.
func TestUserFormatShapes(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "userformats", "formats.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var indented strings.Builder
	for line := range strings.Lines(string(src)) {
		indented.WriteString("  " + line)
	}
	for _, tt := range []struct {
		file, format           string
		kind                   planfile.InputKind
		used, ignored, skipped int
		events                 map[string][]string
		want                   string // an error a skipped row names
	}{
		// extract with named groups from @message; the subscribe line does
		// not match: ignored. @timestamp is UTC (time.zone).
		{"hivemq-log.csv", "hivemq-log", "events", 2, 1, 0, map[string][]string{"sensor-1": {"11:00:00 C", "12:30:00 D"}}, ""},
		// json fields, a number as the time (epoch s 1791630600 = 11:10),
		// OFFLINE_LOW_BATTERY by re:^OFFLINE; the truncated JSON is a bad
		// row naming its column.
		{"pubsub-bigquery.csv", "pubsub-bigquery", "events", 3, 0, 1, map[string][]string{"valve-7": {"11:00:00 C", "12:00:00 D"}, "valve-8": {"11:10:00 C"}},
			"column data: \"{truncated\" is not a JSON object"},
		// two filter conditions (a regex on entity_id, unavailable dropped),
		// short rows padded, the device extracted from the entity id
		{"home-assistant-history.csv", "home-assistant-history", "events", 3, 2, 0, map[string][]string{"valve_kitchen": {"11:00:00 C", "12:00:00 D"}, "valve_garage": {"11:15:00 C"}}, ""},
		// a boolean column named for the offline state, read by the
		// format's values (false a connect, TRUE a disconnect)
		{"link-state.csv", "link-state", "events", 5, 0, 0, map[string][]string{"gw-1": {"11:00:00 C", "12:40:00 D", "13:10:00 C"}, "gw-2": {"11:30:00 C", "13:00:00 D"}}, ""},
		// infinity and \N are no value: in service
		{"timescale-devices.csv", "timescale-devices", "devices", 3, 0, 0, nil, ""},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "userformats", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			named := "" // detected by its signature
			if tt.kind == "devices" {
				named = tt.format // a generic header: the input names it
			}
			st, d, err := readWith(t, tt.kind, string(data), indented.String(), named, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if st.Format != tt.format || st.Detected == (named != "") {
				t.Errorf("format %s (detected %v), want %s", st.Format, st.Detected, tt.format)
			}
			if st.Used != tt.used || st.IgnoredTotal() != tt.ignored || st.SkippedTotal() != tt.skipped {
				t.Errorf("used %d ignored %d skipped %d, want %d %d %d: %v %s", st.Used, st.IgnoredTotal(), st.SkippedTotal(), tt.used, tt.ignored, tt.skipped, st.Ignored, errorsText(st))
			}
			if tt.want != "" && !strings.Contains(errorsText(st), tt.want) {
				t.Errorf("errors lack %q: %s", tt.want, errorsText(st))
			}
			for id, want := range tt.events {
				if got := evs(t, d, id); !slices.Equal(got, want) {
					t.Errorf("%s: %q, want %q", id, got, want)
				}
			}
		})
	}
	// a token of any length, blanks around it
	st0, _, err := readWith(t, "devices", "device_id,shipped_at,retired_at\nm-1,2026-09-01,  still-in-service-today  \n", `  - name: long-null
    kind: devices
    columns: {device_id: device_id, shipped_at: shipped_at, retired_at: retired_at}
    null: [still-in-service-today]
`, "long-null", "", "")
	if err != nil || st0.Used != 1 {
		t.Errorf("a long null token: used %v, err %v", st0, err)
	}
	// without null:, PostgreSQL's infinity is no timestamp
	data, _ := os.ReadFile(filepath.Join("testdata", "userformats", "timescale-devices.csv"))
	st, _, err := readWith(t, "devices", string(data), "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.SkippedTotal() != 2 || !strings.Contains(errorsText(st), `unparseable retired_at "infinity"`) {
		t.Errorf("skipped %d: %s", st.SkippedTotal(), errorsText(st))
	}
}

// TestSessionsEndOnlyTheirOwn: an AWS lifecycle export with session
// identifiers and no versionNumber. The broker closes the old session
// (DUPLICATE_CLIENTID) 3 s after the device connected again: that
// disconnect names the old session and ends nothing.
func TestSessionsEndOnlyTheirOwn(t *testing.T) {
	st, d, err := readSample(t, "events", "aws-iot-lifecycle-sessions.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	// both disconnects are checked against the current session; the stale
	// one closes a session the device connected with: no orphan
	if st.Format != "aws-iot-lifecycle" || d.StaleDisconnects != 1 || d.SessionChecked != 2 || d.OrphanDisconnects != 0 {
		t.Errorf("format %s, stale %d, checked %d, orphans %d", st.Format, d.StaleDisconnects, d.SessionChecked, d.OrphanDisconnects)
	}
	if got := evs(t, d, "drip-000901"); !slices.Equal(got, []string{"11:00:00 C", "12:00:00 C", "14:00:00 D"}) {
		t.Errorf("events %q", got)
	}
}
