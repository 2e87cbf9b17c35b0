package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// MetricsOptions are the inputs of `iotpm metrics`.
type MetricsOptions struct {
	Factory *Factory
	Inputs  map[string]string // kind → path
	Maps    []string          // --map kind.column=Header
	Month   string
	From    string
	To      string

	ActivationWindow string
	SLO              string
	MaxBadRows       int
	Health           string

	MinUptime     string
	MinActivation string
	MinOTA        string
	MinMAD        int

	// Formats (--format KIND=NAME) and Zones (--tz KIND=ZONE) per input;
	// ListFormats prints the known formats.
	Formats     []string
	Zones       []string
	ListFormats bool

	// AsOf sets the data horizon; DormantAfter the dormancy threshold;
	// MaxDataAge gates the data's age at min(to, now); Now fixes the clock.
	AsOf         string
	DormantAfter string
	MaxExpansion int
	MaxDataAge   string
	Now          string

	// set reports whether a flag was given on the command line.
	set func(name string) bool
}

var inputKinds = []string{"devices", "events", "ota", "activity", "tickets", "usage"}

// NewCmdMetrics builds `iotpm metrics`.
func NewCmdMetrics(f *Factory, runF func(*MetricsOptions) error) *cobra.Command {
	opts := &MetricsOptions{Factory: f, Inputs: map[string]string{}}
	paths := map[string]*string{}
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "Activation, uptime, OTA success, monthly active devices and customer health from CSV exports",
		Long: `Compute a connected product's core metrics from device-platform CSV exports
(AWS IoT, Azure IoT Hub, Particle, …) over a window, with the definitions the
README states. Each metric needs only its own inputs:

  connectivity uptime       --events
  monthly active devices    --events and/or --activity
  activation rate           --devices with --events and/or --activity
  OTA success rate          --ota
  customer health           --devices (with customer_id) and --events, --usage, --tickets

Exports are read as they come. Each input's format (AWS IoT lifecycle and
Jobs, Azure Event Grid and Log Analytics, Particle, InfluxDB, Grafana, …; see
--list-formats) is detected from its header or named with --format; a BOM,
CRLF, quotes, ',' ';' tab or '|', .csv.gz, epoch s/ms/µs/ns or ISO timestamps
are handled, and zone-less times are UTC unless --tz names a zone. Bad rows
are errors (the first 20 listed as path:line: reason, exit 2) unless
--max-bad-rows tolerates them. Gates (--min-*) exit 1 when they fail.`,
		Example: `  iotpm metrics -C examples/leak-sensor --month 2026-10 \
    --devices exports/devices.csv --events exports/lifecycle.csv --ota exports/ota.csv

  # an AWS IoT lifecycle export (clientId,timestamp,eventType; epoch ms) as is
  iotpm metrics --events lifecycle.csv --month 2026-10 --min-uptime 98%

  # a Particle export named explicitly, Grafana times in the dashboard's zone
  iotpm metrics --events particle.csv --format events=particle-events --month 2026-10
  iotpm metrics --events panel.csv --tz events=Europe/Berlin --month 2026-10

  # a column no format knows
  iotpm metrics --events conn.csv --map events.device_id=serial_no --from 2026-10-01 --to 2026-10-15`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.set = cmd.Flags().Changed
			for _, k := range inputKinds {
				if *paths[k] != "" {
					opts.Inputs[k] = *paths[k]
				}
			}
			if opts.MaxBadRows < 0 {
				return usageErrorf("--max-bad-rows must be 0 or more")
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
		cmd.Flags().StringVar(p, k, "", k+" CSV export (.csv or .csv.gz)")
		_ = cmd.MarkFlagFilename(k, "csv", "gz")
	}
	cmd.Flags().StringArrayVar(&opts.Maps, "map", nil, "map a column: KIND.COLUMN=Header, e.g. events.device_id=clientId; repeatable")
	cmd.Flags().StringArrayVar(&opts.Formats, "format", nil, "name an input's export format: KIND=NAME, e.g. events=particle-events; repeatable (default: detected)")
	cmd.Flags().StringArrayVar(&opts.Zones, "tz", nil, "zone of an input's zone-less times: KIND=ZONE, e.g. events=Europe/Berlin; repeatable (default: UTC)")
	cmd.Flags().BoolVar(&opts.ListFormats, "list-formats", false, "list the export formats (built-in and iotpm.yaml's) and exit")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, fm := range export.Builtins() {
			out = append(out, fm.Kind+"="+fm.Name+"\t"+fm.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().StringVar(&opts.Month, "month", "", "the window: a calendar month YYYY-MM (UTC)")
	cmd.Flags().StringVar(&opts.From, "from", "", "the window's start (a date or RFC 3339), inclusive")
	cmd.Flags().StringVar(&opts.To, "to", "", "the window's end (a date or RFC 3339), exclusive")
	cmd.Flags().StringVar(&opts.ActivationWindow, "activation-window", "30d", "time after shipping within which a device counts as activated")
	cmd.Flags().StringVar(&opts.SLO, "slo", "99%", "per-device uptime objective; devices below it are counted")
	cmd.Flags().IntVar(&opts.MaxBadRows, "max-bad-rows", 0, "tolerate up to N bad rows over all inputs (reported, skipped)")
	cmd.Flags().StringVar(&opts.Health, "health", "", "health score settings: KEY=VALUE,… with keys {uptime,usage,tickets}_{bad,good,weight}, red, yellow")
	cmd.Flags().StringVar(&opts.MinUptime, "min-uptime", "", "gate: fleet connectivity uptime at least this, e.g. 98%")
	cmd.Flags().StringVar(&opts.MinActivation, "min-activation", "", "gate: activation rate at least this, e.g. 70%")
	cmd.Flags().StringVar(&opts.MinOTA, "min-ota", "", "gate: OTA success rate at least this, e.g. 95%")
	cmd.Flags().IntVar(&opts.MinMAD, "min-mad", 0, "gate: at least N monthly active devices")
	cmd.Flags().IntVar(&opts.MaxExpansion, "max-expansion", export.DefaultMaxExpansion, "refuse a .csv.gz that expands to more than N times its size (a decompression bomb)")
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "the data horizon: rows after it are ignored (default: the latest row of the inputs)")
	cmd.Flags().StringVar(&opts.DormantAfter, "dormant-after", "30d", "a device disconnected this long is dormant, not down (0: never)")
	cmd.Flags().StringVar(&opts.MaxDataAge, "max-data-age", "", "gate: the data's horizon at most this old at the window's end (or now), e.g. 2d")
	cmd.Flags().StringVar(&opts.Now, "now", "", "the clock for --max-data-age (default: now), for tests and replays")
	cmd.MarkFlagsMutuallyExclusive("month", "from")
	cmd.MarkFlagsMutuallyExclusive("month", "to")
	declareFormats(cmd, dataFormats) // two charts, by month: in -o markdown
	return cmd
}

// parseFraction reads "98%", "98 %" or "0.98".
func parseFraction(flag, s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil || math.IsNaN(v) {
		return 0, usageErrorf("%s %q: write a percentage like 98%% or a fraction like 0.98", flag, s)
	}
	if pct {
		v /= 100
	} else if v > 1 {
		return 0, usageErrorf("%s %q is ambiguous: write %s%% or %g", flag, s, s, v/100)
	}
	if v < 0 || v > 1 {
		return 0, usageErrorf("%s %q is outside 0%%..100%%", flag, s)
	}
	return v, nil
}

// parseWindow reads a month, or from and to.
func parseWindow(month, from, to, origin string) (metrics.Window, error) {
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return metrics.Window{}, usageErrorf("%smonth %q: write YYYY-MM", origin, month)
		}
		return metrics.Window{From: t.UnixMicro(), To: t.AddDate(0, 1, 0).UnixMicro()}, nil
	}
	if from == "" || to == "" {
		return metrics.Window{}, usageErrorf("give the window: --month YYYY-MM, or --from and --to (or metrics.month in iotpm.yaml)")
	}
	f, err := export.ParseTimestamp([]byte(from))
	if err != nil {
		return metrics.Window{}, usageErrorf("%sfrom %q: write a date (2026-10-01) or an RFC 3339 time", origin, from)
	}
	t, err := export.ParseTimestamp([]byte(to))
	if err != nil {
		return metrics.Window{}, usageErrorf("%sto %q: write a date (2026-11-01) or an RFC 3339 time", origin, to)
	}
	if t <= f {
		return metrics.Window{}, usageErrorf("%sto %s must be after %sfrom %s", origin, to, origin, from)
	}
	return metrics.Window{From: f, To: t}, nil
}

