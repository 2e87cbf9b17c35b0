package diff

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/termsafe"
)

// Marker finds the diff's pull-request comment to update it in place.
const Marker = "<!-- iotpm-diff -->"

// summary is the one paragraph a reviewer reads first.
func (d *Diff) summary() string {
	warned := ""
	if n := len(d.NewWarnings); n > 0 {
		warned = " " + plural(n, "new warning", "new warnings") + ": see below."
	}
	if d.Unchanged {
		return "No change to ranks, dates, battery life, cash, unit economics or gates." + warned
	}
	if d.BaseProblems > 0 {
		failing := 0
		for _, g := range d.Gates {
			if g.After == "FAIL" {
				failing++
			}
		}
		return fmt.Sprintf("The base does not load (%s in its planning files, shown as warnings), so nothing is compared: this change makes the planning repo load; %s of its %s gates fail.",
			plural(d.BaseProblems, "error", "errors"), strconv.Itoa(failing), strconv.Itoa(len(d.Gates))) + warned
	}
	var parts []string
	if d.Window != nil {
		// first: every metric figure after it is of another window
		parts = append(parts, fmt.Sprintf("metrics window %s → %s", d.Window.Before, d.Window.After))
	}
	if len(d.Inputs) > 0 {
		var in []string
		for _, c := range d.Inputs {
			in = append(in, c.Input+" ("+strings.Join(c.Settings, ", ")+")")
		}
		parts = append(parts, "metrics inputs changed in iotpm.yaml: "+strings.Join(in, ", "))
	}
	if len(d.Settings) > 0 {
		parts = append(parts, "settings changed in iotpm.yaml: "+strings.Join(d.Settings, ", "))
	}
	if n := len(d.Ranks); n > 0 {
		parts = append(parts, plural(n, "feature changes", "features change")+" rank or score")
	}
	count := func(kind string) (int, float64) {
		n, most := 0, 0.0
		for _, p := range d.Parts {
			if p.Kind == kind {
				n++
				most = math.Max(most, math.Abs(p.Weeks))
			}
		}
		return n, most
	}
	if n, most := count("slip"); n > 0 {
		parts = append(parts, fmt.Sprintf("%s (max +%s w)", plural(n, "part slips", "parts slip"), fmtWeeks(most)))
	}
	if n, most := count("pull-in"); n > 0 {
		parts = append(parts, fmt.Sprintf("%s in (max −%s w)", plural(n, "part pulls", "parts pull"), fmtWeeks(most)))
	}
	if n, _ := count("unscheduled"); n > 0 {
		parts = append(parts, plural(n, "part", "parts")+" newly unscheduled")
	}
	if n, _ := count("scheduled"); n > 0 {
		parts = append(parts, plural(n, "part", "parts")+" newly scheduled")
	}
	for _, t := range d.Themes {
		s := fmt.Sprintf("theme %s completes %s", t.Theme, cmp.Or(t.After, "never (unscheduled)"))
		if t.Weeks != 0 {
			s += fmt.Sprintf(", %s w", signed(t.Weeks))
		}
		switch {
		case t.AtRisk:
			s = fmt.Sprintf("theme %s is at risk (a part of its features is unscheduled)", t.Theme)
			if t.Due != "" {
				s += ", due " + t.Due
			}
		case t.LateAfter && t.Due != "":
			s += ", after its due date " + t.Due
		case t.LateBefore && !t.LateAfter:
			s += ", on time again"
		case t.LikelyLateAfter && !t.LikelyLateBefore:
			s += ", now likely late"
		case t.LikelyLateBefore && !t.LikelyLateAfter:
			s += ", no longer likely late"
		}
		if t.P90Before != nil && t.P90After != nil && *t.P90Before != *t.P90After {
			s += fmt.Sprintf(", P90 %s → %s", *t.P90Before, *t.P90After)
		}
		if t.OnTimeBefore != nil && t.OnTimeAfter != nil && *t.OnTimeBefore != *t.OnTimeAfter {
			s += fmt.Sprintf(" (on time %s → %s)", render.Percent(*t.OnTimeBefore, 1), render.Percent(*t.OnTimeAfter, 1))
		}
		parts = append(parts, s)
	}
	for _, b := range d.Battery {
		parts = append(parts, b.summary())
	}
	for _, q := range d.Cash.Quarters {
		parts = append(parts, fmt.Sprintf("NRE %s in %s", signedUSD(q.After-q.Before), q.Key))
	}
	if len(d.Cash.Quarters) == 0 && d.Cash.TotalAfter != d.Cash.TotalBefore {
		parts = append(parts, "NRE "+signedUSD(d.Cash.TotalAfter-d.Cash.TotalBefore))
	}
	// NRE/unit is the NRE over every model's units: one figure, which
	// moves every model's LTV alike; said once, before the models
	for _, e := range d.Economics {
		if !e.Added && !e.Removed && !same(e.NREPerUnitBefore, e.NREPerUnitAfter) {
			parts = append(parts, fmt.Sprintf("NRE/unit %s → %s", render.MoneyFine(e.NREPerUnitBefore, e.Currency), render.MoneyFine(e.NREPerUnitAfter, e.Currency)))
			break
		}
	}
	for _, e := range d.Economics {
		parts = append(parts, e.summary())
	}
	if g := gatesSummary(d.Gates); g != "" {
		parts = append(parts, "gates: "+g)
	}
	if len(parts) == 0 {
		return "Only release capacity use changes." + warned
	}
	s := strings.Join(parts, "; ") + "."
	// a sentence's first word is capitalised, unless it is an id (a
	// device or model: drip-lora stays drip-lora, as it is grepped for)
	if strings.HasPrefix(s, "theme ") || strings.HasPrefix(s, "gates:") || strings.HasPrefix(s, "metrics ") || strings.HasPrefix(s, "settings ") {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s + warned
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func signed(w float64) string {
	if w > 0 {
		return "+" + fmtWeeks(w)
	}
	return "−" + fmtWeeks(w)
}

func signedUSD(x float64) string {
	if x < 0 {
		return "−$" + render.Number(-x, 0)
	}
	return "+$" + render.Number(x, 0)
}

func years(y *float64) string {
	if y == nil {
		return "none"
	}
	if math.IsInf(*y, 1) {
		return "∞"
	}
	return render.Number(*y, 1) + " y"
}

// tables are the sections of a diff as tables, with their titles; only
// the sections that changed.
func (d *Diff) tables(exact bool) (titles []string, tables []*render.Table) {
	add := func(title string, t *render.Table) {
		if len(t.Rows) > 0 {
			titles, tables = append(titles, fmt.Sprintf("%s: %s", title, plural(len(t.Rows), "change", "changes"))), append(tables, t)
		}
	}
	num := func(x float64, decimals int) string {
		if exact {
			return render.Exact(x)
		}
		return render.Number(x, decimals)
	}
	t := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "CHANGE"}, {Header: "RANK"}, {Header: "SCORE"}}}
	for _, r := range d.Ranks {
		rank := fmt.Sprintf("%s → %s", orDash(r.RankBefore), orDash(r.RankAfter))
		t.Append(r.Feature, r.Kind, rank, num(r.ScoreFrom, 1)+" → "+num(r.ScoreTo, 1))
	}
	add("RICE ranks", t)
	t = &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "TRACK"}, {Header: "CHANGE"}, {Header: "BEFORE"}, {Header: "AFTER"}, {Header: "WEEKS", Right: true}, {Header: "REASON", Wrap: true}}}
	for _, p := range d.Parts {
		w := ""
		if p.Weeks != 0 {
			w = signed(p.Weeks)
		}
		t.Append(p.Feature, p.Track, p.Kind, release(p.ReleaseBefore, p.DateBefore), release(p.ReleaseAfter, p.DateAfter), w, p.Reason)
	}
	add("Roadmap parts", t)
	t = &render.Table{Columns: []render.Column{{Header: "THEME"}, {Header: "COMPLETES"}, {Header: "WEEKS", Right: true}, {Header: "DUE"}, {Header: "LATE"},
		{Header: "P90", Hide: 1}, {Header: "ON TIME", Hide: 1}}}
	simulated := false
	for _, th := range d.Themes {
		w := ""
		if th.Weeks != 0 {
			w = signed(th.Weeks)
		}
		p90, on := "-", "-"
		if th.P90Before != nil || th.P90After != nil {
			p90, simulated = cmp.Or(deref(th.P90Before), "-")+" → "+cmp.Or(deref(th.P90After), "-"), true
		}
		if th.OnTimeBefore != nil && th.OnTimeAfter != nil {
			on = render.Percent(*th.OnTimeBefore, 1) + " → " + render.Percent(*th.OnTimeAfter, 1)
		}
		t.Append(th.Theme, cmp.Or(th.Before, "-")+" → "+cmp.Or(th.After, "-"), w, cmp.Or(th.Due, "-"), fmt.Sprintf("%s → %s", lateText(th.LateBefore, th.LikelyLateBefore), lateText(th.LateAfter, th.LikelyLateAfter)), p90, on)
	}
	if !simulated {
		t.Columns = t.Columns[:5]
		for i := range t.Rows {
			t.Rows[i] = t.Rows[i][:5]
		}
	}
	add("Themes", t)
	t = &render.Table{Columns: []render.Column{{Header: "RELEASE"}, {Header: "TRACK"}, {Header: "DATE"}, {Header: "USED", Right: true}}}
	for _, c := range d.Capacity {
		t.Append(c.Release, c.Track, c.Date, num(c.Before, 2)+" → "+num(c.After, 2)+" of "+num(c.Capacity, 2))
	}
	add("Release capacity", t)
	t = &render.Table{Columns: []render.Column{{Header: "DEVICE"}, {Header: "LIFE TODAY"}, {Header: "WITH THE PLAN"}, {Header: "EVENTS CHANGED"}}}
	for _, b := range d.Battery {
		t.Append(b.Device, years(b.YearsBefore)+" → "+years(b.YearsAfter), years(b.WithPlanBefore)+" → "+years(b.WithPlanAfter), strings.Join(b.Events, ", "))
	}
	add("Battery life", t)
	t = &render.Table{Columns: []render.Column{{Header: "NRE"}, {Header: "BEFORE", Right: true}, {Header: "AFTER", Right: true}, {Header: "CHANGE", Right: true}, {Header: "PARTS", Hide: 1}}}
	for _, group := range []struct {
		prefix string
		rows   []CashChange
	}{{"feature ", d.Cash.Features}, {"release ", d.Cash.Releases}, {"quarter ", d.Cash.Quarters}} {
		for _, c := range group.rows {
			// what the amount is made of: after the change, or before it
			// when the change removes it
			tooling, cert := c.ToolingAfter, c.CertificationAfter
			if c.After == 0 {
				tooling, cert = c.ToolingBefore, c.CertificationBefore
			}
			parts := []string{}
			if tooling != 0 {
				parts = append(parts, "tooling "+render.USD(tooling))
			}
			if cert != 0 {
				parts = append(parts, "certification fees "+render.USD(cert))
			}
			t.Append(group.prefix+c.Key, render.USD(c.Before), render.USD(c.After), signedUSD(c.After-c.Before), strings.Join(parts, " + "))
		}
	}
	add("NRE cash", t)
	t = &render.Table{Columns: []render.Column{{Header: "MODEL"}, {Header: "RECURRING / DEVICE-MO"}, {Header: "NRE / UNIT"}, {Header: "LTV"}, {Header: "PAYBACK"}}}
	for _, e := range d.Economics {
		t.Append(e.Model, e.sides(render.MoneyFine(e.RecurringBefore, e.Currency), render.MoneyFine(e.RecurringAfter, e.Currency)),
			e.sides(render.MoneyFine(e.NREPerUnitBefore, e.Currency), render.MoneyFine(e.NREPerUnitAfter, e.Currency)),
			e.sides(render.Money(e.LTVBefore, e.Currency), render.Money(e.LTVAfter, e.Currency)), e.sides(paybackText(e.PaybackBefore), paybackText(e.PaybackAfter)))
	}
	add("Unit economics", t)
	t = &render.Table{Columns: []render.Column{{Header: "GATE"}, {Header: "VALUE"}, {Header: "THRESHOLD", Wrap: true}, {Header: "STATUS"}}}
	for _, g := range d.Gates {
		t.Append(g.Gate, gateSides(g.TextBefore, g.TextAfter, g.Before, g.After), gateSides(g.ThresholdBefore, g.ThresholdAfter, g.Before, g.After),
			gateSides(g.Before, g.After, g.Before, g.After))
	}
	add("Gates", t)
	t = &render.Table{Columns: []render.Column{{Header: "WARNING", Wrap: true}}}
	for _, line := range d.ChangedWarnings {
		t.Append(line)
	}
	add("Warnings the base gave too, with other figures", t)
	return titles, tables
}

