package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// MetricsOptions are the inputs of `iotpm metrics`: the job's settings
// (fleetmetrics.Flags) and what only the command does with the result.
type MetricsOptions struct {
	Factory *cmdutil.Factory
	fleetmetrics.Flags

	MinUptime     string
	MinActivation string
	MinOTA        string
	MinMAD        int
	// MaxDataAge gates the data's age at min(to, now).
	MaxDataAge string

	// ListFormats prints the known formats.
	ListFormats bool
	// Table picks one table for -o csv (--table).
	Table string
	// PrintSQL prints the database source's queries instead of running.
	PrintSQL bool
}

// inputKinds are the metrics inputs, in reading order: the export
// package's list, the one source.
var inputKinds = planfile.InputKinds

// NewCmdMetrics builds `iotpm metrics`.
func NewCmdMetrics(f *cmdutil.Factory, runF func(*MetricsOptions) error) *cobra.Command {
	opts := &MetricsOptions{Factory: f, Flags: fleetmetrics.Flags{Inputs: map[planfile.InputKind]string{}}}
	paths := map[planfile.InputKind]*string{}
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "Fleet metrics (uptime, activation, OTA, MAD, health) from exports",
		Long: `Compute a connected product's core metrics from device-platform CSV exports
(AWS IoT, Azure IoT Hub, Particle, …) over a window, with the definitions
iotpm help metrics-definitions states. Each metric needs only its own inputs:

  connectivity uptime       --events; or --activity for the devices
                            that check in (--devices' model names a
                            devices.yaml profile with checkin:)
  monthly active devices    --events and/or --activity
  activation rate           --devices with --events and/or --activity
  OTA success rate          --ota
  customer health           --devices (with customer_id) and --events
                            or --activity, --usage, --tickets
  setup funnel              --onboarding (the app's analytics) with
                            onboarding: steps in iotpm.yaml; joined to
                            --devices and --events/--activity

Exports are read as they come. Each input's format (AWS IoT lifecycle and
Jobs, Azure Event Grid and Log Analytics, Particle, InfluxDB, Grafana, …; see
--list-formats) is detected from its header or named with --format; a BOM,
CRLF, quotes, ',' ';' tab or '|', gzip, JSON Lines or arrays of JSON objects
(read as the CSV they flatten to), epoch s/ms/µs/ns or ISO timestamps are
handled. Date-times without a zone stop the run until --tz (or tz: on the
input in iotpm.yaml) names their zone: read as UTC, local times would shift
every number by hours. Bad rows are errors (the first 20 listed as path:line: reason, exit 2) unless
--max-bad-rows tolerates them. Gates (--min-*) exit 1 when they fail.`,
		Example: `  iotpm metrics -C examples/leak-sensor --month 2026-10 \
    --devices exports/devices.csv --events exports/lifecycle.csv \
    --ota exports/ota.csv

  # an AWS IoT lifecycle export (clientId,timestamp,eventType; epoch ms) as is
  iotpm metrics --events lifecycle.csv --month 2026-10 --min-uptime 98%

  # a Particle export named explicitly, Grafana times in the dashboard's zone
  iotpm metrics --events particle.csv --format events=particle-events \
    --month 2026-10
  iotpm metrics --events panel.csv --tz events=Europe/Berlin --month 2026-10

  # a column no format knows
  iotpm metrics --events conn.csv --map events.device_id=serial_no \
    --from 2026-10-01 --to 2026-10-15`,
		Args: func(cmd *cobra.Command, args []string) error { return strayArgs(paths, args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Set = cmd.Flags().Changed
			for _, k := range inputKinds {
				if *paths[k] != "" {
					opts.Inputs[k] = *paths[k]
				}
			}
			if opts.MaxBadRows < 0 {
				return failure.UsageErrorf("--max-bad-rows must be 0 or more")
			}
			if opts.ListFormats && runF == nil {
				return listFormats(opts)
			}
			if runF != nil {
				return runF(opts)
			}
			return metricsRun(opts)
		},
	}
	for _, k := range inputKinds {
		p := new(string)
		paths[k] = p
		cmd.Flags().Var(&cmdutil.OnceValue{P: p, Hint: fmt.Sprintf("an input is one path: to read several files as one input, name their directory, or a pattern in quotes that matches them (--%s 'exports/part-*.csv')", k)},
			string(k), string(k)+" export: a CSV or JSON file (or its .gz), or a directory or a quoted glob of them, read as one input")
		_ = cmd.MarkFlagFilename(string(k), "csv", "gz")
	}
	cmd.Flags().StringArrayVar(&opts.Maps, "map", nil, "map a column: KIND.COLUMN=Header, e.g. events.device_id=clientId; repeatable")
	cmd.Flags().StringArrayVar(&opts.Formats, "format", nil, "name an input's export format: KIND=NAME, e.g. events=particle-events; repeatable (default: detected)")
	cmd.Flags().StringArrayVar(&opts.Zones, "tz", nil, "zone of an input's zone-less times: KIND=ZONE, e.g. events=Europe/Berlin (an IANA zone); repeatable; without it such times stop the run unless the format names their zone")
	cmd.Flags().BoolVar(&opts.ListFormats, "list-formats", false, "list the export formats (built-in and iotpm.yaml's) and exit")
	cmd.Flags().StringVar(&opts.Table, "table", "", "with -o csv, only this table ("+strings.Join(CSVTables, ", ")+"); default: every table, each after a '# table: NAME' line")
	_ = cmd.RegisterFlagCompletionFunc("table", cobra.FixedCompletions(CSVTables, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("tz", cmdutil.CompleteKindPrefix("="))
	_ = cmd.RegisterFlagCompletionFunc("map", cmdutil.CompleteKindPrefix("."))
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, fm := range export.Builtins() {
			out = append(out, string(fm.Kind)+"="+fm.Name+"\t"+fm.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().StringVar(&opts.Month, "month", "", "the window: a calendar month YYYY-MM (UTC)")
	cmd.Flags().StringVar(&opts.From, "from", "", "the window's start (a date or RFC 3339), inclusive")
	cmd.Flags().StringVar(&opts.To, "to", "", "the window's end (a date or RFC 3339), exclusive")
	cmd.Flags().StringVar(&opts.ActivationWindow, "activation-window", strconv.Itoa(fleetmetrics.DefaultActivationDays)+"d", "time after shipping within which a device counts as activated")
	cmd.Flags().StringVar(&opts.SLO, "slo", render.Percent(fleetmetrics.DefaultSLO, 2), "per-device uptime objective; devices below it are counted")
	cmd.Flags().IntVar(&opts.MaxBadRows, "max-bad-rows", 0, "tolerate up to N bad rows over all inputs (reported, skipped)")
	cmd.Flags().StringVar(&opts.Health, "health", "", "health score settings: KEY=VALUE,… with keys red, yellow and uptime_bad, uptime_good, uptime_weight (and the same for usage_ and tickets_)")
	cmd.Flags().StringVar(&opts.MinUptime, "min-uptime", "", "gate: fleet connectivity uptime at least this, e.g. 98%")
	cmd.Flags().StringVar(&opts.MinActivation, "min-activation", "", "gate: activation rate at least this, e.g. 70%")
	cmd.Flags().StringVar(&opts.MinOTA, "min-ota", "", "gate: OTA success rate at least this, e.g. 95%")
	cmd.Flags().IntVar(&opts.MinMAD, "min-mad", 0, "gate: at least N monthly active devices")
	cmd.Flags().IntVar(&opts.MaxExpansion, "max-expansion", export.DefaultMaxExpansion, "refuse a .csv.gz that expands to more than N times its size (a decompression bomb)")
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "the data horizon: rows after it are ignored (default: the latest row of the inputs)")
	cmd.Flags().StringVar(&opts.DormantAfter, "dormant-after", strconv.Itoa(fleetmetrics.DefaultDormantDays)+"d", "a device disconnected this long is dormant, not down (0: never)")
	cmd.Flags().StringVar(&opts.MaxDataAge, "max-data-age", "", "gate: the data's horizon at most this old at the window's end (or now), e.g. 2d")
	cmd.Flags().StringVar(&opts.Now, "now", "", "the clock for --max-data-age (default: now), for tests and replays")
	cmd.Flags().StringVar(&opts.Source, "source", "", "where the inputs are: files, or postgres (the tables metrics.inputs names in iotpm.yaml); default: iotpm.yaml's metrics.source, else files")
	cmd.Flags().StringVar(&opts.DSNEnv, "dsn-env", fleetmetrics.DefaultDSNEnv, "the environment variable that holds the PostgreSQL connection string (never a flag or a file)")
	cmd.Flags().StringVar(&opts.Timeout, "timeout", fleetmetrics.DefaultDBTimeout.String(), "cancel the database queries (on the server) after this long")
	cmd.Flags().BoolVar(&opts.PrintSQL, "print-sql", false, "print the SQL of every metric as a psql script for the postgres source, and exit")
	cmd.Flags().StringVar(&opts.AllowTables, "allow-tables", "", "the tables the postgres source may read, schema.table or schema.*, comma-separated (default: $IOTPM_DB_ALLOW_TABLES, else any the role may read)")
	_ = cmd.RegisterFlagCompletionFunc("source", cobra.FixedCompletions([]string{"files", "postgres"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.MarkFlagsMutuallyExclusive("month", "from")
	cmd.MarkFlagsMutuallyExclusive("month", "to")
	cmdutil.DeclareFormats(cmd, cmdutil.DataFormats) // two charts, by month: in -o markdown
	return cmd
}

func metricsRun(opts *MetricsOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	if opts.Table != "" {
		if format != render.FormatCSV {
			return failure.UsageErrorf("--table picks a CSV table; add -o csv")
		}
		if !slices.Contains(CSVTables, opts.Table) {
			return failure.UsageErrorf("--table %q: use one of %s%s", opts.Table, strings.Join(CSVTables, ", "), cmdutil.DidYouMean(opts.Table, CSVTables))
		}
	}
	cfg, diags := f.Config()
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	job, diags, err := opts.Job(cfg, f.Path)
	if err != nil {
		return err
	}
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	if opts.PrintSQL {
		return printSQL(f, job)
	}
	thresholds, maxAge, err := opts.flagGates(job)
	if err != nil {
		return err
	}
	out, err := fleetmetrics.RunJob(f.Env(), job)
	if err != nil {
		return err
	}
	if err := reportRows(f, job, out); err != nil {
		return err
	}
	var gates []gate.Gate
	for _, th := range thresholds {
		gates = append(gates, fleetmetrics.Gate(out, th.metric, th.t, th.flag))
	}
	if maxAge != nil {
		gates = append(gates, fleetmetrics.DataAgeGate(out, *maxAge, "--max-data-age"))
	}
	if len(opts.Inputs) == 0 && !opts.Given("source") {
		// the repo's own inputs: its gates too (an input given by a flag
		// makes it another computation, gated by flags alone)
		gates = append(gates, configGates(f, job, out, gates)...)
	}
	var failed []string
	for _, g := range gates {
		if !g.Passed {
			failed = append(failed, g.Failure())
		}
	}
	doc := fleetmetrics.NewResult(out, gates)
	if err := cmdutil.EmitWithProblems(f, format, func(b *bytes.Buffer, term render.Term) error { return Write(b, format, doc, term, opts.Table) }); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &failure.GateError{Failed: failed}
	}
	return nil
}

// flagThreshold is a gate a flag sets (--min-uptime 98%).
type flagThreshold struct {
	flag   string
	metric metrics.Metric
	input  planfile.InputKind
	t      planfile.Threshold
}

// flagGates reads the gate flags, each checked against the inputs the job
// has.
func (o *MetricsOptions) flagGates(job *fleetmetrics.Job) ([]flagThreshold, *planfile.AgeThreshold, error) {
	var thresholds []flagThreshold
	for _, g := range []struct {
		flag, value string
		metric      metrics.Metric
		input       planfile.InputKind
	}{
		{"--min-uptime", o.MinUptime, metrics.ConnectivityUptime, ""}, // events or activity: below
		{"--min-activation", o.MinActivation, metrics.ActivationRate, planfile.KindDevices},
		{"--min-ota", o.MinOTA, metrics.OTASuccessRate, planfile.KindOTA},
	} {
		if g.value == "" {
			continue
		}
		v, err := fleetmetrics.ParseFraction(g.flag, g.value)
		if err != nil {
			return nil, nil, err
		}
		if g.input == "" && !job.Has(planfile.KindEvents) && !job.Has(planfile.KindActivity) {
			return nil, nil, failure.UsageErrorf("%s needs --events (or --activity, for devices that check in)", g.flag)
		}
		if g.input != "" && !job.Has(g.input) {
			return nil, nil, failure.UsageErrorf("%s needs --%s", g.flag, g.input)
		}
		thresholds = append(thresholds, flagThreshold{g.flag, g.metric, g.input, planfile.Threshold{Op: ">=", Value: v, Percent: true, Text: ">= " + render.Percent(v, 2)}})
	}
	if o.MinMAD > 0 {
		if !job.Has(planfile.KindEvents) && !job.Has(planfile.KindActivity) {
			return nil, nil, failure.UsageErrorf("--min-mad needs --events or --activity")
		}
		thresholds = append(thresholds, flagThreshold{"--min-mad", metrics.MonthlyActiveDevices, "", planfile.Threshold{Op: ">=", Value: float64(o.MinMAD), Text: ">= " + strconv.Itoa(o.MinMAD)}})
	}

	var maxAge *planfile.AgeThreshold
	if o.MaxDataAge != "" {
		var t planfile.AgeThreshold
		if err := t.UnmarshalNode(&yaml.Node{Value: "<= " + o.MaxDataAge}); err != nil {
			if _, qerr := quantity.Duration.Parse(o.MaxDataAge); errors.As(qerr, new(*quantity.SumError)) {
				return nil, nil, failure.UsageErrorf("--max-data-age: %v", qerr)
			}
			return nil, nil, failure.UsageErrorf("--max-data-age %q: give a duration such as 2d or 36h", o.MaxDataAge)
		}
		maxAge = &t
	}
	return thresholds, maxAge, nil
}

// reportRows writes the run's problems and warnings to stderr: bad rows
// over --max-bad-rows (or any problem) stop the run with exit 2; within
// the limit they are counted.
func reportRows(f *cmdutil.Factory, job *fleetmetrics.Job, out *fleetmetrics.Outcome) error {
	if out.Problems.HasErrors() {
		shown := out.Problems.Sort()
		if len(shown) > export.MaxListedErrors {
			shown = shown[:export.MaxListedErrors]
		}
		for _, d := range shown {
			fmt.Fprintln(f.IO.ErrOut, d.String())
		}
		if out.BadRows() > job.MaxBadRows() {
			if out.BadRows() > len(shown) {
				fmt.Fprintf(f.IO.ErrOut, "… and %d more\n", out.BadRows()-len(shown))
			}
			hint := "fix them, or tolerate them with --max-bad-rows N"
			if job.MaxBadRows() > 0 {
				hint = fmt.Sprintf("more than --max-bad-rows %d", job.MaxBadRows())
			}
			return &failure.InvalidInputError{Summary: fmt.Sprintf("%s (%s); nothing was computed", render.Plural(out.BadRows(), "bad row"), hint)}
		}
		return &failure.InvalidInputError{Diagnostics: out.Problems}
	}
	if err := cmdutil.ReportProblems(f, out.Problems.Warnings()); err != nil {
		return err
	}
	if out.BadRows() > 0 {
		fmt.Fprintf(f.IO.ErrOut, "iotpm: skipped %s (within --max-bad-rows %d); see rows in the output\n", render.Plural(out.BadRows(), "bad row"), job.MaxBadRows())
	}
	return nil
}

// configGates are iotpm.yaml's metric gates that no flag set, on the
// metrics whose inputs the run has: `metrics` in a planning repo shows
// (and fails on) the gates `check` would, so its GATE column never reads
// "-" beside a gate the repo defines.
func configGates(f *cmdutil.Factory, job *fleetmetrics.Job, out *fleetmetrics.Outcome, set []gate.Gate) []gate.Gate {
	cfg, _ := f.Config()
	if cfg == nil {
		return nil
	}
	g := cfg.Gates
	byFlag := map[string]bool{}
	for _, x := range set {
		byFlag[x.Name] = true
	}
	var gates []gate.Gate
	add := func(m metrics.Metric, t *planfile.Threshold, inputs ...planfile.InputKind) {
		if t == nil || byFlag[string(m)] || !slices.ContainsFunc(inputs, job.Has) {
			return
		}
		gates = append(gates, fleetmetrics.Gate(out, m, *t, ""))
	}
	// uptime from events, or from activity alone (the check-in devices')
	if u := g.ConnectivityUptime; u != nil && (job.Has(planfile.KindEvents) || job.Has(planfile.KindActivity)) {
		if u.Fleet != nil {
			add(metrics.ConnectivityUptime, &u.Fleet.Threshold, planfile.KindEvents, planfile.KindActivity)
		}
		if u.Always != nil {
			gates = append(gates, fleetmetrics.ModeGate(out, "always", u.Always.Threshold))
		}
		if u.Checkin != nil {
			gates = append(gates, fleetmetrics.ModeGate(out, "checkin", u.Checkin.Threshold))
		}
	}
	if t := g.ActivationRate; t != nil {
		if t.Fleet != nil {
			add(metrics.ActivationRate, &t.Fleet.Threshold, planfile.KindDevices)
		}
		if job.Has(planfile.KindDevices) {
			gates = append(gates, fleetmetrics.ModelGates(out, metrics.ActivationRate, t.Models, job.Profiles())...)
		}
	}
	if t := g.OTASuccessRate; t != nil {
		if t.Fleet != nil {
			add(metrics.OTASuccessRate, &t.Fleet.Threshold, planfile.KindOTA)
		}
		if job.Has(planfile.KindOTA) {
			gates = append(gates, fleetmetrics.ModelGates(out, metrics.OTASuccessRate, t.Models, job.Profiles())...)
		}
	}
	if t := g.FirmwareOnTarget; t != nil {
		add(metrics.FirmwareOnTarget, &t.Threshold, planfile.KindOTA, planfile.KindDevices)
	}
	add(metrics.MonthlyActiveDevices, g.MonthlyActiveDevices, planfile.KindEvents, planfile.KindActivity)
	if job.Has(planfile.KindOnboarding) {
		gates = append(gates, fleetmetrics.OnboardingGates(out, g.Onboarding)...)
	}
	if g.DataAge != nil && !byFlag["data_age"] {
		gates = append(gates, fleetmetrics.DataAgeGate(out, *g.DataAge, ""))
	}
	return gates
}

// strayArgs answers arguments metrics does not take. The usual one is a
// file the shell expanded from an unquoted pattern (--events part-*.csv):
// the flag took the first file and the others are left over, so the run
// would read one file of several; it names the flag and the pattern to
// quote instead.
func strayArgs(paths map[planfile.InputKind]*string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	for _, k := range inputKinds {
		// a shell's expansion lists the files in one directory, sorted:
		// the flag's value first
		got := *paths[k]
		if got == "" || filepath.Dir(got) != filepath.Dir(args[0]) || got >= args[0] {
			continue
		}
		if _, err := os.Stat(args[0]); err != nil {
			break
		}
		pattern := filepath.Join(filepath.Dir(got), "*"+filepath.Ext(got))
		return failure.UsageErrorf("%q is left over after --%s %q: the shell expanded an unquoted pattern into %d files, and an input flag takes one path; quote the pattern so that iotpm reads them all as one input (e.g. --%s '%s'), or name their directory (--%s %s)",
			args[0], k, got, len(args)+1, k, pattern, k, filepath.Dir(got))
	}
	return failure.UsageErrorf("unexpected argument %q: metrics takes its inputs as flags (--events PATH, --devices PATH, ...)", args[0])
}
