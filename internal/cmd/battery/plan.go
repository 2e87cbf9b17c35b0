package battery

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/energy"
)

type planStepJSON struct {
	Date      string       `json:"date"`
	Release   string       `json:"release"`
	Features  []string     `json:"features"`
	LifeYears render.Float `json:"life_years"`
	// LimitedBy: capacity, or shelf_life when the cell's shelf life caps
	// the life after the release.
	LimitedBy string `json:"limited_by"`
	// CapacityLifeYears is the life before the shelf-life cap: where the
	// cap holds the life, what shows the release's energy cost.
	CapacityLifeYears render.Float `json:"capacity_life_years"`
	MeetsTarget       *bool        `json:"meets_target"`
}

// stepJSON is a release's step of a device's life along the plan, held
// against target (0: none).
func stepJSON(s energy.Step, target energy.Hours) planStepJSON {
	st := planStepJSON{Date: s.Date.Format(time.DateOnly), Release: s.Release, Features: s.Features, LifeYears: render.Float(s.Result.Life.Years()), LimitedBy: s.Result.LimitedBy,
		CapacityLifeYears: render.Float(s.Result.CapacityLife.Years())}
	if target > 0 {
		ok := s.Result.MeetsTarget(target)
		st.MeetsTarget = &ok
	}
	return st
}

type budgetCheckJSON struct {
	Feature string  `json:"feature"`
	Kind    string  `json:"kind"` // current (µA), share, life (years)
	Budget  float64 `json:"budget"`
	Actual  float64 `json:"actual"`
	Over    bool    `json:"over"`
}

func addPlanJSON(ep *planning.Energy, j *deviceJSON) {
	t, d, checks, ok := ep.Timeline(j.ID)
	if !ok || !ep.DevicePlanned(j.ID) && len(checks) == 0 {
		return
	}
	with := render.Float(t.WithPlan().Life.Years())
	j.LifeWithPlanYears = &with
	if d.Target > 0 {
		_, below := energy.FirstBelowTarget(t, d.Target)
		meets := !below
		j.PlanMeetsTarget = &meets
	}
	j.Plan = []planStepJSON{}
	for _, s := range t.Steps {
		j.Plan = append(j.Plan, stepJSON(s, d.Target))
	}
	j.Unscheduled = t.Unscheduled
	for _, c := range checks {
		_, b := planning.BudgetUnit(c.Kind, c.Value, true)
		_, a := planning.BudgetUnit(c.Kind, c.Actual, true)
		j.Budgets = append(j.Budgets, budgetCheckJSON{Feature: c.Feature, Kind: string(c.Kind), Budget: b, Actual: a, Over: c.Over})
	}
}

// withPlanColumn adds each device's life with the plan to the devices
// table, when any device has planned energy.
func withPlanColumn(ep *planning.Energy, t *render.Table, devices []energy.Device, exact bool) *render.Table {
	if ep == nil || !ep.HasPlanned() {
		return t
	}
	header := "WITH PLAN (Y)"
	if exact {
		header = "life_with_plan_years"
	}
	t.Columns = append(t.Columns, render.Column{Header: header, Right: true})
	status := slices.IndexFunc(t.Columns, func(c render.Column) bool { return c.Header == "STATUS" || c.Header == "status" })
	for i, d := range devices {
		cell := "-"
		if tl, _, _, ok := ep.Timeline(d.ID); ok && ep.DevicePlanned(d.ID) {
			if exact {
				cell = render.Exact(tl.WithPlan().Life.Years())
			} else {
				cell = render.Number(tl.WithPlan().Life.Years(), 2)
				if tl.WithPlan().LimitedBy == "shelf_life" {
					// the cap, not what the plan's energy gives
					cell += " (shelf)"
				}
			}
			// today's life meets the target, the plan's does not: the
			// table must not say pass beside a failing plan
			if _, below := energy.FirstBelowTarget(tl, d.Target); below && status >= 0 && t.Rows[i][status] == "pass" {
				t.Rows[i][status] = planBelowTarget
			}
		}
		t.Rows[i] = append(t.Rows[i], cell)
	}
	return t
}

// planBelowTarget is the status of a device that meets its target today
// and falls below it after a release of the plan.
const planBelowTarget = "plan below target"

// budgetsTable lists every budget of the devices shown.
func budgetsTable(ep *planning.Energy, device string, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "DEVICE"}, {Header: "FEATURE"}, {Header: "BUDGET", Right: true}, {Header: "COSTS", Right: true}, {Header: "STATUS"}}}
	if ep == nil {
		return t
	}
	for i, tl := range ep.Timelines {
		if device != "" && tl.Device != device {
			continue
		}
		for _, c := range ep.Budgets[i] {
			b, _ := planning.BudgetUnit(c.Kind, c.Value, exact)
			a, _ := planning.BudgetUnit(c.Kind, c.Actual, exact)
			st := "within"
			if c.Over {
				st = "OVER"
			}
			t.Append(tl.Device, c.Feature, b, a, st)
		}
	}
	return t
}

// writeBudgets adds the budgets after the devices (table and markdown).
func writeBudgets(w *bytes.Buffer, format render.Format, ep *planning.Energy, device string, term render.Term) error {
	t := budgetsTable(ep, device, false)
	if len(t.Rows) == 0 {
		return nil
	}
	switch format {
	case render.FormatMarkdown:
		fmt.Fprintf(w, "\n### Energy budgets (with every planned feature)\n\n")
		return t.Markdown(w)
	case render.FormatTable:
		fmt.Fprintf(w, "\nENERGY BUDGETS (WITH EVERY PLANNED FEATURE)\n")
		return t.Text(w, term)
	}
	return nil
}

