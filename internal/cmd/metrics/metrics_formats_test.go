package metrics_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/fleetmetrics"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

func TestListFormatsGolden(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"list-formats.golden", []string{"metrics", "--list-formats"}},
		{"list-formats-json.golden", []string{"metrics", "--list-formats", "-o", "json"}},
	})
}

func formatsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "export", "testdata", "formats"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every input's format shows in the ROWS accounting, detected or named.
func TestMetricsShowsTheFormat(t *testing.T) {
	dir := formatsDir(t)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "particle-events.csv", "--ota", "aws-iot-jobs-v1.csv",
		"--format", "ota=aws-iot-jobs", "--from", "2026-10-10", "--to", "2026-10-11", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Rows map[string]fleetmetrics.Rows `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	ev, ota := doc.Rows["events"], doc.Rows["ota"]
	if ev.Format != "particle-events" || !ev.FormatDetected || ev.Ignored != 5 || ev.Columns["device_id"] != "coreid" {
		t.Errorf("events rows %+v", ev)
	}
	if ota.Format != "aws-iot-jobs" || ota.FormatDetected {
		t.Errorf("ota rows %+v", ota)
	}
}

func TestMetricsTimeZoneFlag(t *testing.T) {
	dir := formatsDir(t)
	args := []string{"metrics", "-C", dir, "--events", "grafana-formatted.csv", "--format", "events=grafana-csv", "--from", "2026-10-10T11:00:00Z", "--to", "2026-10-10T13:00:00Z", "-o", "json"}
	_, stderr, code := cmdtest.Run(t, nil, args...)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "has no zone and this format's times are local") {
		t.Fatalf("without --tz: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, append(args, "--tz", "events=Europe/Berlin", "--as-of", "2026-10-10T13:00:00Z")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Uptime fleetmetrics.Uptime `json:"connectivity_uptime"`
	}
	json.Unmarshal([]byte(stdout), &doc)
	// connected 11:00–12:00 UTC (13:00–14:00 in Berlin) of 11:00–13:00
	if doc.Uptime.Value == nil || *doc.Uptime.Value != 0.5 {
		t.Errorf("uptime %v", doc.Uptime.Value)
	}
}

// An Etc/GMT zone's sign is POSIX's: Etc/GMT-5 is UTC+05:00. A device
// connects at 10:00 and disconnects at 12:00 local time (no zone in the
// export); the window is 05:00–09:00 UTC. Read at UTC+05:00 that is
// 05:00–07:00 UTC, two hours of four: 0.5. Read in Etc/GMT+5 (UTC−05:00)
// it is 15:00–17:00 UTC, after the window (no uptime), and the run warns,
// from the flag at the export's path and from iotpm.yaml at its line.
func TestMetricsEtcZoneSign(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-10 10:00:00,connected\nd1,2026-10-10 12:00:00,disconnected\n")
	args := []string{"metrics", "-C", dir, "--events", "events.csv", "--from", "2026-10-10T05:00:00Z", "--to", "2026-10-10T09:00:00Z", "--as-of", "2026-10-10T20:00:00Z", "-o", "json"}
	read := func(stdout string) (*float64, string) {
		t.Helper()
		var doc struct {
			Uptime fleetmetrics.Uptime          `json:"connectivity_uptime"`
			Rows   map[string]fleetmetrics.Rows `json:"rows"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Rows["events"].Earliest == nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return doc.Uptime.Value, *doc.Rows["events"].Earliest
	}
	stdout, stderr, code := cmdtest.Run(t, nil, append(args, "--tz", "events=Etc/GMT-5")...)
	if code != 0 || !strings.Contains(stderr, "Etc/GMT-5 is UTC+05:00, 5 hours ahead of UTC") {
		t.Fatalf("Etc/GMT-5: exit %d, stderr:\n%s\n%s", code, stderr, stdout)
	}
	if v, first := read(stdout); v == nil || *v != 0.5 || first != "2026-10-10T05:00:00Z" {
		t.Errorf("Etc/GMT-5: uptime %v, first event %s", v, first)
	}
	stdout, stderr, code = cmdtest.Run(t, nil, append(args, "--tz", "events=Etc/GMT+5")...)
	want := filepath.Join(dir, "events.csv") + ": warning: --tz events=Etc/GMT+5: Etc/GMT+5 is UTC−05:00, 5 hours behind UTC: the Etc/GMT zones carry POSIX's sign, the reverse of ISO 8601's; if the times are at UTC+05:00, name Etc/GMT-5"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("Etc/GMT+5: exit %d, stderr:\n%s\nwant %s", code, stderr, want)
	}
	if v, first := read(stdout); v != nil || first != "2026-10-10T15:00:00Z" {
		t.Errorf("Etc/GMT+5: uptime %v, first event %s", v, first)
	}
	cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  inputs:\n    events: {path: events.csv, tz: Etc/GMT+5}\n")
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir, "--from", "2026-10-10T05:00:00Z", "--to", "2026-10-10T09:00:00Z", "--as-of", "2026-10-10T20:00:00Z")
	want = "iotpm.yaml:3:36: warning: metrics.inputs.events.tz: Etc/GMT+5 is UTC−05:00"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("iotpm.yaml: exit %d, stderr:\n%s\nwant %s", code, stderr, want)
	}
	// a zone written as an offset is refused, with both readings
	cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  inputs:\n    events: {path: events.csv, tz: UTC+5}\n")
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir, "--from", "2026-10-10T05:00:00Z", "--to", "2026-10-10T09:00:00Z")
	want = `iotpm.yaml:3:36: metrics.inputs.events.tz: "UTC+5" is not a time zone in the IANA database`
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) || !strings.Contains(stderr, "Etc/GMT-5 is UTC+05:00, Etc/GMT+5 is UTC−05:00") {
		t.Fatalf("UTC+5: exit %d, stderr:\n%s\nwant %s", code, stderr, want)
	}
}

