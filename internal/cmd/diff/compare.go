package diff

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"

	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Diff is what a change does to the plan: every section lists only
// what changed. A feature renamed between the two sides is one removed and
// one added: nothing is guessed.
type Diff struct {
	Base      string            `json:"base"`
	Summary   string            `json:"summary"`
	Unchanged bool              `json:"unchanged"`
	Ranks     []RankChange      `json:"ranks"`
	Parts     []PartChange      `json:"parts"`
	Themes    []ThemeChange     `json:"themes"`
	Capacity  []CapacityChange  `json:"capacity"`
	Battery   []BatteryChange   `json:"battery"`
	Cash      CashDiff          `json:"nre"`
	Economics []EconomicsChange `json:"economics"`
	Gates     []GateChange      `json:"gates"`
	// NewWarnings are the head's warnings the base does not have (by
	// message): what the change makes the run warn of.
	NewWarnings []string `json:"new_warnings"`
	// ChangedWarnings are the head's warnings the base gave with other
	// figures — the same words, another count, share, time or example id
	// (a data refresh moves them all): still warned of, not brought by
	// the change, so not among NewWarnings; the comment folds them.
	ChangedWarnings []string `json:"changed_warnings"`
	// Window is the metrics window before → after when the change moves
	// it (every metric gate then measures another stretch of time: a pull
	// request that picks a better month shows it); nil when it stays.
	Window *WindowChange `json:"metrics_window,omitempty"`
	// Inputs are the metrics inputs whose settings in iotpm.yaml the
	// change alters (a path, format, zone, mapping): the figures read from
	// them change with no change in the data.
	Inputs []InputChange `json:"metrics_inputs_changed,omitempty"`
	// Settings are the settings of iotpm.yaml's metrics: (beside the
	// window and the inputs), onboarding: and rollout: sections the change
	// alters, as section.key (metrics.dormant_after, onboarding.target):
	// definitions that change figures with no change in the data.
	Settings []string `json:"settings_changed,omitempty"`
	// BaseProblems counts the errors of a base that does not load (its
	// planning files invalid, or invalid for this iotpm): nothing is then
	// compared, and Gates lists the head's gates as added.
	BaseProblems int             `json:"base_problems,omitempty"`
	basic        map[string]bool // Kano-basic features, after
}

// RankChange is a feature whose RICE rank or score the change alters.
type RankChange struct {
	Feature    string  `json:"feature"`
	Kind       string  `json:"kind"` // added, removed, changed (its score), rank only
	RankBefore int     `json:"rank_before,omitempty"`
	RankAfter  int     `json:"rank_after,omitempty"`
	ScoreFrom  float64 `json:"score_before,omitempty"`
	ScoreTo    float64 `json:"score_after,omitempty"`
}

// PartChange is one feature part whose release or date changed.
type PartChange struct {
	Feature       string  `json:"feature"`
	Track         string  `json:"track"`
	Kind          string  `json:"kind"` // slip, pull-in, moved, unscheduled, scheduled, added, removed
	ReleaseBefore string  `json:"release_before,omitempty"`
	DateBefore    string  `json:"date_before,omitempty"`
	ReleaseAfter  string  `json:"release_after,omitempty"`
	DateAfter     string  `json:"date_after,omitempty"`
	Weeks         float64 `json:"weeks,omitempty"` // positive: later
	Reason        string  `json:"reason,omitempty"`
}

// ThemeChange is a theme whose completion or due date the change alters.
type ThemeChange struct {
	Theme string `json:"theme"`
	// Before and After are the completion dates, "unscheduled" for a
	// theme at risk (a part never ships), empty when it has no part.
	Before     string  `json:"complete_before,omitempty"`
	After      string  `json:"complete_after,omitempty"`
	Weeks      float64 `json:"weeks,omitempty"`
	Due        string  `json:"due,omitempty"`
	LateBefore bool    `json:"late_before"`
	LateAfter  bool    `json:"late_after"`
	// AtRisk: a part of its features is unscheduled after the change, so
	// it cannot complete.
	AtRisk bool `json:"at_risk"`
	// P90Before/After and OnTimeBefore/After are the simulated P90 date
	// ("unscheduled" when a tenth of the samples cannot complete it) and
	// the chance to complete by the due date, when the plan has ranges.
	P90Before    *string  `json:"p90_before,omitempty"`
	P90After     *string  `json:"p90_after,omitempty"`
	OnTimeBefore *float64 `json:"on_time_before,omitempty"`
	OnTimeAfter  *float64 `json:"on_time_after,omitempty"`
	// LikelyLateBefore/After: on time in the plan, late in more samples
	// than not (roadmap.LikelyLate).
	LikelyLateBefore bool `json:"likely_late_before"`
	LikelyLateAfter  bool `json:"likely_late_after"`
}

