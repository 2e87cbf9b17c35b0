package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

// The metrics block iotpm init writes, uncommented as its comment says,
// over hubs that stay connected for three days at a time (a 10-minute
// reconnect between): unmodelled: sensor, init's check-in profile, reads
// their uptime as check-ins (0.4%: every 15-minute check-in "missed"), and
// the warning now says that devices holding a connection are no check-in
// devices and how to model them; with unmodelled: always, as the
// template's comment now offers, uptime is worked by hand: cycles of
// 4,330 minutes from Sep 28, down for the last 10; October (44,640
// minutes) starts at minute 4,320 of them, so it holds the downs starting
// at 4,320 + 4,330k for k = 0…10: 110 minutes, and uptime is
// (44,640 − 110) / 44,640 = 99.754%.
func TestMetricsInitDefaultsOnHubs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	if _, stderr, code := cmdtest.Run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	start := time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC)
	var devices, events strings.Builder
	devices.WriteString("device_id,shipped_at\n")
	events.WriteString("clientId,timestamp,eventType\n")
	for d := range 40 {
		fmt.Fprintf(&devices, "hub-%03d,2026-09-01\n", d)
		for t := start; t.Before(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)); t = t.Add(72*time.Hour + 10*time.Minute) {
			fmt.Fprintf(&events, "hub-%03d,%d,connected\nhub-%03d,%d,disconnected\n", d, t.UnixMilli(), d, t.Add(72*time.Hour).UnixMilli())
		}
	}
	cmdtest.WriteFile(t, dir, "exports/devices.csv", devices.String())
	cmdtest.WriteFile(t, dir, "exports/lifecycle.csv", events.String())
	// uncomment the metrics block, its inputs the two exports
	path := filepath.Join(dir, "iotpm.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if line == "# metrics:" {
			in = true
		}
		if in && line == "" {
			in = false
		}
		if in && !strings.Contains(line, "ota:") && !strings.Contains(line, "onboarding:") {
			line = strings.TrimPrefix(line, "# ")
		} else if in {
			continue
		}
		out = append(out, line)
	}
	text := strings.Replace(strings.Join(out, "\n"), "month: 2026-11", "month: 2026-10", 1)
	if !strings.Contains(text, "\nmetrics:\n  month: 2026-10\n  inputs:\n    devices: exports/devices.csv\n") || !strings.Contains(text, "  unmodelled: sensor") {
		t.Fatalf("the template's metrics block changed:\n%s", text)
	}
	run := func(yaml string) (float64, string) {
		t.Helper()
		cmdtest.WriteFile(t, dir, "iotpm.yaml", yaml)
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Uptime fleetmetrics.Uptime `json:"connectivity_uptime"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Uptime.Value == nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return *doc.Uptime.Value, stderr
	}
	v, stderr := run(text)
	if v > 0.01 || !strings.Contains(stderr, "sensor: its devices missed") || !strings.Contains(stderr, "if instead they hold a connection between their events") {
		t.Errorf("as check-ins: uptime %v, stderr:\n%s", v, stderr)
	}
	v, stderr = run(strings.Replace(text, "  unmodelled: sensor", "  unmodelled: always", 1))
	if want := (44640.0 - 110) / 44640; math.Abs(v-want) > 1e-12 || strings.Contains(stderr, "missed") {
		t.Errorf("always connected: uptime %v, want %.5f; stderr:\n%s", v, want, stderr)
	}
}
