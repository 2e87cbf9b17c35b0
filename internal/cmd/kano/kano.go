package kano

import (
	"bytes"
	"os"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/survey"
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
				return failure.UsageErrorf("--min-answers must be 1 or more and --max-bad-rows 0 or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return kanoRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Segment, "segment", "", "only the respondents of this segment")
	cmd.Flags().IntVar(&opts.MinAnswers, "min-answers", survey.DefaultMinAnswers, "classify a feature only with at least N pairs of answers")
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
		return "", nil, 0, 0, failure.UsageErrorf("name the survey: iotpm kano SURVEY.csv, or kano: {survey: …} in iotpm.yaml")
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
	a, problems := survey.Analyze(path, questions, backlog, opts.Segment, minAnswers, maxBad)
	if err := cmdutil.ReportProblems(f, problems); err != nil {
		return err
	}
	return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return Write(w, format, a, term) })
}
