package roadmap

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// cal is a small calendar: hardware releases on 1 April and 1 October 2027
// (4 PM each), firmware every 2 months (2 PM), cloud every month (1 PM).
func cal() Calendar {
	return Calendar{Start: date("2027-01-01"), End: date("2027-12-31"), Tracks: map[rice.Track]TrackCalendar{
		rice.Hardware: {Releases: []Release{{Name: "Rev B", Date: date("2027-04-01"), Capacity: 4}, {Name: "Rev C", Date: date("2027-10-01"), Capacity: 4}}},
		rice.Firmware: {Cadence: &Cadence{Every: Period{Months: 2}, Capacity: 2}},
		rice.Cloud:    {Cadence: &Cadence{Every: Period{Months: 1}, Capacity: 1}},
	}}
}

// hotfixCal is cal() with monthly firmware hotfix windows of 0.5 PM.
func hotfixCal() Calendar {
	c := cal()
	fw := c.Tracks[rice.Firmware]
	fw.Hotfix = &Cadence{Every: Period{Months: 1}, Capacity: 0.5}
	c.Tracks[rice.Firmware] = fw
	return c
}

func feat(id string, rank int, kano rice.Kano, parts ...rice.Part) rice.Scored {
	return rice.Scored{Feature: rice.Feature{ID: id, Title: id, Kano: kano, Parts: parts}, Rank: rank}
}

func part(track rice.Track, pm float64, certs ...string) rice.Part {
	return rice.Part{Track: track, Engineering: pm, Certifications: certs}
}

var catalog = rice.Catalog{"lab": {ID: "lab", Weeks: 8}, "quick": {ID: "quick", Weeks: 1}}

// placement is feature/track → release name, or "unscheduled: reason…".
func placement(p Plan) map[string]string {
	out := map[string]string{}
	for _, it := range p.Items {
		out[it.Feature+"/"+string(it.Track)] = it.Release + " " + it.ShipDate.Format(time.DateOnly)
	}
	for _, u := range p.Unscheduled {
		out[u.Feature+"/"+string(u.Track)] = "unscheduled: " + u.Why.String()
	}
	return out
}

