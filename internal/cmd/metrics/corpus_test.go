package metrics_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

// The corpus's windows. Events: W = [11:00, 14:00) UTC on 10 October,
// H = 14:00, so a device observed from 11:00 has 180 minutes. OTA and
// activity: W = [10 Oct, 12 Oct), H = 12 Oct.
var (
	hours = []string{"--from", "2026-10-10T11:00:00Z", "--to", "2026-10-10T14:00:00Z", "--as-of", "2026-10-10T14:00:00Z"}
	days  = []string{"--from", "2026-10-10", "--to", "2026-10-12", "--as-of", "2026-10-12T00:00:00Z"}
)

// corpusRun is one way a user runs a sample: with what they added (flags,
// the repo's formats: in iotpm.yaml) and what must come out: the value
// worked out by hand (exit 0), or a refusal (exit 2) whose message names
// the column, the format and what to write.
type corpusRun struct {
	name  string
	flags []string
	yaml  bool     // iotpm.yaml holds testdata/userformats/formats.yaml
	want  float64  // the metric, when refuse is nil
	via   string   // the format that must have read it (want only)
	fails []string // column, format, fix: all in stderr
}

type corpusCase struct {
	dir, file string // under internal/export/testdata
	kind      string // the input flag: events, ota, activity, devices
	window    []string
	// bad is a cell of the first data row replaced by "soon": a bad row
	// whose message names badCol and the format, and the way out.
	bad, badCol string
	runs        []corpusRun
	// config is more of iotpm.yaml (the setup funnel of onboarding runs).
	config string
}

// funnelConfig is the corpus's setup funnel.
const funnelConfig = "onboarding:\n  steps: [setup_started, ble_found, wifi_sent, cloud_connected]\n  within: 1h\n  target: 3m\n"

