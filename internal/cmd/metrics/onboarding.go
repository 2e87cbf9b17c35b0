package metrics

import (
	"fmt"
	"io"
	"strings"

	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

func secondsOr(v *float64) string {
	if v == nil {
		return "-"
	}
	return render.Seconds(*v)
}

// onboardingRows adds the funnel's three gated metrics to the summary.
func onboardingRows(o *fleetmetrics.Onboarding, row func(name, key, value, numerator, denominator, note string)) {
	count := func(n int) string { return render.Number(float64(n), 0) }
	note := fmt.Sprintf("%s, %s completed on a retry", render.Plural(o.Users, "user"), count(o.Retried))
	if o.Reason != "" {
		note = o.Reason
	}
	if o.Open > 0 {
		// said with the reason too: "no attempt" with every attempt still
		// open is data too recent, not a funnel nobody started
		note += fmt.Sprintf("; %s still open left out", render.Plural(o.Open, "attempt"))
	}
	row("setup completion", string(metrics.OnboardingCompletion), pctOr(o.Completion, 1), count(o.Completed), count(o.Attempts), note)
	note = "median " + secondsOr(o.MedianSeconds) + ", nearest rank"
	if o.P90Seconds == nil {
		note = "no completed attempt"
	}
	row("  time to pair p90", string(metrics.OnboardingP90), secondsOr(o.P90Seconds), "", count(o.Completed), note)
	row("  paired within "+render.Seconds(o.TargetSeconds), string(metrics.OnboardingWithinTarget), pctOr(o.WithinTarget, 1), count(o.InTarget), count(o.Completed), "of completed attempts")
}

// writeOnboarding writes the funnel's sections: the steps (and, in
// Markdown, a bar chart), the join to the fleet, by week, by segment.
func writeOnboarding(w io.Writer, o *fleetmetrics.Onboarding, md bool, section func(string, *render.Table) error) error {
	count := func(n int) string { return render.Number(float64(n), 0) }
	t := &render.Table{Columns: []render.Column{{Header: "STEP"}, {Header: "ATTEMPTS", Right: true}, {Header: "FROM PREVIOUS", Right: true},
		{Header: "FROM FIRST", Right: true}, {Header: "DROP-OFF", Right: true}, {Header: "", Hide: 1}}}
	for i, st := range o.Steps {
		drop := count(st.DropOff)
		if i == 0 {
			drop = "-"
		}
		bar := ""
		if len(o.Steps) > 0 && o.Steps[0].Attempts > 0 {
			bar = render.Bar(float64(st.Attempts), float64(o.Steps[0].Attempts), 20)
		}
		t.Append(st.Step, count(st.Attempts), pctOr(st.FromPrevious, 1), pctOr(st.FromFirst, 1), drop, bar)
	}
	title := fmt.Sprintf("Setup funnel (attempts of at most %s, started in the window)", render.Seconds(o.WithinSeconds))
	if err := section(title, t); err != nil {
		return err
	}
	if md && len(o.Steps) > 0 {
		fmt.Fprintf(w, "\n```mermaid\n%s```\n", funnelChart(o))
	}
	if fl := o.Fleet; fl != nil {
		t := &render.Table{Columns: []render.Column{{Header: "SHIPPED IN WINDOW", Right: true}, {Header: "STARTED SETUP", Right: true},
			{Header: "COMPLETED SETUP", Right: true}, {Header: "ACTIVATED", Right: true}, {Header: "COMPLETED, NOT ACTIVATED", Right: true, Hide: 1},
			{Header: "ACTIVATED WITHOUT SETUP", Right: true, Hide: 2}}}
		share := func(n int) string {
			if fl.Shipped == 0 {
				return count(n)
			}
			return fmt.Sprintf("%s (%s)", count(n), render.Percent(float64(n)/float64(fl.Shipped), 1))
		}
		t.Append(count(fl.Shipped), share(fl.Started), share(fl.Completed), share(fl.Activated), count(fl.CompletedNotActivated), count(fl.ActivatedNotStarted))
		if err := section("Setup joined to the fleet (units shipped in the window)", t); err != nil {
			return err
		}
		if note := uncoveredNote(fl); note != "" {
			if md {
				note = "\n" + note
			}
			fmt.Fprintln(w, note)
		}
	} else if o.FleetNote != "" {
		// why there is no join, where the join would be
		if md {
			fmt.Fprintf(w, "\n### Setup joined to the fleet\n\n%s\n", o.FleetNote)
		} else {
			fmt.Fprintf(w, "\nSETUP JOINED TO THE FLEET\n%s\n", o.FleetNote)
		}
	}
	groups := func(title, label string, gs []fleetmetrics.SetupGroup) error {
		if len(gs) == 0 {
			return nil
		}
		t := &render.Table{Columns: []render.Column{{Header: label}, {Header: "ATTEMPTS", Right: true}, {Header: "COMPLETION", Right: true},
			{Header: "MEDIAN", Right: true, Hide: 1}, {Header: "P90", Right: true}, {Header: "WITHIN " + strings.ToUpper(render.Seconds(o.TargetSeconds)), Right: true}}}
		for _, g := range gs {
			t.Append(g.Label, count(g.Attempts), pctOr(g.Completion, 1), secondsOr(g.MedianSeconds), secondsOr(g.P90Seconds), pctOr(g.WithinTarget, 1))
		}
		return section(title, t)
	}
	if err := groups("Setup by week (of the attempt's start)", "WEEK", o.ByWeek); err != nil {
		return err
	}
	return groups("Setup by segment", "SEGMENT", o.BySegment)
}

// uncoveredNote says which units the join's gaps leave out because the
// other input does not reach their activation or completion ("" when
// none): a reader of the table alone would otherwise take the started and
// completed shares at face value.
func uncoveredNote(fl *fleetmetrics.SetupFleet) string {
	var parts []string
	if fl.ActivatedBefore > 0 {
		parts = append(parts, fmt.Sprintf("%s activated before the onboarding rows start", render.Plural(fl.ActivatedBefore, "unit")))
	}
	if fl.ActivatedAfter > 0 {
		parts = append(parts, fmt.Sprintf("%s activated after the onboarding rows end", render.Plural(fl.ActivatedAfter, "unit")))
	}
	if fl.CompletedAfter > 0 {
		parts = append(parts, fmt.Sprintf("%s completed setup after the fleet's rows end", render.Plural(fl.CompletedAfter, "unit")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Not counted as gaps, the other input not covering them: " + strings.Join(parts, "; ") + " (see the warning)."
}

// funnelChart is the funnel as a Mermaid bar chart: attempts per step.
func funnelChart(o *fleetmetrics.Onboarding) string {
	var names, values []string
	for _, st := range o.Steps {
		names = append(names, fmt.Sprintf("%q", render.MermaidText(st.Step)))
		values = append(values, fmt.Sprint(st.Attempts))
	}
	return fmt.Sprintf("xychart-beta\n  title \"Setup funnel: attempts reaching each step\"\n  x-axis [%s]\n  y-axis \"attempts\"\n  bar [%s]\n",
		strings.Join(names, ", "), strings.Join(values, ", "))
}