func check(t *testing.T, p Plan, want map[string]string) {
	t.Helper()
	got := placement(p)
	for k, w := range want {
		if !strings.HasPrefix(got[k], w) {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("placements %v, want %d entries", got, len(want))
	}
}

func TestCalendarReleases(t *testing.T) {
	c := Calendar{Start: date("2027-01-31"), End: date("2027-07-31"), Tracks: map[rice.Track]TrackCalendar{
		rice.Firmware: {Cadence: &Cadence{Every: Period{Months: 3}, Capacity: 3}, Hotfix: &Cadence{Every: Period{Months: 1}, Capacity: 0.5}},
		rice.Cloud:    {Cadence: &Cadence{Every: Period{Days: 14}, Capacity: 1}},
	}}
	var fw, cloud []string
	for _, r := range c.Releases() {
		s := r.Name + "@" + r.Date.Format("01-02")
		if r.Track == rice.Firmware {
			s = r.Opens.Format("01-02") + "–" + s
		}
		if r.Track == rice.Firmware {
			fw = append(fw, s)
		} else {
			cloud = append(cloud, s)
		}
	}
	// months are calendar months, clamped: Jan 31 + 1 month = Feb 28;
	// hotfix windows on a release date are left out
	// each cycle opens with the previous release of its kind (hotfix
	// windows by their cadence, also past a window left out)
	wantFW := []string{"01-31–Hotfix 1@02-28", "02-28–Hotfix 2@03-31", "01-31–FW 1@04-30", "04-30–Hotfix 3@05-31", "05-31–Hotfix 4@06-30", "04-30–FW 2@07-31"}
	if !slices.Equal(fw, wantFW) {
		t.Errorf("firmware %v\nwant %v", fw, wantFW)
	}
	if len(cloud) != 12 || cloud[0] != "Sprint 1@02-14" || cloud[11] != "Sprint 12@07-18" {
		t.Errorf("cloud %v", cloud)
	}
}

// Rule 1: basic features first, then by rank; dependencies just before.
func TestRuleOrder(t *testing.T) {
	ranked := []rice.Scored{
		feat("a", 1, rice.Delighter, part(rice.Cloud, 1)),
		feat("b", 2, rice.Basic, part(rice.Cloud, 1)),
		feat("c", 3, rice.Performance, part(rice.Cloud, 1)),
		feat("d", 4, rice.Basic, part(rice.Cloud, 1)),
		feat("e", 5, rice.Performance, part(rice.Cloud, 1)),
	}
	ranked[1].DependsOn = []string{"e", "c"} // b (basic) needs e and c
	var got []string
	for _, s := range Order(ranked) {
		got = append(got, s.ID)
	}
	want := []string{"c", "e", "b", "d", "a"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// Rule 2: parts ship hardware → firmware → cloud; a feature waits for all
// parts of its dependencies to ship, finish to start: its work starts the
// day after, so it ships in a later release than its dependency.
func TestRuleChainAndDependencies(t *testing.T) {
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Ranked: []rice.Scored{
		feat("sensor", 1, "", part(rice.Hardware, 2), part(rice.Firmware, 1), part(rice.Cloud, 0.5)),
		func() rice.Scored {
			f := feat("app-screen", 2, "", part(rice.Cloud, 0.5))
			f.DependsOn = []string{"sensor"}
			return f
		}(),
	}})
	check(t, p, map[string]string{
		"sensor/hardware":  "Rev B 2027-04-01",
		"sensor/firmware":  "FW 2 2027-05-01", // FW 1 (03-01) is before the hardware ships
		"sensor/cloud":     "Sprint 4 2027-05-01",
		"app-screen/cloud": "Sprint 5 2027-06-01", // starts after every part of sensor ships (Sprint 4, 05-01)
	})
}

// Rule 3: the release must be at least ready + lead time; certifications
// run in parallel, so the longest counts; an explicit lead time counts too.
func TestRuleLeadTime(t *testing.T) {
	tooling := part(rice.Hardware, 1)
	tooling.LeadTimeDays = 100
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Ranked: []rice.Scored{
		// 8 weeks after its work: FW 1 (03-01) would need it done by
		// 01-04, 3 days into its cycle (0.1 of 2 PM); built in FW 1's
		// cycle, it ships with FW 2 on 05-01
		feat("radio", 1, "", part(rice.Firmware, 0.5, "quick", "lab")),
		// 56 days: built by 02-04 (1 PM is 22.5 of Rev B's 90 days) → Rev B
		feat("slow-radio", 2, "", part(rice.Hardware, 1, "lab")),
		// 100 days: Rev B would need it by 2026-12-22, before the plan;
		// built in Rev B's cycle, it ships with Rev C
		feat("mould", 3, "", tooling),
	}})
	check(t, p, map[string]string{
		"radio/firmware":      "FW 2 2027-05-01",
		"slow-radio/hardware": "Rev B 2027-04-01",
		"mould/hardware":      "Rev C 2027-10-01",
	})
	// the work is where the capacity was: radio's in FW 1, mould's in Rev B
	for _, it := range p.Items {
		want := map[string]string{"radio": "FW 1", "slow-radio": "Rev B", "mould": "Rev B"}[it.Feature]
		if len(it.Allocations) != 1 || it.Allocations[0].Release != want {
			t.Errorf("%s: work %+v, want all of it in %s", it.Feature, it.Allocations, want)
		}
	}
	if d, src := LeadTime(part(rice.Firmware, 1, "quick", "lab"), catalog); d != 56 || src.Certification != "lab" {
		t.Errorf("lead %d %q", d, src)
	}
}

