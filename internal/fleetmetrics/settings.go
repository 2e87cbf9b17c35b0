package fleetmetrics

import (
	"errors"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// ParseFraction reads a share flag with planfile.ParseFraction.
func ParseFraction(flag, s string) (float64, error) {
	v, err := planfile.ParseFraction(s)
	if err != nil {
		return 0, failure.UsageErrorf("%s %v", flag, err)
	}
	return v, nil
}

// parseWindow reads a month, or from and to.
func parseWindow(month, from, to, origin string) (metrics.Window, error) {
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return metrics.Window{}, failure.UsageErrorf("%smonth %q: write YYYY-MM", origin, month)
		}
		return metrics.Window{From: t.UnixMicro(), To: t.AddDate(0, 1, 0).UnixMicro()}, nil
	}
	if from == "" || to == "" {
		return metrics.Window{}, failure.UsageErrorf("give the window: --month YYYY-MM, or --from and --to (or metrics.month in iotpm.yaml)")
	}
	f, err := export.ParseTimestamp([]byte(from))
	if err != nil {
		return metrics.Window{}, failure.UsageErrorf("%sfrom %q: write a date (2026-10-01) or an RFC 3339 time", origin, from)
	}
	t, err := export.ParseTimestamp([]byte(to))
	if err != nil {
		return metrics.Window{}, failure.UsageErrorf("%sto %q: write a date (2026-11-01) or an RFC 3339 time", origin, to)
	}
	if t <= f {
		return metrics.Window{}, failure.UsageErrorf("%sto %s must be after %sfrom %s", origin, to, origin, from)
	}
	return metrics.Window{From: f, To: t}, nil
}

