// Package survey is the Kano survey use case: a survey export read,
// classified with pkg/kano and held against the backlog's kano: labels —
// what iotpm kano shows and what check, report and every command that
// ranks the backlog (kano: survey labels) use.
package survey

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/kano"
	"github.com/iotpm/iotpm/pkg/rice"
)

// DefaultMinAnswers is how many pairs of answers classify a feature.
const DefaultMinAnswers = 10

// Analysis is the survey's classification held against the backlog.
type Analysis struct {
	Survey    string       `json:"survey"`
	Form      string       `json:"form"`
	Segment   string       `json:"segment,omitempty"`
	Features  []FeatureRow `json:"features"`
	Disagree  []Mismatch   `json:"label_disagreements"`
	NoAnswers []string     `json:"backlog_features_without_answers"`
	NotInPlan []string     `json:"survey_features_not_in_backlog"`
	Segments  []string     `json:"segments,omitempty"`
	results   []kano.Result
}

// FeatureRow is one feature's classification from the survey.
type FeatureRow struct {
	Feature    string `json:"feature"`
	SurveyName string `json:"survey_name,omitempty"`
	Answers    int    `json:"answers"`
	// N is the answers that classify (questionable pairs left out): the
	// count min_answers and Fong's test use.
	N                 int            `json:"n"`
	Counts            map[string]int `json:"counts"`
	Category          *string        `json:"category"`
	Significant       bool           `json:"significant"`
	TooFew            bool           `json:"too_few_answers"`
	Label             string         `json:"label,omitempty"` // the backlog's kano:
	Better            float64        `json:"better"`
	Worse             float64        `json:"worse"`
	Strength          float64        `json:"strength"`
	FunctionalMean    float64        `json:"functional_mean"`
	FunctionalSD      float64        `json:"functional_sd"`
	DysfunctionalMean float64        `json:"dysfunctional_mean"`
	DysfunctionalSD   float64        `json:"dysfunctional_sd"`
	Importance        *float64       `json:"importance_mean"`
}

// Mismatch is a feature whose kano: label the survey significantly
// contradicts.
type Mismatch struct {
	Feature  string `json:"feature"`
	Label    string `json:"label"`
	Category string `json:"survey_category"`
	Says     string `json:"survey_says"`
}

