package battery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/spf13/cobra"
)

// DefaultDevicesFile is where device energy profiles live in a planning repo.
const DefaultDevicesFile = "devices.yaml"

// BatteryOptions are the inputs of `iotpm battery`.
type BatteryOptions struct {
	Factory   *cmdutil.Factory
	File      string
	Device    string
	Sweep     string
	MinLife   string
	ListCells bool
	// Plan shows each device's life after every release that changes it.
	Plan bool
	// Solve is DEVICE.EVENT.every: the shortest interval that meets
	// Target.
	Solve, Target string
}

// NewCmdBattery builds `iotpm battery`.
func NewCmdBattery(f *cmdutil.Factory, runF func(*BatteryOptions) error) *cobra.Command {
	opts := &BatteryOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "battery [FILE]",
		Short: "Battery life from wake intervals, and each feature's energy budget",
		Long: `Compute each device's average current and battery life from its sleep current
and wake events, and what every event and feature costs:

  I_avg = I_sleep·(1 − Σ d/T) + Σ Q/T
          (Q: charge per wake, d: awake time, T: period)
  life  = C_usable / (I_avg + I_sd)       (constant self-discharge, the default)
  life  = ln(1 + k·C_usable/I_avg) / k    (proportional self-discharge)

capped at the cell's shelf life. Exit 1 when a device misses its target life,
so CI fails the pull request that pushes a product under it. FILE defaults to
devices.yaml in the planning repo (-C).`,
		Example: `  # every device's life and target status
  iotpm battery -C examples/leak-sensor

  # one device's budget: sleep, each event, each feature, self-discharge
  iotpm battery --device drip-lora

  # life against the heartbeat period, with a chart (a planned event too)
  iotpm battery --sweep drip-lora.heartbeat.every=1m,5m,15m,1h

  # how often may the heartbeat run and still reach 12 years?
  iotpm battery --solve drip-lora.heartbeat.every --target 12y
  iotpm battery --sweep drip-lora.heartbeat.sf=7,8,9,10,11,12 -o markdown

  # life after each release of the roadmap that changes a device
  iotpm battery --plan -o markdown

  # gate every device on three years in CI
  iotpm battery --min-life 3y`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if opts.Sweep != "" && opts.Device != "" {
				return failure.UsageErrorf("--sweep names its device; drop --device")
			}
			if (opts.Solve == "") != (opts.Target == "") {
				return failure.UsageErrorf("--solve and --target go together: --solve DEVICE.EVENT.every --target 12y")
			}
			if opts.Solve != "" && (opts.Sweep != "" || opts.Device != "" || opts.Plan) {
				return failure.UsageErrorf("--solve names its device and event; drop --sweep, --device and --plan")
			}
			if runF != nil {
				return runF(opts)
			}
			return batteryRun(opts)
		},
	}
	cmd.Flags().Var(&cmdutil.OnceValue{P: &opts.Device, Hint: "--device shows one device; run once per device, or leave it out for every device"}, "device", "show one device's full energy budget")
	cmd.Flags().StringVar(&opts.Sweep, "sweep", "", "life for each value: DEVICE.EVENT[.PHASE].PARAM=V1,V2,… with PARAM every, current, duration or sf")
	cmd.Flags().StringVar(&opts.MinLife, "min-life", "", "target life for every device, e.g. 3y (overrides the file's targets)")
	cmd.Flags().BoolVar(&opts.ListCells, "list-cells", false, "list the cell catalog (built-in plus the file's own) and exit")
	cmd.Flags().BoolVar(&opts.Plan, "plan", false, "each device's life after every release of the roadmap that changes its energy")
	cmd.Flags().StringVar(&opts.Solve, "solve", "", "the shortest interval of an event that meets --target: DEVICE.EVENT.every")
	cmd.Flags().StringVar(&opts.Target, "target", "", "the life --solve must reach, e.g. 12y")
	_ = cmd.RegisterFlagCompletionFunc("device", cmdutil.CompleteDevices(f))
	_ = cmd.RegisterFlagCompletionFunc("sweep", cmdutil.CompleteSweep(f))
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

// sweepSpec is a parsed --sweep.
type sweepSpec struct {
	device string
	sweep  energy.Sweep
	labels []string
}

