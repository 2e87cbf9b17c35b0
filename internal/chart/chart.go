// Package chart draws the HTML report's charts as inline SVG: a gantt, line
// and step charts, bars and a scatter with quadrants. The SVG is written by
// hand (no library, no script, no font file): it needs to be a few hundred
// bytes per chart, render the same in every browser and on paper, and make
// no network request. Every mark carries a class (bar, point, series,
// target, tick), so a test can count what a chart drew.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// Size of every chart, in SVG user units (CSS pixels at 100%): the page
// scales them to its width.
const (
	width  = 760
	margin = 48
)

// svg opens an SVG element of the given height with an accessible name.
func svg(b *strings.Builder, class, label string, height int) {
	fmt.Fprintf(b, `<svg class="chart %s" viewBox="0 0 %d %d" role="img" aria-label="%s">`, class, width, height, esc(label))
	fmt.Fprintf(b, `<title>%s</title>`, esc(label))
}

func esc(s string) string { return html.EscapeString(s) }

// f writes a coordinate with at most one decimal.
func f(x float64) string {
	s := fmt.Sprintf("%.1f", x)
	return strings.TrimSuffix(s, ".0")
}

// GanttRow is one bar: a part of the plan from Start to End, in a group
// (a track).
type GanttRow struct {
	Group, Label string
	Start, End   time.Time
	// Class is added to the bar's class (e.g. the track, "late").
	Class string
	// Marks are dated ticks on the row (where a part's lead time ends).
	Marks []Mark
}

// Mark is a dated tick on a gantt row; Class names its kind ("lead").
type Mark struct {
	Label, Class string
	Date         time.Time
}

// Milestone is a dated marker (a theme's completion).
type Milestone struct {
	Label string
	Date  time.Time
	// Late draws it as a warning.
	Late bool
}

// Gantt is a timeline of bars grouped by track, with milestones.
type Gantt struct {
	Label      string
	From, To   time.Time
	Rows       []GanttRow
	Milestones []Milestone
}

