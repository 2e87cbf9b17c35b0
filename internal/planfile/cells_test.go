package planfile

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/energy"
)

// A built-in cell whose figures devices.yaml overrides no longer carries
// the catalog's sources alone: a capacity of 2,400 mAh listed beside
// "2600 mAh (Saft …)" would read as the catalog's figure.
func TestOverriddenCellSource(t *testing.T) {
	builtin := energy.BuiltinCells()["er14505"].Source
	for _, tt := range []struct{ cells, want string }{
		{"", builtin},
		{"cells:\n  er14505: {capacity: 2400mAh, derating: 0.8}\n", "capacity, derating from devices.yaml line 2; built-in: " + builtin},
		{"cells:\n  er14505:\n    shelf_life: 15y\n", "shelf_life from devices.yaml line 3; built-in: " + builtin},
		{"cells:\n  my-cell: {capacity: 1Ah, self_discharge: 1%/y}\n", builtin},
	} {
		src := tt.cells + "devices:\n  - {id: d, battery: {cell: er14505}, sleep: 2uA, events: [{name: tx, every: 1m, duration: 1ms, current: 1mA}]}\n"
		fleet, diags := ParseDevices("devices.yaml", []byte(src))
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := fleet.Cells["er14505"].Source; got != tt.want {
			t.Errorf("%q: source %q, want %q", tt.cells, got, tt.want)
		}
	}
	fleet, _ := ParseDevices("devices.yaml", []byte("cells:\n  my-cell: {capacity: 1Ah, self_discharge: 1%/y}\ndevices:\n  - {id: d, battery: {cell: my-cell}, sleep: 2uA, events: [{name: tx, every: 1m, duration: 1ms, current: 1mA}]}\n"))
	if got := fleet.Cells["my-cell"].Source; !strings.HasPrefix(got, "devices.yaml") {
		t.Errorf("own cell: source %q", got)
	}
}
