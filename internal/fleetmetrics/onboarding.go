package fleetmetrics

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// funnelOf is the setup funnel iotpm.yaml's onboarding: section describes;
// nil without one.
func funnelOf(spec *planfile.OnboardingSpec) *metrics.Funnel {
	if spec == nil {
		return nil
	}
	f := &metrics.Funnel{Fold: planfile.FoldName, Within: int64(spec.WithinSeconds() * 1e6), Target: int64(spec.TargetSeconds() * 1e6)}
	for _, st := range spec.Steps {
		f.Steps = append(f.Steps, st.Name)
		var names []string
		for _, n := range st.Names() {
			names = append(names, planfile.FoldName(n))
		}
		f.Match = append(f.Match, names)
	}
	return f
}

// OnboardingGates evaluates iotpm.yaml's gates.onboarding on the setup
// funnel: completion, p90 and within_target, those it sets.
func OnboardingGates(out *Outcome, g *planfile.OnboardingGates) []gate.Gate {
	if g == nil {
		return nil
	}
	var gates []gate.Gate
	if g.Completion != nil {
		gates = append(gates, Gate(out, metrics.OnboardingCompletion, g.Completion.Threshold, ""))
	}
	if g.P90 != nil {
		gates = append(gates, P90Gate(out, *g.P90))
	}
	if g.WithinTarget != nil {
		gates = append(gates, Gate(out, metrics.OnboardingWithinTarget, g.WithinTarget.Threshold, ""))
	}
	return gates
}

// Measured is a metric's value for a gate or a theme's measure (a
// duration in seconds), or why it has none (never "" then).
func Measured(out *Outcome, metric string) (float64, string) {
	m := metrics.Metric(metric)
	var r metrics.Report
	var stats []*export.Stats
	if out != nil {
		r, stats = out.report, out.stats
	}
	v, why := r.Value(m)
	if why != metrics.HasValue {
		return 0, NoValueText(m, why, stats)
	}
	return v, ""
}

// onboardingWarnings says what would make the funnel silently wrong: a
// step no row matches (a misspelt name loses everyone there), steps
// decided by rows at the same instant.
func onboardingWarnings(job *Job, o *metrics.Onboarding, out *Outcome) {
	w := job.window
	path := statPath(out, planfile.KindOnboarding)
	if len(o.Unseen) > 0 {
		others := "it has no other events"
		if len(o.Others) > 0 {
			others = "its most frequent other events: " + quoteList(o.Others, 5)
		}
		out.Problems.Warnf(diag.Row, path, 0, 0, "no row's event is the funnel step %s (%s), so no attempt gets past it; check the names in onboarding.steps, or list the export's names for a step with {name: STEP, match: [EVENT, ...]}",
			quoteList(o.Unseen, 5), others)
	}
	coverageWarnings(o.Fleet, w, out, path)
	strayWarning(job, o, out, path)
	if o.SameInstant > 0 {
		out.Problems.Warnf(diag.Row, path, 0, 0, "%s reached a step at the same instant as the previous step: the export's clock does not say which came first, and iotpm counts them in the funnel's order; an export with finer times (ms) settles it",
			render.Plural(o.SameInstant, "attempt"))
	}
}

// strayWarning says when many users have events of later steps that are
// in no attempt, with no first step within `within` before them: they
// count nowhere, and when their setups began under another id (an
// anonymous id before login, the account's after) completion reads low
// with no other sign. At least 10 such users, and a tenth of those with
// an attempt: a few setups that outlast `within`, or a step's event sent
// again later, are no such sign.
func strayWarning(job *Job, o *metrics.Onboarding, out *Outcome, path string) {
	if o.Stray < 10 || o.Stray*10 < o.Users || job.funnel == nil || len(job.funnel.Steps) < 2 {
		return
	}
	steps := job.funnel.Steps
	out.Problems.Warnf(diag.Row, path, 0, 0, "%s (beside the %s with an attempt) have events of later steps (%s … %s) in the window with no %s within %s before them, so they count in no attempt; %s of them reached %s so: if the app logs the start of setup under one id and the rest under another (an anonymous id before login, the account's after, as a user_id column often has), completion reads low: map user to an id that stays the same through the setup (--map onboarding.user=COLUMN); if the app also sends these events outside setup (changing the Wi-Fi), name the setup's own events in onboarding.steps ({name: STEP, match: [EVENT, ...]})",
		render.Plural(o.Stray, "user"), render.Number(float64(o.Users), 0), steps[1], steps[len(steps)-1], steps[0], quantity.FormatDuration(float64(o.Within)/1e6), render.Number(float64(o.StrayLast), 0), steps[len(steps)-1])
}

