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
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// JSON is the JSON/YAML contract of `iotpm roadmap`.
type JSON struct {
	Start       string            `json:"start"`
	End         string            `json:"end"`
	Releases    []releaseJSON     `json:"releases"`
	Items       []itemJSON        `json:"items"`
	Themes      []themeJSON       `json:"themes"`
	Unscheduled []unscheduledJSON `json:"unscheduled"`
	// Cash is the NRE (tooling and certification fees) by the quarter it
	// goes out (the day after a part's work is done) and in total.
	Cash cashJSON `json:"nre"`
}

type amountJSON struct {
	ToolingUSD       float64 `json:"tooling_usd"`
	CertificationUSD float64 `json:"certification_usd"`
	TotalUSD         float64 `json:"total_usd"`
}

func toAmountJSON(a roadmap.Amount) amountJSON {
	return amountJSON{ToolingUSD: a.ToolingUSD, CertificationUSD: a.CertificationUSD, TotalUSD: a.USD()}
}

type quarterJSON struct {
	Quarter string `json:"quarter"`
	amountJSON
}

type cashJSON struct {
	Quarters []quarterJSON `json:"quarters"`
	Total    amountJSON    `json:"total"`
}

type releaseJSON struct {
	Track     string   `json:"track"`
	Name      string   `json:"name"`
	Date      string   `json:"date"`
	Hotfix    bool     `json:"hotfix"`
	Capacity  float64  `json:"capacity"`
	Allocated float64  `json:"allocated"`
	Items     []string `json:"items"`
	// NREUSD is the tooling and certification cash of the parts shipping
	// with the release.
	NREUSD float64 `json:"nre_usd"`
	// Battery is, when the release changes a device's energy, the device
	// it changes with the shortest battery life after it (not the
	// fleet's shortest life: a device the release leaves alone may last
	// less).
	Battery *releaseBatteryJSON `json:"battery,omitempty"`
}

type releaseBatteryJSON struct {
	Device    string  `json:"worst_device"`
	LifeYears float64 `json:"life_years"`
	// BeforeYears is the device's life before the release.
	BeforeYears float64 `json:"before_years"`
	// LimitedBy: capacity, or shelf_life when the cell's shelf life caps
	// the life after the release.
	LimitedBy string `json:"limited_by"`
	// CapacityLifeYears and CapacityBeforeYears are the lives after and
	// before the release by capacity alone, before the shelf-life cap:
	// the release's energy cost where the cap holds both lives.
	CapacityLifeYears   render.Float `json:"capacity_life_years"`
	CapacityBeforeYears render.Float `json:"capacity_before_years"`
}

type itemJSON struct {
	Feature      string           `json:"feature"`
	Title        string           `json:"title"`
	Track        string           `json:"track"`
	Release      string           `json:"release"`
	ShipDate     string           `json:"ship_date"`
	ReadyDate    string           `json:"ready_date"`
	LeadTimeDays int              `json:"lead_time_days"`
	Effort       float64          `json:"effort"`
	Allocations  []allocationJSON `json:"allocations"`
	// WorkDone is the day its work is done, its lead time running from
	// the day after ("" without effort)
	WorkDone string `json:"work_done"`
	// ComponentLeadDays: its long-lead components arrive this many days
	// after its ready date; it ships no earlier (0: none)
	ComponentLeadDays int `json:"component_lead_days,omitempty"`
}

type allocationJSON struct {
	Release string  `json:"release"`
	Date    string  `json:"date"`
	Effort  float64 `json:"effort"`
}

type themeJSON struct {
	ID           string  `json:"id"`
	Outcome      string  `json:"outcome"`
	CompleteDate *string `json:"complete_date"`
	AtRisk       bool    `json:"at_risk"`
	DueDate      *string `json:"due_date"`
	Late         bool    `json:"late"`
	// OnTimeChance is, when the plan's dates rest on ranges, the share of
	// 2,000 samples of them (seed 1) that complete the theme by its due
	// date; null without a due date or a range.
	OnTimeChance *float64 `json:"on_time_chance"`
	// LikelyLate is true when the plan completes the theme on time but
	// fewer than half the samples do.
	LikelyLate bool     `json:"likely_late"`
	Features   []string `json:"features"`
}

