// Package rollout forecasts how a staged firmware rollout reaches a fleet
// from each device's measured chance of being online on a day.
//
// The definitions, for N devices ordered by id:
//
//	wave w takes the devices from ⌈share_{w−1}·N⌉ up to ⌈share_w·N⌉
//	  (shares cumulative; share_0 = 0)
//	wave 1 starts on day 0 (the start date); wave w+1 starts soak_w days
//	  after wave w started
//	a device of a wave started on day d_w is updated by the end of day
//	  d ≥ d_w with probability 1 − (1 − p·s)^(d − d_w + 1): one attempt per
//	  online day, p its online probability, s the success probability
//	the expected share updated on day d = Σ over the devices / N
//
// Day d counts from 0; "reached in k days" means by the end of day k − 1
// (the start day is day 1 of the rollout).
package rollout

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Device is one device of the fleet to update.
type Device struct {
	ID    string
	Model string  // "" when unknown
	P     float64 // online probability, 0..1
	// Success, with OwnSuccess, is the chance an attempt on this device
	// succeeds (its model's measured rate), in place of the plan's.
	Success    float64
	OwnSuccess bool
}

// Wave is one stage: its cumulative share of the fleet and how many days
// it soaks before the next starts.
type Wave struct {
	Share    float64
	SoakDays int
}

// Plan is a rollout: its waves and the success probability of an attempt.
type Plan struct {
	Waves   []Wave
	Success float64
	// Days is how far the forecast looks (default 365).
	Days int
}

// Validate reports the first problem with the plan.
func (p Plan) Validate() error {
	if err := ValidateWaves(p.Waves); err != nil {
		return err
	}
	if !(p.Success > 0 && p.Success <= 1) {
		return fmt.Errorf("the success probability %s must be above 0%% and at most 100%%", pct(p.Success))
	}
	if p.Days < 0 || p.Days > 3650 {
		return fmt.Errorf("a forecast looks 1 to 3650 days ahead, not %d", p.Days)
	}
	return nil
}

// ValidateWaves reports the first problem with a rollout's waves: at least
// one, cumulative shares rising to at most 100%, soaks not negative.
func ValidateWaves(waves []Wave) error {
	if len(waves) == 0 {
		return fmt.Errorf("a rollout needs at least one wave")
	}
	prev := 0.0
	for i, w := range waves {
		if !(w.Share > prev && w.Share <= 1) {
			return fmt.Errorf("wave %d: share %s must be above the previous wave's (%s) and at most 100%% (shares are cumulative)", i+1, pct(w.Share), pct(prev))
		}
		if w.SoakDays < 0 {
			return fmt.Errorf("wave %d: soak %d days is negative", i+1, w.SoakDays)
		}
		prev = w.Share
	}
	return nil
}

// WavesShortfall explains waves that end below 100% of the fleet — the
// rest is never offered the update, so the forecast stays below the last
// share — or returns "". When the shares add up to 100%, they are most
// likely each wave's own part written where the cumulative share belongs
// (1%, 10%, 89% for 1%, 11%, 100%), and it says so.
func WavesShortfall(waves []Wave) string {
	if len(waves) == 0 {
		return ""
	}
	last := waves[len(waves)-1].Share
	if last >= 1-1e-9 {
		return ""
	}
	sum := 0.0
	parts := make([]string, len(waves))
	cumulative := make([]string, len(waves))
	for i, w := range waves {
		sum += w.Share
		parts[i], cumulative[i] = pct(w.Share), pct(math.Min(sum, 1))
	}
	msg := fmt.Sprintf("the waves end at %s: the other %s of the fleet is never offered the update, so at most about %s of the fleet can update",
		pct(last), pct(1-last), pct(last))
	if math.Abs(sum-1) < 1e-9 {
		return msg + fmt.Sprintf("; shares are cumulative: if %s are each wave's own part (they add up to 100%%), write %s",
			strings.Join(parts, ", "), strings.Join(cumulative, ", "))
	}
	return msg + "; end with a wave of 100% to forecast the whole fleet"
}

func pct(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", x*100), "0"), ".") + "%"
}

// Split returns each wave's device index range [lo, hi) for n devices.
func Split(waves []Wave, n int) [][2]int {
	out := make([][2]int, len(waves))
	lo := 0
	for i, w := range waves {
		hi := min(n, int(math.Ceil(w.Share*float64(n)-1e-9)))
		hi = max(hi, lo)
		out[i] = [2]int{lo, hi}
		lo = hi
	}
	return out
}

// StartDays returns each wave's start day.
func StartDays(waves []Wave) []int {
	out := make([]int, len(waves))
	for i := 1; i < len(waves); i++ {
		out[i] = out[i-1] + waves[i-1].SoakDays
	}
	return out
}

