package roadmap

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// Without ranges every sample is the plan: P50 = P90 = the plan's date,
// and a theme is on time with probability exactly 0 or 1.
func TestSimulateWithoutRanges(t *testing.T) {
	in := Input{Ranked: []rice.Scored{
		feat("a", 1, rice.Performance, part(rice.Hardware, 3)),
		feat("b", 2, rice.Performance, part(rice.Firmware, 1, "lab")),
	}, Calendar: cal(), Catalog: catalog,
		Themes: []rice.Theme{{ID: "early", Due: date("2027-05-01")}, {ID: "late", Due: date("2027-02-01")}}}
	in.Ranked[0].Theme, in.Ranked[1].Theme = "early", "late"
	plan := Schedule(in)
	sim, err := Simulate(in, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Ranges != 0 {
		t.Fatalf("ranges %d", sim.Ranges)
	}
	for _, it := range plan.Items {
		found := false
		for _, p := range sim.Parts {
			if p.Feature == it.Feature && p.Track == it.Track {
				found = true
				if !p.P50.Equal(it.ShipDate) || !p.P90.Equal(it.ShipDate) || p.Release != it.Release || p.Scheduled != 1 {
					t.Errorf("%s: P50 %v P90 %v in %s, plan %v in %s", it.Feature, p.P50, p.P90, p.Release, it.ShipDate, it.Release)
				}
			}
		}
		if !found {
			t.Errorf("%s missing", it.Feature)
		}
	}
	for _, th := range sim.Themes {
		want := map[string]float64{"early": 1, "late": 0}[th.ID]
		if th.OnTime != want {
			t.Errorf("theme %s on time %v, want exactly %v", th.ID, th.OnTime, want)
		}
	}
}

// One hardware feature of 1..1.5..3 person-months against Rev B's 4
// person-months, 2 of them taken by a point feature ranked first: it fits
// Rev B when its effort is at most 2, which for the triangular
// distribution (a = 1, c = 1.5, b = 3) is F(2) = 1 − (3 − 2)² / ((3 − 1)
// (3 − 1.5)) = 2/3; otherwise the rest spills into Rev C. With 2000
// samples the share in Rev B is 2/3 ± 3 points; P50 is Rev B's date and
// P90 Rev C's.
func TestSimulateByHand(t *testing.T) {
	r := rice.Range{Min: 1, Mode: 1.5, Max: 3}
	p := part(rice.Hardware, r.Mode)
	p.EngineeringRange = &r
	in := Input{Ranked: []rice.Scored{
		feat("first", 1, rice.Performance, part(rice.Hardware, 2)),
		feat("x", 2, rice.Performance, p),
	}, Calendar: cal(), Catalog: catalog}
	sim, err := Simulate(in, 2000, 42)
	if err != nil {
		t.Fatal(err)
	}
	var x PartOutcome
	for _, po := range sim.Parts {
		if po.Feature == "x" {
			x = po
		}
	}
	if !x.P50.Equal(date("2027-04-01")) || !x.P90.Equal(date("2027-10-01")) || x.Release != "Rev B" {
		t.Errorf("x: P50 %v, P90 %v, most often %s", x.P50, x.P90, x.Release)
	}
	// the share of samples in Rev B: count them from the same streams
	inB := 0
	for k := range 2000 {
		s := sampleRanked(in.Ranked, in.Catalog, newPCG(42, k))
		if s[1].Parts[0].Engineering <= 2 {
			inB++
		}
	}
	if share := float64(inB) / 2000; math.Abs(share-2.0/3) > 0.03 {
		t.Errorf("share in Rev B %.4f, want 2/3 ± 0.03", share)
	}
	// and the same seed gives the same simulation
	again, _ := Simulate(in, 2000, 42)
	if again.Parts[1] != sim.Parts[1] {
		t.Errorf("same seed, different result: %+v vs %+v", again.Parts[1], sim.Parts[1])
	}
}

// A theme the plan completes on time, whose one feature's engineering is
// 1..1.5..6 person-months against Rev B's 2 free of 4: the plan (1.5)
// ships in Rev B, by the due date; a sample does when its effort is ≤ 2,
// F(2) = 1 − (6−2)² / ((6−1)(6−1.5)) = 1 − 16/22.5 = 0.2889. Late in 71%
// of the samples: likely late. With 1..1.5..3 (F(2) = 2/3) it is not.
func TestLikelyLateByHand(t *testing.T) {
	for _, tt := range []struct {
		max, onTime float64
		likelyLate  bool
	}{{6, 1 - 16/22.5, true}, {3, 2.0 / 3, false}} {
		r := rice.Range{Min: 1, Mode: 1.5, Max: tt.max}
		p := part(rice.Hardware, r.Mode)
		p.EngineeringRange = &r
		x := feat("x", 2, rice.Performance, p)
		x.Theme = "t"
		in := Input{Ranked: []rice.Scored{feat("first", 1, rice.Performance, part(rice.Hardware, 2)), x},
			Calendar: cal(), Catalog: catalog, Themes: []rice.Theme{{ID: "t", Due: date("2027-04-01")}}}
		if !DueDatesUncertain(in) || CountRanges(in) != 1 {
			t.Fatalf("max %v: uncertain %v, %d ranges", tt.max, DueDatesUncertain(in), CountRanges(in))
		}
		plan := Schedule(in)
		if plan.Themes[0].Late {
			t.Fatalf("max %v: the plan completes t %v, after its due date", tt.max, plan.Themes[0].Complete)
		}
		sim, err := Simulate(in, 2000, 1)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := sim.Theme("t")
		if !ok || math.Abs(o.OnTime-tt.onTime) > 0.03 {
			t.Errorf("max %v: on time %.4f, want %.4f ± 0.03", tt.max, o.OnTime, tt.onTime)
		}
		if got := sim.LikelyLate(plan.Themes[0]); got != tt.likelyLate {
			t.Errorf("max %v: likely late %v, want %v", tt.max, got, tt.likelyLate)
		}
	}
	// without a due date, or without a range, there is nothing to simulate
	in := Input{Ranked: []rice.Scored{feat("a", 1, rice.Performance, part(rice.Hardware, 2))}, Calendar: cal(), Themes: []rice.Theme{{ID: "t", Due: date("2027-04-01")}}}
	if DueDatesUncertain(in) {
		t.Error("a plan without ranges: uncertain")
	}
	r := rice.Range{Min: 1, Mode: 2, Max: 3}
	in.Ranked[0].Parts[0].EngineeringRange = &r
	in.Themes[0].Due = time.Time{}
	if DueDatesUncertain(in) {
		t.Error("a plan without due dates: uncertain")
	}
}

// A certification with a 20% chance of a 12-week retest: the median sample
// has none (P50 = the plan's date), but the 90th percentile does.
func TestRetestMovesP90NotP50(t *testing.T) {
	cat := rice.Catalog{"lab": {ID: "lab", Weeks: 8, Retest: &rice.Retest{Chance: 0.2, Weeks: 12}}}
	in := Input{Ranked: []rice.Scored{feat("a", 1, rice.Performance, part(rice.Firmware, 1, "lab"))}, Calendar: cal(), Catalog: cat}
	plan := Schedule(in)
	sim, err := Simulate(in, 2000, 7)
	if err != nil {
		t.Fatal(err)
	}
	a := sim.Parts[0]
	if !a.P50.Equal(plan.Items[0].ShipDate) || !a.P90.After(a.P50) {
		t.Errorf("P50 %v (plan %v), P90 %v", a.P50, plan.Items[0].ShipDate, a.P90)
	}
}

func TestTriangularQuantile(t *testing.T) {
	r := rice.Range{Min: 1, Mode: 1.5, Max: 3}
	for _, tt := range []struct{ u, want float64 }{{0, 1}, {0.25, 1.5}, {2.0 / 3, 2}, {1, 3}} {
		if got := r.Quantile(tt.u); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", tt.u, got, tt.want)
		}
	}
}

