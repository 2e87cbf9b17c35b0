package kano

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/kano"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/spf13/cobra"
)

// KanoOptions are the inputs of `iotpm kano`.
type KanoOptions struct {
	Factory    *cmdutil.Factory
	Survey     string
	Segment    string
	MinAnswers int
	MaxBadRows int
	set        func(string) bool
}

// DefaultMinAnswers is how many pairs of answers classify a feature.
const DefaultMinAnswers = 10

// NewCmdKano builds `iotpm kano`.
func NewCmdKano(f *cmdutil.Factory, runF func(*KanoOptions) error) *cobra.Command {
	opts := &KanoOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "kano [SURVEY]",
		Short: "Classify features from a Kano survey; check the backlog's labels",
		Long: `Read a Kano survey export (long: respondent, feature, functional,
dysfunctional[, importance][, segment]; or wide, as survey tools export it: a
row per respondent, FEATURE functional / FEATURE dysfunctional columns) and
classify each feature with the standard evaluation table: A attractive
(delighter), O one-dimensional (performance), M must-be (basic), I
indifferent, R reverse, Q questionable. The category is the most frequent of
A, O, M, I, R (ties: M, O, A, I); when Fong's test finds the lead over the
runner-up not significant it is mixed (M/O). Also the satisfaction
coefficients better and worse, the total strength, the continuous analysis
(mean and SD of the functional and dysfunctional scores) and, with an
importance column, its mean.

Then the backlog is held to it: features whose kano: label disagrees with
the survey's significant category, backlog features without answers, and
survey features not in the backlog. A feature with kano: survey takes its
label from the survey. SURVEY defaults to kano.survey in iotpm.yaml.`,
		Example: `  iotpm kano -C examples/leak-sensor
  iotpm kano survey/kano.csv --segment insurer -o markdown`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Survey = args[0]
			}
			opts.set = cmd.Flags().Changed
			if opts.MinAnswers < 1 || opts.MaxBadRows < 0 {
				return cmdutil.UsageErrorf("--min-answers must be 1 or more and --max-bad-rows 0 or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return kanoRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Segment, "segment", "", "only the respondents of this segment")
	cmd.Flags().IntVar(&opts.MinAnswers, "min-answers", DefaultMinAnswers, "classify a feature only with at least N pairs of answers")
	cmd.Flags().IntVar(&opts.MaxBadRows, "max-bad-rows", 0, "tolerate up to N bad rows (reported, skipped)")
	cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return []string{"csv", "gz"}, cobra.ShellCompDirectiveFilterFileExt
	}
	_ = cmd.RegisterFlagCompletionFunc("segment", func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		opts.set = c.Flags().Changed
		if len(args) == 1 {
			opts.Survey = args[0]
		}
		cfg, _ := f.Config()
		path, questions, _, _, err := opts.surveyConfig(cfg)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		survey, _, err := export.ReadSurvey(path, questions)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return survey.Segments(), cobra.ShellCompDirectiveNoFileComp
	})
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

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

// Analyze reads and classifies the survey for a backlog (which may
// be nil). Bad rows past maxBad are problems.
func Analyze(path string, questions map[string]string, backlog *planfile.Backlog, segment string, minAnswers, maxBad int) (*Analysis, diag.List) {
	var problems diag.List
	survey, st, err := export.ReadSurvey(path, questions)
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
	a := &Analysis{Survey: path, Form: st.Form, Segment: segment, Features: []FeatureRow{}, Disagree: []Mismatch{}, NoAnswers: []string{}, NotInPlan: []string{}}
	segs := survey.Segments()
	a.Segments = segs
	if segment != "" && !slices.Contains(segs, segment) {
		problems.Errorf(diag.Row, path, 0, 0, "no segment %q in the survey%s", segment, cmdutil.DidYouMean(segment, segs))
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
			why := cmdutil.DidYouMean(r.Feature, ids)
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

// surveyConfig returns the survey path and its reading settings from the
// flags over iotpm.yaml.
func (o *KanoOptions) surveyConfig(cfg *planfile.Config) (path string, questions map[string]string, minAnswers, maxBad int, err error) {
	minAnswers, maxBad = o.MinAnswers, o.MaxBadRows
	if cfg != nil && cfg.Kano != nil {
		path, questions = cfg.Kano.Survey, cfg.Kano.Questions
		if cfg.Kano.MinAnswers > 0 && !o.set("min-answers") {
			minAnswers = cfg.Kano.MinAnswers
		}
		if !o.set("max-bad-rows") {
			maxBad = cfg.Kano.MaxBadRows
		}
	}
	if o.Survey != "" {
		path = o.Factory.Path(o.Survey)
	}
	if path == "" {
		return "", nil, 0, 0, cmdutil.UsageErrorf("name the survey: iotpm kano SURVEY.csv, or kano: {survey: …} in iotpm.yaml")
	}
	return path, questions, minAnswers, maxBad, nil
}

func kanoRun(opts *KanoOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.ChartFormats)
	if err != nil {
		return err
	}
	cfg, diags := f.Config()
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	path, questions, minAnswers, maxBad, err := opts.surveyConfig(cfg)
	if err != nil {
		return err
	}
	var backlog *planfile.Backlog
	if _, statErr := os.Stat(cfg.Features); statErr == nil {
		var d diag.List
		backlog, d = planfile.LoadFeatures(cfg.Features)
		if err := cmdutil.ReportProblems(f, d); err != nil {
			return err
		}
	}
	a, problems := Analyze(path, questions, backlog, opts.Segment, minAnswers, maxBad)
	if err := cmdutil.ReportProblems(f, problems); err != nil {
		return err
	}
	return cmdutil.Emit(f, func(w *bytes.Buffer) error { return Write(w, format, a, f.Term()) })
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
// indifferent or reverse).
func ResolveLabels(f *cmdutil.Factory, backlog *planfile.Backlog) diag.List {
	if backlog == nil || !slices.ContainsFunc(backlog.Features, func(x rice.Feature) bool { return x.Kano == "survey" }) {
		return nil
	}
	var diags diag.List
	cfg, _ := f.Config()
	if cfg == nil || cfg.Kano == nil {
		for _, x := range backlog.Features {
			if x.Kano == "survey" {
				pos := backlog.Positions[x.ID]
				diags.Errorf(diag.Plan, backlog.File, pos.Line, pos.Col, "feature %s: kano: survey needs a survey: kano: {survey: FILE} in iotpm.yaml", x.ID)
			}
		}
		return diags
	}
	minAnswers := DefaultMinAnswers
	if cfg.Kano.MinAnswers > 0 {
		minAnswers = cfg.Kano.MinAnswers
	}
	a, problems := Analyze(cfg.Kano.Survey, cfg.Kano.Questions, backlog, "", minAnswers, cfg.Kano.MaxBadRows)
	if problems.HasErrors() {
		return problems
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
