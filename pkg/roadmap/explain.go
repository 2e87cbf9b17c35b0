package roadmap

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// Explanation is the scheduler's record of how one part of a feature was
// placed (Input.Explain), step by step.
type Explanation struct {
	Feature string
	Track   rice.Track
	Steps   []Step
}

// StepKind is one kind of decision the scheduler records.
type StepKind int

// The decisions, in the order they can occur for a part.
const (
	// StepReady: the part can start on Date; ReadyBy says what sets it.
	StepReady StepKind = iota + 1
	// StepLeadTime: Days of lead time (Source) make Date the earliest
	// release date.
	StepLeadTime
	// StepComponentLead: Days of component lead time, from the ready
	// date, make Date the earliest release date.
	StepComponentLead
	// StepNoEffort: no engineering: ships with Release on Date.
	StepNoEffort
	// StepFull: Release on Date is full (Allocated of Capacity).
	StepFull
	// StepFullRun: Count full releases, Release on Date to Last on
	// LastDate.
	StepFullRun
	// StepLateInCycle: Release on Date opened its cycle on Opens, before
	// the work could start (Start): only Amount of its Capacity falls in
	// the cycle's remaining days.
	StepLateInCycle
	// StepSpread: Effort spread over Allocations; ships with Release on
	// Date.
	StepSpread
	// StepWorkThenLead: Effort taken as Allocations is done on Done; the
	// Days of lead time from the day after make Release on Date the first
	// it can ship with.
	StepWorkThenLead
	// StepWaitComponents: Effort taken as Allocations is done on Done
	// (and Days of lead time after it end) before the components ordered
	// when it was ready arrive on Start: ships with Release on Date, the
	// first on or after Start.
	StepWaitComponents
	// StepShips: ships with Release on Date, taking Amount of its
	// Capacity.
	StepShips
	// StepUnscheduled: the part cannot be placed, for Reason.
	StepUnscheduled
)

// ReadyBy says what sets the date a part can start.
type ReadyBy int

// What a part waits for.
const (
	// PlanStart: nothing; the plan's start.
	PlanStart ReadyBy = iota
	// DependencyShips: Dependency's Track part ships the day before.
	DependencyShips
	// EarlierPartShips: the feature's own Track part ships then (parts
	// ship hardware → firmware → cloud).
	EarlierPartShips
)

// LeadSource is where a part's lead time comes from: the longest
// certification (Certification, Weeks) or, when none is longer, the part's
// explicit lead time.
type LeadSource struct {
	Certification string
	Weeks         float64
	ExplicitDays  int
}

// Step is one recorded decision; which fields are set depends on Kind.
type Step struct {
	Kind StepKind
	Date time.Time
	// StepReady; Shipped is when the dependency's part ships (its
	// dependant's work starts the day after)
	ReadyBy    ReadyBy
	Dependency string
	Track      rice.Track
	Shipped    time.Time
	// StepLeadTime
	Days   int
	Source LeadSource
	// releases
	Release             string
	Last                string
	LastDate            time.Time
	Count               int
	Allocated, Capacity float64
	Amount, Effort      float64
	Opens, Start        time.Time // StepLateInCycle
	Done                time.Time // StepWorkThenLead
	Allocations         []Allocation
	// StepUnscheduled
	Reason Reason
}

// String words a lead-time source, as the explanation says it.
func (l LeadSource) String() string {
	if l.Certification != "" {
		if l.Weeks == 1 {
			return fmt.Sprintf("certification %s takes 1 week", l.Certification)
		}
		return fmt.Sprintf("certification %s takes %g weeks", l.Certification, l.Weeks)
	}
	return fmt.Sprintf("explicit lead time %dd", l.ExplicitDays)
}