func (o *MetricsOptions) maps() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, m := range o.Maps {
		key, header, ok := strings.Cut(m, "=")
		kind, column, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || header == "" {
			return nil, usageErrorf("--map %q: write KIND.COLUMN=Header, e.g. events.device_id=clientId", m)
		}
		names, _, known := export.KindColumns(kind)
		if !known {
			return nil, usageErrorf("--map %q: unknown input %q (use %s)", m, kind, strings.Join(inputKinds, ", "))
		}
		if !slices.Contains(names, column) {
			return nil, usageErrorf("--map %q: %s has no column %q (columns: %s)", m, kind, column, strings.Join(names, ", "))
		}
		if out[kind] == nil {
			out[kind] = map[string]string{}
		}
		out[kind][column] = header
	}
	return out, nil
}

// healthFromConfig applies iotpm.yaml's metrics.health section.
func healthFromConfig(h metrics.HealthConfig, spec *planfile.HealthSpec) metrics.HealthConfig {
	if spec == nil {
		return h
	}
	apply := func(c *metrics.Component, cs *planfile.ComponentSpec) {
		if cs == nil {
			return
		}
		if cs.Bad != nil {
			c.Bad = *cs.Bad
		}
		if cs.Good != nil {
			c.Good = *cs.Good
		}
		if cs.Weight != nil {
			c.Weight = *cs.Weight
		}
	}
	apply(&h.Uptime, spec.Uptime)
	apply(&h.Usage, spec.Usage)
	apply(&h.Tickets, spec.Tickets)
	if spec.Red != nil {
		h.Red = *spec.Red
	}
	if spec.Yellow != nil {
		h.Yellow = *spec.Yellow
	}
	return h
}

func (o *MetricsOptions) health(h metrics.HealthConfig) (metrics.HealthConfig, error) {
	if o.Health != "" {
		fields := map[string]*float64{
			"uptime_bad": &h.Uptime.Bad, "uptime_good": &h.Uptime.Good, "uptime_weight": &h.Uptime.Weight,
			"usage_bad": &h.Usage.Bad, "usage_good": &h.Usage.Good, "usage_weight": &h.Usage.Weight,
			"tickets_bad": &h.Tickets.Bad, "tickets_good": &h.Tickets.Good, "tickets_weight": &h.Tickets.Weight,
			"red": &h.Red, "yellow": &h.Yellow,
		}
		for _, kv := range strings.Split(o.Health, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			p, known := fields[k]
			if !ok || !known {
				return h, usageErrorf("--health %q: use KEY=VALUE with keys uptime_bad, uptime_good, uptime_weight, usage_bad, usage_good, usage_weight, tickets_bad, tickets_good, tickets_weight, red, yellow", kv)
			}
			var x float64
			var err error
			if strings.HasPrefix(k, "uptime_") && k != "uptime_weight" || strings.HasPrefix(k, "usage_") && k != "usage_weight" {
				x, err = parseFraction("--health "+k, v)
			} else {
				x, err = strconv.ParseFloat(v, 64)
				if err != nil || x < 0 || math.IsInf(x, 0) {
					err = usageErrorf("--health %s=%q: give a number of 0 or more", k, v)
				}
			}
			if err != nil {
				return h, err
			}
			*p = x
		}
	}
	return h, checkHealth(h)
}

