package diff

import (
	"math"
	"reflect"
	"slices"

	"github.com/iotpm/iotpm/internal/cmd/planning"

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
}

func (d *Diff) compareBattery(base, head *planning.Results) {
	type dev struct {
		d    energy.Device // as declared, planned events too
		r    energy.Result // today
		plan energy.Result // with the plan
	}
	devices := func(p *planning.Results) map[string]dev {
		out := map[string]dev{}
		if p.Energy == nil {
			return out
		}
		for i, t := range p.Energy.Timelines {
			full := p.Energy.Fleet.Devices[slices.IndexFunc(p.Energy.Fleet.Devices, func(d energy.Device) bool { return d.ID == t.Device })]
			out[t.Device] = dev{full, p.Energy.Results[i], t.WithPlan()}
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
		lifeSame := inA && inB && math.Abs(a.r.Life.Years()-b.r.Life.Years()) < 1e-9 && math.Abs(a.plan.Life.Years()-b.plan.Life.Years()) < 1e-9
		if lifeSame && len(c.Events) == 0 && reflect.DeepEqual(b.d, a.d) {
			continue
		}
		d.Battery = append(d.Battery, c)
	}
}
