package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"slices"
	"time"

	batterycmd "github.com/iotpm/iotpm/internal/cmd/battery"
	economicscmd "github.com/iotpm/iotpm/internal/cmd/economics"
	metricscmd "github.com/iotpm/iotpm/internal/cmd/metrics"
	ricecmd "github.com/iotpm/iotpm/internal/cmd/rice"
	roadmapcmd "github.com/iotpm/iotpm/internal/cmd/roadmap"
	rolloutcmd "github.com/iotpm/iotpm/internal/cmd/rollout"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/survey"

	"github.com/iotpm/iotpm/internal/chart"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

//go:embed templates/report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Parse(pageTemplate))

// htmlPage is what the HTML report shows. Every text goes through
// html/template's escaping; the charts are SVG the chart package escaped.
type htmlPage struct {
	Name, Generated, Health string
	// Warnings are what the run warned of (paths relative to the repo).
	Warnings              []string
	Passed                bool
	Verdict               string
	Gates, Outcomes       *htmlTable
	Ranking               *htmlTable
	Gantt, NRE            template.HTML
	NRETotal              string
	Devices               *htmlTable
	Battery               []deviceChart
	Metrics               *htmlTable
	MADChart, UptimeChart template.HTML
	Kano                  template.HTML
	Economics             *htmlTable
	Rollout               template.HTML
	RolloutSummary        string
}

type deviceChart struct {
	Device string
	Chart  template.HTML
}

type htmlTable struct {
	Columns []render.Column
	Rows    []htmlRow
}

type htmlRow struct {
	Cells []htmlCell
	Fail  bool
}

type htmlCell struct {
	Text  string
	Right bool
}