// Analyze reads and classifies the survey kc names for a backlog (which
// may be nil). Bad rows past kc.MaxBadRows are problems; answers written
// as numbers without kc.Numbers are read like-first, with a warning.
func Analyze(kc planfile.KanoConfig, backlog *planfile.Backlog, segment string) (*Analysis, diag.List) {
	var problems diag.List
	path, maxBad, minAnswers := kc.Survey, kc.MaxBadRows, cmp.Or(kc.MinAnswers, DefaultMinAnswers)
	survey, st, err := export.ReadSurvey(path, export.SurveyReading{Questions: kc.Questions, Config: kc.File, Numbers: export.Numbering(kc.Numbers)})
	if err != nil {
		var re *export.RowError
		if errors.As(err, &re) {
			problems.Errorf(re.DiagKind(), re.Path, re.Line, 0, "%s", re.Reason)
		} else {
			problems.Errorf(diag.File, path, 0, 0, "%v", err)
		}
		return nil, problems
	}
	if st.Bad > maxBad {
		for _, e := range st.Errors {
			problems.Errorf(diag.Row, e.Path, e.Line, 0, "%s", e.Reason)
		}
		if st.Bad > len(st.Errors) {
			problems.Errorf(diag.Row, path, 0, 0, "… and %d more bad rows (fix them, or tolerate them with --max-bad-rows N)", st.Bad-len(st.Errors))
		}
		return nil, problems
	}
	// rows max_bad_rows tolerates are left out, and said so where they
	// are: each is a respondent's answers missing from every count
	for _, e := range st.Errors {
		problems.Warnf(diag.Row, e.Path, e.Line, 0, "%s; the row is left out, its answers in no count (bad rows: %d, max_bad_rows: %d)", e.Reason, st.Bad, maxBad)
	}
	if st.Bad > len(st.Errors) {
		problems.Warnf(diag.Row, path, 0, 0, "… and %d more bad rows left out", st.Bad-len(st.Errors))
	}
	a := &Analysis{Survey: path, Form: st.Form, Segment: segment, Features: []FeatureRow{}, Disagree: []Mismatch{}, NoAnswers: []string{}, NotInPlan: []string{}}
	if st.Numbered > 0 && kc.Numbers == "" {
		// mostly reverse is a survey read the wrong way: stop
		msg, reversed := numbersWarning(survey.Tallies(""), st.Numbered)
		if reversed {
			problems.Errorf(diag.Row, path, st.NumberedLine, 0, "%s", msg)
			return nil, problems
		}
		problems.Warnf(diag.Row, path, st.NumberedLine, 0, "%s", msg)
	}
	segs := survey.Segments()
	a.Segments = segs
	if segment != "" && !slices.Contains(segs, segment) {
		problems.Errorf(diag.Row, path, 0, 0, "no segment %q in the survey%s", segment, planfile.DidYouMeanText(segment, segs))
		return nil, problems
	}
	// survey names → backlog ids, compared as surveyKey does
	toID := map[string]string{}
	labels := map[string]string{}
	var ids []string
	if backlog != nil {
		for _, f := range backlog.Features {
			name := f.ID
			if n, ok := backlog.SurveyNames[f.ID]; ok {
				name = n
			}
			k := surveyKey(name)
			if other, dup := toID[k]; dup {
				problems.Errorf(diag.Plan, backlog.File, backlog.Positions[f.ID].Line, backlog.Positions[f.ID].Col,
					"features %s and %s both match the survey's %q; give one a survey: alias", other, f.ID, name)
				continue
			}
			toID[k] = f.ID
			labels[f.ID] = string(f.Kano)
			ids = append(ids, f.ID)
		}
		if problems.HasErrors() {
			return nil, problems
		}
	}
	answered := map[string]bool{}
	a.results = kano.AnalyzeTallies(survey.Tallies(segment), minAnswers)
	for _, r := range a.results {
		id, inBacklog := toID[surveyKey(r.Feature)]
		if !inBacklog {
			id = r.Feature // without a backlog, or not in it: the survey's own name
		}
		if backlog != nil && !inBacklog {
			why := planfile.DidYouMeanText(r.Feature, ids)
			// the survey names a backlog id whose survey: alias names
			// something else: say so, not "did you mean" the same word
			if i := slices.IndexFunc(ids, func(x string) bool { return surveyKey(x) == surveyKey(r.Feature) }); i >= 0 {
				why = fmt.Sprintf(" (the backlog's %s has survey: %q, so the survey's %q is not it; fix the alias or the survey)", ids[i], backlog.SurveyNames[ids[i]], r.Feature)
			}
			a.NotInPlan = append(a.NotInPlan, r.Feature+why)
		}
		answered[id] = true
		row := FeatureRow{Feature: id, Answers: r.Answers, N: r.N, Counts: map[string]int{}, Significant: r.Significant, TooFew: r.TooFew,
			Label: labels[id], Better: r.Better, Worse: r.Worse, Strength: r.Strength,
			FunctionalMean: r.FunctionalMean, FunctionalSD: r.FunctionalSD, DysfunctionalMean: r.DysfunctionalMean, DysfunctionalSD: r.DysfunctionalSD,
			Importance: r.Importance}
		if r.Feature != id {
			row.SurveyName = r.Feature
		}
		for _, c := range append(slices.Clone(kano.Categories), kano.Questionable) {
			row.Counts[string(c)] = r.Counts[c]
		}
		if r.Category != "" {
			c := r.Category
			row.Category = &c
		}
		a.Features = append(a.Features, row)
		label := labels[id]
		if inBacklog && r.Significant && label != "" && label != "survey" && kano.Label(r.Category) != label {
			a.Disagree = append(a.Disagree, Mismatch{Feature: id, Label: label, Category: r.Category, Says: cmp.Or(kano.Label(r.Category), kano.Category(r.Category).Name())})
		}
	}
	for _, id := range ids {
		if !answered[id] {
			a.NoAnswers = append(a.NoAnswers, id)
		}
	}
	slices.SortStableFunc(a.Features, func(x, y FeatureRow) int { return strings.Compare(x.Feature, y.Feature) })
	slices.Sort(a.NoAnswers)
	return a, problems
}