func checkHealth(h metrics.HealthConfig) error {
	for _, c := range []metrics.Component{h.Uptime, h.Usage, h.Tickets} {
		if c.Bad == c.Good {
			return usageErrorf("health: a component's bad and good values must differ")
		}
		for _, v := range []float64{c.Bad, c.Good} {
			if math.IsNaN(v) || math.Abs(v) > 1e9 {
				return usageErrorf("health: bad and good values must be finite numbers within ±1e9")
			}
		}
		if math.IsNaN(c.Weight) || c.Weight < 0 || c.Weight > 1000 {
			return usageErrorf("health: weights must be from 0 to 1000")
		}
	}
	if !(h.Red < h.Yellow) {
		return usageErrorf("health: red must be below yellow")
	}
	return nil
}

// gate is one CI threshold and its outcome.
type gate struct {
	Name      string   `json:"name"`
	Value     *float64 `json:"value"`
	Threshold string   `json:"threshold"`
	Passed    bool     `json:"passed"`
	Detail    string   `json:"detail,omitempty"`
	Flag      string   `json:"-"`
}

// metricsJob is everything one metrics computation needs.
type metricsJob struct {
	inputs     map[string]export.Input // resolved paths, formats, zones and column maps
	formats    *export.Formats
	window     metrics.Window
	activation float64 // seconds
	slo        float64
	health     metrics.HealthConfig
	maxBadRows int
	asOf       int64   // 0: the latest row
	expansion  int     // .csv.gz bound; 0: the default
	dormant    float64 // seconds; 0: no dormancy
	now        time.Time
}

// Defaults of the metrics settings, in one place.
const (
	defaultActivationDays = 30
	defaultSLO            = 0.99
	defaultDormantDays    = 30
)

func newMetricsJob() *metricsJob {
	return &metricsJob{inputs: map[string]export.Input{}, activation: defaultActivationDays * 86400, slo: defaultSLO,
		health: metrics.DefaultHealth(), dormant: defaultDormantDays * 86400}
}

// metricsOutcome is a computation's result; problems are bad rows and
// unreadable inputs, as diagnostics.
type metricsOutcome struct {
	report   metrics.Report
	doc      metricsJSON
	stats    []*export.Stats
	badRows  int
	problems diag.List
}

// jobFromConfig builds the metrics job iotpm.yaml describes; nil when it
// names no inputs.
func jobFromConfig(cfg *planfile.Config) (*metricsJob, error) {
	if cfg == nil || len(cfg.Inputs) == 0 {
		return nil, nil
	}
	job := newMetricsJob()
	for kind, in := range cfg.Inputs {
		job.inputs[kind] = inputFromConfig(kind, in)
	}
	formats, err := repoFormats(cfg)
	if err != nil {
		return nil, err
	}
	job.formats = formats
	m := cfg.Metrics
	month := ""
	if m.Month != nil {
		month = string(*m.Month)
	}
	var from, to string
	if m.From != nil && m.To != nil {
		from, to = m.From.Text, m.To.Text
	}
	if job.window, err = parseWindow(month, from, to, "iotpm.yaml metrics."); err != nil {
		return nil, err
	}
	if m.ActivationWindow != nil {
		job.activation = float64(*m.ActivationWindow)
	}
	if m.SLO != nil {
		job.slo = float64(*m.SLO)
	}
	if m.AsOf != nil {
		job.asOf = m.AsOf.Time.UnixMicro()
	}
	if m.DormantAfter != nil {
		job.dormant = float64(*m.DormantAfter)
	}
	job.maxBadRows = m.MaxBadRows
	job.expansion = m.MaxExpansion
	job.health = healthFromConfig(job.health, m.Health)
	return job, checkHealth(job.health)
}

// job merges the flags over iotpm.yaml.
func (o *MetricsOptions) job(f *Factory) (*metricsJob, error) {
	cfg, diags := f.Config()
	if err := report(f, diags); err != nil {
		return nil, err
	}
	base, err := jobFromConfig(cfg)
	flagInputs := len(o.Inputs) > 0
	windowFlags := o.Month != "" || o.From != "" || o.To != ""
	if err != nil && (!flagInputs || !windowFlags) {
		return nil, err
	}
	if base == nil || err != nil {
		base = newMetricsJob()
		if cfg != nil && cfg.Metrics != nil {
			base.health = healthFromConfig(base.health, cfg.Metrics.Health)
		}
		if base.formats, err = repoFormats(cfg); err != nil {
			return nil, err
		}
	}
	job := *base
	if flagInputs {
		job.inputs = map[string]export.Input{}
		for kind, path := range o.Inputs {
			job.inputs[kind] = export.Input{Kind: kind, Path: f.Path(path)}
		}
	}
	if len(job.inputs) == 0 {
		return nil, usageErrorf("give at least one input: --devices, --events, --ota, --activity, --tickets or --usage (or metrics.inputs in iotpm.yaml)")
	}
	if err := o.applyFormatFlags(&job); err != nil {
		return nil, err
	}
	maps, err := o.maps()
	if err != nil {
		return nil, err
	}
	for kind, m := range maps {
		in, ok := job.inputs[kind]
		if !ok {
			return nil, usageErrorf("--map names %s, which is not an input", kind)
		}
		merged := map[string]string{}
		for k, v := range in.Map {
			merged[k] = v
		}
		for k, v := range m {
			merged[k] = v
		}
		in.Map = merged
		job.inputs[kind] = in
	}
	if windowFlags || base.window == (metrics.Window{}) {
		if job.window, err = parseWindow(o.Month, o.From, o.To, "--"); err != nil {
			return nil, err
		}
	}
	if o.set("activation-window") || job.activation == 0 {
		act, err := quantity.Duration.Parse(o.ActivationWindow)
		if err != nil || act <= 0 {
			return nil, usageErrorf("--activation-window %q: give a positive duration such as 30d", o.ActivationWindow)
		}
		job.activation = act
	}
	if o.set("slo") {
		if job.slo, err = parseFraction("--slo", o.SLO); err != nil {
			return nil, err
		}
	}
	if o.set("max-bad-rows") {
		job.maxBadRows = o.MaxBadRows
	}
	if o.set("max-expansion") {
		if o.MaxExpansion < 1 || o.MaxExpansion > 100000 {
			return nil, usageErrorf("--max-expansion %d: give a ratio from 1 to 100000", o.MaxExpansion)
		}
		job.expansion = o.MaxExpansion
	}
	if o.set("now") {
		t, err := planfile.ParseInstant(o.Now)
		if err != nil {
			return nil, usageErrorf("--now: %v", err)
		}
		job.now = t
	}
	if o.set("as-of") {
		t, err := planfile.ParseInstant(o.AsOf)
		if err != nil {
			return nil, usageErrorf("--as-of: %v", err)
		}
		job.asOf = t.UnixMicro()
	}
	if o.set("dormant-after") {
		d, err := quantity.Duration.Parse(o.DormantAfter)
		if strings.TrimSpace(o.DormantAfter) == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 || d > 100*365.25*86400 {
			return nil, usageErrorf("--dormant-after %q: give a duration such as 30d, or 0 to turn dormancy off", o.DormantAfter)
		}
		job.dormant = d
	}
	if job.health, err = o.health(job.health); err != nil {
		return nil, err
	}
	return &job, nil
}

