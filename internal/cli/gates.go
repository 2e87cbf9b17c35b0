package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
)

// gate is one CI threshold and its outcome.
type gate struct {
	Name      string   `json:"name"`
	Value     *float64 `json:"value"`
	Threshold string   `json:"threshold"`
	// Text is the measured value when it is not a number (a date).
	Text   string `json:"value_text,omitempty"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
	Flag   string `json:"-"`
}

// themeGates is the themes: on_time gate: one per theme with a due date,
// failing when it completes after it or cannot complete.
func themeGates(themes []roadmap.ThemeStatus) []gate {
	var out []gate
	for _, t := range themes {
		if t.Due.IsZero() {
			continue
		}
		g := gate{Name: "themes." + t.ID, Threshold: "completes by " + t.Due.Format(time.DateOnly), Passed: !t.Late, Text: "unscheduled"}
		if !t.Complete.IsZero() {
			g.Text = t.Complete.Format(time.DateOnly)
		}
		if t.AtRisk {
			g.Detail = "at risk: a part of its features is unscheduled"
		}
		out = append(out, g)
	}
	return out
}

// metricGate evaluates one threshold on a metric of the report.
func metricGate(doc metricsJSON, name string, t planfile.Threshold, flag string) gate {
	var v *float64
	reason := "its inputs were not given"
	switch name {
	case "connectivity_uptime":
		if u := doc.Uptime; u != nil {
			v, reason = u.Value, u.Reason
		}
	case "activation_rate":
		if a := doc.Activation; a != nil {
			v, reason = a.Value, a.Reason
		}
	case "ota_success_rate":
		if o := doc.OTA; o != nil {
			v, reason = o.Value, o.Reason
		}
	case "monthly_active_devices":
		if m := doc.MAD; m != nil {
			reason = m.Reason
			if m.Value != nil {
				x := float64(*m.Value)
				v = &x
			}
		}
	}
	g := gate{Name: name, Value: v, Threshold: t.Text, Flag: flag, Passed: v != nil && t.Holds(*v)}
	if name == "activation_rate" && doc.Activation != nil && !doc.Activation.Mature {
		g.Detail = "immature cohort"
	}
	if v == nil {
		g.Detail = "no value: " + reason
	}
	return g
}

// dataAgeGate fails when the data's horizon is older than the limit at
// the window's end (or now, when that is earlier).
func dataAgeGate(doc metricsJSON, t planfile.AgeThreshold, flag string) gate {
	g := gate{Name: "data_age", Threshold: t.Text, Flag: flag}
	if doc.DataAgeDays == nil {
		g.Detail = "no value: no rows in the inputs"
		return g
	}
	age := *doc.DataAgeDays
	g.Value = &age
	g.Passed = t.Holds(age * 86400)
	g.Detail = "horizon " + *doc.Horizon
	return g
}

// gateFailure says why a gate failed, naming it.
func gateFailure(g gate) string {
	name := strings.ReplaceAll(g.Name, "_", " ")
	msg := fmt.Sprintf("%s has %s, so it is not %s", name, g.Detail, g.Threshold)
	if g.Text != "" {
		verb := "is"
		if strings.HasPrefix(g.Name, "themes.") {
			verb = "completes"
		}
		msg = fmt.Sprintf("%s %s %s, not %s", name, verb, g.Text, g.Threshold)
	}
	if g.Value != nil {
		msg = fmt.Sprintf("%s is %s, not %s", name, gateValueText(g), g.Threshold)
		if g.Detail != "" && strings.HasPrefix(g.Name, "battery_life.plan.") {
			msg += ": " + g.Detail
		}
	}
	if g.Flag != "" {
		msg += " (" + g.Flag + ")"
	}
	return msg
}

func metricValueText(metric string, v float64) string {
	switch metric {
	case "monthly_active_devices":
		return render.Number(v, 0)
	case "data_age":
		return render.Number(v, 1) + " days"
	}
	return render.Percent(v, 2)
}

// batteryPlanGates fail when a device falls below its target after a
// release of the plan, naming the release and the features that cross it.
func (p *planResults) batteryPlanGates() []gate {
	var out []gate
	if p.energy == nil {
		return out
	}
	for i, t := range p.energy.timelines {
		d := p.energy.today[i]
		if d.Target <= 0 || len(t.Steps) == 0 {
			continue
		}
		life := t.WithPlan().Life.Years()
		g := gate{Name: "battery_life.plan." + d.ID, Value: &life, Threshold: ">= " + render.Number(d.Target.Years(), 2) + " years after every release", Passed: true}
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
func (p *planResults) budgetGates() []gate {
	var out []gate
	if p.energy == nil {
		return out
	}
	for i, t := range p.energy.timelines {
		for _, c := range p.energy.budgets[i] {
			b, _ := budgetUnit(c.Kind, c.Value, false)
			a, _ := budgetUnit(c.Kind, c.Actual, false)
			out = append(out, gate{Name: "battery_life.budget." + t.Device + "." + c.Feature, Text: a, Threshold: "<= " + b, Passed: !c.Over,
				Detail: "with every planned feature"})
		}
	}
	return out
}

// kanoGate fails when a feature's kano: label disagrees with the survey's
// significant category.
func kanoGate(a *kanoAnalysis) gate {
	g := gate{Name: "kano.labels_match", Threshold: "= 0 labels the survey disagrees with"}
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
func (p *planResults) gates() []gate {
	var out []gate
	g := p.cfg.Gates
	for _, m := range []struct {
		name string
		t    *planfile.Threshold
	}{
		{"connectivity_uptime", rateThreshold(g.ConnectivityUptime)}, {"activation_rate", rateThreshold(g.ActivationRate)},
		{"ota_success_rate", rateThreshold(g.OTASuccessRate)}, {"monthly_active_devices", g.MonthlyActiveDevices},
	} {
		if m.t == nil {
			continue
		}
		var doc metricsJSON
		if p.metrics != nil {
			doc = p.metrics.doc
		}
		out = append(out, metricGate(doc, m.name, *m.t, ""))
	}
	if g.DataAge != nil {
		var doc metricsJSON
		if p.metrics != nil {
			doc = p.metrics.doc
		}
		out = append(out, dataAgeGate(doc, *g.DataAge, ""))
	}
	if g.BatteryLife.Has("targets") {
		if p.fleet == nil {
			out = append(out, gate{Name: "battery_life", Threshold: "every device meets its target", Detail: "no devices file"})
		}
		for i, dev := range p.fleetDevices() {
			if dev.Target <= 0 {
				continue
			}
			life := p.battery[i].Life.Years()
			out = append(out, gate{Name: "battery_life." + dev.ID, Value: &life, Threshold: ">= " + render.Number(dev.Target.Years(), 2) + " years",
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
		out = append(out, themeGates(p.plan.Themes)...)
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
		gt := gate{Name: name, Value: &n, Threshold: "= 0 " + what, Passed: len(missing) == 0 && p.plan != nil, Detail: strings.Join(missing, ", ")}
		if p.plan == nil {
			gt.Detail = "features.yaml has no roadmap: calendar"
		}
		out = append(out, gt)
	}
	return out
}