func (o *Flags) maps() (map[planfile.InputKind]map[string]string, error) {
	out := map[planfile.InputKind]map[string]string{}
	for _, m := range o.Maps {
		key, header, ok := strings.Cut(m, "=")
		name, column, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || header == "" {
			return nil, failure.UsageErrorf("--map %q: write KIND.COLUMN=Header, e.g. events.device_id=clientId", m)
		}
		kind, known := planfile.ParseInputKind(name)
		if !known {
			return nil, failure.UsageErrorf("--map %q: unknown input %q (use %s)", m, name, strings.Join(planfile.InputKindNames(), ", "))
		}
		names, _, _ := export.KindColumns(kind)
		if !slices.Contains(names, column) {
			return nil, failure.UsageErrorf("--map %q: %s has no column %q (columns: %s)", m, kind, column, strings.Join(names, ", "))
		}
		if out[kind] == nil {
			out[kind] = map[string]string{}
		}
		if prev, ok := out[kind][column]; ok && prev != header {
			return nil, failure.UsageErrorf("--map maps %s.%s twice (%s, then %s): give one", kind, column, clipID(prev), clipID(header))
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

func (o *Flags) health(h metrics.HealthConfig) (metrics.HealthConfig, error) {
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
				return h, failure.UsageErrorf("--health %q: use KEY=VALUE with keys uptime_bad, uptime_good, uptime_weight, usage_bad, usage_good, usage_weight, tickets_bad, tickets_good, tickets_weight, red, yellow", kv)
			}
			var x float64
			var err error
			if strings.HasPrefix(k, "uptime_") && k != "uptime_weight" || strings.HasPrefix(k, "usage_") && k != "usage_weight" {
				x, err = ParseFraction("--health "+k, v)
			} else {
				x, err = strconv.ParseFloat(v, 64)
				if err != nil || x < 0 || math.IsInf(x, 0) {
					err = failure.UsageErrorf("--health %s=%q: give a number of 0 or more", k, v)
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
			return failure.UsageErrorf("health: a component's bad and good values must differ")
		}
		for _, v := range []float64{c.Bad, c.Good} {
			if math.IsNaN(v) || math.Abs(v) > 1e9 {
				return failure.UsageErrorf("health: bad and good values must be finite numbers within ±1e9")
			}
		}
		if math.IsNaN(c.Weight) || c.Weight < 0 || c.Weight > 1000 {
			return failure.UsageErrorf("health: weights must be from 0 to 1000")
		}
	}
	if !(h.Red < h.Yellow) {
		return failure.UsageErrorf("health: red must be below yellow")
	}
	return nil
}

// Job is everything one metrics computation needs.
type Job struct {
	inputs map[planfile.InputKind]export.Input // resolved paths, formats, zones and column maps
	// cautions are warnings about the flags (an Etc/GMT zone's sign),
	// which have no line of iotpm.yaml to be reported at: each is
	// reported at its input's path when the job runs.
	cautions []flagCaution
	formats  *export.Formats
	window   metrics.Window
	// windowPos: the window is iotpm.yaml's (metrics: at this position),
	// not a flag's; zero when a flag gave it.
	windowPos  planfile.Pos
	activation time.Duration
	slo        float64
	health     metrics.HealthConfig
	maxBadRows int
	asOf       int64         // 0: the latest row
	expansion  int           // .csv.gz bound; 0: the default
	dormant    time.Duration // 0: no dormancy
	now        time.Time
	// db is the database source whose tables are the inputs; nil: files.
	db *dbSource
	// models maps the devices input's model values to modes (see
	// resolveModels); profiles are devices.yaml's ids, for messages.
	models   map[string]metrics.Mode
	profiles []string
	// modelProfile maps each model value models names to its devices.yaml
	// profile (a profile id to itself), for the letter-case hint.
	modelProfile map[string]string
	// checkins are devices.yaml's check-in schedules by profile, and
	// devicesFile its path: a warning of a profile's interval is at its
	// checkin: line, whichever input its check-ins came from.
	checkins    map[string]planfile.Checkin
	devicesFile string
	// checkinSends: the profiles whose check-in event sends a message
	// each wake, which iotpm economics counts and prices
	checkinSends map[string]bool
	// profilesUnread: devices.yaml has problems of its own, so the model
	// values cannot be told from profiles it lacks (no warning of them).
	profilesUnread bool
	// unmodelledAlways: metrics.unmodelled: always, the devices without a
	// model value are always connected by the user's word.
	unmodelledAlways bool
	// unmodelled: metrics.unmodelled names a profile, the model value of
	// every device without one ("": none).
	unmodelled string
	// firmwareTarget is metrics.firmware.target ("": none), written at
	// firmwarePos.
	firmwareTarget string
	firmwarePos    planfile.Pos
	// firmwareAfter is metrics.firmware.after_release.
	firmwareAfter []string
	// fleetLookback asks for the devices' online days (0: not).
	fleetLookback int
	// funnel is iotpm.yaml's setup funnel (nil: none).
	funnel *metrics.Funnel
	// declared are the file inputs as iotpm.yaml (configFile) names them,
	// so a missing one is reported at its line.
	declared   map[planfile.InputKind]declaredInput
	configFile string
}

// declaredInput is where iotpm.yaml names an input, and the path as
// written there (relative to the repo).
type declaredInput struct {
	pos     planfile.Pos
	written string
}

func newMetricsJob() *Job {
	return &Job{inputs: map[planfile.InputKind]export.Input{}, activation: DefaultActivationDays * day, slo: DefaultSLO,
		health: metrics.DefaultHealth(), dormant: DefaultDormantDays * day}
}

// JobFromConfig builds the metrics job iotpm.yaml describes; nil when it
// names no inputs. Without metrics.month (or from and to) its window is
// not set (HasWindow): the command line may give it, and iotpm check
// reports it missing.
func JobFromConfig(cfg *planfile.Config) (*Job, error) {
	if cfg == nil || len(cfg.Inputs) == 0 {
		return nil, nil
	}
	return jobFromConfig(cfg)
}

// HasWindow says whether the job's window is set.
func (j *Job) HasWindow() bool { return j.window != (metrics.Window{}) }

// jobFromConfig is JobFromConfig for an iotpm.yaml with or without
// inputs: its settings (slo, dormant_after, models...) hold for inputs
// the command line gives too.
func jobFromConfig(cfg *planfile.Config) (*Job, error) {
	job := newMetricsJob()
	job.declared, job.configFile = map[planfile.InputKind]declaredInput{}, cfg.File
	for kind, in := range cfg.Inputs {
		if in.Table == "" {
			job.inputs[kind] = inputFromConfig(kind, in)
			written, err := filepath.Rel(cfg.Root, in.Path)
			if err != nil {
				written = in.Path
			}
			job.declared[kind] = declaredInput{pos: in.Pos, written: written}
		}
	}
	job.db = dbFromConfig(cfg)
	formats, err := RepoFormats(cfg)
	if err != nil {
		return nil, err
	}
	job.formats = formats
	m := cfg.Metrics
	if m == nil {
		m = &planfile.MetricsConfig{}
	}
	month := ""
	if m.Month != nil {
		month = string(*m.Month)
	}
	var from, to string
	if m.From != nil && m.To != nil {
		from, to = m.From.Text, m.To.Text
	}
	if month != "" || from != "" {
		if job.window, err = parseWindow(month, from, to, "iotpm.yaml metrics."); err != nil {
			return nil, err
		}
		job.windowPos = m.Pos
	}
	if m.ActivationWindow != nil {
		job.activation = duration(float64(*m.ActivationWindow))
	}
	if m.SLO != nil {
		job.slo = float64(*m.SLO)
	}
	if m.Firmware != nil {
		job.firmwareTarget, job.firmwarePos, job.firmwareAfter = m.Firmware.Target, m.Firmware.Pos, m.Firmware.AfterRelease
	}
	if u := m.Unmodelled; u != nil {
		job.unmodelledAlways, job.unmodelled = u.Always, u.Profile
	}
	if m.AsOf != nil {
		job.asOf = m.AsOf.Time.UnixMicro()
	}
	if m.DormantAfter != nil {
		job.dormant = duration(float64(*m.DormantAfter))
	}
	job.maxBadRows = m.MaxBadRows
	job.expansion = m.MaxExpansion
	job.funnel = funnelOf(cfg.Onboarding)
	job.health = healthFromConfig(job.health, m.Health)
	return job, checkHealth(job.health)
}

// Job merges the flags over iotpm.yaml's metrics job (cfg may be nil: no
// iotpm.yaml); path resolves a path given on the command line. Its
// diagnostics are the models' (metrics.models against devices.yaml), to
// report before running; the error is a usage error or invalid input.
func (o *Flags) Job(cfg *planfile.Config, path func(string) string) (*Job, diag.List, error) {
	// iotpm.yaml's settings hold under the flags, whether or not it names
	// inputs or a window; a problem in it is reported, never set aside
	// (a run on the defaults instead would give other numbers, silently)
	base := newMetricsJob()
	var err error
	if cfg != nil && cfg.Metrics != nil {
		if base, err = jobFromConfig(cfg); err != nil {
			return nil, nil, err
		}
		if len(cfg.Inputs) == 0 {
			base.db = nil // no table to read: a source alone is --source postgres's to use
		}
	} else if base.formats, err = RepoFormats(cfg); err != nil {
		return nil, nil, err
	}
	flagInputs := len(o.Inputs) > 0
	windowFlags := o.Month != "" || o.From != "" || o.To != ""
	job := *base
	if flagInputs {
		o.applyInputFlags(path, &job, base)
	}
	var cfgDB *dbSource
	if cfg != nil {
		cfgDB = dbFromConfig(cfg)
	}
	if err := o.applySourceFlags(&job, cfgDB, flagInputs); err != nil {
		return nil, nil, err
	}
	if !job.hasAny() {
		return nil, nil, failure.UsageErrorf("give at least one input: --devices, --events, --ota, --activity, --tickets, --usage or --onboarding (or metrics.inputs in iotpm.yaml)")
	}
	if err := o.applyFormatFlags(&job); err != nil {
		return nil, nil, err
	}
	if err := o.applyMapFlags(&job); err != nil {
		return nil, nil, err
	}
	if err := o.applySettingFlags(&job, windowFlags || !base.HasWindow()); err != nil {
		return nil, nil, err
	}
	if job.health, err = o.health(job.health); err != nil {
		return nil, nil, err
	}
	if cfg != nil && job.funnel == nil {
		job.funnel = funnelOf(cfg.Onboarding)
	}
	if _, ok := job.inputs[planfile.KindOnboarding]; ok && job.funnel == nil {
		return nil, nil, errNoFunnel
	}
	return &job, job.ResolveModels(cfg, nil), nil
}

// applyInputFlags replaces the inputs the flags name (path, and so the
// format is detected again); the others stay as iotpm.yaml gives them.
func (o *Flags) applyInputFlags(path func(string) string, job *Job, base *Job) {
	job.inputs = maps.Clone(base.inputs)
	if job.inputs == nil {
		job.inputs = map[planfile.InputKind]export.Input{}
	}
	job.declared = maps.Clone(base.declared)
	for kind, file := range o.Inputs {
		job.inputs[kind] = export.Input{Kind: kind, Path: path(file)}
		delete(job.declared, kind) // the flag's, not iotpm.yaml's
	}
}

// applyMapFlags merges --map columns into their inputs' maps.
func (o *Flags) applyMapFlags(job *Job) error {
	columnMaps, err := o.maps()
	if err != nil {
		return err
	}
	for kind, m := range columnMaps {
		in, ok := job.inputs[kind]
		if !ok {
			return failure.UsageErrorf("--map names %s, which is not an input", kind)
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
	return nil
}

// applySettingFlags applies the window (when window is set: flags given,
// or none in iotpm.yaml) and the flags that override iotpm.yaml's settings.
func (o *Flags) applySettingFlags(job *Job, window bool) error {
	if window {
		var err error
		if job.window, err = parseWindow(o.Month, o.From, o.To, "--"); err != nil {
			return err
		}
		job.windowPos = planfile.Pos{}
	}
	if o.Given("activation-window") || job.activation == 0 {
		act, err := quantity.Duration.Parse(o.ActivationWindow)
		if err != nil || act <= 0 {
			return failure.UsageErrorf("--activation-window %q: give a positive duration such as 30d", o.ActivationWindow)
		}
		if msg := planfile.ActivationWindowProblem(act); msg != "" {
			return failure.UsageErrorf("--activation-window %q: %s", o.ActivationWindow, msg)
		}
		job.activation = duration(act)
	}
	if o.Given("slo") {
		var err error
		if job.slo, err = ParseFraction("--slo", o.SLO); err != nil {
			return err
		}
	}
	if o.Given("max-bad-rows") {
		job.maxBadRows = o.MaxBadRows
	}
	if o.Given("max-expansion") {
		if o.MaxExpansion < 1 || o.MaxExpansion > 100000 {
			return failure.UsageErrorf("--max-expansion %d: give a ratio from 1 to 100000", o.MaxExpansion)
		}
		job.expansion = o.MaxExpansion
	}
	if o.Given("now") {
		t, err := planfile.ParseInstant(o.Now)
		if err != nil {
			return failure.UsageErrorf("--now: %v", err)
		}
		job.now = t
	}
	if o.Given("as-of") {
		t, err := planfile.ParseInstant(o.AsOf)
		if err != nil {
			return failure.UsageErrorf("--as-of: %v", err)
		}
		job.asOf = t.UnixMicro()
	}
	if o.Given("dormant-after") {
		d, err := quantity.Duration.Parse(o.DormantAfter)
		if strings.TrimSpace(o.DormantAfter) == "0" {
			d, err = 0, nil
		}
		if sum := (*quantity.SumError)(nil); errors.As(err, &sum) {
			return failure.UsageErrorf("--dormant-after: %v", sum)
		}
		if err != nil || d < 0 || d > 100*365.25*86400 {
			return failure.UsageErrorf("--dormant-after %q: give a duration such as 30d, or 0 to turn dormancy off", o.DormantAfter)
		}
		if msg := planfile.DormantAfterProblem(d); msg != "" {
			return failure.UsageErrorf("--dormant-after %q: %s", o.DormantAfter, msg)
		}
		job.dormant = duration(d)
	}
	return nil
}

// day is a calendar day of UTC (the unit of the defaults below).
const day = 24 * time.Hour

// duration is a quantity in seconds (iotpm.yaml's and the flags' grammar,
// internal/quantity) as a time.Duration: the one conversion on the way in;
// the job holds durations, metrics.Options µs.
func duration(seconds float64) time.Duration {
	return time.Duration(math.Round(seconds * float64(time.Second)))
}

// Defaults of the metrics settings, in one place.
const (
	DefaultActivationDays = 30
	DefaultSLO            = 0.99
	DefaultDormantDays    = 30
)
