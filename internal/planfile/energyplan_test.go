package planfile

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

const linkFeatures = `features:
  - {id: adaptive-heartbeat, reach: 1, impact: 1, confidence: 1, track: firmware, effort: {engineering: 1}}
  - {id: edge-anomaly, reach: 1, impact: 1, confidence: 1, track: firmware, effort: {engineering: 1}}
`

// The link between devices.yaml and features.yaml, and the variants and
// budgets it rests on, are checked with positions.
func TestEnergyPlanDiagnostics(t *testing.T) {
	head := "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 1uA\n    events:\n      - {name: heartbeat, feature: connectivity, every: 15m, duration: 50ms, current: 5mA}\n"
	tests := []struct {
		name, devices string
		want          []string // diagnostics, in order
	}{
		{"replaces names no event", head + "      - {name: hb2, feature: adaptive-heartbeat, replaces: heartbeet, every: 2h}\n",
			[]string{`7:9: device d, event hb2 replaces "heartbeet", which is no event of the device; did you mean "heartbeat"?`}},
		{"a variant needs its feature", head + "      - {name: hb2, replaces: heartbeat, every: 2h}\n",
			[]string{`7:9: device d, event hb2 replaces heartbeat: a variant needs the feature it ships with (feature: a backlog id)`}},
		{"at most one variant", head + "      - {name: hb2, feature: adaptive-heartbeat, replaces: heartbeat, every: 2h}\n      - {name: hb3, feature: edge-anomaly, replaces: heartbeat, every: 1h}\n",
			[]string{`8:9: device d: event heartbeat already has a variant (hb2, line 7); an event has at most one`}},
		{"never without replaces", head + "      - {name: beacon, every: never}\n",
			[]string{`7:9: device d, event beacon: every: never is for a variant (with replaces) that retires an event`}},
		{"missing every", head + "      - {name: beacon, duration: 1ms, current: 1mA}\n",
			[]string{`7:9: device d, event beacon: missing required key "every"`}},
		{"budget for a feature without events", head + "    budgets: {edge-anomly: 2uA}\n",
			[]string{`2:5: device d: budget for "edge-anomly", a feature none of its events has`}},
		{"a bad budget", head + "    budgets: {connectivity: lots}\n",
			[]string{`7:29: devices[0].budgets.connectivity: lots is not a budget; write a current (2uA), a share of the drain (15%) or a life cost (0.5y)`}},
		// "m" is minutes: a life under a day is months meant (target: 10m
		// read as ten minutes passed every device)
		{"a target in minutes", strings.Replace(head, "sleep: 1uA\n", "sleep: 1uA\n    target: 10m\n", 1),
			[]string{`5:13: devices[0].target: 10 minutes is shorter than a day (m is minutes, not months): a battery life is days or years; give e.g. 540d or 1.5y`}},
		{"a target in hours", strings.Replace(head, "sleep: 1uA\n", "sleep: 1uA\n    target: 23h\n", 1),
			[]string{`5:13: devices[0].target: 23 hours is shorter than a day`}},
		{"a shelf life in minutes", strings.Replace(head, "{cell: cr2032}", "{cell: cr2032, shelf_life: 60m}", 1),
			[]string{`3:41: devices[0].battery.shelf_life: 1 hour is shorter than a day (m is minutes, not months)`}},
		{"a life cost in minutes", head + "    budgets: {connectivity: 6m}\n",
			[]string{`7:29: devices[0].budgets.connectivity: life cost 6 minutes is shorter than a day (m is minutes, not months): a battery life is days or years; give e.g. 540d or 1.5y (a smaller budget is a current, e.g. 0.1uA)`}},
		{"a typo of a backlog id", head + "      - {name: model, feature: edge-anomoly, every: 30s, duration: 20ms, current: 4mA}\n",
			[]string{`7:9: device d, event model: feature "edge-anomoly" names no backlog feature; did you mean "edge-anomaly"?`}},
		{"a variant of a shipped feature", head + "      - {name: hb2, feature: connectivity-v2, replaces: heartbeat, every: 2h}\n",
			[]string{`7:9: device d, event hb2 replaces heartbeat, so it ships with a backlog feature; "connectivity-v2" is none of features.yaml's`}},
	}
	backlog, diags := ParseFeatures("features.yaml", []byte(linkFeatures))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fleet, diags := ParseDevices("devices.yaml", []byte(tt.devices))
			if fleet != nil {
				diags = append(diags, LinkPlan(fleet, backlog)...)
			}
			var got []string
			for _, d := range diags.Errors() {
				got = append(got, strings.TrimPrefix(d.String(), "devices.yaml:"))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("got  %q\nwant %q", got[i], tt.want[i])
				}
			}
		})
	}
}