type unscheduledJSON struct {
	Feature string `json:"feature"`
	Title   string `json:"title"`
	Track   string `json:"track"`
	Reason  string `json:"reason"`
	// ReasonKind is the reason as a stable key for scripts:
	// lead_time_past_end, no_release, no_capacity, dependency_unscheduled,
	// earlier_part_unscheduled.
	ReasonKind string `json:"reason_kind"`
}

func toRoadmapJSON(v planView, cal *roadmap.Calendar) JSON {
	doc := JSON{Start: cal.Start.Format(time.DateOnly), End: cal.End.Format(time.DateOnly), Releases: []releaseJSON{}, Items: []itemJSON{}, Themes: []themeJSON{}, Unscheduled: []unscheduledJSON{}}
	for _, r := range v.plan.Releases {
		if !slices.Contains(v.tracks, r.Track) {
			continue
		}
		items := slices.DeleteFunc(slices.Clone(r.Items), func(f string) bool { return !v.keep(f, r.Track) })
		doc.Releases = append(doc.Releases, releaseJSON{Track: string(r.Track), Name: r.Name, Date: r.Date.Format(time.DateOnly), Hotfix: r.Hotfix,
			Capacity: r.Capacity, Allocated: r.Allocated, Items: render.OrEmpty(items), NREUSD: v.releaseCash(r).USD()})
		if b, ok := v.battery[r.Date.Format(time.DateOnly)+" "+r.Name]; ok {
			doc.Releases[len(doc.Releases)-1].Battery = &releaseBatteryJSON{Device: b.Device, LifeYears: b.Years, BeforeYears: b.Before, LimitedBy: b.LimitedBy,
				CapacityLifeYears: render.Float(b.CapacityYears), CapacityBeforeYears: render.Float(b.CapacityBefore)}
		}
	}
	doc.Cash = cashJSON{Quarters: []quarterJSON{}, Total: toAmountJSON(v.cash.Total)}
	for _, q := range v.cash.Quarters {
		doc.Cash.Quarters = append(doc.Cash.Quarters, quarterJSON{Quarter: q.Quarter, amountJSON: toAmountJSON(q.Amount)})
	}
	for _, it := range v.items() {
		j := itemJSON{Feature: it.Feature, Title: it.Title, Track: string(it.Track), Release: it.Release, ShipDate: it.ShipDate.Format(time.DateOnly),
			ReadyDate: it.ReadyDate.Format(time.DateOnly), LeadTimeDays: it.LeadDays, Effort: it.Effort, Allocations: []allocationJSON{}, ComponentLeadDays: it.ComponentLeadDays}
		for _, a := range it.Allocations {
			j.Allocations = append(j.Allocations, allocationJSON{Release: a.Release, Date: a.Date.Format(time.DateOnly), Effort: a.Amount})
		}
		if !it.WorkDone.IsZero() {
			j.WorkDone = it.WorkDone.Format(time.DateOnly)
		}
		doc.Items = append(doc.Items, j)
	}
	for _, t := range v.themes() {
		j := themeJSON{ID: t.ID, Outcome: t.Outcome, AtRisk: t.AtRisk, Features: render.OrEmpty(t.Features)}
		if !t.Complete.IsZero() {
			d := t.Complete.Format(time.DateOnly)
			j.CompleteDate = &d
		}
		if !t.Due.IsZero() {
			d := t.Due.Format(time.DateOnly)
			j.DueDate, j.Late = &d, t.Late
		}
		if o, ok := v.onTime(t); ok {
			j.OnTimeChance, j.LikelyLate = &o.OnTime, roadmap.LikelyLate(t, o)
		}
		doc.Themes = append(doc.Themes, j)
	}
	for _, u := range v.unscheduled() {
		doc.Unscheduled = append(doc.Unscheduled, unscheduledJSON{Feature: u.Feature, Title: u.Title, Track: string(u.Track), Reason: u.Why.String(), ReasonKind: string(u.Why.Kind)})
	}
	return doc
}

func trackTitle(t rice.Track) string {
	switch t {
	case rice.Hardware:
		return "Hardware"
	case rice.Firmware:
		return "Firmware"
	}
	return "Cloud"
}

