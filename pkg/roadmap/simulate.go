package roadmap

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// A simulation samples every range of the plan — a part's engineering
// effort and lead time, a certification campaign's weeks and its retest —
// independently, from triangular distributions (rice.Range), and schedules
// each sample with the same rules and the same priority order as the plan
// (the order is the team's decision: it is not re-ranked per sample). A
// certification is sampled once per feature (its parts share the
// campaign). Sample k draws from its own PCG stream (seed, k): the same
// seed gives the same result on every machine.

// DefaultSamples is how many samples a simulation draws by default.
const DefaultSamples = 2000

// PartOutcome is one part's ship dates over the samples.
type PartOutcome struct {
	Feature string
	Track   rice.Track
	// P50 and P90 are nearest-rank percentiles of the ship date; zero when
	// that share of the samples leaves the part unscheduled.
	P50, P90 time.Time
	// Release is the release it lands in most often ("" unscheduled).
	Release string
	// Scheduled is the share of samples that schedule it.
	Scheduled float64
}

// ThemeOutcome is one theme's completion over the samples.
type ThemeOutcome struct {
	ID       string
	Due      time.Time
	P50, P90 time.Time // zero: that share of samples cannot complete it
	// OnTime is the share of samples that complete it by its due date
	// (NaN without one).
	OnTime float64
}

// Simulation is the result of Simulate.
type Simulation struct {
	Samples int
	Seed    uint64
	Parts   []PartOutcome // in the plan's item order, then the unscheduled
	Themes  []ThemeOutcome
	// Ranges counts the ranges and retests sampled (0: the plan has none,
	// and every sample is the plan).
	Ranges int
}

// Simulate schedules n samples of the plan's uncertain inputs.
func Simulate(in Input, n int, seed uint64) (Simulation, error) {
	if n < 1 || n > 1_000_000 {
		return Simulation{}, fmt.Errorf("samples must be 1 to 1,000,000, got %d", n)
	}
	in.Explain = ""
	sim := Simulation{Samples: n, Seed: seed, Ranges: CountRanges(in)}
	type key struct {
		feature string
		track   rice.Track
	}
	ships := map[key][]time.Time{} // zero: unscheduled in that sample
	releases := map[key]map[string]int{}
	var order []key
	themeDone := map[string][]time.Time{}
	run := func(plan Plan) {
		seen := map[key]bool{}
		for _, it := range plan.Items {
			k := key{it.Feature, it.Track}
			if _, ok := ships[k]; !ok {
				order = append(order, k)
				releases[k] = map[string]int{}
			}
			ships[k] = append(ships[k], it.ShipDate)
			releases[k][it.Release]++
			seen[k] = true
		}
		for _, u := range plan.Unscheduled {
			k := key{u.Feature, u.Track}
			if seen[k] {
				continue
			}
			if _, ok := ships[k]; !ok {
				order = append(order, k)
				releases[k] = map[string]int{}
			}
			ships[k] = append(ships[k], time.Time{})
			seen[k] = true
		}
		for _, t := range plan.Themes {
			done := t.Complete
			if t.AtRisk {
				done = time.Time{}
			}
			themeDone[t.ID] = append(themeDone[t.ID], done)
		}
	}
	if sim.Ranges == 0 {
		run(Schedule(in)) // without ranges every sample is the plan
	} else {
		in.releases = in.Calendar.Releases() // the same calendar in every sample
		for k := range n {
			rng := newPCG(seed, k)
			sample := in
			sample.Ranked = sampleRanked(in.Ranked, in.Catalog, rng)
			run(Schedule(sample))
			if in.Progress != nil && ((k+1)%100 == 0 || k+1 == n) {
				in.Progress(k+1, n)
			}
		}
	}
	for _, k := range order {
		v := ships[k]
		po := PartOutcome{Feature: k.feature, Track: k.track}
		po.P50, po.P90 = percentile(v, 0.5), percentile(v, 0.9)
		scheduled := 0
		for _, t := range v {
			if !t.IsZero() {
				scheduled++
			}
		}
		po.Scheduled = float64(scheduled) / float64(len(v))
		best := 0
		for _, r := range slices.Sorted(maps.Keys(releases[k])) {
			if c := releases[k][r]; c > best {
				po.Release, best = r, c
			}
		}
		sim.Parts = append(sim.Parts, po)
	}
	for _, t := range in.Themes {
		v := themeDone[t.ID]
		to := ThemeOutcome{ID: t.ID, Due: t.Due, P50: percentile(v, 0.5), P90: percentile(v, 0.9), OnTime: math.NaN()}
		if !t.Due.IsZero() {
			on := 0
			for _, d := range v {
				if !d.IsZero() && !d.After(t.Due) {
					on++
				}
			}
			to.OnTime = float64(on) / float64(len(v))
		}
		sim.Themes = append(sim.Themes, to)
	}
	return sim, nil
}