// writePlanOutput is `iotpm battery --plan`: per device, its life today and
// after each release that changes its energy.
func writePlanOutput(f *cmdutil.Factory, format render.Format, ep *planning.Energy, device string, minLife energy.Hours) error {
	if device != "" {
		if _, _, _, ok := ep.Timeline(device); !ok && ep.Fleet != nil && slices.ContainsFunc(ep.Fleet.Mains, func(d energy.Device) bool { return d.ID == device }) {
			return failure.UsageErrorf("device %s is on mains power (power: mains in %s): it has no battery life", device, ep.Fleet.File)
		}
		if _, _, _, ok := ep.Timeline(device); !ok {
			var ids []string
			for _, t := range ep.Timelines {
				ids = append(ids, t.Device)
			}
			return failure.UsageErrorf("no device %q%s", device, cmdutil.DidYouMean(device, ids))
		}
	}
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
		type deviceTimeline struct {
			Device      string         `json:"device"`
			TargetYears *float64       `json:"target_years"`
			TodayYears  render.Float   `json:"today_years"`
			Steps       []planStepJSON `json:"steps"`
			Unscheduled []string       `json:"planned_unscheduled"`
		}
		var doc struct {
			Devices []deviceTimeline `json:"devices"`
		}
		doc.Devices = []deviceTimeline{}
		csv := &render.Table{Columns: []render.Column{{Header: "device"}, {Header: "date"}, {Header: "release"}, {Header: "features"}, {Header: "life_years"}, {Header: "target_years"}}}
		for i, t := range ep.Timelines {
			if device != "" && t.Device != device {
				continue
			}
			d := ep.Today[i]
			if minLife > 0 {
				d.Target = minLife
			}
			dt := deviceTimeline{Device: t.Device, TodayYears: render.Float(t.Today.Life.Years()), Steps: []planStepJSON{}, Unscheduled: render.OrEmpty(t.Unscheduled)}
			target := ""
			if d.Target > 0 {
				y := d.Target.Years()
				dt.TargetYears, target = &y, render.Exact(y)
			}
			csv.Append(t.Device, "", "today", "", render.Exact(t.Today.Life.Years()), target)
			for _, s := range t.Steps {
				dt.Steps = append(dt.Steps, stepJSON(s, d.Target))
				csv.Append(t.Device, s.Date.Format(time.DateOnly), s.Release, strings.Join(s.Features, " "), render.Exact(s.Result.Life.Years()), target)
			}
			doc.Devices = append(doc.Devices, dt)
			if format == render.FormatJSON || format == render.FormatYAML || format == render.FormatCSV {
				continue
			}
			if err := writeDeviceTimeline(w, format, d, t, term); err != nil {
				return err
			}
		}
		switch format {
		case render.FormatJSON, render.FormatYAML:
			return render.Structured(w, format, doc)
		case render.FormatCSV:
			return csv.CSV(w)
		}
		return nil
	})
}

func writeDeviceTimeline(w io.Writer, format render.Format, d energy.Device, t energy.Timeline, term render.Term) error {
	tbl := &render.Table{Columns: []render.Column{{Header: "WHEN"}, {Header: "RELEASE"}, {Header: "FEATURES"}, {Header: "LIFE (Y)", Right: true}, {Header: "TARGET"}, {Header: "LIMITED BY", Hide: 1}}}
	status := func(r energy.Result) string {
		if d.Target <= 0 {
			return "-"
		}
		if r.MeetsTarget(d.Target) {
			return "pass"
		}
		return "BELOW " + render.Number(d.Target.Years(), 2) + " y"
	}
	// LIMITED BY: a life the shelf life caps names its life by capacity,
	// or a release that drains more would read as free ("20 → 20")
	tbl.Append("today", "-", "-", render.Number(t.Today.Life.Years(), 2), status(t.Today), limitedBy(t.Today))
	labels, lives := []string{strconv.Quote("today")}, []float64{t.Today.Life.Years()}
	for _, s := range t.Steps {
		tbl.Append(s.Date.Format(time.DateOnly), s.Release, strings.Join(s.Features, ", "), render.Number(s.Result.Life.Years(), 2), status(s.Result), limitedBy(s.Result))
		labels = append(labels, strconv.Quote(s.Release))
		lives = append(lives, s.Result.Life.Years())
	}
	title := d.ID + ": battery life along the plan"
	note := ""
	if len(t.Unscheduled) > 0 {
		note = "Planned but never scheduled by the roadmap (so never shipped): " + strings.Join(t.Unscheduled, ", ") + "."
	}
	if format == render.FormatMarkdown {
		fmt.Fprintf(w, "## %s\n\n", title)
		if err := tbl.Markdown(w); err != nil {
			return err
		}
		if note != "" {
			fmt.Fprintf(w, "\n%s\n", note)
		}
		top := slices.Max(lives)
		if d.Target > 0 {
			top = math.Max(top, d.Target.Years())
		}
		fmt.Fprintf(w, "\n```mermaid\nxychart-beta\n    title %s\n    x-axis [%s]\n    y-axis \"Life (years)\" 0 --> %s\n    line [%s]\n",
			strconv.Quote(title), strings.Join(labels, ", "), render.Exact(math.Ceil(top)), joinFloats(lives))
		if d.Target > 0 {
			target := make([]float64, len(lives))
			for i := range target {
				target[i] = d.Target.Years()
			}
			fmt.Fprintf(w, "    line [%s]\n", joinFloats(target))
		}
		fmt.Fprintf(w, "```\n\n")
		return nil
	}
	fmt.Fprintf(w, "%s\n", strings.ToUpper(title))
	if err := tbl.Text(w, term); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintf(w, "%s\n", note)
	}
	fmt.Fprintln(w)
	return nil
}

func joinFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
}
