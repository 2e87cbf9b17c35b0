package roadmap

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// mermaidGantt renders the plan as a Mermaid gantt with absolute dates
// (Mermaid has no lag on "after", so iotpm computes every date itself): a
// section per track with a bar per part from its ready date to its ship date,
// and a milestone per theme.
func mermaidGantt(v planView, cal *roadmap.Calendar) string {
	var b strings.Builder
	b.WriteString("gantt\n")
	fmt.Fprintf(&b, "    title Roadmap %s to %s\n", cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly))
	b.WriteString("    dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n")
	items := v.items()
	for _, track := range v.tracks {
		var ts []roadmap.Item
		for _, it := range items {
			if it.Track == track {
				ts = append(ts, it)
			}
		}
		if len(ts) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    section %s\n", trackTitle(track))
		prefix := map[rice.Track]string{rice.Hardware: "hw", rice.Firmware: "fw", rice.Cloud: "cl"}[track]
		for _, it := range ts {
			start := v.workStart(it, cal.Start)
			end := it.ShipDate
			if !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			id := render.MermaidID(prefix, it.Feature)
			if it.ReadyDate.Before(start) {
				// ready before its work could start: a marker, so the bar
				// is the work and the wait shows
				fmt.Fprintf(&b, "    %s ready :milestone, %s_ready, %s, 0d\n", render.MermaidText(it.Title), id, it.ReadyDate.Format(time.DateOnly))
			}
			fmt.Fprintf(&b, "    %s (%s) :%s, %s, %s\n", render.MermaidText(it.Title), render.MermaidText(it.Release), id, start.Format(time.DateOnly), end.Format(time.DateOnly))
		}
	}
	var milestones []string
	for _, t := range v.themes() {
		if t.Complete.IsZero() {
			continue
		}
		title, tags := t.Outcome, "milestone"
		if title == "" {
			title = t.ID
		}
		if t.AtRisk {
			title += " (at risk)"
			tags = "crit, milestone"
		}
		milestones = append(milestones, fmt.Sprintf("    %s :%s, %s, %s, 0d\n", render.MermaidText(title), tags, render.MermaidID("th", t.ID), t.Complete.Format(time.DateOnly)))
	}
	if len(milestones) > 0 {
		b.WriteString("    section Themes\n")
		b.WriteString(strings.Join(milestones, ""))
	}
	return b.String()
}

// workStart is when a part's work can begin: the start of the cycle of the
// first release its effort is allocated to (the previous release of the
// same kind on its track, or the plan's start), and not before the part is
// ready.
func (v planView) workStart(it roadmap.Item, planStart time.Time) time.Time {
	if len(it.Allocations) == 0 {
		return it.ReadyDate
	}
	first := it.Allocations[0]
	for _, a := range it.Allocations {
		if a.Date.Before(first.Date) {
			first = a
		}
	}
	// the cycle is between releases of the same kind: a quarterly
	// firmware release's capacity accrues over the quarter, not since the
	// last hotfix window
	hotfix := false
	for _, r := range v.plan.Releases {
		if r.Track == it.Track && r.Name == first.Release && r.Date.Equal(first.Date) {
			hotfix = r.Hotfix
		}
	}
	start := planStart
	for _, r := range v.plan.Releases {
		if r.Track == it.Track && r.Hotfix == hotfix && r.Date.Before(first.Date) && r.Date.After(start) {
			start = r.Date
		}
	}
	if it.ReadyDate.After(start) {
		return it.ReadyDate
	}
	return start
}
