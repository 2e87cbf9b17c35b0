package metrics_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// Devices counted as always connected that were connected less than half
// their observed time (at least 10 of them) are warned of: battery
// devices that connect, report and disconnect read so until their
// profile says they check in. n devices connect every hour for `on`
// minutes through 1 October (H = 24:00): uptime on/60.
func TestSleepByDesignWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, on   int
		profile string // the devices.yaml profile unmodelled: gives them
		warn    bool
		who     string
	}{
		{"hourly for a minute", 10, 1, "", true, "devices without a devices.yaml profile among them"},
		{"nine devices", 9, 1, "", false, ""},
		{"connected 35 of 60 minutes", 10, 35, "", false, ""},
		{"connected 29 of 60 minutes", 10, 29, "", true, "devices without a devices.yaml profile among them"},
		{"with their check-in profile", 10, 1, "valve", false, ""},
		{"with an always-connected profile", 10, 1, "plug", true, "profile plug"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var devices, events strings.Builder
			devices.WriteString("device_id,shipped_at\n")
			events.WriteString("device_id,timestamp,event\n")
			for i := range c.n {
				devices.WriteString(fmt.Sprintf("s-%02d,2026-09-01\n", i))
				for h := range 24 {
					events.WriteString(fmt.Sprintf("s-%02d,2026-10-01T%02d:00:00Z,connected\n", i, h))
					events.WriteString(fmt.Sprintf("s-%02d,2026-10-01T%02d:%02d:00Z,disconnected\n", i, h, c.on))
				}
			}
			cmdtest.WriteFile(t, dir, "devices.csv", devices.String())
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			if c.profile != "" {
				plug := "  - {id: plug, power: mains, events: [{name: status, every: 5m, duration: 200ms, current: 80mA}]}\n"
				cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices+plug)
				cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  unmodelled: "+c.profile+"\n")
			}
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv",
				"--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-02T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := fmt.Sprintf("events.csv: warning: %d devices counted as always connected (down whenever disconnected) were connected %s%% of their observed time (%s)",
				c.n, strings.TrimSuffix(fmt.Sprintf("%.1f", 100*float64(c.on)/60), ".0"), c.who)
			if got := strings.Contains(stderr, "counted as always connected (down whenever disconnected)"); got != c.warn || c.warn && !strings.Contains(stderr, want) {
				t.Errorf("warned %v, want %v (%q):\n%s", got, c.warn, want, stderr)
			}
		})
	}
}
