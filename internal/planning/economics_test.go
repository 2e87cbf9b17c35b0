package planning

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// A model's measured activation is its own units' when they have a mature
// cohort of at least MinModelUnits units; else the whole fleet's, saying
// why. Of either, the window's cohort when it is mature, else the mature
// ship months pooled.
func TestMeasuredActivationByModel(t *testing.T) {
	mature := func(label string, shipped, activated int) metrics.Cohort {
		return metrics.Cohort{Label: label, Shipped: shipped, Activated: activated, Mature: true}
	}
	young := func(label string, shipped, activated int) metrics.Cohort {
		return metrics.Cohort{Label: label, Shipped: shipped, Activated: activated}
	}
	report := &metrics.Report{Activation: &metrics.Activation{
		// the fleet: window cohort immature; mature months 80 of 100 and 10 of 20
		Cohort:  young("window", 50, 20),
		ByMonth: []metrics.Cohort{mature("2026-08", 100, 80), mature("2026-09", 20, 10), young("2026-10", 50, 20)},
		ByProfile: []metrics.ProfileActivation{
			// puck: mature months 12 of 20 and 6 of 10 → 18/30, 30 units: its own
			{Profile: "puck", Cohort: young("window", 4, 1), ByMonth: []metrics.Cohort{mature("2026-08", 20, 12), mature("2026-09", 10, 6), young("2026-10", 4, 1)}},
			// valve: its window cohort is mature: 28 of 32
			{Profile: "valve", Cohort: metrics.Cohort{Label: "window", Shipped: 32, Activated: 28, Rate: 28.0 / 32, Mature: true}, ByMonth: []metrics.Cohort{mature("2026-10", 32, 28)}},
			// tag: mature, but 29 units: too few
			{Profile: "tag", Cohort: young("window", 0, 0), ByMonth: []metrics.Cohort{mature("2026-09", 29, 29)}},
			// fob: a mature window cohort of 10 units, too few alone; the
			// mature months pooled (with it) 27 of 40
			{Profile: "fob", Cohort: metrics.Cohort{Label: "window", Shipped: 10, Activated: 9, Rate: 0.9, Mature: true}, ByMonth: []metrics.Cohort{mature("2026-09", 30, 18), mature("2026-10", 10, 9)}},
			// lora: units, none mature
			{Profile: "lora", Cohort: young("window", 6, 6), ByMonth: []metrics.Cohort{young("2026-10", 6, 6)}},
			// meter: a mature month, all of whose 40 units shipped before
			// the fleet's data (Cohort.BeforeData): no rate of its own
			{Profile: "meter", Cohort: young("window", 0, 0), ByMonth: []metrics.Cohort{{Label: "2026-05", BeforeData: 40, Mature: true}}},
		},
	}}
	fleet := "whole fleet: every mature ship-month cohort, 90 of 120 units; "
	for _, tt := range []struct {
		model string
		rate  float64
		fleet bool
		basis string
	}{
		{"puck", 18.0 / 30, false, "puck units: every mature ship-month cohort, 18 of 30 units"},
		{"valve", 28.0 / 32, false, "valve units: the window's ship cohort, 28 of 32 units"},
		{"fob", 27.0 / 40, false, "fob units: every mature ship-month cohort, 27 of 40 units"},
		{"tag", 90.0 / 120, true, fleet + "the tag units' own rate (every mature ship-month cohort, 29 of 29 units) rests on 29 units, fewer than 30"},
		{"lora", 90.0 / 120, true, fleet + "the devices input's 6 lora units shipped in cohorts not mature yet"},
		{"hub", 90.0 / 120, true, fleet + "the devices input names no hub unit"},
		{"meter", 90.0 / 120, true, fleet + "the devices input's 40 meter units shipped before the fleet's data (their activation windows end before its first row)"},
	} {
		a, why := measuredActivation(report, tt.model)
		if why != "" || a.Model != tt.model || a.Fleet != tt.fleet || a.Basis != tt.basis || !near(a.Rate, tt.rate) {
			t.Errorf("%s: %+v (%q), want rate %v, fleet %v, basis %q", tt.model, a, why, tt.rate, tt.fleet, tt.basis)
		}
	}
	// nothing mature anywhere: no value, and why
	report.Activation.ByMonth = report.Activation.ByMonth[2:]
	if _, why := measuredActivation(report, "lora"); !strings.Contains(why, "no ship-month cohort is mature yet") {
		t.Errorf("nothing mature: why %q", why)
	}
	// mature months whose units all shipped before the fleet's data: not
	// "none mature", but why none of them has a rate
	report.Activation.ByMonth = append([]metrics.Cohort{{Label: "2026-05", BeforeData: 40, Mature: true}}, report.Activation.ByMonth...)
	if _, why := measuredActivation(report, "lora"); why != "the mature ship-month cohorts' 40 units all shipped more than their activation window before the fleet's first row: no row shows whether they activated" {
		t.Errorf("mature months before the data: why %q", why)
	}
}
