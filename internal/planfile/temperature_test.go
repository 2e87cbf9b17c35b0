package planfile

import (
	"strings"
	"testing"
)

// temperature: one value or seasons covering the year once; capacity_at
// points on a cell; each mistake positioned.
func TestTemperatureAndCapacityAt(t *testing.T) {
	head := "cells:\n  cold-cell: {capacity: 1000mAh, voltage: 3V, capacity_at: [{temperature: -20C, capacity: 500mAh}, {temperature: 20C, capacity: 1000mAh}, {current: 50mA, capacity: 800mAh}]}\n" +
		"devices:\n  - id: d\n    battery: {cell: cold-cell}\n    sleep: 2uA\n    events:\n      - {name: tx, every: 1m, duration: 10ms, current: 10mA}\n"
	fleet, diags := ParseDevices("devices.yaml", []byte(head+"    temperature: -10C\n"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	d := fleet.Devices[0]
	if len(d.Seasons) != 1 || d.Seasons[0].Celsius != -10 || len(d.Seasons[0].Months) != 12 || len(d.Battery.CapacityAt) != 3 {
		t.Errorf("seasons %+v, points %+v", d.Seasons, d.Battery.CapacityAt)
	}
	fleet, diags = ParseDevices("devices.yaml", []byte(head+"    temperature: [{months: [12, 1, 2], celsius: -15C}, {months: [3, 4, 5, 6, 7, 8, 9, 10, 11], celsius: 15°C}]\n"))
	if diags.HasErrors() || len(fleet.Devices[0].Seasons) != 2 {
		t.Fatalf("%v %+v", diags, fleet)
	}
	for _, tt := range []struct{ temperature, want string }{
		{"-10", `"-10" is not a temperature; write it in °C, e.g. -10C`},
		{"[{months: [1, 2], celsius: 0C}]", "device d, temperature: the seasons leave out month 3, 4, 5, 6, 7, 8, 9, 10, 11, 12; cover the twelve months once"},
		{"[{months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], celsius: 0C}, {months: [1], celsius: 5C}]", "device d, temperature: month 1 is in two seasons"},
		{"[{months: [13], celsius: 0C}]", "device d, temperature: month 13 is not 1–12"},
		{"500C", `"500C" is outside -100C..150C`},
	} {
		_, diags := ParseDevices("devices.yaml", []byte(head+"    temperature: "+tt.temperature+"\n"))
		var got []string
		for _, d := range diags.Errors() {
			got = append(got, d.String())
		}
		if !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%s: got %q, want %q", tt.temperature, got, tt.want)
		}
	}
}

// self_discharge_at loads each point as a yearly share; a point without
// its rate is refused at its position.
func TestSelfDischargeAt(t *testing.T) {
	dev := func(points string) string {
		return "cells:\n  hot: {capacity: 2600mAh, voltage: 3.6V, self_discharge: 1%/y, self_discharge_at: " + points + "}\n" +
			"devices:\n  - id: d\n    battery: {cell: hot}\n    sleep: 2uA\n    temperature: 40C\n"
	}
	fleet, diags := ParseDevices("devices.yaml", []byte(dev("[{temperature: 20C, rate: 1%/y}, {temperature: 60C, rate: 0.5%/month}]")))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pts := fleet.Devices[0].Battery.SelfDischargeAt
	if len(pts) != 2 || pts[0].PerYear != 0.01 || pts[1].Celsius != 60 || pts[1].PerYear != 0.06 {
		t.Errorf("points %+v", pts)
	}
	_, diags = ParseDevices("devices.yaml", []byte(dev("[{temperature: 20C}]")))
	if !strings.Contains(diags.Error(), "devices.yaml:2:85: cells.hot.self_discharge_at[0]: missing required key \"rate\"") {
		t.Errorf("no rate: %v", diags)
	}
}

// A winter colder than the cell's capacity curve, or a summer hotter than
// room temperature on a cell with no self-discharge points, is warned of
// at the device: the curve's end would otherwise stand in for it silently
// (the life at -40 °C equal to that at -20 °C).
func TestTemperatureBeyondTheDatasheetWarned(t *testing.T) {
	head := "cells:\n  cold-cell: {capacity: 1000mAh, voltage: 3V, self_discharge: 1%/y, capacity_at: [{temperature: -20C, capacity: 500mAh}, {temperature: 20C, capacity: 1000mAh}]}\n" +
		"devices:\n  - id: d\n    battery: {cell: cold-cell}\n    sleep: 2uA\n    events:\n      - {name: tx, every: 1m, duration: 10ms, current: 10mA}\n"
	for _, tt := range []struct{ temperature, want string }{
		{"-10C", ""},
		{"[{months: [12, 1, 2], celsius: -40C}, {months: [3, 4, 5, 6, 7, 8, 9, 10, 11], celsius: 10C}]",
			"devices.yaml:4:5: warning: device d: the device sees -40 °C and the cell's capacity_at stops at -20 °C"},
		{"[{months: [6, 7, 8], celsius: 45C}, {months: [1, 2, 3, 4, 5, 9, 10, 11, 12], celsius: 10C}]",
			"devices.yaml:4:5: warning: device d: the device sees 45 °C and the cell has no self-discharge at temperature"},
	} {
		_, diags := ParseDevices("devices.yaml", []byte(head+"    temperature: "+tt.temperature+"\n"))
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var got []string
		for _, d := range diags {
			got = append(got, d.String())
		}
		if tt.want == "" && len(got) > 0 || !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%s: got %q, want %q", tt.temperature, got, tt.want)
		}
	}
}