// Rule 3, components: long-lead components ordered when the part is
// ready arrive ComponentLeadDays later, in parallel with the work; the
// part ships on the first release on or after both that and its lead
// time after the work. Rev B 2027-04-01 (cycle from 01-01, 4 PM), Rev C
// 2027-10-01.
func TestRuleComponentLead(t *testing.T) {
	withComponents := func(pm float64, days int, certs ...string) rice.Part {
		p := part(rice.Hardware, pm, certs...)
		p.ComponentLeadDays = days
		return p
	}
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Explain: "late-parts", Ranked: []rice.Scored{
		// 1 PM: 22.5 of Rev B's 90 days, done 01-23; components on
		// 01-01 + 80 = 03-22: Rev B
		feat("in-time", 1, "", withComponents(1, 80)),
		// components on 01-01 + 91 = 04-02, a day after Rev B: Rev C,
		// though its work (1 PM, days 22.5 to 45: done 02-14) fits in
		// Rev B
		feat("late-parts", 2, "", withComponents(1, 91)),
		// the lab's 56 days after its work (days 45 to 67.5: done 03-09,
		// lead until 05-04)
		// outlast its 60 days of components (03-02): Rev C by the lead
		feat("certified", 3, "", withComponents(1, 60, "lab")),
	}})
	check(t, p, map[string]string{
		"in-time/hardware":    "Rev B 2027-04-01",
		"late-parts/hardware": "Rev C 2027-10-01",
		"certified/hardware":  "Rev C 2027-10-01",
	})
	for _, it := range p.Items {
		// the work is where the capacity was, whenever the part ships
		if len(it.Allocations) != 1 || it.Allocations[0].Release != "Rev B" {
			t.Errorf("%s: work %+v, want all of it in Rev B", it.Feature, it.Allocations)
		}
	}
	var got []string
	for _, e := range p.Explain {
		for _, st := range e.Steps {
			got = append(got, st.String())
		}
	}
	for _, want := range []string{
		"component lead time 91 days (long-lead components ordered when it is ready): earliest release 2027-04-02",
		"capacity: 1 person-month in Rev B, done on 2027-02-14; its components arrive 2027-04-02: ships with Rev C on 2027-10-01",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("explanation %q lacks %q", got, want)
		}
	}
}

// Rule 4: effort spills over consecutive releases and ships where it
// completes; no release is over-allocated.
func TestRuleCapacitySpillOver(t *testing.T) {
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Ranked: []rice.Scored{
		feat("small", 1, "", part(rice.Cloud, 0.4)),
		feat("big", 2, "", part(rice.Cloud, 2.1)), // 0.6 in Sprint 1, 1 in Sprint 2, 0.5 in Sprint 3
		feat("next", 3, "", part(rice.Cloud, 0.5)),
	}})
	check(t, p, map[string]string{
		"small/cloud": "Sprint 1 2027-02-01",
		"big/cloud":   "Sprint 3 2027-04-01",
		"next/cloud":  "Sprint 3 2027-04-01",
	})
	for _, r := range p.Releases {
		if r.Allocated > r.Capacity+epsilon {
			t.Errorf("%s over-allocated: %v of %v", r.Name, r.Allocated, r.Capacity)
		}
	}
	for _, it := range p.Items {
		if it.Feature == "big" && len(it.Allocations) != 3 {
			t.Errorf("big allocations %+v", it.Allocations)
		}
	}
}

// Rule 4, a late start: a release's capacity is spent over its cycle, so
// work that can only start partway through it has the share of the days
// left, and two such parts share them. Worked by hand on cal(): fw-dep
// ships FW 1 on 2027-03-01, so its dependants start 2027-03-02, day 60 of
// Rev B's 90-day cycle (2027-01-01 to 2027-04-01): 30/90 of its 4 PM is
// 1.333 PM. late-a (2 PM) takes those and 0.667 PM of Rev C; late-b finds
// Rev B's last 30 days taken and ships in Rev C; early, with no
// dependency, still has the first 60 days (2.667 PM) of Rev B.
func TestRuleLateInCycle(t *testing.T) {
	dependant := func(id string, rank int, pm float64) rice.Scored {
		f := feat(id, rank, "", part(rice.Hardware, pm))
		f.DependsOn = []string{"fw-dep"}
		return f
	}
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Explain: "late-a", Ranked: []rice.Scored{
		feat("fw-dep", 1, "", part(rice.Firmware, 1)),
		dependant("late-a", 2, 2), dependant("late-b", 3, 1),
		feat("early", 4, "", part(rice.Hardware, 1)),
	}})
	check(t, p, map[string]string{
		"fw-dep/firmware": "FW 1 2027-03-01",
		"late-a/hardware": "Rev C 2027-10-01",
		"late-b/hardware": "Rev C 2027-10-01",
		"early/hardware":  "Rev B 2027-04-01",
	})
	for _, it := range p.Items {
		if it.Feature == "late-a" {
			if len(it.Allocations) != 2 || math.Abs(it.Allocations[0].Amount-4.0/3) > 1e-9 || it.Allocations[0].Release != "Rev B" || math.Abs(it.Allocations[1].Amount-2.0/3) > 1e-9 {
				t.Errorf("late-a allocations %+v, want 1.333 in Rev B and 0.667 in Rev C", it.Allocations)
			}
		}
	}
	var said []string
	for _, ex := range p.Explain {
		for _, st := range ex.Steps {
			said = append(said, st.String())
		}
	}
	want := "Rev B on 2027-04-01 spends its 4 person-months over its cycle from 2027-01-01; the work can start 2027-03-02, which leaves it 1.333 person-months"
	if !slices.Contains(said, want) {
		t.Errorf("explanation %q\nwant the step %q", said, want)
	}
	for _, r := range p.Releases {
		if r.Name == "Rev B" && math.Abs(r.Allocated-(4.0/3+1)) > 1e-9 {
			t.Errorf("Rev B allocated %v, want 1.333 (late-a) + 1 (early)", r.Allocated)
		}
	}
}

