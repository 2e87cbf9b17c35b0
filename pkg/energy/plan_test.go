package energy

import (
	"math"
	"slices"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A 2-release, 2-device plan worked out by hand. Both cells: 1 Ah usable,
// no self-discharge. An event of one 1 s phase at I every T costs
// ΔI = I·1s/T − I_sleep·1s/T over sleeping.
//
// Device a: sleep 10 µA; heartbeat 1010 µA every 100 s (ΔI 10 µA): 20 µA,
// 50,000 h today. Release 1 ships adaptive-heartbeat, a variant every 400 s
// (ΔI 2.5 µA): 12.5 µA, 80,000 h. Release 2 ships edge-anomaly, 2010 µA
// every 100 s (ΔI 20 µA): 32.5 µA, 30,769.23 h.
//
// Device b: sleep 5 µA, nothing else today: 200,000 h. Release 2 ships its
// edge-anomaly event, 505 µA every 50 s (ΔI 10 µA): 15 µA, 66,666.67 h.
// Release 1 does not change b: no step.
func planFixture() (Device, Device, Planned, map[string]Ship) {
	bat := Battery{Capacity: 1, Derating: 1, Parallel: 1, Series: 1, Model: Constant}
	ev := func(name, feature string, every, current float64) Event {
		return Event{Name: name, Feature: feature, Every: Seconds(every), Phases: []Phase{{Duration: 1, Current: Amps(current * 1e-6)}}}
	}
	variant := ev("heartbeat-adaptive", "adaptive-heartbeat", 400, 1010)
	variant.Replaces = "heartbeat"
	a := Device{ID: "a", Battery: bat, Sleep: 10e-6, Target: 5 * YearHours, Events: []Event{
		ev("heartbeat", "connectivity", 100, 1010), variant, ev("anomaly", "edge-anomaly", 100, 2010),
	}}
	b := Device{ID: "b", Battery: bat, Sleep: 5e-6, Events: []Event{ev("anomaly", "edge-anomaly", 50, 505)}}
	planned := func(f string) bool { return f == "adaptive-heartbeat" || f == "edge-anomaly" }
	ships := map[string]Ship{
		"adaptive-heartbeat": {Date: day("2027-03-01"), Release: "FW 1"},
		"edge-anomaly":       {Date: day("2027-06-01"), Release: "FW 2"},
	}
	return a, b, planned, ships
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestPlanTimeline(t *testing.T) {
	a, b, planned, ships := planFixture()
	ta, err := PlanTimeline(a, planned, ships)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a today", float64(ta.Today.Life), 50_000)
	if len(ta.Steps) != 2 || ta.Steps[0].Release != "FW 1" || !slices.Equal(ta.Steps[1].Features, []string{"edge-anomaly"}) {
		t.Fatalf("a steps %+v", ta.Steps)
	}
	near(t, "a after FW 1", float64(ta.Steps[0].Result.Life), 80_000)
	near(t, "a after FW 2", float64(ta.Steps[1].Result.Life), 1/32.5e-6)
	near(t, "a with plan", float64(ta.WithPlan().Life), 1/32.5e-6)

	tb, err := PlanTimeline(b, planned, ships)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "b today", float64(tb.Today.Life), 200_000)
	if len(tb.Steps) != 1 || tb.Steps[0].Release != "FW 2" {
		t.Fatalf("b steps %+v", tb.Steps)
	}
	near(t, "b after FW 2", float64(tb.Steps[0].Result.Life), 1/15e-6)

	// an unscheduled feature never ships
	delete(ships, "edge-anomaly")
	tb, _ = PlanTimeline(b, planned, ships)
	if len(tb.Steps) != 0 || !slices.Equal(tb.Unscheduled, []string{"edge-anomaly"}) {
		t.Errorf("b with edge-anomaly unscheduled: %+v", tb)
	}
}

// The plan gate crosses at the release that takes a below its 5-year
// target (43,830 h): FW 2, with edge-anomaly.
func TestFirstBelowTarget(t *testing.T) {
	a, _, planned, ships := planFixture()
	ta, _ := PlanTimeline(a, planned, ships)
	c, ok := FirstBelowTarget(ta, a.Target)
	if !ok || c.Release != "FW 2" || !slices.Equal(c.Features, []string{"edge-anomaly"}) {
		t.Errorf("crossing %+v %v", c, ok)
	}
	if _, ok := FirstBelowTarget(ta, 20_000); ok {
		t.Error("no crossing below a 20,000 h target")
	}
}

// Budgets in each unit, on a with edge-anomaly and the adaptive heartbeat
// shipped: the feature costs 20 µA, 20/32.5 = 61.5% of the drain, and
// 80,000 − 30,769.23 = 49,230.77 h (5.62 y) of life.
func TestBudgets(t *testing.T) {
	a, _, planned, ships := planFixture()
	ta, _ := PlanTimeline(a, planned, ships)
	checks := CheckBudgets([]Budget{
		{Feature: "edge-anomaly", Kind: BudgetCurrent, Value: 15e-6},
		{Feature: "edge-anomaly", Kind: BudgetCurrent, Value: 25e-6},
		{Feature: "edge-anomaly", Kind: BudgetShare, Value: 0.5},
		{Feature: "edge-anomaly", Kind: BudgetShare, Value: 0.7},
		{Feature: "edge-anomaly", Kind: BudgetLife, Value: 5 * YearHours},
		{Feature: "edge-anomaly", Kind: BudgetLife, Value: 6 * YearHours},
	}, ta.WithPlan())
	wantOver := []bool{true, false, true, false, true, false}
	for i, c := range checks {
		if c.Over != wantOver[i] {
			t.Errorf("budget %+v: actual %v, over %v", c.Budget, c.Actual, c.Over)
		}
	}
	near(t, "current", checks[0].Actual, 20e-6)
	near(t, "share", checks[2].Actual, 20/32.5)
	near(t, "life cost", checks[4].Actual, 80_000-1/32.5e-6)
}

func TestVariantsAndRetirement(t *testing.T) {
	a, _, planned, _ := planFixture()
	none := func(string) bool { return false }
	names := func(d Device) []string {
		var out []string
		for _, e := range d.Events {
			out = append(out, e.Name)
		}
		return out
	}
	if got := names(a.With(planned, none)); !slices.Equal(got, []string{"heartbeat"}) {
		t.Errorf("today %v", got)
	}
	if got := names(a.With(planned, func(f string) bool { return f == "adaptive-heartbeat" })); !slices.Equal(got, []string{"heartbeat-adaptive"}) {
		t.Errorf("with the variant %v", got)
	}
	a.Events[1].Retire = true // the variant retires the heartbeat instead
	if got := names(a.With(planned, func(f string) bool { return f == "adaptive-heartbeat" })); len(got) != 0 {
		t.Errorf("retired %v", got)
	}
	cost, ok, err := FeatureCostYears(a, planned, "edge-anomaly")
	// edge-anomaly alone: 20 → 40 µA, 50,000 → 25,000 h: −25,000 h
	if err != nil || !ok {
		t.Fatal(err, ok)
	}
	near(t, "edge-anomaly's battery cost", cost, -25_000/YearHours)
}