// CountRanges counts the ranges and retests of the plan's inputs: 0 when
// every estimate is a point, and a simulation is the plan itself.
func CountRanges(in Input) int {
	n := 0
	for _, f := range in.Ranked {
		for _, p := range f.Parts {
			if p.EngineeringRange != nil {
				n++
			}
			if p.LeadTimeRange != nil {
				n++
			}
			if p.ComponentLeadRange != nil {
				n++
			}
		}
	}
	for _, c := range in.Catalog {
		if c.WeeksRange != nil {
			n++
		}
		if c.Retest != nil {
			n++
		}
	}
	return n
}

// DueDatesUncertain reports whether a theme's due date is held against
// dates that rest on ranges: the plan has a range and a theme with a due
// date. The plan takes each range's most likely value, so a theme it
// completes on time can still be late in most samples; only a simulation
// says how likely it is to be on time.
func DueDatesUncertain(in Input) bool {
	return CountRanges(in) > 0 && slices.ContainsFunc(in.Themes, func(t rice.Theme) bool { return !t.Due.IsZero() })
}

// LikelyLateBelow is the chance to be on time under which a theme the
// plan completes by its due date is called likely late: it is late in
// more samples than not.
const LikelyLateBelow = 0.5

// Theme is the simulated outcome of theme id (false when the simulation
// has none).
func (s Simulation) Theme(id string) (ThemeOutcome, bool) {
	i := slices.IndexFunc(s.Themes, func(t ThemeOutcome) bool { return t.ID == id })
	if i < 0 {
		return ThemeOutcome{}, false
	}
	return s.Themes[i], true
}

// LikelyLate reports whether theme t, on time in the plan, is late in
// more samples than not.
func (s Simulation) LikelyLate(t ThemeStatus) bool {
	o, ok := s.Theme(t.ID)
	return ok && LikelyLate(t, o)
}

// LikelyLate reports whether theme t, on time in the plan, is late in more
// of its simulation's samples (o) than not.
func LikelyLate(t ThemeStatus, o ThemeOutcome) bool {
	return !t.Late && !t.Due.IsZero() && o.OnTime < LikelyLateBelow
}

// percentile is the nearest-rank percentile (the ⌈q·n⌉-th smallest) of
// dates where zero means never: never sorts last, and a percentile that
// falls on it is zero.
func percentile(v []time.Time, q float64) time.Time {
	if len(v) == 0 {
		return time.Time{}
	}
	s := slices.Clone(v)
	slices.SortFunc(s, func(a, b time.Time) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Compare(b)
	})
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// sampleRanked draws one sample of the ranked features' uncertain inputs:
// each part's engineering and lead time, and each of the feature's
// certification campaigns (weeks, then a retest with its chance), folded
// into the part's lead time so that every feature has its own campaign.
func sampleRanked(ranked []rice.Scored, catalog rice.Catalog, rng *rand.Rand) []rice.Scored {
	out := make([]rice.Scored, len(ranked))
	for i, f := range ranked {
		f.Parts = slices.Clone(f.Parts)
		campaign := map[string]float64{} // certification id → weeks, this feature
		for _, id := range f.Feature.Certifications() {
			c, ok := catalog[id]
			if !ok {
				continue
			}
			w := c.Weeks
			if c.WeeksRange != nil {
				w = c.WeeksRange.Quantile(rng.Float64())
			}
			if c.Retest != nil && rng.Float64() < c.Retest.Chance {
				w += c.Retest.Weeks
			}
			campaign[id] = w
		}
		for j := range f.Parts {
			p := &f.Parts[j]
			if p.EngineeringRange != nil {
				p.Engineering = p.EngineeringRange.Quantile(rng.Float64())
			}
			if p.LeadTimeRange != nil {
				p.LeadTimeDays = int(math.Round(p.LeadTimeRange.Quantile(rng.Float64())))
			}
			if p.ComponentLeadRange != nil {
				p.ComponentLeadDays = int(math.Round(p.ComponentLeadRange.Quantile(rng.Float64())))
			}
			for _, id := range p.Certifications {
				if w, ok := campaign[id]; ok {
					p.LeadTimeDays = max(p.LeadTimeDays, int(math.Ceil(w*7)))
				}
			}
			p.Certifications = nil // folded into the lead time
		}
		out[i] = f
	}
	return out
}

// newPCG is sample k's random stream.
func newPCG(seed uint64, k int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(k))) }