// tableOf is a render.Table for the page; columns names the headers to
// keep (none: all).
func tableOf(t *render.Table, columns ...string) *htmlTable {
	if t == nil {
		return nil
	}
	var idx []int
	for i, c := range t.Columns {
		if len(columns) == 0 || slices.Contains(columns, c.Header) {
			idx = append(idx, i)
		}
	}
	out := &htmlTable{}
	for _, i := range idx {
		out.Columns = append(out.Columns, t.Columns[i])
	}
	for k, r := range t.Rows {
		// a row is marked as the terminal marks it: a cell toned bad (a
		// failing gate, a device under its target, a red customer)
		row := htmlRow{}
		for c := range t.Columns {
			row.Fail = row.Fail || t.Tone != nil && t.Tone(k, c) == render.Bad
		}
		for _, i := range idx {
			row.Cells = append(row.Cells, htmlCell{Text: r[i], Right: t.Columns[i].Right})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// writeHTML writes the report as one self-contained HTML page: inline CSS
// and SVG, no script, no font, no image file, and a Content-Security-Policy
// that forbids the browser any request.
func writeHTML(w io.Writer, f *cmdutil.Factory, p *planning.Results) error {
	name := filepath.Base(f.Dir)
	if abs, err := filepath.Abs(f.Dir); err == nil {
		name = filepath.Base(abs)
	}
	gates := p.Gates()
	pg := htmlPage{Name: name, Generated: f.Now().UTC().Format(time.DateOnly), Health: p.Health(gates, f.Now()).Line(), Passed: true, Warnings: warnings(f, p)}
	for _, g := range gates {
		pg.Passed = pg.Passed && g.Passed
	}
	pg.Verdict = gate.Verdict(gates)
	pg.Gates = tableOf(gate.Table(gates))
	if o := p.Outcomes(); len(o) > 0 {
		pg.Outcomes = tableOf(planning.OutcomesTable(o))
	}
	pg.Ranking = tableOf(ricecmd.RankingTable(p.Ranked), "RANK", "ID", "TITLE", "TRACKS", "KANO", "REACH", "IMPACT", "CONF", "EFFORT (PERSON-MO)", "SCORE")
	if p.Plan != nil && p.Backlog.Calendar != nil {
		pg.Gantt = ganttChart(p.Plan, p.Backlog.Calendar, p.Simulation())
		pg.NRE, pg.NRETotal = nreChart(*p.Cash)
	}
	if p.Energy != nil && len(p.Energy.Today) > 0 {
		pg.Devices = tableOf(batterycmd.DevicesTable(p.FleetDevices(), p.Battery))
		pg.Battery = batteryCharts(p)
	}
	if p.Metrics != nil {
		doc := fleetmetrics.NewResult(p.Metrics, nil)
		pg.Metrics = tableOf(metricscmd.SummaryTable(doc))
		pg.MADChart, pg.UptimeChart = monthCharts(doc.Months)
	}
	if p.Kano != nil {
		pg.Kano = kanoChart(p.Kano.Features)
	}
	if p.Economics != nil {
		t, err := economicscmd.ModelsTable(p.Economics)
		if err != nil {
			return err
		}
		pg.Economics = tableOf(t)
	}
	if p.Rollout != nil {
		pg.Rollout, pg.RolloutSummary = rolloutChart(p.Rollout)
	}
	return page.Execute(w, pg)
}

// ganttChart draws the plan's parts and each theme's completion; a theme
// late in the plan, or likely late in sim (nil: no simulation), is drawn
// as a warning.
func ganttChart(plan *roadmap.Plan, cal *roadmap.Calendar, sim *roadmap.Simulation) template.HTML {
	g := chart.Gantt{Label: fmt.Sprintf("Roadmap %s to %s", cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly)), From: cal.Start, To: cal.End}
	titles := map[rice.Track]string{rice.Hardware: "Hardware", rice.Firmware: "Firmware", rice.Cloud: "Cloud"}
	for _, b := range roadmapcmd.Bars(*plan, cal) {
		row := chart.GanttRow{Group: titles[b.Track], Label: fmt.Sprintf("%s (%s)", b.Title, b.Release), Start: b.Start, End: b.End, Class: string(b.Track)}
		if b.Ready.Before(b.Start) {
			// ready before its work could start: the wait shows
			row.Marks = append(row.Marks, chart.Mark{Label: b.Title + ": ready", Class: "ready", Date: b.Ready})
		}
		if !b.LeadEnd.IsZero() {
			// the bar holds the work, the lead time after it and the wait
			// for the release: a tick where the lead time ends
			row.Marks = append(row.Marks, chart.Mark{Label: b.Title + ": lead time ends", Class: "lead", Date: b.LeadEnd})
		}
		if !b.Components.IsZero() {
			row.Marks = append(row.Marks, chart.Mark{Label: b.Title + ": components arrive", Class: "lead", Date: b.Components})
		}
		g.Rows = append(g.Rows, row)
	}
	for _, t := range plan.Themes {
		if t.Complete.IsZero() {
			continue
		}
		label := t.Outcome
		if label == "" {
			label = t.ID
		}
		likely := sim != nil && sim.LikelyLate(t)
		if t.AtRisk {
			// drawn at its scheduled parts' latest date, which is not a
			// completion: a part never ships
			label += " (at risk: a part is unscheduled)"
		} else if likely {
			o, _ := sim.Theme(t.ID)
			label += fmt.Sprintf(" (likely late: %s on time)", render.Percent(o.OnTime, 0))
		}
		g.Milestones = append(g.Milestones, chart.Milestone{Label: label, Date: t.Complete, Late: t.Late || likely})
	}
	return g.SVG()
}

func nreChart(cash roadmap.Cash) (template.HTML, string) {
	if len(cash.Quarters) == 0 {
		return "", ""
	}
	c := chart.Bars{Label: "NRE by quarter (USD)", Format: render.USD}
	for _, q := range cash.Quarters {
		c.Labels = append(c.Labels, q.Quarter)
		c.Values = append(c.Values, q.USD())
	}
	return c.SVG(), render.USD(cash.Total.USD())
}

// batteryCharts draws each device's life along the roadmap: today's life
// from the plan's start, a step at each release that changes it, and the
// target.
func batteryCharts(p *planning.Results) []deviceChart {
	var from, to time.Time
	if p.Backlog.Calendar != nil {
		from, to = p.Backlog.Calendar.Start, p.Backlog.Calendar.End
	}
	var out []deviceChart
	for i, d := range p.Energy.Today {
		var tl *energy.Timeline
		for j := range p.Energy.Timelines {
			if p.Energy.Timelines[j].Device == d.ID {
				tl = &p.Energy.Timelines[j]
			}
		}
		s := chart.Series{Name: d.ID, Step: true}
		if i < len(p.Energy.Results) {
			s.Points = append(s.Points, chart.Point{X: 0, Y: p.Energy.Results[i].Life.Years()})
		}
		l := chart.Lines{Label: fmt.Sprintf("%s: battery life (years) along the roadmap", d.ID), YLabel: "years"}
		if !from.IsZero() {
			l.XMin, l.XMax = 0, days(from, to)
			l.XTicks = dateTicks(from, to)
			if tl != nil {
				for _, st := range tl.Steps {
					s.Points = append(s.Points, chart.Point{X: days(from, st.Date), Y: st.Result.Life.Years()})
				}
			}
		}
		if d.Target > 0 {
			t := d.Target.Years()
			l.Target, l.TargetLabel = &t, fmt.Sprintf("target %s y", render.Number(t, 1))
		}
		l.Series = []chart.Series{s}
		out = append(out, deviceChart{Device: d.ID, Chart: l.SVG()})
	}
	return out
}

func days(from, t time.Time) float64 { return t.Sub(from).Hours() / 24 }

// dateTicks label the start of each quarter in [from, to] (of each year
// when that is more than three years).
func dateTicks(from, to time.Time) []chart.Tick {
	step := 3
	if to.Sub(from) > 3*365*24*time.Hour {
		step = 12
	}
	var out []chart.Tick
	t := time.Date(from.Year(), time.Month((int(from.Month())-1)/step*step+1), 1, 0, 0, 0, 0, time.UTC)
	for ; !t.After(to); t = t.AddDate(0, step, 0) {
		if t.Before(from) {
			continue
		}
		label := fmt.Sprint(t.Year())
		if step == 3 {
			label = roadmap.Quarter(t)
		}
		out = append(out, chart.Tick{X: days(from, t), Label: label})
	}
	return out
}

func monthCharts(months []fleetmetrics.Month) (mad, uptime template.HTML) {
	if len(months) == 0 {
		return "", ""
	}
	m := chart.Lines{Label: "Monthly active devices", YLabel: "devices", YFormat: func(v float64) string { return render.Number(v, 0) }}
	u := chart.Lines{Label: "Connectivity uptime by month (%)", YLabel: "%", YFormat: func(v float64) string { return render.Number(v, 1) }}
	ms, us := chart.Series{Name: "MAD"}, chart.Series{Name: "uptime"}
	for i, mo := range months {
		m.XTicks = append(m.XTicks, chart.Tick{X: float64(i), Label: mo.Month})
		u.XTicks = append(u.XTicks, chart.Tick{X: float64(i), Label: mo.Month})
		ms.Points = append(ms.Points, chart.Point{X: float64(i), Y: float64(mo.MAD)})
		if mo.Uptime != nil {
			us.Points = append(us.Points, chart.Point{X: float64(i), Y: *mo.Uptime * 100})
		}
	}
	if len(months) == 1 {
		m.XMin, m.XMax, u.XMin, u.XMax = -0.5, 0.5, -0.5, 0.5
	}
	// uptime near 100%: the axis runs from a round value below the lowest
	// month to 100%, and says so
	low := 100.0
	for _, p := range us.Points {
		low = min(low, p.Y)
	}
	u.YMin, u.YMax = math.Max(0, math.Floor(low/5)*5-5), 100
	m.Series, u.Series = []chart.Series{ms}, []chart.Series{us}
	return m.SVG(), u.SVG()
}

// kanoChart is the better/worse diagram: x the dissatisfaction when the
// feature is absent (|worse|), y the satisfaction when present (better);
// features with too few answers are left out, as in the table.
func kanoChart(rows []survey.FeatureRow) template.HTML {
	q := chart.Quadrant{Label: "Kano: satisfaction (better) against dissatisfaction (|worse|)",
		XLabel: "dissatisfaction if absent (|worse|)", YLabel: "satisfaction if present (better)",
		Names: [4]string{"performance", "attractive", "indifferent", "must-be"}}
	for _, r := range rows {
		if r.TooFew {
			continue
		}
		q.Points = append(q.Points, chart.Labeled{Label: r.Feature, X: math.Abs(r.Worse), Y: r.Better})
	}
	return q.SVG()
}

// rolloutChart is the forecast's curve, by day of the rollout (day 1 is
// its start), with the 90% mark: the numbers iotpm rollout prints.
func rolloutChart(r *planning.Rollout) (template.HTML, string) {
	doc := rolloutcmd.ToJSON(r)
	l := chart.Lines{Label: fmt.Sprintf("Share of the fleet on %s, by day of the rollout (%%)", doc.Version), YLabel: "% of devices",
		YFormat: func(v float64) string { return render.Number(v, 0) }}
	s := chart.Series{Name: "updated"}
	curve := doc.Curve[:doc.Shown()]
	step := max(1, len(curve)/8)
	for i, c := range curve {
		s.Points = append(s.Points, chart.Point{X: float64(c.Day), Y: c.Share * 100})
		if i%step == 0 {
			l.XTicks = append(l.XTicks, chart.Tick{X: float64(c.Day), Label: fmt.Sprintf("day %d", c.Day)})
		}
	}
	ninety := 90.0
	l.Target, l.TargetLabel = &ninety, "90%"
	l.YMin, l.YMax = 0, 100
	l.Series = []chart.Series{s}
	reach := func(days *int, date *string) string {
		if days == nil {
			return "not within the forecast"
		}
		return fmt.Sprintf("day %d (%s)", *days, *date)
	}
	summary := fmt.Sprintf("%s to %d devices from %s: 50%% by %s, 90%% by %s, 95%% by %s.", doc.Version, doc.Devices, doc.Start,
		reach(doc.Reach.Days50, doc.Reach.Date50), reach(doc.Reach.Days90, doc.Reach.Date90), reach(doc.Reach.Days95, doc.Reach.Date95))
	return l.SVG(), summary
}
