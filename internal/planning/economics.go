package planning

import (
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/economics"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// Economics is the unit economics of the fleet's models, with the traffic
// each sends once the scheduled features ship, the plan's NRE and the
// measured rates filled in.
type Economics struct {
	File     *planfile.Economics
	Scenario economics.Scenario
	Results  []economics.Result // in File.Models' order
	// Today is each model's traffic as its devices ship today (the
	// scenario's is with the plan).
	Today []economics.Traffic
	// NRESource says where the NRE comes from: "plan" or "economics.yaml".
	NRESource string
	// MeasuredActivation are the activation rates taken from iotpm metrics,
	// one per model that asks (activation: metrics), in File.Models'
	// order; MeasuredTickets the tickets per device-month (nil when no
	// model asks).
	MeasuredActivation []MeasuredActivation
	MeasuredTickets    *float64
	// Unmeasured are the models' values iotpm metrics was asked for and
	// cannot give (a window without data, say), as errors at their
	// models; with any, nothing is evaluated (Results is nil): check's
	// economics gates fail naming them, iotpm economics stops with them.
	Unmeasured diag.List
	// FeatureCost is, per planned feature, the largest change (by absolute
	// value) it alone makes to one model's recurring cost per activated
	// device-month; features whose events send nothing are absent.
	FeatureCost map[string]float64
}

// Model finds a model's index by device id (-1: none).
func (e *Economics) Model(id string) int {
	return slices.IndexFunc(e.Results, func(r economics.Result) bool { return r.ID == id })
}

// economicsFile is the path of the repo's economics file when there is
// one to read.
func economicsFile(cfg *planfile.Config) string {
	if cfg == nil || cfg.Economics == "" {
		return ""
	}
	if _, err := os.Stat(cfg.Economics); err != nil && !cfg.EconomicsExplicit {
		return ""
	}
	return cfg.Economics
}

// CheckEconomicsGateModels reports, at its position, each model that
// gates.economics.models names and economics.yaml (file) has none of: a
// typo there is a mistake in iotpm.yaml, not a gate that fails later.
func CheckEconomicsGateModels(cfg *planfile.Config, file *planfile.Economics) diag.List {
	if cfg == nil || cfg.Gates.Economics == nil || file == nil {
		return nil
	}
	var ids []string
	for _, m := range file.Models {
		ids = append(ids, m.ID)
	}
	var problems diag.List
	for _, id := range slices.Sorted(maps.Keys(cfg.Gates.Economics.Models)) {
		if !slices.Contains(ids, id) {
			pos := cfg.Gates.Economics.Models[id].Pos
			problems.Errorf(diag.Plan, cfg.File, pos.Line, pos.Col, "gates.economics.models: %q is no model of %s%s", id, file.File, planfile.DidYouMeanText(id, ids))
		}
	}
	return problems
}

// economicsFileProblems are economics.yaml's own problems and those of
// the models gates.economics names (fleetRead: devices.yaml, when there,
// has no problems of its own, so the models' ids can be checked).
func economicsFileProblems(cfg *planfile.Config, fleet *planfile.Fleet, fleetRead bool) diag.List {
	path := economicsFile(cfg)
	if path == "" {
		return nil
	}
	if !fleetRead {
		fleet = planfile.UnreadFleet
	}
	file, diags := planfile.LoadEconomics(path, fleet)
	return append(diags, CheckEconomicsGateModels(cfg, file)...)
}

// PlanEconomics loads economics.yaml (when the repo has one) and computes
// every model along the plan. It needs the fleet (traffic), the plan (its
// NRE) and, where a model asks, the metrics.
func PlanEconomics(p *Results) (*Economics, diag.List) {
	path := economicsFile(p.Config)
	if path == "" {
		return nil, nil
	}
	file, diags := planfile.LoadEconomics(path, p.Fleet)
	diags = append(diags, CheckEconomicsGateModels(p.Config, file)...)
	if diags.HasErrors() {
		return nil, diags
	}
	e := &Economics{File: file, NRESource: "economics.yaml"}
	unmeasured := func(pos planfile.Pos, format string, args ...any) {
		e.Unmeasured.Errorf(diag.Plan, path, pos.Line, pos.Col, format, args...)
	}
	e.Scenario.NRE = file.NRE
	if file.PlanNRE {
		e.NRESource = "plan"
		if p.Plan == nil {
			diags.Errorf(diag.Plan, path, file.Pos.Line, file.Pos.Col, "nre: plan is the roadmap's tooling and certification fees, and %s has no roadmap: calendar, so there is no plan: add the calendar or write the NRE as an amount", p.Config.Features)
			return nil, diags
		}
		e.Scenario.NRE = p.Cash.Total.USD()
	}
	var report *metrics.Report
	if p.Metrics != nil {
		r := p.Metrics.Report()
		report = &r
	}
	ships := map[string]energy.Ship{}
	if p.Energy != nil {
		ships = p.Energy.Ships
	}
	shipped := func(f string) bool { _, ok := ships[f]; return ok }
	none := func(string) bool { return false }
	for _, m := range file.Models {
		d, _ := p.Fleet.Profile(m.ID) // LoadEconomics refused a model that is none
		model := m.Model
		model.Traffic = p.trafficOf(d, shipped)
		if m.ActivationFromMetrics {
			a, why := measuredActivation(report, m.ID)
			if why != "" {
				unmeasured(m.Pos, "models: %s: activation: metrics, but %s; give a share instead (activation: 80%%)", m.ID, why)
			}
			model.Activation = a.Rate
			e.MeasuredActivation = append(e.MeasuredActivation, a)
		}
		if m.TicketsFromMetrics {
			v, why := measuredTickets(report, p.Metrics)
			if why != "" {
				unmeasured(m.Pos, "models: %s: support: tickets per device-month come from the tickets export when not given, but %s; give support.tickets_per_device_month (e.g. 0.02)", m.ID, why)
			}
			model.Support.TicketsPerDeviceMonth, e.MeasuredTickets = v, &v
		}
		if msg := p.outlivedBattery(d, model); msg != "" {
			diags.Warnf(diag.Plan, path, m.Pos.Line, m.Pos.Col, "models: %s: %s", m.ID, msg)
		}
		if model.Traffic.Messages == 0 && (model.Connectivity.PerMB > 0 || model.Cloud.PerMillionMessages > 0) {
			pos := p.Fleet.Positions[m.ID]
			diags.Warnf(diag.Plan, p.Fleet.File, pos.Line, pos.Col, "device %s sends no message in its profile (no event or phase with uplink: {bytes: N}, no lora phase), so its per-MB and per-message costs in %s are 0: mark the events that send", m.ID, path)
		}
		if c := model.Connectivity; c.IncludedMB > 0 && c.PerMB == 0 && model.MB()*float64(model.LifeMonths) > c.IncludedMB {
			downloads := ""
			if model.Traffic.Downloads > 0 {
				downloads = " (" + render.Number(model.Traffic.Downloads/1e6, 3) + " of them firmware downloads)"
			}
			diags.Warnf(diag.Plan, path, m.Pos.Line, m.Pos.Col, "models: %s: uses %s MB a month%s, %s MB over its %d-month life, beyond the %s MB its connectivity plan includes: the data beyond is not priced (the flat fee is); give connectivity.per_mb, the operator's price beyond the allowance",
				m.ID, render.Number(model.MB(), 3), downloads, render.Number(model.MB()*float64(model.LifeMonths), 0), model.LifeMonths, render.Number(c.IncludedMB, 0))
		}
		if c := model.Connectivity; (c.PerMB > 0 || c.IncludedMB > 0) && !p.Fleet.NoOTA[m.ID] && model.Traffic.Downloads == 0 {
			pos := p.Fleet.Positions[m.ID]
			diags.Warnf(diag.Plan, p.Fleet.File, pos.Line, pos.Col, "device %s takes firmware updates over the air, and its megabytes a month in %s leave their downloads out: give ota: {image: …, every: …} (its update's size and how often one comes), or ota: false", m.ID, path)
		}
		e.Scenario.Models = append(e.Scenario.Models, model)
		e.Today = append(e.Today, p.trafficOf(d, none))
	}
	e.FeatureCost = featureCosts(file, p.Fleet)
	if len(e.Unmeasured) > 0 {
		return e, diags
	}
	var err error
	if e.Results, err = e.Scenario.Evaluate(); err != nil {
		diags.Errorf(diag.Plan, path, file.Pos.Line, file.Pos.Col, "%v", err)
		return nil, diags
	}
	return e, diags
}

// trafficOf is what the device sends a month with the features planned
// ships, and downloads: one update image every ota.every — the event
// ota-update carries it (and a planned variant of it, a delta update, its
// own image); a profile whose ota states no download has no such event,
// and its images are counted here.
func (p *Results) trafficOf(d energy.Device, ships energy.Planned) economics.Traffic {
	t := economics.TrafficOf(d.With(p.Fleet.Planned, ships))
	if slices.ContainsFunc(d.Events, func(e energy.Event) bool { return e.Name == planfile.UpdateEvent }) {
		return t
	}
	if image, every := p.Fleet.OTAImage[d.ID], p.Fleet.OTAEvery[d.ID]; image > 0 && every > 0 {
		t.Downloads = image * economics.SecondsPerMonth / every
	}
	return t
}

// outlivedBattery says, when a model earns and costs for longer than its
// device's battery lasts with the plan and the cell is not replaceable,
// that the months after the battery is flat count a dead device's revenue
// and costs, and what to write; "" otherwise (or without a battery life).
func (p *Results) outlivedBattery(d energy.Device, model economics.Model) string {
	if p.Energy == nil || d.Battery.Replaceable {
		return ""
	}
	i := slices.IndexFunc(p.Energy.Timelines, func(t energy.Timeline) bool { return t.Device == d.ID })
	if i < 0 {
		return ""
	}
	years := p.Energy.Timelines[i].WithPlan().Life.Years()
	months := int(math.Floor(years * 12))
	if model.LifeMonths <= months {
		return ""
	}
	return fmt.Sprintf("its life, %d months, outlasts its battery: %s y with the plan (devices.yaml %s, cell %s), and the cell is not marked replaceable, so months %d to %d count the revenue and costs of a device whose battery is flat; give the model life: %dmo, or battery: {replaceable: true} in devices.yaml if customers replace the cell",
		model.LifeMonths, render.Number(years, 2), d.ID, d.Battery.Cell, months+1, model.LifeMonths, months)
}

// MeasuredActivation is a model's activation rate as iotpm metrics
// measured it, and of which units.
type MeasuredActivation struct {
	Model string
	Rate  float64
	// Fleet: the rate is the whole fleet's, not the model's own units'
	// (the devices input names none of its units, or none in a mature
	// cohort).
	Fleet bool
	// Basis says which cohorts the rate is of.
	Basis string
}

// measuredActivation is model's measured activation rate: its own units'
// (the devices whose model value names its profile) when their mature
// cohorts hold at least MinModelUnits units, else the whole fleet's. Of
// either, the window's ship cohort when it is mature (and, for a model,
// holds MinModelUnits units), else the pooled rate of every mature
// ship-month cohort (Σ activated / Σ shipped) — an immature cohort's rate
// understates activation. Basis says which, and why the fleet's stands in
// for the model's; why, when there is none.
func measuredActivation(r *metrics.Report, model string) (a MeasuredActivation, why string) {
	a.Model = model
	switch {
	case r == nil:
		return a, "iotpm.yaml gives no metrics inputs"
	case r.Activation == nil:
		return a, "the metrics have no activation rate (it needs the devices input with ship dates, and events or activity)"
	}
	own := "the devices input names no " + model + " unit"
	for _, p := range r.Activation.ByProfile {
		if p.Profile != model {
			continue
		}
		rate, units, basis, ok := matureRate(p.Cohort, p.ByMonth, MinModelUnits)
		if ok && units >= MinModelUnits {
			a.Rate, a.Basis = rate, model+" units: "+basis
			return a, ""
		}
		if ok {
			own = fmt.Sprintf("the %s units' own rate (%s) rests on %d units, fewer than %d", model, basis, units, MinModelUnits)
			break
		}
		before := 0
		for _, c := range p.ByMonth {
			units += c.Shipped
			before += c.BeforeData
		}
		own = fmt.Sprintf("the devices input's %d %s units shipped in cohorts not mature yet", units, model)
		if units == 0 && before > 0 {
			own = fmt.Sprintf("the devices input's %d %s units shipped before the fleet's data (their activation windows end before its first row)", before, model)
		}
	}
	rate, _, basis, ok := matureRate(r.Activation.Cohort, r.Activation.ByMonth, 1)
	if !ok {
		before := 0
		for _, c := range r.Activation.ByMonth {
			if c.Mature {
				before += c.BeforeData
			}
		}
		if before > 0 {
			// mature cohorts, all of whose units the data cannot show
			return a, fmt.Sprintf("the mature ship-month cohorts' %d units all shipped more than their activation window before the fleet's first row: no row shows whether they activated", before)
		}
		return a, "no ship-month cohort is mature yet (each needs its activation window of data after it)"
	}
	a.Rate, a.Basis, a.Fleet = rate, "whole fleet: "+basis+"; "+own, true
	return a, ""
}

// MinModelUnits is how many units a model's own measured rate (its
// activation, its OTA success) must rest on to stand for the model: below
// it the fleet's stands in, and the output says why. At 30 units a rate's
// 95% interval is still about ±15 points around 50%; with fewer, one unit
// more or less moves it by several points (one unit of three: 33).
const MinModelUnits = fleetmetrics.MinUnits

// matureRate is a group's activation rate from its mature cohorts: the
// window's ship cohort when it is mature and has at least min units, else
// every mature ship-month cohort pooled, and the units it rests on; ok is
// false when none is mature.
func matureRate(window metrics.Cohort, byMonth []metrics.Cohort, min int) (rate float64, units int, basis string, ok bool) {
	if window.Mature && window.Shipped >= max(min, 1) {
		return window.Rate, window.Shipped, fmt.Sprintf("the window's ship cohort, %d of %d units", window.Activated, window.Shipped), true
	}
	var shipped, activated int
	for _, c := range byMonth {
		if c.Mature {
			shipped += c.Shipped
			activated += c.Activated
		}
	}
	if shipped == 0 {
		return 0, 0, "", false
	}
	return float64(activated) / float64(shipped), shipped, fmt.Sprintf("every mature ship-month cohort, %d of %d units", activated, shipped), true
}

// measuredTickets is tickets per device-month over the window: the tickets
// counting in it over the customers' devices (as the health score counts
// them) and the months of 30.4375 days of the window the data covers (up
// to the horizon); none when the tickets export ends before the window or
// starts after it.
func measuredTickets(r *metrics.Report, out *fleetmetrics.Outcome) (float64, string) {
	if r == nil {
		return 0, "iotpm.yaml gives no metrics inputs"
	}
	if r.Horizon == metrics.NoTime || r.Horizon < r.Window.From {
		return 0, "the metrics window has no data (the inputs end before it starts)"
	}
	// a tickets export that ends before the window cannot tell a month
	// without tickets from an export that stopped: 0 a device-month would
	// take the support cost out of LTV without a word
	earliest, latest, spans := out.Span(planfile.KindTickets)
	if spans && latest < r.Window.From {
		return 0, fmt.Sprintf("the tickets export ends %s, before the metrics window starts (%s): it cannot tell no tickets from an export that stopped",
			time.UnixMicro(latest).UTC().Format(time.DateOnly), time.UnixMicro(r.Window.From).UTC().Format(time.DateOnly))
	}
	// nor can one that starts after it ends (a month the helpdesk's
	// export does not reach back to)
	if spans && earliest >= r.Window.To {
		return 0, fmt.Sprintf("the tickets export starts %s, after the metrics window ends (%s): it cannot tell no tickets from an export that does not reach back that far",
			time.UnixMicro(earliest).UTC().Format(time.DateOnly), time.UnixMicro(r.Window.To).UTC().Format(time.DateOnly))
	}
	var tickets, devices int
	for _, c := range r.Customers {
		if c.Devices > 0 && c.TicketsPer100 == nil {
			return 0, "the metrics have no tickets input"
		}
		tickets += c.Tickets
		devices += c.Devices
	}
	// the months the data covers: the window, up to the horizon when the
	// data ends inside it (a third of a month's tickets over a whole month
	// would read a third as high)
	months := float64(min(r.Window.To, r.Horizon)-r.Window.From) / (economics.SecondsPerMonth * 1e6)
	switch {
	case r.Customers == nil:
		return 0, "the metrics have no customer health (it needs the devices input with customers, and the tickets input)"
	case devices == 0 || months <= 0:
		return 0, "no customer has devices in the metrics window"
	}
	return float64(tickets) / float64(devices) / months, ""
}

// economicsGates evaluates gates.economics for every model of
// economics.yaml: the thresholds for all, overridden per model. A gate
// without a value fails and says why (no economics.yaml, a value metrics
// could not give, a unit that never pays back).
func (p *Results) economicsGates() []gate.Gate {
	g := p.Config.Gates.Economics
	if g == nil {
		return nil
	}
	e := p.Economics
	if e == nil {
		return []gate.Gate{{Name: "economics", Threshold: "every model's economics", Detail: "no value: the planning repo has no economics.yaml"}}
	}
	// a model name that economics.yaml lacks stopped the run at its
	// position (CheckEconomicsGateModels)
	var out []gate.Gate
	for i, m := range e.File.Models {
		t := g.EconomicsThresholds
		if o, ok := g.Models[m.ID]; ok {
			t.Payback = cmpOr(o.Payback, t.Payback)
			t.LTV = cmpOr(o.LTV, t.LTV)
			t.HardwareMargin = cmpOr(o.HardwareMargin, t.HardwareMargin)
		}
		var r *economics.Result
		noValue := ""
		if len(e.Unmeasured) > 0 {
			noValue = "no value: " + e.Unmeasured[0].Message
		} else {
			r = &e.Results[i]
		}
		if t.Payback != nil {
			gt := gate.Gate{Name: "economics.payback." + m.ID, Threshold: t.Payback.Text, Detail: noValue}
			if r != nil {
				if r.Payback == economics.Never {
					gt.Detail = fmt.Sprintf("no value: never pays back within its life (%d months)", m.LifeMonths)
				} else {
					v := float64(r.Payback)
					gt.Value, gt.Passed, gt.Text, gt.Detail = &v, t.Payback.Holds(r.Payback), fmt.Sprintf("%d months", r.Payback), ""
					if r.Payback == 0 {
						gt.Detail = "the hardware margin covers NRE/unit"
					}
				}
			}
			out = append(out, gt)
		}
		if t.LTV != nil {
			gt := gate.Gate{Name: "economics.ltv." + m.ID, Threshold: t.LTV.Text, Detail: noValue}
			if r != nil {
				v := r.LTV
				gt.Value, gt.Passed, gt.Text, gt.Detail = &v, t.LTV.Holds(v), render.Money(v, e.File.Currency), "per shipped unit"
			}
			out = append(out, gt)
		}
		if t.HardwareMargin != nil {
			gt := gate.Gate{Name: "economics.hardware_margin." + m.ID, Threshold: t.HardwareMargin.Text, Detail: noValue}
			if r != nil {
				v, what, text := r.HardwareMargin, "per unit", render.Money(r.HardwareMargin, e.File.Currency)
				if t.HardwareMargin.Percent {
					net := m.Price * (1 - m.Channel)
					if net <= 0 {
						gt.Detail = "no value: the net price, price × (1 − channel), is 0"
						out = append(out, gt)
						continue
					}
					v, what, text = r.HardwareMargin/net, "of the net price "+render.Money(net, e.File.Currency), render.Percent(r.HardwareMargin/net, 1)
				}
				gt.Value, gt.Passed, gt.Text, gt.Detail = &v, t.HardwareMargin.Holds(v), text, what
			}
			out = append(out, gt)
		}
	}
	return out
}

func cmpOr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// featureCosts is, per planned feature, the largest change (by absolute
// value) it alone makes to one model's recurring cost per activated
// device-month: K of the device today with the feature shipped, less K
// today. Support does not depend on traffic, so only connectivity and
// cloud move; a feature whose events send nothing is absent.
func featureCosts(file *planfile.Economics, fleet *planfile.Fleet) map[string]float64 {
	out := map[string]float64{}
	none := func(string) bool { return false }
	for _, m := range file.Models {
		d, ok := fleet.Profile(m.ID)
		if !ok {
			continue
		}
		base := economics.Model{Connectivity: m.Connectivity, Cloud: m.Cloud, Traffic: economics.TrafficOf(d.With(fleet.Planned, none))}
		for _, ev := range d.Events {
			if !fleet.Planned(ev.Feature) {
				continue
			}
			with := base
			with.Traffic = economics.TrafficOf(d.With(fleet.Planned, func(f string) bool { return f == ev.Feature }))
			if with.Traffic.Equal(base.Traffic) {
				continue
			}
			delta := with.Monthly().Cost() - base.Monthly().Cost()
			if cur, seen := out[ev.Feature]; !seen || math.Abs(delta) > math.Abs(cur) {
				out[ev.Feature] = delta
			}
		}
	}
	return out
}

// RecurringCosts is featureCosts for a repo whose fleet is linked to its
// backlog (rice shows it as a column), with the file's currency; nil
// without economics.yaml.
func RecurringCosts(cfg *planfile.Config, fleet *planfile.Fleet) (map[string]float64, string, diag.List) {
	path := economicsFile(cfg)
	if path == "" || fleet == nil {
		return nil, "", nil
	}
	file, diags := planfile.LoadEconomics(path, fleet)
	if file == nil {
		return nil, "", diags
	}
	return featureCosts(file, fleet), file.Currency, diags
}
