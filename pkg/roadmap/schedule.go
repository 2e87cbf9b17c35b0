package roadmap

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// epsilon absorbs float rounding when person-months are split over releases.
const epsilon = 1e-9

// Input is what the scheduler needs: the ranked backlog, the calendar, the
// certification catalog (for lead times) and the themes.
type Input struct {
	Ranked   []rice.Scored
	Calendar Calendar
	Catalog  rice.Catalog
	Themes   []rice.Theme
	// Explain names the feature whose placement is explained in
	// Plan.Explain ("" none): explanations cost memory per release.
	Explain string
	// Progress, when set, is called by Simulate every 100 samples with
	// the samples done and their number (the caller shows it, or not).
	Progress func(done, total int)
	// releases is Calendar.Releases(), when Simulate has listed them once
	// for all its samples (nil: Schedule lists them)
	releases []Release
}

// Allocation is effort taken from one release.
type Allocation struct {
	Release string
	Date    time.Time
	Amount  float64
}

// Item is a scheduled feature part.
type Item struct {
	Feature     string
	Title       string
	Track       rice.Track
	Release     string // the release it ships with
	ShipDate    time.Time
	ReadyDate   time.Time
	LeadDays    int
	Effort      float64 // engineering person-months
	Allocations []Allocation
	// WorkDone is the day its work is done (zero without effort): its
	// lead time runs from the day after (rule 3)
	WorkDone time.Time
	// ComponentLeadDays: its long-lead components, ordered on ReadyDate,
	// arrive this many days later; it ships no earlier (rule 3)
	ComponentLeadDays int
}

// Unscheduled is a feature part that could not complete by the end.
type Unscheduled struct {
	Feature string
	Title   string
	Track   rice.Track
	Why     Reason
}

// ReasonKind says why a part is unscheduled.
type ReasonKind string

// The reasons a part is unscheduled.
const (
	// LeadTimePastEnd: its earliest release (ready + lead time), Earliest,
	// is after the plan's End.
	LeadTimePastEnd ReasonKind = "lead_time_past_end"
	// NoRelease: the track has no release on or after Earliest.
	NoRelease ReasonKind = "no_release"
	// NoCapacity: Missing of Needed person-months do not fit in the
	// track's releases from Earliest to the end.
	NoCapacity ReasonKind = "no_capacity"
	// DependencyUnscheduled: Dependency has an unscheduled part, for Cause.
	DependencyUnscheduled ReasonKind = "dependency_unscheduled"
	// EarlierPartUnscheduled: the feature's part on track Part, which this
	// one waits for, is unscheduled.
	EarlierPartUnscheduled ReasonKind = "earlier_part_unscheduled"
)

// Reason is why a part is unscheduled: a kind and the values that go with
// it (see the kinds). Callers word it.
type Reason struct {
	Kind            ReasonKind
	Track           rice.Track // the part's track (NoRelease, NoCapacity)
	Earliest, End   time.Time
	Missing, Needed float64
	// Ready and LeadDays (NoCapacity with a lead time): the work could
	// start on Ready and had to be done LeadDays before a release
	Ready      time.Time
	LeadDays   int
	Dependency string
	Part       rice.Track
	// Cause is the dependency's own reason (DependencyUnscheduled).
	Cause *Reason
	// CauseTrack is the track of the dependency's unscheduled part.
	CauseTrack rice.Track
}

// ReleasePlan is a release and what the plan puts in it.
type ReleasePlan struct {
	Release
	Allocated float64
	Items     []string // features whose part ships with this release
}

// ThemeStatus is a theme's outcome date.
type ThemeStatus struct {
	ID       string
	Outcome  string
	Complete time.Time // latest ship date of its scheduled parts; zero when none is
	AtRisk   bool      // a part of one of its features is unscheduled, so Complete is not the real date
	Features []string
	// Due is the theme's due date (zero: none); Late is true when it has
	// one and completes after it, or cannot complete (at risk).
	Due  time.Time
	Late bool
}

// Plan is the scheduler's result.
type Plan struct {
	Order       []string // features in scheduling order (rule 1)
	Releases    []ReleasePlan
	Items       []Item
	Unscheduled []Unscheduled
	Themes      []ThemeStatus
	Explain     []Explanation
}

