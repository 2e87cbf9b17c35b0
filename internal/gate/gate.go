// Package gate is the one model of a CI gate: a name, a threshold, the
// measured value (or no value, with the reason), pass or fail. Every
// command that gates — metrics, battery, roadmap, check, report, diff —
// builds its gates here and renders them from here: the table, the failure
// message, the verdict line; annotations, JUnit and the step summary use
// the same messages.
package gate

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Gate is one CI threshold and its outcome.
type Gate struct {
	Name      string   `json:"name"`
	Value     *float64 `json:"value"`
	Threshold string   `json:"threshold"`
	// Text is the measured value when it is not a number (a date).
	Text   string `json:"value_text,omitempty"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
	// Flag is the command-line flag that set it, for the failure message.
	Flag string `json:"-"`
	// File and Line are where what the gate checks is defined (a theme's
	// line in features.yaml), for annotations; empty when it is the fleet.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Unit is how Value reads for people; JSON keeps the number.
	Unit Unit `json:"-"`
}

// Unit is how a gate's value reads: the gate that makes it says, instead
// of the table guessing from its name.
type Unit int

// The units of gate values.
const (
	Share   Unit = iota // a fraction, written as a percent: 0.985 is 98.5%
	Count               // a whole number: devices, features, labels
	Years               // battery life
	Days                // data age
	Seconds             // a duration: time to pair
)

// Metric evaluates a threshold on a fleet metric. A metric without a value
// fails, and says why: no data is not a pass.
func Metric(name string, unit Unit, value *float64, noValue string, t planfile.Threshold, flag string) Gate {
	g := Gate{Name: name, Unit: unit, Value: value, Threshold: t.Text, Flag: flag, Passed: value != nil && t.Holds(*value)}
	if value == nil {
		g.Detail = "no value: " + noValue
	}
	return g
}

// DataAge fails when the data's horizon is older than the limit; ageDays is
// nil when the inputs have no rows.
func DataAge(ageDays *float64, horizon string, t planfile.AgeThreshold, flag string) Gate {
	g := Gate{Name: "data_age", Unit: Days, Threshold: t.Text, Flag: flag}
	if ageDays == nil {
		g.Detail = "no value: no rows in the inputs"
		return g
	}
	age := *ageDays
	g.Value = &age
	g.Passed = t.Holds(age * 86400)
	g.Detail = "horizon " + horizon
	return g
}

// Themes is the themes: on_time gate: one per theme with a due date,
// failing when it completes after it or cannot complete.
func Themes(themes []roadmap.ThemeStatus) []Gate {
	var out []Gate
	for _, t := range themes {
		if t.Due.IsZero() {
			continue
		}
		g := Gate{Name: "themes." + t.ID, Threshold: "completes by " + t.Due.Format(time.DateOnly), Passed: !t.Late, Text: "unscheduled"}
		if !t.Complete.IsZero() && !t.AtRisk {
			// an at-risk theme's date is its scheduled parts' latest, not
			// a completion: it reads "unscheduled"
			g.Text = t.Complete.Format(time.DateOnly)
		}
		switch {
		case t.AtRisk:
			g.Detail = "at risk: a part of its features is unscheduled"
		case t.Late:
			weeks := t.Complete.Sub(t.Due).Hours() / (24 * 7)
			g.Detail = fmt.Sprintf("%s weeks after its due date %s", render.Number(weeks, 1), t.Due.Format(time.DateOnly))
		}
		out = append(out, g)
	}
	return out
}

// ThemesOnTime fails each theme with a due date whose simulated chance
// to complete by it is below min.
func ThemesOnTime(sim roadmap.Simulation, min float64) []Gate {
	var out []Gate
	for _, t := range sim.Themes {
		if t.Due.IsZero() {
			continue
		}
		v := t.OnTime
		g := Gate{Name: "themes." + t.ID + ".on_time", Value: &v, Threshold: ">= " + render.Percent(min, 0) + " by " + t.Due.Format(time.DateOnly),
			Passed: v >= min, Detail: fmt.Sprintf("of %s samples; P90 %s", render.Number(float64(sim.Samples), 0), dateOr(t.P90, "never"))}
		out = append(out, g)
	}
	return out
}

func dateOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.Format(time.DateOnly)
}

// ValueText is the measured value for people, in the gate's unit.
func (g Gate) ValueText() string {
	if g.Text != "" {
		return g.Text
	}
	if g.Value == nil {
		return "-"
	}
	v := *g.Value
	switch g.Unit {
	case Years:
		return render.Number(v, 2) + " years"
	case Count:
		return render.Number(v, 0)
	case Days:
		return render.Number(v, 1) + " days"
	case Seconds:
		return render.Seconds(v)
	}
	return render.Percent(v, 2)
}

// Failure says why a gate failed, naming it (and the flag that set it).
func (g Gate) Failure() string {
	// a gate of one part (battery_life.plan.DEVICE) is named as written,
	// so the message matches iotpm.yaml and the tables; a metric in words
	name := g.Name
	if !strings.Contains(name, ".") {
		name = strings.ReplaceAll(name, "_", " ")
	}
	msg := fmt.Sprintf("%s has %s, so it is not %s", name, g.Detail, g.Threshold)
	if g.Text != "" {
		msg = fmt.Sprintf("%s is %s, not %s", name, g.Text, g.Threshold)
		if strings.HasPrefix(g.Name, "themes.") {
			msg = fmt.Sprintf("%s completes %s, after its due date %s", name, g.Text, strings.TrimPrefix(g.Threshold, "completes by "))
			if g.Text == "unscheduled" {
				msg = fmt.Sprintf("%s cannot complete (a part of its features is unscheduled); it is due %s", name, strings.TrimPrefix(g.Threshold, "completes by "))
			}
		}
	}
	if g.Value != nil {
		msg = fmt.Sprintf("%s is %s, not %s", name, g.ValueText(), g.Threshold)
		if g.Detail != "" && strings.HasPrefix(g.Name, "battery_life.plan.") {
			msg += ": " + g.Detail
		}
	}
	if g.Flag != "" {
		msg += " (" + g.Flag + ")"
	}
	return msg
}

// Status is "pass" or "FAIL".
func (g Gate) Status() string {
	if g.Passed {
		return "pass"
	}
	return "FAIL"
}

// Table is the gates as a table: name, value, threshold, status, detail.
func Table(gates []Gate) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "GATE"}, {Header: "VALUE", Right: true}, {Header: "THRESHOLD", Wrap: true}, {Header: "STATUS"}, {Header: "DETAIL", Hide: 1, Wrap: true}}}
	for _, g := range gates {
		t.Append(g.Name, g.ValueText(), g.Threshold, g.Status(), g.Detail)
	}
	t.Tone = func(r, c int) render.Tone {
		switch {
		case c != 3:
			return render.Plain
		case gates[r].Passed:
			return render.Good
		}
		return render.Bad
	}
	return t
}

// Verdict is the one line that sums the gates up.
func Verdict(gates []Gate) string {
	var failed []string
	for _, g := range gates {
		if !g.Passed {
			failed = append(failed, g.Name)
		}
	}
	switch {
	case len(gates) == 0:
		return "✓ planning files valid; no gates configured (add gates: to iotpm.yaml)"
	case len(failed) == 0:
		return fmt.Sprintf("✓ all %d gates passed", len(gates))
	}
	return fmt.Sprintf("✗ %d of %d gates failed: %s", len(failed), len(gates), strings.Join(failed, ", "))
}