// releaseCash is the NRE booked with a release.
func (v planView) releaseCash(r roadmap.ReleasePlan) roadmap.Amount {
	for _, c := range v.cash.Releases {
		if c.Track == r.Track && c.Release == r.Name {
			return c.Amount
		}
	}
	return roadmap.Amount{}
}

func releasesTable(rs []roadmap.ReleasePlan, v planView) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "RELEASE"}, {Header: "DATE"}, {Header: "USED / CAPACITY (PERSON-MO)", Right: true}, {Header: "NRE", Right: true, Hide: 2}, {Header: "SHIPS", Wrap: true}}}
	workFor := v.workFor()
	for _, r := range rs {
		ships := strings.Join(r.Items, ", ")
		if ships == "" && r.Allocated > 0 {
			// capacity used by parts that ship later: say whose
			ships = "(work for " + strings.Join(workFor[string(r.Track)+" "+r.Date.Format(time.DateOnly)+" "+r.Name], ", ") + ")"
		}
		t.Append(r.Name, r.Date.Format(time.DateOnly), render.Number(r.Allocated, 2)+" / "+render.Number(r.Capacity, 2), render.USD(v.releaseCash(r).USD()), ships)
	}
	if slices.ContainsFunc(rs, func(r roadmap.ReleasePlan) bool {
		_, ok := v.battery[r.Date.Format(time.DateOnly)+" "+r.Name]
		return ok
	}) {
		// of the devices the release changes, the shortest-lived after it
		t.Columns = append(t.Columns, render.Column{Header: "BATTERY IT CHANGES (SHORTEST)", Hide: 1, Wrap: true})
		for i, r := range rs {
			cell := ""
			if b, ok := v.battery[r.Date.Format(time.DateOnly)+" "+r.Name]; ok {
				cell = fmt.Sprintf("%s %s → %s y", b.Device, render.Number(b.Before, 2), render.Number(b.Years, 2))
				if b.LimitedBy == "shelf_life" {
					// the cap hides the release's energy cost: a release
					// that drains more would read "20 → 20 y", as if free
					cell += " (shelf life; " + capacityLives(b) + " by capacity)"
				}
			}
			t.Rows[i] = append(t.Rows[i], cell)
		}
	}
	t.Tone = func(row, col int) render.Tone {
		if col == 2 && rs[row].Allocated >= rs[row].Capacity-1e-9 {
			return render.Muted
		}
		return render.Plain
	}
	return t
}

// capacityLives writes a release's life after it by capacity alone
// ("29.28 y"; "unbounded" where nothing drains the cell), from its life
// before by capacity where the cap held that one too ("29.28 → 22.34 y").
func capacityLives(b planning.ReleaseLife) string {
	y := func(v float64) string {
		if math.IsInf(v, 1) {
			return "unbounded"
		}
		return render.Number(v, 2)
	}
	if b.CapacityBefore == b.Before {
		return y(b.CapacityYears) + " y"
	}
	return y(b.CapacityBefore) + " → " + y(b.CapacityYears) + " y"
}

func themesTable(ts []roadmap.ThemeStatus, v planView) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "THEME"}, {Header: "OUTCOME", Hide: 3}, {Header: "COMPLETE", Hide: 1}, {Header: "DUE"}, {Header: "STATUS"}, {Header: "FEATURES", Hide: 2}}}
	if v.sim != nil {
		t.Columns = slices.Insert(t.Columns, 5, render.Column{Header: "ON TIME", Right: true})
	}
	for _, th := range ts {
		complete, due, st := "-", "-", "on track"
		switch {
		case th.AtRisk:
			// the latest scheduled part's date is not a completion: a
			// part never ships (JSON keeps it as complete_date, at_risk)
			complete = "unscheduled"
		case !th.Complete.IsZero():
			complete = th.Complete.Format(time.DateOnly)
		}
		if !th.Due.IsZero() {
			due = th.Due.Format(time.DateOnly)
		}
		switch {
		case th.AtRisk && th.Late:
			st = "AT RISK, LATE"
		case th.AtRisk:
			st = "AT RISK"
		case th.Late:
			st = "LATE"
		case v.sim != nil && v.sim.LikelyLate(th):
			st = "LIKELY LATE"
		}
		if len(th.Features) == 0 {
			st = "no features"
		}
		row := []string{th.ID, th.Outcome, complete, due, st, strings.Join(th.Features, ", ")}
		if v.sim != nil {
			chance := "-"
			if o, ok := v.onTime(th); ok {
				chance = render.Percent(o.OnTime, 1)
			}
			row = slices.Insert(row, 5, chance)
		}
		t.Append(row...)
	}
	t.Tone = func(row, col int) render.Tone {
		if col == 4 && (ts[row].AtRisk || ts[row].Late || v.sim != nil && v.sim.LikelyLate(ts[row])) {
			return render.Bad
		}
		return render.Plain
	}
	return t
}

