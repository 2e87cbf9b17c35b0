package schema_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// Every example planning file validates against the schema of its kind,
// and files the loader rejects are rejected by the schema too.
func TestExampleFilesValidateAgainstSchemas(t *testing.T) {
	for kind, file := range map[string]string{"config": "iotpm.yaml", "features": "features.yaml", "devices": "devices.yaml", "economics": "economics.yaml"} {
		t.Run(kind, func(t *testing.T) {
			s := cmdtest.CompileSchema(t, kind)
			data, err := os.ReadFile(filepath.Join(cmdtest.ExampleRepo, file))
			if err != nil {
				t.Fatal(err)
			}
			if err := cmdtest.ValidateYAML(t, s, string(data)); err != nil {
				t.Errorf("%s does not validate: %v", file, err)
			}
		})
	}
	bad := map[string][]string{
		"features": {"features: [{id: A, reach: 1, impact: 1, confidence: 1}]", "features: []\nreech: 1", "features: [{id: a, reach: -1, impact: 1, confidence: 1}]",
			"features: [{id: a, reach: 1, impact: 4, confidence: 1}]", "features: [{id: a, reach: 1, impact: 1, confidence: 80}]"},
		"devices": {"devices: [{id: d, battery: {cell: cr2032}, sleep: 5}]", "devices: [{id: d, battery: {cell: cr2032}, sleep: 1uA, events: [{name: e, every: 5 minutes}]}]",
			// battery and sleep: required on battery power, refused on mains
			"devices: [{id: d, sleep: 1uA}]", "devices: [{id: d, power: mains, sleep: 1uA}]", "devices: [{id: d, power: mains, battery: {cell: cr2032}}]"},
		"config":    {"gates: {connectivity_uptime: 98%}", "metrics: {month: 2026-13}", "gates: {economics: {payback: 18}}"},
		"economics": {"currency: USD\nlife: 5\nmodels: {}", "currency: USD\nmodels: {m: {units: 1, price: 1, bom: 1, activation: 85}}", "currency: USD\nmodels: {m: {units: 1, price: 1, bom: 1, activation: 80%, chanel: 1%}}"},
	}
	// a device on mains power needs neither
	if err := cmdtest.ValidateYAML(t, cmdtest.CompileSchema(t, "devices"), "devices: [{id: hub, power: mains, ota: {image: 4MB, every: 1mo}, events: [{name: s, every: 5m, duration: 1s, current: 80mA}]}]"); err != nil {
		t.Errorf("a device on mains power does not validate: %v", err)
	}
	for kind, cases := range bad {
		s := cmdtest.CompileSchema(t, kind)
		for _, text := range cases {
			if cmdtest.ValidateYAML(t, s, text) == nil {
				t.Errorf("%s schema accepts %q", kind, text)
			}
		}
	}
}