// runMetricsJob reads the inputs and computes the metrics.
func runMetricsJob(f *Factory, job *metricsJob) *metricsOutcome {
	// Event logs are a few large pointer-free arrays: collecting garbage
	// sooner costs little CPU and keeps peak memory near the live set
	// (the default lets the heap grow to twice it). GOGC still wins.
	if f.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(20))
	}
	w := job.window
	act := int64(job.activation * 1e6)
	data := metrics.NewData()
	useUntil := w.To
	if _, ok := job.inputs["devices"]; ok {
		useUntil = w.To + act
	}
	ing := &export.Ingest{Data: data, Window: w, UseUntil: useUntil, Formats: job.formats, MaxExpansion: job.expansion}
	if f.IO.IsStderrTTY() {
		ing.Progress = func(kind string, read, size int64) {
			pct := 0.0
			if size > 0 {
				pct = float64(read) / float64(size) * 100
			}
			fmt.Fprintf(f.IO.ErrOut, "\rreading %s: %3.0f%% (%s of %s MB)", kind, pct, render.Number(float64(read)/1e6, 0), render.Number(float64(size)/1e6, 0))
		}
	}
	out := &metricsOutcome{}
	for _, kind := range inputKinds {
		in, ok := job.inputs[kind]
		if !ok {
			continue
		}
		st, err := ing.Read(in)
		if ing.Progress != nil {
			fmt.Fprint(f.IO.ErrOut, "\r\033[K")
		}
		if err != nil {
			var re *export.RowError
			if errors.As(err, &re) {
				out.problems.Errorf(re.Path, re.Line, 0, "%s", re.Reason)
			} else {
				out.problems.Errorf(in.Path, 0, 0, "%v", err)
			}
			continue
		}
		out.stats = append(out.stats, st)
		out.badRows += st.SkippedTotal()
	}
	if !out.problems.HasErrors() {
		checkJoins(data, out)
	}
	if out.badRows > job.maxBadRows {
		for _, st := range out.stats {
			for _, e := range st.Errors {
				out.problems.Errorf(e.Path, e.Line, 0, "%s", e.Reason)
			}
		}
	}
	if out.problems.HasErrors() {
		return out
	}
	out.report = metrics.Compute(data, metrics.Options{Window: w, ActivationWindow: act, SLO: job.slo, Health: job.health, SeriesMonths: 12,
		AsOf: job.asOf, DormantAfter: int64(job.dormant * 1e6)})
	out.doc = toMetricsJSON(out.report, out.stats)
	if out.doc.Uptime != nil {
		out.doc.Uptime.DormantAfterDays = job.dormant / 86400
	}
	if h := out.report.Horizon; h != metrics.NoTime {
		now := job.now
		if now.IsZero() {
			now = f.now()
		}
		age := max(0, float64(min(w.To, now.UnixMicro())-h)/86_400e6) // data past the window is not stale
		out.doc.DataAgeDays = &age
	}
	return out
}

// metricGate evaluates one threshold on a metric of the report.
func metricGate(doc metricsJSON, name string, t planfile.Threshold, flag string) gate {
	var v *float64
	reason := "its inputs were not given"
	switch name {
	case "connectivity_uptime":
		if u := doc.Uptime; u != nil {
			v, reason = u.Value, u.Reason
		}
	case "activation_rate":
		if a := doc.Activation; a != nil {
			v, reason = a.Value, a.Reason
		}
	case "ota_success_rate":
		if o := doc.OTA; o != nil {
			v, reason = o.Value, o.Reason
		}
	case "monthly_active_devices":
		if m := doc.MAD; m != nil {
			reason = m.Reason
			if m.Value != nil {
				x := float64(*m.Value)
				v = &x
			}
		}
	}
	g := gate{Name: name, Value: v, Threshold: t.Text, Flag: flag, Passed: v != nil && t.Holds(*v)}
	if name == "activation_rate" && doc.Activation != nil && !doc.Activation.Mature {
		g.Detail = "immature cohort"
	}
	if v == nil {
		g.Detail = "no value: " + reason
	}
	return g
}

// dataAgeGate fails when the data's horizon is older than the limit at
// the window's end (or now, when that is earlier).
func dataAgeGate(doc metricsJSON, t planfile.AgeThreshold, flag string) gate {
	g := gate{Name: "data_age", Threshold: t.Text, Flag: flag}
	if doc.DataAgeDays == nil {
		g.Detail = "no value: no rows in the inputs"
		return g
	}
	age := *doc.DataAgeDays
	g.Value = &age
	g.Passed = t.Holds(age * 86400)
	g.Detail = "horizon " + *doc.Horizon
	return g
}

