package planfile

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/tzdb"
	"go.yaml.in/yaml/v3"
)

// ConfigFileName is the planning repo's config, at its root.
const ConfigFileName = "iotpm.yaml"

// ConfigFile is the schema of iotpm.yaml.
type ConfigFile struct {
	Features string         `yaml:"features"`
	Devices  string         `yaml:"devices"`
	Metrics  *MetricsConfig `yaml:"metrics"`
	Gates    *GatesConfig   `yaml:"gates"`
	// Formats are the repo's own export formats, in the schema of the
	// built-in ones (iotpm metrics --list-formats).
	Formats []FormatSpec `yaml:"formats"`
	// Kano names the Kano survey export.
	Kano *KanoConfig `yaml:"kano"`
	// Economics names the unit-economics file (iotpm economics).
	Economics string `yaml:"economics"`
	// Rollout is the staged firmware rollout iotpm rollout forecasts.
	Rollout *RolloutSpec `yaml:"rollout"`
	// Onboarding is the setup funnel iotpm metrics measures from the
	// onboarding input.
	Onboarding *OnboardingSpec `yaml:"onboarding"`
	Pos        Pos             `yaml:"-"`
}

// OnboardingSpec is the setup funnel: its steps in order, how long one
// setup attempt may last, and the time a setup should take.
type OnboardingSpec struct {
	Steps []FunnelStep `yaml:"steps" check:"required"`
	// Within: an attempt holds a user's step events up to this long after
	// its first step (default 1h).
	Within *Duration `yaml:"within" check:"gt=0"`
	// Target is "paired in under ..." (default 3m).
	Target *Duration `yaml:"target" check:"gt=0"`
	Pos    Pos       `yaml:"-"`
}

// FunnelStep is one step of the funnel: its name, and the event names
// that mean it (default: the name alone).
type FunnelStep struct {
	Name  string   `yaml:"name" check:"required"`
	Match []string `yaml:"match"`
	Pos   Pos      `yaml:"-"`
}

// MaxFunnelSteps bounds a funnel's steps: a setup flow has a handful;
// hundreds are a generated file gone wrong.
const MaxFunnelSteps = 64

// check finds what the schema cannot: a funnel of fewer than two steps, an
// event name that means two steps (the funnel would be ambiguous), an
// attempt window shorter than the target or longer than a week.
func (o *OnboardingSpec) check(path string) diag.List {
	var diags diag.List
	if len(o.Steps) < 2 || len(o.Steps) > MaxFunnelSteps {
		diags.Errorf(diag.Schema, path, o.Pos.Line, o.Pos.Col, "onboarding.steps: give 2 to %d steps, the setup's events in order (got %d)", MaxFunnelSteps, len(o.Steps))
	}
	seen := map[string]string{}
	names := map[string]bool{}
	for _, st := range o.Steps {
		if names[st.Name] {
			diags.Errorf(diag.Schema, path, st.Pos.Line, st.Pos.Col, "onboarding.steps: step %q is listed twice", st.Name)
		}
		names[st.Name] = true
		for _, ev := range st.Names() {
			key := FoldName(ev)
			if key == "" {
				diags.Errorf(diag.Schema, path, st.Pos.Line, st.Pos.Col, "onboarding.steps: step %q matches an empty event name", st.Name)
				continue
			}
			if other, ok := seen[key]; ok && other != st.Name {
				diags.Errorf(diag.Schema, path, st.Pos.Line, st.Pos.Col, "onboarding.steps: event %q means both step %q and step %q (names are compared ignoring case, blanks, '_', '-' and '.'); give each event to one step", ev, other, st.Name)
			}
			seen[key] = st.Name
		}
	}
	within, target := o.WithinSeconds(), o.TargetSeconds()
	switch {
	case within > 7*86400:
		diags.Errorf(diag.Schema, path, o.Pos.Line, o.Pos.Col, "onboarding.within: %s is longer than a week; a setup attempt lasts minutes to hours (default 1h)", o.Within)
	case within > 0 && target > within: // (a within that did not parse is reported already)
		diags.Errorf(diag.Schema, path, o.Pos.Line, o.Pos.Col, "onboarding.target %gs is longer than within %gs, the longest an attempt lasts: no completed attempt could miss it", target, within)
	}
	return diags
}

// Defaults of the setup funnel.
const (
	DefaultFunnelWithin = 3600 // s
	DefaultFunnelTarget = 180  // s
)

// WithinSeconds is the attempt window, default 1h.
func (o *OnboardingSpec) WithinSeconds() float64 {
	if o.Within == nil {
		return DefaultFunnelWithin
	}
	return float64(*o.Within)
}

// TargetSeconds is the target time to pair, default 3m.
func (o *OnboardingSpec) TargetSeconds() float64 {
	if o.Target == nil {
		return DefaultFunnelTarget
	}
	return float64(*o.Target)
}

