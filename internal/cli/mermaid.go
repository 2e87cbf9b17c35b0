package cli

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

var mermaidUnsafe = regexp.MustCompile(`[:;#{}\n\r]`)

// mermaidText makes a task or milestone title safe: Mermaid's gantt syntax
// ends a title at ':' and treats ';' and '#' specially.
func mermaidText(s string) string {
	return strings.TrimSpace(mermaidUnsafe.ReplaceAllString(s, " "))
}

func mermaidID(prefix, s string) string {
	return prefix + "_" + regexp.MustCompile(`[^a-zA-Z0-9]`).ReplaceAllString(s, "_")
}

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
		for _, it := range ts {
			end := it.ShipDate
			if !end.After(it.ReadyDate) {
				end = it.ReadyDate.AddDate(0, 0, 1)
			}
			fmt.Fprintf(&b, "    %s (%s) :%s, %s, %s\n", mermaidText(it.Title), mermaidText(it.Release),
				mermaidID(map[rice.Track]string{rice.Hardware: "hw", rice.Firmware: "fw", rice.Cloud: "cl"}[track], it.Feature), it.ReadyDate.Format(time.DateOnly), end.Format(time.DateOnly))
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
		milestones = append(milestones, fmt.Sprintf("    %s :%s, %s, %s, 0d\n", mermaidText(title), tags, mermaidID("th", t.ID), t.Complete.Format(time.DateOnly)))
	}
	if len(milestones) > 0 {
		b.WriteString("    section Themes\n")
		b.WriteString(strings.Join(milestones, ""))
	}
	return b.String()
}