// TestFormatCorpus holds every built-in format and every example user
// format, run through iotpm metrics as a user runs them, to the number
// worked out by hand (in the comments) or to exit 2 with a message that
// says which column, which format and what to write. A run that exits 0
// with any other number fails.
func TestFormatCorpus(t *testing.T) {
	// the exact fractions, in seconds
	eventGrid := (1199.561601 + 8999.9 + 10800) / (10799.561601 + 10800)
	cases := []corpusCase{
		// 101: C 11:00 D 12:00 C 12:15 → 60 + 105 min; 102 reconnects
		// (v8) before the broker closes its old session (v7): 180.
		// 345/360.
		{dir: "formats", file: "aws-iot-lifecycle.csv", kind: "events", window: hours, bad: `"1791630000000"`, badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 345.0 / 360, via: "aws-iot-lifecycle"}}},
		// 901: C 11:00, C 12:00 (new session), the old session's
		// disconnect at 12:00:03 ends nothing, D 14:00: 180/180.
		{dir: "formats", file: "aws-iot-lifecycle-sessions.csv", kind: "events", window: hours, bad: "1791630000000", badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 1, via: "aws-iot-lifecycle"}}},
		// 201: S = C 11:00:00.438399, D 11:20, C 11:30:00.1: connected
		// 1199.561601 + 8999.9 s of 10799.561601; 202: C 11:00, 10800 s.
		{dir: "formats", file: "azure-eventgrid.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00.4383997Z", badCol: "eventTime",
			runs: []corpusRun{{name: "detected", want: eventGrid, via: "azure-eventgrid"}}},
		// 201: C 11:00:00.438399, D 11:20: 1199.561601 of 10799.561601 s.
		{dir: "formats", file: "azure-eventgrid-cloudevents.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00.4383997Z", badCol: "time",
			runs: []corpusRun{{name: "detected", want: 1199.561601 / 10799.561601, via: "azure-eventgrid"}}},
		// 301: C 11:00 D 12:00 C 12:30:00.5: 3600 + 5399.5 of 10800 s.
		{dir: "formats", file: "azure-log-analytics-portal.csv", kind: "events", window: hours, bad: "10/10/2026, 11:00:00.000 AM", badCol: "TimeGenerated [UTC]",
			runs: []corpusRun{{name: "detected", want: 8999.5 / 10800, via: "azure-log-analytics"}}},
		{dir: "formats", file: "azure-log-analytics-api.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00.0000001Z", badCol: "TimeGenerated",
			runs: []corpusRun{{name: "detected", want: 8999.5 / 10800, via: "azure-log-analytics"}}},
		// C 11:00 D 11:31 C 11:32 D 12:00: 31 + 28 of 180 min.
		{dir: "formats", file: "particle-events.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00.000Z", badCol: "published_at",
			runs: []corpusRun{{name: "detected", want: 59.0 / 180, via: "particle-events"}}},
		// 401: C 11:00 D 11:45; 402: C 11:00. 45 + 180 of 360 min.
		{dir: "formats", file: "influxdb-annotated.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00Z", badCol: "_time",
			runs: []corpusRun{{name: "detected", want: 225.0 / 360, via: "influxdb-annotated"}}},
		// C 11:00 D 11:45 C 12:00: 45 + 120 of 180 min. Its header is
		// too generic to detect: the run says which format to name.
		{dir: "formats", file: "influxdb1.csv", kind: "events", window: hours, bad: "1791630000000000000", badCol: "time",
			runs: []corpusRun{
				{name: "as-is", fails: []string{"no event column", "read as generic", "--map events.event=COLUMN", "--format events=NAME"}},
				{name: "named", flags: []string{"--format", "events=influxdb1-csv"}, want: 165.0 / 180, via: "influxdb1-csv"},
			}},
		// Times local to Berlin (CEST): C 13:00 D 14:00 = 11:00–12:00 UTC,
		// 60 of 180 min. Without a zone it is refused, never read as UTC.
		{dir: "formats", file: "grafana-formatted.csv", kind: "events", window: hours,
			runs: []corpusRun{
				{name: "as-is", fails: []string{"have no zone", "column Time", "format generic", "--tz events=ZONE", "metrics.inputs.events.tz"}},
				{name: "named", flags: []string{"--format", "events=grafana-csv"}, fails: []string{"(column Time, format grafana-csv) has no zone", "--tz KIND=ZONE"}},
				{name: "named with tz", flags: []string{"--format", "events=grafana-csv", "--tz", "events=Europe/Berlin"}, want: 60.0 / 180, via: "grafana-csv"},
			}},
		// epoch ms: C 11:00 D 12:00, 60 of 180 min, as generic or named
		{dir: "formats", file: "grafana-excel.csv", kind: "events", window: hours, bad: "1791630000000", badCol: "Time",
			runs: []corpusRun{
				{name: "as-is", want: 60.0 / 180, via: "generic"},
				{name: "named", flags: []string{"--format", "events=grafana-csv"}, want: 60.0 / 180, via: "grafana-csv"},
			}},
		// C 11:00 D 12:00:00.25 (13:45:00.25+01:45): 3600.25 of 10800 s.
		{dir: "formats", file: "postgres-copy.csv", kind: "events", window: hours, bad: "2026-10-10 11:00:00+00", badCol: "ts",
			runs: []corpusRun{{name: "detected", want: 3600.25 / 10800, via: "generic"}}},
		// valve-01: C 11:00, C 12:00, the taken-over session's disconnect
		// ignored, D 13:00: 120; valve-02: C 11:00 D 11:30: 30. 150/360.
		{dir: "formats", file: "emqx-client-events.csv", kind: "events", window: hours, bad: "1791630000000", badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 150.0 / 360, via: "emqx-client-events"}}},
		// the active key: true 11:00, false 13:00: 120 of 180 min
		{dir: "formats", file: "thingsboard-telemetry.csv", kind: "events", window: hours, bad: "1791630000000", badCol: "ts",
			runs: []corpusRun{{name: "detected", want: 120.0 / 180, via: "thingsboard-telemetry"}}},

		// OTA: success / (success + failure) of units final in W.
		// 101 SUCCEEDED; 102 FAILED then SUCCEEDED; 103 TIMED_OUT
		// (11 Oct); 104 IN_PROGRESS: 2/3.
		{dir: "formats", file: "aws-iot-jobs-v1.csv", kind: "ota", window: days, bad: "1791630660.789", badCol: "lastUpdatedAt",
			runs: []corpusRun{{name: "detected", want: 2.0 / 3, via: "aws-iot-jobs"}}},
		// 101 SUCCEEDED, 105 FAILED, 106 CANCELED (excluded): 1/2.
		{dir: "formats", file: "aws-iot-jobs-v2.csv", kind: "ota", window: days,
			runs: []corpusRun{{name: "detected", want: 1.0 / 2, via: "aws-iot-jobs"}}},
		// 101 succeeded, 102 failed, 103 timed out; the job row is none: 1/3.
		{dir: "formats", file: "aws-iot-job-events.csv", kind: "ota", window: days, bad: `"1791630660"`, badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 1.0 / 3, via: "aws-iot-job-events"}}},
		// a snapshot: Succeeded ×2, Failed, InProgress, Canceled: 2/3
		{dir: "formats", file: "azure-device-update.csv", kind: "ota", window: days,
			runs: []corpusRun{{name: "detected", want: 2.0 / 3, via: "azure-device-update"}}},
		// success, already-installed, noartifact; failure, aborted,
		// decommissioned; downloading is not final: 3/6.
		{dir: "formats", file: "mender-deployment-devices.csv", kind: "ota", window: days, bad: "2026-10-10T10:20:00Z", badCol: "finished",
			runs: []corpusRun{{name: "detected", want: 3.0 / 6, via: "mender-deployment-devices"}}},

		// Activity: two devices with uplinks in W.
		{dir: "formats", file: "chirpstack-up.csv", kind: "activity", window: days, bad: "2026-10-10 11:00:00.123456+00", badCol: "time",
			runs: []corpusRun{{name: "detected", want: 2, via: "chirpstack-up"}}},
		{dir: "formats", file: "tts-uplinks.csv", kind: "activity", window: days, bad: "2026-10-10T11:00:00.123456789Z", badCol: "result.received_at",
			runs: []corpusRun{{name: "detected", want: 2, via: "tts-uplinks"}}},
		// JSON as IoT Hub routing writes it: read as the CSV it flattens to
		{dir: "formats", file: "azure-iothub-routing.json", kind: "activity", window: days, bad: "2026-10-10T11:00:00.1230000Z", badCol: "EnqueuedTimeUtc",
			runs: []corpusRun{{name: "detected", want: 2, via: "azure-iothub-routing"}}},

		// User formats: refused as they are (no format knows them), read
		// right with the repo's formats: entries.
		// sensor-1: C 11:00 D 12:30 (the subscribe line is no event): 90/180.
		{dir: "userformats", file: "hivemq-log.csv", kind: "events", window: hours, bad: "2026-10-10 11:00:00.000", badCol: "@timestamp",
			runs: []corpusRun{
				{name: "as-is", fails: []string{"no device_id column", "read as generic", "--map events.device_id=COLUMN"}},
				{name: "repo format", yaml: true, want: 90.0 / 180, via: "hivemq-log"},
			}},
		// valve-7: C 11:00 D 12:00 (OFFLINE_LOW_BATTERY): 60 of 180;
		// valve-8: C 11:10 (epoch s in the JSON): 170 of 170. The
		// truncated JSON is a bad row until tolerated.
		{dir: "userformats", file: "pubsub-bigquery.csv", kind: "events", window: hours,
			runs: []corpusRun{
				{name: "as-is", fails: []string{"no device_id column", "read as generic", "--map events.device_id=COLUMN"}},
				{name: "repo format", yaml: true, fails: []string{"column data", "pubsub-bigquery", "--max-bad-rows N"}},
				{name: "repo format, 1 bad row tolerated", yaml: true, flags: []string{"--max-bad-rows", "1"}, want: 230.0 / 350, via: "pubsub-bigquery"},
			}},
		// valve_kitchen: C 11:00 (unavailable dropped) D 12:00: 60 of 180;
		// valve_garage: C 11:15, 165 of 165; the battery sensor filtered.
		{dir: "userformats", file: "home-assistant-history.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00.000Z", badCol: "last_changed",
			runs: []corpusRun{
				{name: "as-is", fails: []string{"no device_id column", "read as generic", "--map events.device_id=COLUMN"}},
				{name: "repo format", yaml: true, want: 225.0 / 345, via: "home-assistant-history"},
			}},
		// is_offline: false is a connect, true a disconnect. gw-1: C 11:00
		// D 12:40 C 13:10: 100 + 50 of 180 min; gw-2: C 11:30 D 13:00:
		// 90 of 150. 240/330. Mapped to the default vocabulary, which
		// reads true as a connect, it is refused, never read inverted.
		{dir: "userformats", file: "link-state.csv", kind: "events", window: hours, bad: "2026-10-10T11:00:00Z", badCol: "changed_at",
			runs: []corpusRun{
				{name: "mapped", flags: []string{"--map", "events.device_id=gateway_eui", "--map", "events.timestamp=changed_at", "--map", "events.event=is_offline"},
					fails: []string{`event value "false" in column is_offline`, "offline state", `values: {connect: ["false", "0"], disconnect: ["true", "1"]}`}},
				{name: "repo format", yaml: true, want: 240.0 / 330, via: "link-state"},
			}},
		// With events.csv (timescaleEvents), W = [1 Oct, 11 Oct): m-1
		// (retired_at infinity) C 5 Sep, D 6 Oct: 5 of 10 days; m-2
		// retired 5 Oct, C 3 Sep: 4 of 4 days; m-3 (\N) never connects.
		// 9/14. PostgreSQL's infinity is refused until null: names it.
		{dir: "userformats", file: "timescale-devices.csv", kind: "devices",
			window: []string{"--events", "events.csv", "--from", "2026-10-01", "--to", "2026-10-11", "--as-of", "2026-10-11T00:00:00Z"},
			runs: []corpusRun{
				{name: "as-is", fails: []string{`unparseable retired_at "infinity" (format generic)`, "null: [infinity]", `null: ['\N']`, "--max-bad-rows N"}},
				{name: "repo format", yaml: true, flags: []string{"--format", "devices=timescale-devices"}, want: 9.0 / 14, via: "timescale-devices"},
			}},
	}

	// The setup funnel (steps setup_started, ble_found, wifi_sent,
	// cloud_connected; an attempt lasts at most 1 h), completion held:
	onboarding := []corpusCase{
		// 501 completes; its user_id appears at wifi_sent (the app's login)
		// and the attempt stays one, keyed by amplitude_id (keyed by
		// user_id it would split and complete nothing). 502 stops at
		// ble_found. 1/2.
		{dir: "formats", file: "amplitude.csv", kind: "onboarding", window: days, config: funnelConfig, bad: "2026-10-10 10:59:30.000000", badCol: "event_time",
			runs: []corpusRun{{name: "detected", want: 0.5, via: "amplitude"}}},
		// u-1 completes; u-2 skips to cloud_connected: reaches only the
		// first step. 1/2.
		{dir: "formats", file: "mixpanel.csv", kind: "onboarding", window: days, config: funnelConfig, bad: "1791630000", badCol: "time",
			runs: []corpusRun{{name: "detected", want: 0.5, via: "mixpanel"}}},
		// pseudo-1 and pseudo-2 complete; pseudo-3 starts only. 2/3.
		{dir: "formats", file: "firebase-bigquery.csv", kind: "onboarding", window: days, config: funnelConfig, bad: "1791630000000000", badCol: "event_timestamp",
			runs: []corpusRun{{name: "detected", want: 2.0 / 3, via: "firebase-bigquery"}}},
		// event_text matches the steps ignoring case and blanks; anon-2's
		// second setup_started, 70 min after its first, is a new attempt
		// that completes. 2 of 3.
		{dir: "formats", file: "segment.csv", kind: "onboarding", window: days, config: funnelConfig, bad: "2026-10-10T11:00:00.000Z", badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 2.0 / 3, via: "segment"}}},
		// Segment's raw JSON: anon-1 completes (identify and screen
		// messages ignored), anon-2 stops at BLE Found. 1/2.
		{dir: "formats", file: "segment-raw.json", kind: "onboarding", window: days, config: funnelConfig, bad: "2026-10-10T11:00:00.000Z", badCol: "timestamp",
			runs: []corpusRun{{name: "detected", want: 0.5, via: "segment-raw"}}},
	}
	cases = append(cases, onboarding...)

	covered := map[string]bool{}
	for _, c := range cases {
		for _, r := range c.runs {
			t.Run(c.file+"/"+r.name, func(t *testing.T) {
				dir := corpusDir(t, c, r.yaml, "", "")
				args := append([]string{"metrics", "-C", dir, "--" + c.kind, c.file}, c.window...)
				args = append(append(args, r.flags...), "-o", "json")
				stdout, stderr, code := cmdtest.Run(t, nil, args...)
				if r.fails != nil {
					if code != cmdutil.ExitInvalid || stdout != "" {
						t.Fatalf("exit %d, want 2 with nothing on stdout; stderr:\n%s", code, stderr)
					}
					for _, s := range r.fails {
						if !strings.Contains(stderr, s) {
							t.Errorf("stderr lacks %q:\n%s", s, stderr)
						}
					}
					return
				}
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got, format := corpusValue(t, stdout, c.kind)
				if format != r.via {
					t.Errorf("read as %s, want %s", format, r.via)
				}
				if math.Abs(got-r.want) > 1e-12 {
					t.Errorf("value %.15g, worked out by hand %.15g", got, r.want)
				}
				covered[format] = true
			})
			if c.bad == "" || r.fails != nil {
				continue
			}
			// the same run with one bad timestamp: exit 2 naming it
			t.Run(c.file+"/"+r.name+"/bad timestamp", func(t *testing.T) {
				dir := corpusDir(t, c, r.yaml, c.bad, "soon")
				args := append([]string{"metrics", "-C", dir, "--" + c.kind, c.file}, c.window...)
				args = append(append(args, r.flags...), "-o", "json")
				stdout, stderr, code := cmdtest.Run(t, nil, args...)
				where := `"soon" (format ` + r.via + `)`
				if c.badCol != "timestamp" {
					where = `"soon" (column ` + c.badCol + `, format ` + r.via + `)`
				}
				if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, where) || !strings.Contains(stderr, "--max-bad-rows N") {
					t.Fatalf("exit %d, stderr lacks %s or the way out:\n%s", code, where, stderr)
				}
			})
		}
	}
	for _, f := range export.Builtins() {
		if f.Name != "generic" && !covered[f.Name] {
			t.Errorf("built-in format %s has no run in the corpus that is held to a value", f.Name)
		}
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "export", "testdata", "userformats", "formats.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^- name: (\S+)`).FindAllStringSubmatch(string(src), -1) {
		if !covered[m[1]] {
			t.Errorf("example user format %s has no run in the corpus that is held to a value", m[1])
		}
	}
}

