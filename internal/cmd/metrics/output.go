package metrics

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/render"
)

func pctOr(v *float64, decimals int) string {
	if v == nil {
		return "-"
	}
	return render.Percent(*v, decimals)
}

func gateFor(doc fleetmetrics.Result, name string) (string, string) {
	for _, g := range doc.Gates {
		if g.Name == name {
			if g.Passed {
				return g.Threshold, "pass"
			}
			return g.Threshold, "FAIL"
		}
	}
	return "-", "-"
}

// modelGateRows adds a row under a metric for each of its per-model gates
// (gates.activation_rate.models): the model's value and the gate's detail.
func modelGateRows(doc fleetmetrics.Result, metric string, row func(name, key, value, numerator, denominator, note string)) {
	for _, g := range doc.Gates {
		model, ok := strings.CutPrefix(g.Name, metric+".")
		if !ok {
			continue
		}
		value := "-"
		if g.Value != nil {
			value = render.Percent(*g.Value, 1)
		}
		row("  model "+model, g.Name, value, "", "", g.Detail)
	}
}

// SummaryTable is the metrics at a glance: one row per metric, with its
// gate.
func SummaryTable(doc fleetmetrics.Result) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "METRIC"}, {Header: "VALUE", Right: true}, {Header: "NUMERATOR", Right: true, Hide: 2},
		{Header: "DENOMINATOR", Right: true, Hide: 1}, {Header: "NOTE", Hide: 3}, {Header: "GATE"}, {Header: "STATUS"}}}
	var statuses []string
	row := func(name, key, value, numerator, denominator, note string) {
		g, st := gateFor(doc, key)
		t.Append(name, value, numerator, denominator, note, g, st)
		statuses = append(statuses, st)
	}
	count := func(n int) string { return render.Number(float64(n), 0) }
	devices := func(n int) string {
		if n == 1 {
			return "1 device"
		}
		return count(n) + " devices"
	}
	if u := doc.Uptime; u != nil {
		note := fmt.Sprintf("%s, median %s, %s below %s SLO", devices(u.Devices), pctOr(u.Median, 2), count(u.BelowSLO), render.Percent(u.SLO, 1))
		for _, x := range []struct {
			n    int
			what string
		}{{u.Dormant, "dormant"}, {u.NeverActivated, "never activated"}, {u.Retired, "retired"}, {u.LeftOut, "left out"}} {
			if x.n > 0 {
				note += fmt.Sprintf(", %s %s", count(x.n), x.what)
			}
		}
		if u.Reason != "" {
			note = u.Reason
		}
		row("connectivity uptime", "connectivity_uptime", pctOr(u.Value, 2), render.Number(u.ConnectedHours, 0)+" h", render.Number(u.ObservedHours, 0)+" h", note)
		// by mode, once some devices check in: their uptime is measured
		// against their check-ins, and may have its own gate
		if c := u.ByMode["checkin"]; c.Devices > 0 {
			a := u.ByMode["always"]
			row("  always connected", "connectivity_uptime.always", pctOr(a.Value, 2), render.Number(a.ConnectedHours, 0)+" h", render.Number(a.ObservedHours, 0)+" h",
				count(a.Devices)+" devices, connected between events")
			row("  check-in", "connectivity_uptime.checkin", pctOr(c.Value, 2), render.Number(c.ConnectedHours, 0)+" h", render.Number(c.ObservedHours, 0)+" h",
				fmt.Sprintf("%s, reachable after each check-in; %s missed check-ins", devices(c.Devices), count(c.MissedCheckins)))
		}
	}
	if m := doc.MAD; m != nil {
		value, note := "-", m.Reason
		if m.Value != nil {
			value, note = count(*m.Value), fmt.Sprintf("%s by connection, %s by activity only", count(m.ByConnection), count(m.ByActivityOnly))
		}
		row("monthly active devices", "monthly_active_devices", value, "", count(m.DevicesInInput), note)
	}
	if a := doc.Activation; a != nil {
		note := fmt.Sprintf("within %s days of shipping", render.Number(a.WindowDays, 1))
		if !a.Mature {
			note += "; immature cohort"
		}
		if a.Reason != "" {
			note = a.Reason
		}
		row("activation rate", "activation_rate", pctOr(a.Value, 1), count(a.Activated), count(a.Shipped), note)
		modelGateRows(doc, "activation_rate", row)
	}
	if o := doc.OTA; o != nil {
		note := fmt.Sprintf("%s pending, %s excluded", count(o.Pending), count(o.Excluded))
		if o.Snapshot {
			note += "; states from a snapshot export, counted whatever the window"
		}
		if o.Reason != "" {
			note = o.Reason + "; " + note
		}
		row("OTA success rate", "ota_success_rate", pctOr(o.Value, 1), render.Number(float64(o.Success), 0), render.Number(float64(o.Success+o.Failure), 0), note)
		modelGateRows(doc, "ota_success_rate", row)
	}
	if f := doc.Firmware; f != nil {
		note := fmt.Sprintf("at or above %s on %s", f.Target, f.At[:10])
		if f.Unknown > 0 {
			note += fmt.Sprintf("; %s unknown (not on target)", count(f.Unknown))
		}
		if f.NoOTA > 0 {
			note += fmt.Sprintf("; %s without OTA left out", count(f.NoOTA))
		}
		if f.Reason != "" {
			note = f.Reason
		}
		row("firmware on target", "firmware_on_target", pctOr(f.Value, 1), count(f.OnTarget), count(f.Devices), note)
	}
	if o := doc.Onboarding; o != nil {
		onboardingRows(o, row)
	}
	t.Tone = func(r, c int) render.Tone {
		if c == 6 {
			return render.StatusTone(statuses[r])
		}
		return render.Plain
	}
	return t
}

