package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
	"github.com/spf13/cobra"
)

// planResults is everything iotpm computes over a planning repo.
type planResults struct {
	cfg      *planfile.Config
	backlog  *planfile.Backlog
	ranked   []rice.Scored
	plan     *roadmap.Plan
	fleet    *planfile.Fleet
	battery  []energy.Result // today, in the order of fleetDevices
	energy   *energyPlan
	kano     *kanoAnalysis // when iotpm.yaml names a survey
	metrics  *metricsOutcome
	problems diag.List // every problem in every input, positioned
}

// computePlan loads every planning file the config names and computes
// what it can. With problems, nothing is computed.
func computePlan(f *Factory) *planResults {
	p := &planResults{}
	cfg, diags := f.Config()
	p.problems = append(p.problems, diags...)
	if cfg == nil {
		return p
	}
	p.cfg = cfg
	var d diag.List
	p.backlog, d = planfile.LoadFeatures(cfg.Features)
	p.problems = append(p.problems, d...)
	p.problems = append(p.problems, f.resolveSurveyKano(p.backlog)...)
	if _, err := os.Stat(cfg.Devices); err == nil || cfg.DevicesExplicit {
		p.fleet, d = planfile.LoadDevices(cfg.Devices)
		p.problems = append(p.problems, d...)
	}
	job, err := jobFromConfig(cfg)
	var invalid *InvalidInputError
	if errors.As(err, &invalid) && len(invalid.Diagnostics) > 0 {
		p.problems = append(p.problems, invalid.Diagnostics...)
	} else if err != nil {
		p.problems.Errorf(cfg.File, 0, 0, "%v", err)
	} else if job != nil {
		p.metrics = runMetricsJob(f, job)
		p.problems = append(p.problems, p.metrics.problems...)
	}
	if p.problems.HasErrors() {
		return p
	}
	if p.ranked, err = rice.Rank(p.backlog.Features, p.backlog.Model, p.backlog.Catalog); err != nil {
		p.problems.Errorf(cfg.Features, 0, 0, "%v", err)
		return p
	}
	if p.backlog.Calendar != nil {
		plan := roadmap.Schedule(roadmap.Input{Ranked: p.ranked, Calendar: *p.backlog.Calendar, Catalog: p.backlog.Catalog, Themes: p.backlog.Themes})
		p.plan = &plan
	}
	if cfg.Kano != nil {
		minAnswers := defaultMinAnswers
		if cfg.Kano.MinAnswers > 0 {
			minAnswers = cfg.Kano.MinAnswers
		}
		var d diag.List
		p.kano, d = analyzeSurvey(cfg.Kano.Survey, cfg.Kano.Questions, p.backlog, "", minAnswers, cfg.Kano.MaxBadRows)
		p.problems = append(p.problems, d...)
	}
	if p.fleet != nil {
		ep, d := planEnergy(p.fleet, p.backlog, p.plan)
		p.problems = append(p.problems, d...)
		if ep != nil {
			p.energy, p.battery = ep, ep.results
		}
	}
	return p
}

func rateThreshold(t *planfile.RateThreshold) *planfile.Threshold {
	if t == nil {
		return nil
	}
	return &t.Threshold
}

// gates evaluates the gates iotpm.yaml configures.
func (p *planResults) gates() []gate {
	var out []gate
	g := p.cfg.Gates
	for _, m := range []struct {
		name string
		t    *planfile.Threshold
	}{
		{"connectivity_uptime", rateThreshold(g.ConnectivityUptime)}, {"activation_rate", rateThreshold(g.ActivationRate)},
		{"ota_success_rate", rateThreshold(g.OTASuccessRate)}, {"monthly_active_devices", g.MonthlyActiveDevices},
	} {
		if m.t == nil {
			continue
		}
		var doc metricsJSON
		if p.metrics != nil {
			doc = p.metrics.doc
		}
		out = append(out, metricGate(doc, m.name, *m.t, ""))
	}
	if g.DataAge != nil {
		var doc metricsJSON
		if p.metrics != nil {
			doc = p.metrics.doc
		}
		out = append(out, dataAgeGate(doc, *g.DataAge, ""))
	}
	if g.BatteryLife.Has("targets") {
		if p.fleet == nil {
			out = append(out, gate{Name: "battery_life", Threshold: "every device meets its target", Detail: "no devices file"})
		}
		for i, dev := range p.fleetDevices() {
			if dev.Target <= 0 {
				continue
			}
			life := p.battery[i].Life.Years()
			out = append(out, gate{Name: "battery_life." + dev.ID, Value: &life, Threshold: ">= " + render.Number(dev.Target.Years(), 2) + " years",
				Passed: p.battery[i].MeetsTarget(dev.Target), Detail: "limited by " + strings.ReplaceAll(p.battery[i].LimitedBy, "_", " ")})
		}
	}
	if g.BatteryLife.Has("plan") {
		out = append(out, p.batteryPlanGates()...)
	}
	if g.BatteryLife.Has("budgets") {
		out = append(out, p.budgetGates()...)
	}
	if g.Kano == "labels_match" {
		out = append(out, kanoGate(p.kano))
	}
	if g.Themes == "on_time" && p.plan != nil {
		out = append(out, themeGates(p.plan.Themes)...)
	}
	if g.Roadmap != "" {
		basicOnly := g.Roadmap == "no_unscheduled_basic"
		kano := map[string]rice.Kano{}
		for _, s := range p.ranked {
			kano[s.ID] = s.Kano
		}
		var missing []string
		if p.plan != nil {
			for _, u := range p.plan.Unscheduled {
				if (!basicOnly || kano[u.Feature] == rice.Basic) && !slices.Contains(missing, u.Feature) {
					missing = append(missing, u.Feature)
				}
			}
		}
		n := float64(len(missing))
		name, what := "roadmap.unscheduled", "unscheduled features"
		if basicOnly {
			name, what = "roadmap.unscheduled_basic", "unscheduled Kano-basic features"
		}
		gt := gate{Name: name, Value: &n, Threshold: "= 0 " + what, Passed: len(missing) == 0 && p.plan != nil, Detail: strings.Join(missing, ", ")}
		if p.plan == nil {
			gt.Detail = "features.yaml has no roadmap: calendar"
		}
		out = append(out, gt)
	}
	return out
}

