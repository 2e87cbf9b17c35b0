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
// (soak 2 days) and 100%: ⌈0.34 × 3⌉ = 2, so a and b start on day 0 and c
// on day 2. By the end of day d a device of a wave started on d_w is
// updated with 1 − (1 − p)^(d − d_w + 1):
//
//	day 0: a 1, b 0.5                     → 1.5 / 3     = 0.5      (50% in 1 day)
//	day 1: a 1, b 0.75                    → 1.75 / 3    = 0.583333
//	day 2: a 1, b 0.875, c 0.5            → 2.375 / 3   = 0.791667
//	day 3: a 1, b 0.9375, c 0.75          → 2.6875 / 3  = 0.895833
//	day 4: a 1, b 0.96875, c 0.875        → 2.84375 / 3 = 0.947917 (90% in 5 days)
//	day 5: a 1, b 0.984375, c 0.9375      → 2.921875 / 3 = 0.973958 (95% in 6 days)
func TestForecastByHand(t *testing.T) {
	devices := []Device{{ID: "c", P: 0.5}, {ID: "a", P: 1}, {ID: "b", P: 0.5}} // ordered by id inside
	f, err := Run(devices, Plan{Waves: []Wave{{Share: 0.34, SoakDays: 2}, {Share: 1}}, Success: 1, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range []float64{1.5 / 3, 1.75 / 3, 2.375 / 3, 2.6875 / 3, 2.84375 / 3, 2.921875 / 3} {
		if math.Abs(f.Share[d]-want) > 1e-12 {
			t.Errorf("day %d: share %.9f, want %.9f", d, f.Share[d], want)
		}
	}
	if f.Reach50 != 0 || f.Reach90 != 4 || f.Reach95 != 5 {
		t.Errorf("reach 50/90/95 on days %d/%d/%d, want 0/4/5", f.Reach50, f.Reach90, f.Reach95)
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