// Write renders the output shape in a format; table picks one table of
// -o csv ("" every table).
func Write(w io.Writer, format render.Format, doc fleetmetrics.Result, term render.Term, table string) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		return writeMetricsCSV(w, doc, table)
	}
	md := format == render.FormatMarkdown
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "\n### %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(title))
		return t.Text(w, term)
	}
	if md {
		fmt.Fprintf(w, "## Fleet metrics %s to %s\n\n", doc.Window.From, doc.Window.To)
		if err := SummaryTable(doc).Markdown(w); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "Window %s to %s\n\n", doc.Window.From, doc.Window.To)
		if err := SummaryTable(doc).Text(w, term); err != nil {
			return err
		}
	}
	if len(doc.Months) > 0 {
		t := monthsTable(doc.Months)
		if err := section("By month", t); err != nil {
			return err
		}
		if md {
			for _, chart := range mermaidMonths(doc.Months) {
				fmt.Fprintf(w, "\n```mermaid\n%s```\n", chart)
			}
		}
	}
	if a := doc.Activation; a != nil && len(a.ByShipMonth) > 0 {
		t := activationTable(a)
		if err := section("Activation by ship month", t); err != nil {
			return err
		}
	}
	if a := doc.Activation; a != nil && len(a.ByModel) > 0 {
		if err := section("Activation by model", activationByModelTable(a)); err != nil {
			return err
		}
	}
	if o := doc.Onboarding; o != nil {
		if err := writeOnboarding(w, o, md, section); err != nil {
			return err
		}
	}
	if f := doc.Firmware; f != nil && len(f.Versions)+f.Unknown > 0 {
		t := firmwareTable(f)
		if err := section("Firmware in the fleet (active devices, "+f.At[:10]+")", t); err != nil {
			return err
		}
		if md {
			fmt.Fprintf(w, "\n```mermaid\n%s```\n", firmwarePie(f))
		}
	}
	if o := doc.OTA; o != nil && len(o.Jobs) > 0 {
		t := otaTable(o)
		if err := section("OTA by job", t); err != nil {
			return err
		}
	}
	if o := doc.OTA; o != nil && len(o.ByModel) > 0 {
		var rows []fleetmetrics.OTAJob
		for _, m := range o.ByModel {
			m.OTAJob.Job = m.Model
			rows = append(rows, m.OTAJob)
		}
		if err := section("OTA by model", otaRowsTable("MODEL", rows)); err != nil {
			return err
		}
	}
	if len(doc.Customers) > 0 {
		t := customersTable(doc.Customers)
		if err := section("Customers by health (worst first)", t); err != nil {
			return err
		}
	}
	title := "Rows"
	if doc.Horizon != nil {
		title += " (data horizon " + *doc.Horizon + ")"
	}
	return section(title, rowsTable(doc))
}