func parseSweep(s string) (sweepSpec, error) {
	target, list, ok := strings.Cut(s, "=")
	parts := strings.Split(target, ".")
	if !ok || len(parts) < 3 || len(parts) > 4 || list == "" {
		return sweepSpec{}, failure.UsageErrorf("--sweep %q: write DEVICE.EVENT.PARAM=V1,V2,… (or DEVICE.EVENT.PHASE.PARAM=…)", s)
	}
	spec := sweepSpec{device: parts[0], sweep: energy.Sweep{Event: parts[1], Param: energy.Param(parts[len(parts)-1])}}
	if len(parts) == 4 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return sweepSpec{}, failure.UsageErrorf("--sweep %q: the phase is a number from 1", s)
		}
		spec.sweep.Phase = n
	}
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		var v float64
		var err error
		switch spec.sweep.Param {
		case energy.ParamEvery, energy.ParamDuration:
			v, err = quantity.Duration.Parse(raw)
		case energy.ParamCurrent:
			v, err = quantity.Current.Parse(raw)
		case energy.ParamSF:
			var n int
			n, err = strconv.Atoi(raw)
			v = float64(n)
		default:
			return sweepSpec{}, failure.UsageErrorf("--sweep %q: cannot sweep %q; use every, current, duration or sf", s, spec.sweep.Param)
		}
		if err != nil {
			return sweepSpec{}, failure.UsageErrorf("--sweep %q: %v", s, err)
		}
		spec.sweep.Values = append(spec.sweep.Values, v)
		spec.labels = append(spec.labels, raw)
	}
	return spec, nil
}

func batteryRun(opts *BatteryOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.ChartFormats)
	if err != nil {
		return err
	}
	if opts.Sweep == "" {
		if err := cmdutil.NarrowFormat(format, cmdutil.DataFormats, "without --sweep (only a sweep draws a chart)"); err != nil {
			return err
		}
	}
	var minLife energy.Hours
	if opts.MinLife != "" {
		secs, err := quantity.Duration.Parse(opts.MinLife)
		if err != nil || secs <= 0 {
			return failure.UsageErrorf("--min-life %q: give a positive duration such as 3y", opts.MinLife)
		}
		if msg := planfile.LifeProblem(secs); msg != "" {
			return failure.UsageErrorf("--min-life %q: %s", opts.MinLife, msg)
		}
		minLife = energy.Hours(secs / 3600)
	}
	var sweep sweepSpec
	if opts.Sweep != "" {
		if sweep, err = parseSweep(opts.Sweep); err != nil {
			return err
		}
	}
	file, err := f.PlanningFile(opts.File, func(c *planfile.Config) string { return c.Devices })
	if err != nil {
		return err
	}
	if opts.ListCells && opts.File == "" && noDevicesFile(f, file) {
		// the catalog is browsed before there is a repo: the built-in
		// cells, said to be only those
		fmt.Fprintf(f.IO.ErrOut, "%s: no such file: the built-in cells only (a devices.yaml's cells: adds its own)\n", relTo(f.Dir, file))
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
			return writeCells(w, format, energy.BuiltinCells(), term)
		})
	}
	fleet, diags := planfile.LoadDevices(file)
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	if opts.ListCells {
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return writeCells(w, format, fleet.Cells, term) })
	}
	// the devices along the roadmap: today is shipped behaviour only
	backlog, plan, _, diags := planning.BacklogForFleet(f.Config())
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	ep, diags := planning.PlanEnergy(fleet, backlog, plan)
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	if opts.Plan {
		if opts.Sweep != "" {
			return failure.UsageErrorf("--plan and --sweep: give one")
		}
		return writePlanOutput(f, format, ep, opts.Device, minLife)
	}
	devices := ep.Today
	if minLife > 0 {
		devices = slices.Clone(devices)
		for i := range devices {
			devices[i].Target = minLife
		}
	}
	df := deviceFinder{fleet: fleet, devices: devices}
	if opts.Solve != "" {
		return solve(f, format, opts, df.withEvent)
	}

	if opts.Sweep != "" {
		d, planned, err := df.withEvent("--sweep", sweep.device, sweep.sweep.Event)
		if err != nil {
			return err
		}
		points, err := sweep.sweep.Run(d)
		if err != nil {
			return failure.UsageErrorf("--sweep: %v", err)
		}
		return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
			return writeSweep(w, format, d, sweep, planned, points, term)
		})
	}

	if opts.Device != "" {
		d, err := df.pick(opts.Device)
		if err != nil {
			return err
		}
		devices = []energy.Device{d}
	}
	if len(fleet.Mains) > 0 && opts.Device == "" && format == render.FormatTable {
		var ids []string
		for _, d := range fleet.Mains {
			ids = append(ids, d.ID)
		}
		fmt.Fprintf(f.IO.ErrOut, "Not listed: %s on mains power (power: mains), with no battery life.\n", strings.Join(ids, ", "))
	}
	return writeLives(f, format, opts.Device != "", devices, ep)
}

