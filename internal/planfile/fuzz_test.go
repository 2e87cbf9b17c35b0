package planfile

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// FuzzParseFeatures checks that no input makes the features loader panic,
// and that every diagnostic it returns names the file and, when it has a
// position, a plausible one. Seeds: the example repo, the diagnostic cases
// above, and the committed corpus in testdata/fuzz.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzParseFeatures -fuzztime 60s
func FuzzParseFeatures(f *testing.F) {
	if data, err := os.ReadFile("../../examples/leak-sensor/features.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"", "features: []", "features:\n" + okFeature, "- a", "features: {a: 1}",
		"features:\n  - &f {id: a}\n  - *f\n", "a: &a [*a]", "features:\n  - <<: [1]\n",
		"features:\n  - id: a\n    confidence: 80\n    impact: hihg\n    reach: .nan\n",
		"themes:\n  - {id: t, measure: \"onboarding.p90 <= NaNm\"}\n  - {id: u, measure: \"monthly_active_devices >= 5%\"}\n  - {id: v, measure: onboarding.within_targt}\n",
		"certifications: {lab: {weeks: 6..8..16, fee: 1, retest: {chance: 20%, weeks: 6}}}\nfeatures:\n  - {id: a, reach: 1, impact: 1, confidence: 80%, track: hardware, effort: {engineering: 3..2, lead_time: 16w..10w..w}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, diags := ParseFeatures("f.yaml", data)
		if diags.HasErrors() == (b != nil) {
			t.Fatalf("errors=%v but backlog nil=%v", diags.HasErrors(), b == nil)
		}
		// YAML breaks lines at \n, \r\n and a lone \r.
		lines := 1
		for i, c := range data {
			if c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				lines++
			}
		}
		for _, d := range diags {
			if d.File != "f.yaml" || d.Line < 0 || d.Line > lines+1 || d.Col < 0 || d.Message == "" {
				t.Fatalf("bad diagnostic %+v for %d-line input", d, lines)
			}
		}
	})
}

// FuzzParseDevices checks the devices loader the same way.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzParseDevices -fuzztime 60s
func FuzzParseDevices(f *testing.F) {
	if data, err := os.ReadFile("../../examples/leak-sensor/devices.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"devices: []",
		"devices:\n  - {id: d, battery: {cell: cr2032}, sleep: 1uA, events: [{name: e, every: 1s, duration: 1ms, current: 1mA}]}\n",
		"devices:\n  - {id: d, battery: {capacity: 1Ah, self_discharge: 99.9%/d}, sleep: 0uA, self_discharge_model: proportional}\n",
		"devices:\n  - {id: d, battery: {cell: er14505}, sleep: 1nA, events: [{name: u, every: 1y, phases: [{lora: {sf: 12, bw: 500, payload: 255, cr: 4/8}, current: 1A}]}]}\n",
		"cells: {x: {capacity: 1e300Ah}}\ndevices: [{id: d, battery: {cell: x}, sleep: 1e-300A}]\n",
		"devices:\n  - {id: hub, power: mains, ota: {image: 4MiB, duration: 1m, current: 1A, every: 1mo}, events: [{name: s, every: 5m, duration: 1s, current: 1A, uplink: {bytes: 100}}]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fleet, diags := ParseDevices("d.yaml", data)
		if diags.HasErrors() == (fleet != nil) {
			t.Fatalf("errors=%v but fleet nil=%v", diags.HasErrors(), fleet == nil)
		}
		if fleet == nil {
			return
		}
		for _, d := range fleet.Devices {
			r, err := energy.Analyze(d)
			if err != nil {
				t.Fatalf("a loaded device does not analyse: %v", err)
			}
			if math.IsNaN(float64(r.Life)) || r.Life < 0 {
				t.Fatalf("device %s: life %v", d.ID, r.Life)
			}
		}
	})
}