// monthsTable is MAD and uptime by month.
func monthsTable(months []fleetmetrics.Month) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "MONTH"}, {Header: "MAD", Right: true}, {Header: "UPTIME", Right: true}}}
	for _, m := range months {
		t.Append(m.Month, render.Number(float64(m.MAD), 0), pctOr(m.Uptime, 2))
	}
	return t
}

// activationTable is activation by ship-month cohort.
func activationTable(a *fleetmetrics.Activation) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "SHIP MONTH"}, {Header: "SHIPPED", Right: true}, {Header: "ACTIVATED", Right: true}, {Header: "RATE", Right: true}, {Header: "COHORT"}}}
	for _, c := range a.ByShipMonth {
		mature := "mature"
		if !c.Mature {
			mature = "immature"
		}
		switch {
		case c.BeforeData > 0 && c.Shipped == 0:
			mature = fmt.Sprintf("before the data (%s)", render.Plural(c.BeforeData, "unit"))
		case c.BeforeData > 0:
			mature += fmt.Sprintf(", %s before the data", render.Plural(c.BeforeData, "unit"))
		}
		if c.Straddling > 0 {
			mature += fmt.Sprintf(", %s not activated shipped before the data start", render.Number(float64(c.Straddling), 0))
		}
		t.Append(c.Month, render.Number(float64(c.Shipped), 0), render.Number(float64(c.Activated), 0), pctOr(c.Value, 1), mature)
	}
	return t
}

// activationByModelTable is each model's window cohort and its mature
// ship-month cohorts pooled (the rate iotpm economics takes when the
// window's cohort is immature).
func activationByModelTable(a *fleetmetrics.Activation) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "MODEL"}, {Header: "SHIPPED IN WINDOW", Right: true}, {Header: "ACTIVATED", Right: true}, {Header: "RATE", Right: true}, {Header: "COHORT"},
		{Header: "MATURE SHIP MONTHS", Right: true}}}
	for _, m := range a.ByModel {
		mature := "mature"
		if !m.Mature {
			mature = "immature"
		}
		var shipped, activated int
		for _, c := range m.ByShipMonth {
			if c.Mature {
				shipped += c.Shipped
				activated += c.Activated
			}
		}
		pooled := "none"
		if shipped > 0 {
			pooled = fmt.Sprintf("%d of %d, %s", activated, shipped, render.Percent(float64(activated)/float64(shipped), 1))
		}
		t.Append(m.Model, render.Number(float64(m.Shipped), 0), render.Number(float64(m.Activated), 0), pctOr(m.Value, 1), mature, pooled)
	}
	return t
}

// firmwareTable is the firmware versions of the active devices.
func firmwareTable(f *fleetmetrics.Firmware) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "FIRMWARE"}, {Header: "DEVICES", Right: true}, {Header: "SHARE", Right: true}, {Header: "ON TARGET"}}}
	for _, v := range f.Versions {
		on := "-"
		if f.Target != "" {
			on = "no"
			if f.AtOrAbove(v.Version) {
				on = "yes"
			}
		}
		t.Append(v.Version, render.Number(float64(v.Devices), 0), render.Percent(v.Share, 1), on)
	}
	if f.Unknown > 0 {
		t.Append("unknown", render.Number(float64(f.Unknown), 0), render.Percent(float64(f.Unknown)/float64(f.Devices), 1), "no")
	}
	return t
}

// otaTable is the OTA success rate and outcomes of each job.
func otaTable(o *fleetmetrics.OTA) *render.Table { return otaRowsTable("JOB", o.Jobs) }

