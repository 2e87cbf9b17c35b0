package planfile

import (
	"strings"
	"testing"
)

// supply: and side: load with positions; side without a regulator, or an
// efficiency above 100%, is refused.
func TestSupplyAndSide(t *testing.T) {
	dev := func(supply, side string) string {
		return "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 2uA\n" + supply +
			"    events:\n      - {name: tx, every: 1m, phases: [{duration: 10ms, current: 10mA}, {duration: 2ms, current: 5mA" + side + "}]}\n"
	}
	fleet, diags := ParseDevices("devices.yaml", []byte(dev("    supply: {voltage: 1.8V, efficiency: 85%}\n", ", side: battery")))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	d := fleet.Devices[0]
	if d.Supply == nil || d.Supply.Voltage != 1.8 || d.Supply.Efficiency != 0.85 || d.Events[0].Phases[0].BatterySide || !d.Events[0].Phases[1].BatterySide {
		t.Errorf("supply %+v, phases %+v", d.Supply, d.Events[0].Phases)
	}
	for _, tt := range []struct{ supply, side, want string }{
		{"", ", side: battery", "device d, event tx: side says where a current is drawn, before or after the regulator, and the device has none"},
		{"    supply: {voltage: 1.8V, efficiency: 120%}\n", "", "devices[0].supply.efficiency: 120% is outside 0%..100%"},
		{"    supply: {voltage: 1.8V, efficiency: 0%}\n", "", "device d, supply: efficiency must be above 0, got 0%"},
		{"    supply: {efficiency: 85%}\n", "", "supply: missing required key \"voltage\""},
		{"    supply: {voltage: 1.8V, efficiency: 85%}\n", ", side: cell", "side must be one of load, battery"},
	} {
		_, diags := ParseDevices("devices.yaml", []byte(dev(tt.supply, tt.side)))
		var got []string
		for _, d := range diags.Errors() {
			got = append(got, d.String())
		}
		if !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%q %q: got %q, want %q", tt.supply, tt.side, got, tt.want)
		}
	}
}