func orDash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func release(name, date string) string {
	if name == "" {
		return "-"
	}
	return name + " " + date
}

// lateText is a theme's LATE cell: yes, likely (on time in the plan,
// late in most samples of its ranges) or no.
func lateText(late, likely bool) string {
	switch {
	case late:
		return "yes"
	case likely:
		return "likely"
	}
	return "no"
}

func writeDiff(w *bytes.Buffer, format render.Format, d *Diff, term render.Term, maxChars int) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, d)
	case render.FormatCSV:
		return diffCSV(d).CSV(w)
	}
	titles, tables := d.tables(false)
	if format == render.FormatMarkdown {
		return writeComment(w, d, titles, tables, maxChars)
	}
	fmt.Fprintf(w, "Against %s: %s\n", d.Base, d.Summary)
	if len(d.NewWarnings) > 0 {
		fmt.Fprintf(w, "\nNEW WARNINGS\n")
		for _, line := range d.NewWarnings {
			fmt.Fprintf(w, "%s\n", termsafe.String(line))
		}
	}
	for i, t := range tables {
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(titles[i]))
		if err := t.Text(w, term); err != nil {
			return err
		}
	}
	return nil
}

// diffCSV is every change as one row: section, key, before, after, detail.
func diffCSV(d *Diff) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "section"}, {Header: "key"}, {Header: "change"}, {Header: "before"}, {Header: "after"}, {Header: "detail"}}}
	for _, r := range d.Ranks {
		t.Append("rice", r.Feature, r.Kind, strconv.Itoa(r.RankBefore), strconv.Itoa(r.RankAfter), "")
	}
	for _, p := range d.Parts {
		t.Append("roadmap", p.Feature+"/"+p.Track, p.Kind, p.DateBefore, p.DateAfter, p.Reason)
	}
	for _, th := range d.Themes {
		t.Append("theme", th.Theme, "complete", th.Before, th.After, "due "+th.Due)
	}
	for _, c := range d.Capacity {
		t.Append("capacity", c.Track+"/"+c.Release, "allocated", render.Exact(c.Before), render.Exact(c.After), "")
	}
	for _, b := range d.Battery {
		bf, af := "", ""
		if b.YearsBefore != nil {
			bf = render.Exact(*b.YearsBefore)
		}
		if b.YearsAfter != nil {
			af = render.Exact(*b.YearsAfter)
		}
		t.Append("battery", b.Device, "life_years", bf, af, strings.Join(b.Events, " "))
	}
	for _, c := range append(append(append([]CashChange{}, d.Cash.Features...), d.Cash.Releases...), d.Cash.Quarters...) {
		t.Append("nre", c.Key, "usd", render.Exact(c.Before), render.Exact(c.After), "")
	}
	for _, line := range d.NewWarnings {
		t.Append("warning", "", "new", "", "", line)
	}
	for _, line := range d.ChangedWarnings {
		t.Append("warning", "", "other figures", "", "", line)
	}
	for _, e := range d.Economics {
		// the side a model is not on is empty, not 0
		exact := func(x float64, absent bool) string {
			if absent {
				return ""
			}
			return render.Exact(x)
		}
		t.Append("economics", e.Model, "recurring_cost", exact(e.RecurringBefore, e.Added), exact(e.RecurringAfter, e.Removed), e.Currency)
		t.Append("economics", e.Model, "ltv", exact(e.LTVBefore, e.Added), exact(e.LTVAfter, e.Removed), e.Currency)
	}
	for _, g := range d.Gates {
		number := func(v *float64) string {
			if v == nil {
				return ""
			}
			return render.Exact(*v)
		}
		t.Append("gate", g.Gate, "status", g.Before, g.After, "")
		if g.ValueBefore != nil || g.ValueAfter != nil {
			t.Append("gate", g.Gate, "value", number(g.ValueBefore), number(g.ValueAfter), "")
		} else if g.TextBefore != g.TextAfter {
			t.Append("gate", g.Gate, "value", g.TextBefore, g.TextAfter, "")
		}
		if g.ThresholdBefore != g.ThresholdAfter {
			t.Append("gate", g.Gate, "threshold", g.ThresholdBefore, g.ThresholdAfter, "")
		}
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// gateSides writes a gate's figure on both sides: once when it is the
// same, "before → after" when it changed, "-" on a side the gate is not
// on (its status empty there).
func gateSides(before, after, statusBefore, statusAfter string) string {
	if statusBefore == "" {
		before = "-"
	}
	if statusAfter == "" {
		after = "-"
	}
	if before == after {
		return before
	}
	return before + " → " + after
}

// summary is a device's part of the summary line.
func (b BatteryChange) summary() string {
	s := fmt.Sprintf("%s battery %s → %s", b.Device, years(b.YearsBefore), years(b.YearsAfter))
	if years(b.WithPlanBefore) != years(b.WithPlanAfter) {
		s += fmt.Sprintf(" (with the plan %s → %s)", years(b.WithPlanBefore), years(b.WithPlanAfter))
	} else if years(b.YearsBefore) == years(b.YearsAfter) && len(b.Events) > 0 {
		// "15.8 y → 15.8 y" read as a change of life: its events changed
		s = fmt.Sprintf("%s battery events changed (%s), life %s as before", b.Device, strings.Join(b.Events, ", "), years(b.YearsAfter))
	}
	// whatever the gates: a plan that takes a device below its target
	// or a feature over its budget is named here
	switch {
	case b.BelowAfter && !b.BelowBefore && b.Crossing != nil && b.Crossing.Today && b.TargetYears != nil:
		// below before any release: the change to today's device did it,
		// not what ships in the release
		s += fmt.Sprintf("; below its %s y target today, before any release of the plan", render.Number(*b.TargetYears, 2))
	case b.BelowAfter && !b.BelowBefore && b.Crossing != nil && b.TargetYears != nil:
		s += fmt.Sprintf("; the plan now takes it below its %s y target: %s y after %s (%s) with %s",
			render.Number(*b.TargetYears, 2), render.Number(b.Crossing.LifeYears, 2), b.Crossing.Release, b.Crossing.Date, strings.Join(b.Crossing.Features, ", "))
	case b.BelowBefore && !b.BelowAfter:
		s += "; the plan meets its target again"
	}
	for _, o := range b.OverBudget {
		s += "; " + o
	}
	return s
}

// writeComment writes the markdown comment; with maxChars > 0 (GitHub
// refuses a comment over 65,536 characters, and the action's step then
// fails) each table and the warnings keep at most as many rows as lets the
// comment fit — the most that does, found by bisection, so the small
// sections stay whole and the large ones are cut — each cut section
// saying how many rows it leaves out. The summary line is never cut: a
// comment that does not fit with every section cut is an error.
func writeComment(w *bytes.Buffer, d *Diff, titles []string, tables []*render.Table, maxChars int) error {
	render := func(limit int) ([]byte, error) {
		var buf bytes.Buffer
		err := markdownComment(&buf, d, titles, tables, limit)
		return buf.Bytes(), err
	}
	out, err := render(-1)
	if err != nil || maxChars <= 0 || utf8.RuneCount(out) <= maxChars {
		w.Write(out)
		return err
	}
	most := len(d.NewWarnings)
	for _, t := range tables {
		most = max(most, len(t.Rows))
	}
	// the largest limit in [0, most) whose comment fits
	lo, hi := -1, most
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if b, err := render(mid); err != nil {
			return err
		} else if utf8.RuneCount(b) <= maxChars {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo < 0 {
		b, _ := render(0)
		return failure.UsageErrorf("--max-chars %d: the comment is %d characters with every section cut to its count (the summary line is never cut)", maxChars, utf8.RuneCount(b))
	}
	out, err = render(lo)
	w.Write(out)
	return err
}

// markdownComment writes the comment with at most limit rows a table and
// limit warnings (limit < 0: all).
func markdownComment(w *bytes.Buffer, d *Diff, titles []string, tables []*render.Table, limit int) error {
	cut := func(n int) string {
		what := "… and " + render.Number(float64(n), 0) + " more"
		if limit == 0 {
			what = "All " + render.Number(float64(n), 0)
		}
		return what + " left out to fit GitHub's comment limit: the job summary and `iotpm diff` show every one.\n"
	}
	fmt.Fprintf(w, "%s\n## iotpm diff against `%s`\n\n%s\n", Marker, d.Base, d.Summary)
	if warnings := d.NewWarnings; len(warnings) > 0 { // open, not folded: they qualify the numbers
		if limit >= 0 && len(warnings) > limit {
			warnings = append(slices.Clone(warnings[:limit]), strings.TrimSuffix(cut(len(d.NewWarnings)-limit), "\n"))
		}
		w.WriteString("\n")
		render.MarkdownWarning(w, "New warnings with this change:", warnings)
	}
	for i, t := range tables {
		fmt.Fprintf(w, "\n<details><summary>%s</summary>\n\n", titles[i])
		left := 0
		if limit >= 0 && len(t.Rows) > limit {
			left = len(t.Rows) - limit
			cp := *t
			cp.Rows = t.Rows[:limit]
			t = &cp
		}
		if len(t.Rows) > 0 {
			if err := t.Markdown(w); err != nil {
				return err
			}
		}
		if left > 0 {
			if len(t.Rows) > 0 {
				w.WriteString("\n")
			}
			w.WriteString(cut(left))
		}
		fmt.Fprintf(w, "\n</details>\n")
	}
	return nil
}

// gatesSummary counts the gate changes a reviewer must not miss, worst
// first: newly failing, removed (a pull request that drops a failing gate
// turns CI green without fixing anything), thresholds changed (one that
// loosens a threshold too), newly passing, added; values that move alone
// last. "" when no gate changed.
func gatesSummary(gates []GateChange) string {
	var newly, removed, removedFailing, threshold, passing, added, moved int
	for _, g := range gates {
		switch {
		case g.NewlyFailing():
			newly++
		case g.After == "":
			removed++
			if g.Before == "FAIL" {
				removedFailing++
			}
		case g.Before == "":
			added++
		case g.ThresholdBefore != g.ThresholdAfter:
			threshold++
		case g.StatusChanged():
			passing++
		default:
			moved++
		}
	}
	var out []string
	if newly > 0 {
		out = append(out, fmt.Sprintf("%d newly failing", newly))
	}
	if removed > 0 {
		r := fmt.Sprintf("%d removed", removed)
		if removedFailing > 0 {
			r += fmt.Sprintf(" (%d of them failing)", removedFailing)
		}
		out = append(out, r)
	}
	if threshold > 0 {
		out = append(out, plural(threshold, "threshold changed", "thresholds changed"))
	}
	if passing > 0 {
		out = append(out, fmt.Sprintf("%d newly passing", passing))
	}
	if added > 0 {
		out = append(out, fmt.Sprintf("%d added", added))
	}
	if moved > 0 {
		out = append(out, plural(moved, "value moves", "values move"))
	}
	if len(out) > 0 && newly == 0 {
		out[len(out)-1] += ", none newly failing"
	}
	return strings.Join(out, ", ")
}
