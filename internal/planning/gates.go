package planning

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/survey"

	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"

	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
)

// batteryPlanGates fail when a device falls below its target after a
// release of the plan, naming the release and the features that cross it.
func (p *Results) batteryPlanGates() []gate.Gate {
	var out []gate.Gate
	if p.Energy == nil || p.Plan == nil {
		return out // without a plan, the gate says so once (Gates)
	}
	for i, t := range p.Energy.Timelines {
		d := p.Energy.Today[i]
		if d.Target <= 0 {
			continue
		}
		life := t.WithPlan().Life.Years()
		g := gate.Gate{Name: "battery_life.plan." + d.ID, Unit: gate.Years, Value: &life, Threshold: ">= " + render.Number(d.Target.Years(), 2) + " years after every release", Passed: true}
		if len(t.Steps) == 0 {
			// listed, not left out: a gate whose rows vanish reads as not
			// evaluated; its life along the plan is today's
			g.Passed = t.Today.MeetsTarget(d.Target)
			g.Detail = "no release of the plan changes its energy (no planned event in " + filepath.Base(p.Fleet.File) + ")"
			if !g.Passed {
				g.Detail = "below its target today; " + g.Detail
			}
			out = append(out, g)
			continue
		}
		if c, below := energy.FirstBelowTarget(t, d.Target); below {
			y := c.Result.Life.Years()
			g.Value, g.Passed = &y, false
			g.Detail = fmt.Sprintf("%s on %s with %s takes it to %s years", c.Release, c.Date.Format(time.DateOnly), strings.Join(c.Features, ", "), render.Number(y, 2))
			if c.Today {
				// no release is to blame: the device misses its target
				// as it ships today
				today := t.Today.Life.Years()
				g.Detail = fmt.Sprintf("below its target today, before any release of the plan (%s years; %s years after %s)", render.Number(today, 2), render.Number(y, 2), c.Release)
			}
		}
		out = append(out, g)
	}
	return out
}

// budgetGates fail for each feature over its energy budget, and once
// when there is no budget to hold: a gate that holds nothing would pass in
// silence.
func (p *Results) budgetGates() []gate.Gate {
	var out []gate.Gate
	if p.Energy != nil {
		for i, t := range p.Energy.Timelines {
			for _, c := range p.Energy.Budgets[i] {
				b, _ := BudgetUnit(c.Kind, c.Value, false)
				a, _ := BudgetUnit(c.Kind, c.Actual, false)
				out = append(out, gate.Gate{Name: "battery_life.budget." + t.Device + "." + c.Feature, Text: a, Threshold: "<= " + b, Passed: !c.Over,
					Detail: "with every planned feature"})
			}
		}
	}
	if len(out) == 0 && !p.Problems.HasErrors() {
		detail := "no devices file"
		if p.Fleet != nil {
			detail = "no budgets to hold (no device in " + filepath.Base(p.Fleet.File) + " states budgets:; give a device budgets: {FEATURE: 3uA}, a share such as 2% or a life cost such as 0.5y, for the planned features the gate should hold, or drop budgets from gates.battery_life)"
		}
		out = append(out, gate.Gate{Name: "battery_life.budgets", Threshold: "every planned feature within its budget", Detail: detail})
	}
	return out
}

func uptimeThreshold(g *planfile.UptimeGates) *planfile.Threshold {
	if g == nil {
		return nil
	}
	return rateThreshold(g.Fleet)
}

// fleetThreshold is a per-model rate gate's fleet threshold (nil: none).
func fleetThreshold(g *planfile.ModelRateGates) *planfile.Threshold {
	if g == nil {
		return nil
	}
	return rateThreshold(g.Fleet)
}

func rateThreshold(t *planfile.RateThreshold) *planfile.Threshold {
	if t == nil {
		return nil
	}
	return &t.Threshold
}