// onTime is theme t's simulated outcome when the view has a simulation
// and t a due date.
func (v planView) onTime(t roadmap.ThemeStatus) (roadmap.ThemeOutcome, bool) {
	if v.sim == nil || t.Due.IsZero() {
		return roadmap.ThemeOutcome{}, false
	}
	return v.sim.Theme(t.ID)
}

func unscheduledTable(us []roadmap.Unscheduled) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "TRACK"}, {Header: "REASON", Wrap: true}}}
	for _, u := range us {
		t.Append(u.Feature, string(u.Track), u.Why.String())
	}
	return t
}

func writeRoadmap(w io.Writer, format render.Format, v planView, cal *roadmap.Calendar, term render.Term) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, toRoadmapJSON(v, cal))
	case render.FormatCSV:
		return roadmapCSV(v).CSV(w)
	case cmdutil.FormatMermaid:
		_, err := io.WriteString(w, mermaidGantt(v, cal))
		return err
	}
	md := format == render.FormatMarkdown
	heading := func(level int, s string) {
		if md {
			fmt.Fprintf(w, "%s %s\n\n", strings.Repeat("#", level), s)
		} else {
			fmt.Fprintf(w, "%s\n", strings.ToUpper(s))
		}
	}
	table := func(t *render.Table) error {
		var err error
		if md {
			err = t.Markdown(w)
		} else {
			err = t.Text(w, term)
		}
		fmt.Fprintln(w)
		return err
	}
	if md {
		heading(2, fmt.Sprintf("Roadmap %s to %s", cal.Start.Format(time.DateOnly), cal.End.Format(time.DateOnly)))
		fmt.Fprintf(w, "```mermaid\n%s```\n\n", mermaidGantt(v, cal))
	}
	shown := v.releasesShown()
	for _, track := range v.tracks {
		var rs []roadmap.ReleasePlan
		for _, r := range shown {
			if r.Track == track {
				rs = append(rs, r)
			}
		}
		heading(3, trackTitle(track))
		if len(rs) == 0 {
			fmt.Fprintf(w, "Nothing planned.\n\n")
			continue
		}
		if err := table(releasesTable(rs, v)); err != nil {
			return err
		}
		if n := v.hiddenReleases(track, len(rs)); n > 0 {
			fmt.Fprintf(w, "%s\n", render.Wrap(fmt.Sprintf("%d more %s releases have no work planned (iotpm roadmap --capacity lists every release).", n, track), term.Width))
		}
	}
	if ts := v.themes(); len(ts) > 0 {
		heading(3, "Themes")
		if err := table(themesTable(ts, v)); err != nil {
			return err
		}
		if v.sim != nil {
			fmt.Fprintf(w, "%s\n", render.Wrap(fmt.Sprintf("The dates take the most likely value of each of the plan's %s; ON TIME is the share of %s samples of them (seed %d) that complete the theme by its due date, and a theme on time in the plan but late in more samples than not is LIKELY LATE. iotpm roadmap --simulate gives each part's P50 and P90.",
				render.Plural(v.sim.Ranges, "range"), render.Number(float64(v.sim.Samples), 0), v.sim.Seed), term.Width))
		}
	}
	if len(v.cash.Quarters) > 0 {
		heading(3, "NRE cash by quarter")
		t := &render.Table{Columns: []render.Column{{Header: "QUARTER"}, {Header: "TOOLING", Right: true}, {Header: "CERTIFICATION", Right: true}, {Header: "TOTAL", Right: true}}}
		for _, q := range v.cash.Quarters {
			t.Append(q.Quarter, render.USD(q.ToolingUSD), render.USD(q.CertificationUSD), render.USD(q.USD()))
		}
		t.Append("total", render.USD(v.cash.Total.ToolingUSD), render.USD(v.cash.Total.CertificationUSD), render.USD(v.cash.Total.USD()))
		if err := table(t); err != nil {
			return err
		}
	}
	heading(3, "Unscheduled")
	if us := v.unscheduled(); len(us) > 0 {
		return table(unscheduledTable(us))
	}
	_, err := fmt.Fprintf(w, "Everything fits by %s.\n", cal.End.Format(time.DateOnly))
	return err
}