func TestMetricsFormatUsageErrors(t *testing.T) {
	dir := formatsDir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "events=particle"}, `unknown events format "particle"; did you mean "particle-events"?`},
		{[]string{"--format", "events"}, `--format "events": write KIND=VALUE, e.g. events=particle-events`},
		{[]string{"--format", "ota=aws-iot-jobs"}, "--format names ota, which is not an input"},
		{[]string{"--tz", "events=Mars/Olympus"}, `"Mars/Olympus" is not a time zone in the IANA database`},
		{[]string{"--tz", "event=UTC"}, `unknown input "event"`},
		// EST reads as New York's time and is Panama's: an hour off all
		// summer (it was taken as −05:00 all year, unsaid)
		{[]string{"--tz", "events=EST"}, `"EST" is ambiguous: in the IANA database it is UTC−05:00 all year, as America/Panama keeps, while US Eastern time is UTC−04:00 in summer; name America/New_York for that local time, or America/Panama for −05:00 all year`},
		{[]string{"--tz", "events=MST"}, `name America/Denver for that local time, or America/Phoenix for −07:00 all year`},
		// an offset is not a zone name, and "UTC+5" reads both ways
		{[]string{"--tz", "events=UTC+5"}, `written this way an offset is ambiguous, UTC+05:00 as ISO 8601 reads it and UTC−05:00 as a POSIX TZ string (and PostgreSQL) reads it; name the zone of the export's region (e.g. Asia/Kolkata, America/New_York), which also follows its summer time, or a fixed offset: Etc/GMT-5 is UTC+05:00, Etc/GMT+5 is UTC−05:00`},
		{[]string{"--tz", "events=GMT-3"}, `UTC−03:00 as ISO 8601 reads it and UTC+03:00 as a POSIX TZ string (and PostgreSQL) reads it; `},
		{[]string{"--tz", "events=-03:00"}, `or a fixed offset: Etc/GMT+3 is UTC−03:00 (the database's fixed zones carry POSIX's sign, the reverse of ISO 8601's)`},
		{[]string{"--tz", "events=+05:30"}, `name the zone of the export's region (e.g. Asia/Kolkata, America/St_Johns): the database has no fixed zone at UTC+05:30`},
		{[]string{"--tz", "events=UTC+13"}, `Etc/GMT-13 is UTC+13:00, the database has no fixed zone at UTC−13:00`},
		{[]string{"--tz", "events=UTC+05:30"}, `UTC+05:30 as ISO 8601 reads it and UTC−05:30 as a POSIX TZ string (and PostgreSQL) reads it; name the zone of the export's region (e.g. Asia/Kolkata, America/St_Johns): the database has no fixed zone at either`},
		{[]string{"--tz", "events=UTC+0"}, `"UTC+0" is not a time zone in the IANA database (2025c): name UTC`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"metrics", "-C", dir, "--events", "particle-events.csv", "--month", "2026-10"}, tt.args...)
			stdout, stderr, code := cmdtest.Run(t, nil, args...)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d stdout %q stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// None of the events' device ids is in devices.csv: the device column is
