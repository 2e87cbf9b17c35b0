package planfile

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
	"go.yaml.in/yaml/v3"
)

// Date is a calendar date written YYYY-MM-DD (quoted or not).
type Date struct{ time.Time }

// UnmarshalNode implements NodeUnmarshaler.
func (d *Date) UnmarshalNode(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("%q is not a date; write YYYY-MM-DD, e.g. 2027-01-04", n.Value)
	}
	d.Time = t
	return nil
}

var periodRE = regexp.MustCompile(`^\s*(\d+)\s*(d|w|mo|y)\s*$`)

// Period is a calendar period: "14d", "2w", "3mo", "1y".
type Period roadmap.Period

// UnmarshalNode implements NodeUnmarshaler.
func (p *Period) UnmarshalNode(n *yaml.Node) error {
	m := periodRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%q is not a period; write e.g. 2w, 14d, 3mo or 1y", n.Value)
	}
	k, err := strconv.Atoi(m[1])
	if err != nil || k <= 0 || k > 1000 {
		return fmt.Errorf("%q: the count must be 1 to 1000", n.Value)
	}
	switch m[2] {
	case "d":
		*p = Period{Days: k}
	case "w":
		*p = Period{Days: 7 * k}
	case "mo":
		*p = Period{Months: k}
	case "y":
		*p = Period{Months: 12 * k}
	}
	return nil
}

// LeadTime is a lead time in days or weeks: "70d", "10w", or a range of
// them, "10w..16w" or "10w..12w..16w" (min..most likely..max).
type LeadTime struct {
	Days  int         // the point, or the range's most likely value
	Range *rice.Range // nil: a point
}

// UnmarshalNode implements NodeUnmarshaler.
func (l *LeadTime) UnmarshalNode(n *yaml.Node) error {
	bad := fmt.Errorf("%q is not a lead time; write days or weeks, e.g. 10w or 70d, or a range: 10w..16w", n.Value)
	parts := strings.Split(n.Value, "..")
	if len(parts) > 3 {
		return bad
	}
	var days []float64
	for _, s := range parts {
		var p Period
		if err := p.UnmarshalNode(&yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(s)}); err != nil || p.Months > 0 {
			return bad
		}
		days = append(days, float64(p.Days))
	}
	r, err := rangeOf(days)
	if err != nil {
		return fmt.Errorf("%q: %v", n.Value, err)
	}
	*l = LeadTime{Days: int(math.Round(r.Mode))}
	if !r.IsPoint() {
		l.Range = &r
	}
	return nil
}

// ComponentLead is the lead time of long-lead components, ordered the
// day the part is ready: a LeadTime that runs from the ready date, in
// parallel with the work, not after it.
type ComponentLead struct{ LeadTime }

// UnmarshalNode implements NodeUnmarshaler.
func (c *ComponentLead) UnmarshalNode(n *yaml.Node) error { return c.LeadTime.UnmarshalNode(n) }

// rangeOf makes a range of one, two or three values (min..max takes the
// midpoint as most likely).
func rangeOf(v []float64) (rice.Range, error) {
	var r rice.Range
	switch len(v) {
	case 1:
		r = rice.Point(v[0])
	case 2:
		r = rice.Range{Min: v[0], Mode: (v[0] + v[1]) / 2, Max: v[1]}
	case 3:
		r = rice.Range{Min: v[0], Mode: v[1], Max: v[2]}
	}
	return r, r.Validate()
}

// Estimate is a number or a range of numbers: 3, 2..4, 2..3..5 (min..most
// likely..max; the most likely is the midpoint when absent).
type Estimate struct {
	Value float64     // the point, or the range's most likely value
	Range *rice.Range // nil: a point
}