// String words a step in English, as `iotpm roadmap --explain` prints it;
// callers that need another wording use the kind and the values.
func (s Step) String() string {
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch s.Kind {
	case StepReady:
		why := "the plan starts " + date(s.Date)
		switch s.ReadyBy {
		case DependencyShips:
			why = fmt.Sprintf("dependency %s ships its %s part %s; work that needs it starts after", s.Dependency, s.Track, date(s.Shipped))
		case EarlierPartShips:
			why = fmt.Sprintf("its %s part ships %s", s.Track, date(s.Date))
		}
		return fmt.Sprintf("ready %s: %s", date(s.Date), why)
	case StepLeadTime:
		return fmt.Sprintf("lead time %s (%s): earliest release %s", plural(s.Days, "day"), s.Source, date(s.Date))
	case StepComponentLead:
		return fmt.Sprintf("component lead time %s (long-lead components ordered when it is ready): earliest release %s", plural(s.Days, "day"), date(s.Date))
	case StepNoEffort:
		return fmt.Sprintf("no engineering effort: ships with %s on %s", s.Release, date(s.Date))
	case StepFull:
		return fmt.Sprintf("%s on %s is full (%g of %s allocated)", s.Release, date(s.Date), s.Allocated, personMonths(s.Capacity))
	case StepFullRun:
		return fmt.Sprintf("%s to %s (%d releases, %s to %s) are full", s.Release, s.Last, s.Count, date(s.Date), date(s.LastDate))
	case StepLateInCycle:
		return fmt.Sprintf("%s on %s spends its %s over its cycle from %s; the work can start %s, which leaves it %s",
			s.Release, date(s.Date), personMonths(s.Capacity), date(s.Opens), date(s.Start), personMonths(s.Amount))
	case StepSpread:
		return fmt.Sprintf("capacity: %s spread over %d releases (%s); ships with %s on %s",
			personMonths(s.Effort), len(s.Allocations), allocationParts(s.Allocations), s.Release, date(s.Date))
	case StepWorkThenLead:
		return fmt.Sprintf("capacity: %s in %s, done on %s; its %s of lead time from the day after end %s: ships with %s on %s",
			personMonths(s.Effort), allocationList(s.Allocations), date(s.Done), plural(s.Days, "day"), date(s.Done.AddDate(0, 0, s.Days)), s.Release, date(s.Date))
	case StepWaitComponents:
		work := fmt.Sprintf("capacity: %s in %s, done on %s", personMonths(s.Effort), allocationList(s.Allocations), date(s.Done))
		if s.Days > 0 {
			work += fmt.Sprintf(" (its %s of lead time after it end %s)", plural(s.Days, "day"), date(s.Done.AddDate(0, 0, s.Days)))
		}
		return fmt.Sprintf("%s; its components arrive %s: ships with %s on %s", work, date(s.Start), s.Release, date(s.Date))
	case StepShips:
		return fmt.Sprintf("ships with %s on %s, using %g of the release's %s of capacity", s.Release, date(s.Date), s.Amount, personMonths(s.Capacity))
	case StepUnscheduled:
		return "unscheduled: " + s.Reason.String()
	}
	return fmt.Sprintf("step %d", s.Kind)
}

// personMonths words an amount of person-months: "1 person-month",
// "0.5 person-months".
func personMonths(v float64) string {
	if v == 1 {
		return "1 person-month"
	}
	return fmt.Sprintf("%g person-months", v)
}

// plural words a count of a unit: "1 day", "28 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// allocationParts words allocations as "1 in FW 1, 0.5 in FW 2".
func allocationParts(allocs []Allocation) string {
	parts := make([]string, len(allocs))
	for i, a := range allocs {
		parts[i] = fmt.Sprintf("%g in %s", round(a.Amount), a.Release)
	}
	return strings.Join(parts, ", ")
}

// allocationList words where a part's effort went: one release by name,
// several as "2 releases (1 in FW 1, 0.5 in FW 2)".
func allocationList(allocs []Allocation) string {
	if len(allocs) == 1 {
		return allocs[0].Release
	}
	return fmt.Sprintf("%d releases (%s)", len(allocs), allocationParts(allocs))
}