// Gates evaluates the Gates iotpm.yaml configures.
func (p *Results) Gates() []gate.Gate {
	var out []gate.Gate
	g := p.Config.Gates
	for _, m := range []struct {
		name   metrics.Metric
		t      *planfile.Threshold
		models *planfile.ModelRateGates // the per-model gates, where a metric has them
	}{
		{metrics.ConnectivityUptime, uptimeThreshold(g.ConnectivityUptime), nil}, {metrics.ActivationRate, fleetThreshold(g.ActivationRate), g.ActivationRate},
		{metrics.OTASuccessRate, fleetThreshold(g.OTASuccessRate), g.OTASuccessRate}, {metrics.MonthlyActiveDevices, g.MonthlyActiveDevices, nil},
		{metrics.FirmwareOnTarget, rateThreshold(g.FirmwareOnTarget), nil},
	} {
		if m.t != nil {
			out = append(out, fleetmetrics.Gate(p.Metrics, m.name, *m.t, ""))
		}
		if m.models != nil {
			out = append(out, fleetmetrics.ModelGates(p.Metrics, m.name, m.models.Models, p.MetricsJob.Profiles())...)
		}
		if m.name == metrics.ConnectivityUptime && g.ConnectivityUptime != nil {
			if t := g.ConnectivityUptime.Always; t != nil {
				out = append(out, fleetmetrics.ModeGate(p.Metrics, "always", t.Threshold))
			}
			if t := g.ConnectivityUptime.Checkin; t != nil {
				out = append(out, fleetmetrics.ModeGate(p.Metrics, "checkin", t.Threshold))
			}
		}
	}
	if g.DataAge != nil {
		out = append(out, fleetmetrics.DataAgeGate(p.Metrics, *g.DataAge, ""))
	}
	out = append(out, fleetmetrics.OnboardingGates(p.Metrics, g.Onboarding)...)
	if g.BatteryLife.Has("targets") {
		if p.Fleet == nil {
			out = append(out, gate.Gate{Name: "battery_life", Threshold: "every device meets its target", Detail: "no devices file"})
		}
		held := 0
		for i, dev := range p.FleetDevices() {
			if dev.Target <= 0 {
				continue
			}
			held++
			life := p.Battery[i].Life.Years()
			out = append(out, gate.Gate{Name: "battery_life." + dev.ID, Unit: gate.Years, Value: &life, Threshold: ">= " + render.Number(dev.Target.Years(), 2) + " years",
				Passed: p.Battery[i].MeetsTarget(dev.Target), Detail: "limited by " + strings.ReplaceAll(p.Battery[i].LimitedBy, "_", " ")})
		}
		if p.Fleet != nil && p.Energy != nil && held == 0 {
			// a gate that holds nothing would pass in silence
			out = append(out, gate.Gate{Name: "battery_life", Threshold: "every device meets its target",
				Detail: "no battery-powered device with a target in " + filepath.Base(p.Fleet.File) + " (give target:, e.g. 5y, to the devices the gate should hold, or drop targets from gates.battery_life)"})
		}
	}
	if g.BatteryLife.Has("plan") {
		out = append(out, p.batteryPlanGates()...)
		if p.Plan == nil && p.Fleet != nil {
			// "after every release of the plan" with no plan would hold
			// nothing and pass
			out = append(out, gate.Gate{Name: "battery_life.plan", Threshold: "every device meets its target after every release", Detail: "no plan: " + featuresName(p) + " has no roadmap: calendar"})
		}
	}
	if g.BatteryLife.Has("budgets") {
		out = append(out, p.budgetGates()...)
	}
	out = append(out, p.economicsGates()...)
	out = append(out, p.rolloutGates()...)
	if g.Kano == "labels_match" {
		out = append(out, survey.Gate(p.Kano))
	}
	out = append(out, p.themeGates(g.Themes)...)
	if g.Roadmap != "" {
		out = append(out, p.roadmapGate(g.Roadmap == "no_unscheduled_basic"))
	}
	return out
}

// themeGates are gates.themes: on_time (each due theme completes by its
// date) or on_time_p80 (in 80% of the samples), and a failing gate when
// there is nothing to hold.
func (p *Results) themeGates(kind string) []gate.Gate {
	var out []gate.Gate
	if kind == "on_time_p80" && p.Plan != nil {
		sim := p.Simulation()
		if in := (roadmap.Input{Ranked: p.Ranked, Calendar: *p.Backlog.Calendar, Catalog: p.Backlog.Catalog, Themes: p.Backlog.Themes}); sim == nil && roadmap.CountRanges(in) == 0 {
			// no range: every sample is the plan, scheduled once (with
			// ranges but no due date there is no theme to gate)
			s, _ := roadmap.Simulate(in, roadmap.DefaultSamples, 1)
			sim = &s
		}
		if sim == nil {
			sim = &roadmap.Simulation{}
		}
		for _, tg := range gate.ThemesOnTime(*sim, 0.8) {
			if pos, ok := p.Backlog.ThemePositions[strings.TrimSuffix(strings.TrimPrefix(tg.Name, "themes."), ".on_time")]; ok && p.Config != nil {
				tg.File, tg.Line = p.Config.Features, pos.Line
			}
			out = append(out, tg)
		}
	}
	if kind == "on_time" && p.Plan != nil {
		for _, tg := range gate.Themes(p.Plan.Themes) {
			if pos, ok := p.Backlog.ThemePositions[strings.TrimPrefix(tg.Name, "themes.")]; ok && p.Config != nil {
				tg.File, tg.Line = p.Config.Features, pos.Line
			}
			out = append(out, tg)
		}
	}
	if kind != "" && (p.Plan == nil || !slices.ContainsFunc(p.Plan.Themes, func(t roadmap.ThemeStatus) bool { return !t.Due.IsZero() })) {
		// a gate on due dates where no theme has one (or nothing is
		// planned) would pass in silence
		threshold := "every theme completes by its due date"
		if kind == "on_time_p80" {
			threshold = "every theme on time in 80% of the samples"
		}
		tg := gate.Gate{Name: "themes", Threshold: threshold,
			Detail: "no due dates to hold (no theme in " + featuresName(p) + " has due:; give the themes the gate should hold due: 2027-12-31, or drop themes from gates)"}
		if p.Plan == nil {
			tg.Detail = "no plan: " + featuresName(p) + " has no roadmap: calendar"
		}
		if p.Config != nil {
			tg.File = p.Config.Features
		}
		out = append(out, tg)
	}
	return out
}