func roadmapCSV(v planView) *render.Table {
	t := &render.Table{}
	for _, h := range []string{"feature", "title", "track", "status", "release", "ship_date", "ready_date", "lead_time_days", "effort", "work_done", "reason"} {
		t.Columns = append(t.Columns, render.Column{Header: h})
	}
	for _, it := range v.items() {
		done := ""
		if !it.WorkDone.IsZero() {
			done = it.WorkDone.Format(time.DateOnly)
		}
		t.Append(it.Feature, it.Title, string(it.Track), "scheduled", it.Release, it.ShipDate.Format(time.DateOnly), it.ReadyDate.Format(time.DateOnly),
			strconv.Itoa(it.LeadDays), render.Exact(it.Effort), done, "")
	}
	for _, u := range v.unscheduled() {
		t.Append(u.Feature, u.Title, string(u.Track), "unscheduled", "", "", "", "", "", "", u.Why.String())
	}
	return t
}

func writeExplain(w io.Writer, format render.Format, f rice.Scored, plan roadmap.Plan) error {
	position := slices.Index(plan.Order, f.ID) + 1
	type partJSON struct {
		Track string   `json:"track"`
		Lines []string `json:"lines"`
	}
	doc := struct {
		Feature  string     `json:"feature"`
		Rank     int        `json:"rank"`
		Kano     string     `json:"kano"`
		Position int        `json:"position"`
		Order    string     `json:"order"`
		Parts    []partJSON `json:"parts"`
	}{Feature: f.ID, Rank: f.Rank, Kano: string(f.Kano), Position: position, Parts: []partJSON{}}
	why := fmt.Sprintf("placed %d of %d: ", position, len(plan.Order))
	switch {
	case f.Kano == rice.Basic:
		why += "Kano basic features go first, then by RICE rank"
	default:
		why += "after the Kano basic features, by RICE rank"
	}
	if len(f.DependsOn) > 0 {
		why += fmt.Sprintf("; its dependencies (%s) are placed just before it", strings.Join(f.DependsOn, ", "))
	}
	doc.Order = why
	for _, ex := range plan.Explain {
		if ex.Feature == f.ID {
			lines := make([]string, len(ex.Steps))
			for i, st := range ex.Steps {
				lines[i] = st.String()
			}
			doc.Parts = append(doc.Parts, partJSON{Track: string(ex.Track), Lines: lines})
		}
	}
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, doc)
	}
	kano := string(f.Kano)
	if kano == "" {
		kano = "no Kano class"
	}
	if format == render.FormatMarkdown {
		fmt.Fprintf(w, "## %s — %s\n\nRICE rank %d, %s; %s.\n", f.ID, render.MarkdownEscape(f.Title), f.Rank, kano, why)
		for _, p := range doc.Parts {
			fmt.Fprintf(w, "\n### %s part\n\n", p.Track)
			for _, l := range p.Lines {
				fmt.Fprintf(w, "- %s\n", render.MarkdownEscape(l))
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%s — %s (RICE rank %d, %s)\n", f.ID, f.Title, f.Rank, kano)
	fmt.Fprintf(w, "  %s\n", why)
	for _, p := range doc.Parts {
		fmt.Fprintf(w, "  %s part:\n", p.Track)
		for _, l := range p.Lines {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	return nil
}
