package metrics

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/render"
)

// The CSV tables of iotpm metrics, by --table name, in output order. Every
// value is exact (full precision, fractions 0..1), headers are snake_case.
var CSVTables = []string{"summary", "months", "cohorts", "cohorts_by_model", "jobs", "ota_by_model", "funnel", "setup_groups", "customers", "rows"}

// writeMetricsCSV writes one table as plain CSV (--table NAME), or every
// table that has rows, each after a "# table: NAME" line and a blank line
// between them.
func writeMetricsCSV(w io.Writer, doc fleetmetrics.Result, only string) error {
	if only != "" {
		return metricsCSV(doc, only).CSV(w)
	}
	first := true
	for _, name := range CSVTables {
		t := metricsCSV(doc, name)
		if len(t.Rows) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintf(w, "# table: %s\n", name)
		if err := t.CSV(w); err != nil {
			return err
		}
	}
	return nil
}

func metricsCSV(doc fleetmetrics.Result, name string) *render.Table {
	str := func(v *string) string {
		if v == nil {
			return ""
		}
		return *v
	}
	t := &render.Table{}
	cols := func(headers ...string) { t.Columns = columns(headers) }
	switch name {
	case "summary":
		cols("metric", "value", "numerator", "denominator", "gate", "passed")
		add := func(metric, value, numerator, denominator string) {
			g, p := "", ""
			if i := slices.IndexFunc(doc.Gates, func(g gate.Gate) bool { return g.Name == metric }); i >= 0 {
				g, p = doc.Gates[i].Threshold, strconv.FormatBool(doc.Gates[i].Passed)
			}
			t.Append(metric, value, numerator, denominator, g, p)
		}
		if u := doc.Uptime; u != nil {
			add("connectivity_uptime", exactCell(u.Value), render.Exact(u.ConnectedHours), render.Exact(u.ObservedHours))
		}
		if m := doc.MAD; m != nil {
			value := ""
			if m.Value != nil {
				value = strconv.Itoa(*m.Value)
			}
			add("monthly_active_devices", value, "", strconv.Itoa(m.DevicesInInput))
		}
		if a := doc.Activation; a != nil {
			add("activation_rate", exactCell(a.Value), strconv.Itoa(a.Activated), strconv.Itoa(a.Shipped))
		}
		if o := doc.OTA; o != nil {
			add("ota_success_rate", exactCell(o.Value), strconv.Itoa(o.Success), strconv.Itoa(o.Success+o.Failure))
		}
		if f := doc.Firmware; f != nil {
			add("firmware_on_target", exactCell(f.Value), strconv.Itoa(f.OnTarget), strconv.Itoa(f.Devices))
		}
		if o := doc.Onboarding; o != nil {
			add("onboarding.completion", exactCell(o.Completion), strconv.Itoa(o.Completed), strconv.Itoa(o.Attempts))
			add("onboarding.p90", exactCell(o.P90Seconds), "", strconv.Itoa(o.Completed))
			add("onboarding.within_target", exactCell(o.WithinTarget), strconv.Itoa(o.InTarget), strconv.Itoa(o.Completed))
		}
	case "funnel":
		cols("step", "attempts", "from_previous", "from_first", "drop_off")
		if o := doc.Onboarding; o != nil {
			for _, st := range o.Steps {
				t.Append(st.Step, strconv.Itoa(st.Attempts), exactCell(st.FromPrevious), exactCell(st.FromFirst), strconv.Itoa(st.DropOff))
			}
		}
	case "setup_groups":
		cols("by", "label", "attempts", "completed", "completion", "median_seconds", "p90_seconds", "within_target")
		if o := doc.Onboarding; o != nil {
			for _, by := range []struct {
				name   string
				groups []fleetmetrics.SetupGroup
			}{{"week", o.ByWeek}, {"segment", o.BySegment}} {
				for _, g := range by.groups {
					t.Append(by.name, g.Label, strconv.Itoa(g.Attempts), strconv.Itoa(g.Completed), exactCell(g.Completion), exactCell(g.MedianSeconds), exactCell(g.P90Seconds), exactCell(g.WithinTarget))
				}
			}
		}
	case "months":
		cols("month", "mad", "uptime")
		for _, m := range doc.Months {
			t.Append(m.Month, strconv.Itoa(m.MAD), exactCell(m.Uptime))
		}
	case "cohorts", "cohorts_by_model", "jobs", "ota_by_model":
		return cohortsAndJobsCSV(doc, name)
	case "customers":
		cols("customer", "score", "band", "devices", "uptime", "usage", "tickets_per_100_devices")
		for _, c := range doc.Customers {
			raw := func(k string) string {
				if cj, ok := c.Components[k]; ok {
					return exactCell(cj.Raw)
				}
				return ""
			}
			t.Append(c.ID, exactCell(c.Score), c.Band, strconv.Itoa(c.Devices), raw("uptime"), raw("usage"), raw("tickets_per_100_devices"))
		}
	case "rows":
		// files: how many a directory or glob input lists (0 for one
		// file); empty_files and copy_files: of those, the ones left out
		cols("input", "path", "format", "read", "used", "outside_window", "skipped", "ignored", "duplicates", "unknown_devices", "earliest", "latest",
			"files", "empty_files", "copy_files")
		for _, kind := range inputKinds {
			r, ok := doc.Rows[string(kind)]
			if !ok {
				continue
			}
			t.Append(string(kind), r.Path, r.Format, strconv.Itoa(r.Read), strconv.Itoa(r.Used), strconv.Itoa(r.OutsideWindow), strconv.Itoa(r.Skipped),
				strconv.Itoa(r.Ignored), strconv.Itoa(r.Duplicates), strconv.Itoa(r.UnknownDevices), str(r.Earliest), str(r.Latest),
				strconv.Itoa(r.Files), strconv.Itoa(r.EmptyFiles), strconv.Itoa(len(r.CopyFiles)))
		}
	}
	return t
}