// timescaleEvents is the events the timescale-devices sample is run with.
const timescaleEvents = "device_id,timestamp,event\n" +
	"m-1,2026-09-05T00:00:00Z,connected\n" +
	"m-2,2026-09-03T00:00:00Z,connected\n" +
	"m-1,2026-10-06T00:00:00Z,disconnected\n"

// corpusDir copies a sample into a new directory, with old replaced by
// new once (if old is set), the example user formats in iotpm.yaml if
// yaml, and the events the devices sample needs.
func corpusDir(t *testing.T, c corpusCase, yaml bool, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "export", "testdata", c.dir, c.file))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if old != "" {
		if !strings.Contains(text, old) {
			t.Fatalf("%s has no %q", c.file, old)
		}
		text = strings.Replace(text, old, new, 1)
	}
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, c.file, text)
	cmdtest.WriteFile(t, dir, "events.csv", timescaleEvents)
	if c.config != "" && !yaml {
		cmdtest.WriteFile(t, dir, "iotpm.yaml", c.config)
	}
	if yaml {
		src, err := os.ReadFile(filepath.Join("..", "..", "export", "testdata", "userformats", "formats.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("formats:\n")
		for line := range strings.Lines(string(src)) {
			b.WriteString("  " + line)
		}
		cmdtest.WriteFile(t, dir, "iotpm.yaml", b.String())
	}
	return dir
}

// corpusValue is the metric a sample of kind is held to, and the format
// that read it: uptime for events (and devices, run with events), OTA
// success for ota, monthly active devices for activity.
func corpusValue(t *testing.T, stdout, kind string) (float64, string) {
	t.Helper()
	var doc struct {
		Uptime *fleetmetrics.Uptime         `json:"connectivity_uptime"`
		OTA    *fleetmetrics.OTA            `json:"ota_success_rate"`
		MAD    *fleetmetrics.MAD            `json:"monthly_active_devices"`
		Setup  *fleetmetrics.Onboarding     `json:"onboarding"`
		Rows   map[string]fleetmetrics.Rows `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	format := doc.Rows[kind].Format
	switch {
	case kind == "ota" && doc.OTA != nil && doc.OTA.Value != nil:
		return *doc.OTA.Value, format
	case kind == "onboarding" && doc.Setup != nil && doc.Setup.Completion != nil:
		return *doc.Setup.Completion, format
	case kind == "activity" && doc.MAD != nil && doc.MAD.Value != nil:
		return float64(*doc.MAD.Value), format
	case (kind == "events" || kind == "devices") && doc.Uptime != nil && doc.Uptime.Value != nil:
		return *doc.Uptime.Value, format
	}
	t.Fatalf("no %s metric:\n%s", kind, stdout)
	return 0, ""
}
