package rollout

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// N = 7 at 1%, 10%, 100%: ⌈0.07⌉ = 1, ⌈0.7⌉ = 1, ⌈7⌉ = 7 — the first wave
// takes one device, the second none, the third the other six.
func TestSplit(t *testing.T) {
	got := Split([]Wave{{Share: 0.01}, {Share: 0.10}, {Share: 1}}, 7)
	if want := [][2]int{{0, 1}, {1, 1}, {1, 7}}; !slices.Equal(got, want) {
		t.Errorf("Split = %v, want %v", got, want)
	}
	// a share that multiplies to a whole number is not pushed up by float
	// noise: 50% of 4 is 2
	if got := Split([]Wave{{Share: 0.5}, {Share: 1}}, 4); got[0] != [2]int{0, 2} {
		t.Errorf("Split 50%% of 4 = %v", got)
	}
	if got := StartDays([]Wave{{Share: 0.01, SoakDays: 3}, {Share: 0.1, SoakDays: 7}, {Share: 1}}); !slices.Equal(got, []int{0, 3, 10}) {
		t.Errorf("StartDays = %v", got)
	}
}

// Three devices, success s = 1: a (p = 1), b and c (p = 0.5). Waves 34%
// (soak 2 days) and 100%: ⌈0.34 × 3⌉ = 2 devices start on day 0 and one
// on day 2, drawn at random, so each device is in the first wave with
// chance 2/3. A device k days into its wave is updated with
// 1 − (1 − p)^(k + 1); over the fleet, U(k) = Σ / 3:
//
//	U(0) = (1 + 0.5 + 0.5) / 3         = 2/3
//	U(1) = (1 + 0.75 + 0.75) / 3       = 2.5/3
//	U(2) = (1 + 0.875 × 2) / 3         = 2.75/3
//	U(3) = (1 + 0.9375 × 2) / 3        = 2.875/3
//	U(4) = (1 + 0.96875 × 2) / 3       = 2.9375/3
//	U(5) = (1 + 0.984375 × 2) / 3      = 2.96875/3
//
// share(d) = 2/3 · U(d) + 1/3 · U(d − 2):
//
//	day 0: 4/9                          = 0.444444
//	day 1: 5/9                          = 0.555556 (50% in 2 days)
//	day 2: (5.5 + 2) / 9                = 0.833333
//	day 3: (5.75 + 2.5) / 9             = 0.916667 (90% in 4 days)
//	day 4: (5.875 + 2.75) / 9           = 0.958333 (95% in 5 days)
//	day 5: (5.9375 + 2.875) / 9         = 0.979167
//
// The same devices under other ids give the same forecast: in id order
// a and b (the first ids) took the first wave, and the 50% came a day
// earlier.
func TestForecastByHand(t *testing.T) {
	devices := []Device{{ID: "c", P: 0.5}, {ID: "a", P: 1}, {ID: "b", P: 0.5}}
	plan := Plan{Waves: []Wave{{Share: 0.34, SoakDays: 2}, {Share: 1}}, Success: 1, Days: 30}
	f, err := Run(devices, plan)
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range []float64{4.0 / 9, 5.0 / 9, 7.5 / 9, 8.25 / 9, 8.625 / 9, 8.8125 / 9} {
		if math.Abs(f.Share[d]-want) > 1e-12 {
			t.Errorf("day %d: share %.9f, want %.9f", d, f.Share[d], want)
		}
	}
	if f.Reach50 != 1 || f.Reach90 != 3 || f.Reach95 != 4 {
		t.Errorf("reach 50/90/95 on days %d/%d/%d, want 1/3/4", f.Reach50, f.Reach90, f.Reach95)
	}
	renamed := []Device{{ID: "a", P: 0.5}, {ID: "b", P: 0.5}, {ID: "z", P: 1}}
	if g, _ := Run(renamed, plan); !slices.EqualFunc(g.Share, f.Share, func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }) {
		t.Errorf("renamed devices: %v, want %v", g.Share[:6], f.Share[:6])
	}
}

// Per model, each model's devices are spread over the waves as the
// fleet's are: with waves 50% and 100% (soak 10 days) and ids that begin
// with the model, both models reach half on day 0 — in id order the
// lora units took the whole first wave and the valves waited ten days.
func TestModelsShareTheWaves(t *testing.T) {
	devices := []Device{{ID: "lora-1", Model: "lora", P: 1}, {ID: "lora-2", Model: "lora", P: 1}, {ID: "valve-1", Model: "valve", P: 1}, {ID: "valve-2", Model: "valve", P: 1}}
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 0.5, SoakDays: 10}, {Share: 1}}, Success: 1, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Models {
		if math.Abs(g.Share[0]-0.5) > 1e-12 || g.Reach50 != 0 || g.Reach90 != 10 {
			t.Errorf("%s: day 0 %v, reach 50%% on day %d, 90%% on day %d; want 0.5, 0, 10", g.Model, g.Share[0], g.Reach50, g.Reach90)
		}
	}
}

