package kano

import (
	"math"
	"strings"
	"testing"
)

// The published evaluation table (Berger et al. 1993, table 1), cell by
// cell: rows are the functional answer, columns the dysfunctional one,
// both in the order like, expect, neutral, tolerate, dislike.
func TestEvaluationTable(t *testing.T) {
	published := `
like:      Q A A A O
expect:    R I I I M
neutral:   R I I I M
tolerate:  R I I I M
dislike:   R R R R Q`
	rows := strings.Split(strings.TrimSpace(published), "\n")
	for f, row := range rows {
		cells := strings.Fields(row)[1:]
		for d, want := range cells {
			if got := Classify(Answer(f+1), Answer(d+1)); string(got) != want {
				t.Errorf("functional %d, dysfunctional %d: %s, want %s", f+1, d+1, got, want)
			}
		}
	}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-4 {
		t.Errorf("%s = %.6f, want %.6f", what, got, want)
	}
}

// responses makes n respondents answering (f, d) on a feature.
func responses(feature string, n int, f, d Answer, start int) []Response {
	var out []Response
	for i := range n {
		out = append(out, Response{Respondent: "r" + string(rune('a'+start+i)), Feature: feature, Functional: f, Dysfunctional: d, Importance: 4, HasImportance: true})
	}
	return out
}

// Three features × 20 respondents, worked out by hand.
//
// alpha: 12 M (expect, dislike), 5 O (like, dislike), 3 I (neutral,
// neutral). n = 20. Top M 12, second O 5; Fong's critical difference
// 1.65·√(17·23/40) = 5.1587; the lead 7 is significant: M.
// better = 5/20 = 0.25; worse = −17/20 = −0.85; strength = 17/20.
// Functional scores 2×12, 4×5, 0×3: mean 44/20 = 2.2, sample SD
// √(31.2/19) = 1.2814. Dysfunctional 4×17, 0×3: mean 3.4, SD √(40.8/19) =
// 1.4654.
//
// beta: 8 A (like, neutral), 8 O, 4 I. A tie: broken M > O > A, so O
// leads A; a lead of 0 is never significant: "O/A". better = 16/20 = 0.8,
// worse = −8/20 = −0.4.
//
// gamma: 9 A, 6 I, 3 M, 2 Q (like, like). n = 18 without Q. Top A 9,
// second I 6; critical 1.65·√(15·21/36) = 4.8808 > lead 3: "A/I".
// better = 9/18 = 0.5, worse = −3/18, strength = 12/18.
func TestHandComputedFeatures(t *testing.T) {
	var rs []Response
	rs = append(rs, responses("alpha", 12, Expect, Dislike, 0)...)
	rs = append(rs, responses("alpha", 5, Like, Dislike, 12)...)
	rs = append(rs, responses("alpha", 3, Neutral, Neutral, 17)...)
	rs = append(rs, responses("beta", 8, Like, Neutral, 0)...)
	rs = append(rs, responses("beta", 8, Like, Dislike, 8)...)
	rs = append(rs, responses("beta", 4, Neutral, Neutral, 16)...)
	rs = append(rs, responses("gamma", 9, Like, Neutral, 0)...)
	rs = append(rs, responses("gamma", 6, Neutral, Neutral, 9)...)
	rs = append(rs, responses("gamma", 3, Expect, Dislike, 15)...)
	rs = append(rs, responses("gamma", 2, Like, Like, 18)...)
	rs = append(rs, responses("delta", 5, Like, Dislike, 0)...) // too few
	got := Analyze(rs, 10)
	if len(got) != 4 {
		t.Fatalf("%d results", len(got))
	}
	alpha, beta, delta, gamma := got[0], got[1], got[2], got[3]

	if alpha.Category != "M" || !alpha.Significant || alpha.Answers != 20 {
		t.Errorf("alpha %s significant %v", alpha.Category, alpha.Significant)
	}
	near(t, "Fong critical for alpha", FongCritical(12, 5, 20), 5.1587)
	near(t, "alpha better", alpha.Better, 0.25)
	near(t, "alpha worse", alpha.Worse, -0.85)
	near(t, "alpha strength", alpha.Strength, 0.85)
	near(t, "alpha functional mean", alpha.FunctionalMean, 2.2)
	near(t, "alpha functional SD", alpha.FunctionalSD, 1.2814)
	near(t, "alpha dysfunctional mean", alpha.DysfunctionalMean, 3.4)
	near(t, "alpha dysfunctional SD", alpha.DysfunctionalSD, 1.4654)
	if alpha.Importance == nil || *alpha.Importance != 4 {
		t.Errorf("alpha importance %v", alpha.Importance)
	}

	if beta.Category != "O/A" || beta.Significant {
		t.Errorf("beta %s", beta.Category)
	}
	near(t, "beta better", beta.Better, 0.8)
	near(t, "beta worse", beta.Worse, -0.4)

	if gamma.Category != "A/I" || gamma.Significant || gamma.Counts[Questionable] != 2 {
		t.Errorf("gamma %s %v", gamma.Category, gamma.Counts)
	}
	near(t, "Fong critical for gamma", FongCritical(9, 6, 18), 4.8808)
	near(t, "gamma better", gamma.Better, 0.5)
	near(t, "gamma worse", gamma.Worse, -3.0/18)
	near(t, "gamma strength", gamma.Strength, 12.0/18)

	if !delta.TooFew || delta.Category != "" {
		t.Errorf("delta %+v", delta)
	}
	if Label("M") != "basic" || Label("O") != "performance" || Label("A") != "delighter" || Label("A/I") != "" || Label("I") != "" {
		t.Error("labels")
	}
}

// min_answers counts the pairs that classify: 10 answers of which 3 are
// questionable is n = 7, too few for 10, and enough for 7.
func TestMinAnswersLeavesOutQuestionable(t *testing.T) {
	var rs []Response
	for range 7 {
		rs = append(rs, Response{Feature: "f", Functional: 1, Dysfunctional: 5}) // like / dislike: O
	}
	for range 3 {
		rs = append(rs, Response{Feature: "f", Functional: 1, Dysfunctional: 1}) // like / like: Q
	}
	r := Analyze(rs, 10)[0]
	if !r.TooFew || r.N != 7 || r.Answers != 10 || r.Category != "" {
		t.Errorf("min 10: %+v", r)
	}
	if r := Analyze(rs, 7)[0]; r.TooFew || r.Category != "O" {
		t.Errorf("min 7: %+v", r)
	}
}