// coverageWarnings says when the funnel's join to the fleet compares two
// inputs that do not cover the same time: an app export that starts after
// units were set up, or ends before the fleet's rows do, leaves those
// units' setup out of it, and they would read as activated without setup
// (and the started and completed shares low); a fleet export that ends
// before setups complete leaves their activation out. The join leaves
// those units out of its gaps; the warning says how many, and the fix.
func coverageWarnings(fl *metrics.SetupFleet, w metrics.Window, out *Outcome, path string) {
	if fl == nil {
		return
	}
	num := func(n int) string { return render.Number(float64(n), 0) }
	if n := fl.ActivatedBefore + fl.ActivatedAfter; n > 0 {
		var where, fix []string
		if fl.ActivatedBefore > 0 {
			where = append(where, num(fl.ActivatedBefore)+" before their first row")
			fix = append(fix, fmt.Sprintf("export the app's events from the window's start (%s) on", isoMicro(w.From)))
		}
		if fl.ActivatedAfter > 0 {
			where = append(where, num(fl.ActivatedAfter)+" after their last")
			fix = append(fix, fmt.Sprintf("export the app's events up to the fleet's horizon %s, or set as_of: %s (--as-of) to end the fleet's data with theirs", isoMicro(fl.FleetTo), isoMicro(fl.SetupTo)))
		}
		out.Problems.Warnf(diag.Row, path, 0, 0, "the onboarding rows run from %s to %s, and %s of the %s units shipped in the window activated outside that span with no setup attempt in the rows (%s): their setup is not in the export, so started and completed setup (%s and %s) read low beside activated (%s); they are not counted as activated without setup; %s",
			isoMicro(fl.SetupFrom), isoMicro(fl.SetupTo), num(n), num(fl.Shipped), strings.Join(where, ", "), num(fl.Started), num(fl.Completed), num(fl.Activated), strings.Join(fix, "; "))
	}
	if fl.CompletedAfter > 0 {
		out.Problems.Warnf(diag.Row, path, 0, 0, "%s shipped in the window completed setup after the fleet's rows end (%s), with no activation before: whether they activated is not in the fleet's data, so they are not counted as completed and not activated; refresh the fleet's exports, or set as_of: %s (--as-of) to end the app's data with the fleet's",
			render.Plural(fl.CompletedAfter, "unit"), isoMicro(fl.FleetTo), isoMicro(fl.FleetTo))
	}
}

// errNoFunnel: the onboarding input without the funnel's steps.
// (One line, as every error: a terminal would show a newline escaped.)
var errNoFunnel = failure.UsageErrorf("the onboarding input needs the setup funnel's steps: add to iotpm.yaml onboarding: {steps: [setup_started, ble_found, wifi_sent, cloud_connected], within: 1h, target: 3m} (the steps are the app's event names, in order)")

// Onboarding is the setup funnel in the output; times in seconds,
// shares 0..1.
type Onboarding struct {
	// Completion is completed / attempts (null without attempts; Reason).
	Completion    *float64 `json:"completion"`
	Reason        string   `json:"reason,omitempty"`
	Attempts      int      `json:"attempts"`
	Completed     int      `json:"completed"`
	Open          int      `json:"open_left_out"`
	MedianSeconds *float64 `json:"median_seconds"`
	P90Seconds    *float64 `json:"p90_seconds"`
	WithinTarget  *float64 `json:"within_target"`
	InTarget      int      `json:"completed_within_target"`
	TargetSeconds float64  `json:"target_seconds"`
	WithinSeconds float64  `json:"within_seconds"`
	// Horizon is H_setup: the latest onboarding row, or the as-of time.
	Horizon        *string `json:"horizon"`
	Users          int     `json:"users"`
	UsersCompleted int     `json:"users_completed"`
	Retried        int     `json:"users_retried"`
	SameInstant    int     `json:"attempts_same_instant"`
	// the users with a later step's event in no attempt; those of them
	// with the last step's (metrics.Onboarding.Stray)
	Stray       int          `json:"users_stray_steps"`
	StrayLast   int          `json:"users_stray_last_step"`
	OtherEvents int          `json:"rows_not_a_step"`
	Steps       []FunnelStep `json:"steps"`
	ByWeek      []SetupGroup `json:"by_week"`
	BySegment   []SetupGroup `json:"by_segment"`
	Fleet       *SetupFleet  `json:"fleet"`
	FleetNote   string       `json:"fleet_note,omitempty"`
}