// otaRowsTable is OTA units by final status, a row per group (a job, a
// model) named in Job.
func otaRowsTable(group string, rows []fleetmetrics.OTAJob) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: group}, {Header: "SUCCESS RATE", Right: true}, {Header: "SUCCEEDED", Right: true}, {Header: "FAILED", Right: true}, {Header: "PENDING", Right: true}, {Header: "EXCLUDED", Right: true}}}
	for _, j := range rows {
		t.Append(j.Job, pctOr(j.Value, 1), render.Number(float64(j.Success), 0), render.Number(float64(j.Failure), 0), render.Number(float64(j.Pending), 0), render.Number(float64(j.Excluded), 0))
	}
	return t
}

// customersTable is the customers by health score, their band toned.
func customersTable(customers []fleetmetrics.Customer) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "CUSTOMER"}, {Header: "SCORE", Right: true}, {Header: "BAND"}, {Header: "DEVICES", Right: true},
		{Header: "UPTIME", Right: true}, {Header: "USAGE", Right: true}, {Header: "TICKETS/100", Right: true}}}
	var bands []string
	for _, c := range customers {
		score := "-"
		if c.Score != nil {
			score = render.Number(*c.Score, 1)
		}
		comp := func(name string, pct bool) string {
			cj, ok := c.Components[name]
			if !ok || cj.Raw == nil {
				return "-"
			}
			if pct {
				return render.Percent(*cj.Raw, 1)
			}
			return render.Number(*cj.Raw, 1)
		}
		t.Append(c.ID, score, c.Band, render.Number(float64(c.Devices), 0), comp("uptime", true), comp("usage", true), comp("tickets_per_100_devices", false))
		bands = append(bands, c.Band)
	}
	t.Tone = func(r, col int) render.Tone {
		if col != 2 {
			return render.Plain
		}
		switch bands[r] {
		case "red":
			return render.Bad
		case "green":
			return render.Good
		}
		return render.Plain
	}
	return t
}

// mermaidMonths charts MAD (bars) and uptime (a line, in percent) by month
// as two xychart-beta diagrams: their scales differ, and a chart has one
// y-axis.
func mermaidMonths(months []fleetmetrics.Month) []string {
	labels := make([]string, len(months))
	mads := make([]string, len(months))
	var upLabels, ups []string
	maxMAD := 0
	lo, hi := 100.0, 0.0
	for i, m := range months {
		labels[i] = strconv.Quote(m.Month)
		mads[i] = strconv.Itoa(m.MAD)
		maxMAD = max(maxMAD, m.MAD)
		// a month without observed time has no uptime: it is left off the
		// line, never drawn as 0%
		if m.Uptime != nil {
			v := *m.Uptime * 100
			upLabels, ups = append(upLabels, labels[i]), append(ups, strconv.FormatFloat(v, 'f', 2, 64))
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	x := fmt.Sprintf("    x-axis [%s]\n", strings.Join(labels, ", "))
	mad := "xychart-beta\n    title \"Monthly active devices\"\n" + x +
		fmt.Sprintf("    y-axis \"Devices\" 0 --> %d\n    bar [%s]\n", max(maxMAD, 1), strings.Join(mads, ", "))
	if len(ups) == 0 {
		return []string{mad}
	}
	// the axis spans the data (whole percents, a point of margin), so that
	// 98–99% is not a flat line at the top of 0–100
	lo, hi = max(0, math.Floor(lo)-1), min(100, math.Ceil(hi)+1)
	up := "xychart-beta\n    title \"Connectivity uptime (%)\"\n" + fmt.Sprintf("    x-axis [%s]\n", strings.Join(upLabels, ", ")) +
		fmt.Sprintf("    y-axis \"Uptime %%\" %s --> %s\n    line [%s]\n", strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64), strings.Join(ups, ", "))
	return []string{mad, up}
}

// firmwarePie is the versions' shares as a Mermaid pie.
func firmwarePie(f *fleetmetrics.Firmware) string {
	var b strings.Builder
	b.WriteString("pie showData\n    title Firmware in the fleet\n")
	for _, v := range f.Versions {
		fmt.Fprintf(&b, "    %s : %d\n", strconv.Quote(render.MermaidText(v.Version)), v.Devices)
	}
	if f.Unknown > 0 {
		fmt.Fprintf(&b, "    \"unknown\" : %d\n", f.Unknown)
	}
	return b.String()
}
