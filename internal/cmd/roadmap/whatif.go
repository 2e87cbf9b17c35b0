package roadmap

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// whatIf applies --set-capacity and --without to a plan's input: a
// track's releases (TRACK=N: every release of the track, hotfix windows
// aside) or one release by name (NAME=N) get a new capacity, and the
// features named are left out. A feature another one depends on cannot be
// left out alone: that is refused, naming the dependents (leaving them
// waiting, or dropping the dependency, would each be a guess).
func whatIf(in roadmap.Input, capacities, without []string) (roadmap.Input, []string, error) {
	var changes []string
	out := in
	cal := in.Calendar
	cal.Tracks = map[rice.Track]roadmap.TrackCalendar{}
	for t, tc := range in.Calendar.Tracks {
		cal.Tracks[t] = tc
	}
	releases := cal.Releases()
	given := map[string]string{}
	for _, c := range capacities {
		key, val, ok := strings.Cut(c, "=")
		key = strings.TrimSpace(key)
		n, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if !ok || err != nil || n < 0 || n > 1e6 {
			return in, nil, failure.UsageErrorf("--set-capacity %q: write TRACK=N or RELEASE=N, N person-months ≥ 0 (firmware=4, \"Rev C\"=12)", c)
		}
		if prev, twice := given[key]; twice {
			// the later would win (a track, then one of its releases, is
			// fine: they are different keys)
			return in, nil, failure.UsageErrorf("--set-capacity names %s twice (%s, then %s): give one", key, prev, c)
		}
		given[key] = c
		if track := rice.Track(key); slices.Contains(rice.Tracks, track) {
			tc, has := cal.Tracks[track]
			if !has {
				return in, nil, failure.UsageErrorf("--set-capacity %s: the roadmap has no %s track", c, key)
			}
			tc.Releases = slices.Clone(tc.Releases)
			for i := range tc.Releases {
				tc.Releases[i].Capacity = n
			}
			if tc.Cadence != nil {
				cd := *tc.Cadence
				cd.Capacity = n
				tc.Cadence = &cd
			}
			cal.Tracks[track] = tc
			changes = append(changes, fmt.Sprintf("every %s release has %s person-months", key, render.Number(n, 2)))
			continue
		}
		i := slices.IndexFunc(releases, func(r roadmap.Release) bool { return r.Name == key && !r.Hotfix })
		if i < 0 {
			var names []string
			for _, r := range releases {
				if !r.Hotfix {
					names = append(names, r.Name)
				}
			}
			return in, nil, failure.UsageErrorf("--set-capacity %s: %q is no track (hardware, firmware, cloud) and no release of the roadmap%s", c, key, cmdutil.DidYouMean(key, names))
		}
		// the release's track, with its cadence's releases made explicit
		// so that one of them can be changed
		r := releases[i]
		tc := cal.Tracks[r.Track]
		var explicit []roadmap.Release
		for _, x := range releases {
			if x.Track == r.Track && !x.Hotfix {
				x.Track = ""
				if x.Name == key {
					x.Capacity = n
				}
				explicit = append(explicit, x)
			}
		}
		tc.Releases, tc.Cadence = explicit, nil
		cal.Tracks[r.Track] = tc
		releases = cal.Releases()
		changes = append(changes, fmt.Sprintf("%s has %s person-months", key, render.Number(n, 2)))
	}
	out.Calendar = cal
	if len(without) > 0 {
		ids := map[string]bool{}
		for _, f := range in.Ranked {
			ids[f.ID] = true
		}
		var all []string
		for id := range ids {
			all = append(all, id)
		}
		for _, w := range without {
			if !ids[w] {
				return in, nil, failure.UsageErrorf("--without %s: %s", w, cmdutil.UnknownName("feature", w, "the backlog", all))
			}
		}
		var kept []rice.Scored
		for _, f := range in.Ranked {
			if slices.Contains(without, f.ID) {
				continue
			}
			for _, d := range f.DependsOn {
				if slices.Contains(without, d) {
					return in, nil, failure.UsageErrorf("--without %s: %s depends on it; leave it out too (--without %s)", d, f.ID, f.ID)
				}
			}
			kept = append(kept, f)
		}
		out.Ranked = kept
		changes = append(changes, "without "+strings.Join(without, ", "))
	}
	return out, changes, nil
}

// WhatIfJSON is what a what-if changes in the plan.
type WhatIfJSON struct {
	Changes []string        `json:"what_if"`
	Parts   []PartMoveJSON  `json:"parts"`
	Themes  []ThemeMoveJSON `json:"themes"`
}

// PartMoveJSON is a part whose date the what-if changes ("" unscheduled).
type PartMoveJSON struct {
	Feature string  `json:"feature"`
	Track   string  `json:"track"`
	Before  string  `json:"before"`
	After   string  `json:"after"`
	Weeks   float64 `json:"weeks,omitempty"` // positive: later
}

// ThemeMoveJSON is a theme's completion before and after ("" unscheduled
// or at risk), with its simulated P90 and chance on time when simulated.
type ThemeMoveJSON struct {
	Theme        string   `json:"theme"`
	Before       string   `json:"before"`
	After        string   `json:"after"`
	P90Before    *string  `json:"p90_before,omitempty"`
	P90After     *string  `json:"p90_after,omitempty"`
	OnTimeBefore *float64 `json:"on_time_before,omitempty"`
	OnTimeAfter  *float64 `json:"on_time_after,omitempty"`
}

