package cli

import (
	"math"
	"os"
	"time"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// energyPlan is the fleet along the roadmap: which events are planned,
// when their features ship, and each device's life today, after each
// release and with the whole plan.
type energyPlan struct {
	fleet     *planfile.Fleet
	ships     map[string]energy.Ship // scheduled features
	today     []energy.Device        // shipped behaviour only
	results   []energy.Result        // today's lives
	timelines []energy.Timeline
	budgets   [][]energy.BudgetCheck // with every planned feature shipped
}

// shipDates maps each scheduled feature to when its part on the device
// ships: the firmware part, else the hardware part, else the cloud part.
func shipDates(plan *roadmap.Plan) map[string]energy.Ship {
	out := map[string]energy.Ship{}
	if plan == nil {
		return out
	}
	rank := map[rice.Track]int{rice.Firmware: 0, rice.Hardware: 1, rice.Cloud: 2}
	best := map[string]int{}
	for _, it := range plan.Items {
		if r, ok := best[it.Feature]; ok && r <= rank[it.Track] {
			continue
		}
		best[it.Feature] = rank[it.Track]
		out[it.Feature] = energy.Ship{Date: it.ShipDate, Release: it.Release}
	}
	return out
}

// planEnergy links the fleet to the backlog and computes each device along
// the plan (plan may be nil: nothing is scheduled). The fleet's devices are
// checked at load, so analysis errors are reported, not hidden.
func planEnergy(fleet *planfile.Fleet, backlog *planfile.Backlog, plan *roadmap.Plan) (*energyPlan, diag.List) {
	diags := planfile.LinkPlan(fleet, backlog)
	if diags.HasErrors() {
		return nil, diags
	}
	ep := &energyPlan{fleet: fleet, ships: shipDates(plan)}
	none := func(string) bool { return false }
	all := func(string) bool { return true }
	for _, d := range fleet.Devices {
		t, err := energy.PlanTimeline(d, fleet.Planned, ep.ships)
		if err != nil {
			pos := fleet.Positions[d.ID]
			diags.Errorf(diag.Plan, fleet.File, pos.Line, pos.Col, "device %s along the plan: %v", d.ID, err)
			continue
		}
		ep.today = append(ep.today, d.With(fleet.Planned, none))
		ep.results = append(ep.results, t.Today)
		ep.timelines = append(ep.timelines, t)
		var checks []energy.BudgetCheck
		if len(d.Budgets) > 0 {
			full, err := energy.Analyze(d.With(fleet.Planned, all))
			if err != nil {
				pos := fleet.Positions[d.ID]
				diags.Errorf(diag.Plan, fleet.File, pos.Line, pos.Col, "device %s with every planned feature: %v", d.ID, err)
				continue
			}
			checks = energy.CheckBudgets(d.Budgets, full)
		}
		ep.budgets = append(ep.budgets, checks)
	}
	return ep, diags
}

// hasPlanned reports whether any device has planned energy.
func (ep *energyPlan) hasPlanned() bool {
	for _, d := range ep.fleet.Devices {
		for _, e := range d.Events {
			if ep.fleet.Planned(e.Feature) {
				return true
			}
		}
	}
	return false
}

// backlogForFleet loads and schedules the repo's features file, when it
// has one, so devices.yaml can be read along the plan.
func backlogForFleet(f *cmdutil.Factory) (*planfile.Backlog, *roadmap.Plan, []rice.Scored, diag.List) {
	cfg, diags := f.Config()
	if cfg == nil || diags.HasErrors() {
		return nil, nil, nil, diags
	}
	if _, err := os.Stat(cfg.Features); err != nil {
		return nil, nil, nil, diags
	}
	backlog, d := planfile.LoadFeatures(cfg.Features)
	diags = append(diags, d...)
	if backlog == nil {
		return nil, nil, nil, diags
	}
	if d := resolveSurveyKano(f, backlog); d.HasErrors() {
		return nil, nil, nil, append(diags, d...)
	}
	ranked, err := rice.Rank(backlog.Features, backlog.Model, backlog.Catalog)
	if err != nil {
		diags.Errorf(diag.Plan, cfg.Features, 0, 0, "%v", err)
		return backlog, nil, nil, diags
	}
	if backlog.Calendar == nil {
		return backlog, nil, ranked, diags
	}
	plan := roadmap.Schedule(roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes})
	return backlog, &plan, ranked, diags
}

// fleetIfAny loads the repo's devices file when it has one (nil when not).
func fleetIfAny(f *cmdutil.Factory) (*planfile.Fleet, diag.List) {
	cfg, diags := f.Config()
	if cfg == nil || diags.HasErrors() {
		return nil, diags
	}
	if _, err := os.Stat(cfg.Devices); err != nil && !cfg.DevicesExplicit {
		return nil, diags
	}
	fleet, d := planfile.LoadDevices(cfg.Devices)
	return fleet, append(diags, d...)
}

// batteryCosts is, per planned feature, its battery cost: the largest life
// change it alone makes to a device today, in years (negative: shorter).
func batteryCosts(fleet *planfile.Fleet) map[string]float64 {
	out := map[string]float64{}
	if fleet == nil {
		return out
	}
	for _, d := range fleet.Devices {
		for _, e := range d.Events {
			if !fleet.Planned(e.Feature) {
				continue
			}
			cost, ok, err := energy.FeatureCostYears(d, fleet.Planned, e.Feature)
			if err != nil || !ok {
				continue
			}
			if cur, seen := out[e.Feature]; !seen || math.Abs(cost) > math.Abs(cur) {
				out[e.Feature] = cost
			}
		}
	}
	return out
}

// releaseBattery is the worst device life after each release that changes
// a device's energy, by "date release".
type releaseLife struct {
	Device string
	Years  float64
}

func (ep *energyPlan) worstAfterRelease() map[string]releaseLife {
	out := map[string]releaseLife{}
	if ep == nil {
		return out
	}
	for _, t := range ep.timelines {
		for _, s := range t.Steps {
			key := s.Date.Format(time.DateOnly) + " " + s.Release
			y := s.Result.Life.Years()
			if cur, ok := out[key]; !ok || y < cur.Years {
				out[key] = releaseLife{Device: t.Device, Years: y}
			}
		}
	}
	return out
}

func batteryCostsOf(ep *energyPlan) map[string]float64 {
	if ep == nil {
		return nil
	}
	return batteryCosts(ep.fleet)
}
