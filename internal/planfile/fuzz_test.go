package planfile

import (
	"math"
	"os"
	"testing"

	"github.com/iotpm/iotpm/pkg/energy"
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