func whatIfJSON(changes []string, before, after roadmap.Plan, simBefore, simAfter *roadmap.Simulation) WhatIfJSON {
	doc := WhatIfJSON{Changes: changes, Parts: []PartMoveJSON{}, Themes: []ThemeMoveJSON{}}
	date := func(p roadmap.Plan) map[string]time.Time {
		m := map[string]time.Time{}
		for _, it := range p.Items {
			m[it.Feature+"/"+string(it.Track)] = it.ShipDate
		}
		return m
	}
	b, a := date(before), date(after)
	var keys []string
	for _, p := range [][]roadmap.Item{before.Items, after.Items} {
		for _, it := range p {
			k := it.Feature + "/" + string(it.Track)
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	fmtDate := func(t time.Time, ok bool) string {
		if !ok {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	for _, k := range keys {
		tb, okB := b[k]
		ta, okA := a[k]
		if okB == okA && tb.Equal(ta) {
			continue
		}
		f, t, _ := strings.Cut(k, "/")
		m := PartMoveJSON{Feature: f, Track: t, Before: fmtDate(tb, okB), After: fmtDate(ta, okA)}
		if okB && okA {
			m.Weeks = weeksBetween(tb, ta)
		}
		doc.Parts = append(doc.Parts, m)
	}
	sims := func(s *roadmap.Simulation, id string) (*string, *float64) {
		if s == nil {
			return nil, nil
		}
		for _, t := range s.Themes {
			if t.ID == id {
				return dateOrNil(t.P90), render.Finite(t.OnTime)
			}
		}
		return nil, nil
	}
	for i, tb := range before.Themes {
		ta := after.Themes[i]
		done := func(t roadmap.ThemeStatus) string {
			if t.AtRisk || t.Complete.IsZero() {
				return ""
			}
			return t.Complete.Format(time.DateOnly)
		}
		m := ThemeMoveJSON{Theme: tb.ID, Before: done(tb), After: done(ta)}
		m.P90Before, m.OnTimeBefore = sims(simBefore, tb.ID)
		m.P90After, m.OnTimeAfter = sims(simAfter, tb.ID)
		if m.Before == m.After && cmdutil.EqualPtr(m.P90Before, m.P90After) && cmdutil.EqualPtr(m.OnTimeBefore, m.OnTimeAfter) {
			continue
		}
		doc.Themes = append(doc.Themes, m)
	}
	return doc
}

// weeksBetween is b − a in weeks, to one decimal (as diff rounds it).
func weeksBetween(a, b time.Time) float64 { return math.Round(b.Sub(a).Hours()/24/7*10) / 10 }

func orUnscheduled(s string) string {
	if s == "" {
		return "unscheduled"
	}
	return s
}

func writeWhatIf(w io.Writer, format render.Format, doc WhatIfJSON, term render.Term) error {
	parts := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "TRACK"}, {Header: "TODAY"}, {Header: "WHAT IF"}, {Header: "WEEKS", Right: true}}}
	for _, p := range doc.Parts {
		wk := ""
		if p.Weeks != 0 {
			wk = strconv.FormatFloat(p.Weeks, 'f', -1, 64)
			if p.Weeks > 0 {
				wk = "+" + wk
			}
		}
		parts.Append(p.Feature, p.Track, orUnscheduled(p.Before), orUnscheduled(p.After), wk)
	}
	themes := &render.Table{Columns: []render.Column{{Header: "THEME"}, {Header: "TODAY"}, {Header: "WHAT IF"}, {Header: "P90", Hide: 1}, {Header: "ON TIME", Hide: 1}}}
	for _, t := range doc.Themes {
		p90, on := "-", "-"
		if t.P90Before != nil || t.P90After != nil {
			p90 = orNever(t.P90Before) + " → " + orNever(t.P90After)
		}
		if t.OnTimeBefore != nil && t.OnTimeAfter != nil {
			on = render.Percent(*t.OnTimeBefore, 1) + " → " + render.Percent(*t.OnTimeAfter, 1)
		}
		themes.Append(t.Theme, orUnscheduled(t.Before), orUnscheduled(t.After), p90, on)
	}
	if !slices.ContainsFunc(doc.Themes, func(t ThemeMoveJSON) bool { return t.OnTimeBefore != nil || t.P90Before != nil }) {
		themes.Columns = themes.Columns[:3] // not simulated
		for i := range themes.Rows {
			themes.Rows[i] = themes.Rows[i][:3]
		}
	}
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		return parts.CSV(w)
	}
	md := format == render.FormatMarkdown
	head := "What if " + strings.Join(doc.Changes, "; ")
	if md {
		fmt.Fprintf(w, "## %s\n", head)
	} else {
		io.WriteString(w, render.Wrap(strings.ToUpper(head[:1])+head[1:]+":", term.Width))
	}
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "\n### %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(title))
		return t.Text(w, term)
	}
	if len(doc.Parts) == 0 && len(doc.Themes) == 0 {
		_, err := fmt.Fprintln(w, "\nNo part's date and no theme changes.")
		return err
	}
	if len(doc.Parts) > 0 {
		if err := section(fmt.Sprintf("Parts that move (%d)", len(doc.Parts)), parts); err != nil {
			return err
		}
	}
	if len(doc.Themes) > 0 {
		return section("Themes", themes)
	}
	return nil
}
