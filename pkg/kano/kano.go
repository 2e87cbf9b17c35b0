// Package kano classifies features from a Kano survey: each respondent
// answers a functional question ("how do you feel if the product has it?")
// and a dysfunctional one ("…if it does not?") per feature, and the pair
// of answers is a category by the standard evaluation table (Kano et al.
// 1984; Berger et al. 1993):
//
//	functional \ dysfunctional   like  expect  neutral  tolerate  dislike
//	like                          Q     A       A        A         O
//	expect                        R     I       I        I         M
//	neutral                       R     I       I        I         M
//	tolerate                      R     I       I        I         M
//	dislike                       R     R       R        R         Q
//
// A attractive (a delighter), O one-dimensional (performance), M must-be
// (basic), I indifferent, R reverse, Q questionable. The package is pure:
// responses in, typed results out.
package kano

import (
	"cmp"
	"maps"
	"math"
	"slices"
)

// Answer is one of the five standard answers, in their order.
type Answer int

// The answers; the zero value is no answer.
const (
	Like Answer = iota + 1
	Expect
	Neutral
	Tolerate
	Dislike
)

// Category is a Kano category.
type Category string

// The categories.
const (
	Attractive   Category = "A"
	OneDim       Category = "O"
	MustBe       Category = "M"
	Indifferent  Category = "I"
	Reverse      Category = "R"
	Questionable Category = "Q"
)

// Categories lists the categories a feature can be classified as, in the
// order ties are broken: must-be before one-dimensional before attractive
// before indifferent before reverse.
var Categories = []Category{MustBe, OneDim, Attractive, Indifferent, Reverse}

var table = [5][5]Category{
	{Questionable, Attractive, Attractive, Attractive, OneDim},
	{Reverse, Indifferent, Indifferent, Indifferent, MustBe},
	{Reverse, Indifferent, Indifferent, Indifferent, MustBe},
	{Reverse, Indifferent, Indifferent, Indifferent, MustBe},
	{Reverse, Reverse, Reverse, Reverse, Questionable},
}

// Classify is the evaluation table.
func Classify(functional, dysfunctional Answer) Category {
	return table[functional-1][dysfunctional-1]
}

// Scores of the continuous analysis (DuMouchel, 1993): functional answers
// score like 4, expect 2, neutral 0, tolerate −1, dislike −2; dysfunctional
// answers the reverse way, like −2, expect −1, neutral 0, tolerate 2,
// dislike 4.
var (
	functionalScore    = [5]float64{4, 2, 0, -1, -2}
	dysfunctionalScore = [5]float64{-2, -1, 0, 2, 4}
)

// Response is one respondent's pair of answers on one feature.
type Response struct {
	Respondent    string
	Feature       string
	Segment       string
	Functional    Answer
	Dysfunctional Answer
	Importance    float64
	HasImportance bool
}

// Result is a feature's classification.
type Result struct {
	Feature string
	Answers int // pairs of answers, questionable ones included
	// N is the pairs that classify: Answers less the questionable ones.
	// min_answers and Fong's test count N.
	N      int
	Counts map[Category]int
	// Category is the most frequent of A, O, M, I, R (ties: M, O, A, I,
	// R); "M/O" when Fong's test finds the lead over the runner-up not
	// significant; "" when there are too few answers.
	Category    string
	Top, Second Category
	Significant bool
	TooFew      bool
	// Better = (A+O)/(A+O+M+I); Worse = −(O+M)/(A+O+M+I); Strength =
	// (A+O+M)/(answers − Q).
	Better, Worse, Strength float64
	// The continuous analysis: means and (sample) standard deviations of
	// the functional and dysfunctional scores.
	FunctionalMean, FunctionalSD       float64
	DysfunctionalMean, DysfunctionalSD float64
	Importance                         *float64 // mean, when given
}

// Share is a category's share of the answers.
func (r Result) Share(c Category) float64 {
	if r.Answers == 0 {
		return 0
	}
	return float64(r.Counts[c]) / float64(r.Answers)
}

// FongCritical is the critical difference of Fong's test (1996) at
// α = 0.1: the lead a − b of the top category over the second is
// significant when it is at least 1.65·√((a+b)(2n−a−b)/(2n)).
func FongCritical(a, b, n int) float64 {
	return 1.65 * math.Sqrt(float64(a+b)*float64(2*n-a-b)/float64(2*n))
}

// Tally is one feature's answers as the analysis needs them: how many
// respondents gave each (functional, dysfunctional) pair, and the sum of
// the importances given. A survey of any size is 25 counts a feature.
type Tally struct {
	Pairs         [5][5]int
	ImportanceSum float64
	ImportanceN   int
}

// Add counts one pair of answers (and its importance, when given).
func (t *Tally) Add(functional, dysfunctional Answer, importance float64, hasImportance bool) {
	t.Pairs[functional-1][dysfunctional-1]++
	if hasImportance {
		t.ImportanceSum += importance
		t.ImportanceN++
	}
}

// Merge adds another tally's counts.
func (t *Tally) Merge(o *Tally) {
	for f := range 5 {
		for d := range 5 {
			t.Pairs[f][d] += o.Pairs[f][d]
		}
	}
	t.ImportanceSum += o.ImportanceSum
	t.ImportanceN += o.ImportanceN
}

// Survey is a survey's tallies by segment ("" for answers without one) and
// feature.
type Survey struct {
	BySegment map[string]map[string]*Tally
}

