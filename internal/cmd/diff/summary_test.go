package diff

import "testing"

// The summary's first word is capitalised when it is the summary's own
// word, never when it is a device or model id: ids are grepped for as
// written.
func TestSummaryKeepsIDsAsWritten(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    Diff
		want string
	}{
		{"a model first", Diff{Economics: []EconomicsChange{{Model: "drip-lora", Currency: "USD", LTVBefore: 21.11, LTVAfter: 26.44}}},
			"drip-lora LTV $21.11 → $26.44."},
		{"a theme first", Diff{Themes: []ThemeChange{{Theme: "fast-setup", After: "2028-01-04"}}},
			"Theme fast-setup completes 2028-01-04."},
		{"gates first", Diff{Gates: []GateChange{{Gate: "battery_life.drip-lora", After: "FAIL"}}},
			"Gates: 1 newly failing."},
	} {
		if got := tt.d.summary(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The summary counts what a reviewer must not miss, worst first: a pull
// request that drops a failing gate, or changes a threshold, turns CI
// green without fixing anything, and says so.
func TestGatesSummary(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gates []GateChange
		want  string
	}{
		{"none", nil, ""},
		{"a failing gate removed", []GateChange{{Gate: "a", Before: "FAIL"}, {Gate: "b", Before: "pass"}}, "2 removed (1 of them failing), none newly failing"},
		{"a threshold lowered to pass", []GateChange{{Gate: "a", Before: "FAIL", After: "pass", ThresholdBefore: ">= 98%", ThresholdAfter: ">= 90%"}},
			"1 threshold changed, none newly failing"},
		{"every kind", []GateChange{
			{Gate: "f", Before: "pass", After: "FAIL", ThresholdBefore: "x", ThresholdAfter: "x"},
			{Gate: "n", After: "FAIL"},
			{Gate: "r", Before: "pass"},
			{Gate: "t", Before: "pass", After: "pass", ThresholdBefore: "x", ThresholdAfter: "y"},
			{Gate: "p", Before: "FAIL", After: "pass", ThresholdBefore: "x", ThresholdAfter: "x"},
			{Gate: "a", After: "pass"},
			{Gate: "m", Before: "FAIL", After: "FAIL", TextBefore: "1", TextAfter: "2", ThresholdBefore: "x", ThresholdAfter: "x"},
		}, "2 newly failing, 1 removed, 1 threshold changed, 1 newly passing, 1 added, 1 value moves"},
	} {
		if got := gatesSummary(tt.gates); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// A device whose events change but whose life reads the same says so,
// instead of "15.8 y → 15.8 y", which reads as a change of life.
func TestBatterySummaryEventsOnly(t *testing.T) {
	y := func(v float64) *float64 { return &v }
	for _, tt := range []struct {
		b    BatteryChange
		want string
	}{
		{BatteryChange{Device: "d", YearsBefore: y(15.81), YearsAfter: y(15.79), WithPlanBefore: y(20), WithPlanAfter: y(20), Events: []string{"anomaly-model"}},
			"d battery events changed (anomaly-model), life 15.8 y as before"},
		{BatteryChange{Device: "d", YearsBefore: y(15.8), YearsAfter: y(7.7), WithPlanBefore: y(20), WithPlanAfter: y(20), Events: []string{"heartbeat"}},
			"d battery 15.8 y → 7.7 y"},
		{BatteryChange{Device: "d", YearsBefore: y(15.8), YearsAfter: y(15.8), WithPlanBefore: y(20), WithPlanAfter: y(18), Events: []string{"x"}},
			"d battery 15.8 y → 15.8 y (with the plan 20 y → 18 y)"},
	} {
		if got := tt.b.summary(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}

// Warnings of the same words with other counts, shares, times or ids
// have one shape; other words, or another plural, another.
func TestWarningShape(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{`2 of its 6 devices (e.g. "eui-70b3d57ed00500a1"), their uptime 18.15%; the profile's 66.44%`, `3 of its 6 devices (e.g. "eui-70b3d57ed00500a3"), their uptime 20.2%; the profile's 61%`, true},
		{"585,100 of the 598,769 check-ins", "1,100 of the 2,000 check-ins", true},
		{"the rows start 2026-10-13T00:33:48Z", "the rows start 2026-10-14T01:00:00Z", true},
		{"drip-lora: its devices missed", "drip-valve: its devices missed", false},
		{"the band of 1 customer", "the band of 2 customers", true},
		// the singular of one device, the plural of two (the sparse
		// check-in warning, figures aside)
		{`drip-lora: 1 of its 6 devices ("v3") missed at least 40% of the check-ins, and uptime counts it down between its check-ins (its uptime 12.5%): if only it checks in less often, give it a model of its own; if it does check in every 1h, it lost that many`,
			`drip-lora: 2 of its 6 devices (e.g. "v3") each missed at least 40% of the check-ins, and uptime counts them down between their check-ins (their uptime 12.5%): if only they check in less often, give them a model of their own; if they do check in every 1h, they lost that many`, true},
		{"1 of the 10 devices counted as always connected was connected less than half of its observed time", "3 of the 10 devices counted as always connected were each connected less than half of their observed time", true},
		{"2 devices missed", "2 devices connected", false},
		{"the uptime of drip-lora", "the uptime of drip-valve", false},
	} {
		if got := warningShape(c.a) == warningShape(c.b); got != c.same {
			t.Errorf("%q ~ %q: same shape %v, want %v (%q, %q)", c.a, c.b, got, c.same, warningShape(c.a), warningShape(c.b))
		}
	}
}