// writeLives analyses the devices, writes their lives and budgets, and
// fails (exit 1) when a device's life is under its target.
func writeLives(f *cmdutil.Factory, format render.Format, detail bool, devices []energy.Device, ep *planning.Energy) error {
	results := make([]energy.Result, len(devices))
	for i, d := range devices {
		var err error
		if results[i], err = energy.Analyze(d); err != nil {
			return err // the loader analysed every device; reaching here is a bug
		}
	}
	device := ""
	if detail {
		device = devices[0].ID
	}
	if err := cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
		if err := WriteBattery(w, format, devices, results, detail, term, ep); err != nil {
			return err
		}
		return writeBudgets(w, format, ep, device, term)
	}); err != nil {
		return err
	}
	var failed []string
	for i, d := range devices {
		if !results[i].MeetsTarget(d.Target) {
			failed = append(failed, fmt.Sprintf("%s lasts %.2f years, under its %s-year target",
				d.ID, results[i].Life.Years(), render.Number(d.Target.Years(), 2)))
		}
	}
	if len(failed) > 0 {
		return &failure.GateError{Failed: failed}
	}
	return nil
}

// deviceFinder finds the device a flag names (--device, --sweep, --solve)
// among today's devices, with a did-you-mean.
type deviceFinder struct {
	fleet   *planfile.Fleet
	devices []energy.Device
}

func (df deviceFinder) pick(id string) (energy.Device, error) {
	i := slices.IndexFunc(df.devices, func(d energy.Device) bool { return d.ID == id })
	if i < 0 && slices.ContainsFunc(df.fleet.Mains, func(d energy.Device) bool { return d.ID == id }) {
		return energy.Device{}, failure.UsageErrorf("device %s is on mains power (power: mains in %s): it has no battery life", id, df.fleet.File)
	}
	if i < 0 {
		var ids []string
		for _, d := range df.devices {
			ids = append(ids, d.ID)
		}
		return energy.Device{}, failure.UsageErrorf("%s", cmdutil.UnknownName("device", id, df.fleet.File, ids))
	}
	return df.devices[i], nil
}

// withEvent is the device an event of it is analysed on: today's, or — for
// a planned event — today's with that event's feature shipped (a variant in
// place of the event it replaces); planned says which.
func (df deviceFinder) withEvent(flag, id, event string) (d energy.Device, planned bool, err error) {
	d, err = df.pick(id)
	if err != nil {
		return d, false, err
	}
	if slices.ContainsFunc(d.Events, func(e energy.Event) bool { return e.Name == event }) {
		return d, false, nil
	}
	fleet := df.fleet
	full := fleet.Devices[slices.IndexFunc(fleet.Devices, func(x energy.Device) bool { return x.ID == id })]
	var names []string
	for _, e := range full.Events {
		names = append(names, e.Name)
		if e.Name == event && e.Feature != "" && !e.Retire {
			withPlan := d
			withPlan.Events = full.With(fleet.Planned, func(f string) bool { return f == e.Feature }).Events
			return withPlan, true, nil
		}
	}
	return d, false, failure.UsageErrorf("%s: %s", flag, cmdutil.UnknownName("event", event, "device "+id, names))
}

// defaultSweep picks the device's costliest event and sweeps its period
// from a quarter to four times the current one: the curve a PM asks about.
func defaultSweep(d energy.Device, r energy.Result) (sweepSpec, bool) {
	best, cost := "", energy.Amps(-1)
	for _, l := range r.Budget {
		if l.Kind == energy.KindEvent && l.Current > cost {
			best, cost = l.Name, l.Current
		}
	}
	i := slices.IndexFunc(d.Events, func(e energy.Event) bool { return e.Name == best })
	if i < 0 {
		return sweepSpec{}, false
	}
	every := float64(d.Events[i].Every)
	s := sweepSpec{device: d.ID, sweep: energy.Sweep{Event: best, Param: energy.ParamEvery}}
	for _, k := range []float64{0.25, 0.5, 1, 2, 4} {
		s.sweep.Values = append(s.sweep.Values, every*k)
		s.labels = append(s.labels, humanPeriod(every*k))
	}
	return s, true
}

// humanPeriod writes seconds in the largest whole unit: 900 → "15m".
func humanPeriod(secs float64) string {
	for _, u := range []struct {
		name string
		s    float64
	}{{"d", 86400}, {"h", 3600}, {"m", 60}} {
		if secs >= u.s && secs/u.s == float64(int(secs/u.s)) {
			return fmt.Sprintf("%d%s", int(secs/u.s), u.name)
		}
	}
	return render.Exact(secs) + "s"
}

