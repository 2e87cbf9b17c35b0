package kano

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/survey"
)

func kanoTable(a *survey.Analysis, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "CATEGORY"}, {Header: "LABEL", Hide: 3}, {Header: "N", Right: true},
		{Header: "A", Right: true}, {Header: "O", Right: true}, {Header: "M", Right: true}, {Header: "I", Right: true}, {Header: "R", Right: true, Hide: 4}, {Header: "Q", Right: true, Hide: 5},
		{Header: "BETTER", Right: true}, {Header: "WORSE", Right: true}, {Header: "FUNC", Right: true, Hide: 6}, {Header: "DYSF", Right: true, Hide: 7}, {Header: "IMPORTANCE", Right: true, Hide: 8}}}
	num := func(x float64) string {
		if exact {
			return render.Exact(x)
		}
		return render.Number(x, 2)
	}
	for _, r := range a.Features {
		cat := "too few answers"
		if r.Category != nil {
			cat = *r.Category
			if !r.Significant {
				cat += " (mixed)"
			}
		}
		imp := "-"
		if r.Importance != nil {
			imp = num(*r.Importance)
		}
		t.Append(r.Feature, cat, cmp.Or(r.Label, "-"), strconv.Itoa(r.N),
			strconv.Itoa(r.Counts["A"]), strconv.Itoa(r.Counts["O"]), strconv.Itoa(r.Counts["M"]), strconv.Itoa(r.Counts["I"]), strconv.Itoa(r.Counts["R"]), strconv.Itoa(r.Counts["Q"]),
			num(r.Better), num(r.Worse), num(r.FunctionalMean), num(r.DysfunctionalMean), imp)
	}
	if exact {
		for i, h := range []string{"feature", "category", "label", "answers", "a", "o", "m", "i", "r", "q", "better", "worse", "functional_mean", "dysfunctional_mean", "importance_mean"} {
			t.Columns[i].Header = h
		}
	}
	if !exact && !slices.ContainsFunc(a.Features, func(r survey.FeatureRow) bool { return r.Importance != nil }) {
		t.Columns = t.Columns[:len(t.Columns)-1] // no importance column in the survey
		for i := range t.Rows {
			t.Rows[i] = t.Rows[i][:len(t.Rows[i])-1]
		}
	}
	return t
}

// chartCoord rounds a coordinate half away from zero, as the table does,
// so the chart and the table never show 0.47 and 0.48 for the same 0.475.
func chartCoord(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64)
}

// kanoQuadrant is the better/worse diagram as a Mermaid quadrantChart:
// x = |worse| (dissatisfaction when absent), y = better (satisfaction when
// present).
func kanoQuadrant(a *survey.Analysis) string {
	var b strings.Builder
	b.WriteString("quadrantChart\n    title Kano: satisfaction (better) against dissatisfaction (|worse|)\n")
	b.WriteString("    x-axis Low dissatisfaction if absent --> High dissatisfaction if absent\n")
	b.WriteString("    y-axis Low satisfaction if present --> High satisfaction if present\n")
	b.WriteString("    quadrant-1 performance\n    quadrant-2 attractive\n    quadrant-3 indifferent\n    quadrant-4 must-be\n")
	for _, r := range a.Features {
		if r.TooFew {
			continue
		}
		fmt.Fprintf(&b, "    %s: [%s, %s]\n", render.MermaidText(r.Feature), chartCoord(math.Abs(r.Worse)), chartCoord(r.Better))
	}
	return b.String()
}

// Write writes the survey analysis in a format.
func Write(w io.Writer, format render.Format, a *survey.Analysis, term render.Term) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, a)
	case render.FormatCSV:
		return kanoTable(a, true).CSV(w)
	case cmdutil.FormatMermaid:
		_, err := io.WriteString(w, kanoQuadrant(a))
		return err
	}
	md := format == render.FormatMarkdown
	title := "Kano survey"
	if a.Segment != "" {
		title += " (segment " + a.Segment + ")"
	}
	var err error
	if md {
		fmt.Fprintf(w, "## %s\n\n", title)
		err = kanoTable(a, false).Markdown(w)
		fmt.Fprintf(w, "\n```mermaid\n%s```\n", kanoQuadrant(a))
	} else {
		fmt.Fprintf(w, "%s\n", strings.ToUpper(title))
		err = kanoTable(a, false).Text(w, term)
	}
	if err != nil {
		return err
	}
	list := func(head string, items []string) {
		if len(items) == 0 {
			return
		}
		if md {
			fmt.Fprintf(w, "\n**%s:** %s\n", head, strings.Join(items, ", "))
		} else {
			fmt.Fprintf(w, "\n%s", render.Wrap(head+": "+strings.Join(items, ", "), term.Width))
		}
	}
	var dis []string
	for _, m := range a.Disagree {
		dis = append(dis, fmt.Sprintf("%s is labelled %s, the survey says %s (%s)", m.Feature, m.Label, m.Says, m.Category))
	}
	list("Labels the survey disagrees with", dis)
	list("Backlog features without answers", a.NoAnswers)
	list("Survey features not in the backlog", a.NotInPlan)
	return nil
}