// FoldName folds an event name or a value for matching: lower case,
// trimmed, without the separators '_', '-', '.', blank and tab inside
// words; a separator next to a digit is kept, so that numbers keep their
// sign and point ("-1" is not "1", "1.5" is not "15"), while
// "Setup Started", "setup_started" and "setup-started" are one. The export
// formats compare header names and values the same way.
func FoldName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.ContainsAny(s, "_-. \t") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isNameSeparator(s[i]) && !(i > 0 && isASCIIDigit(s[i-1])) && !(i+1 < len(s) && isASCIIDigit(s[i+1])) {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func isNameSeparator(c byte) bool { return c == '_' || c == '-' || c == '.' || c == ' ' || c == '\t' }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// FromScalar implements ScalarShorthand: a step may be its event name.
func (s *FunnelStep) FromScalar(n *yaml.Node) error {
	*s = FunnelStep{Name: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// Names are the event names that mean the step.
func (s FunnelStep) Names() []string {
	if len(s.Match) > 0 {
		return s.Match
	}
	return []string{s.Name}
}

// RolloutSpec is a staged firmware rollout: the release, when it starts,
// its waves, how far back the devices' online days are measured and the
// chance an attempt succeeds.
type RolloutSpec struct {
	Version string `yaml:"version" check:"required"`
	Start   *Date  `yaml:"start" check:"required"`
	// Waves default to one: the whole fleet at once.
	Waves []WaveSpec `yaml:"waves"`
	// Lookback is whole days (default 28d).
	Lookback *Duration `yaml:"lookback" check:"gt=0"`
	// Success is a share, or metrics (the measured OTA success rate; the
	// default).
	Success *ShareOrMetrics `yaml:"success"`
	Pos     Pos             `yaml:"-"`
}

// WaveSpec is one wave: its cumulative share of the fleet and how long it
// soaks before the next starts (whole days).
type WaveSpec struct {
	Share *Fraction `yaml:"share" check:"required"`
	Soak  *Duration `yaml:"soak" check:"min=0"`
	Pos   Pos       `yaml:"-"`
}

// MetricsConfig is the metrics: section, the file form of iotpm metrics'
// flags.
type MetricsConfig struct {
	Month            *Month      `yaml:"month"`
	From             *Instant    `yaml:"from"`
	To               *Instant    `yaml:"to"`
	Inputs           *InputsSpec `yaml:"inputs"`
	ActivationWindow *Duration   `yaml:"activation_window" check:"gt=0"`
	// AsOf sets the data horizon (default: the latest row of the inputs).
	AsOf *Instant `yaml:"as_of"`
	// DormantAfter: a device disconnected this long is dormant, not down
	// (default 30d; 0d turns dormancy off).
	DormantAfter *Duration   `yaml:"dormant_after" check:"min=0"`
	SLO          *Confidence `yaml:"slo"`
	MaxBadRows   int         `yaml:"max_bad_rows" check:"min=0"`
	// MaxExpansion bounds how far a .csv.gz may expand (times its size).
	MaxExpansion int         `yaml:"max_expansion" check:"min=1,max=100000"`
	Health       *HealthSpec `yaml:"health"`
	// Source is where the inputs are: files (the default) or a database
	// whose tables the inputs name.
	Source *SourceSpec `yaml:"source"`
	// Models maps the devices input's model values to devices.yaml ids
	// (DV-100: drip-valve); a value equal to an id needs no entry.
	Models map[string]ProfileRef `yaml:"models"`
	// Unmodelled says what the devices without a model value are:
	// always connected (always, as they are counted), or a devices.yaml
	// profile (a fleet of one product whose export has no model column).
	// Without it, a repo with check-in profiles is warned of them (they
	// may sleep by design).
	Unmodelled *UnmodelledSpec `yaml:"unmodelled"`
	// Firmware says which release firmware_on_target counts devices at
	// or above.
	Firmware *FirmwareSpec `yaml:"firmware"`
	Pos      Pos           `yaml:"-"`
}

// FirmwareSpec is metrics.firmware: the target release, and the words of
// a version suffix that mark a fix after its release (after_release:
// [hotfix] orders 2.4.1-hotfix1 after 2.4.1, where semantic versioning
// makes every suffix a pre-release, before it). Either may be alone: the
// order serves the fleet table and the rollout without a target.
type FirmwareSpec struct {
	Target       string   `yaml:"target"`
	AfterRelease []string `yaml:"after_release"`
	Pos          Pos      `yaml:"-"`
}

// ProfileRef is a devices.yaml device id, where it is written.
type ProfileRef struct {
	ID  string
	Pos Pos
}

// UnmarshalNode implements NodeUnmarshaler.
func (r *ProfileRef) UnmarshalNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		return fmt.Errorf("expected a devices.yaml device id")
	}
	*r = ProfileRef{ID: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// JSONSchema describes a profile reference.
func (*ProfileRef) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "a device id of devices.yaml (the profile the model value names)"}
}

// UnmodelledSpec is metrics.unmodelled: always, or the devices.yaml
// profile of every device without a model value.
type UnmodelledSpec struct {
	Always  bool
	Profile string
	Pos     Pos
}

// UnmarshalNode implements NodeUnmarshaler.
func (u *UnmodelledSpec) UnmarshalNode(n *yaml.Node) error {
	if strings.TrimSpace(n.Value) == "" {
		return fmt.Errorf("expected always, or the devices.yaml device id the devices without a model value are")
	}
	*u = UnmodelledSpec{Always: n.Value == "always", Pos: Pos{Line: n.Line, Col: n.Column}}
	if !u.Always {
		u.Profile = n.Value
	}
	return nil
}

// JSONSchema describes metrics.unmodelled.
func (*UnmodelledSpec) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "always (the devices without a model value are always connected), or the devices.yaml device id they all are"}
}

// SourceSpec names the database the metrics inputs are tables of. The DSN
// comes from the environment only, never from a file.
type SourceSpec struct {
	Driver string `yaml:"driver" check:"required,enum=postgres|files"`
	// DSNEnv names the environment variable holding the connection string
	// (default IOTPM_DSN).
	DSNEnv string `yaml:"dsn_env"`
	// Timeout cancels the queries (server-side) after this long; default 10m.
	Timeout *Duration `yaml:"timeout" check:"gt=0"` // at most 7 days (checked with the metrics section)
	Pos     Pos       `yaml:"-"`
}

// HealthSpec overrides the customer health score's settings.
type HealthSpec struct {
	Uptime  *ComponentSpec `yaml:"uptime"`
	Usage   *ComponentSpec `yaml:"usage"`
	Tickets *ComponentSpec `yaml:"tickets"`
	Red     *float64       `yaml:"red" check:"min=0,max=100"`
	Yellow  *float64       `yaml:"yellow" check:"min=0,max=100"`
}

// ComponentSpec sets one health component's bad and good values and weight.
type ComponentSpec struct {
	Bad    *float64 `yaml:"bad" check:"min=-1e9,max=1e9"`
	Good   *float64 `yaml:"good" check:"min=-1e9,max=1e9"`
	Weight *float64 `yaml:"weight" check:"min=0,max=1000"`
}

// InputsSpec names the metrics inputs.
type InputsSpec struct {
	Devices  *InputSpec `yaml:"devices"`
	Events   *InputSpec `yaml:"events"`
	OTA      *InputSpec `yaml:"ota"`
	Activity *InputSpec `yaml:"activity"`
	Tickets  *InputSpec `yaml:"tickets"`
	Usage    *InputSpec `yaml:"usage"`
	// Onboarding is the app analytics export the setup funnel reads.
	Onboarding *InputSpec `yaml:"onboarding"`
}

// InputSpec is one input: an export file (a path, or a path with its
// format, zone and column map), or a table of the metrics source with its
// column mapping.
type InputSpec struct {
	Path string `yaml:"path"`
	// Format names the export's format; without it, it is detected from
	// the header.
	Format string `yaml:"format"`
	// TZ is the zone of zone-less timestamps (UTC when not given).
	TZ  *Zone             `yaml:"tz"`
	Map map[string]string `yaml:"map"`
	// Table is a table or view of the metrics source (schema.table allowed);
	// Columns maps the input's roles (device_id, timestamp, …) to its
	// columns.
	Table   string               `yaml:"table"`
	Columns map[string]ColumnRef `yaml:"columns"`
	// SequenceReset: a numeric sequence that drops after a gap this long
	// starts over (AWS IoT versionNumber: 1h), as a format's sequence_reset.
	SequenceReset *Duration `yaml:"sequence_reset" check:"gt=0"`
	// Order: file makes the file's row order decide between events of one
	// device at the same time, as a format's order.
	Order string `yaml:"order" check:"enum=file|time"`
	// Snapshot: an ota table of final states without times (each row a
	// job execution's state as the table is now, counted in any window),
	// as a format's snapshot.
	Snapshot bool `yaml:"snapshot"`
	Pos      Pos  `yaml:"-"`
	// Files are the files of a Path that is a directory or a glob, as the
	// loader listed them and checked that none leads out of the repo: the
	// reader reads these, not a second listing (nil for a file, or when
	// the path names nothing).
	Files []string `yaml:"-"`
}

// ColumnRef is a database column for a role: its name, and for an integer
// epoch timestamp its unit.
type ColumnRef struct {
	Column string `yaml:"column" check:"required"`
	// Unit of an integer epoch column: s, ms, us or ns.
	Unit string `yaml:"unit" check:"enum=s|ms|us|ns"`
	Pos  Pos    `yaml:"-"`
}