// almost certainly the wrong one, so the run stops and shows both sides.
func TestMetricsStopsWhenNoDeviceJoins(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\ndrip-000201,2026-09-01\ndrip-000202,2026-09-01\n")
	cmdtest.WriteFile(t, dir, "events.csv", "id,eventTime,eventType\n38c44f4c-6d1e,2026-10-10T11:00:00Z,connected\n")
	stdout0, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10")
	want := `none of the 1 device ids of events (column id, format generic) is in the devices input ` + filepath.Join(dir, "devices.csv") +
		` (column device_id): e.g. "38c44f4c-6d1e" here, "drip-000201" there; if the column is the wrong one, name it with --map events.device_id=COLUMN`
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant %s\nstdout %s", code, stderr, want, stdout0)
	}
	// a devices input whose every row is bad (ship dates as a
	// spreadsheet's serial numbers) matches no id: its rows are the
	// problem, said with what they are, not the events' id column
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\ndrip-000201,46234\n")
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\ndrip-000201,2026-10-10T11:00:00Z,connected\n")
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10")
	if code != cmdutil.ExitInvalid || strings.Contains(stderr, "none of the") || !strings.Contains(stderr, `shipped_at "46234" (format generic) looks like a spreadsheet's date serial number (2026-07-31 00:00:00 in Excel's 1900 date system`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\ndrip-000201,2026-09-01\ndrip-000202,2026-09-01\n")
	// some unknown: a warning, counted
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\ndrip-000201,2026-10-10T11:00:00Z,connected\nghost-1,2026-10-10T11:00:00Z,connected\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10", "-o", "json")
	if code != 0 || !strings.Contains(stderr, `1 of the 2 device ids of events are not in the devices input`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var doc struct {
		Rows map[string]fleetmetrics.Rows `json:"rows"`
	}
	json.Unmarshal([]byte(stdout), &doc)
	if doc.Rows["events"].UnknownDevices != 1 {
		t.Errorf("rows %+v", doc.Rows["events"])
	}
}

// A repo's own format in iotpm.yaml: positioned problems exit 2; a valid
// one is detected and listed.
func TestMetricsRepoFormats(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "hub.csv", "unit,happened,what\nunit:7,2026-10-10T11:00:00Z,UP\nunit:7,2026-10-10T12:00:00Z,PING\n")
	os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(`metrics:
  month: 2026-10
  inputs:
    events: {path: hub.csv, tz: UTC}
formats:
  - name: acme-hub
    kind: events
    signature: [unit, happened, what]
    columns: {device_id: unit, timestamp: happened, event: what}
    extract: {device_id: '^unit:(.+)$'}
    values: {connect: [UP], disconnect: [DOWN], ignore: [PING]}
`), 0o644)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"format": "acme-hub"`) || !strings.Contains(stdout, `"event ping": 1`) {
		t.Fatalf("exit %d stderr %s\n%s", code, stderr, stdout)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "metrics", "-C", dir, "--list-formats")
	if !strings.HasPrefix(strings.SplitN(stdout, "\n", 3)[1], "acme-hub") {
		t.Errorf("the repo's format is not listed first:\n%s", stdout)
	}
	os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(`metrics:
  month: 2026-10
  inputs:
    events: {path: hub.csv, format: acme, tz: Berlin}
formats:
  - name: acme-hub
    kind: events
    columns: {device_id: unit, timestamp: happened}
    extract: {device_id: '^unit:.+$'}
`), 0o644)
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir)
	for _, want := range []string{
		`iotpm.yaml:4:47: metrics.inputs.events.tz: "Berlin" is not a time zone in the IANA database`,
		`iotpm.yaml:9:26: format acme-hub: extract.device_id: "^unit:.+$" must have exactly one capture group`,
		`iotpm.yaml:8:14: format acme-hub: columns: missing event, which an events input needs`,
	} {
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
}

func TestMetricsSnapshotOTASaysSo(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", formatsDir(t), "--ota", "azure-device-update.csv", "--month", "2030-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 2 succeeded, 1 failed: counted even in a window long after the export
	if !strings.Contains(stdout, "66.7%") || !strings.Contains(stdout, "states from a snapshot export, counted whatever the window") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestValidateChecksRepoFormats(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte("formats:\n  - name: x\n    kind: ota\n    columns: {device_id: unit}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("features: []\n"), 0o644)
	_, stderr, code := cmdtest.Run(t, nil, "validate", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "iotpm.yaml:4:14: format x: columns: missing job_id, which an ota input needs") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// A timeline written to the minute (ISO 8601 without seconds, with T or a
// space) reads as the same instants with seconds 0. By hand: connected
// 10:00–11:30 and 12:00–13:00 (H, as of), observed from 10:00: 2.5 h of 3.
func TestMinutePrecisionTimeline(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "ev.csv", "device_id,timestamp,event\na,2026-10-10T10:00Z,connected\na,2026-10-10T11:30Z,disconnected\na,2026-10-10 12:00Z,connected\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "ev.csv", "--month", "2026-10", "--as-of", "2026-10-10T13:00:00Z", "-o", "json")
	var doc struct {
		Uptime struct {
			Connected float64 `json:"connected_hours"`
			Observed  float64 `json:"observed_hours"`
		} `json:"connectivity_uptime"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if doc.Uptime.Connected != 2.5 || doc.Uptime.Observed != 3 {
		t.Errorf("connected %v h of %v, want 2.5 of 3", doc.Uptime.Connected, doc.Uptime.Observed)
	}
}