// Order returns the features in scheduling order: Kano basic features
// first, then the rest, each group by RICE rank; a feature's dependencies
// come just before it (recursively, in the same order among themselves).
func Order(ranked []rice.Scored) []rice.Scored {
	base := slices.Clone(ranked)
	slices.SortStableFunc(base, func(a, b rice.Scored) int {
		ab, bb := a.Kano == rice.Basic, b.Kano == rice.Basic
		if ab != bb {
			if ab {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Rank, b.Rank)
	})
	pos := make(map[string]int, len(base))
	byID := make(map[string]rice.Scored, len(base))
	for i, s := range base {
		pos[s.ID], byID[s.ID] = i, s
	}
	var out []rice.Scored
	placed := map[string]bool{}
	var visit func(s rice.Scored)
	visit = func(s rice.Scored) {
		if placed[s.ID] {
			return
		}
		placed[s.ID] = true // dependency graphs are acyclic (the loader checks)
		deps := slices.Clone(s.DependsOn)
		slices.SortFunc(deps, func(a, b string) int { return cmp.Compare(pos[a], pos[b]) })
		for _, d := range deps {
			if dep, ok := byID[d]; ok {
				visit(dep)
			}
		}
		out = append(out, s)
	}
	for _, s := range base {
		visit(s)
	}
	return out
}

// failure is why a feature has an unscheduled part, for its dependants.
type failure struct {
	track rice.Track
	why   Reason
}

type scheduler struct {
	in         Input
	releases   []ReleasePlan
	shipped    map[string]map[rice.Track]time.Time // feature → track → ship date
	failed     map[string]failure                  // feature → why one of its parts is unscheduled
	plan       Plan
	explaining bool // the feature being placed is the one to explain
	// lists index each track's releases in date order: [track][0] the
	// regular ones, [track][1] those and the hotfix windows (for hotfix
	// features). Full releases are skipped in near-constant time.
	lists map[rice.Track]*[2]releaseList
	// cycles[i] is when release i's capacity is spent (rule 4)
	cycles []cycle
}

// releaseList is a track's releases in date order with a union-find over
// the full ones: next(k) is the first release at or after k with room,
// so placing a part never walks the same full releases again. Releases only
// ever fill (a part takes capacity only once it fits completely).
type releaseList struct {
	idx    []int // indexes into scheduler.releases
	parent []int // k, or a later position when release idx[k] is full
}

func (l *releaseList) next(k int) int {
	root := k
	for root < len(l.idx) && l.parent[root] != root {
		root = l.parent[root]
	}
	for k < len(l.idx) && l.parent[k] != k { // compress the path
		k, l.parent[k] = l.parent[k], root
	}
	return root
}

func (l *releaseList) markFull(release int) {
	k, ok := slices.BinarySearchFunc(l.idx, release, cmp.Compare)
	if ok {
		l.parent[k] = k + 1
	}
}

// note adds a step to an explanation, only for the feature explained.
func (s *scheduler) note(ex *Explanation, step Step) {
	if s.explaining {
		ex.Steps = append(ex.Steps, step)
	}
}

// Schedule places the backlog on the calendar (see the package doc and
// docs/roadmap-rules.md for the rules).
func Schedule(in Input) Plan {
	s := &scheduler{in: in, shipped: map[string]map[rice.Track]time.Time{}, failed: map[string]failure{},
		lists: map[rice.Track]*[2]releaseList{}}
	for _, t := range rice.Tracks {
		s.lists[t] = &[2]releaseList{}
	}
	all := in.releases
	if all == nil {
		all = in.Calendar.Releases()
	}
	s.cycles = make([]cycle, len(all)) // never grown: a cycle's used may point into it
	for i, r := range all {
		s.releases = append(s.releases, ReleasePlan{Release: r})
		s.cycles[i] = newCycle(r)
		l := s.lists[r.Track]
		for h := range 2 {
			if h == 1 || !r.Hotfix {
				l[h].idx = append(l[h].idx, i)
				l[h].parent = append(l[h].parent, len(l[h].parent))
			}
		}
	}
	for _, f := range Order(in.Ranked) {
		s.plan.Order = append(s.plan.Order, f.ID)
		s.explaining = f.ID == in.Explain
		s.feature(f)
	}
	s.plan.Releases = s.releases
	s.themes()
	return s.plan
}

func (s *scheduler) feature(f rice.Scored) {
	// Rule 2: the first part waits for every part of every dependency to
	// ship.
	ready := s.in.Calendar.Start
	why := Step{Kind: StepReady, ReadyBy: PlanStart}
	var blocked *Reason
	for _, d := range f.DependsOn {
		if fail, bad := s.failed[d]; bad {
			cause := fail.why
			blocked = &Reason{Kind: DependencyUnscheduled, Dependency: d, Cause: &cause, CauseTrack: fail.track}
			break
		}
		// finish to start: a dependency is done when it ships, so the work
		// that needs it starts the day after, and ships in a later release
		for _, t := range rice.Tracks {
			if ship, ok := s.shipped[d][t]; ok && ship.AddDate(0, 0, 1).After(ready) {
				ready, why = ship.AddDate(0, 0, 1), Step{Kind: StepReady, ReadyBy: DependencyShips, Dependency: d, Track: t, Shipped: ship}
			}
		}
	}
	// the day the feature's work can start: its parts' capacity comes only
	// from the part of each release's cycle after it (rule 4); a later
	// part of the chain is built alongside the earlier ones (firmware on
	// the board's prototypes), so it does not move this day
	start := ready
	for _, part := range chainOrder(f.Parts) {
		ex := Explanation{Feature: f.ID, Track: part.Track}
		if blocked != nil {
			s.unschedule(f, part.Track, *blocked, &ex)
			continue
		}
		why.Date = ready
		s.note(&ex, why)
		ship, reason := s.part(f, part, ready, start, &ex)
		if reason != nil {
			s.unschedule(f, part.Track, *reason, &ex)
			blocked = &Reason{Kind: EarlierPartUnscheduled, Part: part.Track}
			continue
		}
		if s.shipped[f.ID] == nil {
			s.shipped[f.ID] = map[rice.Track]time.Time{}
		}
		s.shipped[f.ID][part.Track] = ship
		if s.explaining {
			s.plan.Explain = append(s.plan.Explain, ex)
		}
		// Rule 2: the next part of the chain waits for this one.
		ready, why = ship, Step{Kind: StepReady, ReadyBy: EarlierPartShips, Track: part.Track}
	}
}

func (s *scheduler) unschedule(f rice.Scored, track rice.Track, reason Reason, ex *Explanation) {
	if s.explaining {
		s.note(ex, Step{Kind: StepUnscheduled, Reason: reason})
		s.plan.Explain = append(s.plan.Explain, *ex)
	}
	s.plan.Unscheduled = append(s.plan.Unscheduled, Unscheduled{Feature: f.ID, Title: f.Title, Track: track, Why: reason})
	if _, ok := s.failed[f.ID]; !ok {
		s.failed[f.ID] = failure{track: track, why: reason}
	}
}

// chainOrder returns the parts in shipping order hardware → firmware → cloud.
func chainOrder(parts []rice.Part) []rice.Part {
	out := slices.Clone(parts)
	slices.SortStableFunc(out, func(a, b rice.Part) int {
		return slices.Index(rice.Tracks, a.Track) - slices.Index(rice.Tracks, b.Track)
	})
	return out
}

// LeadTime is a part's lead time in days and where it comes from: the
// longest of its certifications (they run in parallel at the lab) and its
// explicit lead time.
func LeadTime(p rice.Part, catalog rice.Catalog) (int, LeadSource) {
	days, source := p.LeadTimeDays, LeadSource{ExplicitDays: p.LeadTimeDays}
	for _, id := range p.Certifications {
		if c, ok := catalog[id]; ok {
			if d := int(math.Ceil(c.Weeks * 7)); d > days {
				days, source = d, LeadSource{Certification: id, Weeks: c.Weeks}
			}
		}
	}
	return days, source
}

// part allocates one part and returns its ship date, or a reason it cannot
// be scheduled. Rules 3 and 4. The releases a part could take capacity
// from are found first; capacity is taken only when the part fits
// completely (a part that cannot complete holds none).
func (s *scheduler) part(f rice.Scored, p rice.Part, ready, start time.Time, ex *Explanation) (time.Time, *Reason) {
	lead, source := LeadTime(p, s.in.Catalog)
	earliest := ready.AddDate(0, 0, lead)
	if lead > 0 {
		s.note(ex, Step{Kind: StepLeadTime, Days: lead, Source: source, Date: earliest})
	}
	// components ordered the day the part is ready arrive in parallel
	// with the work: a lower bound of their own (rule 3)
	if c := ready.AddDate(0, 0, p.ComponentLeadDays); p.ComponentLeadDays > 0 {
		s.note(ex, Step{Kind: StepComponentLead, Days: p.ComponentLeadDays, Date: c})
		if c.After(earliest) {
			earliest = c
		}
	}
	if earliest.After(s.in.Calendar.End) {
		return time.Time{}, &Reason{Kind: LeadTimePastEnd, Track: p.Track, Earliest: earliest, End: s.in.Calendar.End}
	}
	list := &s.lists[p.Track][0]
	if f.Hotfix {
		list = &s.lists[p.Track][1]
	}
	at := func(t time.Time) int {
		k, _ := slices.BinarySearchFunc(list.idx, t, func(i int, t time.Time) int { return s.releases[i].Date.Compare(t) })
		return k
	}
	kShip := at(earliest)
	if kShip == len(list.idx) {
		return time.Time{}, &Reason{Kind: NoRelease, Track: p.Track, Earliest: earliest}
	}
	if p.Engineering <= epsilon {
		// nothing to build: ship with the first eligible release
		r := &s.releases[list.idx[kShip]]
		r.Items = append(r.Items, f.ID)
		s.note(ex, Step{Kind: StepNoEffort, Release: r.Name, Date: r.Date})
		s.addItem(f, p, r, ready, lead, nil, time.Time{})
		return r.Date, nil
	}
	// the work takes capacity from the releases from the day the part is
	// ready (rule 4) and must be done lead days before the release it
	// ships with (rule 3): try each release in turn as that one. whole is
	// the room of the releases dated by the deadline, kWhole the first
	// one after it; the releases from kWhole to the one tried have only
	// their days before the deadline.
	kWork := at(ready)
	whole, kWhole := 0.0, list.next(kWork)
	missing := p.Engineering
	for k := kShip; k < len(list.idx); k++ {
		deadline := s.releases[list.idx[k]].Date.AddDate(0, 0, -lead)
		for ; kWhole < len(list.idx) && !s.releases[list.idx[kWhole]].Date.After(deadline); kWhole = list.next(kWhole + 1) {
			room, _ := s.cycles[list.idx[kWhole]].room(&s.releases[list.idx[kWhole]], start, deadline)
			whole += room
		}
		room := whole
		for j := kWhole; j <= k; j = list.next(j + 1) {
			part, _ := s.cycles[list.idx[j]].room(&s.releases[list.idx[j]], start, deadline)
			room += part
		}
		if missing = p.Engineering - room; missing <= epsilon {
			return s.take(f, p, list, kWork, k, ready, start, lead, ex), nil
		}
	}
	if s.explaining {
		// the full releases it could not take from, in runs
		prev := kWork - 1
		for k := list.next(kWork); k < len(list.idx); k = list.next(k + 1) {
			if k > prev+1 {
				s.noteFull(ex, list, prev+1, k-1)
			}
			prev = k
		}
		if prev+1 < len(list.idx) {
			s.noteFull(ex, list, prev+1, len(list.idx)-1)
		}
	}
	why := &Reason{Kind: NoCapacity, Track: p.Track, Earliest: earliest, Missing: round(missing), Needed: p.Engineering}
	if lead > 0 {
		why.Ready, why.LeadDays = ready, lead
	}
	return time.Time{}, why
}

// take allocates a part that fits: its effort from the releases at list
// positions kWork to kShip, earliest first, each in its days from start
// to lead days before the release at kShip, which ships it.
func (s *scheduler) take(f rice.Scored, p rice.Part, list *releaseList, kWork, kShip int, ready, start time.Time, lead int, ex *Explanation) time.Time {
	ship := &s.releases[list.idx[kShip]]
	deadline := ship.Date.AddDate(0, 0, -lead)
	remaining := p.Engineering
	var allocs []Allocation
	var done time.Time
	prev := kWork - 1
	for k := list.next(kWork); k <= kShip && remaining > epsilon; k = list.next(k + 1) {
		if s.explaining && k > prev+1 {
			s.noteFull(ex, list, prev+1, k-1)
		}
		prev = k
		i := list.idx[k]
		r := &s.releases[i]
		room, late := s.cycles[i].room(r, start, deadline)
		if late && room < remaining {
			// said only where it changes what the part takes
			s.note(ex, Step{Kind: StepLateInCycle, Release: r.Name, Date: r.Date, Opens: r.Opens, Start: start, Amount: round(room), Capacity: r.Capacity})
		}
		if room <= epsilon {
			continue
		}
		amount := math.Min(room, remaining)
		remaining -= amount
		allocs = append(allocs, Allocation{Release: r.Name, Date: r.Date, Amount: amount})
		// the last share done: a later release's cycle may open before an
		// earlier one's closes (a quarter's release after a hotfix window)
		if d := s.cycles[i].allocate(r, start, amount); d.After(done) {
			done = d
		}
		r.Allocated += amount
		if r.Capacity-r.Allocated <= epsilon {
			s.lists[r.Track][0].markFull(i)
			s.lists[r.Track][1].markFull(i)
		}
	}
	ship.Items = append(ship.Items, f.ID)
	arrive := ready.AddDate(0, 0, p.ComponentLeadDays)
	switch {
	case p.ComponentLeadDays > 0 && arrive.After(done.AddDate(0, 0, lead)):
		// the work (and its lead time) were done before the components
		// came: they, not the capacity, set the release
		s.note(ex, Step{Kind: StepWaitComponents, Effort: p.Engineering, Allocations: allocs, Done: done, Days: lead, Start: arrive, Release: ship.Name, Date: ship.Date})
	case lead > 0:
		s.note(ex, Step{Kind: StepWorkThenLead, Effort: p.Engineering, Allocations: allocs, Done: done, Days: lead, Release: ship.Name, Date: ship.Date})
	case len(allocs) > 1:
		s.note(ex, Step{Kind: StepSpread, Effort: p.Engineering, Allocations: allocs, Release: ship.Name, Date: ship.Date})
	default:
		s.note(ex, Step{Kind: StepShips, Release: ship.Name, Date: ship.Date, Amount: round(allocs[0].Amount), Capacity: ship.Capacity})
	}
	s.addItem(f, p, ship, ready, lead, allocs, done)
	return ship.Date
}

// noteFull explains the full releases at positions from..to of a list:
// one line each, or one line for a run of more than three.
func (s *scheduler) noteFull(ex *Explanation, list *releaseList, from, to int) {
	if to-from < 3 {
		for k := from; k <= to; k++ {
			r := &s.releases[list.idx[k]]
			s.note(ex, Step{Kind: StepFull, Release: r.Name, Date: r.Date, Allocated: round(r.Allocated), Capacity: r.Capacity})
		}
		return
	}
	a, b := &s.releases[list.idx[from]], &s.releases[list.idx[to]]
	s.note(ex, Step{Kind: StepFullRun, Release: a.Name, Date: a.Date, Last: b.Name, LastDate: b.Date, Count: to - from + 1})
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

func (s *scheduler) addItem(f rice.Scored, p rice.Part, r *ReleasePlan, ready time.Time, lead int, allocs []Allocation, done time.Time) {
	s.plan.Items = append(s.plan.Items, Item{
		Feature: f.ID, Title: f.Title, Track: p.Track, Release: r.Name, ShipDate: r.Date,
		ReadyDate: ready, LeadDays: lead, Effort: p.Engineering, Allocations: allocs, WorkDone: done, ComponentLeadDays: p.ComponentLeadDays,
	})
}

// themes applies rule 6.
func (s *scheduler) themes() {
	for _, t := range s.in.Themes {
		ts := ThemeStatus{ID: t.ID, Outcome: t.Outcome, Features: []string{}, Due: t.Due}
		for _, f := range s.in.Ranked {
			if f.Theme != t.ID {
				continue
			}
			ts.Features = append(ts.Features, f.ID)
			if _, bad := s.failed[f.ID]; bad {
				ts.AtRisk = true
			}
			for _, ship := range s.shipped[f.ID] {
				if ship.After(ts.Complete) {
					ts.Complete = ship
				}
			}
		}
		ts.Late = !ts.Due.IsZero() && (ts.AtRisk || ts.Complete.After(ts.Due))
		s.plan.Themes = append(s.plan.Themes, ts)
	}
}