// FuzzLoadConfig checks iotpm.yaml's loader: never a panic, every
// diagnostic positioned in the file, and a config only without errors.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzLoadConfig -fuzztime 60s
func FuzzLoadConfig(f *testing.F) {
	if data, err := os.ReadFile("../../examples/leak-sensor/iotpm.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"metrics: {month: 2026-10, slo: NaN%, activation_window: 1e6y}",
		"metrics: {from: 2026-11-01, to: 2026-10-01, inputs: {events: {path: ../x.csv, tz: Mars/Base}}}",
		"gates: {connectivity_uptime: \">= 75\", data_age: \"<= soon\"}",
		"formats: [{name: x, kind: event, columns: {device_id: a}, extract: {device_id: '[a-z]+'}}]",
		"devices: \"x\\n::warning::INJECTED\"",
		"a: &a {<<: [*a]}",
		"onboarding: {steps: [a, {name: b, match: [A, '']}, a], within: 1e9y, target: -3m}\nmetrics: {inputs: {onboarding: {table: t}}}",
		"gates: {onboarding: {completion: \">= 200\", p90: \"<= NaNm\", within_target: \"> 1%\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(dir+"/"+ConfigFileName, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := LoadConfig(dir)
		if diags.HasErrors() == (cfg != nil) {
			t.Fatalf("errors=%v but config nil=%v", diags.HasErrors(), cfg == nil)
		}
		for _, d := range diags {
			if d.Message == "" || d.Line < 0 || d.Col < 0 {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
	})
}

// FuzzRoadmapCalendar builds calendars from fuzzed cadences and dates and
// schedules a small backlog on them: the loader bounds them, so placing
// never runs away, and every item ships inside the plan.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzRoadmapCalendar -fuzztime 60s
func FuzzRoadmapCalendar(f *testing.F) {
	f.Add("2027-01-04", "2028-12-31", "2w", "1mo", 1.0, 0.5)
	f.Add("2027-01-04", "9999-12-31", "1d", "1d", 1.0, 1.0)
	f.Add("2027-01-04", "2027-01-05", "1000y", "3mo", 0.001, 3.0)
	f.Fuzz(func(t *testing.T, start, end, every, hotfix string, capacity, effort float64) {
		src := fmt.Sprintf(`roadmap:
  start: %q
  end: %q
  firmware: {every: %q, capacity: %g, hotfix_every: %q, hotfix_capacity: 1}
  cloud: {every: %q, capacity: %g}
features:
  - {id: a, reach: 1, impact: 1, confidence: 1, track: firmware, effort: {engineering: %g}}
  - {id: b, reach: 1, impact: 1, confidence: 1, parts: {firmware: {engineering: %g}, cloud: {engineering: %g}}, depends_on: [a], hotfix: true}
`, start, end, every, capacity, hotfix, every, capacity, effort, effort, effort)
		b, diags := ParseFeatures("f.yaml", []byte(src))
		if diags.HasErrors() || b == nil || b.Calendar == nil {
			return
		}
		ranked, err := rice.Rank(b.Features, b.Model, b.Catalog)
		if err != nil {
			return
		}
		plan := roadmap.Schedule(roadmap.Input{Ranked: ranked, Calendar: *b.Calendar, Catalog: b.Catalog, Themes: b.Themes})
		for _, it := range plan.Items {
			if it.ShipDate.Before(b.Calendar.Start) || it.ShipDate.After(b.Calendar.End) {
				t.Fatalf("%s ships %s outside %s..%s", it.Feature, it.ShipDate, b.Calendar.Start, b.Calendar.End)
			}
		}
		if len(plan.Releases) > 3*MaxReleasesPerTrack {
			t.Fatalf("%d releases", len(plan.Releases))
		}
	})
}

// FuzzParseEconomics checks the economics loader the same way, against the
// example's devices.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzParseEconomics -fuzztime 60s
func FuzzParseEconomics(f *testing.F) {
	devices, err := os.ReadFile("../../examples/leak-sensor/devices.yaml")
	if err != nil {
		f.Fatal(err)
	}
	fleet, diags := ParseDevices("devices.yaml", devices)
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	if data, err := os.ReadFile("../../examples/leak-sensor/economics.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"", "currency: USD\nmodels: {}", "currency: usd\nlife: 5\nnre: plan\nmodels: {drip-lora: {units: 1}}",
		"currency: EUR\nnre: plan\ndiscount: 200%/y\nmodels:\n  drip-lora: {units: 1, price: 1, bom: 1, activation: metrics, connectivity: 1nce-lifetime, cloud: aws-iot-core}\n",
		"currency: USD\nmodels:\n  drip-puck: {units: .nan, price: -1, bom: 1e400, activation: 85, churn: 120%, support: {per_ticket: 1, tickets_per_device_month: x}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, diags := ParseEconomics("e.yaml", data, fleet)
		if diags.HasErrors() == (e != nil) {
			t.Fatalf("errors=%v but economics nil=%v", diags.HasErrors(), e == nil)
		}
		for _, d := range diags {
			if d.File != "e.yaml" || d.Line < 0 || d.Col < 0 || d.Message == "" {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
		if e == nil {
			return
		}
		for _, m := range e.Models {
			if err := m.Validate(); err != nil {
				t.Fatalf("a loaded model is invalid: %v", err)
			}
		}
	})
}
