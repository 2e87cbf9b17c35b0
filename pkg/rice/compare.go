package rice

import "slices"

// ChangeKind classifies a feature when two versions of a backlog are compared.
type ChangeKind string

// The kinds of change Compare reports.
const (
	Added     ChangeKind = "added"
	Removed   ChangeKind = "removed"
	Changed   ChangeKind = "changed"
	Unchanged ChangeKind = "unchanged"
)

// Change is one feature's movement between a baseline ranking and the
// current one. Ranks are 0 where the feature is absent from that side.
// RankDelta is positive when the feature moved up (its rank number fell).
type Change struct {
	ID         string
	Title      string
	Kind       ChangeKind
	OldRank    int
	NewRank    int
	OldScore   float64
	NewScore   float64
	RankDelta  int
	ScoreDelta float64
}

// Compare lines up the current ranking against a baseline: the current
// features in rank order, then the removed ones in their old order.
func Compare(baseline, current []Scored) []Change {
	old := make(map[string]Scored, len(baseline))
	for _, s := range baseline {
		old[s.ID] = s
	}
	var out []Change
	for _, s := range current {
		c := Change{ID: s.ID, Title: s.Title, NewRank: s.Rank, NewScore: s.Score, Kind: Added}
		if o, ok := old[s.ID]; ok {
			c.OldRank, c.OldScore = o.Rank, o.Score
			c.RankDelta = o.Rank - s.Rank
			c.ScoreDelta = s.Score - o.Score
			c.Kind = Unchanged
			if c.RankDelta != 0 || c.ScoreDelta != 0 {
				c.Kind = Changed
			}
		}
		out = append(out, c)
	}
	for _, o := range baseline {
		if !slices.ContainsFunc(current, func(s Scored) bool { return s.ID == o.ID }) {
			out = append(out, Change{ID: o.ID, Title: o.Title, Kind: Removed, OldRank: o.Rank, OldScore: o.Score})
		}
	}
	return out
}