// numbersWarning says how answers written as numbers were read; reversed
// reports that most classified pairs came out reverse (R), the sign of a
// survey numbered the other way.
func numbersWarning(tallies map[string]*kano.Tally, numbered int) (msg string, reversed bool) {
	var rev, all int
	for _, t := range tallies {
		for f := range 5 {
			for d := range 5 {
				switch kano.Classify(kano.Answer(f+1), kano.Answer(d+1)) {
				case kano.Questionable:
				case kano.Reverse:
					rev += t.Pairs[f][d]
					all += t.Pairs[f][d]
				default:
					all += t.Pairs[f][d]
				}
			}
		}
	}
	how := "set kano: {numbers: dislike-first} in iotpm.yaml (or --numbers dislike-first) if the survey numbers them the other way, numbers: like-first if this is right"
	if reversed = all > 0 && 2*rev > all; reversed {
		return fmt.Sprintf("%d of %d classified pairs come out reverse (R) with the answers' numbers read 1 = I like it … 5 = I dislike it (the questionnaire's order): a survey numbered the other way reads like that; %s", rev, all, how), true
	}
	verb := "are"
	if numbered == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s of answers %s written as numbers, read 1 = I like it … 5 = I dislike it (the questionnaire's order); %s", render.Plural(numbered, "pair"), verb, how), false
}

// surveyKey is how survey feature names and backlog ids or aliases are
// compared: case and punctuation aside, so "QR pairing", "qr-pairing" and
// "QR_Pairing" are one feature.
func surveyKey(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// ResolveLabels gives the features labelled kano: survey their label
// from the survey's significant category (none when it is mixed, too few,
// indifferent or reverse), the survey being the one cfg names (cfg may be
// nil: no config, so no survey).
func ResolveLabels(cfg *planfile.Config, backlog *planfile.Backlog) diag.List {
	if backlog == nil || !slices.ContainsFunc(backlog.Features, func(x rice.Feature) bool { return x.Kano == "survey" }) {
		return nil
	}
	var diags diag.List
	if cfg == nil || cfg.Kano == nil {
		for _, x := range backlog.Features {
			if x.Kano == "survey" {
				pos := backlog.Positions[x.ID]
				diags.Errorf(diag.Plan, backlog.File, pos.Line, pos.Col, "feature %s: kano: survey needs a survey: kano: {survey: FILE} in iotpm.yaml", x.ID)
			}
		}
		return diags
	}
	minAnswers := cmp.Or(cfg.Kano.MinAnswers, DefaultMinAnswers)
	a, problems := Analyze(*cfg.Kano, backlog, "")
	diags = append(diags, problems...)
	if problems.HasErrors() {
		return diags
	}
	category := map[string]FeatureRow{}
	for _, r := range a.Features {
		category[r.Feature] = r
	}
	for i, x := range backlog.Features {
		if x.Kano != "survey" {
			continue
		}
		label, why := "", ""
		switch r, ok := category[x.ID]; {
		case !ok:
			why = "the survey has no answers for it"
		case r.TooFew:
			why = fmt.Sprintf("the survey has too few answers for it (%d < %d, questionable pairs left out)", r.N, minAnswers)
		case !r.Significant:
			why = fmt.Sprintf("the survey's result is mixed (%s)", *r.Category)
		default:
			if label = kano.Label(*r.Category); label == "" {
				why = fmt.Sprintf("customers find it %s (%s)", kano.Category(*r.Category).Name(), *r.Category)
			}
		}
		if why != "" {
			pos := backlog.Positions[x.ID]
			diags.Warnf(diag.Plan, backlog.File, pos.Line, pos.Col, "feature %s: kano: survey, but %s; it is unlabelled (not basic) until you label it or the survey decides", x.ID, why)
		}
		backlog.Features[i].Kano = rice.Kano(label)
	}
	return diags
}

// Gate fails when a feature's kano: label disagrees with the survey's
// significant category.
func Gate(a *Analysis) gate.Gate {
	g := gate.Gate{Name: "kano.labels_match", Unit: gate.Count, Threshold: "= 0 labels the survey disagrees with"}
	if a == nil {
		g.Detail = "no survey: add kano: {survey: FILE} to iotpm.yaml"
		return g
	}
	n := float64(len(a.Disagree))
	g.Value, g.Passed = &n, n == 0
	var names []string
	for _, m := range a.Disagree {
		names = append(names, fmt.Sprintf("%s: %s, survey %s", m.Feature, m.Label, m.Says))
	}
	g.Detail = strings.Join(names, "; ")
	return g
}
