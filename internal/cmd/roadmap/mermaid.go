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
	var track rice.Track
	for _, bar := range v.bars(cal) {
		if bar.Track != track {
			track = bar.Track
			fmt.Fprintf(&b, "    section %s\n", trackTitle(track))
		}
		prefix := map[rice.Track]string{rice.Hardware: "hw", rice.Firmware: "fw", rice.Cloud: "cl"}[track]
		id := render.MermaidID(prefix, bar.Feature)
		if bar.Ready.Before(bar.Start) {
			// ready before its work could start: a marker, so the bar
			// is the work and the wait shows
			fmt.Fprintf(&b, "    %s ready :milestone, %s_ready, %s, 0d\n", render.MermaidText(bar.Title), id, bar.Ready.Format(time.DateOnly))
		}
		fmt.Fprintf(&b, "    %s (%s) :%s, %s, %s\n", render.MermaidText(bar.Title), render.MermaidText(bar.Release), id, bar.Start.Format(time.DateOnly), bar.End.Format(time.DateOnly))
		if !bar.LeadEnd.IsZero() {
			// the bar holds the work, the lead time after it and any
			// wait for the release: a marker where the lead time ends
			fmt.Fprintf(&b, "    %s lead time ends :milestone, %s_lead, %s, 0d\n", render.MermaidText(bar.Title), id, bar.LeadEnd.Format(time.DateOnly))
		}
		if !bar.Components.IsZero() {
			// long-lead components ordered when it was ready
			fmt.Fprintf(&b, "    %s components arrive :milestone, %s_components, %s, 0d\n", render.MermaidText(bar.Title), id, bar.Components.Format(time.DateOnly))
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
		switch {
		case t.AtRisk:
			title += " (at risk)"
			tags = "crit, milestone"
		case t.Late:
			title += " (late)"
			tags = "crit, milestone"
		case v.sim != nil && v.sim.LikelyLate(t):
			title += " (likely late)"
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

// Bar is a part of the plan as a gantt draws it: from when its work can
// start to when it ships (a day at least), with when it was ready and,
// for a part with a lead time, the day it ends (its work done plus the
// lead time; zero without one).
type Bar struct {
	Track             rice.Track
	Feature, Title    string
	Release           string
	Start, End, Ready time.Time
	LeadEnd           time.Time
	// Components is when its long-lead components arrive (ready plus its
	// component lead; zero without one).
	Components time.Time
}

// Bars are the plan's parts as gantt bars, track by track (hardware,
// firmware, cloud) in the plan's order: what the Mermaid gantt and the
// HTML report's chart draw.
func Bars(plan roadmap.Plan, cal *roadmap.Calendar) []Bar {
	all := func(string) bool { return true }
	v := planView{plan: plan, tracks: rice.Tracks, keep: func(string, rice.Track) bool { return true }, themeOK: all}
	return v.bars(cal)
}

func (v planView) bars(cal *roadmap.Calendar) []Bar {
	var out []Bar
	items := v.items()
	for _, track := range v.tracks {
		for _, it := range items {
			if it.Track != track {
				continue
			}
			start := v.workStart(it, cal.Start)
			end := it.ShipDate
			if !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			bar := Bar{Track: track, Feature: it.Feature, Title: it.Title, Release: it.Release, Start: start, End: end, Ready: it.ReadyDate}
			if it.LeadDays > 0 && !it.WorkDone.IsZero() {
				bar.LeadEnd = it.WorkDone.AddDate(0, 0, it.LeadDays)
			}
			if it.ComponentLeadDays > 0 {
				bar.Components = it.ReadyDate.AddDate(0, 0, it.ComponentLeadDays)
			}
			out = append(out, bar)
		}
	}
	return out
}

// workStart is when a part's work can begin: the day the cycle of the
// first release its effort is allocated to opens (roadmap.Release.Opens),
// and not before the part is ready.
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
	start := planStart
	for _, r := range v.plan.Releases {
		if r.Track == it.Track && r.Name == first.Release && r.Date.Equal(first.Date) {
			start = r.Opens
		}
	}
	if it.ReadyDate.After(start) {
		return it.ReadyDate
	}
	return start
}