// roadmapGate is gates.roadmap: no unscheduled feature (basicOnly: no
// unscheduled Kano-basic one).
func (p *Results) roadmapGate(basicOnly bool) gate.Gate {
	kano := map[string]rice.Kano{}
	for _, s := range p.Ranked {
		kano[s.ID] = s.Kano
	}
	var missing []string
	if p.Plan != nil {
		for _, u := range p.Plan.Unscheduled {
			if (!basicOnly || kano[u.Feature] == rice.Basic) && !slices.Contains(missing, u.Feature) {
				missing = append(missing, u.Feature)
			}
		}
	}
	n := float64(len(missing))
	name, what := "roadmap.unscheduled", "unscheduled features"
	if basicOnly {
		name, what = "roadmap.unscheduled_basic", "unscheduled basic features"
	}
	gt := gate.Gate{Name: name, Unit: gate.Count, Value: &n, Threshold: "= 0 " + what, Passed: len(missing) == 0 && p.Plan != nil, Detail: strings.Join(missing, ", ")}
	if p.Plan == nil {
		// no plan: no count to show ("is 0, not = 0" read as a
		// contradiction), the reason instead
		gt.Value, gt.Detail = nil, "no plan: "+featuresName(p)+" has no roadmap: calendar"
	}
	return gt
}

// Outcome is a theme's measured outcome: met or not, from the data. It
// is reported, not gated: an outcome is where the roadmap heads, and
// missing it today does not fail a pull request (gates: does that).
type Outcome struct {
	Theme   string `json:"theme"`
	Outcome string `json:"outcome,omitempty"`
	Measure string `json:"measure"`
	// Value is the measured value (seconds for a duration); null with
	// Reason when the data has none.
	Value  *float64 `json:"value"`
	Text   string   `json:"value_text"`
	Met    bool     `json:"met"`
	Reason string   `json:"reason,omitempty"`
	File   string   `json:"file,omitempty"`
	Line   int      `json:"line,omitempty"`
}

// Outcomes measures each theme that has a measure:, in features.yaml's
// order.
func (p *Results) Outcomes() []Outcome {
	if p.Backlog == nil {
		return nil
	}
	var out []Outcome
	for _, th := range p.Backlog.Themes {
		m, ok := p.Backlog.Measures[th.ID]
		if !ok {
			continue
		}
		o := Outcome{Theme: th.ID, Outcome: th.Outcome, Measure: m.Text, Text: "-", File: p.Backlog.File, Line: m.Pos.Line}
		v, why := fleetmetrics.Measured(p.Metrics, m.Metric)
		if p.Metrics == nil {
			why = "no metrics inputs in iotpm.yaml"
		}
		if why != "" {
			o.Reason = why
			out = append(out, o)
			continue
		}
		o.Value, o.Met = &v, m.Holds(v)
		switch m.Kind {
		case planfile.MeasureDuration:
			o.Text = render.Seconds(v)
		case planfile.MeasureCount:
			o.Text = render.Number(v, 0)
		default:
			o.Text = render.Percent(v, 1)
		}
		out = append(out, o)
	}
	return out
}

// OutcomesTable is the measured outcomes as a table.
func OutcomesTable(outcomes []Outcome) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "THEME"}, {Header: "MEASURE"}, {Header: "VALUE", Right: true}, {Header: "STATUS"}, {Header: "OUTCOME", Hide: 1, Wrap: true}}}
	var status []string
	for _, o := range outcomes {
		st := "not met"
		switch {
		case o.Reason != "":
			st = "no value"
		case o.Met:
			st = "met"
		}
		status = append(status, st)
		t.Append(o.Theme, o.Measure, o.Text, st, o.Outcome)
	}
	t.Tone = func(r, c int) render.Tone {
		if c != 3 {
			return render.Plain
		}
		if status[r] == "met" {
			return render.Good
		}
		return render.Bad
	}
	return t
}

// featuresName is the features file's name, for messages.
func featuresName(p *Results) string {
	if p.Config == nil || p.Config.Features == "" {
		return "features.yaml"
	}
	return filepath.Base(p.Config.Features)
}