// FromScalar implements ScalarShorthand: a column may be just its name.
func (c *ColumnRef) FromScalar(n *yaml.Node) error {
	*c = ColumnRef{Column: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// Zone is an IANA time zone name (Europe/Berlin) or UTC.
type Zone struct {
	Name     string
	Location *time.Location
}

// UnmarshalNode implements NodeUnmarshaler. An Etc/GMT zone is kept with
// a warning: its sign is the reverse of what it reads as (ZoneCaution).
func (z *Zone) UnmarshalNode(n *yaml.Node) error {
	loc, err := LoadZone(n.Value)
	if err != nil {
		return err
	}
	*z = Zone{Name: n.Value, Location: loc}
	if c := ZoneCaution(n.Value); c != "" {
		return &Warning{Message: c}
	}
	return nil
}

// JSONSchema describes a zone.
func (*Zone) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "an IANA time zone, e.g. Europe/Berlin, or UTC"}
}

// LoadZone loads an IANA zone by name from the zone database iotpm
// carries (internal/tzdb), never the machine's. "Local" is refused: a
// planning repo must mean the same on every machine.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \t") {
		return nil, fmt.Errorf("%q is not a time zone; name one such as Europe/Berlin or UTC", name)
	}
	if z, ok := fixedAbbreviations[name]; ok {
		return nil, fmt.Errorf("%q is ambiguous: in the IANA database it is UTC%s all year, as %s keeps, while %s time is UTC%s in summer; name %s for that local time, or %s for %s all year",
			name, z.offset, z.fixed, z.region, z.summer, z.local, z.fixed, z.offset)
	}
	loc, err := tzdb.Load(name)
	if err != nil {
		if hint := offsetHint(name); hint != "" {
			return nil, fmt.Errorf("%q is not a time zone in the IANA database (%s): %s", name, tzdb.Version, hint)
		}
		return nil, fmt.Errorf("%q is not a time zone in the IANA database (%s); name one such as Europe/Berlin, America/New_York or UTC", name, tzdb.Version)
	}
	return loc, nil
}

// utcOffset matches a zone written as an offset from UTC: +05:00, UTC+5,
// GMT-03:30, UTC−5 (with a minus sign).
var utcOffset = regexp.MustCompile(`^(?i:(UTC|GMT)?)([+\-−])(\d{1,2})(?::?(\d{2}))?$`)

// offsetHint says how the zone database names a UTC offset, which iotpm
// does not take as a zone: "UTC+5" is five hours east as ISO 8601 writes
// offsets but five hours west as a POSIX TZ string (and PostgreSQL) reads
// it, and a database source hands the zone's name to the server. The
// database's fixed offsets, Etc/GMT-5 and the like, carry POSIX's sign;
// a region's zone also follows its summer time.
func offsetHint(name string) string {
	m := utcOffset.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	hours, _ := strconv.Atoi(m[3])
	minutes := 0
	if m[4] != "" {
		minutes, _ = strconv.Atoi(m[4])
	}
	if hours == 0 && minutes == 0 {
		return "name UTC"
	}
	offset := func(east bool) string {
		return fmt.Sprintf("UTC%s%02d:%02d", map[bool]string{true: "+", false: "−"}[east], hours, minutes)
	}
	// the database's fixed zones run from Etc/GMT+12 (UTC−12:00) to
	// Etc/GMT-14 (UTC+14:00), whole hours only
	fixed := func(east bool) string {
		switch {
		case minutes != 0 || !east && hours > 12 || hours > 14:
			return fmt.Sprintf("the database has no fixed zone at %s", offset(east))
		case east:
			return fmt.Sprintf("Etc/GMT-%d is %s", hours, offset(east))
		default:
			return fmt.Sprintf("Etc/GMT+%d is %s", hours, offset(east))
		}
	}
	east := m[2] == "+"
	region := "name the zone of the export's region (e.g. Asia/Kolkata, America/New_York), which also follows its summer time, or a fixed offset"
	if m[1] == "" || m[2] == "−" {
		// a bare offset, or one with a minus sign, is ISO 8601's alone
		if strings.HasPrefix(fixed(east), "the database has no") {
			return fmt.Sprintf("name the zone of the export's region (e.g. Asia/Kolkata, America/St_Johns): %s", fixed(east))
		}
		return fmt.Sprintf("%s: %s (the database's fixed zones carry POSIX's sign, the reverse of ISO 8601's)", region, fixed(east))
	}
	ambiguous := fmt.Sprintf("written this way an offset is ambiguous, %s as ISO 8601 reads it and %s as a POSIX TZ string (and PostgreSQL) reads it", offset(east), offset(!east))
	if minutes != 0 {
		return ambiguous + "; name the zone of the export's region (e.g. Asia/Kolkata, America/St_Johns): the database has no fixed zone at either"
	}
	return fmt.Sprintf("%s; %s: %s, %s (the database's fixed zones carry POSIX's sign)", ambiguous, region, fixed(east), fixed(!east))
}

// etcZone matches the database's fixed-offset zones other than UTC itself.
var etcZone = regexp.MustCompile(`^Etc/GMT([+-])(\d{1,2})$`)

// ZoneCaution is a warning for a valid zone that is easily read the wrong
// way round: Etc/GMT+5 is five hours behind UTC (POSIX's sign, the reverse
// of ISO 8601's), so times read in it as if it were UTC+05:00 are ten
// hours off. Empty for every other zone.
func ZoneCaution(name string) string {
	m := etcZone.FindStringSubmatch(name)
	if m == nil || strings.TrimLeft(m[2], "0") == "" {
		return ""
	}
	h, _ := strconv.Atoi(m[2])
	if m[1] == "+" {
		return fmt.Sprintf("%s is UTC−%02d:00, %d hours behind UTC: the Etc/GMT zones carry POSIX's sign, the reverse of ISO 8601's; if the times are at UTC+%02d:00, name Etc/GMT-%d (or the region's zone)", name, h, h, h, h)
	}
	return fmt.Sprintf("%s is UTC+%02d:00, %d hours ahead of UTC: the Etc/GMT zones carry POSIX's sign, the reverse of ISO 8601's; if the times are at UTC−%02d:00, name Etc/GMT+%d (or the region's zone)", name, h, h, h, h)
}

// fixedAbbreviations are the zone names that read as a region's time but
// are a fixed offset: the IANA database's EST is Panama's UTC−05:00 all
// year, its MST Phoenix's UTC−07:00; an export from New York or Denver
// read with them is an hour off for half the year, unsaid. (HST is
// Honolulu's, which keeps no summer time; PST is no IANA zone and is
// refused as such; EST5EDT and the like follow the summer time.)
var fixedAbbreviations = map[string]struct{ offset, fixed, region, summer, local string }{
	"EST": {"−05:00", "America/Panama", "US Eastern", "−04:00", "America/New_York"},
	"MST": {"−07:00", "America/Phoenix", "US Mountain", "−06:00", "America/Denver"},
}

// shapeHint: a list where an input goes is most likely several exports
// of it, which iotpm reads as one file.
func (*InputSpec) shapeHint(n *yaml.Node) string {
	if n.Kind != yaml.SequenceNode {
		return ""
	}
	return " (an input is one path or one table: to read several files as one input, name their directory, or a glob that matches them, e.g. exports/part-*.csv)"
}

