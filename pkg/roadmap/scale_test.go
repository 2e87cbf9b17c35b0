package roadmap

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// bigPlan is a backlog of n firmware features of 2 person-months against
// daily releases of 1 person-month over 20 years (7,305 releases).
func bigPlan(n int) Input {
	var ranked []rice.Scored
	for i := range n {
		ranked = append(ranked, feat(fmt.Sprintf("f%05d", i), i+1, rice.Performance, part(rice.Firmware, 2)))
	}
	c := Calendar{Start: date("2027-01-01"), End: date("2046-12-31"), Tracks: map[rice.Track]TrackCalendar{
		rice.Firmware: {Cadence: &Cadence{Every: Period{Days: 1}, Capacity: 1}},
	}}
	return Input{Ranked: ranked, Calendar: c}
}

// Placing parts skips full releases in near-constant time and builds no
// explanation unless asked: 1,250 features × daily releases took minutes
// and gigabytes when every part walked every full release and wrote a line
// for each.
func TestScheduleScales(t *testing.T) {
	in := bigPlan(1250)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	plan := Schedule(in)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	// the walk over every full release took minutes; 20 s catches that
	// without tripping on a loaded machine (the allocation bound below is
	// the deterministic check)
	if elapsed > 20*time.Second {
		t.Errorf("1,250 features × 7,305 releases took %v", elapsed)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
		t.Errorf("allocated %d MB", grew>>20)
	}
	if len(plan.Items) != 1250 || len(plan.Explain) != 0 {
		t.Fatalf("%d items, %d explanations", len(plan.Items), len(plan.Explain))
	}
	// the last feature takes the 2,499th and 2,500th releases
	last := plan.Items[len(plan.Items)-1]
	if want := date("2027-01-01").AddDate(0, 0, 2500); !last.ShipDate.Equal(want) {
		t.Errorf("last ships %s, want %s", last.ShipDate.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	// explaining one feature: full releases are summarised in one line
	in.Explain = "f01249"
	plan = Schedule(in)
	if len(plan.Explain) != 1 || len(plan.Explain[0].Steps) != 3 {
		t.Fatalf("explanation %+v", plan.Explain)
	}
	if got := plan.Explain[0].Steps[1].String(); got != "FW 1 to FW 2498 (2498 releases, 2027-01-02 to 2033-11-03) are full" {
		t.Errorf("line %q", got)
	}
}
