package rice

import (
	"fmt"
	"io"
	"strconv"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
)

// changeJSON is one row of the --baseline JSON contract. Ranks and scores are
// null on the side where the feature does not exist.
type changeJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Change     string   `json:"change"`
	OldRank    *int     `json:"old_rank"`
	NewRank    *int     `json:"new_rank"`
	RankDelta  int      `json:"rank_delta"`
	OldScore   *float64 `json:"old_score"`
	NewScore   *float64 `json:"new_score"`
	ScoreDelta float64  `json:"score_delta"`
}

type comparisonSummary struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

func summarize(changes []rice.Change) comparisonSummary {
	var s comparisonSummary
	for _, c := range changes {
		switch c.Kind {
		case rice.Added:
			s.Added++
		case rice.Removed:
			s.Removed++
		case rice.Changed:
			s.Changed++
		default:
			s.Unchanged++
		}
	}
	return s
}

func toChangeJSON(c rice.Change) changeJSON {
	j := changeJSON{ID: c.ID, Title: c.Title, Change: string(c.Kind), RankDelta: c.RankDelta, ScoreDelta: c.ScoreDelta}
	if c.Kind != rice.Added {
		j.OldRank, j.OldScore = &c.OldRank, &c.OldScore
	}
	if c.Kind != rice.Removed {
		j.NewRank, j.NewScore = &c.NewRank, &c.NewScore
	}
	return j
}

// movement is the CHANGE cell: ▲ up, ▼ down, new, removed or =.
func movement(c rice.Change) string {
	switch {
	case c.Kind == rice.Added:
		return "new"
	case c.Kind == rice.Removed:
		return "removed"
	case c.RankDelta > 0:
		return "▲ " + strconv.Itoa(c.RankDelta)
	case c.RankDelta < 0:
		return "▼ " + strconv.Itoa(-c.RankDelta)
	}
	return "="
}

func comparisonTable(changes []rice.Change, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{
		{Header: "RANK", Right: true}, {Header: "ID"}, {Header: "TITLE"}, {Header: "CHANGE"},
		{Header: "WAS", Right: true}, {Header: "SCORE", Right: true}, {Header: "Δ SCORE", Right: true},
	}}
	num := func(f float64) string {
		if exact {
			return render.Exact(f)
		}
		return render.Number(f, 1)
	}
	for _, c := range changes {
		rank, was, score, delta := "", "", "", ""
		if c.Kind != rice.Removed {
			rank, score = strconv.Itoa(c.NewRank), num(c.NewScore)
		}
		if c.Kind != rice.Added {
			was = strconv.Itoa(c.OldRank)
		}
		if c.Kind == rice.Changed || c.Kind == rice.Unchanged {
			delta = num(c.ScoreDelta)
			if c.ScoreDelta > 0 {
				delta = "+" + delta
			}
		}
		t.Append(rank, c.ID, c.Title, movement(c), was, score, delta)
	}
	t.Tone = func(row, col int) render.Tone {
		if col != 3 {
			return render.Plain
		}
		c := changes[row]
		switch {
		case c.Kind == rice.Added || c.RankDelta > 0:
			return render.Good
		case c.Kind == rice.Removed || c.RankDelta < 0:
			return render.Bad
		}
		return render.Muted
	}
	return t
}

func writeComparison(w io.Writer, format render.Format, changes []rice.Change, ranked []rice.Scored, opts *RiceOptions, term render.Term) error {
	sum := summarize(changes)
	switch format {
	case render.FormatJSON, render.FormatYAML:
		doc := struct {
			Baseline string            `json:"baseline"`
			Summary  comparisonSummary `json:"summary"`
			Changes  []changeJSON      `json:"changes"`
		}{Baseline: opts.Baseline, Summary: sum, Changes: []changeJSON{}}
		for _, c := range changes {
			doc.Changes = append(doc.Changes, toChangeJSON(c))
		}
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		return comparisonTable(changes, true).CSV(w)
	case render.FormatMarkdown:
		return writeComparisonMarkdown(w, changes, ranked, opts, sum)
	}
	return comparisonTable(changes, false).Text(w, term)
}

// writeComparisonMarkdown writes the comment a reviewer wants on a planning
// pull request: what moved first, the full ranking folded away.
func writeComparisonMarkdown(w io.Writer, changes []rice.Change, ranked []rice.Scored, opts *RiceOptions, sum comparisonSummary) error {
	fmt.Fprintf(w, "## RICE ranking changes\n\n")
	fmt.Fprintf(w, "%d added, %d removed, %d changed, %d unchanged (compared with `%s`).\n\n",
		sum.Added, sum.Removed, sum.Changed, sum.Unchanged, opts.Baseline)
	var moved []rice.Change
	for _, c := range changes {
		if c.Kind != rice.Unchanged {
			moved = append(moved, c)
		}
	}
	if len(moved) == 0 {
		fmt.Fprintf(w, "The ranking is unchanged.\n")
	} else if err := comparisonTable(moved, false).Markdown(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n<details><summary>Full ranking</summary>\n\n")
	if err := rankingTable(opts.filter(ranked), false, false).Markdown(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n</details>\n")
	return err
}
