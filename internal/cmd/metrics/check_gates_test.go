package metrics_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	checkcmd "github.com/iotpm/iotpm/internal/cmd/check"
	"github.com/iotpm/iotpm/internal/fleetmetrics"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

// A window after the data: every metric is null with its reason, every
// metric gate fails naming it, and check exits 1 — a stale export no longer
// keeps CI green.
func TestCheckWindowAfterTheDataFails(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "month: 2030-10")
	stdout, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir, "-o", "json")
	if code != cmdutil.ExitGate {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	var doc checkcmd.JSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"connectivity_uptime.always":  "no value: no always-connected device observed in window",
		"connectivity_uptime.checkin": "no value: no check-in device observed in window (a devices.yaml profile with checkin:, and the devices input's model column, say which devices check in)",
		"monthly_active_devices":      "no value: no data in window: latest events row 2026-11-10T23:56:19Z",
		"activation_rate":             "no value: no device shipped in window",
		"ota_success_rate":            "no value: no data in window: latest ota row 2026-10-24T18:46:57Z",
	}
	for _, g := range doc.Gates {
		if w, ok := want[g.Name]; ok {
			if g.Passed || g.Value != nil || g.Detail != w {
				t.Errorf("%s: passed %v value %v detail %q, want %q", g.Name, g.Passed, g.Value, g.Detail, w)
			}
			delete(want, g.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("gates missing: %v", want)
	}
	if !strings.Contains(stderr, "connectivity_uptime.always has no value: no always-connected device observed in window, so it is not >= 98%") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestMetricsDataAgeGate(t *testing.T) {
	args := append([]string{"metrics", "-C", cmdtest.ExampleRepo}, cmdtest.ExampleInputs...)
	// the data ends 2026-11-10, after the window: not stale
	if _, stderr, code := cmdtest.Run(t, nil, append(args, "--max-data-age", "2d", "--now", "2027-03-01")...); code != 0 {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// as of 2026-10-20 with the clock at 2026-10-25: 5 days old
	_, stderr, code := cmdtest.Run(t, nil, append(args, "--as-of", "2026-10-20", "--max-data-age", "2d", "--now", "2026-10-25")...)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "data age is 5 days, not <= 2d (--max-data-age)") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func TestMetricsV2Settings(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,decommissioned_at\nd1,2026-09-01,\nd2,2026-09-01,2026-10-11\n")
	// d1: up from 1 Oct, offline from 11 Oct (dormant after 5 days: 16 Oct);
	// d2: up from 1 Oct, decommissioned 11 Oct
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01,connected\nd1,2026-10-11,disconnected\nd2,2026-10-01,connected\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10",
		"--as-of", "2026-11-01", "--dormant-after", "5d", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc fleetmetrics.Result
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	u := doc.Uptime
	// d1 observed 1–16 Oct (15 d), connected 10 d; d2 observed and connected 1–11 Oct (10 d)
	if u.Value == nil || *u.Value != 20.0/25 || u.Dormant != 1 || u.Retired != 1 || u.DormantAfterDays != 5 {
		t.Errorf("uptime %+v (value %v)", u, u.Value)
	}
	if *doc.Horizon != "2026-11-01T00:00:00Z" {
		t.Errorf("horizon %v", *doc.Horizon)
	}
	for _, bad := range []struct{ flag, value, want string }{
		{"--dormant-after", "soon", `--dormant-after "soon": give a duration such as 30d, or 0 to turn dormancy off`},
		{"--dormant-after", "720h30m", `--dormant-after: "720h30m" is 43230m written as a sum; write 43230m (a duration is one number and one unit)`},
		{"--max-data-age", "1d12h", `--max-data-age: "1d12h" is 36h written as a sum; write 36h`},
		{"--as-of", "yesterday", `--as-of: "yesterday" is not a time`},
		{"--max-data-age", "-1d", `--max-data-age "-1d": give a duration such as 2d or 36h`},
	} {
		_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", bad.flag, bad.value)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, bad.want) {
			t.Errorf("%s %s: exit %d: %s", bad.flag, bad.value, code, stderr)
		}
	}
}

// A rate threshold written without % in iotpm.yaml is refused as the flag
// refuses it, with its position.
func TestRateThresholdInConfigIsChecked(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `always: ">= 98%"`, `always: ">= 75"`)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `data_age: "<= 2d"`, `data_age: "<= soon"`)
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	for _, want := range []string{
		`iotpm.yaml:24:13: gates.connectivity_uptime.always: 75 is ambiguous: write 75% or 0.75`,
		`iotpm.yaml:31:13: gates.data_age: "<= soon" is not an age limit`,
	} {
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
}
