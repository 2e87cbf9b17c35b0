package energy

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Along a roadmap, a device's events are of two kinds: shipped behaviour,
// and planned events tied to a backlog feature that are in the device only
// once that feature ships. A planned event may be a variant that replaces a
// shipped event (the adaptive heartbeat replacing the fixed one) or retires
// it. Life is a function of the event set only: the cell does not age
// between releases.

// Planned reports whether an event belongs to a backlog feature.
type Planned func(feature string) bool

// With returns the device once the features shipped reports have shipped:
// shipped behaviour, plus the planned events of shipped features, each
// variant in place of the event it replaces (a retiring variant removes
// it).
func (d Device) With(planned Planned, shipped func(feature string) bool) Device {
	out := d
	out.Events = nil
	replaced := map[string]bool{}
	for _, e := range d.Events {
		if e.Replaces != "" && planned(e.Feature) && shipped(e.Feature) {
			replaced[e.Replaces] = true
		}
	}
	for _, e := range d.Events {
		switch {
		case planned(e.Feature) && !shipped(e.Feature):
		case replaced[e.Name]:
		case e.Retire:
		default:
			e.Replaces = ""
			out.Events = append(out.Events, e)
		}
	}
	return out
}

// Step is the device after a release that changes its energy.
type Step struct {
	Date     time.Time
	Release  string
	Features []string // the planned features that ship
	Result   Result
}

// Timeline is a device along a plan: today, each release that ships a
// planned feature of the device, and the features that never ship.
type Timeline struct {
	Device string
	Today  Result
	Steps  []Step
	// Unscheduled are the device's planned features the plan does not ship.
	Unscheduled []string
}

// WithPlan is the result once every scheduled feature has shipped.
func (t Timeline) WithPlan() Result {
	if len(t.Steps) == 0 {
		return t.Today
	}
	return t.Steps[len(t.Steps)-1].Result
}

// Ship is when a feature ships on the roadmap, and with which release.
type Ship struct {
	Date    time.Time
	Release string
}

// PlanTimeline computes a device's life today and after each release that
// ships one of its planned features; ships has the features the roadmap
// schedules.
func PlanTimeline(d Device, planned Planned, ships map[string]Ship) (Timeline, error) {
	t := Timeline{Device: d.ID}
	var err error
	if t.Today, err = Analyze(d.With(planned, func(string) bool { return false })); err != nil {
		return t, err
	}
	var features []string
	for _, e := range d.Events {
		if planned(e.Feature) && !slices.Contains(features, e.Feature) {
			features = append(features, e.Feature)
		}
	}
	type at struct {
		ship     Ship
		features []string
	}
	var dates []at
	for _, f := range features {
		s, ok := ships[f]
		if !ok {
			t.Unscheduled = append(t.Unscheduled, f)
			continue
		}
		i := slices.IndexFunc(dates, func(a at) bool { return a.ship.Date.Equal(s.Date) })
		if i < 0 {
			dates = append(dates, at{ship: s})
			i = len(dates) - 1
		}
		dates[i].features = append(dates[i].features, f)
	}
	slices.SortFunc(dates, func(a, b at) int { return a.ship.Date.Compare(b.ship.Date) })
	for _, a := range dates {
		date := a.ship.Date
		shipped := func(f string) bool { s, ok := ships[f]; return ok && !s.Date.After(date) }
		r, err := Analyze(d.With(planned, shipped))
		if err != nil {
			return t, fmt.Errorf("after %s (%s): %w", a.ship.Release, date.Format(time.DateOnly), err)
		}
		slices.Sort(a.features)
		t.Steps = append(t.Steps, Step{Date: date, Release: a.ship.Release, Features: a.features, Result: r})
	}
	return t, nil
}

// Budget caps what one feature may cost a device, in one of three units.
type Budget struct {
	Feature string
	Kind    BudgetKind
	Value   float64 // amps, a fraction of the average current, or hours of life
}

// BudgetKind is the unit of a budget.
type BudgetKind string

// The budget units.
const (
	BudgetCurrent BudgetKind = "current" // the feature's events' cost over sleeping, A
	BudgetShare   BudgetKind = "share"   // that cost as a share of the total drain
	BudgetLife    BudgetKind = "life"    // the life it costs: life without it − life, hours
)

// BudgetCheck is a budget against what its feature costs.
type BudgetCheck struct {
	Budget
	Actual float64 // in the budget's unit
	Over   bool
}

// CheckBudgets measures each budget against the device's result r (the
// device with every planned feature shipped, usually). A budgeted feature
// without events in r costs nothing.
func CheckBudgets(budgets []Budget, r Result) []BudgetCheck {
	var out []BudgetCheck
	for _, b := range budgets {
		c := BudgetCheck{Budget: b}
		i := slices.IndexFunc(r.Features, func(f FeatureCost) bool { return f.Feature == b.Feature })
		if i >= 0 {
			fc := r.Features[i]
			switch b.Kind {
			case BudgetCurrent:
				c.Actual = float64(fc.Current)
			case BudgetShare:
				total := float64(r.AverageCurrent + r.SelfDischargeCurrent)
				if total > 0 {
					c.Actual = float64(fc.Current) / total
				}
			case BudgetLife:
				c.Actual = float64(fc.LifeWithout - r.Life)
			}
		}
		c.Over = c.Actual > b.Value*(1+1e-12)
		out = append(out, c)
	}
	return out
}

// Crossing is the first release after which a device falls below its
// target, and the features that ship with it.
type Crossing struct {
	Step
	Target Hours
	// Today is true when the device is below its target before any
	// release already: the release's features are not what took it there.
	Today bool
}

// FirstBelowTarget returns the first step of the timeline whose life is
// below the device's target (ok false when none, or no target), with
// Today set when today's life is below it too.
func FirstBelowTarget(t Timeline, target Hours) (Crossing, bool) {
	if target <= 0 {
		return Crossing{}, false
	}
	for _, s := range t.Steps {
		if s.Result.Life < target {
			return Crossing{Step: s, Target: target, Today: t.Today.Life < target}, true
		}
	}
	return Crossing{}, false
}

// FeatureCostYears is the life change, in years, that one planned feature
// alone makes to the device today (negative: shorter); 0 when the device
// has no event of the feature. It is measured on the capacity life, before
// the shelf-life cap: on a cell whose shelf life caps the life with and
// without the feature, the capped change would be 0 and hide the cost.
func FeatureCostYears(d Device, planned Planned, feature string) (float64, bool, error) {
	today, with, ok, err := FeatureLives(d, planned, feature)
	if !ok || err != nil {
		return 0, ok, err
	}
	return CapacityChangeYears(today, with), true, nil
}

// CapacityChangeYears is the change in capacity life from today's result
// to one with a feature, in years (rounding noise below 1e-12 is 0).
func CapacityChangeYears(today, with Result) float64 {
	diff := with.CapacityLife.Years() - today.CapacityLife.Years()
	if math.Abs(diff) < 1e-12 {
		return 0
	}
	return diff
}

// FeatureLives analyses the device today and with the planned feature
// alone shipped; ok is false when no event of the device has the feature.
func FeatureLives(d Device, planned Planned, feature string) (today, with Result, ok bool, err error) {
	if !slices.ContainsFunc(d.Events, func(e Event) bool { return e.Feature == feature }) {
		return today, with, false, nil
	}
	none := func(string) bool { return false }
	if today, err = Analyze(d.With(planned, none)); err != nil {
		return today, with, true, err
	}
	with, err = Analyze(d.With(planned, func(f string) bool { return f == feature }))
	return today, with, true, err
}
