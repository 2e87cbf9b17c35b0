package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/kano"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/spf13/cobra"
)

// KanoOptions are the inputs of `iotpm kano`.
type KanoOptions struct {
	Factory    *Factory
	Survey     string
	Segment    string
	MinAnswers int
	MaxBadRows int
	set        func(string) bool
}

// defaultMinAnswers is how many pairs of answers classify a feature.
const defaultMinAnswers = 10

// NewCmdKano builds `iotpm kano`.
func NewCmdKano(f *Factory, runF func(*KanoOptions) error) *cobra.Command {
	opts := &KanoOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "kano [SURVEY]",
		Short: "Classify features from a Kano survey, and check the backlog's kano: labels against it",
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
				return usageErrorf("--min-answers must be 1 or more and --max-bad-rows 0 or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return kanoRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Segment, "segment", "", "only the respondents of this segment")
	cmd.Flags().IntVar(&opts.MinAnswers, "min-answers", defaultMinAnswers, "classify a feature only with at least N pairs of answers")
	cmd.Flags().IntVar(&opts.MaxBadRows, "max-bad-rows", 0, "tolerate up to N bad rows (reported, skipped)")
	_ = cmd.MarkFlagFilename("survey", "csv", "gz")
	declareFormats(cmd, chartFormats)
	return cmd
}

// kanoAnalysis is the survey's classification held against the backlog.
type kanoAnalysis struct {
	Survey    string           `json:"survey"`
	Form      string           `json:"form"`
	Segment   string           `json:"segment,omitempty"`
	Features  []kanoFeatureRow `json:"features"`
	Disagree  []kanoMismatch   `json:"label_disagreements"`
	NoAnswers []string         `json:"backlog_features_without_answers"`
	NotInPlan []string         `json:"survey_features_not_in_backlog"`
	Segments  []string         `json:"segments,omitempty"`
	results   []kano.Result
}

type kanoFeatureRow struct {
	Feature           string         `json:"feature"`
	SurveyName        string         `json:"survey_name,omitempty"`
	Answers           int            `json:"answers"`
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

type kanoMismatch struct {
	Feature  string `json:"feature"`
	Label    string `json:"label"`
	Category string `json:"survey_category"`
	Says     string `json:"survey_says"`
}

// analyzeSurvey reads and classifies the survey for a backlog (which may
// be nil). Bad rows past maxBad are problems.
func analyzeSurvey(path string, questions map[string]string, backlog *planfile.Backlog, segment string, minAnswers, maxBad int) (*kanoAnalysis, diag.List) {
	var problems diag.List
	responses, st, err := export.ReadSurvey(path, questions)
	if err != nil {
		var re *export.RowError
		if errors.As(err, &re) {
			problems.Errorf(re.Path, re.Line, 0, "%s", re.Reason)
		} else {
			problems.Errorf(path, 0, 0, "%v", err)
		}
		return nil, problems
	}
	if st.Bad > maxBad {
		for _, e := range st.Errors {
			problems.Errorf(e.Path, e.Line, 0, "%s", e.Reason)
		}
		if st.Bad > len(st.Errors) {
			problems.Errorf(path, 0, 0, "… and %d more bad rows (fix them, or tolerate them with --max-bad-rows N)", st.Bad-len(st.Errors))
		}
		return nil, problems
	}
	a := &kanoAnalysis{Survey: path, Form: st.Form, Segment: segment, Features: []kanoFeatureRow{}, Disagree: []kanoMismatch{}, NoAnswers: []string{}, NotInPlan: []string{}}
	var segs []string
	for _, r := range responses {
		if r.Segment != "" && !slices.Contains(segs, r.Segment) {
			segs = append(segs, r.Segment)
		}
	}
	slices.Sort(segs)
	a.Segments = segs
	if segment != "" {
		if !slices.Contains(segs, segment) {
			problems.Errorf(path, 0, 0, "no segment %q in the survey%s", segment, didYouMeanText(segment, segs))
			return nil, problems
		}
		responses = slices.DeleteFunc(responses, func(r kano.Response) bool { return r.Segment != segment })
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
				problems.Errorf(backlog.File, backlog.Positions[f.ID].Line, backlog.Positions[f.ID].Col,
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
	a.results = kano.Analyze(responses, minAnswers)
	for _, r := range a.results {
		id, inBacklog := toID[surveyKey(r.Feature)]
		if backlog != nil && !inBacklog {
			a.NotInPlan = append(a.NotInPlan, r.Feature+didYouMeanText(r.Feature, ids))
			id = r.Feature
		}
		answered[id] = true
		row := kanoFeatureRow{Feature: id, Answers: r.Answers, Counts: map[string]int{}, Significant: r.Significant, TooFew: r.TooFew,
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
			a.Disagree = append(a.Disagree, kanoMismatch{Feature: id, Label: label, Category: r.Category, Says: cmp(kano.Label(r.Category), kano.Category(r.Category).Name())})
		}
	}
	for _, id := range ids {
		if !answered[id] {
			a.NoAnswers = append(a.NoAnswers, id)
		}
	}
	slices.SortStableFunc(a.Features, func(x, y kanoFeatureRow) int { return strings.Compare(x.Feature, y.Feature) })
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
		return "", nil, 0, 0, usageErrorf("name the survey: iotpm kano SURVEY.csv, or kano: {survey: …} in iotpm.yaml")
	}
	return path, questions, minAnswers, maxBad, nil
}

func kanoRun(opts *KanoOptions) error {
	f := opts.Factory
	format, err := f.Format(chartFormats)
	if err != nil {
		return err
	}
	cfg, diags := f.Config()
	if err := report(f, diags); err != nil {
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
		if err := report(f, d); err != nil {
			return err
		}
	}
	a, problems := analyzeSurvey(path, questions, backlog, opts.Segment, minAnswers, maxBad)
	if err := report(f, problems); err != nil {
		return err
	}
	return emit(f, func(w *bytes.Buffer) error { return writeKano(w, format, a, f.IO.ColorEnabled()) })
}

func kanoTable(a *kanoAnalysis, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "CATEGORY"}, {Header: "LABEL"}, {Header: "N", Right: true},
		{Header: "A", Right: true}, {Header: "O", Right: true}, {Header: "M", Right: true}, {Header: "I", Right: true}, {Header: "R", Right: true}, {Header: "Q", Right: true},
		{Header: "BETTER", Right: true}, {Header: "WORSE", Right: true}, {Header: "FUNC", Right: true}, {Header: "DYSF", Right: true}, {Header: "IMPORTANCE", Right: true}}}
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
		t.Append(r.Feature, cat, cmp(r.Label, "-"), strconv.Itoa(r.Answers),
			strconv.Itoa(r.Counts["A"]), strconv.Itoa(r.Counts["O"]), strconv.Itoa(r.Counts["M"]), strconv.Itoa(r.Counts["I"]), strconv.Itoa(r.Counts["R"]), strconv.Itoa(r.Counts["Q"]),
			num(r.Better), num(r.Worse), num(r.FunctionalMean), num(r.DysfunctionalMean), imp)
	}
	if exact {
		for i, h := range []string{"feature", "category", "label", "answers", "a", "o", "m", "i", "r", "q", "better", "worse", "functional_mean", "dysfunctional_mean", "importance_mean"} {
			t.Columns[i].Header = h
		}
	}
	if !exact && !slices.ContainsFunc(a.Features, func(r kanoFeatureRow) bool { return r.Importance != nil }) {
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
func kanoQuadrant(a *kanoAnalysis) string {
	var b strings.Builder
	b.WriteString("quadrantChart\n    title Kano: satisfaction (better) against dissatisfaction (|worse|)\n")
	b.WriteString("    x-axis Low dissatisfaction if absent --> High dissatisfaction if absent\n")
	b.WriteString("    y-axis Low satisfaction if present --> High satisfaction if present\n")
	b.WriteString("    quadrant-1 performance\n    quadrant-2 attractive\n    quadrant-3 indifferent\n    quadrant-4 must-be\n")
	for _, r := range a.Features {
		if r.TooFew {
			continue
		}
		fmt.Fprintf(&b, "    %s: [%s, %s]\n", mermaidText(r.Feature), chartCoord(math.Abs(r.Worse)), chartCoord(r.Better))
	}
	return b.String()
}

func writeKano(w io.Writer, format render.Format, a *kanoAnalysis, color bool) error {
	switch format {
	case render.FormatJSON:
		return render.JSON(w, a)
	case render.FormatYAML:
		return render.YAML(w, a)
	case render.FormatCSV:
		return kanoTable(a, true).CSV(w)
	case FormatMermaid:
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
		err = kanoTable(a, false).Text(w, color)
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
			fmt.Fprintf(w, "\n%s: %s\n", head, strings.Join(items, ", "))
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

// surveyKey is how survey feature names and backlog ids or aliases are
// compared: case and punctuation aside, so "QR pairing", "qr-pairing" and
// "QR_Pairing" are one feature.
func surveyKey(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// resolveSurveyKano gives the features labelled kano: survey their label
// from the survey's significant category (none when it is mixed, too few,
// indifferent or reverse).
func (f *Factory) resolveSurveyKano(backlog *planfile.Backlog) diag.List {
	if backlog == nil || !slices.ContainsFunc(backlog.Features, func(x rice.Feature) bool { return x.Kano == "survey" }) {
		return nil
	}
	var diags diag.List
	cfg, _ := f.Config()
	if cfg == nil || cfg.Kano == nil {
		for _, x := range backlog.Features {
			if x.Kano == "survey" {
				pos := backlog.Positions[x.ID]
				diags.Errorf(backlog.File, pos.Line, pos.Col, "feature %s: kano: survey needs a survey: kano: {survey: FILE} in iotpm.yaml", x.ID)
			}
		}
		return diags
	}
	minAnswers := defaultMinAnswers
	if cfg.Kano.MinAnswers > 0 {
		minAnswers = cfg.Kano.MinAnswers
	}
	a, problems := analyzeSurvey(cfg.Kano.Survey, cfg.Kano.Questions, backlog, "", minAnswers, cfg.Kano.MaxBadRows)
	if problems.HasErrors() {
		return problems
	}
	category := map[string]kanoFeatureRow{}
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
			why = fmt.Sprintf("the survey has too few answers for it (%d < %d)", r.Answers, minAnswers)
		case !r.Significant:
			why = fmt.Sprintf("the survey's result is mixed (%s)", *r.Category)
		default:
			if label = kano.Label(*r.Category); label == "" {
				why = fmt.Sprintf("customers find it %s (%s)", kano.Category(*r.Category).Name(), *r.Category)
			}
		}
		if why != "" {
			pos := backlog.Positions[x.ID]
			diags.Warnf(backlog.File, pos.Line, pos.Col, "feature %s: kano: survey, but %s; it is unlabelled (not basic) until you label it or the survey decides", x.ID, why)
		}
		backlog.Features[i].Kano = rice.Kano(label)
	}
	return diags
}
