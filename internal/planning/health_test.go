package planning

import (
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

func TestHealthLine(t *testing.T) {
	nre := 0.0
	h := Health{
		Battery:    &BatteryHeadroom{Device: "puck", LifeYears: 3.5, TargetYears: 3, Headroom: 0.1667},
		LateThemes: []string{"a", "b"}, GatesFailing: 2, Gates: 21, Quarter: "2026-Q4", NRE: &nre,
		NextNRE: &QuarterTotal{Quarter: "2027-Q1", USD: 123000}, DataAgeDays: new(2.5),
	}
	want := "plan health: battery puck 3.5 y vs 3 y target (+17%) · late: a, b · 2/21 gates failing · NRE 2026-Q4 $0 (next 2027-Q1 $123,000) · data 2.5 days old"
	if got := h.Line(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// a closed window: the age is counted at its end, so the line says
	// whether the data covers it, not "0 days old" of data weeks old
	for _, c := range []struct {
		age  float64
		want string
	}{{0, "data covers 2026-10"}, {5.4, "data ends 5.4 days before 2026-10's end"}} {
		closed := Health{Gates: 1, DataAgeDays: &c.age, DataWindow: "2026-10", DataWindowPast: true}
		if got, want := closed.Line(), "plan health: 0/1 gates failing · "+c.want; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	// iotpm init's example figures still in place: said first
	if got, want := (Health{Gates: 6, Placeholder: []string{"devices.yaml", "features.yaml"}}).Line(), "plan health: on placeholder figures (devices.yaml, features.yaml) · 0/6 gates failing"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// without a roadmap, devices or metrics: only the gates
	if got := (Health{Gates: 3}).Line(); got != "plan health: 0/3 gates failing" {
		t.Errorf("got %s", got)
	}
	if got := (Health{LateThemes: []string{}, Gates: 1, GatesFailing: 1}).Line(); got != "plan health: no late theme · 1/1 gates failing" {
		t.Errorf("got %s", got)
	}
}

// The worst device is the one with the smallest life / target, counting
// its life with the plan when that is lower; a device without a target is
// not a candidate.
func TestHealthWorstBattery(t *testing.T) {
	y := func(x float64) energy.Hours { return energy.Hours(x * energy.YearHours) }
	e := &Energy{
		Today: []energy.Device{{ID: "a", Target: y(10)}, {ID: "b", Target: y(3)}, {ID: "c"}},
		// a: 12 y today (+20%), 11 y with the plan (+10%); b: 3.6 y (+20%); c: no target
		Results: []energy.Result{{Life: y(12)}, {Life: y(3.6)}, {Life: y(0.1)}},
		Timelines: []energy.Timeline{
			{Device: "a", Today: energy.Result{Life: y(12)}, Steps: []energy.Step{{Result: energy.Result{Life: y(11)}}}},
			{Device: "b", Today: energy.Result{Life: y(3.6)}},
		},
	}
	p := &Results{Energy: e, Plan: &roadmap.Plan{Themes: []roadmap.ThemeStatus{{ID: "t1", Late: true}, {ID: "t2"}}}}
	h := p.Health([]gate.Gate{{Passed: true}, {Passed: false}}, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := h.Battery
	if b == nil || b.Device != "a" || !b.WithPlan || b.LifeYears != 11 || b.TargetYears != 10 {
		t.Fatalf("worst battery %+v, want a: 11 y with the plan against 10 y", b)
	}
	if d := b.Headroom - 0.1; d > 1e-12 || d < -1e-12 {
		t.Errorf("headroom %v, want 0.1", b.Headroom)
	}
	if h.GatesFailing != 1 || h.Gates != 2 || len(h.LateThemes) != 1 || h.LateThemes[0] != "t1" {
		t.Errorf("gates %d/%d, late %v", h.GatesFailing, h.Gates, h.LateThemes)
	}
	if h.Quarter != "2026-Q4" || h.NRE != nil {
		t.Errorf("quarter %s, NRE %v: without a backlog there is no cash to book", h.Quarter, h.NRE)
	}
}
