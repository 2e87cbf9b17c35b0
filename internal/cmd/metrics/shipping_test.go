package metrics_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// A devices export whose shipped_at is the factory's provisioning time
// (a registry's creation date) makes the end-of-line test an activation:
// when most activated devices (at least 10) connected within an hour of
// it, the run says so, naming the column. Twelve devices provisioned
// 1 Oct 08:00: `soon` of them connect 5 minutes later, the others three
// days later.
func TestActivationAtShippingWarned(t *testing.T) {
	for _, c := range []struct {
		soon int
		warn bool
	}{{10, true}, {12, true}, {6, false}, {9, false}} {
		t.Run(fmt.Sprint(c.soon), func(t *testing.T) {
			dir := t.TempDir()
			var devices, events strings.Builder
			devices.WriteString("thingName,creationDate\n")
			events.WriteString("clientId,timestamp,eventType\n")
			for i := range 12 {
				devices.WriteString(fmt.Sprintf("unit-%02d,2026-10-01T08:00:00Z\n", i))
				at := "2026-10-04T08:00:00Z"
				if i < c.soon {
					at = "2026-10-01T08:05:00Z"
				}
				events.WriteString(fmt.Sprintf("unit-%02d,%s,connected\n", i, at))
			}
			cmdtest.WriteFile(t, dir, "devices.csv", devices.String())
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv",
				"--map", "devices.device_id=thingName", "--map", "devices.shipped_at=creationDate", "--month", "2026-10", "--as-of", "2026-11-10T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := fmt.Sprintf("devices.csv: warning: %d of the 12 activated devices were activated (a connect or an activity row) within an hour of their shipped_at (column creationDate)", c.soon)
			if got := strings.Contains(stderr, want); got != c.warn {
				t.Errorf("warned %v, want %v (%q):\n%s", got, c.warn, want, stderr)
			}
			if !c.warn && strings.Contains(stderr, "within an hour of their shipped_at") {
				t.Errorf("warned:\n%s", stderr)
			}
		})
	}
}
