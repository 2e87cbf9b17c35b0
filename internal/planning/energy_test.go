package planning

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// WorstAfterRelease: per release, of the devices it changes, the one with
// the shortest life after it, with its life before the release (the
// device's previous step, or today) and what limits it. A device the
// release leaves alone does not count, however short its life.
func TestWorstAfterRelease(t *testing.T) {
	y := func(years float64, limit string) energy.Result {
		return energy.Result{Life: energy.Hours(years * energy.YearHours), LimitedBy: limit}
	}
	fw1 := time.Date(2027, 4, 4, 0, 0, 0, 0, time.UTC)
	fw2 := time.Date(2027, 7, 4, 0, 0, 0, 0, time.UTC)
	ep := &Energy{Timelines: []energy.Timeline{
		{Device: "valve", Today: y(14, "capacity"), Steps: []energy.Step{
			{Date: fw1, Release: "FW 1", Result: y(13, "capacity")},
			{Date: fw2, Release: "FW 2", Result: y(12.5, "capacity")},
		}},
		{Device: "lora", Today: y(18, "capacity"), Steps: []energy.Step{
			{Date: fw2, Release: "FW 2", Result: y(20, "shelf_life")},
		}},
		// shorter than any, but no release changes it
		{Device: "puck", Today: y(3, "capacity")},
	}}
	got := ep.WorstAfterRelease()
	want := map[string]ReleaseLife{
		"2027-04-04 FW 1": {Device: "valve", Years: 13, Before: 14, LimitedBy: "capacity"},
		"2027-07-04 FW 2": {Device: "valve", Years: 12.5, Before: 13, LimitedBy: "capacity"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d releases %+v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		g := got[k]
		if g.Device != w.Device || g.LimitedBy != w.LimitedBy || !near(g.Years, w.Years) || !near(g.Before, w.Before) {
			t.Errorf("%s: got %+v, want %+v", k, g, w)
		}
	}
	// the lora alone changes at FW 2 when the valve does not
	ep.Timelines[0].Steps = ep.Timelines[0].Steps[:1]
	if g := ep.WorstAfterRelease()["2027-07-04 FW 2"]; g.Device != "lora" || !near(g.Before, 18) || g.LimitedBy != "shelf_life" {
		t.Errorf("FW 2 changing the lora alone: %+v, want lora 18 → 20 (shelf_life)", g)
	}
}

// Two devices held at their cells' 20-year shelf life by a release: the
// worst is the one with less margin by capacity, and its capacity lives
// before and after show the release's energy cost that "20 → 20 y" hides.
func TestWorstAfterReleaseShelfCapped(t *testing.T) {
	y := func(years, capacity float64) energy.Result {
		limit := "capacity"
		if capacity > 20 {
			limit = "shelf_life"
		}
		return energy.Result{Life: energy.Hours(years * energy.YearHours), CapacityLife: energy.Hours(capacity * energy.YearHours), LimitedBy: limit}
	}
	fw3 := time.Date(2027, 10, 4, 0, 0, 0, 0, time.UTC)
	ep := &Energy{Timelines: []energy.Timeline{
		{Device: "roomy", Today: y(20, 40), Steps: []energy.Step{{Date: fw3, Release: "FW 3", Result: y(20, 35)}}},
		{Device: "tight", Today: y(20, 29.28), Steps: []energy.Step{{Date: fw3, Release: "FW 3", Result: y(20, 22.34)}}},
		{Device: "roomier", Today: y(20, 50), Steps: []energy.Step{{Date: fw3, Release: "FW 3", Result: y(20, 45)}}},
	}}
	g := ep.WorstAfterRelease()["2027-10-04 FW 3"]
	if g.Device != "tight" || !near(g.Years, 20) || !near(g.Before, 20) || !near(g.CapacityBefore, 29.28) || !near(g.CapacityYears, 22.34) || g.LimitedBy != "shelf_life" {
		t.Errorf("FW 3: %+v, want tight 20 → 20 y, by capacity 29.28 → 22.34 y", g)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// OTACadence: a device's updates (ota: every) are held against the
// firmware track's cadence — less often than its releases, or more often
// than its releases and hotfix windows, is warned of at the device's ota:
// line; as often, between the two, or with a twentieth of slack is not;
// a track of listed releases has no cadence to compare.
func TestOTACadence(t *testing.T) {
	fleet, diags := planfile.ParseDevices("devices.yaml", []byte(`devices:
  - id: lora
    battery: {cell: er14505}
    sleep: 2uA
    ota: {image: 180kB, every: 3mo}
    events: [{name: hb, every: 15m, duration: 10ms, current: 10mA}]
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cadence := func(every, hotfix roadmap.Period) roadmap.Calendar {
		tc := roadmap.TrackCalendar{Cadence: &roadmap.Cadence{Every: every, Capacity: 1}}
		if !hotfix.IsZero() {
			tc.Hotfix = &roadmap.Cadence{Every: hotfix, Capacity: 1}
		}
		return roadmap.Calendar{Tracks: map[rice.Track]roadmap.TrackCalendar{rice.Firmware: tc}}
	}
	mo := func(n int) roadmap.Period { return roadmap.Period{Months: n} }
	listed := func(dates ...string) roadmap.Calendar {
		var tc roadmap.TrackCalendar
		for i, d := range dates {
			at, err := time.Parse(time.DateOnly, d)
			if err != nil {
				t.Fatal(err)
			}
			// a hotfix window between releases is no release
			tc.Releases = append(tc.Releases, roadmap.Release{Name: fmt.Sprintf("FW %d", i+1), Date: at},
				roadmap.Release{Name: fmt.Sprintf("Hotfix %d", i+1), Date: at.AddDate(0, 0, 7), Hotfix: true})
		}
		return roadmap.Calendar{Tracks: map[rice.Track]roadmap.TrackCalendar{rice.Firmware: tc}}
	}
	for _, tt := range []struct {
		name string
		cal  roadmap.Calendar
		want string
	}{
		{"quarterly releases", cadence(mo(3), mo(1)), ""},
		{"monthly releases", cadence(mo(1), roadmap.Period{}), "devices.yaml:5:10: warning: device lora takes an update every 3mo (ota: every), and features.yaml's firmware track releases every 1mo: its battery life and megabytes count one update for every 3 releases. If each release goes to the device, write ota: {…, every: 1mo}"},
		{"13 weeks, within a twentieth of 3 months", cadence(roadmap.Period{Days: 91}, roadmap.Period{}), ""},
		{"half-yearly releases, monthly hotfixes", cadence(mo(6), mo(1)), ""},
		{"half-yearly releases only", cadence(mo(6), roadmap.Period{}), "more often than features.yaml's firmware track ships (releases every 6mo): its battery life and megabytes count updates the plan does not make; write ota: {…, every: 6mo}"},
		{"one listed release", listed("2027-01-04"), ""},
		// 91 days apart, within a twentieth of 3 months
		{"listed quarterly", listed("2027-01-04", "2027-04-05", "2027-07-05", "2027-10-04"), ""},
		// 91 days over 3 gaps: one every 30⅓ days; 91.3125 / 30.33 = 3.0
		{"listed monthly", listed("2027-01-04", "2027-02-01", "2027-03-01", "2027-04-05"), "device lora takes an update every 3mo (ota: every), and features.yaml's firmware track lists 4 releases from 2027-01-04 to 2027-04-05, one every 30d on average: its battery life and megabytes count one update for every 3 releases. If each release goes to the device, write ota: {…, every: 30d}"},
		// 182 days apart: 26 weeks
		{"listed half-yearly", listed("2027-01-04", "2027-07-05"), "more often than features.yaml's firmware track ships (lists 2 releases from 2027-01-04 to 2027-07-05, one every 26w on average)"},
		{"no firmware track", roadmap.Calendar{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := OTACadence(fleet, tt.cal, "features.yaml")
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("warned: %v", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0].String(), tt.want)):
				t.Errorf("got %v\nwant %s", got, tt.want)
			}
		})
	}
}
