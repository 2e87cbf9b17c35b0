package roadmap

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// SimulationJSON is the output of iotpm roadmap --simulate.
type SimulationJSON struct {
	Samples int            `json:"samples"`
	Seed    uint64         `json:"seed"`
	Ranges  int            `json:"ranges"`
	Parts   []SimPartJSON  `json:"parts"`
	Themes  []SimThemeJSON `json:"themes"`
}

// SimPartJSON is one part's dates over the samples; a date is null when
// that share of the samples leaves it unscheduled.
type SimPartJSON struct {
	Feature   string  `json:"feature"`
	Track     string  `json:"track"`
	Plan      *string `json:"plan"`
	P50       *string `json:"p50"`
	P90       *string `json:"p90"`
	Release   string  `json:"release_most_often"`
	Scheduled float64 `json:"scheduled"`
}

// SimThemeJSON is one theme's completion over the samples.
type SimThemeJSON struct {
	Theme  string   `json:"theme"`
	Plan   *string  `json:"plan"`
	P50    *string  `json:"p50"`
	P90    *string  `json:"p90"`
	Due    *string  `json:"due"`
	OnTime *float64 `json:"on_time"`
}

func dateOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func simulationJSON(v planView, sim roadmap.Simulation) SimulationJSON {
	doc := SimulationJSON{Samples: sim.Samples, Seed: sim.Seed, Ranges: sim.Ranges, Parts: []SimPartJSON{}, Themes: []SimThemeJSON{}}
	planned := map[string]time.Time{}
	for _, it := range v.plan.Items {
		planned[it.Feature+"/"+string(it.Track)] = it.ShipDate
	}
	for _, p := range sim.Parts {
		if !v.keep(p.Feature, p.Track) {
			continue
		}
		doc.Parts = append(doc.Parts, SimPartJSON{Feature: p.Feature, Track: string(p.Track), Plan: dateOrNil(planned[p.Feature+"/"+string(p.Track)]),
			P50: dateOrNil(p.P50), P90: dateOrNil(p.P90), Release: p.Release, Scheduled: p.Scheduled})
	}
	themePlan := map[string]roadmap.ThemeStatus{}
	for _, t := range v.plan.Themes {
		themePlan[t.ID] = t
	}
	for _, t := range sim.Themes {
		if !v.themeOK(t.ID) {
			continue
		}
		tp := themePlan[t.ID]
		var plan *string
		if !tp.AtRisk {
			plan = dateOrNil(tp.Complete)
		}
		doc.Themes = append(doc.Themes, SimThemeJSON{Theme: t.ID, Plan: plan, P50: dateOrNil(t.P50), P90: dateOrNil(t.P90), Due: dateOrNil(t.Due), OnTime: render.Finite(t.OnTime)})
	}
	return doc
}

func orNever(s *string) string {
	if s == nil {
		return "unscheduled"
	}
	return *s
}

func writeSimulation(w io.Writer, format render.Format, doc SimulationJSON, term render.Term) error {
	parts := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "TRACK"}, {Header: "PLAN"}, {Header: "P50"}, {Header: "P90"},
		{Header: "MOST OFTEN", Hide: 1}, {Header: "SCHEDULED", Right: true, Hide: 2}}}
	for _, p := range doc.Parts {
		parts.Append(p.Feature, p.Track, orNever(p.Plan), orNever(p.P50), orNever(p.P90), orDash(p.Release), render.Percent(p.Scheduled, 1))
	}
	themes := &render.Table{Columns: []render.Column{{Header: "THEME"}, {Header: "PLAN"}, {Header: "P50"}, {Header: "P90"}, {Header: "DUE"}, {Header: "ON TIME", Right: true}}}
	for _, t := range doc.Themes {
		on, due := "-", "-"
		if t.OnTime != nil {
			on = render.Percent(*t.OnTime, 1)
		}
		if t.Due != nil {
			due = *t.Due
		}
		themes.Append(t.Theme, orNever(t.Plan), orNever(t.P50), orNever(t.P90), due, on)
	}
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		return parts.CSV(w)
	}
	md := format == render.FormatMarkdown
	intro := fmt.Sprintf("%s samples (seed %d) of %d ranges, each sampled independently from its triangular distribution; P50 and P90 are nearest-rank percentiles of the dates.",
		render.Number(float64(doc.Samples), 0), doc.Seed, doc.Ranges)
	if doc.Ranges == 0 {
		intro = "The plan has no ranges: every sample is the plan, P50 = P90 = its dates."
	}
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "\n### %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(title))
		return t.Text(w, term)
	}
	if md {
		fmt.Fprintf(w, "## Roadmap dates with their uncertainty\n\n%s\n", intro)
	} else {
		io.WriteString(w, render.Wrap(intro, term.Width))
	}
	if err := section("Parts", parts); err != nil {
		return err
	}
	if len(doc.Themes) > 0 {
		return section("Themes", themes)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// simulationGantt is the simulation as a Mermaid gantt: a bar per part
// from the plan's work start to its P50 date, a milestone at its P90 when
// later, and per theme a P50 milestone and a P90 one (crit when it is after
// the due date).
func simulationGantt(v planView, doc SimulationJSON, cal *roadmap.Calendar) string {
	var b strings.Builder
	b.WriteString("gantt\n")
	fmt.Fprintf(&b, "    title Roadmap P50 bars and P90 markers, %s samples\n", render.Number(float64(doc.Samples), 0))
	b.WriteString("    dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n")
	starts := map[string]time.Time{}
	for _, it := range v.plan.Items {
		starts[it.Feature+"/"+string(it.Track)] = v.workStart(it, cal.Start)
	}
	for _, track := range v.tracks {
		var lines []string
		for _, p := range doc.Parts {
			if p.Track != string(track) || p.P50 == nil {
				continue
			}
			start, ok := starts[p.Feature+"/"+p.Track]
			if !ok {
				start = cal.Start
			}
			end, _ := time.Parse(time.DateOnly, *p.P50)
			if !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			id := render.MermaidID(string(track[:2]), p.Feature)
			lines = append(lines, fmt.Sprintf("    %s P50 :%s, %s, %s\n", render.MermaidText(p.Feature), id, start.Format(time.DateOnly), end.Format(time.DateOnly)))
			if p.P90 != nil && *p.P90 != *p.P50 {
				lines = append(lines, fmt.Sprintf("    %s P90 :milestone, %s_p90, %s, 0d\n", render.MermaidText(p.Feature), id, *p.P90))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(&b, "    section %s\n%s", trackTitle(track), strings.Join(lines, ""))
		}
	}
	var ms []string
	for _, t := range doc.Themes {
		for _, q := range []struct {
			name string
			at   *string
		}{{"P50", t.P50}, {"P90", t.P90}} {
			if q.at == nil {
				continue
			}
			tags := "milestone"
			if t.Due != nil && *q.at > *t.Due {
				tags = "crit, milestone"
			}
			ms = append(ms, fmt.Sprintf("    %s %s :%s, %s_%s, %s, 0d\n", render.MermaidText(t.Theme), q.name, tags, render.MermaidID("th", t.Theme), strings.ToLower(q.name), *q.at))
		}
	}
	if len(ms) > 0 {
		b.WriteString("    section Themes\n" + strings.Join(ms, ""))
	}
	return b.String()
}
