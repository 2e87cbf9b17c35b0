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