// cohortsAndJobsCSV is one of the activation and OTA tables: cohorts,
// cohorts_by_model, jobs, ota_by_model.
func cohortsAndJobsCSV(doc fleetmetrics.Result, name string) *render.Table {
	t := &render.Table{}
	cols := func(headers ...string) { t.Columns = columns(headers) }
	switch name {
	case "cohorts":
		cols("ship_month", "shipped", "activated", "rate", "mature", "before_data", "not_activated_straddling_data_start")
		if a := doc.Activation; a != nil {
			for _, c := range a.ByShipMonth {
				t.Append(c.Month, strconv.Itoa(c.Shipped), strconv.Itoa(c.Activated), exactCell(c.Value), strconv.FormatBool(c.Mature), strconv.Itoa(c.BeforeData), strconv.Itoa(c.Straddling))
			}
		}
	case "cohorts_by_model":
		cols("model", "ship_month", "shipped", "activated", "rate", "mature", "before_data", "not_activated_straddling_data_start")
		if a := doc.Activation; a != nil {
			for _, m := range a.ByModel {
				for _, c := range m.ByShipMonth {
					t.Append(m.Model, c.Month, strconv.Itoa(c.Shipped), strconv.Itoa(c.Activated), exactCell(c.Value), strconv.FormatBool(c.Mature), strconv.Itoa(c.BeforeData), strconv.Itoa(c.Straddling))
				}
			}
		}
	case "jobs", "ota_by_model":
		group := "job"
		var rows []fleetmetrics.OTAJob
		if o := doc.OTA; o != nil {
			rows = o.Jobs
			if name == "ota_by_model" {
				group, rows = "model", nil
				for _, m := range o.ByModel {
					m.OTAJob.Job = m.Model
					rows = append(rows, m.OTAJob)
				}
			}
		}
		cols(group, "success_rate", "success", "failure", "pending", "excluded")
		for _, j := range rows {
			t.Append(j.Job, exactCell(j.Value), strconv.Itoa(j.Success), strconv.Itoa(j.Failure), strconv.Itoa(j.Pending), strconv.Itoa(j.Excluded))
		}
	}
	return t
}

// exactCell is a value at full precision, empty when undefined.
func exactCell(v *float64) string {
	if v == nil {
		return ""
	}
	return render.Exact(*v)
}

// columns are a CSV table's columns.
func columns(headers []string) []render.Column {
	var out []render.Column
	for _, h := range headers {
		out = append(out, render.Column{Header: h})
	}
	return out
}