// The cycle's busy days: each take fills the earliest free days from its
// start; free counts the idle days from a day on.
func TestCycleEarliestFit(t *testing.T) {
	c := cycle{days: 100}
	c.take(0, 10)
	c.take(50, 20)
	c.take(5, 30) // 10-40: the gap after the first, before the second
	if want := []span{{0, 40}, {50, 70}}; !slices.Equal(c.used, want) {
		t.Fatalf("busy %v, want %v", c.used, want)
	}
	for _, w := range []struct{ from, want float64 }{{0, 40}, {45, 35}, {60, 30}, {90, 10}, {100, 0}} {
		if got := c.free(w.from, c.days); math.Abs(got-w.want) > 1e-9 {
			t.Errorf("free(%v) = %v, want %v", w.from, got, w.want)
		}
	}
	c.take(30, 15) // 40-50 and 70-75
	if want := []span{{0, 75}}; !slices.Equal(c.used, want) {
		t.Errorf("busy %v, want %v", c.used, want)
	}
}

// Rule 5: what cannot complete by the end is unscheduled with its reason,
// holds no capacity, and takes its dependents and later parts with it.
func TestRuleUnscheduled(t *testing.T) {
	late := part(rice.Hardware, 1)
	late.LeadTimeDays = 400
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Ranked: []rice.Scored{
		feat("huge", 1, "", part(rice.Hardware, 9), part(rice.Firmware, 1)),
		feat("late", 2, "", late),
		func() rice.Scored {
			f := feat("needs-huge", 3, "", part(rice.Cloud, 1))
			f.DependsOn = []string{"huge"}
			return f
		}(),
		feat("fits", 4, "", part(rice.Hardware, 4)),
		// Rev B is full; Rev C needs it done by 08-06 (56 days of lab
		// before 10-01): 127 of its cycle's 183 days, 2.776 of its 4 PM
		feat("certified", 5, "", part(rice.Hardware, 5, "lab")),
	}})
	check(t, p, map[string]string{
		"certified/hardware": "unscheduled: no capacity: 2.224 of 5 person-months cannot be done from 2027-01-01 in time for a hardware release by the end, with 56 days of lead time after the work",
		"huge/hardware":      "unscheduled: no capacity: 1 of 9 person-months",
		"huge/firmware":      "unscheduled: waiting on its unscheduled hardware part",
		"late/hardware":      "unscheduled: lead time past end",
		"needs-huge/cloud":   "unscheduled: waiting on unscheduled dependency huge",
		"fits/hardware":      "Rev B 2027-04-01", // huge's rolled-back 8 PM are free again
	})
	// the reasons are typed: a kind and its values, for callers to word
	why := map[string]Reason{}
	for _, u := range p.Unscheduled {
		why[u.Feature+"/"+string(u.Track)] = u.Why
	}
	if r := why["huge/hardware"]; r.Kind != NoCapacity || r.Missing != 1 || r.Needed != 9 || r.Track != rice.Hardware {
		t.Errorf("huge/hardware: %+v", r)
	}
	if r := why["huge/firmware"]; r.Kind != EarlierPartUnscheduled || r.Part != rice.Hardware {
		t.Errorf("huge/firmware: %+v", r)
	}
	if r := why["late/hardware"]; r.Kind != LeadTimePastEnd || !r.Earliest.After(r.End) {
		t.Errorf("late/hardware: %+v", r)
	}
	if r := why["needs-huge/cloud"]; r.Kind != DependencyUnscheduled || r.Dependency != "huge" || r.Cause == nil || r.Cause.Kind != NoCapacity || r.CauseTrack != rice.Hardware {
		t.Errorf("needs-huge/cloud: %+v", r)
	}
}

