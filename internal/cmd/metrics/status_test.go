package metrics_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// A registry's devices export says which units are out of service in a
// status column iotpm does not read: without a retirement date they count
// as in service, never activated (here d2 and d3 of 3, the activation rate
// 33%), with nothing said. The run warns, counting the rows of every file
// of the input; a status with a retirement date, or one that says nothing
// of service (connected), is not warned of.
func TestMetricsDevicesStatus(t *testing.T) {
	events := "device_id,timestamp,event\nd1,2026-10-05T00:00:00Z,connected\nd1,2026-10-30T00:00:00Z,disconnected\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"azure identities", map[string]string{"devices.csv": "deviceId,shipped_at,status\nd1,2026-10-02,enabled\nd2,2026-10-02,disabled\nd3,2026-10-03,Disabled\n"},
			`2 rows of the devices input say in column "status" that the unit is out of service (e.g. "Disabled"), with no retirement date`},
		{"two files", map[string]string{"devices/a.csv": "device_id,shipped_at,state\nd1,2026-10-02,active\nd2,2026-10-02,DECOMMISSIONED\n",
			"devices/b.csv": "device_id,shipped_at,state\nd3,2026-10-03,returned\n"},
			`2 rows of the devices input say in column "state" that the unit is out of service (e.g. "DECOMMISSIONED")`},
		{"with retirement dates", map[string]string{"devices.csv": "device_id,shipped_at,status,retired_at\nd1,2026-10-02,active,\nd2,2026-10-02,decommissioned,2026-10-10\n"}, ""},
		{"a connection state", map[string]string{"devices.csv": "device_id,shipped_at,status\nd1,2026-10-02,connected\nd2,2026-10-02,disconnected\n"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "events.csv", events)
			input := "devices.csv"
			for name, content := range c.files {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
					t.Fatal(err)
				}
				cmdtest.WriteFile(t, dir, name, content)
				if strings.HasPrefix(name, "devices/") {
					input = "devices"
				}
			}
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", input, "--events", "events.csv", "--month", "2026-10")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			wantWarning(t, stderr, "out of service", c.want)
		})
	}
}