func dateText(t time.Time) *string {
	s := "unscheduled"
	if !t.IsZero() {
		s = t.Format(time.DateOnly)
	}
	return &s
}

// CapacityChange is a release whose allocated capacity the change alters.
type CapacityChange struct {
	Track    string  `json:"track"`
	Release  string  `json:"release"`
	Date     string  `json:"date"`
	Before   float64 `json:"allocated_before"`
	After    float64 `json:"allocated_after"`
	Capacity float64 `json:"capacity"`
}

// WindowChange is the metrics window on each side ("" where the side
// computes no metrics): a month (2026-10) or a span of days.
type WindowChange struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

// windowText is the metrics window of a run: its month when it is one,
// else its first and last day; "" without metrics.
func windowText(p *planning.Results) string {
	if p.Metrics == nil {
		return ""
	}
	w := p.Metrics.Report().Window
	if w.From == 0 && w.To == 0 {
		return ""
	}
	return w.Label()
}

// InputChange is a metrics input whose settings the change alters, and
// which (path, table, format, tz, map, columns, sequence_reset, order,
// snapshot; added or removed for the whole input).
type InputChange struct {
	Input    string   `json:"input"`
	Settings []string `json:"settings"`
}

// compareInputs lines up iotpm.yaml's metrics inputs, paths relative to
// each side's repo root.
func (d *Diff) compareInputs(base, head *planning.Results) {
	inputs := func(p *planning.Results) map[planfile.InputKind]planfile.InputSpec {
		if p.Config == nil {
			return nil
		}
		return p.Config.Inputs
	}
	rel := func(p *planning.Results, path string) string {
		if r, err := filepath.Rel(p.Config.Root, path); err == nil && path != "" {
			return filepath.ToSlash(r)
		}
		return path
	}
	ib, ia := inputs(base), inputs(head)
	kinds := map[planfile.InputKind]bool{}
	for k := range ib {
		kinds[k] = true
	}
	for k := range ia {
		kinds[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		b, inB := ib[k]
		a, inA := ia[k]
		var changed []string
		switch {
		case !inB:
			changed = []string{"added"}
		case !inA:
			changed = []string{"removed"}
		default:
			// every setting of the input, as compareSettings does for the
			// sections (a new one is compared without a line here); the
			// path relative to each side's root
			vb, va := reflect.ValueOf(b), reflect.ValueOf(a)
			for f := range vb.NumField() {
				key, _, _ := strings.Cut(vb.Type().Field(f).Tag.Get("yaml"), ",")
				switch {
				case key == "" || key == "-":
				case key == "path":
					if rel(base, b.Path) != rel(head, a.Path) {
						changed = append(changed, key)
					}
				case !equalSettings(vb.Field(f), va.Field(f)):
					changed = append(changed, key)
				}
			}
		}
		if len(changed) > 0 {
			d.Inputs = append(d.Inputs, InputChange{Input: string(k), Settings: changed})
		}
	}
}

// compareSettings lists the settings of the metrics:, onboarding: and
// rollout: sections (as section.key) that differ, positions aside; the
// metrics window and inputs have their own comparisons.
func (d *Diff) compareSettings(base, head *planning.Results) {
	sections := func(p *planning.Results) []reflect.Value {
		m, o, r := planfile.MetricsConfig{}, planfile.OnboardingSpec{}, planfile.RolloutSpec{}
		if c := p.Config; c != nil {
			if c.Metrics != nil {
				m = *c.Metrics
			}
			if c.Onboarding != nil {
				o = *c.Onboarding
			}
			if c.Rollout != nil {
				r = *c.Rollout
			}
		}
		return []reflect.Value{reflect.ValueOf(m), reflect.ValueOf(o), reflect.ValueOf(r)}
	}
	sb, sa := sections(base), sections(head)
	for i, name := range []string{"metrics", "onboarding", "rollout"} {
		b, a := sb[i], sa[i]
		for f := range b.NumField() {
			key, _, _ := strings.Cut(b.Type().Field(f).Tag.Get("yaml"), ",")
			switch {
			case key == "" || key == "-":
				continue
			case name == "metrics" && (key == "month" || key == "from" || key == "to" || key == "inputs"):
				continue
			}
			if !equalSettings(b.Field(f), a.Field(f)) {
				d.Settings = append(d.Settings, name+"."+key)
			}
		}
	}
}

// equalSettings is reflect.DeepEqual but for positions in the file: a
// setting that only moved lines is the same setting.
func equalSettings(a, b reflect.Value) bool {
	if a.Type() == reflect.TypeFor[planfile.Pos]() {
		return true
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalSettings(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalSettings(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalSettings(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if v := b.MapIndex(k); !v.IsValid() || !equalSettings(a.MapIndex(k), v) {
				return false
			}
		}
		return true
	case reflect.Func:
		return a.IsNil() == b.IsNil()
	}
	if !a.CanInterface() {
		return true // an unexported detail (a zone's loaded location) follows its exported name
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func (d *Diff) compareWindow(base, head *planning.Results) {
	if b, a := windowText(base), windowText(head); b != a && b != "" && a != "" {
		d.Window = &WindowChange{Before: b, After: a}
	}
}

// GateChange is a gate whose status, value or threshold the change
// alters: a gate that still passes can have moved most of the way to its
// threshold, and the pull request should show it.
type GateChange struct {
	Gate   string `json:"gate"`
	Before string `json:"before"` // pass, FAIL, or "" when absent
	After  string `json:"after"`
	// ValueBefore and ValueAfter are the measured numbers (nil: absent,
	// or a value that is not a number, such as a theme's date); TextBefore
	// and TextAfter are the values as the gate tables write them.
	ValueBefore     *float64 `json:"value_before"`
	ValueAfter      *float64 `json:"value_after"`
	TextBefore      string   `json:"value_text_before"`
	TextAfter       string   `json:"value_text_after"`
	ThresholdBefore string   `json:"threshold_before"`
	ThresholdAfter  string   `json:"threshold_after"`
}

// NewlyFailing is true when the gate fails with the change and did not
// before (it passed, or was not there).
func (g GateChange) NewlyFailing() bool { return g.After == "FAIL" && g.Before != "FAIL" }

// StatusChanged is true when the gate passes on one side and fails (or
// is absent) on the other.
func (g GateChange) StatusChanged() bool { return g.Before != g.After }

// unloadableBase is the diff against a base that does not load: a pull
// request that fixes the planning files (or makes them valid for a newer
// iotpm) has nothing to compare with, and says so; the head's gates are
// listed, as added, so the review still sees where the plan stands.
func unloadableBase(base, head *planning.Results) *Diff {
	d := &Diff{basic: map[string]bool{}, BaseProblems: len(base.Problems.Errors())}
	d.compareGates(&planning.Results{}, head)
	d.Summary = d.summary()
	return d
}

// comparePlans lines up the base and the head of a planning repo.
func comparePlans(base, head *planning.Results) *Diff {
	d := &Diff{basic: map[string]bool{}}
	for _, s := range head.Ranked {
		d.basic[s.ID] = s.Kano == rice.Basic
	}
	for _, c := range rice.Compare(base.Ranked, head.Ranked) {
		if c.Kind == rice.Unchanged {
			continue
		}
		kind := string(c.Kind)
		if c.Kind == rice.Changed && c.OldScore == c.NewScore {
			kind = "rank only" // its score is the same: others moved around it
		}
		d.Ranks = append(d.Ranks, RankChange{Feature: c.ID, Kind: kind, RankBefore: c.OldRank, RankAfter: c.NewRank, ScoreFrom: c.OldScore, ScoreTo: c.NewScore})
	}
	d.compareRoadmap(base, head)
	d.compareBattery(base, head)
	d.compareCash(base, head)
	d.compareEconomics(base, head)
	d.compareGates(base, head)
	d.compareWindow(base, head)
	d.compareInputs(base, head)
	d.compareSettings(base, head)
	d.Unchanged = d.Window == nil && len(d.Inputs)+len(d.Settings) == 0 && len(d.Ranks)+len(d.Parts)+len(d.Themes)+len(d.Capacity)+len(d.Battery)+len(d.Gates)+len(d.Economics) == 0 &&
		len(d.Cash.Features)+len(d.Cash.Releases)+len(d.Cash.Quarters) == 0
	d.Summary = d.summary()
	return d
}

type partState struct {
	release, reason string
	date            time.Time
	scheduled       bool
}

func partStates(p *planning.Results) map[string]partState {
	out := map[string]partState{}
	if p.Plan == nil {
		return out
	}
	for _, it := range p.Plan.Items {
		out[it.Feature+"/"+string(it.Track)] = partState{release: it.Release, date: it.ShipDate, scheduled: true}
	}
	for _, u := range p.Plan.Unscheduled {
		out[u.Feature+"/"+string(u.Track)] = partState{reason: u.Why.String()}
	}
	return out
}

func weeks(a, b time.Time) float64 { return math.Round(b.Sub(a).Hours()/24/7*10) / 10 }

// compareRoadmap fills the roadmap's parts of the diff: parts that move,
// themes whose dates or chances change, releases whose load changes.
func (d *Diff) compareRoadmap(base, head *planning.Results) {
	d.compareParts(base, head)
	d.compareThemes(base, head)
	d.compareCapacity(base, head)
}

// compareParts lists the feature parts added, removed, (un)scheduled,
// slipped, pulled in or moved to another release.
func (d *Diff) compareParts(base, head *planning.Results) {
	before, after := partStates(base), partStates(head)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		feature, track, _ := strings.Cut(k, "/")
		b, inB := before[k]
		a, inA := after[k]
		c := PartChange{Feature: feature, Track: track}
		if inB && b.scheduled {
			c.ReleaseBefore, c.DateBefore = b.release, b.date.Format(time.DateOnly)
		}
		if inA && a.scheduled {
			c.ReleaseAfter, c.DateAfter = a.release, a.date.Format(time.DateOnly)
		}
		switch {
		case !inB:
			c.Kind, c.Reason = "added", a.reason
		case !inA:
			c.Kind = "removed"
		case b.scheduled && !a.scheduled:
			c.Kind, c.Reason = "unscheduled", a.reason
		case !b.scheduled && a.scheduled:
			c.Kind = "scheduled"
		case !b.scheduled && !a.scheduled:
			continue
		case !a.date.Equal(b.date):
			c.Weeks = weeks(b.date, a.date)
			c.Kind = "slip"
			if c.Weeks < 0 {
				c.Kind = "pull-in"
			}
			c.Reason = moveReason(base, head, feature, rice.Track(track), before, after)
		case a.release != b.release:
			c.Kind = "moved"
			c.Reason = moveReason(base, head, feature, rice.Track(track), before, after)
		default:
			continue
		}
		d.Parts = append(d.Parts, c)
	}
}

// compareThemes lists the themes whose completion, due date, lateness or
// risk changes, with their simulated P90 and chance to be on time when
// either side has ranges.
func (d *Diff) compareThemes(base, head *planning.Results) {
	themes := func(p *planning.Results) map[string]roadmap.ThemeStatus {
		out := map[string]roadmap.ThemeStatus{}
		if p.Plan != nil {
			for _, t := range p.Plan.Themes {
				out[t.ID] = t
			}
		}
		return out
	}
	tb, ta := themes(base), themes(head)
	// with ranges on either side, each theme's simulated P90 and chance to
	// be on time too (2000 samples, seed 1: the same on every run)
	simulate := func(p *planning.Results) map[string]roadmap.ThemeOutcome {
		out := map[string]roadmap.ThemeOutcome{}
		if p.Plan == nil || p.Backlog == nil || p.Backlog.Calendar == nil {
			return out
		}
		sim, err := roadmap.Simulate(roadmap.Input{Ranked: p.Ranked, Calendar: *p.Backlog.Calendar, Catalog: p.Backlog.Catalog, Themes: p.Backlog.Themes}, roadmap.DefaultSamples, 1)
		if err != nil || sim.Ranges == 0 {
			return out
		}
		for _, t := range sim.Themes {
			out[t.ID] = t
		}
		return out
	}
	sb, sa := simulate(base), simulate(head)
	ranged := len(sb)+len(sa) > 0
	ids := map[string]bool{}
	for k := range tb {
		ids[k] = true
	}
	for k := range ta {
		ids[k] = true
	}
	for _, id := range sortedKeys(ids) {
		b, a := tb[id], ta[id]
		c := ThemeChange{Theme: id, LateBefore: b.Late, LateAfter: a.Late, AtRisk: a.AtRisk}
		if ranged {
			x, okB := sb[id]
			y, okA := sa[id]
			if okB {
				c.P90Before, c.OnTimeBefore = dateText(x.P90), render.Finite(x.OnTime)
				c.LikelyLateBefore = roadmap.LikelyLate(b, x)
			}
			if okA {
				c.P90After, c.OnTimeAfter = dateText(y.P90), render.Finite(y.OnTime)
				c.LikelyLateAfter = roadmap.LikelyLate(a, y)
			}
		}
		simSame := cmdutil.EqualPtr(c.P90Before, c.P90After) && cmdutil.EqualPtr(c.OnTimeBefore, c.OnTimeAfter)
		sameDone := b.Complete.Equal(a.Complete) || b.AtRisk && a.AtRisk // at risk: no completion to move
		if sameDone && b.Due.Equal(a.Due) && b.Late == a.Late && b.AtRisk == a.AtRisk && simSame {
			continue
		}
		// an at-risk theme's date is its scheduled parts' latest, not a
		// completion: it reads unscheduled, and moves no weeks
		if !b.Complete.IsZero() {
			c.Before = b.Complete.Format(time.DateOnly)
		}
		if b.AtRisk {
			c.Before = "unscheduled"
		}
		if !a.Complete.IsZero() {
			c.After = a.Complete.Format(time.DateOnly)
		}
		if a.AtRisk {
			c.After = "unscheduled"
		}
		if !b.Complete.IsZero() && !a.Complete.IsZero() && !b.AtRisk && !a.AtRisk {
			c.Weeks = weeks(b.Complete, a.Complete)
		}
		if !a.Due.IsZero() {
			c.Due = a.Due.Format(time.DateOnly)
		}
		d.Themes = append(d.Themes, c)
	}
}

// compareCapacity lists the releases whose allocated effort changes.
func (d *Diff) compareCapacity(base, head *planning.Results) {
	releases := func(p *planning.Results) map[string]roadmap.ReleasePlan {
		out := map[string]roadmap.ReleasePlan{}
		if p.Plan != nil {
			for _, r := range p.Plan.Releases {
				out[string(r.Track)+"/"+r.Name] = r
			}
		}
		return out
	}
	rb, ra := releases(base), releases(head)
	var changed []CapacityChange
	for k, a := range ra {
		if b, ok := rb[k]; ok && math.Abs(b.Allocated-a.Allocated) > 1e-9 {
			changed = append(changed, CapacityChange{Track: string(a.Track), Release: a.Name, Date: a.Date.Format(time.DateOnly), Before: b.Allocated, After: a.Allocated, Capacity: a.Capacity})
		}
	}
	slices.SortFunc(changed, func(x, y CapacityChange) int {
		return strings.Compare(x.Date+x.Track+x.Release, y.Date+y.Track+y.Release)
	})
	d.Capacity = changed
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (d *Diff) compareGates(base, head *planning.Results) {
	gates := func(p *planning.Results) map[string]gate.Gate {
		out := map[string]gate.Gate{}
		if p.Problems.HasErrors() || p.Config == nil {
			return out
		}
		for _, g := range p.Gates() {
			out[g.Name] = g
		}
		return out
	}
	gb, ga := gates(base), gates(head)
	names := map[string]bool{}
	for k := range gb {
		names[k] = true
	}
	for k := range ga {
		names[k] = true
	}
	var newly, status, moved []GateChange
	for _, n := range sortedKeys(names) {
		b, inBase := gb[n]
		a, inHead := ga[n]
		c := GateChange{Gate: n}
		if inBase {
			c.Before, c.ValueBefore, c.TextBefore, c.ThresholdBefore = b.Status(), b.Value, b.ValueText(), b.Threshold
		}
		if inHead {
			c.After, c.ValueAfter, c.TextAfter, c.ThresholdAfter = a.Status(), a.Value, a.ValueText(), a.Threshold
		}
		// values compared as the tables write them: a difference in the
		// fifth decimal of a percentage is not a change anyone reads
		switch {
		case c.NewlyFailing():
			newly = append(newly, c)
		case c.StatusChanged():
			status = append(status, c)
		case c.TextBefore != c.TextAfter || c.ThresholdBefore != c.ThresholdAfter:
			moved = append(moved, c)
		}
	}
	d.Gates = append(append(newly, status...), moved...)
}

// failures lists the --fail-on conditions the diff meets.
func (d *Diff) failures(failOn []string) []string {
	var out []string
	for _, k := range failOn {
		switch k {
		case "slip":
			var slips []string
			for _, p := range d.Parts {
				if p.Kind == "slip" {
					slips = append(slips, fmt.Sprintf("%s %s +%s w", p.Feature, p.Track, fmtWeeks(p.Weeks)))
				}
			}
			if len(slips) > 0 {
				out = append(out, "parts slip: "+strings.Join(slips, ", "))
			}
		case "new-failing-gate":
			var gates []string
			for _, g := range d.Gates {
				if g.NewlyFailing() {
					gates = append(gates, g.Gate)
				}
			}
			if len(gates) > 0 {
				out = append(out, "gates newly failing: "+strings.Join(gates, ", "))
			}
		case "unscheduled-basic":
			var parts []string
			for _, p := range d.Parts {
				if (p.Kind == "unscheduled" || p.Kind == "added" && p.DateAfter == "") && d.basic[p.Feature] {
					parts = append(parts, p.Feature+" "+p.Track)
				}
			}
			if len(parts) > 0 {
				out = append(out, "Kano-basic parts newly unscheduled: "+strings.Join(parts, ", "))
			}
		case "theme-late":
			var themes []string
			for _, t := range d.Themes {
				if t.LateAfter && !t.LateBefore {
					themes = append(themes, t.Theme)
				}
			}
			if len(themes) > 0 {
				out = append(out, "themes newly late: "+strings.Join(themes, ", "))
			}
		case "theme-likely-late":
			// late, or on time only on the ranges' most likely values,
			// where before it was neither
			var themes []string
			for _, t := range d.Themes {
				if (t.LateAfter || t.LikelyLateAfter) && !t.LateBefore && !t.LikelyLateBefore {
					themes = append(themes, t.Theme)
				}
			}
			if len(themes) > 0 {
				out = append(out, "themes newly late or likely late: "+strings.Join(themes, ", "))
			}
		}
	}
	return out
}

func fmtWeeks(w float64) string { return strings.TrimPrefix(fmt.Sprintf("%g", math.Abs(w)), "-") }

// moveReason says what moved a part, in the order a reader checks: its own
// feature's parts (effort, certifications, lead time) with a dependency
// the same change added or removed; else every one of its release's new
// date, a dependency added or removed, a dependency that now ships at
// another date, an earlier part of its own chain that moved and the
// track's calendar (start, cadence) that applies; else the capacity of
// its track (the features that now come before it there). "" when none
// of these changed.
func moveReason(base, head *planning.Results, feature string, track rice.Track, before, after map[string]partState) string {
	find := func(p *planning.Results, id string) (rice.Scored, bool) {
		i := slices.IndexFunc(p.Ranked, func(s rice.Scored) bool { return s.ID == id })
		if i < 0 {
			return rice.Scored{}, false
		}
		return p.Ranked[i], true
	}
	fb, okB := find(base, feature)
	fa, okA := find(head, feature)
	if !okA || !okB {
		return ""
	}
	partOf := func(s rice.Scored) (rice.Part, bool) {
		i := slices.IndexFunc(s.Parts, func(p rice.Part) bool { return p.Track == track })
		if i < 0 {
			return rice.Part{}, false
		}
		return s.Parts[i], true
	}
	pb, _ := partOf(fb)
	pa, _ := partOf(fa)
	// the part's own changes, every one (a new radio brings an effort and
	// a certification in one edit), and a dependency the same change
	// added or removed: naming the first alone read as the whole cause
	var own []string
	if pb.Engineering != pa.Engineering {
		own = append(own, fmt.Sprintf("its %s effort changed from %g to %g person-months", track, pb.Engineering, pa.Engineering))
	}
	if !slices.Equal(pb.Certifications, pa.Certifications) {
		own = append(own, fmt.Sprintf("its %s certifications changed (%s → %s)", track, strings.Join(pb.Certifications, ", "), strings.Join(pa.Certifications, ", ")))
	}
	if pb.LeadTimeDays != pa.LeadTimeDays {
		own = append(own, fmt.Sprintf("its %s lead time changed from %d to %d days", track, pb.LeadTimeDays, pa.LeadTimeDays))
	}
	if pb.ComponentLeadDays != pa.ComponentLeadDays {
		own = append(own, fmt.Sprintf("its %s component lead time changed from %d to %d days", track, pb.ComponentLeadDays, pa.ComponentLeadDays))
	}
	if len(own) > 0 {
		if r := dependsReason(base, head, fb, fa); r != "" {
			own = append(own, r)
		}
		return strings.Join(own, "; ")
	}
	// then every other cause that applies, in that order: a dependency
	// that ships later and the track's new cadence together moved it
	// (naming the first alone hid the cadence, which moves every part)
	var why []string
	if r := calendarReason(base, head, track, before[feature+"/"+string(track)], after[feature+"/"+string(track)]); r != "" {
		why = append(why, r)
	}
	if r := dependsReason(base, head, fb, fa); r != "" {
		why = append(why, r)
	}
	for _, dep := range fa.DependsOn {
		if !slices.Contains(fb.DependsOn, dep) {
			continue // a new dependency: dependsReason named it, its date follows
		}
		for _, t := range rice.Tracks {
			k := dep + "/" + string(t)
			if b, a := before[k], after[k]; b.scheduled && a.scheduled && !a.date.Equal(b.date) {
				why = append(why, fmt.Sprintf("its dependency %s's %s part now ships %s (was %s)", dep, t, a.date.Format(time.DateOnly), b.date.Format(time.DateOnly)))
				break
			}
		}
	}
	for _, t := range rice.Tracks {
		if t == track {
			break
		}
		k := feature + "/" + string(t)
		if b, a := before[k], after[k]; b.scheduled && a.scheduled && !a.date.Equal(b.date) {
			why = append(why, fmt.Sprintf("its %s part now ships %s (was %s)", t, a.date.Format(time.DateOnly), b.date.Format(time.DateOnly)))
			break
		}
	}
	// the calendar's change, unless calendarReason said it already
	if c := calendarChange(base, head, track); c != "" && (len(why) == 0 || !strings.HasSuffix(why[0], ": "+c)) {
		why = append(why, c)
	}
	if len(why) > 0 {
		return strings.Join(why, "; ")
	}
	return capacityReason(base, head, feature, track, before, after, partOf)
}

// dependsReason says which dependencies of the feature, or on it, the
// change added or removed: a new dependency holds the part until it
// ships; a feature that now depends on it places it before itself.
func dependsReason(base, head *planning.Results, fb, fa rice.Scored) string {
	var why []string
	if added := missing(fa.DependsOn, fb.DependsOn); len(added) > 0 {
		why = append(why, "it now depends on "+names(added))
	}
	if removed := missing(fb.DependsOn, fa.DependsOn); len(removed) > 0 {
		why = append(why, "it no longer depends on "+names(removed))
	}
	dependents := func(p *planning.Results) []string {
		var ids []string
		for _, s := range p.Ranked {
			if slices.Contains(s.DependsOn, fa.ID) {
				ids = append(ids, s.ID)
			}
		}
		return ids
	}
	db, da := dependents(base), dependents(head)
	if added := missing(da, db); len(added) > 0 {
		why = append(why, names(added)+" now depend"+verbS(added)+" on it")
	}
	if removed := missing(db, da); len(removed) > 0 {
		why = append(why, names(removed)+" no longer depend"+verbS(removed)+" on it")
	}
	return strings.Join(why, "; ")
}

// missing lists the ids of a that b does not have, in a's order.
func missing(a, b []string) []string {
	var out []string
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

// names lists ids for a reason: at most three, the rest counted.
func names(ids []string) string {
	return render.Few(ids, 3, ", ")
}

func verbS(ids []string) string {
	if len(ids) == 1 {
		return "s"
	}
	return ""
}

func calendarOf(p *planning.Results) roadmap.Calendar {
	if p.Backlog == nil || p.Backlog.Calendar == nil {
		return roadmap.Calendar{}
	}
	return *p.Backlog.Calendar
}

// calendarReason says why a part that stays in its release (by name) moved
// with it: the release's date changed, by the roadmap's start or the
// track's cadence where those changed. "" when the part changed release.
func calendarReason(base, head *planning.Results, track rice.Track, b, a partState) string {
	if b.release != a.release || b.date.Equal(a.date) {
		return ""
	}
	why := fmt.Sprintf("%s is dated %s (was %s)", a.release, a.date.Format(time.DateOnly), b.date.Format(time.DateOnly))
	if c := calendarChange(base, head, track); c != "" {
		why += ": " + c
	}
	return why
}

// calendarChange says what changed in the releases of the track that
// moves every part on it: the roadmap's start, the track's cadence or its
// hotfix windows' cadence. "" when none did.
func calendarChange(base, head *planning.Results, track rice.Track) string {
	cb, ca := calendarOf(base), calendarOf(head)
	if !cb.Start.Equal(ca.Start) {
		return fmt.Sprintf("the roadmap starts %s (was %s)", ca.Start.Format(time.DateOnly), cb.Start.Format(time.DateOnly))
	}
	every := func(c *roadmap.Cadence) string {
		if c == nil {
			return "-"
		}
		return c.Every.String()
	}
	tb, ta := cb.Tracks[track], ca.Tracks[track]
	switch {
	case every(tb.Cadence) != every(ta.Cadence):
		return fmt.Sprintf("%s releases every %s (was %s)", track, every(ta.Cadence), every(tb.Cadence))
	case every(tb.Hotfix) != every(ta.Hotfix):
		return fmt.Sprintf("%s hotfix windows every %s (was %s)", track, every(ta.Hotfix), every(tb.Hotfix))
	}
	return ""
}

// capacityReason says what changed in the capacity of the part's track
// ahead of it: for a slip, features placed before it now and not before
// that take capacity it could have used (work in a release up to the
// one it now ships in); for a pull-in, features no longer placed before
// it that took such capacity (up to the one it shipped in); its
// release's capacity; and the features ahead of it on both sides whose
// part on the track needs another effort or ships at another date. A
// feature placed before it whose work is all in later releases (held
// back by a dependency) took nothing from it and is not named. At most
// three are named, the rest counted.
func capacityReason(base, head *planning.Results, feature string, track rice.Track, before, after map[string]partState, partOf func(rice.Scored) (rice.Part, bool)) string {
	orderOf := func(p *planning.Results) []string {
		var ids []string
		for _, s := range roadmap.Order(p.Ranked) {
			if _, ok := partOf(s); ok {
				ids = append(ids, s.ID)
			}
		}
		return ids
	}
	ob, oa := orderOf(base), orderOf(head)
	ia := slices.Index(oa, feature)
	ib := slices.Index(ob, feature)
	k := feature + "/" + string(track)
	slip := after[k].date.After(before[k].date)
	// took: the feature ahead had work in a release the part could have
	// used — on a slip, the head's work up to the part's new date; on a
	// pull-in, the base's work up to it (capacity freed)
	took := func(id string) bool {
		if slip {
			return worksBy(head, id, track, after[k].date)
		}
		return worksBy(base, id, track, after[k].date)
	}
	var ahead, behind, both []string
	for _, id := range oa[:max(ia, 0)] {
		if j := slices.Index(ob, id); j < 0 || j > ib {
			if slip && took(id) {
				ahead = append(ahead, id)
			}
		} else if took(id) {
			both = append(both, id)
		}
	}
	if len(ahead) > 0 {
		return fmt.Sprintf("%s capacity: %s now placed before it", track, names(ahead))
	}
	for _, id := range ob[:max(ib, 0)] {
		if j := slices.Index(oa, id); (j < 0 || j > ia) && !slip && took(id) {
			behind = append(behind, id)
		}
	}
	var why []string
	if len(behind) > 0 {
		why = append(why, names(behind)+" no longer placed before it")
	}
	if rel := before[feature+"/"+string(track)].release; rel != "" {
		cb, okB := releaseCapacity(base, track, rel)
		ca, okA := releaseCapacity(head, track, rel)
		if okB && okA && cb != ca {
			why = append(why, fmt.Sprintf("%s has %s (was %g)", rel, personMonths(ca), cb))
		}
	}
	effort := func(p *planning.Results, id string) float64 {
		i := slices.IndexFunc(p.Ranked, func(s rice.Scored) bool { return s.ID == id })
		part, _ := partOf(p.Ranked[i])
		return part.Engineering
	}
	// the causes first (an effort changed), then what they moved
	var moved []string
	for _, id := range both {
		k := id + "/" + string(track)
		switch eb, ea := effort(base, id), effort(head, id); {
		case eb != ea:
			why = append(why, fmt.Sprintf("%s ahead of it needs %s (was %g)", id, personMonths(ea), eb))
		case before[k].scheduled && after[k].scheduled && before[k].release != after[k].release:
			moved = append(moved, fmt.Sprintf("%s ahead of it ships in %s (was %s)", id, after[k].release, before[k].release))
		}
	}
	why = append(why, moved...)
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("%s capacity: %s", track, render.Few(why, 3, "; "))
}

func personMonths(v float64) string {
	if v == 1 {
		return "1 person-month"
	}
	return fmt.Sprintf("%g person-months", v)
}

// worksBy reports whether the feature's part on the track has work in a
// release dated by the day (capacity a part shipping that day competes
// for).
func worksBy(p *planning.Results, feature string, track rice.Track, day time.Time) bool {
	if p.Plan == nil {
		return false
	}
	for _, it := range p.Plan.Items {
		if it.Feature == feature && it.Track == track {
			return slices.ContainsFunc(it.Allocations, func(a roadmap.Allocation) bool { return !a.Date.After(day) })
		}
	}
	return false
}

// releaseCapacity is the capacity of the track's release named name.
func releaseCapacity(p *planning.Results, track rice.Track, name string) (float64, bool) {
	if p.Plan == nil {
		return 0, false
	}
	for _, r := range p.Plan.Releases {
		if r.Track == track && r.Name == name {
			return r.Capacity, true
		}
	}
	return 0, false
}

// newWarnings are the head's warnings whose message the base's warnings do
// not have (a line moved by the change is the same warning), as the
// diagnostics print, paths relative to the head's repo dir; changed are
// those of them the base gave with other figures (warningShape).
func newWarnings(base, head diag.List, dir string) (added, changed []string) {
	seen, shapes := map[string]bool{}, map[string]bool{}
	for _, d := range base.Warnings() {
		seen[d.Message], shapes[warningShape(d.Message)] = true, true
	}
	added, changed = []string{}, []string{}
	for _, d := range head.Warnings().Sort() {
		switch {
		case seen[d.Message]:
		case shapes[warningShape(d.Message)]:
			changed = append(changed, d.RelativeTo(dir).String())
		default:
			added = append(added, d.RelativeTo(dir).String())
		}
	}
	return added, changed
}

// figures are a warning's numbers: counts (1,234), shares (66.44%), times
// (2026-10-13T00:33:48Z) and the digits of ids.
var figures = regexp.MustCompile(`[0-9]+(?:[.,:][0-9]+)*`)

// warningShape is a warning's message with its figures masked and its
// words in one grammatical number: the same warning with other counts,
// shares, times or example ids has the same shape — also when a count
// goes from one to more, which the warnings say in the singular ("1 of
// its 6 devices (\"v3\") missed …: if only it checks in less often, give
// it a model of its own" against "2 … devices (e.g. …): if only they
// check in …, give them …"): the pull request that made a second sensor
// sparse changed that warning's figures, it brought no new one.
func warningShape(message string) string {
	message = strings.ReplaceAll(figures.ReplaceAllString(message, "#"), "e.g. ", "")
	words := strings.Fields(message)
	out := words[:0]
	for _, w := range words {
		core := strings.TrimLeft(w, "(\"")
		lead := w[:len(w)-len(core)]
		core = strings.TrimRight(core, ".,;:)\"")
		tail := w[len(lead)+len(core):]
		if s, ok := singular[core]; ok {
			core = s
		} else if len(core) > 3 && strings.HasSuffix(core, "s") && !strings.HasSuffix(core, "ss") {
			core = core[:len(core)-1] // devices, customers, checks: device, customer, check
		}
		if w = lead + core + tail; w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// singular maps the words a warning puts in the plural for more than one
// device (or customer) to those of one ("" drops the word).
var singular = map[string]string{
	"they": "it", "them": "it", "their": "its", "were": "was", "are": "is",
	"have": "has", "does": "do", "each": "",
}
