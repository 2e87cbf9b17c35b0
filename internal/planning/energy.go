package planning

import (
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/survey"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Energy is the fleet along the roadmap: which events are planned,
// when their features ship, and each device's life today, after each
// release and with the whole plan.
type Energy struct {
	Fleet     *planfile.Fleet
	Ships     map[string]energy.Ship // scheduled features
	Today     []energy.Device        // shipped behaviour only
	Results   []energy.Result        // today's lives
	Timelines []energy.Timeline
	Budgets   [][]energy.BudgetCheck // with every planned feature shipped
}

// ShipDates maps each scheduled feature to when its part on the device
// ships: the firmware part, else the hardware part, else the cloud part.
func ShipDates(plan *roadmap.Plan) map[string]energy.Ship {
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

// PlanEnergy links the fleet to the backlog and computes each device along
// the plan (plan may be nil: nothing is scheduled). The fleet's devices are
// checked at load, so analysis errors are reported, not hidden.
func PlanEnergy(fleet *planfile.Fleet, backlog *planfile.Backlog, plan *roadmap.Plan) (*Energy, diag.List) {
	diags := planfile.LinkPlan(fleet, backlog)
	if diags.HasErrors() {
		return nil, diags
	}
	ep := &Energy{Fleet: fleet, Ships: ShipDates(plan)}
	if plan != nil && backlog != nil && backlog.Calendar != nil {
		diags = append(diags, OTACadence(fleet, *backlog.Calendar, backlog.File)...)
	}
	none := func(string) bool { return false }
	all := func(string) bool { return true }
	for _, d := range fleet.Devices {
		t, err := energy.PlanTimeline(d, fleet.Planned, ep.Ships)
		if err != nil {
			pos := fleet.Positions[d.ID]
			diags.Errorf(diag.Plan, fleet.File, pos.Line, pos.Col, "device %s along the plan: %v", d.ID, err)
			continue
		}
		ep.Today = append(ep.Today, d.With(fleet.Planned, none))
		ep.Results = append(ep.Results, t.Today)
		ep.Timelines = append(ep.Timelines, t)
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
		ep.Budgets = append(ep.Budgets, checks)
	}
	return ep, diags
}

// HasPlanned reports whether any device has planned energy.
func (ep *Energy) HasPlanned() bool {
	for _, d := range ep.Fleet.Devices {
		for _, e := range d.Events {
			if ep.Fleet.Planned(e.Feature) {
				return true
			}
		}
	}
	return false
}

// BacklogForFleet loads and schedules the repo's features file, when it
// has one, so devices.yaml can be read along the plan.
func BacklogForFleet(cfg *planfile.Config, diags diag.List) (*planfile.Backlog, *roadmap.Plan, []rice.Scored, diag.List) {
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
	if d := survey.ResolveLabels(cfg, backlog); d.HasErrors() {
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

// FleetIfAny loads the repo's devices file when it has one (nil when not).
func FleetIfAny(cfg *planfile.Config, diags diag.List) (*planfile.Fleet, diag.List) {
	if cfg == nil || diags.HasErrors() {
		return nil, diags
	}
	if _, err := os.Stat(cfg.Devices); err != nil && !cfg.DevicesExplicit {
		return nil, diags
	}
	fleet, d := planfile.LoadDevices(cfg.Devices)
	return fleet, append(diags, d...)
}

// BatteryCosts is, per planned feature, its battery cost: the largest life
// change it alone makes to a device today, in years of capacity life
// (negative: shorter); and, where the shelf-life cap makes the device's
// actual life change differ from that, the device's lives (a heartbeat
// backed off from 15 min to 2 h is +20 y of capacity and 18.2 → 20 y of
// life on a cell whose shelf life is 20 y).
func BatteryCosts(fleet *planfile.Fleet) (map[string]float64, map[string]CappedLife) {
	out, capped := map[string]float64{}, map[string]CappedLife{}
	if fleet == nil {
		return out, capped
	}
	for _, d := range fleet.Devices {
		for _, e := range d.Events {
			if !fleet.Planned(e.Feature) {
				continue
			}
			today, with, ok, err := energy.FeatureLives(d, fleet.Planned, e.Feature)
			if err != nil || !ok {
				continue
			}
			cost := energy.CapacityChangeYears(today, with)
			if cur, seen := out[e.Feature]; !seen || math.Abs(cost) > math.Abs(cur) {
				out[e.Feature] = cost
				delete(capped, e.Feature)
				if life := with.Life.Years() - today.Life.Years(); math.Abs(life-cost) > 0.005 {
					capped[e.Feature] = CappedLife{Device: d.ID, Today: today.Life.Years(), With: with.Life.Years()}
				}
			}
		}
	}
	return out, capped
}

// CappedLife is a device's life today and with a feature, where the
// shelf-life cap makes it change otherwise than its capacity life.
type CappedLife struct {
	Device      string
	Today, With float64 // years
}

// ReleaseLife is, of the devices whose energy a release changes, the one
// with the shortest battery life after it: that life and its life before
// the release. It is not the fleet's shortest life (a device the release
// leaves alone may last less), which the battery command shows.
type ReleaseLife struct {
	Device        string
	Years, Before float64
	// LimitedBy is what limits the life after the release: "capacity", or
	// "shelf_life" when the cell's shelf life caps it (its energy cost
	// then does not show in the years).
	LimitedBy string
	// CapacityYears and CapacityBefore are the lives before the shelf-life
	// cap, after and before the release: where the cap holds both lives
	// at the shelf life, they are what shows the release's energy cost.
	CapacityYears, CapacityBefore float64
}

// WorstAfterRelease is, by "date release", the ReleaseLife of each
// release that changes a device's energy. Of devices with the same life
// (each held at its cell's shelf life), the one with the shorter life by
// capacity is the worst: it has the least margin left.
func (ep *Energy) WorstAfterRelease() map[string]ReleaseLife {
	out := map[string]ReleaseLife{}
	if ep == nil {
		return out
	}
	for _, t := range ep.Timelines {
		before, capBefore := t.Today.Life.Years(), t.Today.CapacityLife.Years()
		for _, s := range t.Steps {
			key := s.Date.Format(time.DateOnly) + " " + s.Release
			y, c := s.Result.Life.Years(), s.Result.CapacityLife.Years()
			if cur, ok := out[key]; !ok || y < cur.Years || y == cur.Years && c < cur.CapacityYears {
				out[key] = ReleaseLife{Device: t.Device, Years: y, Before: before, LimitedBy: s.Result.LimitedBy, CapacityYears: c, CapacityBefore: capBefore}
			}
			before, capBefore = y, c
		}
	}
	return out
}

// Costs are what a feature costs besides its effort, per feature id: in
// battery life and in recurring cost, shown as rice columns when given.
type Costs struct {
	BatteryYears map[string]float64
	// BatteryCapped: where a battery cost is not the device's life change
	// (the shelf-life cap), the lives it changes between.
	BatteryCapped map[string]CappedLife
	Recurring     map[string]float64
	Currency      string // of Recurring
}

// Costs are the battery and recurring costs of every planned feature.
func (p *Results) Costs() Costs {
	var c Costs
	if p.Energy != nil {
		c.BatteryYears, c.BatteryCapped = BatteryCosts(p.Energy.Fleet)
	}
	if p.Economics != nil {
		c.Recurring, c.Currency = p.Economics.FeatureCost, p.Economics.File.Currency
	}
	return c
}

// BudgetUnit writes a budget value in its unit.
func BudgetUnit(kind energy.BudgetKind, v float64, exact bool) (string, float64) {
	switch kind {
	case energy.BudgetCurrent:
		if exact {
			return render.Exact(v * 1e6), v * 1e6
		}
		return render.Current(v), v * 1e6
	case energy.BudgetShare:
		if exact {
			return render.Exact(v), v
		}
		return render.Percent(v, 1), v
	}
	y := v / energy.YearHours
	if exact {
		return render.Exact(y), y
	}
	return render.Number(y, 2) + " y", y
}

// Timeline returns a device's timeline, if it has planned energy.
func (ep *Energy) Timeline(id string) (energy.Timeline, energy.Device, []energy.BudgetCheck, bool) {
	if ep == nil {
		return energy.Timeline{}, energy.Device{}, nil, false
	}
	for i, t := range ep.Timelines {
		if t.Device == id {
			return t, ep.Today[i], ep.Budgets[i], true
		}
	}
	return energy.Timeline{}, energy.Device{}, nil, false
}

// DevicePlanned reports whether a device has an event a planned feature
// ships.
func (ep *Energy) DevicePlanned(id string) bool {
	if ep == nil {
		return false
	}
	i := slices.IndexFunc(ep.Fleet.Devices, func(d energy.Device) bool { return d.ID == id })
	return i >= 0 && slices.ContainsFunc(ep.Fleet.Devices[i].Events, func(e energy.Event) bool { return ep.Fleet.Planned(e.Feature) })
}

// OTACadence warns of a device whose updates (devices.yaml ota: {every})
// do not come as often as the roadmap's firmware track ships: the two are
// written in two files, so a pull request that makes releases monthly
// leaves the battery life and the megabytes counting quarterly updates,
// and its diff shows no battery change. Less often than the releases
// (the device may take only some of them), or more often than any
// release or hotfix window (updates the plan does not ship), each with a
// twentieth of slack. A track of listed releases compares with their
// average spacing (less often) and their closest two (more often).
func OTACadence(fleet *planfile.Fleet, cal roadmap.Calendar, features string) diag.List {
	var diags diag.List
	fw, ok := cal.Tracks[rice.Firmware]
	if !ok {
		return nil
	}
	release, shortest, windows, write, ok := firmwareSpacing(fw)
	if !ok {
		return nil
	}
	if fw.Hotfix != nil && periodSeconds(fw.Hotfix.Every) < shortest*0.95 {
		// (windows no more often than the releases fall on them, and the
		// release serves)
		shortest = periodSeconds(fw.Hotfix.Every)
		windows += ", hotfix windows every " + fw.Hotfix.Every.String()
	}
	for _, d := range fleet.Devices {
		every, ok := fleet.OTAEvery[d.ID]
		if !ok || every <= 0 {
			continue
		}
		pos := fleet.EventPositions[d.ID+"/"+planfile.UpdateEvent]
		switch {
		case every > release*1.05:
			diags.Warnf(diag.Plan, fleet.File, pos.Line, pos.Col,
				"device %s takes an update every %s (ota: every), and %s's firmware track %s: its battery life and megabytes count one update for every %s releases. If each release goes to the device, write ota: {…, every: %s}; if it takes only some, this is right",
				d.ID, quantity.FormatDuration(every), features, windows, render.Number(every/release, 1), write)
		case every < shortest*0.95:
			diags.Warnf(diag.Plan, fleet.File, pos.Line, pos.Col,
				"device %s takes an update every %s (ota: every), more often than %s's firmware track ships (%s): its battery life and megabytes count updates the plan does not make; write ota: {…, every: %s}, or the hotfix windows' period if every hotfix reaches the device",
				d.ID, quantity.FormatDuration(every), features, windows, write)
		}
	}
	return diags
}

// firmwareSpacing is how often the firmware track ships, in seconds: its
// cadence; or, for listed releases (two or more), their average spacing
// and the closest two's. windows words it, write is the ota: every to
// suggest; ok is false with nothing to compare.
func firmwareSpacing(fw roadmap.TrackCalendar) (release, shortest float64, windows, write string, ok bool) {
	if fw.Cadence != nil {
		release = periodSeconds(fw.Cadence.Every)
		return release, release, "releases every " + fw.Cadence.Every.String(), fw.Cadence.Every.String(), true
	}
	var dates []time.Time
	for _, r := range fw.Releases {
		if !r.Hotfix {
			dates = append(dates, r.Date)
		}
	}
	if len(dates) < 2 {
		return 0, 0, "", "", false
	}
	slices.SortFunc(dates, time.Time.Compare)
	release = dates[len(dates)-1].Sub(dates[0]).Seconds() / float64(len(dates)-1)
	shortest = release
	for k := 1; k < len(dates); k++ {
		shortest = min(shortest, dates[k].Sub(dates[k-1]).Seconds())
	}
	if shortest <= 0 {
		return 0, 0, "", "", false
	}
	write = quantity.FormatDuration(max(1, math.Round(release/86400)) * 86400)
	windows = fmt.Sprintf("lists %d releases from %s to %s, one every %s on average", len(dates), dates[0].Format(time.DateOnly), dates[len(dates)-1].Format(time.DateOnly), write)
	return release, shortest, windows, write, true
}

// periodSeconds is a calendar period's length in seconds, with the
// months devices.yaml's durations have (a twelfth of 365.25 days).
func periodSeconds(p roadmap.Period) float64 {
	return float64(p.Months)*quantity.YearHours*3600/12 + float64(p.Days)*86400
}