// FromScalar implements ScalarShorthand: an input may be just its path.
func (in *InputSpec) FromScalar(n *yaml.Node) error {
	*in = InputSpec{Path: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// GatesConfig lists the CI gates iotpm check evaluates.
type GatesConfig struct {
	ConnectivityUptime *UptimeGates `yaml:"connectivity_uptime"`
	// ActivationRate and OTASuccessRate gate the fleet's rate and, under
	// models:, each devices.yaml model's own.
	ActivationRate *ModelRateGates `yaml:"activation_rate"`
	OTASuccessRate *ModelRateGates `yaml:"ota_success_rate"`
	// FirmwareOnTarget: the share of active devices at or above
	// metrics.firmware.target.
	FirmwareOnTarget     *RateThreshold `yaml:"firmware_on_target"`
	MonthlyActiveDevices *Threshold     `yaml:"monthly_active_devices"`
	// DataAge fails when the data's horizon is older than this at the end
	// of the window (or now, when earlier): "<= 2d".
	DataAge *AgeThreshold `yaml:"data_age"`
	// BatteryLife: targets (every device meets its target today), plan
	// (and after every release of the roadmap; includes targets), budgets
	// (no feature over its budget); one or a list.
	BatteryLife BatteryGates `yaml:"battery_life"`
	Roadmap     string       `yaml:"roadmap" check:"enum=no_unscheduled_basic|no_unscheduled"`
	// Themes: on_time fails when a theme with a due date completes after
	// it (or cannot complete).
	// on_time_p80 simulates the plan's ranges (iotpm roadmap --simulate)
	// and fails a theme whose chance to complete by its due date is below
	// 80%.
	Themes string `yaml:"themes" check:"enum=on_time|on_time_p80"`
	// Kano: labels_match fails when a feature's kano: label disagrees with
	// the survey's significant category.
	Kano string `yaml:"kano" check:"enum=labels_match"`
	// Economics gates each model's unit economics (iotpm economics): for
	// all models, and per model under models:.
	Economics *EconomicsGates `yaml:"economics"`
	// Rollout gates the forecast of the rollout: reach_90: "<= 30d".
	Rollout *RolloutGates `yaml:"rollout"`
	// Onboarding gates the setup funnel (iotpm metrics).
	Onboarding *OnboardingGates `yaml:"onboarding"`
	Pos        Pos              `yaml:"-"`
}

// OnboardingGates are limits on the setup funnel: the share of attempts
// that complete, the p90 time to pair, the share of completed attempts
// within the target.
type OnboardingGates struct {
	Completion   *RateThreshold `yaml:"completion"`
	P90          *AgeThreshold  `yaml:"p90"`
	WithinTarget *RateThreshold `yaml:"within_target"`
	Pos          Pos            `yaml:"-"`
}

// RolloutGates are limits on the rollout forecast.
type RolloutGates struct {
	// Reach90 is how many days the expected share may take to reach 90%.
	Reach90 *AgeThreshold `yaml:"reach_90"`
	Pos     Pos           `yaml:"-"`
}

// EconomicsGates are thresholds on every model's payback, LTV and hardware
// margin; Models override them per model (a devices.yaml id).
type EconomicsGates struct {
	EconomicsThresholds `yaml:",inline"`
	Models              map[string]EconomicsThresholds `yaml:"models"`
	Pos                 Pos                            `yaml:"-"`
}

// EconomicsThresholds are one model's economics gates.
type EconomicsThresholds struct {
	// Payback: "<= 18mo".
	Payback *MonthsThreshold `yaml:"payback"`
	// LTV is an amount in economics.yaml's currency: ">= 40".
	LTV *Threshold `yaml:"ltv"`
	// HardwareMargin is an amount (">= 20") or a share of the net price,
	// price × (1 − channel) (">= 25%").
	HardwareMargin *MarginThreshold `yaml:"hardware_margin"`
	Pos            Pos              `yaml:"-"`
}

// MarginThreshold is a hardware-margin gate: a share of the net price
// (">= 25%") or an amount (">= 20"). A bare number below 1 is refused as
// ambiguous: ">= 0.25" is 25% written as a fraction far more often than a
// margin of a quarter of a currency unit, and read as the amount it passes
// every model.
type MarginThreshold struct{ Threshold }

// UnmarshalNode implements NodeUnmarshaler.
func (t *MarginThreshold) UnmarshalNode(n *yaml.Node) error {
	if err := t.Threshold.UnmarshalNode(n); err != nil {
		return err
	}
	if v := t.Value; !t.Percent && v > 0 && v < 1 {
		return fmt.Errorf("%q is ambiguous: write \"%s %s%%\" for a share of the net price, or an amount of at least 1 in economics.yaml's currency",
			n.Value, t.Op, strconv.FormatFloat(v*100, 'f', -1, 64))
	}
	return nil
}

// MonthsThreshold is a limit in months: "<= 18mo".
type MonthsThreshold struct {
	Op     string
	Months int
	Text   string
}

var monthsThresholdRE = regexp.MustCompile(`^\s*(>=|>|<=|<)\s*(.+?)\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (t *MonthsThreshold) UnmarshalNode(n *yaml.Node) error {
	m := monthsThresholdRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%q is not a limit in months; write e.g. \"<= 18mo\" or \"< 2y\"", n.Value)
	}
	v, err := ParseMonths(m[2])
	if err != nil {
		return fmt.Errorf("%q is not a limit in months: %v", n.Value, err)
	}
	*t = MonthsThreshold{Op: m[1], Months: v, Text: strings.TrimSpace(n.Value)}
	return nil
}

// Holds reports whether a number of months meets the limit.
func (t MonthsThreshold) Holds(months int) bool {
	return Threshold{Op: t.Op, Value: float64(t.Months)}.Holds(float64(months))
}

// JSONSchema describes a limit in months.
func (*MonthsThreshold) JSONSchema() map[string]any {
	return pattern(`^\s*(>=|>|<=|<)\s*[0-9.]+\s*(y|yr|years?|mo|months?)\s*$`, "a limit in months, e.g. <= 18mo")
}

// Month is a calendar month, YYYY-MM.
type Month string

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// UnmarshalNode implements NodeUnmarshaler.
func (m *Month) UnmarshalNode(n *yaml.Node) error {
	if !monthRE.MatchString(n.Value) {
		return fmt.Errorf("%q is not a month; write YYYY-MM, e.g. 2026-10", n.Value)
	}
	*m = Month(n.Value)
	return nil
}

// Threshold is a gate's condition: ">= 98%", "> 0.95", ">= 1000".
type Threshold struct {
	Op      string
	Value   float64
	Percent bool
	Text    string
}

var thresholdRE = regexp.MustCompile(`^\s*(>=|>|<=|<)\s*(` + quantity.UnsignedNumber + `)\s*(%?)\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (t *Threshold) UnmarshalNode(n *yaml.Node) error {
	m := thresholdRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%q is not a threshold; write e.g. \">= 98%%\" or \">= 1000\"", n.Value)
	}
	v, err := quantity.ParseNumber(m[2])
	if err != nil {
		return fmt.Errorf("%q is not a threshold: %w", n.Value, err)
	}
	*t = Threshold{Op: m[1], Value: v, Percent: m[3] == "%", Text: strings.TrimSpace(n.Value)}
	if t.Percent {
		t.Value /= 100
	}
	return nil
}

// UptimeGates are the connectivity-uptime gates: one threshold on the
// fleet's uptime (">= 98%"), or one per mode ({always: ">= 99%",
// checkin: ">= 97%"}), since a sleeping device's uptime is measured
// against its check-ins and may have its own bar.
type UptimeGates struct {
	Fleet   *RateThreshold `yaml:"-"`
	Always  *RateThreshold `yaml:"always"`
	Checkin *RateThreshold `yaml:"checkin"`
	Pos     Pos            `yaml:"-"`
}

// FromScalar implements ScalarShorthand: the single form gates the fleet.
func (g *UptimeGates) FromScalar(n *yaml.Node) error {
	var t RateThreshold
	if err := t.UnmarshalNode(n); err != nil {
		return err
	}
	*g = UptimeGates{Fleet: &t, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// JSONSchema describes the uptime gates.
func (*UptimeGates) JSONSchema() map[string]any {
	rate := (*RateThreshold)(nil).JSONSchema()
	return map[string]any{"anyOf": []any{rate, map[string]any{"type": "object", "additionalProperties": false,
		"properties": map[string]any{"always": rate, "checkin": rate}}}}
}

// ModelRateGates gate a rate for the fleet (the scalar form, or fleet:)
// and per devices.yaml model (models: {drip-valve: ">= 80%"}): the rate of
// the devices whose model value names it, as iotpm metrics reports it by
// model.
type ModelRateGates struct {
	Fleet  *RateThreshold           `yaml:"fleet"`
	Models map[string]RateThreshold `yaml:"models"`
	Pos    Pos                      `yaml:"-"`
}

// FromScalar implements ScalarShorthand: the single form gates the fleet.
func (g *ModelRateGates) FromScalar(n *yaml.Node) error {
	var t RateThreshold
	if err := t.UnmarshalNode(n); err != nil {
		return err
	}
	*g = ModelRateGates{Fleet: &t, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// JSONSchema describes the gates.
func (*ModelRateGates) JSONSchema() map[string]any {
	rate := (*RateThreshold)(nil).JSONSchema()
	return map[string]any{"anyOf": []any{rate, map[string]any{"type": "object", "additionalProperties": false,
		"properties": map[string]any{"fleet": rate, "models": map[string]any{"type": "object", "additionalProperties": rate}}}}}
}

// RateThreshold is a threshold on a rate: a percentage (">= 98%") or a
// fraction (">= 0.98"). A bare number above 1 is refused as ambiguous, as
// the flags refuse it.
type RateThreshold struct {
	Threshold
	Pos Pos // where it is written
}

// UnmarshalNode implements NodeUnmarshaler.
func (t *RateThreshold) UnmarshalNode(n *yaml.Node) error {
	if err := t.Threshold.UnmarshalNode(n); err != nil {
		return err
	}
	t.Pos = Pos{Line: n.Line, Col: n.Column}
	m := thresholdRE.FindStringSubmatch(n.Value)
	v, err := ParseFraction(m[2] + m[3])
	if err != nil {
		return err
	}
	t.Value = v
	return nil
}

// JSONSchema describes a rate threshold.
func (*RateThreshold) JSONSchema() map[string]any {
	// a percentage, or a bare fraction 0..1 (a bare 98 is ambiguous)
	fraction := `(?:0(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*|1(?:\.0+)?)`
	return pattern(`^\s*(>=|>|<=|<)\s*(`+quantity.UnsignedNumber+`\s*%|`+fraction+`)\s*$`, `a condition on a rate, e.g. ">= 98%" or ">= 0.98"`)
}

// AgeThreshold bounds the age of the data: "<= 2d", "< 36h".
type AgeThreshold struct {
	Op      string
	Seconds float64
	Text    string
}

var ageRE = regexp.MustCompile(`^\s*(<=|<)\s*(.+?)\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (t *AgeThreshold) UnmarshalNode(n *yaml.Node) error {
	m := ageRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%q is not an age limit; write e.g. \"<= 2d\" or \"< 36h\"", n.Value)
	}
	secs, err := quantity.Duration.Parse(m[2])
	if err != nil || secs <= 0 || secs > 100*365.25*86400 {
		return fmt.Errorf("%q is not an age limit; write e.g. \"<= 2d\" or \"< 36h\" (a positive duration)", n.Value)
	}
	*t = AgeThreshold{Op: m[1], Seconds: secs, Text: strings.TrimSpace(n.Value)}
	return nil
}

// Holds reports whether an age in seconds meets the limit.
func (t AgeThreshold) Holds(age float64) bool {
	if t.Op == "<" {
		return age < t.Seconds
	}
	return age <= t.Seconds
}

// JSONSchema describes an age limit.
func (*AgeThreshold) JSONSchema() map[string]any {
	return pattern(`^\s*(<=|<)\s*`+quantity.Duration.Expr()+`\s*$`, `an age limit, e.g. "<= 2d"`)
}

// Instant is a point in time: a date (midnight UTC) or an RFC 3339 time.
type Instant struct {
	Text string
	Time time.Time
}

// UnmarshalNode implements NodeUnmarshaler.
func (i *Instant) UnmarshalNode(n *yaml.Node) error {
	t, err := ParseInstant(n.Value)
	if err != nil {
		return err
	}
	*i = Instant{Text: n.Value, Time: t}
	return nil
}

// JSONSchema describes an instant.
func (*Instant) JSONSchema() map[string]any {
	return pattern(`^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?\s*$`,
		"a date (2026-10-31) or an RFC 3339 time (2026-10-31T23:59:00Z)")
}

// ParseInstant reads a date (midnight UTC) or an RFC 3339 time.
func ParseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time; write a date (2026-10-31) or an RFC 3339 time (2026-10-31T23:59:00Z)", s)
}

// Holds reports whether x meets the threshold.
func (t Threshold) Holds(x float64) bool {
	switch t.Op {
	case ">=":
		return x >= t.Value
	case ">":
		return x > t.Value
	case "<=":
		return x <= t.Value
	}
	return x < t.Value
}

// Config is a loaded iotpm.yaml with its paths resolved against the repo.
type Config struct {
	File     string // "" when the repo has no iotpm.yaml
	Root     string
	Features string // resolved path
	Devices  string // resolved path
	// DevicesExplicit is true when iotpm.yaml names the devices file: then
	// it must exist; otherwise devices.yaml is used only when present.
	DevicesExplicit bool
	Metrics         *MetricsConfig
	Inputs          map[InputKind]InputSpec // resolved paths, by kind
	Gates           GatesConfig
	Formats         []FormatSpec
	Kano            *KanoConfig // survey path resolved
	// Economics is the resolved path of the unit-economics file; unless
	// iotpm.yaml names it, it is used only when present.
	Economics string
	// EconomicsExplicit: iotpm.yaml names it, so it must exist.
	EconomicsExplicit bool
	// Rollout is the rollout: section (nil: none).
	Rollout *RolloutSpec
	// Onboarding is the onboarding: section (nil: none).
	Onboarding *OnboardingSpec
}

// LoadConfig reads root/iotpm.yaml; a repo without one gets the defaults.
func LoadConfig(root string) (*Config, diag.List) { return LoadConfigWith(root, nil) }

// FormatCheck checks the formats: entries beyond their syntax (the export
// package compiles them); file is iotpm.yaml's path, for positions.
type FormatCheck func(file string, formats []FormatSpec) diag.List

// LoadConfigWith is LoadConfig that also runs checkFormats on the formats
// it decoded, even when other parts of the file have problems, so that
// one run reports every problem of iotpm.yaml.
func LoadConfigWith(root string, checkFormats FormatCheck) (*Config, diag.List) {
	return loadConfig(root, checkFormats, true)
}

// LoadConfigNames is LoadConfig for the paths iotpm.yaml names, without
// requiring that the planning files exist: what iotpm diff reads to know
// which files of a base revision to extract.
func LoadConfigNames(root string) (*Config, diag.List) { return loadConfig(root, nil, false) }

func loadConfig(root string, checkFormats FormatCheck, mustExist bool) (*Config, diag.List) {
	cfg := &Config{Root: root, Features: filepath.Join(root, "features.yaml"), Devices: filepath.Join(root, "devices.yaml"),
		Economics: filepath.Join(root, EconomicsFileName), Inputs: map[InputKind]InputSpec{}}
	path := filepath.Join(root, ConfigFileName)
	// the default files too must not lead out of the repo
	defaults := func(diags diag.List, features, devices, economics bool) diag.List {
		for _, d := range []struct {
			check bool
			path  string
		}{{features, cfg.Features}, {devices, cfg.Devices}, {economics, cfg.Economics}} {
			if msg := escapes(root, d.path, filepath.Base(d.path)); d.check && msg != "" {
				diags.Errorf(diag.File, d.path, 0, 0, "%s", msg)
			}
		}
		return diags
	}
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		if diags := defaults(nil, true, true, true); diags.HasErrors() {
			return nil, diags
		}
		return cfg, nil
	}
	if _, err := os.Stat(path); err != nil {
		var diags diag.List
		dest, _ := os.Readlink(path)
		diags.Errorf(diag.File, path, 0, 0, "is a symbolic link to %s, which does not exist: fix or remove it (a repo without iotpm.yaml has no gates)", dest)
		return nil, diags
	}
	if d := escapes(root, path, ConfigFileName); d != "" {
		var diags diag.List
		diags.Errorf(diag.File, path, 0, 0, "%s", d)
		return nil, diags
	}
	data, diags := ReadFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	var spec ConfigFile
	diags = Decode(path, data, &spec)
	if len(diags) > 0 && diags[0].Line == 0 {
		return nil, diags
	}
	cfg.File = path
	l := &configLoader{root: root, path: path, cfg: cfg, diags: diags, mustExist: mustExist}
	positions := keyPositions(data)
	if spec.Features != "" {
		cfg.Features = l.resolveFile(spec.Features, positions["features"], "features")
	}
	if spec.Devices != "" {
		cfg.Devices = l.resolveFile(spec.Devices, positions["devices"], "devices")
		cfg.DevicesExplicit = true
	}
	l.diags = defaults(l.diags, spec.Features == "", spec.Devices == "", spec.Economics == "")
	if spec.Economics != "" {
		cfg.Economics = l.resolveFile(spec.Economics, positions["economics"], "economics")
		cfg.EconomicsExplicit = true
	}
	cfg.Rollout = spec.Rollout
	if o := spec.Onboarding; o != nil {
		l.diags = append(l.diags, o.check(path)...)
		cfg.Onboarding = o
	}
	if m := spec.Metrics; m != nil {
		cfg.Metrics = m
		l.metrics(m)
		l.metricsInputs(m)
	}
	if m := spec.Metrics; m != nil && m.Inputs != nil && m.Inputs.Onboarding != nil && spec.Onboarding == nil {
		l.errorf(m.Inputs.Onboarding.Pos, "metrics.inputs.onboarding: the setup funnel needs its steps: add onboarding: {steps: [EVENT, ...], within: 1h, target: 3m} (the app's event names, in order)")
	}
	if spec.Gates != nil && spec.Gates.Economics != nil {
		l.economicsGates(spec.Gates.Economics)
	}
	if spec.Gates != nil {
		cfg.Gates = *spec.Gates
	}
	cfg.Formats = spec.Formats
	if checkFormats != nil && len(spec.Formats) > 0 {
		l.diags = append(l.diags, checkFormats(path, spec.Formats)...)
	}
	if k := spec.Kano; k != nil {
		resolved := *k
		resolved.Survey = l.resolve(k.Survey, k.Pos, "kano.survey")
		resolved.File = path
		cfg.Kano = &resolved
	}
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	return cfg, l.diags
}

// configLoader is what checking iotpm.yaml's parts shares: the file, the
// repo's root, the config being filled and the problems found so far.
type configLoader struct {
	root, path string
	cfg        *Config
	diags      diag.List
	mustExist  bool // the planning files named must exist (resolveFile)
}

func (l *configLoader) errorf(pos Pos, format string, args ...any) {
	l.diags.Errorf(diag.Schema, l.path, pos.Line, pos.Col, format, args...)
}

// resolve checks that a path stays inside the repo.
func (l *configLoader) resolve(p string, pos Pos, what string) string {
	if filepath.IsAbs(p) {
		l.errorf(pos, "%s: %q must be a path relative to the planning repo", what, p)
		return p
	}
	clean := filepath.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		l.errorf(pos, "%s: %q escapes the planning repo", what, p)
		return filepath.Join(l.root, clean)
	}
	full := filepath.Join(l.root, clean)
	if d := escapes(l.root, full, p); d != "" {
		l.errorf(pos, "%s: %s", what, d)
	}
	return full
}

// inputFiles lists and checks the files of an input that is a directory
// or a glob as resolve checks a path: each must stay inside the repo once
// its symbolic links are resolved (a link among a pull request's exports
// may lead to a secret). The list is what is read, so a file added after
// the check is not. A path that names no file is said where the files
// are read, as for one file (nil here).
func (l *configLoader) inputFiles(full, written string, pos Pos, what string) []string {
	if info, err := os.Stat(full); !infile.IsPattern(written) && (err != nil || !info.IsDir()) {
		return nil
	}
	escaped := false
	files, err := infile.ExpandChecked(full, func(link string) error {
		// a link to a directory: where it leads, before anything beneath
		// it is listed
		shown := written
		if rel, err := filepath.Rel(l.root, link); err == nil {
			shown = filepath.ToSlash(rel)
		}
		if d := escapes(l.root, link, shown); d != "" {
			escaped = true
			l.errorf(pos, "%s: %s", what, d)
			return errors.New(d)
		}
		return nil
	})
	if err != nil {
		if escaped {
			return nil
		}
		if strings.Contains(written, "**") {
			// said here, at its line: the pattern is the file's, not the data's
			l.errorf(pos, "%s: %s", what, strings.Replace(err.Error(), strconv.Quote(full), strconv.Quote(written), 1))
		}
		return nil
	}
	for _, f := range files {
		shown := written
		if rel, err := filepath.Rel(l.root, f); err == nil {
			shown = filepath.ToSlash(rel)
		}
		if d := escapes(l.root, f, shown); d != "" {
			l.errorf(pos, "%s: %s", what, d)
			return nil
		}
	}
	return files
}

// resolveFile is resolve for a planning file iotpm.yaml names, which must
// exist: a missing one is reported where it is named (a GitHub annotation
// on a file the repository does not have shows nowhere near the typo).
func (l *configLoader) resolveFile(p string, pos Pos, what string) string {
	n := len(l.diags)
	full := l.resolve(p, pos, what)
	if len(l.diags) > n || !l.mustExist {
		return full
	}
	if _, err := os.Stat(full); os.IsNotExist(err) {
		l.diags.Errorf(diag.File, l.path, pos.Line, pos.Col, "%s: %q: %s", what, p, NoSuchFile(full))
	}
	return full
}

// metrics checks the metrics: settings that hold together or limit what a
// pull request's iotpm.yaml may do.
func (l *configLoader) metrics(m *MetricsConfig) {
	if m.Month != nil && (m.From != nil || m.To != nil) {
		l.errorf(m.Pos, "metrics: give month, or from and to, not both")
	}
	if (m.From == nil) != (m.To == nil) {
		l.errorf(m.Pos, "metrics: from and to go together")
	}
	if m.MaxExpansion > MaxExpansionInFile {
		// a pull request's iotpm.yaml must not lift a resource limit:
		// lowering is safe, raising takes the command line
		l.errorf(m.Pos, "metrics.max_expansion: %d is above the default %d; iotpm.yaml may only lower a limit (raise it with --max-expansion, which the pull request cannot set)", m.MaxExpansion, MaxExpansionInFile)
	}
	if s := m.Source; s != nil && s.DSNEnv != "" && !strings.HasPrefix(s.DSNEnv, "IOTPM_") {
		// a pull request's iotpm.yaml must not point the connection at
		// any variable of the runner (a token, another database)
		l.errorf(s.Pos, "metrics.source.dsn_env: %q must start with IOTPM_ (iotpm.yaml may name only variables meant for it; --dsn-env on the command line may name any)", clipValue(s.DSNEnv))
	}
	if s := m.Source; s != nil && s.Timeout != nil && *s.Timeout > 7*86400 {
		// a longer one overflowed Go's duration and cancelled at once
		l.errorf(s.Pos, "metrics.source.timeout: %s is longer than 7 days; a query that runs that long is stuck: give at most 168h", *s.Timeout)
	}
	if m.From != nil && m.To != nil && !m.To.Time.After(m.From.Time) {
		l.errorf(m.Pos, "metrics: to %s must be after from %s", m.To.Text, m.From.Text)
	}
	if w := m.ActivationWindow; w != nil && float64(*w) > 0 {
		if msg := ActivationWindowProblem(float64(*w)); msg != "" {
			l.errorf(m.Pos, "metrics.activation_window: %s", msg)
		}
	}
	if d := m.DormantAfter; d != nil {
		if msg := DormantAfterProblem(float64(*d)); msg != "" {
			l.errorf(m.Pos, "metrics.dormant_after: %s", msg)
		}
	}
	if f := m.Firmware; f != nil {
		if f.Target == "" && len(f.AfterRelease) == 0 {
			l.errorf(f.Pos, "metrics.firmware: give target (the release firmware_on_target counts devices at or above), after_release (the suffix words that mark a fix after its release), or both")
		}
		for _, w := range f.AfterRelease {
			if !afterReleaseWord.MatchString(w) {
				l.errorf(f.Pos, "metrics.firmware.after_release: %q is not a word of letters: give the word that starts such a suffix, e.g. hotfix for 2.4.1-hotfix1", clipValue(w))
			}
		}
	}
}

// afterReleaseWord is a word metrics.firmware.after_release may list.
var afterReleaseWord = regexp.MustCompile(`^[A-Za-z]{1,32}$`)

// ActivationWindowProblem says why an activation window of sec seconds
// cannot be meant ("" when it can): it counts the days after shipping, so
// under a day is "1m" read as it is written, one minute (m is minutes),
// where a month was meant — an activation rate near 0, silently.
func ActivationWindowProblem(sec float64) string {
	if sec >= 86400 {
		return ""
	}
	return fmt.Sprintf("%s is shorter than a day (m is minutes, not months): activation counts the days after shipping; give days, e.g. 30d", secondsText(sec))
}

// DormantAfterProblem says why a dormancy threshold of sec seconds cannot
// be meant ("" when it can, 0 turning dormancy off): under an hour every
// device offline that long is dormant, not down, and uptime hides every
// outage ("1m" meant as a month reads 99.98% on the example).
func DormantAfterProblem(sec float64) string {
	if sec == 0 || sec >= 3600 {
		return ""
	}
	return fmt.Sprintf("%s is shorter than an hour (m is minutes, not months): a device offline that long would be dormant, not down, and uptime would hide its outages; give days, e.g. 30d, or 0d to turn dormancy off", secondsText(sec))
}

// secondsText words a duration under a day in its largest whole unit:
// "23 hours", "1 minute", "90 seconds".
func secondsText(sec float64) string {
	for _, u := range []struct {
		name string
		sec  float64
	}{{"hour", 3600}, {"minute", 60}} {
		if sec >= u.sec && math.Mod(sec, u.sec) == 0 {
			return unitCount(sec/u.sec, u.name)
		}
	}
	return unitCount(sec, "second")
}

// unitCount is "1 minute" or "5 minutes".
func unitCount(n float64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%g %ss", n, unit)
}

// metricsInputs checks and resolves metrics.inputs: each a file (path) or
// a table of the database source, with the keys that go with it.
func (l *configLoader) metricsInputs(m *MetricsConfig) {
	in := m.Inputs
	if in == nil {
		return
	}
	for kind, spec := range map[InputKind]*InputSpec{KindDevices: in.Devices, KindEvents: in.Events, KindOTA: in.OTA,
		KindActivity: in.Activity, KindTickets: in.Tickets, KindUsage: in.Usage, KindOnboarding: in.Onboarding} {
		switch {
		case spec == nil:
		case spec.Path != "" && spec.Table != "":
			l.errorf(spec.Pos, "metrics.inputs.%s: give path (a file) or table (a table of metrics.source), not both", kind)
		case spec.Table != "" && kind == KindOnboarding:
			l.errorf(spec.Pos, "metrics.inputs.onboarding: the setup funnel is read from a file (the app analytics export), not a table of metrics.source yet; export the events to CSV and give its path (it may sit beside the database's tables)")
		case spec.Table != "":
			if spec.Format != "" || len(spec.Map) > 0 {
				l.errorf(spec.Pos, "metrics.inputs.%s: format and map describe a file; a table's roles are mapped with columns: (tz: names the zone of its timestamp-without-time-zone columns)", kind)
			}
			if spec.Order == "file" {
				l.errorf(spec.Pos, "metrics.inputs.%s: order: file orders a file's rows by their lines; a table's rows have no order: map a sequence column instead", kind)
			}
			if spec.Snapshot && kind != KindOTA {
				l.errorf(spec.Pos, "metrics.inputs.%s: snapshot: applies to an ota table (final states without times)", kind)
			}
			if m.Source == nil || m.Source.Driver == "files" {
				l.errorf(spec.Pos, "metrics.inputs.%s: table %q needs a database: add metrics.source: {driver: postgres, dsn_env: IOTPM_DSN}", kind, spec.Table)
			}
			l.cfg.Inputs[kind] = *spec
		case spec.Path != "":
			if spec.Order != "" && kind != KindEvents {
				l.errorf(spec.Pos, "metrics.inputs.%s: order applies to connection events only (metrics.inputs.events)", kind)
			}
			if len(spec.Columns) > 0 || spec.SequenceReset != nil || spec.Snapshot {
				l.errorf(spec.Pos, "metrics.inputs.%s: columns, sequence_reset and snapshot describe a table; a file's columns are named with map: or its format (a snapshot export has a format with snapshot: true)", kind)
			}
			if m.Source != nil && m.Source.Driver != "files" && kind != KindOnboarding {
				l.errorf(spec.Pos, "metrics.inputs.%s: with metrics.source %s every input is a table: write table: NAME and columns:, not path", kind, m.Source.Driver)
			}
			resolved := *spec
			n := len(l.diags)
			resolved.Path = l.resolve(spec.Path, spec.Pos, "metrics.inputs."+string(kind))
			if len(l.diags) == n { // not listed where resolve refused the path (a link out of the repo)
				resolved.Files = l.inputFiles(resolved.Path, spec.Path, spec.Pos, "metrics.inputs."+string(kind))
			}
			l.cfg.Inputs[kind] = resolved
		case spec.Pos == (Pos{}):
			// it did not decode: said already, at its line
		default:
			l.errorf(spec.Pos, "metrics.inputs.%s: give its path (a file) or its table", kind)
		}
	}
}

// economicsGates checks gates.economics: LTV is an amount, never a share.
func (l *configLoader) economicsGates(eg *EconomicsGates) {
	check := func(where string, t EconomicsThresholds) {
		if t.Pos.Line == 0 {
			t.Pos = eg.Pos
		}
		if t.LTV != nil && t.LTV.Percent {
			l.errorf(t.Pos, "gates.economics%s.ltv: %s is a share, and LTV is an amount in economics.yaml's currency: write e.g. \">= 40\"", where, t.LTV.Text)
		}
	}
	check("", eg.EconomicsThresholds)
	for _, id := range slices.Sorted(maps.Keys(eg.Models)) {
		check(".models."+id, eg.Models[id])
	}
}

// escapes says why path, once its symbolic links are resolved, lies
// outside the planning repo at root ("" when it does not, or does not
// exist yet): a link in a repo from a pull request may point at
// /proc/self/environ or a secret.
func escapes(root, path, shown string) string {
	// both absolute: a link may name its target by an absolute path while
	// the root is relative (-C dir, or the working directory)
	real, err := filepath.EvalSymlinks(path)
	for at := path; err != nil && errors.Is(err, fs.ErrNotExist); {
		// not there (yet): where its nearest existing directory leads, so
		// a missing name beneath a link out of the repo is refused too,
		// and no listing of that directory is offered in a hint
		parent := filepath.Dir(at)
		if parent == at {
			break
		}
		at = parent
		real, err = filepath.EvalSymlinks(at)
	}
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return ""
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err == nil {
		realRoot, err = filepath.Abs(realRoot)
	}
	if err != nil {
		return ""
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Sprintf("%q resolves to %s, outside the planning repo (through a symbolic link); iotpm reads only files inside it", shown, real)
	}
	return ""
}

// keyPositions finds the positions of the top-level values, for messages
// about plain string fields that carry none.
func keyPositions(data []byte) map[string]Pos {
	out := map[string]Pos{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return out
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = Pos{Line: m.Content[i+1].Line, Col: m.Content[i+1].Column}
	}
	return out
}

// BatteryGate is one battery_life gate: targets, plan or budgets.
type BatteryGate string

var batteryGates = []string{"targets", "plan", "budgets"}

// UnmarshalNode implements NodeUnmarshaler.
func (g *BatteryGate) UnmarshalNode(n *yaml.Node) error {
	if !slices.Contains(batteryGates, n.Value) {
		return fmt.Errorf("must be one of %s; got %s%s", strings.Join(batteryGates, ", "), clipValue(strconv.Quote(n.Value)), didYouMean(n.Value, batteryGates))
	}
	*g = BatteryGate(n.Value)
	return nil
}

// JSONSchema describes a battery gate.
func (*BatteryGate) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "enum": batteryGates}
}

// BatteryGates is one battery gate or a list of them.
type BatteryGates []BatteryGate

// FromScalar implements ScalarShorthand.
func (gs *BatteryGates) FromScalar(n *yaml.Node) error {
	var g BatteryGate
	if err := g.UnmarshalNode(n); err != nil {
		return err
	}
	*gs = BatteryGates{g}
	return nil
}

// JSONSchema describes the shorthand.
func (*BatteryGates) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "enum": batteryGates},
		map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": batteryGates}},
	}}
}

// Has reports whether the gate is configured; plan includes targets.
func (gs BatteryGates) Has(g string) bool {
	return slices.Contains(gs, BatteryGate(g)) || g == "targets" && slices.Contains(gs, "plan")
}

// KanoConfig is the kano: section: the survey export and how to read it.
type KanoConfig struct {
	Survey string `yaml:"survey" check:"required"`
	// Questions maps wide-form headers to FEATURE.functional or
	// FEATURE.dysfunctional when they do not say so themselves (Google
	// Forms and SurveyMonkey head a column with its question's text).
	Questions map[string]SurveyQuestion `yaml:"questions"`
	// MinAnswers: a feature with fewer pairs of answers is not classified
	// (default 10).
	MinAnswers int `yaml:"min_answers" check:"min=1"`
	MaxBadRows int `yaml:"max_bad_rows" check:"min=0"`
	// Numbers is which way answers written as 1–5 run: like-first (1 = I
	// like it, the questionnaire's order) or dislike-first. Tools number
	// a scale either way, so a survey with numbers says which.
	Numbers string `yaml:"numbers" check:"enum=like-first|dislike-first"`
	Pos     Pos    `yaml:"-"`
	// File is iotpm.yaml's path, where the questions' positions are.
	File string `yaml:"-"`
}

// SurveyQuestion is a kano.questions value: which feature a survey
// column asks about, and which of its two Kano questions.
type SurveyQuestion struct {
	Feature       string
	Dysfunctional bool
	Pos           Pos
}

// UnmarshalNode implements NodeUnmarshaler: FEATURE.functional or
// FEATURE.dysfunctional, nothing else (a column read as the wrong
// question would turn every answer's category round).
func (q *SurveyQuestion) UnmarshalNode(n *yaml.Node) error {
	i := strings.LastIndexByte(n.Value, '.')
	if i > 0 {
		switch which := n.Value[i+1:]; which {
		case "functional", "dysfunctional":
			*q = SurveyQuestion{Feature: n.Value[:i], Dysfunctional: which == "dysfunctional", Pos: Pos{Line: n.Line, Col: n.Column}}
			return nil
		}
	}
	return fmt.Errorf("%q is not FEATURE.functional or FEATURE.dysfunctional: say which feature the column asks about and which question (the feature present: functional; absent: dysfunctional)", n.Value)
}

// JSONSchema describes a survey question reference.
func (*SurveyQuestion) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^.+\.(functional|dysfunctional)$`, "description": "FEATURE.functional or FEATURE.dysfunctional: the feature the column asks about, and which Kano question"}
}

// MaxExpansionInFile is the highest metrics.max_expansion iotpm.yaml may
// set: the reader's default (export.DefaultMaxExpansion).
const MaxExpansionInFile = 100
