package rollout

import (
	"fmt"
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
// (soak 2 days) and 100%: ⌈0.34 × 3⌉ = 2 places start on day 0, the
// third on day 2, so each device starts on day 0 with probability 2/3 and
// on day 2 with 1/3. By the end of day d a device of a wave started on
// d_w is updated with 1 − (1 − p)^(d − d_w + 1):
//
//	b or c from day 0: .5, .75, .875, .9375, .96875, .984375; from day 2: 0, 0, .5, .75, .875, .9375
//	b or c expected (2/3, 1/3): 1/3, .5, .75, .875, .9375, .96875
//	a expected: 2/3, 2/3, 1, 1, 1, 1
//	day 0: (2/3 + 2 × 1/3) / 3  = 4/9    = 0.444444
//	day 1: (2/3 + 2 × .5) / 3   = 5/9    = 0.555556 (50% in 2 days)
//	day 2: (1 + 2 × .75) / 3    = 2.5/3  = 0.833333
//	day 3: (1 + 2 × .875) / 3   = 2.75/3 = 0.916667 (90% in 4 days)
//	day 4: (1 + 2 × .9375) / 3  = 2.875/3 = 0.958333 (95% in 5 days)
//	day 5: (1 + 2 × .96875) / 3 = 2.9375/3 = 0.979167
func TestForecastByHand(t *testing.T) {
	devices := []Device{{ID: "c", P: 0.5}, {ID: "a", P: 1}, {ID: "b", P: 0.5}}
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 0.34, SoakDays: 2}, {Share: 1}}, Success: 1, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range []float64{4.0 / 9, 5.0 / 9, 2.5 / 3, 2.75 / 3, 2.875 / 3, 2.9375 / 3} {
		if math.Abs(f.Share[d]-want) > 1e-12 {
			t.Errorf("day %d: share %.9f, want %.9f", d, f.Share[d], want)
		}
	}
	if f.Reach50 != 1 || f.Reach90 != 3 || f.Reach95 != 4 {
		t.Errorf("reach 50/90/95 on days %d/%d/%d, want 1/3/4", f.Reach50, f.Reach90, f.Reach95)
	}
}

// Which devices a wave takes does not follow their ids: a model whose ids
// sort first was forecast to update a month before the others (waves 1%
// and 10% held only its devices), and renaming the ids reversed it. Two
// models of equal devices, waves 50% (soak 30 days) and 100%: each
// model's curve is the same whichever model's ids sort first, and the
// same as the fleet's.
func TestForecastDoesNotFollowIDOrder(t *testing.T) {
	fleet := func(first, second string) []Device {
		var ds []Device
		for i := range 10 {
			ds = append(ds, Device{ID: fmt.Sprintf("%s-%02d", first, i), Model: "valve", P: 0.5}, Device{ID: fmt.Sprintf("%s-%02d", second, i), Model: "lora", P: 0.5})
		}
		return ds
	}
	plan := Plan{Waves: []Wave{{Share: 0.5, SoakDays: 30}, {Share: 1}}, Success: 1, Days: 60}
	a, err := Run(fleet("a", "b"), plan)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(fleet("b", "a"), plan)
	for _, f := range []Forecast{a, b} {
		for _, g := range f.Models {
			if !near(g.Share, f.Share) || g.Reach90 != f.Reach90 {
				t.Errorf("model %s: reaches 90%% on day %d, the fleet on day %d", g.Model, g.Reach90, f.Reach90)
			}
		}
	}
	// half the fleet from day 0, half from day 30, p = 0.5: day 0 is 0.5 × 0.5
	if math.Abs(a.Share[0]-0.25) > 1e-12 || !near(a.Share, b.Share) {
		t.Errorf("day 0: %v and %v, want 0.25", a.Share[0], b.Share[0])
	}
}

// near: the same curve but for the rounding of sums taken in another
// order.
func near(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-12 })
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

// BenchmarkRun forecasts 100,000 devices whose online chances are a
// lookback's fractions (k of 28 days), two models, three waves.
func BenchmarkRun(b *testing.B) {
	var ds []Device
	for i := range 100_000 {
		ds = append(ds, Device{ID: fmt.Sprintf("d-%06d", i), Model: []string{"lora", "valve"}[i%2], P: float64(i*7919%29) / 28})
	}
	plan := Plan{Waves: []Wave{{Share: 0.01, SoakDays: 3}, {Share: 0.1, SoakDays: 7}, {Share: 1}}, Success: 0.97}
	for b.Loop() {
		if _, err := Run(ds, plan); err != nil {
			b.Fatal(err)
		}
	}
}