// FunnelStep is one step of the funnel.
type FunnelStep struct {
	Step         string   `json:"step"`
	Attempts     int      `json:"attempts"`
	FromPrevious *float64 `json:"from_previous"`
	FromFirst    *float64 `json:"from_first"`
	DropOff      int      `json:"drop_off"`
}

// SetupGroup is the funnel's summary over a week's or a segment's
// attempts.
type SetupGroup struct {
	Label         string   `json:"label"`
	Attempts      int      `json:"attempts"`
	Completed     int      `json:"completed"`
	Completion    *float64 `json:"completion"`
	MedianSeconds *float64 `json:"median_seconds"`
	P90Seconds    *float64 `json:"p90_seconds"`
	WithinTarget  *float64 `json:"within_target"`
}

// SetupFleet is the funnel joined to the units shipped in the window.
type SetupFleet struct {
	Shipped               int `json:"shipped"`
	Started               int `json:"started_setup"`
	Completed             int `json:"completed_setup"`
	Activated             int `json:"activated"`
	CompletedNotActivated int `json:"completed_not_activated"`
	ActivatedNotStarted   int `json:"activated_without_setup"`
	// the units whose gap the other input cannot show, left out of the
	// two above (metrics.SetupFleet)
	ActivatedBefore int    `json:"activated_before_onboarding_rows"`
	ActivatedAfter  int    `json:"activated_after_onboarding_rows"`
	CompletedAfter  int    `json:"completed_after_fleet_rows"`
	UnknownDevices  int    `json:"unknown_devices"`
	UnknownExample  string `json:"unknown_example,omitempty"`
}

func seconds(us int64) *float64 {
	if us < 0 {
		return nil
	}
	v := float64(us) / 1e6
	return &v
}

func groupResult(g metrics.SetupGroup) SetupGroup {
	return SetupGroup{Label: g.Label, Attempts: g.Attempts, Completed: g.Completed, Completion: render.Finite(g.Completion),
		MedianSeconds: seconds(g.Median), P90Seconds: seconds(g.P90), WithinTarget: render.Finite(g.WithinTarget)}
}

// onboardingJSON is the funnel's output shape; reason words a missing
// value.
func onboardingResult(o *metrics.Onboarding, reason func(metrics.Metric) string) *Onboarding {
	oj := &Onboarding{Completion: render.Finite(o.Completion), Reason: reason(metrics.OnboardingCompletion), Attempts: o.Attempts, Completed: o.Completed,
		Open: o.Open, MedianSeconds: seconds(o.Median), P90Seconds: seconds(o.P90), WithinTarget: render.Finite(o.WithinTarget), InTarget: o.InTarget,
		TargetSeconds: float64(o.Target) / 1e6, WithinSeconds: float64(o.Within) / 1e6, Users: o.Users, UsersCompleted: o.UsersCompleted,
		Retried: o.Retried, SameInstant: o.SameInstant, Stray: o.Stray, StrayLast: o.StrayLast, OtherEvents: o.OtherEvents, Steps: []FunnelStep{}, ByWeek: []SetupGroup{},
		BySegment: []SetupGroup{}, FleetNote: o.FleetNote}
	if o.Horizon != metrics.NoTime {
		h := isoMicro(o.Horizon)
		oj.Horizon = &h
	}
	for _, st := range o.Steps {
		oj.Steps = append(oj.Steps, FunnelStep{Step: st.Name, Attempts: st.Attempts, FromPrevious: render.Finite(st.FromPrevious),
			FromFirst: render.Finite(st.FromFirst), DropOff: st.DropOff})
	}
	for _, g := range o.ByWeek {
		oj.ByWeek = append(oj.ByWeek, groupResult(g))
	}
	for _, g := range o.BySegment {
		oj.BySegment = append(oj.BySegment, groupResult(g))
	}
	if fl := o.Fleet; fl != nil {
		oj.Fleet = &SetupFleet{Shipped: fl.Shipped, Started: fl.Started, Completed: fl.Completed, Activated: fl.Activated,
			CompletedNotActivated: fl.CompletedNotActivated, ActivatedNotStarted: fl.ActivatedNotStarted, ActivatedBefore: fl.ActivatedBefore,
			ActivatedAfter: fl.ActivatedAfter, CompletedAfter: fl.CompletedAfter, UnknownDevices: fl.UnknownDevices, UnknownExample: fl.UnknownExample}
	}
	return oj
}
