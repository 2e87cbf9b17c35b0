package metrics_test

import (
	"fmt"
	"strings"
	"testing"
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
			stderr := runDevicesEvents(t, devices.String(), events.String(),
				"--map", "devices.device_id=thingName", "--map", "devices.shipped_at=creationDate", "--month", "2026-10", "--as-of", "2026-11-10T00:00:00Z")
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

// A ship month whose shipped_at values are factory times is warned of when
// the fleet as a whole is not: 15 units shipped 1 Sep connect three days
// later; 15 provisioned 1 Oct 08:00, `soon` of them 5 minutes later, the
// others three days later. With 12, 12 of 30 activated fleet-wide (not
// most), 12 of October's 15: warned, the window's rate too; with 9,
// fewer than 10: not.
func TestActivationAtShippingOneMonthWarned(t *testing.T) {
	for _, c := range []struct {
		soon int
		warn bool
	}{{12, true}, {9, false}} {
		t.Run(fmt.Sprint(c.soon), func(t *testing.T) {
			var devices, events strings.Builder
			devices.WriteString("device_id,shipped_at\n")
			events.WriteString("device_id,timestamp,event\n")
			for i := range 15 {
				fmt.Fprintf(&devices, "sep-%02d,2026-09-01T08:00:00Z\n", i)
				fmt.Fprintf(&events, "sep-%02d,2026-09-04T08:00:00Z,connected\n", i)
				fmt.Fprintf(&devices, "oct-%02d,2026-10-01T08:00:00Z\n", i)
				at := "2026-10-04T08:00:00Z"
				if i < c.soon {
					at = "2026-10-01T08:05:00Z"
				}
				fmt.Fprintf(&events, "oct-%02d,%s,connected\n", i, at)
			}
			stderr := runDevicesEvents(t, devices.String(), events.String(), "--month", "2026-10", "--as-of", "2026-11-10T00:00:00Z")
			want := "devices.csv: warning: most activated units of ship month 2026-10 (12 of 15) were activated (a connect or an activity row) within an hour of their shipped_at (column shipped_at)"
			if got := strings.Contains(stderr, want); got != c.warn || c.warn && !strings.Contains(stderr, "the window's rate too") {
				t.Errorf("warned %v, want %v (%q):\n%s", got, c.warn, want, stderr)
			}
			if !c.warn && strings.Contains(stderr, "within an hour of their shipped_at") || strings.Contains(stderr, "of the 30 activated devices") {
				t.Errorf("warned:\n%s", stderr)
			}
		})
	}
}