// Hotfix windows take only hotfix features.
func TestHotfixWindows(t *testing.T) {
	c := hotfixCal()
	urgent := feat("urgent", 1, "", part(rice.Firmware, 0.5))
	urgent.Hotfix = true
	p := Schedule(Input{Calendar: c, Catalog: catalog, Ranked: []rice.Scored{
		feat("normal", 2, "", part(rice.Firmware, 0.5)),
		urgent,
	}})
	check(t, p, map[string]string{
		"urgent/firmware": "Hotfix 1 2027-02-01",
		"normal/firmware": "FW 1 2027-03-01",
	})
}

// A hotfix part's work is done when its last share is, which need not be
// in the last release it takes from: 1 PM takes Hotfix 1's 0.5 (its whole
// cycle, done 01-31) and 0.5 of FW 1's 2 PM (14.75 of its 59 days from
// 01-01, done 01-15): done 01-31, shipped with FW 1.
func TestWorkDoneIsTheLastShare(t *testing.T) {
	c := hotfixCal()
	urgent := feat("urgent", 1, "", part(rice.Firmware, 1))
	urgent.Hotfix = true
	p := Schedule(Input{Calendar: c, Catalog: catalog, Ranked: []rice.Scored{urgent}})
	if len(p.Items) != 1 || p.Items[0].Release != "FW 1" || !p.Items[0].WorkDone.Equal(date("2027-01-31")) || len(p.Items[0].Allocations) != 2 {
		t.Errorf("items %+v, want shipped with FW 1, work done 2027-01-31 over two releases", p.Items)
	}
}

// Rule 6: a theme completes with its last part; one unscheduled part puts
// it at risk.
func TestRuleThemes(t *testing.T) {
	a := feat("a", 1, "", part(rice.Cloud, 0.5))
	a.Theme = "t1"
	b := feat("b", 2, "", part(rice.Hardware, 1), part(rice.Cloud, 0.5))
	b.Theme = "t1"
	c := feat("c", 3, "", part(rice.Hardware, 99))
	c.Theme = "t2"
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Ranked: []rice.Scored{a, b, c},
		Themes: []rice.Theme{{ID: "t1"}, {ID: "t2"}, {ID: "empty"}}})
	// b's cloud part may ship the day its hardware does
	if th := p.Themes[0]; th.AtRisk || !th.Complete.Equal(date("2027-04-01")) || !slices.Equal(th.Features, []string{"a", "b"}) {
		t.Errorf("t1 %+v", th)
	}
	if th := p.Themes[1]; !th.AtRisk || !th.Complete.IsZero() {
		t.Errorf("t2 %+v", th)
	}
	if th := p.Themes[2]; th.AtRisk || !th.Complete.IsZero() {
		t.Errorf("empty %+v", th)
	}
}