// UnmarshalNode implements NodeUnmarshaler.
func (e *Estimate) UnmarshalNode(n *yaml.Node) error {
	if n.Tag == "!!int" || n.Tag == "!!float" {
		v, err := ParseNumber(n)
		if err != nil {
			return err
		}
		if v < 0 {
			return fmt.Errorf("must be at least 0; got %s", n.Value)
		}
		*e = Estimate{Value: v}
		return nil
	}
	parts := strings.Split(n.Value, "..")
	if n.Tag != "!!str" || len(parts) < 2 || len(parts) > 3 {
		if numberWithUnitRE.MatchString(n.Value) {
			return &unitSlip{value: n.Value, also: ", or a range such as 2..4"}
		}
		return fmt.Errorf("expected a number, or a range such as 2..4 or 2..3..5, got %s", describe(n))
	}
	var v []float64
	for _, s := range parts {
		x, err := ParseNumber(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strings.TrimSpace(s)})
		if err != nil {
			return fmt.Errorf("%q is not a range of numbers; write e.g. 2..4 or 2..3..5", n.Value)
		}
		v = append(v, x)
	}
	r, err := rangeOf(v)
	if err != nil {
		return fmt.Errorf("%q: %v", n.Value, err)
	}
	*e = Estimate{Value: r.Mode}
	if !r.IsPoint() {
		e.Range = &r
	}
	return nil
}

// RoadmapSpec is the roadmap calendar in features.yaml.
type RoadmapSpec struct {
	Start    *Date      `yaml:"start" check:"required"`
	End      *Date      `yaml:"end" check:"required"`
	Hardware *TrackSpec `yaml:"hardware"`
	Firmware *TrackSpec `yaml:"firmware"`
	Cloud    *TrackSpec `yaml:"cloud"`
	Pos      Pos        `yaml:"-"`
}

// TrackSpec is one track's calendar: listed releases, or a cadence.
type TrackSpec struct {
	Releases       []ReleaseSpec `yaml:"releases"`
	Every          *Period       `yaml:"every"`
	Capacity       *float64      `yaml:"capacity" check:"gt=0"`
	HotfixEvery    *Period       `yaml:"hotfix_every"`
	HotfixCapacity *float64      `yaml:"hotfix_capacity" check:"gt=0"`
	Pos            Pos           `yaml:"-"`
}

// ReleaseSpec is a listed release, such as a hardware revision.
type ReleaseSpec struct {
	Name     string   `yaml:"name" check:"required"`
	Date     *Date    `yaml:"date" check:"required"`
	Capacity *float64 `yaml:"capacity" check:"required,gt=0"`
	Pos      Pos      `yaml:"-"`
}

// calendar checks the roadmap section and builds the calendar.
func (c *featureChecker) calendar(spec *RoadmapSpec) *roadmap.Calendar {
	if spec.Start == nil || spec.End == nil || spec.Start.Time.IsZero() || spec.End.Time.IsZero() {
		return nil // missing or not a date: reported by the decoder (a zero date would add its own, spurious, problem)
	}
	cal := &roadmap.Calendar{Start: spec.Start.Time, End: spec.End.Time, Tracks: map[rice.Track]roadmap.TrackCalendar{}}
	if !cal.End.After(cal.Start) {
		c.errorf(spec.Pos, "roadmap: end %s must be after start %s", cal.End.Format(time.DateOnly), cal.Start.Format(time.DateOnly))
		return nil
	}
	if cal.End.After(cal.Start.AddDate(MaxPlanYears, 0, 0)) {
		c.errorf(spec.Pos, "roadmap: the plan runs from %s to %s; a roadmap spans at most %d years", cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly), MaxPlanYears)
		return nil
	}
	for _, t := range []struct {
		track rice.Track
		spec  *TrackSpec
	}{{rice.Hardware, spec.Hardware}, {rice.Firmware, spec.Firmware}, {rice.Cloud, spec.Cloud}} {
		if t.spec != nil {
			// A declared track counts as present even when invalid, so
			// features on it get no "no calendar" follow-on error.
			cal.Tracks[t.track], _ = c.trackCalendar(t.track, t.spec, cal)
		}
	}
	return cal
}

// Bounds of a roadmap calendar: a plan is for years, not centuries, and a
// cadence makes a bounded number of releases.
const (
	MaxPlanYears        = 20
	MaxReleasesPerTrack = 10_000
)

// countReleases counts a cadence's releases, stopping past the bound.
func countReleases(every roadmap.Period, cal *roadmap.Calendar) int {
	if every.IsZero() {
		return 0
	}
	n := 0
	for k := 1; n <= MaxReleasesPerTrack && !every.AddTo(cal.Start, k).After(cal.End); k++ {
		n++
	}
	return n
}