// fleetDevices are the devices as they are today (shipped behaviour), in
// the order of p.battery.
func (p *planResults) fleetDevices() []energy.Device {
	if p.energy == nil {
		return nil
	}
	return p.energy.today
}

// CheckOptions are the inputs of `iotpm check`.
type CheckOptions struct {
	Factory     *Factory
	Annotations string
	Summary     string
	JUnit       string
}

// NewCmdCheck builds `iotpm check`.
func NewCmdCheck(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the planning repo and evaluate its CI gates",
		Long: `Validate every planning file iotpm.yaml names (reporting all problems, positioned),
then compute the ranking, the roadmap, battery life and fleet metrics, and
evaluate every gate in iotpm.yaml's gates: section.

Exit 0 when every gate passes, 1 when a gate fails, 2 when an input is invalid.

In GitHub Actions (GITHUB_ACTIONS=true, or --annotations always) each problem
and each failed gate is also written as an ::error workflow command on stderr,
with paths relative to $GITHUB_WORKSPACE, and a markdown summary is appended to
$GITHUB_STEP_SUMMARY (or to --summary FILE anywhere).`,
		Example: `  iotpm check -C examples/leak-sensor
  iotpm check -o json | jq '.gates[] | select(.passed | not)'
  iotpm check --annotations always --summary summary.md --junit iotpm-gates.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Annotations {
			case "auto", "always", "never":
			default:
				return usageErrorf("--annotations %q: use auto, always or never", opts.Annotations)
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Annotations, "annotations", "auto", "GitHub Actions annotations: auto (when GITHUB_ACTIONS=true), always or never")
	cmd.Flags().StringVar(&opts.Summary, "summary", "", "append the markdown summary to FILE (default: $GITHUB_STEP_SUMMARY when set)")
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "write the gates as JUnit XML test cases to FILE")
	_ = cmd.RegisterFlagCompletionFunc("annotations", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	declareFormats(cmd, dataFormats)
	return cmd
}

type checkJSON struct {
	Passed   bool              `json:"passed"`
	Gates    []gate            `json:"gates"`
	Problems []diag.Diagnostic `json:"problems"`
}

func checkRun(opts *CheckOptions) error {
	f := opts.Factory
	format, err := f.Format(dataFormats)
	if err != nil {
		return err
	}
	annotate := opts.Annotations == "always" || opts.Annotations == "auto" && f.Getenv("GITHUB_ACTIONS") == "true"
	summaryPath := f.Getenv("GITHUB_STEP_SUMMARY")
	if opts.Summary != "" {
		summaryPath = f.Path(opts.Summary)
	}
	workspace := f.Getenv("GITHUB_WORKSPACE")

	p := computePlan(f)
	problems := p.problems.Sort()
	var gates []gate
	if !problems.HasErrors() {
		gates = p.gates()
	}
	doc := checkJSON{Passed: !problems.HasErrors(), Gates: append([]gate{}, gates...), Problems: append([]diag.Diagnostic{}, problems...)}
	var failed []string
	for _, g := range gates {
		if !g.Passed {
			doc.Passed = false
			failed = append(failed, gateFailure(g))
		}
	}

	for _, d := range problems {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if annotate {
		for _, d := range problems {
			writeAnnotation(f.IO.ErrOut, d, workspace)
		}
		for _, g := range gates {
			if !g.Passed {
				writeGateAnnotation(f.IO.ErrOut, g)
			}
		}
	}
	if summaryPath != "" {
		var b bytes.Buffer
		writeCheckMarkdown(&b, doc, problems)
		if err := appendFile(summaryPath, b.String()+"\n"); err != nil {
			return fmt.Errorf("writing the summary: %w", err)
		}
	}
	if opts.JUnit != "" {
		if err := writeJUnit(f, opts.JUnit, gates, problems); err != nil {
			return fmt.Errorf("writing JUnit: %w", err)
		}
	}
	if problems.HasErrors() {
		if format == render.FormatJSON || format == render.FormatYAML {
			_ = emit(f, func(w *bytes.Buffer) error { return writeCheckDoc(w, format, doc) })
		}
		return &InvalidInputError{Diagnostics: problems}
	}
	if err := emit(f, func(w *bytes.Buffer) error {
		switch format {
		case render.FormatJSON, render.FormatYAML:
			return writeCheckDoc(w, format, doc)
		case render.FormatMarkdown:
			writeCheckMarkdown(w, doc, problems)
			return nil
		case render.FormatCSV:
			t := &render.Table{Columns: []render.Column{{Header: "gate"}, {Header: "value"}, {Header: "threshold"}, {Header: "passed"}, {Header: "detail"}}}
			for _, g := range gates {
				value := ""
				if g.Value != nil {
					value = render.Exact(*g.Value)
				}
				t.Append(g.Name, value, g.Threshold, strconv.FormatBool(g.Passed), g.Detail)
			}
			return t.CSV(w)
		}
		if err := gatesTable(gates).Text(w, f.IO.ColorEnabled()); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%s\n", verdict(gates))
		return err
	}); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &GateError{Failed: failed}
	}
	return nil
}

func writeCheckDoc(w io.Writer, format render.Format, doc checkJSON) error {
	if format == render.FormatYAML {
		return render.YAML(w, doc)
	}
	return render.JSON(w, doc)
}

func gateValueText(g gate) string {
	if g.Text != "" {
		return g.Text
	}
	if g.Value == nil {
		return "-"
	}
	switch {
	case strings.HasPrefix(g.Name, "battery_life."):
		return render.Number(*g.Value, 2) + " years"
	case strings.HasPrefix(g.Name, "roadmap."), strings.HasPrefix(g.Name, "kano."):
		return render.Number(*g.Value, 0)
	}
	return metricValueText(g.Name, *g.Value)
}

func gatesTable(gates []gate) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "GATE"}, {Header: "VALUE", Right: true}, {Header: "THRESHOLD"}, {Header: "STATUS"}, {Header: "DETAIL"}}}
	var st []string
	for _, g := range gates {
		s := "pass"
		if !g.Passed {
			s = "FAIL"
		}
		st = append(st, s)
		t.Append(g.Name, gateValueText(g), g.Threshold, s, g.Detail)
	}
	t.Tone = func(r, c int) render.Tone {
		if c == 3 {
			return toneStatus(st[r])
		}
		return render.Plain
	}
	return t
}

func verdict(gates []gate) string {
	failed := 0
	var names []string
	for _, g := range gates {
		if !g.Passed {
			failed++
			names = append(names, g.Name)
		}
	}
	switch {
	case len(gates) == 0:
		return "✓ planning files valid; no gates configured (add gates: to iotpm.yaml)"
	case failed == 0:
		return fmt.Sprintf("✓ all %d gates passed", len(gates))
	}
	return fmt.Sprintf("✗ %d of %d gates failed: %s", failed, len(gates), strings.Join(names, ", "))
}

// writeCheckMarkdown is the summary a reviewer reads on the pull request.
func writeCheckMarkdown(w io.Writer, doc checkJSON, problems diag.List) {
	fmt.Fprintf(w, "## iotpm check\n\n")
	if problems.HasErrors() {
		errs := problems.Errors()
		fmt.Fprintf(w, "❌ **%d problems in the planning files**; nothing was computed.\n\n", len(errs))
		const maxListed = 100
		for i, d := range errs {
			if i == maxListed {
				fmt.Fprintf(w, "- … and %d more\n", len(errs)-maxListed)
				break
			}
			fmt.Fprintf(w, "- `%s`\n", strings.ReplaceAll(d.String(), "`", "'"))
		}
		return
	}
	v := verdict(doc.Gates)
	if !doc.Passed {
		v = "❌ " + strings.TrimPrefix(v, "✗ ")
	} else {
		v = "✅ " + strings.TrimPrefix(v, "✓ ")
	}
	fmt.Fprintf(w, "%s\n\n", v)
	if len(doc.Gates) > 0 {
		_ = gatesTable(doc.Gates).Markdown(w)
	}
}
