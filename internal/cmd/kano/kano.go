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
	// Numbers is which way answers written as 1–5 run (over iotpm.yaml).
	Numbers string
	set     func(string) bool
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
	cmd.Flags().StringVar(&opts.Numbers, "numbers", "", "which way answers written as 1–5 run: like-first (1 = I like it) or dislike-first")
	_ = cmd.RegisterFlagCompletionFunc("numbers", cobra.FixedCompletions([]string{string(export.LikeFirst), string(export.DislikeFirst)}, cobra.ShellCompDirectiveNoFileComp))
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
		kc, err := opts.surveyConfig(cfg)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		survey, _, err := export.ReadSurvey(kc.Survey, export.SurveyReading{Questions: kc.Questions, Config: kc.File})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return survey.Segments(), cobra.ShellCompDirectiveNoFileComp
	})
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

// surveyConfig returns the survey and its reading settings: iotpm.yaml's
// kano: section, the flags over it.
func (o *KanoOptions) surveyConfig(cfg *planfile.Config) (planfile.KanoConfig, error) {
	kc := planfile.KanoConfig{MinAnswers: o.MinAnswers, MaxBadRows: o.MaxBadRows}
	if cfg != nil && cfg.Kano != nil {
		kc = *cfg.Kano
		if kc.MinAnswers == 0 || o.set("min-answers") {
			kc.MinAnswers = o.MinAnswers
		}
		if o.set("max-bad-rows") {
			kc.MaxBadRows = o.MaxBadRows
		}
	}
	if o.Survey != "" {
		kc.Survey = o.Factory.Path(o.Survey)
	}
	switch o.Numbers {
	case "":
	case string(export.LikeFirst), string(export.DislikeFirst):
		kc.Numbers = o.Numbers
	default:
		return kc, failure.UsageErrorf("--numbers %q: give like-first (1 = I like it … 5 = I dislike it) or dislike-first", o.Numbers)
	}
	if kc.Survey == "" {
		return kc, failure.UsageErrorf("name the survey: iotpm kano SURVEY.csv, or kano: {survey: …} in iotpm.yaml")
	}
	return kc, nil
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
	kc, err := opts.surveyConfig(cfg)
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
	a, problems := survey.Analyze(kc, backlog, opts.Segment)
	if err := cmdutil.ReportProblems(f, problems); err != nil {
		return err
	}
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return Write(w, format, a, term) })
}
