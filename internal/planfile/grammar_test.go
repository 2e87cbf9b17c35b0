package planfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/diag"
)

// One number grammar: every share accepts 85% and 0.85 and asks about a
// bare 85; a quantity with a unit where a bare number is expected says
// which unit the field is in.
func TestNumberGrammar(t *testing.T) {
	dev := func(derating string) string {
		return "devices:\n  - id: d\n    battery: {cell: cr2032, derating: " + derating + "}\n    sleep: 2uA\n    events:\n      - {name: tx, every: 1m, duration: 10ms, current: 10mA}\n"
	}
	for _, tt := range []struct{ derating, want string }{
		{"85%", ""},
		{"0.85", ""},
		{"85", "85 is ambiguous: write 85% or 0.85"},
		{"0%", "device d: derating must be above 0%"},
		{"lots", "lots is not a share"},
	} {
		fleet, diags := ParseDevices("devices.yaml", []byte(dev(tt.derating)))
		var got []string
		for _, d := range diags.Errors() {
			got = append(got, d.String())
		}
		switch {
		case tt.want == "" && (len(got) > 0 || fleet == nil || fleet.Devices[0].Battery.Derating != 0.85):
			t.Errorf("%s: %q", tt.derating, got)
		case tt.want != "" && !strings.Contains(strings.Join(got, "\n"), tt.want):
			t.Errorf("%s: got %q, want %q", tt.derating, got, tt.want)
		}
	}
	// a number with a unit where the field takes it alone: the hint's
	// number is the value in the field's unit, never the digits as
	// written (6w is not 6 person-months, 40k not 40 users)
	for _, tt := range []struct{ field, value, want string }{
		{"engineering", "2 months", "effort.engineering: engineering is in person-months: write the number alone, e.g. 2, or a range such as 2..4"},
		{"engineering", "6w", "engineering is in person-months: write the number alone, e.g. 1.38 for 6w of one person's work, or a range such as 2..4"},
		{"engineering", "1y", "e.g. 12 for 1y of one person's work"},
		{"engineering", "40d", `engineering is in person-months: write the number alone, converted from "40d", or a range such as 2..4`},
		{"engineering", "2m", `converted from "2m"`}, // minutes or months: no guess
		{"reach", "40k", "reach is in users or devices a quarter: write the number alone, e.g. 40000"},
		{"reach", "1.2M", "e.g. 1200000"},
		{"reach", "1.2m", `converted from "1.2m"`},
		{"tooling", "12k", "tooling is in US dollars (the tooling cost): write the number alone, e.g. 12000"},
		{"tooling", "12000 EUR", `converted from "12000 EUR"`},
	} {
		feature := "{id: a, reach: 1, impact: 1, confidence: 80%, track: firmware, effort: {engineering: 2}}"
		if tt.field == "engineering" || tt.field == "tooling" {
			feature = strings.Replace(feature, "engineering: 2", tt.field+": "+tt.value, 1)
		} else {
			feature = strings.Replace(feature, tt.field+": 1", tt.field+": "+tt.value, 1)
		}
		if tt.field == "tooling" {
			feature = strings.Replace(feature, "effort: {", "effort: {engineering: 1, ", 1)
		}
		_, diags := ParseFeatures("features.yaml", []byte("features:\n  - "+feature+"\n"))
		if got := diags.Errors(); len(got) != 1 || !strings.Contains(got[0].String(), tt.want) {
			t.Errorf("%s: %s: %v, want %q", tt.field, tt.value, got, tt.want)
		}
	}
	_, diags := ParseFeatures("features.yaml", []byte("certifications:\n  c: {name: C, weeks: 2mo, fee: 1}\nfeatures: []\n"))
	if got := diags.Errors(); len(got) != 1 || !strings.Contains(got[0].String(), "certifications.c.weeks: weeks is in weeks: write the number alone, e.g. 8.67 for 2mo, or a range such as 2..4") {
		t.Errorf("weeks: %v", got)
	}
}

// configErrors loads an iotpm.yaml of the given text from a repo of its
// own and returns its errors.
func configErrors(t *testing.T, yaml string) diag.List {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := LoadConfig(dir)
	return diags.Errors()
}

