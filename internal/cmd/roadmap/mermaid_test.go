package roadmap

import (
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// A theme's milestone is marked crit, and says why, when it is at risk,
// late, or on time in the plan but late in most samples; otherwise plain.
func TestMermaidThemeMilestones(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	themes := []roadmap.ThemeStatus{
		{ID: "ok", Outcome: "On time", Complete: day("2027-03-01"), Due: day("2027-06-30")},
		{ID: "risk", Outcome: "At risk", Complete: day("2027-03-01"), AtRisk: true, Late: true, Due: day("2027-06-30")},
		{ID: "late", Outcome: "Late", Complete: day("2027-09-01"), Late: true, Due: day("2027-06-30")},
		{ID: "likely", Outcome: "Likely", Complete: day("2027-03-01"), Due: day("2027-06-30")},
	}
	sim := &roadmap.Simulation{Samples: 10, Themes: []roadmap.ThemeOutcome{
		{ID: "ok", Due: day("2027-06-30"), OnTime: 0.9}, {ID: "likely", Due: day("2027-06-30"), OnTime: 0.3},
	}}
	v := planView{plan: roadmap.Plan{Themes: themes}, tracks: rice.Tracks, sim: sim,
		keep: func(string, rice.Track) bool { return true }, themeOK: func(string) bool { return true }}
	got := mermaidGantt(v, &roadmap.Calendar{Start: day("2027-01-01"), End: day("2027-12-31")})
	for _, want := range []string{
		"    On time :milestone, th_ok, 2027-03-01, 0d\n",
		"    At risk (at risk) :crit, milestone, th_risk, 2027-03-01, 0d\n",
		"    Late (late) :crit, milestone, th_late, 2027-09-01, 0d\n",
		"    Likely (likely late) :crit, milestone, th_likely, 2027-03-01, 0d\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

// A part with long-lead components has a marker where they arrive: its
// ready date plus its component lead.
func TestMermaidComponentsArrive(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cal := &roadmap.Calendar{Start: day("2027-01-01"), End: day("2027-12-31")}
	plan := roadmap.Plan{Items: []roadmap.Item{{Feature: "lte", Title: "LTE backup", Track: rice.Hardware, Release: "Rev C",
		ShipDate: day("2027-10-01"), ReadyDate: day("2027-01-01"), ComponentLeadDays: 182}}}
	v := planView{plan: plan, tracks: rice.Tracks, keep: func(string, rice.Track) bool { return true }, themeOK: func(string) bool { return true }}
	got := mermaidGantt(v, cal)
	if want := "    LTE backup components arrive :milestone, hw_lte_components, 2027-07-02, 0d\n"; !strings.Contains(got, want) {
		t.Errorf("no %q in\n%s", want, got)
	}
}