func metricsRun(opts *MetricsOptions) error {
	f := opts.Factory
	format, err := f.Format(dataFormats)
	if err != nil {
		return err
	}
	job, err := opts.job(f)
	if err != nil {
		return err
	}
	type threshold struct {
		flag, metric, input string
		t                   planfile.Threshold
	}
	var thresholds []threshold
	for _, g := range []struct{ flag, value, metric, input string }{
		{"--min-uptime", opts.MinUptime, "connectivity_uptime", "events"},
		{"--min-activation", opts.MinActivation, "activation_rate", "devices"},
		{"--min-ota", opts.MinOTA, "ota_success_rate", "ota"},
	} {
		if g.value == "" {
			continue
		}
		v, err := parseFraction(g.flag, g.value)
		if err != nil {
			return err
		}
		if _, ok := job.inputs[g.input]; !ok {
			return usageErrorf("%s needs --%s", g.flag, g.input)
		}
		thresholds = append(thresholds, threshold{g.flag, g.metric, g.input, planfile.Threshold{Op: ">=", Value: v, Percent: true, Text: ">= " + render.Percent(v, 2)}})
	}
	if opts.MinMAD > 0 {
		_, ev := job.inputs["events"]
		_, ac := job.inputs["activity"]
		if !ev && !ac {
			return usageErrorf("--min-mad needs --events or --activity")
		}
		thresholds = append(thresholds, threshold{"--min-mad", "monthly_active_devices", "", planfile.Threshold{Op: ">=", Value: float64(opts.MinMAD), Text: ">= " + strconv.Itoa(opts.MinMAD)}})
	}

	var maxAge *planfile.AgeThreshold
	if opts.MaxDataAge != "" {
		var t planfile.AgeThreshold
		if err := t.UnmarshalNode(&yaml.Node{Value: "<= " + opts.MaxDataAge}); err != nil {
			return usageErrorf("--max-data-age %q: give a duration such as 2d or 36h", opts.MaxDataAge)
		}
		maxAge = &t
	}
	out := runMetricsJob(f, job)
	if out.problems.HasErrors() {
		shown := out.problems.Sort()
		if len(shown) > export.MaxListedErrors {
			shown = shown[:export.MaxListedErrors]
		}
		for _, d := range shown {
			fmt.Fprintln(f.IO.ErrOut, d.String())
		}
		if out.badRows > job.maxBadRows {
			if out.badRows > len(shown) {
				fmt.Fprintf(f.IO.ErrOut, "… and %d more\n", out.badRows-len(shown))
			}
			hint := "fix them, or tolerate them with --max-bad-rows N"
			if job.maxBadRows > 0 {
				hint = fmt.Sprintf("more than --max-bad-rows %d", job.maxBadRows)
			}
			return &InvalidInputError{Summary: fmt.Sprintf("%d bad rows (%s); nothing was computed", out.badRows, hint)}
		}
		return &InvalidInputError{Diagnostics: out.problems}
	}
	for _, w := range out.problems.Warnings() {
		fmt.Fprintln(f.IO.ErrOut, w.String())
	}
	if out.badRows > 0 {
		fmt.Fprintf(f.IO.ErrOut, "iotpm: skipped %d bad rows (within --max-bad-rows %d); see rows in the output\n", out.badRows, job.maxBadRows)
	}
	doc := out.doc
	var failed []string
	for _, th := range thresholds {
		g := metricGate(doc, th.metric, th.t, th.flag)
		doc.Gates = append(doc.Gates, g)
		if !g.Passed {
			failed = append(failed, gateFailure(g))
		}
	}
	if maxAge != nil {
		g := dataAgeGate(doc, *maxAge, "--max-data-age")
		doc.Gates = append(doc.Gates, g)
		if !g.Passed {
			failed = append(failed, gateFailure(g))
		}
	}
	if err := emit(f, func(b *bytes.Buffer) error { return writeMetrics(b, format, doc, out.report, f.IO.ColorEnabled()) }); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &GateError{Failed: failed}
	}
	return nil
}

// gateFailure says why a gate failed, naming it.
func gateFailure(g gate) string {
	name := strings.ReplaceAll(g.Name, "_", " ")
	msg := fmt.Sprintf("%s has %s, so it is not %s", name, g.Detail, g.Threshold)
	if g.Value != nil {
		msg = fmt.Sprintf("%s is %s, not %s", name, metricValueText(g.Name, *g.Value), g.Threshold)
	}
	if g.Flag != "" {
		msg += " (" + g.Flag + ")"
	}
	return msg
}

func metricValueText(metric string, v float64) string {
	switch metric {
	case "monthly_active_devices":
		return render.Number(v, 0)
	case "data_age":
		return render.Number(v, 1) + " days"
	}
	return render.Percent(v, 2)
}

// num turns NaN (undefined) into a JSON null.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func isoMicro(us int64) string { return time.UnixMicro(us).UTC().Format(time.RFC3339) }

