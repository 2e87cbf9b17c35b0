package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/iotpm/iotpm/pkg/rice"

	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
)

// metricGate evaluates one threshold on a metric of the report: its value
// and, when it has none, why, worded against the rows that were read.
func metricGate(out *metricsOutcome, m metrics.Metric, t planfile.Threshold, flag string) gate.Gate {
	var r metrics.Report
	var stats []*export.Stats
	if out != nil {
		r, stats = out.report, out.stats
	}
	v, why := r.Value(m)
	if why != metrics.HasValue {
		return gate.Metric(string(m), nil, noValueText(m, why, stats), t, flag)
	}
	g := gate.Metric(string(m), &v, "", t, flag)
	if m == metrics.ActivationRate && !r.Activation.Mature {
		g.Detail = "immature cohort"
	}
	return g
}

// noValueText words why a metric has no value; for no data in the window
// it names the latest row its inputs had, so a stale export shows.
func noValueText(m metrics.Metric, why metrics.NoValue, stats []*export.Stats) string {
	switch why {
	case metrics.NotGiven:
		return "its inputs were not given"
	case metrics.NoneShipped:
		return "no device shipped in window"
	case metrics.NoneFinished:
		return "no succeeded or failed executions in window"
	}
	for _, k := range m.Inputs() {
		for _, st := range stats {
			if st.Kind == k && st.Latest != metrics.NoTime {
				return fmt.Sprintf("no data in window: latest %s row %s", k, isoMicro(st.Latest))
			}
		}
	}
	return "no data in window: the inputs have no rows"
}

// dataAgeGate fails when the data's horizon is older than the limit at
// the window's end (or now, when that is earlier).
func dataAgeGate(out *metricsOutcome, t planfile.AgeThreshold, flag string) gate.Gate {
	if out == nil || out.ageDays == nil {
		return gate.DataAge(nil, "", t, flag)
	}
	return gate.DataAge(out.ageDays, isoMicro(out.report.Horizon), t, flag)
}

// batteryPlanGates fail when a device falls below its target after a
// release of the plan, naming the release and the features that cross it.
func (p *planResults) batteryPlanGates() []gate.Gate {
	var out []gate.Gate
	if p.energy == nil {
		return out
	}
	for i, t := range p.energy.timelines {
		d := p.energy.today[i]
		if d.Target <= 0 || len(t.Steps) == 0 {
			continue
		}
		life := t.WithPlan().Life.Years()
		g := gate.Gate{Name: "battery_life.plan." + d.ID, Value: &life, Threshold: ">= " + render.Number(d.Target.Years(), 2) + " years after every release", Passed: true}
		if c, below := energy.FirstBelowTarget(t, d.Target); below {
			y := c.Result.Life.Years()
			g.Value, g.Passed = &y, false
			g.Detail = fmt.Sprintf("%s on %s with %s takes it to %s years", c.Release, c.Date.Format(time.DateOnly), strings.Join(c.Features, ", "), render.Number(y, 2))
		}
		out = append(out, g)
	}
	return out
}

// budgetGates fail for each feature over its energy budget.
func (p *planResults) budgetGates() []gate.Gate {
	var out []gate.Gate
	if p.energy == nil {
		return out
	}
	for i, t := range p.energy.timelines {
		for _, c := range p.energy.budgets[i] {
			b, _ := budgetUnit(c.Kind, c.Value, false)
			a, _ := budgetUnit(c.Kind, c.Actual, false)
			out = append(out, gate.Gate{Name: "battery_life.budget." + t.Device + "." + c.Feature, Text: a, Threshold: "<= " + b, Passed: !c.Over,
				Detail: "with every planned feature"})
		}
	}
	return out
}

// kanoGate fails when a feature's kano: label disagrees with the survey's
// significant category.
func kanoGate(a *kanoAnalysis) gate.Gate {
	g := gate.Gate{Name: "kano.labels_match", Threshold: "= 0 labels the survey disagrees with"}
	if a == nil {
		g.Detail = "no survey: add kano: {survey: FILE} to iotpm.yaml"
		return g
	}
	n := float64(len(a.Disagree))
	g.Value, g.Passed = &n, n == 0
	var names []string
	for _, m := range a.Disagree {
		names = append(names, fmt.Sprintf("%s: %s, survey %s", m.Feature, m.Label, m.Says))
	}
	g.Detail = strings.Join(names, "; ")
	return g
}

func rateThreshold(t *planfile.RateThreshold) *planfile.Threshold {
	if t == nil {
		return nil
	}
	return &t.Threshold
}

// gates evaluates the gates iotpm.yaml configures.
func (p *planResults) gates() []gate.Gate {
	var out []gate.Gate
	g := p.cfg.Gates
	for _, m := range []struct {
		name metrics.Metric
		t    *planfile.Threshold
	}{
		{metrics.ConnectivityUptime, rateThreshold(g.ConnectivityUptime)}, {metrics.ActivationRate, rateThreshold(g.ActivationRate)},
		{metrics.OTASuccessRate, rateThreshold(g.OTASuccessRate)}, {metrics.MonthlyActiveDevices, g.MonthlyActiveDevices},
	} {
		if m.t != nil {
			out = append(out, metricGate(p.metrics, m.name, *m.t, ""))
		}
	}
	if g.DataAge != nil {
		out = append(out, dataAgeGate(p.metrics, *g.DataAge, ""))
	}
	if g.BatteryLife.Has("targets") {
		if p.fleet == nil {
			out = append(out, gate.Gate{Name: "battery_life", Threshold: "every device meets its target", Detail: "no devices file"})
		}
		for i, dev := range p.fleetDevices() {
			if dev.Target <= 0 {
				continue
			}
			life := p.battery[i].Life.Years()
			out = append(out, gate.Gate{Name: "battery_life." + dev.ID, Value: &life, Threshold: ">= " + render.Number(dev.Target.Years(), 2) + " years",
				Passed: p.battery[i].MeetsTarget(dev.Target), Detail: "limited by " + strings.ReplaceAll(p.battery[i].LimitedBy, "_", " ")})
		}
	}
	if g.BatteryLife.Has("plan") {
		out = append(out, p.batteryPlanGates()...)
	}
	if g.BatteryLife.Has("budgets") {
		out = append(out, p.budgetGates()...)
	}
	if g.Kano == "labels_match" {
		out = append(out, kanoGate(p.kano))
	}
	if g.Themes == "on_time" && p.plan != nil {
		out = append(out, gate.Themes(p.plan.Themes)...)
	}
	if g.Roadmap != "" {
		basicOnly := g.Roadmap == "no_unscheduled_basic"
		kano := map[string]rice.Kano{}
		for _, s := range p.ranked {
			kano[s.ID] = s.Kano
		}
		var missing []string
		if p.plan != nil {
			for _, u := range p.plan.Unscheduled {
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
		gt := gate.Gate{Name: name, Value: &n, Threshold: "= 0 " + what, Passed: len(missing) == 0 && p.plan != nil, Detail: strings.Join(missing, ", ")}
		if p.plan == nil {
			gt.Detail = "features.yaml has no roadmap: calendar"
		}
		out = append(out, gt)
	}
	return out
}