// The groups by model add up to the fleet: the devices without a model
// are a group too, last (they were left out, and the table by model read
// as 2 of 3 devices); without any model there are no groups.
func TestModelGroupsAddUp(t *testing.T) {
	devices := []Device{{ID: "a", Model: "valve", P: 1}, {ID: "b", P: 0.5}, {ID: "c", Model: "lora", P: 0.5}}
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 1}}, Success: 1, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	var models []string
	n := 0
	for _, g := range f.Models {
		models, n = append(models, g.Model), n+g.N
	}
	if !slices.Equal(models, []string{"lora", "valve", ""}) || n != 3 {
		t.Fatalf("groups %v of %d devices", models, n)
	}
	// b alone, p = 0.5: half on day 0
	if g := f.Models[2]; math.Abs(g.Share[0]-0.5) > 1e-12 || g.Reach50 != 0 {
		t.Errorf("the group without a model: %+v", g)
	}
	for i := range devices {
		devices[i].Model = ""
	}
	if f, _ := Run(devices, Plan{Waves: []Wave{{Share: 1}}, Success: 1, Days: 30}); len(f.Models) != 0 {
		t.Errorf("no model at all: groups %+v", f.Models)
	}
}

// A device never online will not update: listed, and 95% is never reached
// when it is more than 5% of the fleet.
func TestUnreachableDevices(t *testing.T) {
	devices := []Device{{ID: "a", P: 1}, {ID: "b", P: 1}, {ID: "z", P: 0}}
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 1}}, Success: 0.9, Days: 365})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Unreachable, []string{"z"}) || f.Reach90 != Never || f.Reach50 != 0 {
		t.Errorf("unreachable %v, reach50 %d, reach90 %d", f.Unreachable, f.Reach50, f.Reach90)
	}
	if got := f.Share[364]; math.Abs(got-2.0/3) > 1e-12 {
		t.Errorf("final share %v, want 2/3", got)
	}
}

// A device with its own success takes it instead of the plan's; one with
// a rate of 0 never updates. One wave, p = 1, plan success 0.5: a (own
// 0.9) 0.9 after day 0, 0.99 after day 1; b (plan's) 0.5, 0.75; c (own 0)
// never. Out of 0..1, an own success is refused.
func TestDeviceOwnSuccess(t *testing.T) {
	devices := []Device{{ID: "a", P: 1, Success: 0.9, OwnSuccess: true}, {ID: "b", P: 1}, {ID: "c", P: 1, OwnSuccess: true}}
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 1}}, Success: 0.5, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range []float64{(0.9 + 0.5) / 3, (0.99 + 0.75) / 3} {
		if math.Abs(f.Share[d]-want) > 1e-12 {
			t.Errorf("day %d: share %.9f, want %.9f", d, f.Share[d], want)
		}
	}
	if got := f.Share[29]; got > 2.0/3+1e-12 {
		t.Errorf("final share %v: c, whose attempts never succeed, updated", got)
	}
	devices[0].Success = 1.5
	if _, err := Run(devices, Plan{Waves: []Wave{{Share: 1}}, Success: 0.5}); err == nil || !strings.Contains(err.Error(), "device a: success probability 1.5 is outside 0..1") {
		t.Errorf("own success 1.5: %v", err)
	}
}

func TestPlanValidate(t *testing.T) {
	for name, p := range map[string]Plan{
		"no waves":          {Success: 1},
		"shares decreasing": {Waves: []Wave{{Share: 0.5}, {Share: 0.1}}, Success: 1},
		"share above 100%":  {Waves: []Wave{{Share: 1.5}}, Success: 1},
		"no success":        {Waves: []Wave{{Share: 1}}, Success: 0},
	} {
		if _, err := Run(nil, p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Waves that stop short of the fleet are explained; shares that add up to
// 100% are most likely each wave's own part, and the cumulative spelling
// is given.
func TestWavesShortfall(t *testing.T) {
	for _, tt := range []struct {
		waves []Wave
		want  string
	}{
		{[]Wave{{Share: 0.01}, {Share: 0.1}, {Share: 1}}, ""},
		{[]Wave{{Share: 1}}, ""},
		{[]Wave{{Share: 0.01}, {Share: 0.1}, {Share: 0.89}}, "the waves end at 89%: the other 11% of the fleet is never offered the update, so at most about 89% of the fleet can update; shares are cumulative: if 1%, 10%, 89% are each wave's own part (they add up to 100%), write 1%, 11%, 100%"},
		{[]Wave{{Share: 0.05}, {Share: 0.5}}, "the waves end at 50%: the other 50% of the fleet is never offered the update, so at most about 50% of the fleet can update; end with a wave of 100% to forecast the whole fleet"},
		{nil, ""},
	} {
		if got := WavesShortfall(tt.waves); got != tt.want {
			t.Errorf("%v:\n got %q\nwant %q", tt.waves, got, tt.want)
		}
	}
}