// SVG draws the gantt: a row per bar, groups separated by their title, a
// month grid labelled by quarter, milestones as diamonds on a last row.
func (g Gantt) SVG() template.HTML {
	const rowH, labelW = 18, 250
	rows := len(g.Rows) + len(groups(g.Rows))
	if len(g.Milestones) > 0 {
		rows += 1 + len(g.Milestones)
	}
	height := 30 + rows*rowH + 10
	var b strings.Builder
	svg(&b, "gantt", g.Label, height)
	span := g.To.Sub(g.From).Hours()
	if span <= 0 {
		span = 24
	}
	x := func(t time.Time) float64 {
		return labelW + (width-labelW-10)*math.Max(0, math.Min(1, t.Sub(g.From).Hours()/span))
	}
	// the quarter grid
	for q := time.Date(g.From.Year(), time.Month((int(g.From.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC); !q.After(g.To); q = q.AddDate(0, 3, 0) {
		at := q
		if q.Before(g.From) {
			at = g.From // the first quarter, partly in the chart: its label only
		} else {
			fmt.Fprintf(&b, `<line class="tick" x1="%s" y1="20" x2="%s" y2="%d"/>`, f(x(q)), f(x(q)), height-10)
		}
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="14">%d-Q%d</text>`, f(x(at)+2), q.Year(), (int(q.Month())-1)/3+1)
	}
	y := 30
	group := ""
	for _, r := range g.Rows {
		if r.Group != group {
			group = r.Group
			fmt.Fprintf(&b, `<text class="group" x="4" y="%d">%s</text>`, y+13, esc(group))
			y += rowH
		}
		x0, x1 := x(r.Start), x(r.End)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		fmt.Fprintf(&b, `<text class="label" x="12" y="%d">%s</text>`, y+13, esc(clip(r.Label, 36)))
		fmt.Fprintf(&b, `<rect class="bar %s" x="%s" y="%d" width="%s" height="%d"><title>%s: %s to %s</title></rect>`,
			esc(r.Class), f(x0), y+3, f(x1-x0), rowH-6, esc(r.Label), r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly))
		for _, m := range r.Marks {
			fmt.Fprintf(&b, `<line class="mark %s" x1="%s" y1="%d" x2="%s" y2="%d"><title>%s: %s</title></line>`,
				esc(m.Class), f(x(m.Date)), y+1, f(x(m.Date)), y+rowH-1, esc(m.Label), m.Date.Format(time.DateOnly))
		}
		y += rowH
	}
	if len(g.Milestones) > 0 {
		fmt.Fprintf(&b, `<text class="group" x="4" y="%d">Themes</text>`, y+13)
		y += rowH
		for _, m := range g.Milestones {
			cls := "milestone"
			if m.Late {
				cls += " late"
			}
			cx := x(m.Date)
			fmt.Fprintf(&b, `<text class="label" x="12" y="%d">%s</text>`, y+13, esc(clip(m.Label, 36)))
			fmt.Fprintf(&b, `<path class="%s" d="M%s %dl6 6-6 6-6-6z"><title>%s: %s</title></path>`, cls, f(cx), y+3, esc(m.Label), m.Date.Format(time.DateOnly))
			y += rowH
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func groups(rows []GanttRow) []string {
	var out []string
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1] != r.Group {
			out = append(out, r.Group)
		}
	}
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Point is one value of a series: X in the chart's unit (days since an
// epoch, a month's index…), Y its value.
type Point struct{ X, Y float64 }

// Series is a line.
type Series struct {
	Name   string
	Points []Point
	// Step draws it as steps: each value holds until the next point.
	Step bool
}

// Tick is a labelled position on the x axis.
type Tick struct {
	X     float64
	Label string
}

// Lines is a line or step chart with an optional horizontal target.
type Lines struct {
	Label  string
	YLabel string
	// YFormat writes a y tick's value (nil: one decimal).
	YFormat func(float64) string
	XTicks  []Tick
	Series  []Series
	// Target, when set, is drawn as a dashed line with its label.
	Target      *float64
	TargetLabel string
	// XMin and XMax bound the x axis (both 0: from the points).
	XMin, XMax float64
	// YMin and YMax, when YMax > YMin, bound the y axis (else from 0 to
	// a little above the highest value); a chart of rates near 100% says
	// so on its axis rather than drawing a flat line.
	YMin, YMax float64
}

// SVG draws the chart with a y axis from 0 (or the lowest value, when it is
// negative) to a little above the highest value or target.
func (l Lines) SVG() template.HTML {
	const height = 240
	top, bottom := 20.0, float64(height-30)
	xmin, xmax := l.XMin, l.XMax
	auto, first := xmin == 0 && xmax == 0, true
	ymin, ymax := 0.0, 0.0
	for _, s := range l.Series {
		for _, p := range s.Points {
			if auto && first {
				xmin, xmax, first = p.X, p.X, false
			} else if auto {
				xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
			}
			ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
		}
	}
	if l.Target != nil {
		ymax = math.Max(ymax, *l.Target)
	}
	ymax = niceCeil(ymax * 1.1)
	if l.YMax > l.YMin {
		ymin, ymax = l.YMin, l.YMax
	}
	if ymax == ymin {
		ymax = ymin + 1
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	format := l.YFormat
	if format == nil {
		format = func(v float64) string { return f(v) }
	}
	const right = 30 // room for the last tick's label
	x := func(v float64) float64 { return margin + (width-margin-right)*(v-xmin)/(xmax-xmin) }
	y := func(v float64) float64 { return bottom - (bottom-top)*(v-ymin)/(ymax-ymin) }
	var b strings.Builder
	svg(&b, "lines", l.Label, height)
	steps := intervals(ymax - ymin)
	for i := 0; i <= steps; i++ {
		v := ymin + (ymax-ymin)*float64(i)/float64(steps)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, margin, f(y(v)), width-10, f(y(v)))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%s" text-anchor="end">%s</text>`, margin-4, f(y(v)+4), esc(format(v)))
	}
	if l.YLabel != "" {
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="12">%s</text>`, margin, esc(l.YLabel))
	}
	for _, t := range l.XTicks {
		fmt.Fprintf(&b, `<line class="tick" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(x(t.X)), f(bottom), f(x(t.X)), f(bottom+4))
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>`, f(x(t.X)), f(bottom+18), esc(t.Label))
	}
	if l.Target != nil {
		fmt.Fprintf(&b, `<line class="target" x1="%d" y1="%s" x2="%d" y2="%s"/>`, margin, f(y(*l.Target)), width-10, f(y(*l.Target)))
		fmt.Fprintf(&b, `<text class="axis target-label" x="%d" y="%s" text-anchor="end">%s</text>`, width-12, f(y(*l.Target)-4), esc(l.TargetLabel))
	}
	for i, s := range l.Series {
		var d strings.Builder
		for j, p := range s.Points {
			switch {
			case j == 0:
				fmt.Fprintf(&d, "M%s %s", f(x(p.X)), f(y(p.Y)))
			case s.Step:
				fmt.Fprintf(&d, "H%sV%s", f(x(p.X)), f(y(p.Y)))
			default:
				fmt.Fprintf(&d, "L%s %s", f(x(p.X)), f(y(p.Y)))
			}
		}
		if s.Step && len(s.Points) > 0 {
			fmt.Fprintf(&d, "H%s", f(x(xmax)))
		}
		fmt.Fprintf(&b, `<path class="series s%d" d="%s"><title>%s</title></path>`, i, d.String(), esc(s.Name))
		if len(s.Points) > 60 {
			continue // a dot per point would hide the line
		}
		for _, p := range s.Points {
			fmt.Fprintf(&b, `<circle class="point s%d" cx="%s" cy="%s" r="3"><title>%s: %s</title></circle>`, i, f(x(p.X)), f(y(p.Y)), esc(s.Name), esc(format(p.Y)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// intervals is how many grid intervals split a range so that each is a
// round number: 5 for 1 or 5 times a power of ten, else 4.
func intervals(r float64) int {
	if r <= 0 {
		return 4
	}
	m := r / math.Pow(10, math.Floor(math.Log10(r)))
	if math.Abs(m-1) < 1e-9 || math.Abs(m-5) < 1e-9 {
		return 5
	}
	return 4
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// Bars is a bar chart of labelled values (NRE by quarter).
type Bars struct {
	Label  string
	Labels []string
	Values []float64
	// Format writes a value (nil: one decimal).
	Format func(float64) string
}

// SVG draws a vertical bar per value, its value above it.
func (c Bars) SVG() template.HTML {
	const height = 220
	top, bottom := 24.0, float64(height-30)
	peak := 0.0
	for _, v := range c.Values {
		peak = math.Max(peak, v)
	}
	peak = niceCeil(peak)
	if peak == 0 {
		peak = 1
	}
	format := c.Format
	if format == nil {
		format = func(v float64) string { return f(v) }
	}
	var b strings.Builder
	svg(&b, "bars", c.Label, height)
	n := len(c.Values)
	slot := float64(width-margin-10) / float64(max(n, 1))
	for i, v := range c.Values {
		h := (bottom - top) * v / peak
		x0 := float64(margin) + slot*float64(i) + slot*0.15
		fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s: %s</title></rect>`,
			f(x0), f(bottom-h), f(slot*0.7), f(h), esc(c.Labels[i]), esc(format(v)))
		fmt.Fprintf(&b, `<text class="value" x="%s" y="%s" text-anchor="middle">%s</text>`, f(x0+slot*0.35), f(bottom-h-4), esc(format(v)))
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>`, f(x0+slot*0.35), f(bottom+16), esc(c.Labels[i]))
	}
	fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, margin, f(bottom), width-10, f(bottom))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Labeled is a named point of a scatter.
type Labeled struct {
	Label string
	X, Y  float64
}

// Quadrant is a scatter on [0, 1] × [0, 1] split into four named quadrants
// (the Kano better/worse diagram).
type Quadrant struct {
	Label          string
	XLabel, YLabel string
	// Names of the quadrants: top right, top left, bottom left, bottom right.
	Names  [4]string
	Points []Labeled
}

// SVG draws the quadrants, their names and a labelled dot per point.
func (q Quadrant) SVG() template.HTML {
	const height, side = 420, 360.0
	x0, y0 := 60.0, 20.0
	x := func(v float64) float64 { return x0 + side*math.Max(0, math.Min(1, v)) }
	y := func(v float64) float64 { return y0 + side*(1-math.Max(0, math.Min(1, v))) }
	var b strings.Builder
	svg(&b, "quadrant", q.Label, height)
	fmt.Fprintf(&b, `<rect class="frame" x="%s" y="%s" width="%s" height="%s"/>`, f(x0), f(y0), f(side), f(side))
	fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(x(0.5)), f(y0), f(x(0.5)), f(y0+side))
	fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(x0), f(y(0.5)), f(x0+side), f(y(0.5)))
	corners := [4][2]float64{{0.75, 0.95}, {0.25, 0.95}, {0.25, 0.05}, {0.75, 0.05}}
	for i, name := range q.Names {
		fmt.Fprintf(&b, `<text class="quadrant-name" x="%s" y="%s" text-anchor="middle">%s</text>`, f(x(corners[i][0])), f(y(corners[i][1])+4), esc(name))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>`, f(x(0.5)), f(y0+side+24), esc(q.XLabel))
	fmt.Fprintf(&b, `<text class="axis" x="14" y="%s" transform="rotate(-90 14 %s)" text-anchor="middle">%s</text>`, f(y(0.5)), f(y(0.5)), esc(q.YLabel))
	for _, p := range q.Points {
		fmt.Fprintf(&b, `<circle class="point" cx="%s" cy="%s" r="4"><title>%s: %.2f, %.2f</title></circle>`, f(x(p.X)), f(y(p.Y)), esc(p.Label), p.X, p.Y)
		fmt.Fprintf(&b, `<text class="point-label" x="%s" y="%s">%s</text>`, f(x(p.X)+6), f(y(p.Y)+4), esc(p.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