// Forecast is the expected share of the fleet updated by the end of each
// day, and when it first reaches 50%, 90% and 95%.
type Forecast struct {
	N      int
	Ranges [][2]int // each wave's number of devices, as [lo, hi) of the fleet (which devices is drawn at random)
	Starts []int    // each wave's start day
	Share  []float64
	// Reach50, Reach90, Reach95 are the first day index whose share
	// reaches the mark, -1: not within the forecast.
	Reach50, Reach90, Reach95 int
	// Unreachable are the devices with p = 0: they will not update.
	Unreachable []string
	// Outside are the devices after the last wave's share (< 100%).
	Outside int
	// Models are the same curve and marks for each model's devices (by
	// Device.Model, sorted; none when no device has a model). The devices
	// without a model are a group of their own, Model "" (last), so that
	// the groups add up to the fleet.
	Models []Group
}

// Group is the forecast of one model's devices within the fleet's rollout.
type Group struct {
	Model                     string
	N                         int
	Share                     []float64
	Reach50, Reach90, Reach95 int
}

// marks sets the first day each mark is reached.
func marks(share []float64) (r50, r90, r95 int) {
	r50, r90, r95 = Never, Never, Never
	for day, v := range share {
		s := v + 1e-12 // a sum of n terms may round just below a mark it meets
		for _, m := range []struct {
			at  float64
			out *int
		}{{0.5, &r50}, {0.9, &r90}, {0.95, &r95}} {
			if *m.out == Never && s >= m.at {
				*m.out = day
			}
		}
	}
	return r50, r90, r95
}

// Never is a Reach value: not within the forecast's days.
const Never = -1

// Run forecasts the rollout of devices: the expected share updated each
// day, with every device equally likely to be in any of the waves' places.
func Run(devices []Device, p Plan) (Forecast, error) {
	if err := p.Validate(); err != nil {
		return Forecast{}, err
	}
	days := p.Days
	if days == 0 {
		days = 365
	}
	ds := slices.Clone(devices)
	slices.SortFunc(ds, func(a, b Device) int { return strings.Compare(a.ID, b.ID) })
	for _, d := range ds {
		if math.IsNaN(d.P) || d.P < 0 || d.P > 1 {
			return Forecast{}, fmt.Errorf("device %s: online probability %v is outside 0..1", d.ID, d.P)
		}
		if d.OwnSuccess && (math.IsNaN(d.Success) || d.Success < 0 || d.Success > 1) {
			return Forecast{}, fmt.Errorf("device %s: success probability %v is outside 0..1", d.ID, d.Success)
		}
	}
	n := len(ds)
	f := Forecast{N: n, Ranges: Split(p.Waves, n), Starts: StartDays(p.Waves), Share: make([]float64, days), Reach50: Never, Reach90: Never, Reach95: Never}
	f.Outside = n - f.Ranges[len(f.Ranges)-1][1]
	for _, d := range ds {
		if d.P == 0 {
			f.Unreachable = append(f.Unreachable, d.ID)
		}
	}
	if n == 0 {
		return f, nil
	}
	groups := map[string]*Group{}
	byModel := slices.ContainsFunc(ds, func(d Device) bool { return d.Model != "" }) // else no groups
	for _, d := range ds {
		if !byModel {
			break
		}
		if groups[d.Model] == nil {
			groups[d.Model] = &Group{Model: d.Model, Share: make([]float64, days)}
		}
		groups[d.Model].N++
	}
	// Which devices a wave takes is the rollout service's draw, not the
	// ids' order (an id's spelling often says its model or its batch): each
	// device is in wave w with the wave's part of the fleet, so a device's
	// expected curve is its curve from each wave's start weighted by that
	// part (and never offered with the part outside the waves). The curve
	// depends on the device's chance an attempt misses alone, and the
	// chances are few (online days over observed days, a rate per model):
	// each distinct one, per model, is computed once and counted.
	type kind struct {
		miss  float64
		model string
	}
	counts := map[kind]float64{}
	for _, d := range ds {
		success := p.Success
		if d.OwnSuccess {
			success = d.Success
		}
		counts[kind{1 - d.P*success, d.Model}]++ // miss: chance one online-day attempt does not update it
	}
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b kind) int {
		return cmp.Or(cmp.Compare(a.miss, b.miss), strings.Compare(a.model, b.model))
	}) {
		g, count := groups[k.model], counts[k]
		for w, r := range f.Ranges {
			weight := count * float64(r[1]-r[0]) / float64(n)
			if weight == 0 {
				continue
			}
			left := 1.0
			for day := f.Starts[w]; day < days; day++ {
				left *= k.miss
				f.Share[day] += weight * (1 - left)
				if g != nil {
					g.Share[day] += weight * (1 - left)
				}
			}
		}
	}
	for day := range f.Share {
		f.Share[day] /= float64(n)
	}
	f.Reach50, f.Reach90, f.Reach95 = marks(f.Share)
	models := slices.Sorted(maps.Keys(groups))
	if len(models) > 0 && models[0] == "" {
		models = append(models[1:], "") // the devices without a model last
	}
	for _, m := range models {
		g := groups[m]
		for day := range g.Share {
			g.Share[day] /= float64(g.N)
		}
		g.Reach50, g.Reach90, g.Reach95 = marks(g.Share)
		f.Models = append(f.Models, *g)
	}
	return f, nil
}
