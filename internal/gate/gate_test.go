package gate

import (
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/roadmap"
	"go.yaml.in/yaml/v3"
)

func threshold(t *testing.T, s string) planfile.Threshold {
	t.Helper()
	var th planfile.Threshold
	if err := th.UnmarshalNode(&yaml.Node{Value: s}); err != nil {
		t.Fatal(err)
	}
	return th
}

func ptr(f float64) *float64 { return &f }

func TestMetric(t *testing.T) {
	for _, c := range []struct {
		name      string
		unit      Unit
		value     *float64
		threshold string
		passed    bool
		failure   string
	}{
		{"connectivity_uptime", Share, ptr(0.9855), ">= 98%", true, ""},
		{"connectivity_uptime", Share, ptr(0.97), ">= 98%", false, "connectivity uptime is 97%, not >= 98% (--min-uptime)"},
		{"monthly_active_devices", Count, ptr(1234), ">= 1500", false, "monthly active devices is 1,234, not >= 1500 (--min-uptime)"},
		// no data is not a pass
		{"ota_success_rate", Share, nil, ">= 95%", false, "ota success rate has no value: no ota input, so it is not >= 95% (--min-uptime)"},
	} {
		g := Metric(c.name, c.unit, c.value, "no ota input", threshold(t, c.threshold), "--min-uptime")
		if g.Passed != c.passed || !g.Passed && g.Failure() != c.failure {
			t.Errorf("%s %v %s: passed %v, failure %q; want %v, %q", c.name, c.value, c.threshold, g.Passed, g.Failure(), c.passed, c.failure)
		}
	}
}

func TestDataAgeThemesAndVerdict(t *testing.T) {
	var age planfile.AgeThreshold
	if err := age.UnmarshalNode(&yaml.Node{Value: "<= 2d"}); err != nil {
		t.Fatal(err)
	}
	if g := DataAge(nil, "", age, ""); g.Passed || g.Detail != "no value: no rows in the inputs" {
		t.Errorf("no rows: %+v", g)
	}
	if g := DataAge(ptr(3), "2026-11-01T00:00:00Z", age, ""); g.Passed || g.ValueText() != "3 days" {
		t.Errorf("3 days old: %+v %s", g, g.ValueText())
	}
	due := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	themes := Themes([]roadmap.ThemeStatus{
		{ID: "on-time", Due: due, Complete: due.AddDate(0, -1, 0)},
		{ID: "late", Due: due, Complete: due.AddDate(0, 1, 0), Late: true},
		{ID: "no-due", Complete: due},
	})
	if len(themes) != 2 || !themes[0].Passed || themes[1].Passed || themes[1].Failure() != "themes.late completes 2027-07-01, after its due date 2027-06-01" || themes[1].Detail != "4.3 weeks after its due date 2027-06-01" {
		t.Errorf("themes: %+v / %q", themes, themes[1].Failure())
	}
	// at risk: its scheduled parts end a month before the due date, but a
	// part never ships; that date is not a completion (the message said
	// "completes 2027-05-01, after its due date 2027-06-01")
	risky := Themes([]roadmap.ThemeStatus{{ID: "risky", Due: due, Complete: due.AddDate(0, -1, 0), AtRisk: true, Late: true}})
	if len(risky) != 1 || risky[0].Passed || risky[0].Text != "unscheduled" || risky[0].Failure() != "themes.risky cannot complete (a part of its features is unscheduled); it is due 2027-06-01" {
		t.Errorf("at risk: %+v / %q", risky, risky[0].Failure())
	}
	if v := Verdict(themes); v != "✗ 1 of 2 gates failed: themes.late" {
		t.Errorf("verdict %q", v)
	}
	if v := Verdict(themes[:1]); v != "✓ all 1 gates passed" {
		t.Errorf("verdict %q", v)
	}
	if tb := Table(themes); len(tb.Rows) != 2 || tb.Rows[1][3] != "FAIL" || tb.Rows[0][1] != "2027-05-01" {
		t.Errorf("table %v", tb.Rows)
	}
}

// A gate's value reads in the unit its maker declared, whatever its name.
func TestValueTextUnits(t *testing.T) {
	for _, c := range []struct {
		unit Unit
		v    float64
		want string
	}{{Share, 0.98551, "98.55%"}, {Count, 1234, "1,234"}, {Years, 18.2, "18.2 years"}, {Days, 0.5, "0.5 days"}, {Seconds, 212, "3m 32s"}} {
		g := Gate{Name: "any.name", Unit: c.unit, Value: ptr(c.v)}
		if got := g.ValueText(); got != c.want {
			t.Errorf("%v %v: %q, want %q", c.unit, c.v, got, c.want)
		}
	}
}
