package planning

import (
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Releases dated before today that hold work are named, earliest first;
// an empty past release, or one dated today, is not.
func TestPastReleases(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rel := func(name, date string, used float64) roadmap.ReleasePlan {
		return roadmap.ReleasePlan{Release: roadmap.Release{Name: name, Date: day(date)}, Allocated: used}
	}
	plan := &roadmap.Plan{Releases: []roadmap.ReleasePlan{
		rel("Rev B", "2026-07-01", 2),
		rel("FW 1", "2026-04-01", 1.5),
		rel("FW 2", "2026-07-01", 0), // past, but empty
		rel("FW 3", "2026-12-05", 1), // today
		rel("Sprint 7", "2026-04-09", 1),
		rel("Sprint 8", "2026-04-23", 1),
		rel("Sprint 9", "2026-05-07", 0.5),
	}}
	backlog := &planfile.Backlog{File: "features.yaml", CalendarPos: planfile.Pos{Line: 9, Col: 3}}
	now := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC)
	d := PastReleases(plan, backlog, now)
	if len(d) != 1 || d.HasErrors() {
		t.Fatalf("%v", d)
	}
	want := "roadmap: 5 releases dated before today (2026-12-05) hold work that has not shipped (FW 1 2026-04-01, Sprint 7 2026-04-09, Sprint 8 2026-04-23 and 2 more)"
	if got := d[0].String(); !strings.Contains(got, want) || !strings.Contains(got, "features.yaml:9:3") {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// the day before FW 1, nothing is past
	if d := PastReleases(plan, backlog, day("2026-04-01")); len(d) != 0 {
		t.Errorf("before any release: %v", d)
	}
}