func (c *featureChecker) trackCalendar(track rice.Track, ts *TrackSpec, cal *roadmap.Calendar) (roadmap.TrackCalendar, bool) {
	var tc roadmap.TrackCalendar
	ok := true
	switch {
	case len(ts.Releases) > 0 && ts.Every != nil:
		c.errorf(ts.Pos, "roadmap.%s: list releases or give every and capacity, not both", track)
		return tc, false
	case len(ts.Releases) == 0 && ts.Every == nil:
		c.errorf(ts.Pos, "roadmap.%s: needs releases, or every and capacity", track)
		return tc, false
	case ts.Every != nil && ts.Capacity == nil:
		c.errorf(ts.Pos, "roadmap.%s: every needs a capacity (engineering person-months per release)", track)
		ok = false
	case ts.Every == nil && ts.Capacity != nil:
		c.errorf(ts.Pos, "roadmap.%s: capacity goes with every; listed releases carry their own", track)
		ok = false
	}
	if ts.Every != nil && ts.Capacity != nil {
		tc.Cadence = &roadmap.Cadence{Every: roadmap.Period(*ts.Every), Capacity: *ts.Capacity}
		if n := countReleases(roadmap.Period(*ts.Every), cal); n > MaxReleasesPerTrack {
			c.errorf(ts.Pos, "roadmap.%s: every %s from %s to %s makes more than %d releases; plan with a longer period or a shorter horizon",
				track, roadmap.Period(*ts.Every), cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly), MaxReleasesPerTrack)
			tc.Cadence = nil
			ok = false
		}
	}
	if ts.HotfixEvery != nil || ts.HotfixCapacity != nil {
		switch {
		case track != rice.Firmware:
			c.errorf(ts.Pos, "roadmap.%s: hotfix windows are for the firmware track only", track)
			ok = false
		case ts.HotfixEvery == nil || ts.HotfixCapacity == nil:
			c.errorf(ts.Pos, "roadmap.firmware: hotfix_every and hotfix_capacity go together")
			ok = false
		case countReleases(roadmap.Period(*ts.HotfixEvery), cal) > MaxReleasesPerTrack:
			c.errorf(ts.Pos, "roadmap.firmware: hotfix_every %s makes more than %d hotfix windows; use a longer period", roadmap.Period(*ts.HotfixEvery), MaxReleasesPerTrack)
			ok = false
		default:
			tc.Hotfix = &roadmap.Cadence{Every: roadmap.Period(*ts.HotfixEvery), Capacity: *ts.HotfixCapacity}
		}
	}
	names := map[string]bool{}
	for _, rs := range ts.Releases {
		if rs.Date == nil || rs.Capacity == nil {
			ok = false
			continue // reported by the decoder
		}
		if names[rs.Name] {
			c.errorf(rs.Pos, "roadmap.%s: release name %q is used twice", track, rs.Name)
			ok = false
		}
		names[rs.Name] = true
		if rs.Date.Before(cal.Start) || rs.Date.After(cal.End) {
			c.errorf(rs.Pos, "roadmap.%s: release %q on %s is outside the plan (%s to %s)", track, rs.Name, rs.Date.Time.Format(time.DateOnly), cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly))
			ok = false
		}
		tc.Releases = append(tc.Releases, roadmap.Release{Track: track, Name: rs.Name, Date: rs.Date.Time, Capacity: *rs.Capacity})
	}
	return tc, ok
}

// checkRoadmapParts reports parts on tracks the calendar lacks and hotfix
// flags on features without a firmware part.
func (c *featureChecker) checkRoadmapParts(b *Backlog) {
	for _, f := range b.Features {
		pos := b.Positions[f.ID]
		hasFirmware := false
		for _, p := range f.Parts {
			if p.Track == rice.Firmware {
				hasFirmware = true
			}
			// an unknown track is already reported where it is written
			if b.Calendar != nil && slices.Contains(rice.Tracks, p.Track) {
				if _, ok := b.Calendar.Tracks[p.Track]; !ok {
					c.errorf(pos, "feature %q has a %s part, but the roadmap has no %s calendar", f.ID, p.Track, p.Track)
				}
			}
		}
		if f.Hotfix && !hasFirmware {
			c.errorf(pos, "feature %q: hotfix applies to firmware parts, and it has none", f.ID)
		}
	}
}
