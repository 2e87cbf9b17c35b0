package rice

import (
	"bytes"
	"slices"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/spf13/cobra"
)

// DefaultFeaturesFile is where the backlog lives in a planning repo.
const DefaultFeaturesFile = "features.yaml"

// RiceOptions are the inputs of `iotpm rice`.
type RiceOptions struct {
	Factory            *cmdutil.Factory
	File               string
	Tracks             []string
	Theme              string
	Top                int
	Baseline           string
	ListCertifications bool
}

// NewCmdRice builds `iotpm rice`. runF replaces the run function in tests of
// flag parsing.
func NewCmdRice(f *cmdutil.Factory, runF func(*RiceOptions) error) *cobra.Command {
	opts := &RiceOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "rice [FILE]",
		Short: "Rank the backlog by RICE, tooling and certification in the effort",
		Long: `Score every feature of features.yaml with RICE,
Reach × Impact × Confidence / Effort, where Effort (person-months) is
engineering plus tooling cash and certification fees converted at the
loaded cost of a person-month, plus the team time each certification
campaign takes:

  effort = Σ parts (engineering + tooling / cost_per_person_month)
         + Σ distinct certifications
             (fee / cost_per_person_month + weeks × cert_effort_per_week)

Rank 1 is the highest score; ties go to higher confidence, then lower effort,
then id. FILE defaults to the features file iotpm.yaml names, else
features.yaml, in the planning repo (-C).`,
		Example: `  # the ranked backlog of the example planning repo
  iotpm rice -C examples/leak-sensor

  # the five best firmware features, as JSON
  iotpm rice --track firmware --top 5 -o json

  # what a pull request changes in the ranking, as a review comment
  git show main:features.yaml > /tmp/base.yaml
  iotpm rice --baseline /tmp/base.yaml -o markdown`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if opts.Top < 0 {
				return failure.UsageErrorf("--top must be 0 (all) or more, got %d", opts.Top)
			}
			if err := cmdutil.CheckTracks(opts.Tracks); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return riceRun(opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Tracks, "track", nil, "only features with a part on this track (hardware, firmware, cloud); repeatable")
	cmd.Flags().StringVar(&opts.Theme, "theme", "", "only features of this theme")
	cmd.Flags().IntVar(&opts.Top, "top", 0, "only the N best-ranked features (after filters)")
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "compare with another version of the features file")
	cmd.Flags().BoolVar(&opts.ListCertifications, "list-certifications", false, "list the certification catalog (built-in plus the file's own) and exit")
	_ = cmd.RegisterFlagCompletionFunc("track", cmdutil.CompleteTracks)
	_ = cmd.RegisterFlagCompletionFunc("theme", cmdutil.CompleteThemes(f))
	_ = cmd.MarkFlagFilename("baseline", "yaml", "yml")
	cmdutil.DeclareFormats(cmd, cmdutil.DataFormats)
	return cmd
}

func riceRun(opts *RiceOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	file, err := f.PlanningFile(opts.File, func(c *planfile.Config) string { return c.Features })
	if err != nil {
		return err
	}
	cfg, _ := f.Config()
	backlog, diags := planning.LoadBacklog(cfg, file)
	var base *planfile.Backlog
	if opts.Baseline != "" {
		var baseDiags diag.List
		base, baseDiags = planfile.LoadFeatures(f.Path(opts.Baseline))
		diags = append(diags, baseDiags...)
	}
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	if err := cmdutil.CheckTheme(opts.Theme, backlog); err != nil {
		return err
	}
	if opts.ListCertifications {
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return writeCatalog(w, format, backlog.Catalog, term) })
	}

	ranked, err := rice.Rank(backlog.Features, backlog.Model, backlog.Catalog)
	if err != nil {
		return err // the loader checks effort and catalog; reaching here is a bug
	}
	// each feature's battery cost, when the repo has devices
	var costs Costs
	if opts.File == "" {
		fleet, diags := planning.FleetIfAny(f.Config())
		if fleet != nil {
			diags = append(diags, planfile.LinkPlan(fleet, backlog)...)
		}
		if !diags.HasErrors() {
			cfg, _ := f.Config()
			var d diag.List
			costs.Recurring, costs.Currency, d = planning.RecurringCosts(cfg, fleet)
			diags = append(diags, d...)
		}
		if err := cmdutil.ReportProblems(f, diags); err != nil {
			return err
		}
		costs.BatteryYears, costs.BatteryCapped = planning.BatteryCosts(fleet)
	}
	if base != nil {
		baseRanked, err := rice.Rank(base.Features, base.Model, base.Catalog)
		if err != nil {
			return err
		}
		changes := opts.filterChanges(rice.Compare(baseRanked, ranked), baseRanked, ranked)
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
			return writeComparison(w, format, changes, ranked, opts, term)
		})
	}
	ranked = opts.filter(ranked)
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
		return WriteRanking(w, format, ranked, backlog.Model, term, f.IO.IsStdoutTTY(), costs)
	})
}

func (o *RiceOptions) keep(s rice.Scored) bool {
	if o.Theme != "" && s.Theme != o.Theme {
		return false
	}
	if len(o.Tracks) > 0 && !slices.ContainsFunc(s.Feature.Tracks(), func(t rice.Track) bool {
		return slices.Contains(o.Tracks, string(t))
	}) {
		return false
	}
	return true
}

func (o *RiceOptions) filter(ranked []rice.Scored) []rice.Scored {
	var out []rice.Scored
	for _, s := range ranked {
		if o.keep(s) {
			out = append(out, s)
		}
	}
	if o.Top > 0 && len(out) > o.Top {
		out = out[:o.Top]
	}
	return out
}

// filterChanges keeps the changes of features that pass the filters on
// either side; --top keeps those within the top N before or after.
func (o *RiceOptions) filterChanges(changes []rice.Change, base, head []rice.Scored) []rice.Change {
	find := func(list []rice.Scored, id string) (rice.Scored, bool) {
		i := slices.IndexFunc(list, func(s rice.Scored) bool { return s.ID == id })
		if i < 0 {
			return rice.Scored{}, false
		}
		return list[i], true
	}
	var out []rice.Change
	for _, c := range changes {
		ok := false
		if s, found := find(head, c.ID); found && o.keep(s) {
			ok = true
		}
		if s, found := find(base, c.ID); found && o.keep(s) {
			ok = true
		}
		if o.Top > 0 && !(c.NewRank > 0 && c.NewRank <= o.Top || c.OldRank > 0 && c.OldRank <= o.Top) {
			ok = false
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}