// rangedInput is n features on the three tracks in turn, each with an
// engineering range of 0.5..1..3 person-months.
func rangedInput(n int) Input {
	in := Input{Calendar: cal(), Catalog: catalog}
	for i := range n {
		r := rice.Range{Min: 0.5, Mode: 1, Max: 3}
		p := part([]rice.Track{rice.Hardware, rice.Firmware, rice.Cloud}[i%3], 1)
		p.EngineeringRange = &r
		in.Ranked = append(in.Ranked, feat(string(rune('a'+i)), i+1, rice.Performance, p))
	}
	return in
}

func BenchmarkSimulateExample(b *testing.B) {
	in := rangedInput(15)
	for b.Loop() {
		if _, err := Simulate(in, DefaultSamples, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// Progress is reported every 100 samples and at the end, in order, and
// leaves the result as it is without it.
func TestSimulateProgress(t *testing.T) {
	in := rangedInput(6)
	var seen []int
	in.Progress = func(done, total int) {
		if total != 250 {
			t.Errorf("total %d", total)
		}
		seen = append(seen, done)
	}
	with, err := Simulate(in, 250, 7)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[100 200 250]" {
		t.Errorf("progress %v, want [100 200 250]", seen)
	}
	in.Progress = nil
	without, _ := Simulate(in, 250, 7)
	if !reflect.DeepEqual(with.Themes, without.Themes) || !reflect.DeepEqual(with.Parts, without.Parts) {
		t.Error("the progress callback changed the result")
	}
}

// A component lead of 60..120 days (most likely 90) on a part ready on
// 2027-01-01 whose work fits in Rev B: a sample ships in Rev B (04-01)
// when its components arrive by then, ≤ 90 days, F(90) = (90−60)² /
// ((120−60)(90−60)) = 1/2 of the samples, else in Rev C. The plan (90
// days: 04-01) is Rev B; the P90 is Rev C.
func TestSimulateComponentLead(t *testing.T) {
	r := rice.Range{Min: 60, Mode: 90, Max: 120}
	p := part(rice.Hardware, 1)
	p.ComponentLeadDays, p.ComponentLeadRange = 90, &r
	in := Input{Ranked: []rice.Scored{feat("x", 1, rice.Performance, p)}, Calendar: cal(), Catalog: catalog}
	if plan := Schedule(in); len(plan.Items) != 1 || plan.Items[0].Release != "Rev B" {
		t.Fatalf("plan %+v, want x in Rev B", plan.Items)
	}
	sim, err := Simulate(in, 2000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if x := sim.Parts[0]; !x.P90.Equal(date("2027-10-01")) || sim.Ranges != 1 {
		t.Errorf("x: P50 %v, P90 %v; %d ranges", x.P50, x.P90, sim.Ranges)
	}
	inB := 0
	for k := range 2000 {
		if sampleRanked(in.Ranked, in.Catalog, newPCG(7, k))[0].Parts[0].ComponentLeadDays <= 90 {
			inB++
		}
	}
	if share := float64(inB) / 2000; math.Abs(share-0.5) > 0.03 {
		t.Errorf("share with components by Rev B %.4f, want 1/2 ± 0.03", share)
	}
}