// Add counts one respondent's pair on a feature.
func (s *Survey) Add(segment, feature string, functional, dysfunctional Answer, importance float64, hasImportance bool) {
	if s.BySegment == nil {
		s.BySegment = map[string]map[string]*Tally{}
	}
	byFeature := s.BySegment[segment]
	if byFeature == nil {
		byFeature = map[string]*Tally{}
		s.BySegment[segment] = byFeature
	}
	t := byFeature[feature]
	if t == nil {
		t = &Tally{}
		byFeature[feature] = t
	}
	t.Add(functional, dysfunctional, importance, hasImportance)
}

// Segments are the survey's named segments, sorted.
func (s *Survey) Segments() []string {
	var out []string
	for seg := range s.BySegment {
		if seg != "" {
			out = append(out, seg)
		}
	}
	slices.Sort(out)
	return out
}

// Tallies are one segment's tallies by feature, or every segment's merged
// when segment is "".
func (s *Survey) Tallies(segment string) map[string]*Tally {
	if segment != "" {
		return s.BySegment[segment]
	}
	out := map[string]*Tally{}
	for _, byFeature := range s.BySegment {
		for f, t := range byFeature {
			if out[f] == nil {
				out[f] = &Tally{}
			}
			out[f].Merge(t)
		}
	}
	return out
}

// Analyze classifies every feature of the responses, in feature order.
// A feature with fewer than minAnswers pairs that classify (questionable
// ones left out) is reported as too few, never classified.
func Analyze(responses []Response, minAnswers int) []Result {
	var s Survey
	for _, r := range responses {
		s.Add("", r.Feature, r.Functional, r.Dysfunctional, r.Importance, r.HasImportance)
	}
	return AnalyzeTallies(s.Tallies(""), minAnswers)
}

// AnalyzeTallies classifies every feature of the tallies, in feature
// order, as Analyze does.
func AnalyzeTallies(tallies map[string]*Tally, minAnswers int) []Result {
	features := slices.Sorted(maps.Keys(tallies))
	out := make([]Result, 0, len(features))
	for _, f := range features {
		out = append(out, analyze(f, tallies[f], minAnswers))
	}
	return out
}

func analyze(feature string, t *Tally, minAnswers int) Result {
	res := Result{Feature: feature, Counts: map[Category]int{}}
	var fCounts, dCounts [5]int
	for f := range 5 {
		for d := range 5 {
			n := t.Pairs[f][d]
			res.Answers += n
			res.Counts[Classify(Answer(f+1), Answer(d+1))] += n
			fCounts[f] += n
			dCounts[d] += n
		}
	}
	for c, n := range res.Counts {
		if n == 0 {
			delete(res.Counts, c) // as before: only the categories answered
		}
	}
	res.FunctionalMean, res.FunctionalSD = meanSD(fCounts, functionalScore)
	res.DysfunctionalMean, res.DysfunctionalSD = meanSD(dCounts, dysfunctionalScore)
	if t.ImportanceN > 0 {
		m := t.ImportanceSum / float64(t.ImportanceN)
		res.Importance = &m
	}
	a, o, m, i := res.Counts[Attractive], res.Counts[OneDim], res.Counts[MustBe], res.Counts[Indifferent]
	if d := a + o + m + i; d > 0 {
		res.Better = float64(a+o) / float64(d)
		res.Worse = -float64(o+m) / float64(d)
	}
	n := res.Answers - res.Counts[Questionable]
	res.N = n
	if n > 0 {
		res.Strength = float64(a+o+m) / float64(n)
	}
	// a contradictory pair says nothing about the feature: it does not
	// count toward the answers a classification needs
	if n < minAnswers || n == 0 {
		res.TooFew = true
		return res
	}
	ranked := slices.Clone(Categories)
	slices.SortStableFunc(ranked, func(x, y Category) int { return cmp.Compare(res.Counts[y], res.Counts[x]) })
	res.Top, res.Second = ranked[0], ranked[1]
	top, second := res.Counts[res.Top], res.Counts[res.Second]
	res.Significant = float64(top-second) >= FongCritical(top, second, n)
	res.Category = string(res.Top)
	if !res.Significant {
		res.Category = string(res.Top) + "/" + string(res.Second)
	}
	return res
}

// meanSD is the mean and the sample standard deviation of scores given
// counts[k] times each.
func meanSD(counts [5]int, scores [5]float64) (float64, float64) {
	n, sum := 0, 0.0
	for k, c := range counts {
		n += c
		sum += float64(c) * scores[k]
	}
	if n == 0 {
		return 0, 0
	}
	mean := sum / float64(n)
	if n < 2 {
		return mean, 0
	}
	ss := 0.0
	for k, c := range counts {
		ss += float64(c) * (scores[k] - mean) * (scores[k] - mean)
	}
	return mean, math.Sqrt(ss / float64(n-1))
}

// Label is the features.yaml kano: label of a category (basic,
// performance, delighter), "" for indifferent, reverse and mixed ones.
func Label(category string) string {
	switch Category(category) {
	case MustBe:
		return "basic"
	case OneDim:
		return "performance"
	case Attractive:
		return "delighter"
	}
	return ""
}

// Name is a category's word.
func (c Category) Name() string {
	return map[Category]string{Attractive: "attractive", OneDim: "one-dimensional", MustBe: "must-be",
		Indifferent: "indifferent", Reverse: "reverse", Questionable: "questionable"}[c]
}
