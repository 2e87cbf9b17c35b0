package roadmap

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
	"github.com/spf13/cobra"
)

// RoadmapOptions are the inputs of `iotpm roadmap`.
type RoadmapOptions struct {
	catalog rice.Catalog // the backlog's, for NRE
	Factory *cmdutil.Factory
	File    string
	Tracks  []string
	Theme   string
	Explain string
	// Capacity lists every release with who uses it (--capacity).
	Capacity bool
	// Simulate is how many samples of the plan's ranges to schedule (0:
	// none); Seed the random seed.
	Simulate int
	Seed     uint64
	// SetCapacity and Without are what-ifs: re-plan with other capacity,
	// or without features, and show what moves.
	SetCapacity []string
	Without     []string
}

// NewCmdRoadmap builds `iotpm roadmap`.
func NewCmdRoadmap(f *cmdutil.Factory, runF func(*RoadmapOptions) error) *cobra.Command {
	opts := &RoadmapOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "roadmap [FILE]",
		Short: "Plan the ranked backlog on the hardware, firmware and cloud tracks",
		Long: `Turn the RICE-ranked backlog into a dated plan on three tracks, using the
roadmap: calendar of features.yaml: hardware revisions, firmware releases with
hotfix windows, cloud sprints. Features are placed one at a time — Kano basic
first, then by RICE rank, each dependency just before what needs it — and each
part as early as the rules allow:

  - a feature's parts ship hardware → firmware → cloud, and its first part
    after every part of its dependencies;
  - its engineering person-months come out of its track's releases from the
    day it is ready, earliest first, spilling into later releases; each
    release's capacity is spent over its cycle, so work that can start only
    partway through one has the days left;
  - it ships where its effort completes or, with a lead time (its longest
    certification, or an explicit lead_time), on the first release at least
    the lead time after its work is done (and after it is ready).

What cannot complete by the end is unscheduled, with the reason. FILE
defaults to features.yaml in the planning repo (-C).`,
		Example: `  iotpm roadmap -C examples/leak-sensor
  iotpm roadmap --track hardware
  iotpm roadmap -o mermaid > roadmap.mmd
  iotpm roadmap -o markdown > ROADMAP.md
  iotpm roadmap --explain lte-backup
  iotpm roadmap --simulate              # 2000 samples of the ranges: P50/P90
  iotpm roadmap --simulate=10000 --seed 7 -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if _, err := strconv.Atoi(args[0]); err == nil && cmd.Flags().Changed("simulate") {
					// --simulate 500 reads as --simulate and a FILE named 500
					return failure.UsageErrorf("--simulate takes its sample count after =: --simulate=%s", args[0])
				}
				opts.File = args[0]
			}
			if err := cmdutil.CheckTracks(opts.Tracks); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return roadmapRun(opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Tracks, "track", nil, "only this track (hardware, firmware, cloud); repeatable")
	cmd.Flags().StringVar(&opts.Theme, "theme", "", "only the features of this theme")
	cmd.Flags().StringVar(&opts.Explain, "explain", "", "say why each part of FEATURE landed where it did")
	cmd.Flags().BoolVar(&opts.Capacity, "capacity", false, "every release, empty or not, with its used and free capacity and the features using it")
	cmd.Flags().IntVar(&opts.Simulate, "simulate", 0, "schedule N samples of the plan's ranges: P50/P90 dates, the chance each theme is on time (default N 2000)")
	cmd.Flags().Lookup("simulate").NoOptDefVal = strconv.Itoa(roadmap.DefaultSamples)
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "the simulation's random seed (the same seed gives the same result everywhere)")
	cmd.Flags().StringArrayVar(&opts.SetCapacity, "set-capacity", nil, "what if: TRACK=N (every release of the track) or RELEASE=N person-months; repeatable")
	cmd.Flags().StringSliceVar(&opts.Without, "without", nil, "what if: plan without FEATURE; repeatable")
	cmd.MarkFlagsMutuallyExclusive("explain", "capacity", "simulate")
	cmd.MarkFlagsMutuallyExclusive("explain", "set-capacity")
	cmd.MarkFlagsMutuallyExclusive("explain", "without")
	cmd.MarkFlagsMutuallyExclusive("capacity", "set-capacity")
	cmd.MarkFlagsMutuallyExclusive("capacity", "without")
	_ = cmd.RegisterFlagCompletionFunc("track", cmdutil.CompleteTracks)
	_ = cmd.RegisterFlagCompletionFunc("theme", cmdutil.CompleteThemes(f))
	_ = cmd.RegisterFlagCompletionFunc("explain", cmdutil.CompleteFeatures(f))
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

func roadmapRun(opts *RoadmapOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.ChartFormats)
	if err != nil {
		return err
	}
	file, err := f.PlanningFile(opts.File, func(c *planfile.Config) string { return c.Features })
	if err != nil {
		return err
	}
	cfg, _ := f.Config()
	backlog, diags := planning.LoadBacklog(cfg, file)
	if backlog != nil && backlog.Calendar == nil {
		diags.Errorf(diag.Plan, backlog.File, 0, 0, "has no roadmap: calendar; add start, end and the tracks' releases (see iotpm help roadmap-rules)")
	}
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	if err := cmdutil.CheckTheme(opts.Theme, backlog); err != nil {
		return err
	}
	ranked, err := rice.Rank(backlog.Features, backlog.Model, backlog.Catalog)
	if err != nil {
		return err
	}
	plan := roadmap.Schedule(roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes, Explain: opts.Explain})
	opts.catalog = backlog.Catalog
	// warnings only, in every view of the plan (its dates are in each):
	// the NRE is booked as written
	_ = cmdutil.ReportProblems(f, append(planning.CashWarnings(roadmap.CashOf(plan, ranked, backlog.Catalog), backlog), planning.PastReleases(&plan, backlog, f.Now())...))
	if opts.Explain != "" {
		if err := cmdutil.NarrowFormat(format, []render.Format{render.FormatTable, render.FormatJSON, render.FormatYAML, render.FormatMarkdown}, "with --explain"); err != nil {
			return err
		}
		i := slices.IndexFunc(ranked, func(s rice.Scored) bool { return s.ID == opts.Explain })
		if i < 0 {
			var ids []string
			for _, s := range ranked {
				ids = append(ids, s.ID)
			}
			return failure.UsageErrorf("%s", cmdutil.UnknownName("feature", opts.Explain, backlog.File, ids))
		}
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return writeExplain(w, format, ranked[i], plan) })
	}
	view := opts.view(plan, ranked)
	if len(opts.SetCapacity)+len(opts.Without) > 0 {
		if err := cmdutil.NarrowFormat(format, cmdutil.DataFormats, "with a what-if"); err != nil {
			return err
		}
		in := roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes}
		alt, changes, err := whatIf(in, opts.SetCapacity, opts.Without)
		if err != nil {
			return err
		}
		var simBefore, simAfter *roadmap.Simulation
		if opts.Simulate != 0 {
			b, err := roadmap.Simulate(in, opts.Simulate, opts.Seed)
			if err != nil {
				return failure.UsageErrorf("--simulate: %v", err)
			}
			a, _ := roadmap.Simulate(alt, opts.Simulate, opts.Seed)
			simBefore, simAfter = &b, &a
		}
		doc := whatIfJSON(changes, plan, roadmap.Schedule(alt), simBefore, simAfter)
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return writeWhatIf(w, format, doc, term) })
	}
	if opts.Simulate != 0 {
		progress := cmdutil.NewProgress(f, "simulating")
		sim, err := roadmap.Simulate(roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes, Progress: progress.Update}, opts.Simulate, opts.Seed)
		progress.Done()
		if err != nil {
			return failure.UsageErrorf("--simulate: %v", err)
		}
		doc := simulationJSON(view, sim)
		if format == cmdutil.FormatMermaid {
			return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
				_, err := w.WriteString(simulationGantt(view, doc, backlog.Calendar))
				return err
			})
		}
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
			if err := writeSimulation(w, format, doc, term); err != nil {
				return err
			}
			if format == render.FormatMarkdown {
				fmt.Fprintf(w, "\n```mermaid\n%s```\n", simulationGantt(view, doc, backlog.Calendar))
			}
			return nil
		})
	}
	if opts.Capacity {
		if err := cmdutil.NarrowFormat(format, cmdutil.DataFormats, "with --capacity"); err != nil {
			return err
		}
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return writeCapacity(w, format, view, term) })
	}
	// the CSV lists parts, not themes: nothing to simulate for it
	if in := (roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes}); format != render.FormatCSV && roadmap.DueDatesUncertain(in) {
		progress := cmdutil.NewProgress(f, "simulating the due dates")
		in.Progress = progress.Update
		sim, err := roadmap.Simulate(in, roadmap.DefaultSamples, 1)
		progress.Done()
		if err != nil {
			return err
		}
		view.sim = &sim
	}
	fleet, diags := planning.FleetIfAny(f.Config())
	if fleet != nil {
		ep, d := planning.PlanEnergy(fleet, backlog, &plan)
		diags = append(diags, d...)
		view.battery = ep.WorstAfterRelease()
	}
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
		return writeRoadmap(w, format, view, backlog.Calendar, term)
	})
}

// WritePlanMarkdown writes the whole plan, every track and theme, in
// markdown: the roadmap section of iotpm report. sim, when not nil, is
// the plan's simulation: each due theme's chance to be on time.
func WritePlanMarkdown(w io.Writer, plan roadmap.Plan, ranked []rice.Scored, catalog rice.Catalog, cal *roadmap.Calendar, sim *roadmap.Simulation) error {
	v := planView{plan: plan, tracks: rice.Tracks,
		keep: func(string, rice.Track) bool { return true }, themeOK: func(string) bool { return true },
		cash: roadmap.CashOf(plan, ranked, catalog), sim: sim}
	return writeRoadmap(w, render.FormatMarkdown, v, cal, render.Term{})
}

// planView is the plan after --track and --theme.
type planView struct {
	plan    roadmap.Plan
	keep    func(feature string, track rice.Track) bool
	tracks  []rice.Track
	themeOK func(id string) bool
	// byTheme is set when --theme narrows the view to one theme's features.
	byTheme bool
	// cash is the NRE of the parts shown.
	cash roadmap.Cash
	// battery is the worst device life after each release that changes a
	// device's energy, by "date release".
	battery map[string]planning.ReleaseLife
	// sim is the plan's simulation when its due dates rest on ranges
	// (roadmap.DueDatesUncertain): each due theme's chance to be on time.
	sim *roadmap.Simulation
}

func (o *RoadmapOptions) view(plan roadmap.Plan, ranked []rice.Scored) planView {
	themeOf := map[string]string{}
	for _, s := range ranked {
		themeOf[s.ID] = s.Theme
	}
	v := planView{plan: plan, tracks: rice.Tracks}
	if len(o.Tracks) > 0 {
		v.tracks = nil
		for _, t := range rice.Tracks {
			if slices.Contains(o.Tracks, string(t)) {
				v.tracks = append(v.tracks, t)
			}
		}
	}
	v.keep = func(feature string, track rice.Track) bool {
		return slices.Contains(v.tracks, track) && (o.Theme == "" || themeOf[feature] == o.Theme)
	}
	v.themeOK = func(id string) bool { return o.Theme == "" || id == o.Theme }
	v.byTheme = o.Theme != ""
	v.cash = roadmap.CashOf(roadmap.Plan{Items: v.items()}, ranked, o.catalog)
	return v
}

// releasesShown are the releases of the shown tracks that the plan uses
// (allocates to or ships in); with --theme, only those shipping its features.
func (v planView) releasesShown() []roadmap.ReleasePlan {
	var out []roadmap.ReleasePlan
	for _, r := range v.plan.Releases {
		if !slices.Contains(v.tracks, r.Track) {
			continue
		}
		r.Items = slices.DeleteFunc(slices.Clone(r.Items), func(f string) bool { return !v.keep(f, r.Track) })
		if len(r.Items) == 0 && (r.Allocated == 0 || v.byTheme) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func (v planView) items() []roadmap.Item {
	return keepIf(v.plan.Items, func(it roadmap.Item) bool { return v.keep(it.Feature, it.Track) })
}

func (v planView) unscheduled() []roadmap.Unscheduled {
	return keepIf(v.plan.Unscheduled, func(u roadmap.Unscheduled) bool { return v.keep(u.Feature, u.Track) })
}

func (v planView) themes() []roadmap.ThemeStatus {
	return keepIf(v.plan.Themes, func(t roadmap.ThemeStatus) bool { return v.themeOK(t.ID) })
}

// keepIf returns the elements of xs that keep accepts, in a new slice.
func keepIf[T any](xs []T, keep func(T) bool) []T {
	return slices.DeleteFunc(slices.Clone(xs), func(x T) bool { return !keep(x) })
}