// WriteDefaultSweep writes, in markdown, what the interval of d's costliest
// event does to its life (¼× to 4×): the what-if of iotpm report. Nothing
// when d has no event or the sweep cannot run.
func WriteDefaultSweep(w io.Writer, d energy.Device, r energy.Result) error {
	s, ok := defaultSweep(d, r)
	if !ok {
		return nil
	}
	points, err := s.sweep.Run(d)
	if err != nil {
		return nil
	}
	if err := writeSweep(w, render.FormatMarkdown, d, s, false, points, render.Term{}); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// solveJSON is --solve's answer.
type solveJSON struct {
	Device       string       `json:"device"`
	Event        string       `json:"event"`
	Planned      bool         `json:"planned"`
	TargetYears  float64      `json:"target_years"`
	EverySeconds float64      `json:"every_seconds"`
	Every        string       `json:"every"`
	LifeYears    render.Float `json:"life_years"`
	// ShorterLifeYears is the life one second shorter (below the target).
	ShorterLifeYears *render.Float `json:"life_years_one_second_shorter"`
}

// solve is --solve DEVICE.EVENT.every --target: the shortest whole-second
// interval at which the device meets the target, by bisection.
func solve(f *cmdutil.Factory, format render.Format, opts *BatteryOptions, withEvent func(flag, id, event string) (energy.Device, bool, error)) error {
	parts := strings.Split(opts.Solve, ".")
	if len(parts) != 3 || parts[2] != "every" || parts[0] == "" || parts[1] == "" {
		return failure.UsageErrorf("--solve %q: write DEVICE.EVENT.every (the interval is what it solves for)", opts.Solve)
	}
	secs, err := quantity.Duration.Parse(opts.Target)
	if err != nil || secs <= 0 {
		return failure.UsageErrorf("--target %q: give a positive duration such as 12y", opts.Target)
	}
	if msg := planfile.LifeProblem(secs); msg != "" {
		return failure.UsageErrorf("--target %q: %s", opts.Target, msg)
	}
	target := energy.Hours(secs / 3600)
	d, planned, err := withEvent("--solve", parts[0], parts[1])
	if err != nil {
		return err
	}
	sol, err := energy.SolveEvery(d, parts[1], target)
	if errors.Is(err, energy.ErrUnreachable) {
		return &failure.GateError{Failed: []string{fmt.Sprintf("%s cannot reach %s years at any interval of %s: %v", d.ID, render.Number(target.Years(), 2), parts[1], err)}}
	}
	if err != nil {
		return failure.UsageErrorf("--solve: %v", err)
	}
	j := solveJSON{Device: d.ID, Event: parts[1], Planned: planned, TargetYears: target.Years(), EverySeconds: float64(sol.Every),
		Every: humanDuration(float64(sol.Every)), LifeYears: render.Float(sol.Result.Life.Years())}
	if sol.ShorterValid {
		y := render.Float(sol.ShorterLife.Years())
		j.ShorterLifeYears = &y
	}
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error {
		switch format {
		case render.FormatJSON, render.FormatYAML:
			return render.Structured(w, format, j)
		}
		shorter := "the event cannot run more often"
		if j.ShorterLifeYears != nil {
			shorter = fmt.Sprintf("%s years at %s", render.Number(float64(*j.ShorterLifeYears), 4), humanDuration(j.EverySeconds-1))
		}
		what := ""
		if planned {
			what = " (planned: today's device with its feature shipped)"
		}
		_, err := fmt.Fprintf(w, "%s.%s%s: every %s or longer reaches %s years (%s years at %s; %s)\n", d.ID, parts[1], what, j.Every,
			render.Number(j.TargetYears, 2), render.Number(float64(j.LifeYears), 4), j.Every, shorter)
		return err
	})
}

// humanDuration writes whole seconds as days, hours, minutes and seconds:
// 27135 → "7h32m15s".
func humanDuration(secs float64) string {
	s := int64(math.Round(secs))
	var b strings.Builder
	for _, u := range []struct {
		name string
		n    int64
	}{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}} {
		if q := s / u.n; q > 0 {
			fmt.Fprintf(&b, "%d%s", q, u.name)
			s -= q * u.n
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// noDevicesFile is true when the devices file is the default one, which
// iotpm.yaml does not name, and it is absent: a directory that is not
// (yet) a planning repo.
func noDevicesFile(f *cmdutil.Factory, file string) bool {
	if cfg, _ := f.Config(); cfg == nil || cfg.DevicesExplicit {
		return false
	}
	_, err := os.Stat(file)
	return errors.Is(err, fs.ErrNotExist)
}

// relTo is path relative to root when it is inside it, else path.
func relTo(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}