// metricsJSON is the JSON/YAML contract of `iotpm metrics`; a metric whose
// inputs were not given is absent, rates are fractions 0..1.
type metricsJSON struct {
	Window struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"window"`
	// Horizon is H: the latest row of the inputs (or --as-of); null when
	// no input has a row. DataAgeDays is min(to, now) − H.
	Horizon     *string             `json:"horizon"`
	DataAgeDays *float64            `json:"data_age_days"`
	Uptime      *uptimeJSON         `json:"connectivity_uptime,omitempty"`
	MAD         *madJSON            `json:"monthly_active_devices,omitempty"`
	Activation  *activationJSON     `json:"activation_rate,omitempty"`
	OTA         *otaJSON            `json:"ota_success_rate,omitempty"`
	Customers   []customerJSON      `json:"customers,omitempty"`
	Months      []monthJSON         `json:"months,omitempty"`
	Gates       []gate              `json:"gates"`
	Rows        map[string]rowsJSON `json:"rows"`
}

type uptimeJSON struct {
	Value *float64 `json:"value"`
	// Reason says why Value is null.
	Reason         string   `json:"reason,omitempty"`
	ConnectedHours float64  `json:"connected_hours"`
	ObservedHours  float64  `json:"observed_hours"`
	Devices        int      `json:"devices"`
	LeftOut        int      `json:"devices_left_out"`
	Mean           *float64 `json:"mean"`
	Median         *float64 `json:"median"`
	SLO            float64  `json:"slo"`
	BelowSLO       int      `json:"devices_below_slo"`
	NeverActivated int      `json:"devices_never_activated"`
	Dormant        int      `json:"devices_dormant"`
	Retired        int      `json:"devices_retired"`
	// DormantAfterDays is D (0: no dormancy).
	DormantAfterDays float64 `json:"dormant_after_days"`
}

type madJSON struct {
	Value          *int   `json:"value"`
	Reason         string `json:"reason,omitempty"`
	ByConnection   int    `json:"by_connection"`
	ByActivityOnly int    `json:"by_activity_only"`
	DevicesInInput int    `json:"devices_in_input"`
}

type cohortJSON struct {
	Month     string   `json:"month,omitempty"`
	Value     *float64 `json:"value"`
	Activated int      `json:"activated"`
	Shipped   int      `json:"shipped"`
	Mature    bool     `json:"mature"`
}

type activationJSON struct {
	cohortJSON
	Reason      string       `json:"reason,omitempty"`
	WindowDays  float64      `json:"window_days"`
	ByShipMonth []cohortJSON `json:"by_ship_month"`
}

type otaJobJSON struct {
	Job      string   `json:"job,omitempty"`
	Value    *float64 `json:"value"`
	Success  int      `json:"success"`
	Failure  int      `json:"failure"`
	Excluded int      `json:"excluded"`
	Pending  int      `json:"pending"`
}

type otaJSON struct {
	otaJobJSON
	Reason string       `json:"reason,omitempty"`
	Jobs   []otaJobJSON `json:"jobs"`
	// Snapshot: some states come from a snapshot export (no times), counted
	// whatever the window.
	Snapshot bool `json:"snapshot,omitempty"`
}

type componentJSON struct {
	Raw    *float64 `json:"raw"`
	Score  *float64 `json:"score"`
	Weight float64  `json:"weight"`
}

type customerJSON struct {
	ID         string                   `json:"id"`
	Score      *float64                 `json:"score"`
	Band       string                   `json:"band"`
	Devices    int                      `json:"devices"`
	Components map[string]componentJSON `json:"components"`
}

type monthJSON struct {
	Month  string   `json:"month"`
	MAD    int      `json:"mad"`
	Uptime *float64 `json:"uptime"`
}

type rowsJSON struct {
	Path            string            `json:"path"`
	Format          string            `json:"format"`
	FormatDetected  bool              `json:"format_detected"`
	Columns         map[string]string `json:"columns"`
	Read            int               `json:"read"`
	Used            int               `json:"used"`
	OutsideWindow   int               `json:"outside_window"`
	Skipped         int               `json:"skipped"`
	SkippedByReason map[string]int    `json:"skipped_by_reason"`
	Ignored         int               `json:"ignored"`
	IgnoredByReason map[string]int    `json:"ignored_by_reason"`
	Duplicates      int               `json:"duplicates"`
	UnknownDevices  int               `json:"unknown_devices"`
	Earliest        *string           `json:"earliest"`
	Latest          *string           `json:"latest"`
}

func toMetricsJSON(r metrics.Report, stats []*export.Stats) metricsJSON {
	var doc metricsJSON
	doc.Window.From, doc.Window.To = isoMicro(r.Window.From), isoMicro(r.Window.To)
	doc.Gates = []gate{}
	doc.Rows = map[string]rowsJSON{}
	latest := map[string]int64{}
	for _, st := range stats {
		rj := rowsJSON{Path: st.Path, Format: st.Format, FormatDetected: st.Detected, Columns: st.Columns,
			Read: st.Read, Used: st.Used, OutsideWindow: st.Outside, Skipped: st.SkippedTotal(), SkippedByReason: st.Skipped,
			Ignored: st.IgnoredTotal(), IgnoredByReason: st.Ignored, Duplicates: st.Duplicates, UnknownDevices: st.UnknownDevices}
		if st.Latest != metrics.NoTime {
			e, l := isoMicro(st.Earliest), isoMicro(st.Latest)
			rj.Earliest, rj.Latest = &e, &l
			latest[st.Kind] = st.Latest
		}
		doc.Rows[st.Kind] = rj
	}
	if r.Horizon != metrics.NoTime {
		h := isoMicro(r.Horizon)
		doc.Horizon = &h
	}
	// noData says why a metric over these inputs has no value.
	noData := func(kinds ...string) string {
		for _, k := range kinds {
			if t, ok := latest[k]; ok {
				return fmt.Sprintf("no data in window: latest %s row %s", k, isoMicro(t))
			}
		}
		return "no data in window: the inputs have no rows"
	}
	if u := r.Uptime; u != nil {
		doc.Uptime = &uptimeJSON{Value: num(u.Value), ConnectedHours: float64(u.ConnectedUS) / 3600e6, ObservedHours: float64(u.ObservedUS) / 3600e6,
			Devices: u.Devices, LeftOut: u.LeftOut, Mean: num(u.Mean), Median: num(u.Median), SLO: u.SLO, BelowSLO: u.BelowSLO,
			NeverActivated: u.NeverActivated, Dormant: u.Dormant, Retired: u.Retired}
		if doc.Uptime.Value == nil {
			doc.Uptime.Reason = noData("events")
		}
	}
	if m := r.MAD; m != nil {
		doc.MAD = &madJSON{ByConnection: m.ByConnection, ByActivityOnly: m.ByActivity, DevicesInInput: m.DevicesInInput}
		if m.NoData {
			doc.MAD.Reason = noData("events", "activity")
		} else {
			v := m.Value
			doc.MAD.Value = &v
		}
	}
	if a := r.Activation; a != nil {
		doc.Activation = &activationJSON{cohortJSON: cohortJSON{Value: num(a.Rate), Activated: a.Activated, Shipped: a.Shipped, Mature: a.Mature},
			WindowDays: a.WindowDays, ByShipMonth: []cohortJSON{}}
		if a.Shipped == 0 {
			doc.Activation.Reason = "no device shipped in window"
		}
		for _, c := range a.ByMonth {
			doc.Activation.ByShipMonth = append(doc.Activation.ByShipMonth, cohortJSON{Month: c.Label, Value: num(c.Rate), Activated: c.Activated, Shipped: c.Shipped, Mature: c.Mature})
		}
	}
	if o := r.OTA; o != nil {
		job := func(j metrics.OTAJob) otaJobJSON {
			return otaJobJSON{Value: num(j.Rate), Success: j.Success, Failure: j.Failure, Excluded: j.Excluded, Pending: j.Pending}
		}
		doc.OTA = &otaJSON{otaJobJSON: job(o.OTAJob), Jobs: []otaJobJSON{}, Snapshot: o.Snapshot}
		switch {
		case o.Success+o.Failure+o.Pending+o.Excluded == 0:
			doc.OTA.Reason = noData("ota")
		case o.Success+o.Failure == 0:
			doc.OTA.Reason = "no succeeded or failed executions in window"
		}
		for _, j := range o.Jobs {
			jj := job(j)
			jj.Job = j.Job
			doc.OTA.Jobs = append(doc.OTA.Jobs, jj)
		}
	}
	for _, c := range r.Customers {
		cj := customerJSON{ID: c.Customer, Score: num(c.Score), Band: c.Band, Devices: c.Devices, Components: map[string]componentJSON{}}
		add := func(name string, raw, score *float64, weight float64) {
			if raw != nil {
				cj.Components[name] = componentJSON{Raw: raw, Score: score, Weight: weight}
			}
		}
		add("uptime", c.Uptime, c.UptimeScore, c.UptimeWeight)
		add("usage", c.Usage, c.UsageScore, c.UsageWeight)
		add("tickets_per_100_devices", c.TicketsPer100, c.TicketsScore, c.TicketsWeight)
		doc.Customers = append(doc.Customers, cj)
	}
	for _, m := range r.Months {
		doc.Months = append(doc.Months, monthJSON{Month: m.Label, MAD: m.MAD, Uptime: num(m.Uptime)})
	}
	return doc
}

func pctOr(v *float64, decimals int) string {
	if v == nil {
		return "-"
	}
	return render.Percent(*v, decimals)
}

func gateFor(doc metricsJSON, name string) (string, string) {
	for _, g := range doc.Gates {
		if g.Name == name {
			if g.Passed {
				return g.Threshold, "pass"
			}
			return g.Threshold, "FAIL"
		}
	}
	return "-", "-"
}

func metricsTable(doc metricsJSON) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "METRIC"}, {Header: "VALUE", Right: true}, {Header: "NUMERATOR", Right: true},
		{Header: "DENOMINATOR", Right: true}, {Header: "NOTE"}, {Header: "GATE"}, {Header: "STATUS"}}}
	var statuses []string
	row := func(name, key, value, numerator, denominator, note string) {
		g, st := gateFor(doc, key)
		t.Append(name, value, numerator, denominator, note, g, st)
		statuses = append(statuses, st)
	}
	count := func(n int) string { return render.Number(float64(n), 0) }
	if u := doc.Uptime; u != nil {
		note := fmt.Sprintf("%s devices, median %s, %s below %s SLO", count(u.Devices), pctOr(u.Median, 2), count(u.BelowSLO), render.Percent(u.SLO, 1))
		for _, x := range []struct {
			n    int
			what string
		}{{u.Dormant, "dormant"}, {u.NeverActivated, "never activated"}, {u.Retired, "retired"}, {u.LeftOut, "left out"}} {
			if x.n > 0 {
				note += fmt.Sprintf(", %s %s", count(x.n), x.what)
			}
		}
		if u.Reason != "" {
			note = u.Reason
		}
		row("connectivity uptime", "connectivity_uptime", pctOr(u.Value, 2), render.Number(u.ConnectedHours, 0)+" h", render.Number(u.ObservedHours, 0)+" h", note)
	}
	if m := doc.MAD; m != nil {
		value, note := "-", m.Reason
		if m.Value != nil {
			value, note = count(*m.Value), fmt.Sprintf("%s by connection, %s by activity only", count(m.ByConnection), count(m.ByActivityOnly))
		}
		row("monthly active devices", "monthly_active_devices", value, "", count(m.DevicesInInput), note)
	}
	if a := doc.Activation; a != nil {
		note := fmt.Sprintf("within %s days of shipping", render.Number(a.WindowDays, 1))
		if !a.Mature {
			note += "; immature cohort"
		}
		if a.Reason != "" {
			note = a.Reason
		}
		row("activation rate", "activation_rate", pctOr(a.Value, 1), count(a.Activated), count(a.Shipped), note)
	}
	if o := doc.OTA; o != nil {
		note := fmt.Sprintf("%s pending, %s excluded", count(o.Pending), count(o.Excluded))
		if o.Snapshot {
			note += "; states from a snapshot export, counted whatever the window"
		}
		if o.Reason != "" {
			note = o.Reason + "; " + note
		}
		row("OTA success rate", "ota_success_rate", pctOr(o.Value, 1), strconv.Itoa(o.Success), strconv.Itoa(o.Success+o.Failure), note)
	}
	t.Tone = func(r, c int) render.Tone {
		if c == 6 {
			return toneStatus(statuses[r])
		}
		return render.Plain
	}
	return t
}

func writeMetrics(w io.Writer, format render.Format, doc metricsJSON, r metrics.Report, color bool) error {
	switch format {
	case render.FormatJSON:
		return render.JSON(w, doc)
	case render.FormatYAML:
		return render.YAML(w, doc)
	case render.FormatCSV:
		t := &render.Table{Columns: []render.Column{{Header: "metric"}, {Header: "value"}, {Header: "numerator"}, {Header: "denominator"}, {Header: "gate"}, {Header: "passed"}}}
		exact := func(v *float64) string {
			if v == nil {
				return ""
			}
			return render.Exact(*v)
		}
		gateCSV := func(name string) (string, string) {
			for _, g := range doc.Gates {
				if g.Name == name {
					return g.Threshold, strconv.FormatBool(g.Passed)
				}
			}
			return "", ""
		}
		add := func(name, value, numerator, denominator string) {
			g, p := gateCSV(name)
			t.Append(name, value, numerator, denominator, g, p)
		}
		if u := doc.Uptime; u != nil {
			add("connectivity_uptime", exact(u.Value), render.Exact(u.ConnectedHours), render.Exact(u.ObservedHours))
		}
		if m := doc.MAD; m != nil {
			value := ""
			if m.Value != nil {
				value = strconv.Itoa(*m.Value)
			}
			add("monthly_active_devices", value, "", strconv.Itoa(m.DevicesInInput))
		}
		if a := doc.Activation; a != nil {
			add("activation_rate", exact(a.Value), strconv.Itoa(a.Activated), strconv.Itoa(a.Shipped))
		}
		if o := doc.OTA; o != nil {
			add("ota_success_rate", exact(o.Value), strconv.Itoa(o.Success), strconv.Itoa(o.Success+o.Failure))
		}
		return t.CSV(w)
	}
	md := format == render.FormatMarkdown
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "\n### %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(title))
		return t.Text(w, color)
	}
	if md {
		fmt.Fprintf(w, "## Fleet metrics %s to %s\n\n", doc.Window.From, doc.Window.To)
		if err := metricsTable(doc).Markdown(w); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "Window %s to %s\n\n", doc.Window.From, doc.Window.To)
		if err := metricsTable(doc).Text(w, color); err != nil {
			return err
		}
	}
	if len(doc.Months) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "MONTH"}, {Header: "MAD", Right: true}, {Header: "UPTIME", Right: true}}}
		for _, m := range doc.Months {
			t.Append(m.Month, render.Number(float64(m.MAD), 0), pctOr(m.Uptime, 2))
		}
		if err := section("By month", t); err != nil {
			return err
		}
		if md {
			for _, chart := range mermaidMonths(doc.Months) {
				fmt.Fprintf(w, "\n```mermaid\n%s```\n", chart)
			}
		}
	}
	if a := doc.Activation; a != nil && len(a.ByShipMonth) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "SHIP MONTH"}, {Header: "SHIPPED", Right: true}, {Header: "ACTIVATED", Right: true}, {Header: "RATE", Right: true}, {Header: "COHORT"}}}
		for _, c := range a.ByShipMonth {
			mature := "mature"
			if !c.Mature {
				mature = "immature"
			}
			t.Append(c.Month, strconv.Itoa(c.Shipped), strconv.Itoa(c.Activated), pctOr(c.Value, 1), mature)
		}
		if err := section("Activation by ship month", t); err != nil {
			return err
		}
	}
	if o := doc.OTA; o != nil && len(o.Jobs) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "JOB"}, {Header: "SUCCESS RATE", Right: true}, {Header: "SUCCEEDED", Right: true}, {Header: "FAILED", Right: true}, {Header: "PENDING", Right: true}, {Header: "EXCLUDED", Right: true}}}
		for _, j := range o.Jobs {
			t.Append(j.Job, pctOr(j.Value, 1), strconv.Itoa(j.Success), strconv.Itoa(j.Failure), strconv.Itoa(j.Pending), strconv.Itoa(j.Excluded))
		}
		if err := section("OTA by job", t); err != nil {
			return err
		}
	}
	if len(doc.Customers) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "CUSTOMER"}, {Header: "SCORE", Right: true}, {Header: "BAND"}, {Header: "DEVICES", Right: true},
			{Header: "UPTIME", Right: true}, {Header: "USAGE", Right: true}, {Header: "TICKETS/100", Right: true}}}
		var bands []string
		for _, c := range doc.Customers {
			score := "-"
			if c.Score != nil {
				score = render.Number(*c.Score, 1)
			}
			comp := func(name string, pct bool) string {
				cj, ok := c.Components[name]
				if !ok || cj.Raw == nil {
					return "-"
				}
				if pct {
					return render.Percent(*cj.Raw, 1)
				}
				return render.Number(*cj.Raw, 1)
			}
			t.Append(c.ID, score, c.Band, strconv.Itoa(c.Devices), comp("uptime", true), comp("usage", true), comp("tickets_per_100_devices", false))
			bands = append(bands, c.Band)
		}
		t.Tone = func(r, col int) render.Tone {
			if col != 2 {
				return render.Plain
			}
			switch bands[r] {
			case "red":
				return render.Bad
			case "green":
				return render.Good
			}
			return render.Plain
		}
		if err := section("Customers by health (worst first)", t); err != nil {
			return err
		}
	}
	title := "Rows"
	if doc.Horizon != nil {
		title += " (data horizon " + *doc.Horizon + ")"
	}
	return section(title, rowsTable(doc))
}

// mermaidMonths charts MAD (bars) and uptime (a line, in percent) by month
// as two xychart-beta diagrams: their scales differ, and a chart has one
// y-axis.
func mermaidMonths(months []monthJSON) []string {
	labels := make([]string, len(months))
	mads := make([]string, len(months))
	ups := make([]string, len(months))
	maxMAD := 0
	for i, m := range months {
		labels[i] = strconv.Quote(m.Month)
		mads[i] = strconv.Itoa(m.MAD)
		maxMAD = max(maxMAD, m.MAD)
		ups[i] = "0"
		if m.Uptime != nil {
			ups[i] = strconv.FormatFloat(*m.Uptime*100, 'f', 2, 64)
		}
	}
	x := fmt.Sprintf("    x-axis [%s]\n", strings.Join(labels, ", "))
	mad := "xychart-beta\n    title \"Monthly active devices\"\n" + x +
		fmt.Sprintf("    y-axis \"Devices\" 0 --> %d\n    bar [%s]\n", max(maxMAD, 1), strings.Join(mads, ", "))
	up := "xychart-beta\n    title \"Connectivity uptime (%)\"\n" + x +
		fmt.Sprintf("    y-axis \"Uptime %%\" 0 --> 100\n    line [%s]\n", strings.Join(ups, ", "))
	return []string{mad, up}
}
