package diff

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/pkg/energy"
)

// BatteryChange is a device whose life or events the change alters.
type BatteryChange struct {
	Device      string   `json:"device"`
	YearsBefore *float64 `json:"life_years_before"`
	YearsAfter  *float64 `json:"life_years_after"`
	// WithPlan: life once every scheduled feature has shipped, before →
	// after: a change of dates or of planned energy shows here.
	WithPlanBefore *float64 `json:"life_with_plan_years_before"`
	WithPlanAfter  *float64 `json:"life_with_plan_years_after"`
	Events         []string `json:"events_changed"`
	// TargetYears is the device's target after the change; BelowBefore and
	// BelowAfter say whether a release of the plan takes it below; Crossing
	// is the first such release after the change.
	TargetYears *float64  `json:"target_years,omitempty"`
	BelowBefore bool      `json:"plan_below_target_before"`
	BelowAfter  bool      `json:"plan_below_target_after"`
	Crossing    *Crossing `json:"crossing,omitempty"`
	// OverBudget lists the budgets the change takes over ("feature: costs
	// X, budget Y").
	OverBudget []string `json:"over_budget,omitempty"`
}

// Crossing is the release after which a device's life falls below its
// target, and what ships with it.
type Crossing struct {
	Release   string   `json:"release"`
	Date      string   `json:"date"`
	Features  []string `json:"features"`
	LifeYears float64  `json:"life_years"`
	// Today: the device is below its target before any release already,
	// so the release's features are not what took it there.
	Today bool `json:"below_today,omitempty"`
}

func (d *Diff) compareBattery(base, head *planning.Results) {
	type dev struct {
		d        energy.Device // as declared, planned events too
		r        energy.Result // today
		plan     energy.Result // with the plan
		crossing *energy.Crossing
		over     map[string]string // feature → "costs X, budget Y" for budgets over
	}
	devices := func(p *planning.Results) map[string]dev {
		out := map[string]dev{}
		if p.Energy == nil {
			return out
		}
		for i, t := range p.Energy.Timelines {
			full := p.Energy.Fleet.Devices[slices.IndexFunc(p.Energy.Fleet.Devices, func(d energy.Device) bool { return d.ID == t.Device })]
			v := dev{d: full, r: p.Energy.Results[i], plan: t.WithPlan(), over: map[string]string{}}
			if c, below := energy.FirstBelowTarget(t, p.Energy.Today[i].Target); below {
				v.crossing = &c
			}
			for _, c := range p.Energy.Budgets[i] {
				if c.Over {
					b, _ := planning.BudgetUnit(c.Kind, c.Value, false)
					a, _ := planning.BudgetUnit(c.Kind, c.Actual, false)
					v.over[c.Feature] = fmt.Sprintf("%s costs %s, over its budget of %s", c.Feature, a, b)
				}
			}
			out[t.Device] = v
		}
		return out
	}
	db, da := devices(base), devices(head)
	ids := map[string]bool{}
	for k := range db {
		ids[k] = true
	}
	for k := range da {
		ids[k] = true
	}
	for _, id := range sortedKeys(ids) {
		b, inB := db[id]
		a, inA := da[id]
		c := BatteryChange{Device: id, Events: []string{}}
		if inB {
			y := b.r.Life.Years()
			c.YearsBefore = &y
		}
		if inA {
			y := a.r.Life.Years()
			c.YearsAfter = &y
		}
		if inB {
			y := b.plan.Life.Years()
			c.WithPlanBefore = &y
		}
		if inA {
			y := a.plan.Life.Years()
			c.WithPlanAfter = &y
		}
		evB, evA := map[string]*energy.Event{}, map[string]*energy.Event{}
		for i := range b.d.Events {
			evB[b.d.Events[i].Name] = &b.d.Events[i]
		}
		for i := range a.d.Events {
			evA[a.d.Events[i].Name] = &a.d.Events[i]
		}
		names := map[string]bool{}
		for k := range evB {
			names[k] = true
		}
		for k := range evA {
			names[k] = true
		}
		for _, n := range sortedKeys(names) {
			switch {
			case evB[n] == nil:
				c.Events = append(c.Events, n+" (added)")
			case evA[n] == nil:
				c.Events = append(c.Events, n+" (removed)")
			case !reflect.DeepEqual(*evB[n], *evA[n]):
				c.Events = append(c.Events, n)
			}
		}
		c.BelowBefore, c.BelowAfter = inB && b.crossing != nil, inA && a.crossing != nil
		if inA && a.d.Target > 0 {
			y := a.d.Target.Years()
			c.TargetYears = &y
		}
		if inA && a.crossing != nil {
			c.Crossing = &Crossing{Release: a.crossing.Release, Date: a.crossing.Date.Format(time.DateOnly), Features: a.crossing.Features, LifeYears: a.crossing.Result.Life.Years(), Today: a.crossing.Today}
		}
		for _, f := range sortedKeys(boolKeys(a.over)) {
			if _, was := b.over[f]; !was {
				c.OverBudget = append(c.OverBudget, a.over[f])
			}
		}
		lifeSame := inA && inB && math.Abs(a.r.Life.Years()-b.r.Life.Years()) < 1e-9 && math.Abs(a.plan.Life.Years()-b.plan.Life.Years()) < 1e-9
		if lifeSame && len(c.Events) == 0 && reflect.DeepEqual(b.d, a.d) && c.BelowBefore == c.BelowAfter && len(c.OverBudget) == 0 {
			continue
		}
		d.Battery = append(d.Battery, c)
	}
}

func boolKeys(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