// A database timeout above 7 days is refused at its line (300y overflowed
// into a negative duration, which cancelled at once).
func TestSourceTimeoutBound(t *testing.T) {
	if got := configErrors(t, "metrics:\n  source: {driver: postgres, timeout: 300y}\n"); len(got) != 1 || !strings.Contains(got[0].String(), "metrics.source.timeout: ") || !strings.Contains(got[0].String(), "is longer than 7 days") {
		t.Errorf("%v", got)
	}
}

// iotpm.yaml may lower the .csv.gz expansion limit, never raise it: a pull
// request's file must not lift a resource limit.
func TestMaxExpansionOnlyLowers(t *testing.T) {
	for value, ok := range map[string]bool{"50": true, "100": true, "101": false, "100000": false} {
		if got := configErrors(t, "metrics:\n  max_expansion: "+value+"\n"); (len(got) == 0) != ok || !ok && !strings.Contains(got[0].String(), "iotpm.yaml may only lower a limit (raise it with --max-expansion") {
			t.Errorf("%s: %v", value, got)
		}
	}
}

// iotpm.yaml may name only IOTPM_ variables for the DSN.
func TestDSNEnvMustBeIotpms(t *testing.T) {
	for env, ok := range map[string]bool{"IOTPM_DSN": true, "IOTPM_FLEET": true, "GITHUB_TOKEN": false, "PGPASSWORD": false} {
		if got := configErrors(t, "metrics:\n  source: {driver: postgres, dsn_env: "+env+"}\n"); (len(got) == 0) != ok || !ok && !strings.Contains(got[0].String(), "must start with IOTPM_") {
			t.Errorf("%s: %v", env, got)
		}
	}
}

// "m" is minutes: an activation window under a day or a dormancy under an
// hour is "1m" meant as a month, and is refused at its section (they ran:
// dormant_after 1m made every offline device dormant, uptime 99.98%).
func TestDayScaleDurations(t *testing.T) {
	for yaml, want := range map[string]string{
		"activation_window: 1m":  "metrics.activation_window: 1 minute is shorter than a day (m is minutes, not months)",
		"activation_window: 23h": "metrics.activation_window: 23 hours is shorter than a day",
		"activation_window: 1d":  "",
		"activation_window: 30d": "",
		"dormant_after: 1m":      "metrics.dormant_after: 1 minute is shorter than an hour (m is minutes, not months)",
		"dormant_after: 59m":     "metrics.dormant_after: 59 minutes is shorter than an hour",
		"dormant_after: 0d":      "",
		"dormant_after: 1h":      "",
	} {
		got := configErrors(t, "metrics:\n  "+yaml+"\n")
		if want == "" && len(got) > 0 || want != "" && (len(got) != 1 || !strings.Contains(got[0].String(), want)) {
			t.Errorf("%s: %v, want %q", yaml, got, want)
		}
	}
}

// A hardware-margin gate below 1 without a percent sign is refused: read
// as an amount, ">= 0.25" passes any model that makes a quarter of a dollar
// (every one), where 25% was meant. A percent or an amount of 1 or more
// loads.
func TestHardwareMarginFractionIsAmbiguous(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{`">= 0.25"`, `iotpm.yaml:2:32: gates.economics.hardware_margin: ">= 0.25" is ambiguous: write ">= 25%" for a share of the net price, or an amount of at least 1 in economics.yaml's currency`},
		{`"> .5"`, `write "> 50%" for a share`},
		{`">= 25%"`, ""},
		{`">= 20"`, ""},
		{`">= 0"`, ""},
		{`">= 1"`, ""},
	} {
		got := configErrors(t, "gates:\n  economics: {hardware_margin: "+tt.value+"}\n")
		if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || !strings.Contains(got[0].String(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.value, got, tt.want)
		}
	}
}

// A list of files where an input goes is one problem, at its line, that
// says how to join them (it was two: the shape, and an unpositioned "give
// its path").
func TestInputGivenAsAList(t *testing.T) {
	got := configErrors(t, "metrics:\n  month: 2026-10\n  inputs:\n    events: [sep.csv, oct.csv]\n")
	if len(got) != 1 || !strings.Contains(got[0].String(), "iotpm.yaml:4:13: metrics.inputs.events: expected a mapping, got a list (an input is one path or one table: to read several files as one input, name their directory, or a glob that matches them, e.g. exports/part-*.csv)") {
		t.Errorf("%v", got)
	}
}