// TestInvariants schedules random backlogs and checks what must always hold:
// no release over capacity; every part ships on or after its ready date plus
// lead time, on a release of its own track; parts follow the chain; a
// feature's first part ships no earlier than every part of its dependencies;
// every part is either scheduled or unscheduled, never both.
func TestInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		n := 1 + rng.IntN(25)
		var ranked []rice.Scored
		for i := range n {
			var parts []rice.Part
			for _, tr := range rice.Tracks {
				if rng.IntN(2) == 0 || (tr == rice.Cloud && len(parts) == 0) {
					p := part(tr, math.Round(rng.Float64()*60)/10)
					if rng.IntN(4) == 0 {
						p.Certifications = []string{"lab"}
					}
					if rng.IntN(6) == 0 {
						p.LeadTimeDays = rng.IntN(200)
					}
					if rng.IntN(6) == 0 {
						p.ComponentLeadDays = rng.IntN(300)
					}
					parts = append(parts, p)
				}
			}
			kano := []rice.Kano{rice.Basic, rice.Performance, rice.Delighter, ""}[rng.IntN(4)]
			f := feat(string(rune('a'+i%26))+string(rune('a'+i/26)), i+1, kano, parts...)
			if i > 0 && rng.IntN(3) == 0 {
				f.DependsOn = []string{ranked[rng.IntN(i)].ID} // only earlier ids: acyclic
			}
			f.Hotfix = rng.IntN(5) == 0
			ranked = append(ranked, f)
		}
		c := hotfixCal()
		p := Schedule(Input{Calendar: c, Catalog: catalog, Ranked: ranked})

		byName := map[string]ReleasePlan{}
		for _, r := range p.Releases {
			byName[string(r.Track)+"/"+r.Name] = r
			if r.Allocated > r.Capacity+1e-6 {
				t.Fatalf("round %d: %s over-allocated %v > %v", round, r.Name, r.Allocated, r.Capacity)
			}
		}
		ship := map[string]map[rice.Track]time.Time{}
		for _, it := range p.Items {
			r, ok := byName[string(it.Track)+"/"+it.Release]
			if !ok || !r.Date.Equal(it.ShipDate) {
				t.Fatalf("round %d: %s/%s ships with unknown release %s", round, it.Feature, it.Track, it.Release)
			}
			if it.ShipDate.Before(it.ReadyDate.AddDate(0, 0, it.LeadDays)) {
				t.Fatalf("round %d: %s/%s ships %v before ready %v + %dd", round, it.Feature, it.Track, it.ShipDate, it.ReadyDate, it.LeadDays)
			}
			// rule 3: components ordered when it is ready arrive before it ships
			if it.ShipDate.Before(it.ReadyDate.AddDate(0, 0, it.ComponentLeadDays)) {
				t.Fatalf("round %d: %s/%s ships %v before its components, ready %v + %dd", round, it.Feature, it.Track, it.ShipDate, it.ReadyDate, it.ComponentLeadDays)
			}
			// rule 3: the lead time runs from the day after the work
			if it.Effort > 0 && (it.WorkDone.IsZero() || it.ShipDate.Before(it.WorkDone.AddDate(0, 0, 1+it.LeadDays))) {
				t.Fatalf("round %d: %s/%s ships %v, its work done %v and %dd of lead time after it", round, it.Feature, it.Track, it.ShipDate, it.WorkDone, it.LeadDays)
			}
			if ship[it.Feature] == nil {
				ship[it.Feature] = map[rice.Track]time.Time{}
			}
			ship[it.Feature][it.Track] = it.ShipDate
		}
		unscheduled := map[string]bool{}
		for _, u := range p.Unscheduled {
			if _, ok := ship[u.Feature][u.Track]; ok {
				t.Fatalf("round %d: %s/%s both scheduled and unscheduled", round, u.Feature, u.Track)
			}
			unscheduled[u.Feature] = true
		}
		for _, f := range ranked {
			var prev time.Time
			for _, part := range chainOrder(f.Parts) {
				d, ok := ship[f.ID][part.Track]
				if !ok {
					if !unscheduled[f.ID] {
						t.Fatalf("round %d: %s/%s neither scheduled nor unscheduled", round, f.ID, part.Track)
					}
					continue
				}
				if d.Before(prev) {
					t.Fatalf("round %d: %s/%s ships before the earlier part", round, f.ID, part.Track)
				}
				prev = d
				for _, dep := range f.DependsOn {
					if unscheduled[dep] {
						t.Fatalf("round %d: %s scheduled while dependency %s is not", round, f.ID, dep)
					}
					for _, dd := range ship[dep] {
						if d.Before(dd) {
							t.Fatalf("round %d: %s ships before dependency %s", round, f.ID, dep)
						}
					}
				}
			}
		}
		lateShares(t, round, p, ranked, ship)
	}
}

// lateShares: what the parts whose work starts on day d or later take from
// a release is at most its capacity's share of the cycle's days from d on
// (Hall's condition for spending the capacity evenly over the cycle).
func lateShares(t *testing.T, round int, p Plan, ranked []rice.Scored, ship map[string]map[rice.Track]time.Time) {
	t.Helper()
	start := map[string]time.Time{}
	for _, f := range ranked {
		start[f.ID] = cal().Start
		for _, dep := range f.DependsOn {
			for _, d := range ship[dep] {
				if d.AddDate(0, 0, 1).After(start[f.ID]) {
					start[f.ID] = d.AddDate(0, 0, 1)
				}
			}
		}
	}
	for _, r := range p.Releases {
		cycle := r.Date.Sub(r.Opens).Hours()
		for _, from := range p.Items {
			d := start[from.Feature]
			if !d.After(r.Opens) || !d.Before(r.Date) {
				continue
			}
			var taken float64
			for _, it := range p.Items {
				for _, a := range it.Allocations {
					if a.Release == r.Name && it.Track == r.Track && !start[it.Feature].Before(d) {
						taken += a.Amount
					}
				}
			}
			if share := r.Capacity * r.Date.Sub(d).Hours() / cycle; taken > share+1e-6 {
				t.Fatalf("round %d: %s/%s gives %v to work starting %v or later, more than the %v of its cycle left then",
					round, r.Track, r.Name, taken, d.Format(time.DateOnly), share)
			}
		}
	}
}
