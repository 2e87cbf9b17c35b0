package export

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// day is 2026-10-10, the day every sample under testdata/formats covers.
var day = time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)

// ev writes an expected event as "HH:MM:SS[.ffffff] C|D" on that day.
func evs(t *testing.T, d *metrics.Data, id string) []string {
	t.Helper()
	var out []string
	for _, e := range d.DeviceEvents(id) {
		ts := time.UnixMicro(e.At).UTC()
		s := ts.Format("15:04:05.999999")
		if ts.YearDay() != day.YearDay() {
			s = ts.Format(time.RFC3339Nano)
		}
		out = append(out, s+" "+map[int]string{metrics.Connected: "C", metrics.Disconnected: "D"}[e.State])
	}
	return out
}

func readSample(t *testing.T, kind planfile.InputKind, file, tz string) (*Stats, *metrics.Data, error) {
	t.Helper()
	return readSampleAs(t, kind, file, tz, "")
}

// readSampleAs reads a sample with a named format ("": detected).
func readSampleAs(t *testing.T, kind planfile.InputKind, file, tz, format string) (*Stats, *metrics.Data, error) {
	t.Helper()
	return ingestFile(t, kind, filepath.Join("testdata", "formats", file), nil, format, tz, "")
}

// ingestFile reads one file as an input of kind over all time, with
// formats (nil: the built-in ones), a named format ("": detected), a zone
// and an order ("": none given), and freezes the data.
func ingestFile(t *testing.T, kind planfile.InputKind, path string, formats *Formats, format, tz, order string) (*Stats, *metrics.Data, error) {
	t.Helper()
	d := metrics.NewData()
	g := &Ingest{Data: d, Formats: formats, Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
	in := Input{Kind: kind, Path: path, Format: format, Order: order}
	if tz != "" {
		loc, err := planfile.LoadZone(tz)
		if err != nil {
			t.Fatal(err)
		}
		in.Zone, in.ZoneName = loc, tz
	}
	st, err := g.Read(in)
	if err == nil {
		d.Freeze()
	}
	return st, d, err
}

// TestFormatSamples reads a sample of every built-in format in its real
// shape: it must be detected as itself and give the rows worked out by
// hand in the comments.
func TestFormatSamples(t *testing.T) {
	type counts struct{ read, used, ignored, skipped, dups int }
	tests := []struct {
		file, tz string
		kind     planfile.InputKind
		format   string
		named    bool // the format has no signature: the input names it
		counts   counts
		events   map[string][]string
		ota      map[string]int      // device → final class, job fw-2.5.0 unless otaJob
		activity map[string][]string // device → "HH:MM:SS[.ffffff]" on the day
		otaJob   string
		// setup: user → "HH:MM:SS[.ffffff] step device segment" per row
		setup map[string][]string
	}{
		// Ordered by versionNumber: drip-000102's reconnect (v8 at 12:00:00)
		// comes after the broker closing its old session (v7,
		// DUPLICATE_CLIENTID, 12:00:03), at 12:00:03, so it stays
		// connected. drip-000101's duplicate disconnect is used once; its
		// reconnect has no thingname (NULL) and falls back to clientid.
		{file: "aws-iot-lifecycle.csv", kind: "events", format: "aws-iot-lifecycle", counts: counts{7, 7, 0, 0, 1},
			events: map[string][]string{
				"drip-000101": {"11:00:00 C", "12:00:00 D", "12:15:00 C"},
				"drip-000102": {"11:00:00 C", "12:00:03 D", "12:00:03 C"},
			}},
		// Device from the ARN; drip-000102 failed, then succeeded on retry.
		{file: "aws-iot-jobs-v1.csv", kind: "ota", format: "aws-iot-jobs", counts: counts{5, 5, 0, 0, 0},
			ota: map[string]int{"drip-000101": OTASuccess, "drip-000102": OTASuccess, "drip-000103": OTAFailure, "drip-000104": OTAPending}},
		{file: "aws-iot-jobs-v2.csv", kind: "ota", format: "aws-iot-jobs", counts: counts{3, 3, 0, 0, 0},
			ota: map[string]int{"drip-000101": OTASuccess, "drip-000105": OTAFailure, "drip-000106": OTAExcluded}},
		// The job-level event is not an execution: ignored, not bad.
		{file: "aws-iot-job-events.csv", kind: "ota", format: "aws-iot-job-events", counts: counts{4, 3, 1, 0, 0},
			ota: map[string]int{"drip-000101": OTASuccess, "drip-000102": OTAFailure, "drip-000103": OTAFailure}},
		// The device is data.deviceId, never the event id; rows come out of
		// order and the sequence number orders them.
		{file: "azure-eventgrid.csv", kind: "events", format: "azure-eventgrid", counts: counts{4, 4, 0, 0, 0},
			events: map[string][]string{
				"drip-000201": {"11:00:00.438399 C", "11:20:00 D", "11:30:00.1 C"},
				"drip-000202": {"11:00:00 C"},
			}},
		{file: "azure-eventgrid-cloudevents.csv", kind: "events", format: "azure-eventgrid", counts: counts{2, 2, 0, 0, 0},
			events: map[string][]string{"drip-000201": {"11:00:00.438399 C", "11:20:00 D"}}},
		{file: "azure-log-analytics-portal.csv", kind: "events", format: "azure-log-analytics", counts: counts{3, 3, 0, 0, 0},
			events: map[string][]string{"drip-000301": {"11:00:00 C", "12:00:00 D", "12:30:00.5 C"}}},
		{file: "azure-log-analytics-api.csv", kind: "events", format: "azure-log-analytics", counts: counts{3, 3, 0, 0, 0},
			events: map[string][]string{"drip-000301": {"11:00:00 C", "12:00:00 D", "12:30:00.5 C"}}},
		// A snapshot: the job is the file's name.
		{file: "azure-device-update.csv", kind: "ota", format: "azure-device-update", counts: counts{5, 5, 0, 0, 0}, otaJob: "azure-device-update",
			ota: map[string]int{"drip-000301": OTASuccess, "drip-000302": OTAFailure, "drip-000303": OTAPending, "drip-000304": OTAExcluded, "drip-000305": OTASuccess}},
		// Four rows of other events (two of them true/false update flags)
		// and one auto-update are ignored; the spark/status rows are used.
		{file: "particle-events.csv", kind: "events", format: "particle-events", counts: counts{9, 4, 5, 0, 0},
			events: map[string][]string{"e00fce68a1b2c3d4e5f60718": {"11:00:00 C", "11:31:00 D", "11:32:00 C", "12:00:00 D"}}},
		// Two tables, each with its own header (the second has a site tag).
		{file: "influxdb-annotated.csv", kind: "events", format: "influxdb-annotated", counts: counts{3, 3, 0, 0, 0},
			events: map[string][]string{"drip-000401": {"11:00:00 C", "11:45:00 D"}, "drip-000402": {"11:00:00 C"}}},
		{file: "influxdb1.csv", kind: "events", format: "influxdb1-csv", named: true, counts: counts{3, 3, 0, 0, 0},
			events: map[string][]string{"drip-000501": {"11:00:00 C", "11:45:00 D", "12:00:00 C"}}},
		// 13:00 and 14:00 in Berlin on 10 October (CEST, UTC+2).
		{file: "grafana-formatted.csv", kind: "events", tz: "Europe/Berlin", format: "grafana-csv", named: true, counts: counts{2, 2, 0, 0, 0},
			events: map[string][]string{"drip-000601": {"11:00:00 C", "12:00:00 D"}}},
		{file: "grafana-excel.csv", kind: "events", format: "grafana-csv", named: true, counts: counts{2, 2, 0, 0, 0},
			events: map[string][]string{"drip-000601": {"11:00:00 C", "12:00:00 D"}}},
		// valve-01 connects again at 12:00:00 (a new connection); the broker
		// then closes the old one (takenover at 12:00:00.42): ignored, so
		// valve-01 stays connected until 13:00.
		{file: "emqx-client-events.csv", kind: "events", format: "emqx-client-events", counts: counts{6, 5, 1, 0, 0},
			events: map[string][]string{"valve-01": {"11:00:00 C", "12:00:00 C", "13:00:00 D"}, "valve-02": {"11:00:00 C", "11:30:00 D"}}},
		// Mender's own grouping; the job is the file's name.
		{file: "mender-deployment-devices.csv", kind: "ota", format: "mender-deployment-devices", counts: counts{7, 7, 0, 0, 0}, otaJob: "mender-deployment-devices",
			ota: map[string]int{"5f1a2b3c4d5e6f7081920a01": OTASuccess, "5f1a2b3c4d5e6f7081920a02": OTASuccess, "5f1a2b3c4d5e6f7081920a03": OTASuccess,
				"5f1a2b3c4d5e6f7081920a04": OTAFailure, "5f1a2b3c4d5e6f7081920a05": OTAFailure, "5f1a2b3c4d5e6f7081920a06": OTAFailure, "5f1a2b3c4d5e6f7081920a07": OTAPending}},
		// Only the active key: true 11:00, false 13:00; three other keys
		// ignored.
		{file: "thingsboard-telemetry.csv", kind: "events", format: "thingsboard-telemetry", counts: counts{5, 2, 3, 0, 0},
			events: map[string][]string{"meter-01": {"11:00:00 C", "13:00:00 D"}}},
		{file: "chirpstack-up.csv", kind: "activity", format: "chirpstack-up", counts: counts{3, 3, 0, 0, 0},
			activity: map[string][]string{"0004a30b001c2f01": {"11:00:00.123456", "11:15:00.5"}, "0004a30b001c2f02": {"11:02:00"}}},
		// IoT Hub routing's JSON (a line a message, nested): the device is
		// SystemProperties.connectionDeviceId, a module's message its
		// device's; EnqueuedTimeUtc to 100 ns, kept to the µs.
		{file: "azure-iothub-routing.json", kind: "activity", format: "azure-iothub-routing", counts: counts{3, 3, 0, 0, 0},
			activity: map[string][]string{"drip-000401": {"11:00:00.123", "11:15:00.5"}, "drip-000402": {"11:02:00"}}},
		// received_at to the nanosecond, kept to the µs
		{file: "tts-uplinks.csv", kind: "activity", format: "tts-uplinks", counts: counts{3, 3, 0, 0, 0},
			activity: map[string][]string{"eui-0004a30b001c2f01": {"11:00:00.123456", "11:15:00.987654"}, "eui-0004a30b001c2f02": {"11:02:00"}}},
		// The user is amplitude_id, which stays when user_id appears after
		// the app's login; the device set up is the event property, never
		// Amplitude's device_id (the phone); event_time is UTC.
		{file: "amplitude.csv", kind: "onboarding", format: "amplitude", counts: counts{7, 7, 0, 0, 0},
			setup: map[string][]string{
				"501": {"10:59:30 App Opened - iOS", "11:00:00.123456 setup_started drip-000801 iOS", "11:00:40.5 ble_found drip-000801 iOS",
					"11:01:30 wifi_sent drip-000801 iOS", "11:02:00.123456 cloud_connected drip-000801 iOS"},
				"502": {"11:05:00 setup_started drip-000802 Android", "11:06:00 ble_found drip-000802 Android"},
			}},
		// time in epoch seconds; u-2 logs no device.
		{file: "mixpanel.csv", kind: "onboarding", format: "mixpanel", counts: counts{6, 6, 0, 0, 0},
			setup: map[string][]string{
				"u-2": {"11:10:00 setup_started - Android", "11:11:40 cloud_connected - Android"},
			}},
		// event_timestamp in epoch µs.
		{file: "firebase-bigquery.csv", kind: "onboarding", format: "firebase-bigquery", counts: counts{9, 9, 0, 0, 0},
			setup: map[string][]string{
				"pseudo-3": {"12:00:00 setup_started drip-001003 ANDROID"},
			}},
		// event_text as sent; 13:00:40+02:00 is 11:00:40 UTC.
		{file: "segment.csv", kind: "onboarding", format: "segment", counts: counts{10, 10, 0, 0, 0},
			setup: map[string][]string{
				"anon-1": {"11:00:00 Setup Started drip-001101 iOS", "11:00:10 BLE Found drip-001101 iOS", "11:00:20 WiFi Sent drip-001101 iOS",
					"11:00:40 Cloud Connected drip-001101 iOS"},
			}},
		// Segment's raw JSON: track messages only (identify and screen
		// ignored); the user stays anonymousId when userId appears.
		{file: "segment-raw.json", kind: "onboarding", format: "segment-raw", counts: counts{8, 6, 2, 0, 0},
			setup: map[string][]string{
				"anon-1": {"11:00:00 Setup Started drip-001201 iOS", "11:00:10 BLE Found drip-001201 iOS", "11:00:20 WiFi Sent drip-001201 iOS",
					"11:00:40 Cloud Connected drip-001201 iOS"},
				"anon-2": {"11:05:00 Setup Started drip-001202 Android", "11:06:00 BLE Found drip-001202 Android"},
			}},
		// 13:45:00.25+01:45 is 12:00:00.25 UTC.
		{file: "postgres-copy.csv", kind: "events", format: "generic", counts: counts{2, 2, 0, 0, 0},
			events: map[string][]string{"drip-000701": {"11:00:00 C", "12:00:00.25 D"}}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var named string
			if tt.named {
				named = tt.format
				if f, _ := NewFormats(nil).Lookup(tt.kind, tt.format); len(f.signature) > 0 {
					t.Errorf("%s has a signature: detect it", tt.format)
				}
			}
			st, d, err := readSampleAs(t, tt.kind, tt.file, tt.tz, named)
			if err != nil {
				t.Fatal(err)
			}
			if st.Format != tt.format {
				t.Errorf("format %s, want %s", st.Format, tt.format)
			}
			covered[st.Format] = true
			got := counts{st.Read, st.Used, st.IgnoredTotal(), st.SkippedTotal(), d.DuplicateEvents}
			if got != tt.counts {
				t.Errorf("read/used/ignored/skipped/duplicates = %v, want %v (errors %v, ignored %v)", got, tt.counts, st.Errors, st.Ignored)
			}
			for id, want := range tt.events {
				if got := evs(t, d, id); !slices.Equal(got, want) {
					t.Errorf("%s: events %q, want %q", id, got, want)
				}
			}
			for id, want := range tt.activity {
				var got []string
				for _, us := range d.DeviceActivity(id) {
					got = append(got, time.UnixMicro(us).UTC().Format("15:04:05.999999"))
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: activity %q, want %q", id, got, want)
				}
			}
			for user, want := range tt.setup {
				var got []string
				for _, e := range d.UserSetupEvents(user) {
					got = append(got, fmt.Sprintf("%s %s %s %s", time.UnixMicro(e.At).UTC().Format("15:04:05.999999"), e.Step, cmpOr(e.Device, "-"), e.Segment))
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: setup rows %q, want %q", user, got, want)
				}
			}
			job := cmpOr(tt.otaJob, "fw-2.5.0")
			for id, want := range tt.ota {
				if got, ok := d.OTAState(id, job); !ok || got != want {
					t.Errorf("%s %s: class %d %v, want %d", id, job, got, ok, want)
				}
			}
		})
	}
	for _, f := range Builtins() {
		if f.Name != "generic" && !covered[f.Name] {
			t.Errorf("built-in format %s has no sample", f.Name)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestEventGridIDIsNotTheDevice is the regression test of a silent
// failure: read as a generic export, the event GUID column `id` was taken
// as the device id. Forced to the generic reader, the device is still
// data.deviceId, because id is a last resort.
func TestEventGridIDIsNotTheDevice(t *testing.T) {
	d := metrics.NewData()
	g := &Ingest{Data: d, Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
	st, err := g.Read(Input{Kind: "events", Format: "generic", Path: filepath.Join("testdata", "formats", "azure-eventgrid.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if st.Columns["device_id"] != "data.deviceId" {
		t.Errorf("generic device column %q, want data.deviceId", st.Columns["device_id"])
	}
	if d.Devices() != 2 {
		t.Errorf("%d devices, want 2", d.Devices())
	}
}

// TestParticleUpdateEventsAreNotStates: particle/device/updates/* carry
// true/false, which must not be read as connect/disconnect.
func TestParticleUpdateEventsAreNotStates(t *testing.T) {
	st, d, err := readSample(t, "events", "particle-events.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs(t, d, "e00fce68a1b2c3d4e5f60718") {
		if strings.HasPrefix(e, "11:00:01") {
			t.Errorf("an update event was read as a state: %s", e)
		}
	}
	if st.Ignored["event|name not spark/status"] != 4 && st.Ignored["event not spark/status"] != 4 {
		t.Errorf("ignored %v, want 4 rows of other events", st.Ignored)
	}
}

// TestDuplicateClientIDReconnect: ordered by versionNumber, the reconnect
// keeps the device at 100% uptime; ordered by timestamp it would lose the
// rest of the window.
func TestDuplicateClientIDReconnect(t *testing.T) {
	_, d, err := readSample(t, "events", "aws-iot-lifecycle.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	d.Has.Events = true
	from := day.Add(11 * time.Hour).UnixMicro()
	r := metrics.Compute(d, metrics.Options{Window: metrics.Window{From: from, To: from + 2*3600e6}, SLO: 0.99, AsOf: from + 2*3600e6})
	u := r.Uptime
	// drip-000101: connected 11:00–12:00 and 12:15–13:00 = 105 of 120 min;
	// drip-000102: 120 of 120 min.
	if want := 225.0 / 240; math.Abs(u.Value-want) > 1e-12 {
		t.Errorf("uptime %v, want %v", u.Value, want)
	}
	if u.PerDeviceValues[1] != 1 {
		t.Errorf("per device %v, want drip-000102 at 100%%", u.PerDeviceValues)
	}
}

func TestSequenceResetStartsANewEpoch(t *testing.T) {
	d := metrics.NewData()
	h := int64(3600e6)
	t0 := day.UnixMicro()
	// v5 connect 00:00, v5 disconnect 01:00, two hours offline, then the
	// counter starts over: v0 connect 03:00, v0 disconnect 04:00.
	for _, e := range []struct {
		ts    int64
		state int
		seq   string
	}{{t0 + 3*h, 1, "0"}, {t0, 1, "5"}, {t0 + 4*h, 0, "0"}, {t0 + h, 0, "5"}} {
		d.AddSequencedEvent([]byte("d"), e.ts, e.state, []byte(e.seq), h)
	}
	if got, want := evs(t, d, "d"), []string{"00:00:00 C", "01:00:00 D", "03:00:00 C", "04:00:00 D"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestGrafanaLocalTimesNeedAZone(t *testing.T) {
	st, _, err := readSampleAs(t, "events", "grafana-formatted.csv", "", "grafana-csv")
	if err != nil {
		t.Fatal(err)
	}
	if st.SkippedTotal() != 2 || !strings.Contains(st.Errors[0].Reason, "has no zone and this format's times are local: name the zone with tz:") {
		t.Errorf("skipped %d: %v", st.SkippedTotal(), st.Errors)
	}
}

func TestUnknownFormatListsTheKnownOnes(t *testing.T) {
	d := metrics.NewData()
	g := &Ingest{Data: d}
	_, err := g.Read(Input{Kind: "events", Format: "particle-event", Path: filepath.Join("testdata", "formats", "particle-events.csv")})
	if err == nil || !strings.Contains(err.Error(), `unknown events format "particle-event"; did you mean "particle-events"?`) ||
		!strings.Contains(err.Error(), "aws-iot-lifecycle") {
		t.Errorf("err = %v", err)
	}
	_, err = g.Read(Input{Kind: "events", Format: "aws-iot-jobs", Path: filepath.Join("testdata", "formats", "particle-events.csv")})
	if err == nil || !strings.Contains(err.Error(), `format "aws-iot-jobs" reads ota exports, not events`) {
		t.Errorf("err = %v", err)
	}
}

func TestMissingColumnNamesFormatAndHeader(t *testing.T) {
	r, err := NewReader("x.csv", strings.NewReader("\ufeffsep=;\n\"coreid\";\"published_at\";\"name\"\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := NewFormats(nil).Lookup("events", "particle-events")
	_, err = Bind(f, "x.csv", r.Header, nil, nil, "")
	want := "x.csv:1: no event column: expected one of data; name it with --map events.event=COLUMN, or name the export's format (--format events=NAME, see --list-formats) (format particle-events; header: coreid, published_at, name)"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n  %v\nwant\n  %s", err, want)
	}
}

// A role no column is named for: the error names the header's columns
// whose names have a word of the role's (a time, a date, _at), so the
// user sees what to map, and that there are two to choose between.
func TestMissingColumnNamesColumnsLikeIt(t *testing.T) {
	events, _ := NewFormats(nil).Lookup(planfile.KindEvents, "generic")
	for _, c := range []struct{ header, want string }{
		{"device,event_time_local,event_time_utc,state", `no timestamp column: expected one of timestamp, time, ts, eventTime, published_at, datetime, TimeGenerated; the header's columns named like one: "event_time_local", "event_time_utc"; name it with --map`},
		{"device,receivedAt,state", `; the header has "receivedAt", named like one; name it with --map`},
		{"device,Seen,state", `datetime, TimeGenerated; name it with --map`},
		// the device's column is bound already: not offered as a time
		{"device,first_seen_date,state_at", `named like one: "first_seen_date", "state_at";`},
	} {
		_, err := Bind(events, "x.csv", strings.Split(c.header, ","), nil, nil, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.header, err, c.want)
		}
	}
	if got := namedLike(roleTimestamp, []string{"unit_time", "ts_local"}, [][]int{{0}}); got != `; the header has "ts_local", named like one` {
		t.Errorf("a bound column offered: %q", got)
	}
	// a devices export whose shipping date is sold_on, its unit a serial
	devices, _ := NewFormats(nil).Lookup(planfile.KindDevices, "generic")
	if _, err := Bind(devices, "x.csv", []string{"unit_serial", "sold_on", "account"}, nil, nil, ""); err == nil || !strings.Contains(err.Error(), `no device_id column`) || !strings.Contains(err.Error(), `the header has "unit_serial", named like one`) {
		t.Errorf("devices: %v", err)
	}
	if _, err := Bind(devices, "x.csv", []string{"device_id", "sold_on", "account"}, nil, nil, ""); err == nil || !strings.Contains(err.Error(), `the header has "sold_on", named like one`) {
		t.Errorf("devices: %v", err)
	}
}

// The generic format binds columns by their names; two names of one role
// in a header are two columns that may disagree (the uptime of one
// device below is 1/31 by "time", 100% by "timestamp"), so Bind refuses
// to pick one unless --map does; so are two of a role's last-resort
// names when no listed name is there. A recognised format's own columns,
// and a role's last-resort name next to a listed one, are no guess.
func TestGenericRefusesTwoColumnsOfOneRole(t *testing.T) {
	fs := NewFormats(nil)
	generic := func(kind planfile.InputKind) *Format {
		f, _ := fs.Lookup(kind, "generic")
		return f
	}
	segment, _ := fs.Lookup(planfile.KindOnboarding, "segment")
	for _, c := range []struct {
		f       *Format
		header  string
		mapping map[string]string
		want    string // "": bound
	}{
		{generic(planfile.KindEvents), "device,time,timestamp,status", nil,
			`x.csv:1: columns "timestamp" and "time" could each be the timestamp: which one is meant is ambiguous; name it with --map events.timestamp=COLUMN (map: {timestamp: COLUMN} in iotpm.yaml), or name the export's format (--format events=NAME, see --list-formats) (format generic; header: device, time, timestamp, status)`},
		{generic(planfile.KindEvents), "device,time,timestamp,status", map[string]string{"timestamp": "time"}, ""},
		{generic(planfile.KindEvents), "device_id,serial,ts,event", nil, `columns "device_id" and "serial" could each be the device_id`},
		{generic(planfile.KindEvents), "device,deviceId,ts,event", nil, ""}, // device is a last resort
		// two last-resort names and no listed one: a row's id beside a
		// device's name, a message's type beside a connection's status
		{generic(planfile.KindEvents), "id,device,ts,event", nil, `columns "device" and "id" could each be the device_id`},
		{generic(planfile.KindEvents), "device_id,ts,type,status", nil, `columns "type" and "status" could each be the event`},
		{generic(planfile.KindEvents), "device_id,ts,type,status", map[string]string{"event": "status"}, ""},
		{generic(planfile.KindDevices), "id,device,shipped_at", nil, `columns "device" and "id" could each be the device_id`},
		{generic(planfile.KindOnboarding), "user_id,anonymous_id,event,timestamp", nil, `columns "user_id" and "anonymous_id" could each be the user`},
		{generic(planfile.KindTickets), "customer,created_at,date", nil, `columns "created_at" and "date" could each be the created_at`},
		// Segment's format says what its two user columns are
		{segment, "anonymous_id,user_id,event,timestamp", nil, ""},
	} {
		_, err := Bind(c.f, "x.csv", strings.Split(c.header, ","), c.mapping, nil, "")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %s: %v", c.f.Name, c.header, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %s: err %v, want %q", c.f.Name, c.header, err, c.want)
		}
	}
}

func TestLocalTimes(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		in       string
		want     string // UTC, or an error fragment
		repeated bool   // in the hour repeated when DST ends
	}{
		{"2026-10-10 13:00:00", "2026-10-10T11:00:00Z", false},
		// DST ends 2026-10-25 03:00 CEST → 02:00 CET: 02:30 occurs twice;
		// the first occurrence (CEST, UTC+2) is taken, and said to be one
		// of two; 01:59 and 03:00 are not.
		{"2026-10-25 02:30:00", "2026-10-25T00:30:00Z", true},
		{"2026-10-25 02:00:00", "2026-10-25T00:00:00Z", true},
		{"2026-10-25 01:59:59", "2026-10-24T23:59:59Z", false},
		{"2026-10-25 03:00:00", "2026-10-25T02:00:00Z", false},
		{"2026-10-25 03:30:00", "2026-10-25T02:30:00Z", false},
		// DST starts 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist.
		{"2026-03-29 02:30:00", "does not exist", false},
		{"2026-03-29 03:30:00", "2026-03-29T01:30:00Z", false},
		// a time with its own zone keeps it
		{"2026-10-10T13:00:00Z", "2026-10-10T13:00:00Z", false},
		{"1791630000000", "2026-10-10T11:00:00Z", false},
	}
	for _, tt := range tests {
		us, repeated, err := parseIn([]byte(tt.in), berlin, false)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = time.UnixMicro(us).UTC().Format(time.RFC3339)
		}
		if !strings.Contains(got, tt.want) || repeated != tt.repeated {
			t.Errorf("%s = %s (repeated hour %v), want %s (%v)", tt.in, got, repeated, tt.want, tt.repeated)
		}
	}
}

// A reader counts the local times of the repeated hour, with an example
// and its zone, for a warning: read as the first of two instants, their
// order within the hour may be wrong, and nothing said so.
func TestRepeatedHourCounted(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	in := Input{Kind: "events", Zone: berlin, ZoneName: "Europe/Berlin"}
	st, _ := ingestInput(t, in, "device_id,timestamp,event\nd1,2026-10-25 01:50:00,connected\nd1,2026-10-25 02:10:00,disconnected\nd1,2026-10-25 02:40:00,connected\nd1,2026-10-25 03:10:00,disconnected\n")
	if st.RepeatedHour != 2 || st.RepeatedHourExample != `"2026-10-25 02:10:00" in Europe/Berlin` || st.ZonelessUTC != 0 {
		t.Errorf("notes %+v", st.TimeNotes)
	}
	// the parallel reader counts them as the sequential one does: 200,000
	// rows a second apart from 2026-10-25 00:00, 3,600 of them in 02:xx
	var b strings.Builder
	b.WriteString("device_id,timestamp,event\n")
	start := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
	for i := range 200_000 {
		fmt.Fprintf(&b, "dev-%05d-padding-for-size,%s,connected\n", i%5000, start.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05"))
	}
	if b.Len() < 8<<20 {
		t.Fatalf("the file must exceed the parallel threshold: %d bytes", b.Len())
	}
	par, _, seq, _ := ingestInputBothWays(t, in, b.String())
	want := TimeNotes{RepeatedHour: 3600, RepeatedHourExample: `"2026-10-25 02:00:00" in Europe/Berlin`}
	if par.TimeNotes != want || seq.TimeNotes != want {
		t.Errorf("parallel %+v, sequential %+v, want %+v", par.TimeNotes, seq.TimeNotes, want)
	}
}

func TestExcelReformattedTimestamps(t *testing.T) {
	for in, want := range map[string]string{
		"1,79058E+12": "looks like a number Excel re-formatted",
		"1.79058E+12": "looks like a number Excel re-formatted",
		// a regional date: the order of day and month when a number
		// shows it, and the layout to declare either way
		"13.08.2026":          `is a regional date with the day first (13 is no month), which iotpm does not read by default: declare its layout in a formats: entry for this export, time: {layout: "2.1.2006"}`,
		"8/13/2026 9:05":      `is a regional date with the month first (13 is no month), which iotpm does not read by default: declare its layout in a formats: entry for this export, time: {layout: "1/2/2006 15:04"}`,
		"10.10.2026 12:00:00": `whose order of day and month this value does not show (a row with a number above 12 does): declare its layout in a formats: entry for this export, time: {layout: "2.1.2006 15:04:05"} with the day first, "1.2.2006 15:04:05" with the month first`,
		"01.09.26":            `time: {layout: "2.1.06"} with the day first, "1.2.06" with the month first`,
		"13.13.2026":          `"13.13.2026" (column at, format acme) is no date: neither 13 nor 13 is a month`,
		// a date column saved as a number: Excel shows 45658 as 2025-01-01
		// (days after 1899-12-30), and 1,462 days later in a 1904 workbook
		"45658":   `looks like a spreadsheet's date serial number (2025-01-01 00:00:00 in Excel's 1900 date system, 2029-01-02 00:00:00 in the 1904 system`,
		"46234.5": `(2026-07-31 12:00:00 in Excel's 1900 date system`,
		"12345":   `unparseable timestamp "12345"`, // before 2001: no serial

		"soon": `unparseable timestamp "soon" (column at, format acme): expected`,
	} {
		_, err := ParseTimestamp([]byte(in))
		if msg := timestampProblem("timestamp", "at", "acme", []byte(in), err); !strings.Contains(msg, want) {
			t.Errorf("%s: %s", in, msg)
		}
	}
}

// TestUserFormats: a repo's own format in iotpm.yaml is checked with
// positions and then read like a built-in one.
func TestUserFormats(t *testing.T) {
	src := `formats:
  - name: acme-hub
    title: ACME hub connection log
    kind: events
    signature: [unit, happened, what]
    columns:
      device_id: unit
      timestamp: happened
      event: what
    extract:
      device_id: '^unit:(.+)$'
    values:
      connect: [UP]
      disconnect: [DOWN]
      ignore: [PING]
  - name: broken
    kind: events
    columns:
      device_id: unit
      job_id: x
    extract:
      device_id: '[a-z]+'
    values:
      success: [OK]
  - name: particle-events
    kind: events
    columns: {device_id: a, timestamp: b, event: c}
  - name: nokind
    kind: event
    columns: {device_id: a}
`
	var cfg planfile.ConfigFile
	diags := planfile.Decode("iotpm.yaml", []byte(src), &cfg)
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.String())
	}
	own, diags2 := CompileFormats("iotpm.yaml", cfg.Formats, Builtins())
	for _, d := range diags2 {
		msgs = append(msgs, d.String())
	}
	for _, want := range []string{
		`iotpm.yaml:22:18: format broken: extract.device_id: "[a-z]+" must have exactly one capture group, the part to keep; it has 0`,
		`iotpm.yaml:29:11: formats[3].kind must be one of devices, events, ota, activity, tickets, usage, onboarding; got "event" (did you mean "events"?)`,
		`iotpm.yaml:19:7: format broken: an events input has no job_id column (its roles: device_id, timestamp, event, sequence, session)`,
		`iotpm.yaml:19:7: format broken: columns: missing timestamp, which an events input needs (its required roles: device_id, timestamp, event)`,
		`iotpm.yaml:24:7: format broken: values: success does not apply to an events input`,
		`iotpm.yaml:25:5: format particle-events: a built-in format of kind events has this name already; choose another name`,
	} {
		if !slices.Contains(msgs, "error: "+want) && !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, want) }) {
			t.Errorf("missing %q in\n%s", want, strings.Join(msgs, "\n"))
		}
	}
	fs := NewFormats(own[:1])
	r, _ := NewReader("acme.csv", strings.NewReader("unit,happened,what\n"), 0)
	f, detected := fs.Detect("events", r.Header)
	if f.Name != "acme-hub" || !detected {
		t.Fatalf("detected %s %v", f.Name, detected)
	}
	b, err := Bind(f, "acme.csv", r.Header, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if id := b.field([][]byte{[]byte("unit:42"), nil, nil}, roleDevice); string(id) != "42" {
		t.Errorf("extracted %q", id)
	}
	for v, want := range map[string]int{"UP": Connected, "down": Disconnected, "PING": valueIgnored} {
		if c, ok := b.classify([]byte(v)); !ok || c != want {
			t.Errorf("%s = %d %v", v, c, ok)
		}
	}
}

// FuzzIngest reads arbitrary bytes as every kind of input, detected and
// with each built-in format and each example user format named (their
// json, extract, filter, null and short_rows paths): never a panic, and
// every row accounted for. Every sample is a seed.
func FuzzIngest(f *testing.F) {
	for _, dir := range []string{"formats", "userformats"} {
		samples, err := filepath.Glob(filepath.Join("testdata", dir, "*.csv"))
		if err != nil || len(samples) == 0 {
			f.Fatalf("no samples in %s: %v", dir, err)
		}
		// and the JSON samples (read as the CSV they flatten to)
		json, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		samples = append(samples, json...)
		for _, name := range samples {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("id,time,status\n1,2026-10-10,online\n\n,x,y\n"))
	// a devices export's status column (status.go), one row short of it
	f.Add([]byte("device_id,shipped_at,Lifecycle State\nd1,2026-10-01,Disabled\nd2,2026-10-01\nd3,2026-10-02,de-commissioned\n"))
	src, err := os.ReadFile(filepath.Join("testdata", "userformats", "formats.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	var cfg planfile.ConfigFile
	if diags := planfile.Decode("formats.yaml", []byte("formats:\n"+indent(string(src))), &cfg); diags.HasErrors() {
		f.Fatal(diags)
	}
	own, diags := CompileFormats("formats.yaml", cfg.Formats, Builtins())
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	formats := NewFormats(own)
	names := []string{""}
	for _, ff := range append(Builtins(), own...) {
		if !slices.Contains(names, ff.Name) {
			names = append(names, ff.Name)
		}
	}
	// every (kind, format) pair a user can name, events also in file order
	type read struct {
		kind          planfile.InputKind
		format, order string
	}
	var reads []read
	for _, kind := range planfile.InputKinds {
		for _, format := range names {
			if _, err := formats.Lookup(kind, format); format != "" && err != nil {
				continue
			}
			reads = append(reads, read{kind, format, ""})
			if kind == planfile.KindEvents {
				reads = append(reads, read{kind, format, "file"})
			}
		}
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, r := range reads {
			d := metrics.NewData()
			g := &Ingest{Data: d, Formats: formats, Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
			st, err := g.Read(Input{Kind: r.kind, Path: path, Format: r.format, Zone: berlin, ZoneName: "Europe/Berlin", Order: r.order})
			if err != nil {
				continue
			}
			if st.Used+st.Outside+st.SkippedTotal()+st.IgnoredTotal() != st.Read {
				t.Fatalf("%s/%s: read %d ≠ used %d + outside %d + skipped %d + ignored %d", r.kind, r.format, st.Read, st.Used, st.Outside, st.SkippedTotal(), st.IgnoredTotal())
			}
			d.Freeze()
			d.Joins()
			if r.kind == planfile.KindOnboarding {
				funnel := &metrics.Funnel{Steps: []string{"a", "b"}, Match: [][]string{{"setupstarted", "a"}, {"blefound", "b"}}, Fold: normalize, Within: 3600e6, Target: 180e6}
				o := d.SetupFunnel(metrics.Options{Window: metrics.Window{From: math.MinInt64 / 4, To: math.MaxInt64 / 4}, Funnel: funnel}, metrics.NoTime)
				if o.Completed > o.Attempts || len(o.Steps) != 2 || o.Steps[1].Attempts > o.Steps[0].Attempts {
					t.Fatalf("funnel %+v", o)
				}
			}
		}
	})
}

// indent indents every line of s by two spaces (a list under a key).
func indent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString("  " + line)
	}
	return b.String()
}

// TestSignaturesAreDistinctive: every built-in signature names a column
// that no generic format of its kind reads, so that a generic header
// (time,device_id,online from psql) is never taken for a platform's export
// and read with its vocabulary.
func TestSignaturesAreDistinctive(t *testing.T) {
	// the names any export may have, whatever made it
	generic := map[string]bool{}
	for _, n := range []string{"id", "device", "device_id", "deviceId", "client_id", "clientId", "thing", "name", "time", "timestamp", "ts",
		"date", "datetime", "created", "created_at", "event", "eventType", "event_type", "type", "state", "status", "online", "connected",
		"value", "data", "message", "customer", "customer_id", "feature", "job", "job_id", "jobId", "host", "instance", "sequence", "session"} {
		generic[normalize(n)] = true
	}
	for _, f := range Builtins() {
		if len(f.signature) == 0 {
			continue
		}
		if !slices.ContainsFunc(f.signature, func(alts []string) bool {
			return !slices.ContainsFunc(alts, func(a string) bool { return generic[a] })
		}) {
			t.Errorf("%s: signature %s names only columns any export may have", f.Name, f.SignatureText())
		}
	}
	fs := NewFormats(nil)
	for _, header := range [][]string{{"time", "device_id", "online"}, {"Time", "device", "state"}, {"device_id", "timestamp", "event"}, {"clientId", "timestamp", "eventType"}} {
		if f, detected := fs.Detect("events", header); detected {
			t.Errorf("%v detected as %s; a generic header must fall to generic", header, f.Name)
		}
	}
}

// A format from a pull request cannot make detection slow: a signature of
// thousands of entries, or of huge names, is refused at its position; and
// detection against a header of 50,000 columns is a set lookup.
func TestSignatureBounds(t *testing.T) {
	huge := make([]planfile.Columns, 1000)
	for i := range huge {
		huge[i] = planfile.Columns{fmt.Sprintf("c%d", i)}
	}
	long := []planfile.Columns{{strings.Repeat("x", 300)}}
	for name, sig := range map[string][]planfile.Columns{"a signature of 1000 entries; at most 64": huge, "a signature column name of 300 bytes; at most 256": long} {
		spec := planfile.FormatSpec{Name: "mine", Kind: planfile.KindEvents, Signature: sig, Pos: planfile.Pos{Line: 3, Col: 5},
			Columns: &planfile.RoleColumns{DeviceID: planfile.Columns{"id"}, Timestamp: planfile.Columns{"t"}, Event: planfile.Columns{"e"}}}
		diags := CheckFormats("iotpm.yaml", []planfile.FormatSpec{spec})
		if !strings.Contains(diags.Error(), "iotpm.yaml:3:5: format mine: "+name) {
			t.Errorf("%s: %v", name, diags)
		}
	}
	header := make([]string, 50000)
	for i := range header {
		header[i] = fmt.Sprintf("col%d", i)
	}
	header = append(header, "clientId", "eventType", "timestamp", "versionNumber")
	f, detected := NewFormats(nil).Detect(planfile.KindEvents, header)
	if !detected || f.Name != "aws-iot-lifecycle" {
		t.Errorf("detected %v %v", f, detected)
	}
}