// A variant takes what it omits from the event it replaces.
func TestVariantInheritsFromItsEvent(t *testing.T) {
	src := "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 1uA\n    events:\n" +
		"      - {name: heartbeat, feature: connectivity, every: 15m, phases: [{duration: 50ms, current: 5mA}, {duration: 60ms, current: 11mA}]}\n" +
		"      - {name: hb2, feature: adaptive-heartbeat, replaces: heartbeat, every: 2h}\n" +
		"      - {name: gone, feature: edge-anomaly, replaces: heartbeat2, every: never}\n"
	_, diags := ParseDevices("devices.yaml", []byte(src))
	if !diags.HasErrors() {
		t.Fatal("the replaces typo must be reported")
	}
	src = strings.Replace(src, "      - {name: gone, feature: edge-anomaly, replaces: heartbeat2, every: never}\n", "", 1)
	fleet, diags := ParseDevices("devices.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	backlog, _ := ParseFeatures("features.yaml", []byte(linkFeatures))
	if d := LinkPlan(fleet, backlog); d.HasErrors() {
		t.Fatal(d)
	}
	e := fleet.Devices[0].Events[1]
	if e.Replaces != "heartbeat" || e.Every != 7200 || len(e.Phases) != 2 || e.Phases[1].Current != 11e-3 {
		t.Errorf("variant %+v", e)
	}
	if !fleet.Planned("adaptive-heartbeat") || fleet.Planned("connectivity") {
		t.Error("planned features")
	}
	names := func() []string {
		var out []string
		for _, e := range fleet.Devices[0].With(fleet.Planned, func(string) bool { return true }).Events {
			out = append(out, e.Name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"hb2"}) {
		t.Errorf("with the plan: %v", got)
	}
}

// The updates ota.every adds are an event a planned variant may replace: a
// delta update downloads for 10 minutes instead of 45, still every 3mo.
func TestUpdateVariant(t *testing.T) {
	src := "devices:\n  - id: d\n    battery: {cell: er14505}\n    sleep: 1uA\n" +
		"    ota: {image: 180kB, duration: 45min, current: 6mA, every: 3mo}\n    events:\n" +
		"      - {name: heartbeat, feature: connectivity, every: 15m, duration: 50ms, current: 5mA}\n" +
		"      - {name: delta, feature: edge-anomaly, replaces: ota-update, duration: 10min, current: 6mA}\n"
	fleet, diags := ParseDevices("devices.yaml", []byte(src))
	if diags.HasErrors() || len(diags) > 0 {
		t.Fatal(diags)
	}
	backlog, _ := ParseFeatures("features.yaml", []byte(linkFeatures))
	if d := LinkPlan(fleet, backlog); d.HasErrors() {
		t.Fatal(d)
	}
	events := func(shipped bool) map[string]float64 {
		out := map[string]float64{}
		for _, e := range fleet.Devices[0].With(fleet.Planned, func(string) bool { return shipped }).Events {
			out[e.Name] = float64(e.Every)
			if e.Name != "heartbeat" {
				out[e.Name+" s"] = float64(e.Duration())
			}
		}
		return out
	}
	quarter := 3 * 30.4375 * 86400
	if got, want := events(false), map[string]float64{"heartbeat": 900, "ota-update": quarter, "ota-update s": 2700}; !maps.Equal(got, want) {
		t.Errorf("today: %v, want %v", got, want)
	}
	if got, want := events(true), map[string]float64{"heartbeat": 900, "delta": quarter, "delta s": 600}; !maps.Equal(got, want) {
		t.Errorf("with the plan: %v, want %v", got, want)
	}
	// the updates carry ota.image; a variant without its own image, too
	downloads := func(shipped bool) (out []float64) {
		for _, e := range fleet.Devices[0].With(fleet.Planned, func(string) bool { return shipped }).Events {
			out = append(out, e.Download)
		}
		return out
	}
	if got := downloads(false); !slices.Equal(got, []float64{0, 180_000}) {
		t.Errorf("downloads today %v", got)
	}
	if got := downloads(true); !slices.Equal(got, []float64{0, 180_000}) {
		t.Errorf("downloads with the variant %v", got)
	}
	// image is an update's: on another event it is refused
	bad := strings.Replace(src, "duration: 50ms, current: 5mA}", "duration: 50ms, current: 5mA, image: 2kB}", 1)
	if _, diags = ParseDevices("devices.yaml", []byte(bad)); !diags.HasErrors() || !strings.Contains(diags.Errors()[0].String(), "devices.yaml:7:9: device d, event heartbeat: image is the size of a firmware update's download") {
		t.Errorf("image on a heartbeat: %v", diags)
	}
	// without every there is no ota-update to replace
	src = strings.Replace(src, ", every: 3mo}", "}", 1)
	if _, diags = ParseDevices("devices.yaml", []byte(src)); !diags.HasErrors() || !strings.Contains(diags.Errors()[0].String(), `replaces "ota-update", which is no event of the device`) {
		t.Errorf("a variant of updates without every: %v", diags)
	}
}
