package battery

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/energy"
)

// deviceJSON is the JSON/YAML contract of `iotpm battery`.
type deviceJSON struct {
	ID                 string       `json:"id"`
	Cell               string       `json:"cell"`
	Series             int          `json:"series"`
	Parallel           int          `json:"parallel"`
	CapacityMAh        float64      `json:"capacity_mah"`
	UsableMAh          float64      `json:"usable_mah"`
	AverageCurrentUA   float64      `json:"average_current_ua"`
	SelfDischargeUA    float64      `json:"self_discharge_ua"`
	SelfDischargeModel string       `json:"self_discharge_model"`
	DutyCycle          float64      `json:"duty_cycle"`
	LifeHours          render.Float `json:"life_hours"`
	LifeYears          render.Float `json:"life_years"`
	LifeDays           render.Float `json:"life_days"`
	CapacityLifeHours  render.Float `json:"capacity_life_hours"`
	CapacityLifeYears  render.Float `json:"capacity_life_years"`
	// TemperatureFactor and PulseFactor scale the usable capacity (the
	// cell's capacity over the device's year and at its largest pulse,
	// as shares of the rating; 1: no data or none applies).
	TemperatureFactor float64 `json:"temperature_factor"`
	PulseFactor       float64 `json:"pulse_factor"`
	// CutoffFactor scales it for the device's min_voltage (1: none, or
	// no end-voltage data).
	CutoffFactor float64       `json:"cutoff_factor"`
	LimitedBy    string        `json:"limited_by"`
	TargetYears  *float64      `json:"target_years"`
	MeetsTarget  *bool         `json:"meets_target"`
	Budget       []budgetJSON  `json:"budget"`
	Features     []featureCost `json:"features"`
	// Along the roadmap (omitted without planned energy): life with every
	// scheduled feature, after each release that changes it, the planned
	// features that never ship, and budgets.
	LifeWithPlanYears *render.Float `json:"life_with_plan_years,omitempty"`
	// PlanMeetsTarget is false when a release of the plan takes the
	// device below its target (null: no target or no planned energy).
	PlanMeetsTarget *bool             `json:"plan_meets_target,omitempty"`
	Plan            []planStepJSON    `json:"plan,omitempty"`
	Unscheduled     []string          `json:"planned_unscheduled,omitempty"`
	Budgets         []budgetCheckJSON `json:"budgets,omitempty"`
}

type budgetJSON struct {
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Feature   string  `json:"feature,omitempty"`
	CurrentUA float64 `json:"current_ua"`
	Share     float64 `json:"share"`
}

type featureCost struct {
	Feature          string       `json:"feature"`
	CurrentUA        float64      `json:"current_ua"`
	LifeWithoutHours render.Float `json:"life_without_hours"`
	LifeWithoutYears render.Float `json:"life_without_years"`
	// CapacityLifeWithoutYears is before the shelf-life cap (the cost a
	// capped life hides).
	CapacityLifeWithoutYears render.Float `json:"capacity_life_without_years"`
}

func toDeviceJSON(d energy.Device, r energy.Result) deviceJSON {
	j := deviceJSON{
		ID: d.ID, Cell: d.Battery.Cell, Series: max(d.Battery.Series, 1), Parallel: max(d.Battery.Parallel, 1),
		CapacityMAh: float64(d.Battery.Nominal()) * 1e3, UsableMAh: float64(d.Battery.Usable()) * 1e3,
		AverageCurrentUA: float64(r.AverageCurrent) * 1e6, SelfDischargeUA: float64(r.SelfDischargeCurrent) * 1e6,
		SelfDischargeModel: string(r.Model), DutyCycle: r.DutyCycle,
		LifeHours: render.Float(r.Life), LifeYears: render.Float(r.Life.Years()), LifeDays: render.Float(float64(r.Life) / 24),
		CapacityLifeHours: render.Float(r.CapacityLife), CapacityLifeYears: render.Float(r.CapacityLife.Years()), LimitedBy: r.LimitedBy,
		TemperatureFactor: r.TemperatureFactor, PulseFactor: r.PulseFactor, CutoffFactor: cutoffFactor(r),
		Budget: []budgetJSON{}, Features: []featureCost{},
	}
	if d.Target > 0 {
		t, ok := d.Target.Years(), r.MeetsTarget(d.Target)
		j.TargetYears, j.MeetsTarget = &t, &ok
	}
	for _, l := range r.Budget {
		j.Budget = append(j.Budget, budgetJSON{Kind: l.Kind, Name: l.Name, Feature: l.Feature, CurrentUA: float64(l.Current) * 1e6, Share: l.Share})
	}
	for _, fc := range r.Features {
		j.Features = append(j.Features, featureCost{Feature: fc.Feature, CurrentUA: float64(fc.Current) * 1e6,
			LifeWithoutHours: render.Float(fc.LifeWithout), LifeWithoutYears: render.Float(fc.LifeWithout.Years()),
			CapacityLifeWithoutYears: render.Float(fc.CapacityLifeWithout.Years())})
	}
	return j
}

func packText(b energy.Battery) string {
	s, p := max(b.Series, 1), max(b.Parallel, 1)
	if s == 1 && p == 1 {
		return b.Cell
	}
	return fmt.Sprintf("%s %dS%dP", b.Cell, s, p)
}

func status(d energy.Device, r energy.Result) string {
	switch {
	case d.Target <= 0:
		return "-"
	case r.MeetsTarget(d.Target):
		return "pass"
	}
	return "FAIL"
}

func devicesTable(devices []energy.Device, results []energy.Result, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{
		// hidden last: what explains the life (LIMITED BY: capacity or the
		// shelf-life cap), then what drives it
		{Header: "DEVICE"}, {Header: "BATTERY", Hide: 3}, {Header: "AVG CURRENT", Right: true, Hide: 2}, {Header: "SELF-DISCHARGE", Right: true, Hide: 4},
		{Header: "LIFE (Y)", Right: true}, {Header: "LIFE (D)", Right: true, Hide: 5}, {Header: "TARGET (Y)", Right: true},
		{Header: "STATUS"}, {Header: "LIMITED BY", Hide: 1}, {Header: "MODEL", Hide: 6},
	}}
	for i, d := range devices {
		r := results[i]
		target := "-"
		if d.Target > 0 {
			target = render.Number(d.Target.Years(), 2)
		}
		st := status(d, r)
		if exact {
			target = ""
			if d.Target > 0 {
				target = render.Exact(d.Target.Years())
			}
			t.Append(d.ID, packText(d.Battery), render.Exact(float64(r.AverageCurrent)*1e6), render.Exact(float64(r.SelfDischargeCurrent)*1e6),
				render.Exact(r.Life.Years()), render.Exact(float64(r.Life)/24), target, st, r.LimitedBy, string(r.Model))
			continue
		}
		t.Append(d.ID, packText(d.Battery), render.Current(float64(r.AverageCurrent)), render.Current(float64(r.SelfDischargeCurrent)),
			render.Number(r.Life.Years(), 2), render.Number(float64(r.Life)/24, 0), target, st, limitedBy(r), string(r.Model))
	}
	t.Tone = func(row, col int) render.Tone {
		if col == 7 {
			return render.StatusTone(t.Rows[row][col]) // as shown: the plan may have changed it
		}
		return render.Plain
	}
	if exact {
		t.Columns[2].Header, t.Columns[3].Header = "average_current_ua", "self_discharge_ua"
		for i, h := range []string{"id", "battery", "average_current_ua", "self_discharge_ua", "life_years", "life_days", "target_years", "status", "limited_by", "self_discharge_model"} {
			t.Columns[i].Header = h
		}
	}
	return t
}

func budgetTable(r energy.Result, exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "KIND"}, {Header: "NAME"}, {Header: "FEATURE"}, {Header: "CURRENT", Right: true}, {Header: "SHARE", Right: true}}}
	if exact {
		for i, h := range []string{"kind", "name", "feature", "current_ua", "share"} {
			t.Columns[i].Header = h
		}
	}
	for _, l := range r.Budget {
		if exact {
			t.Append(l.Kind, l.Name, l.Feature, render.Exact(float64(l.Current)*1e6), render.Exact(l.Share))
		} else {
			t.Append(strings.ReplaceAll(l.Kind, "_", "-"), l.Name, l.Feature, render.Current(float64(l.Current)), render.Percent(l.Share, 1))
		}
	}
	return t
}

func featureTable(r energy.Result) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "FEATURE"}, {Header: "COSTS", Right: true}, {Header: "SHARE", Right: true}, {Header: "LIFE WITHOUT (Y)", Right: true}, {Header: "GAIN (Y)", Right: true}}}
	capped := r.LimitedBy == "shelf_life"
	if capped {
		// the cap hides what a feature costs: show it by capacity too
		t.Columns = append(t.Columns, render.Column{Header: "GAIN BY CAPACITY (Y)", Right: true})
	}
	total := float64(r.AverageCurrent + r.SelfDischargeCurrent)
	for _, fc := range r.Features {
		row := []string{fc.Feature, render.Current(float64(fc.Current)), render.Percent(float64(fc.Current)/total, 1),
			render.Number(fc.LifeWithout.Years(), 2), "+" + render.Number(fc.LifeWithout.Years()-r.Life.Years(), 2)}
		if capped {
			row = append(row, "+"+render.Number(fc.CapacityLifeWithout.Years()-r.CapacityLife.Years(), 2))
		}
		t.Append(row...)
	}
	return t
}

func deviceSummary(d energy.Device, r energy.Result) string {
	var b strings.Builder
	usable := d.Battery
	usable.Factor = r.TemperatureFactor * r.PulseFactor * cutoffFactor(r)
	fmt.Fprintf(&b, "Device %s: %s, %s mAh nominal, %s mAh usable", d.ID, packText(d.Battery),
		render.Number(float64(d.Battery.Nominal())*1e3, 0), render.Number(float64(usable.Usable())*1e3, 0))
	var why []string
	if r.TemperatureFactor != 1 {
		why = append(why, render.Percent(r.TemperatureFactor, 1)+" of the rating over its year's temperatures")
	}
	if r.PulseFactor != 1 {
		why = append(why, render.Percent(r.PulseFactor, 1)+" at its largest pulse")
	}
	if cf := cutoffFactor(r); cf != 1 {
		why = append(why, fmt.Sprintf("%s down to its %s V minimum", render.Percent(cf, 1), render.Number(d.MinVoltage, 2)))
	}
	if len(why) > 0 {
		b.WriteString(" (" + strings.Join(why, ", ") + ")")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Average current %s, self-discharge %s (%s model), awake %s of the time\n",
		render.Current(float64(r.AverageCurrent)), render.Current(float64(r.SelfDischargeCurrent)), r.Model, render.Percent(r.DutyCycle, 3))
	if s := d.Supply; s != nil {
		fmt.Fprintf(&b, "Currents at the cell: the load's through a %sV regulator at %s (× %s)\n", render.Number(s.Voltage, 2), render.Percent(s.Efficiency, 1),
			render.Number(s.Voltage/(d.Battery.PackVoltage()*s.Efficiency), 3))
	}
	fmt.Fprintf(&b, "Life %s years (%s days), limited by %s", render.Number(r.Life.Years(), 2),
		render.Number(float64(r.Life)/24, 0), strings.ReplaceAll(r.LimitedBy, "_", " "))
	if r.LimitedBy == "shelf_life" {
		fmt.Fprintf(&b, " (capacity alone: %s years)", render.Number(r.CapacityLife.Years(), 2))
	}
	if d.Target > 0 {
		fmt.Fprintf(&b, "; target %s years: %s", render.Number(d.Target.Years(), 2), status(d, r))
	}
	b.WriteString("\n")
	return b.String()
}

// WriteBattery writes the devices' lives (detail: one device's energy
// budget) in a format; ep, when given, adds the life with the plan.
func WriteBattery(w io.Writer, format render.Format, devices []energy.Device, results []energy.Result, detail bool, term render.Term, ep *planning.Energy) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		doc := struct {
			Devices []deviceJSON `json:"devices"`
		}{[]deviceJSON{}}
		for i, d := range devices {
			j := toDeviceJSON(d, results[i])
			addPlanJSON(ep, &j)
			doc.Devices = append(doc.Devices, j)
		}
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		if detail {
			return budgetTable(results[0], true).CSV(w)
		}
		return withPlanColumn(ep, devicesTable(devices, results, true), devices, true).CSV(w)
	case render.FormatMarkdown:
		if !detail {
			fmt.Fprintf(w, "## Battery life\n\n")
			return withPlanColumn(ep, devicesTable(devices, results, false), devices, false).Markdown(w)
		}
		d, r := devices[0], results[0]
		fmt.Fprintf(w, "## Energy budget: %s\n\n", d.ID)
		for _, line := range strings.Split(strings.TrimSpace(deviceSummary(d, r)), "\n") {
			fmt.Fprintf(w, "%s  \n", line)
		}
		fmt.Fprintln(w)
		if err := budgetTable(r, false).Markdown(w); err != nil {
			return err
		}
		if len(r.Features) > 0 {
			fmt.Fprintf(w, "\n### What each feature costs\n\n")
			return featureTable(r).Markdown(w)
		}
		return nil
	}
	if !detail {
		return withPlanColumn(ep, devicesTable(devices, results, false), devices, false).Text(w, term)
	}
	d, r := devices[0], results[0]
	fmt.Fprint(w, deviceSummary(d, r))
	fmt.Fprintln(w)
	if err := budgetTable(r, false).Text(w, term); err != nil {
		return err
	}
	if len(r.Features) > 0 {
		fmt.Fprintln(w)
		return featureTable(r).Text(w, term)
	}
	return nil
}

func sweepLabel(s sweepSpec) string {
	name := s.sweep.Event + "." + string(s.sweep.Param)
	if s.sweep.Phase > 0 {
		name = fmt.Sprintf("%s.%d.%s", s.sweep.Event, s.sweep.Phase, s.sweep.Param)
	}
	return name
}

func writeSweep(w io.Writer, format render.Format, d energy.Device, s sweepSpec, planned bool, points []energy.SweepPoint, term render.Term) error {
	type pointJSON struct {
		Value            string       `json:"value"`
		ValueSI          float64      `json:"value_si"`
		AverageCurrentUA float64      `json:"average_current_ua"`
		LifeHours        render.Float `json:"life_hours"`
		LifeYears        render.Float `json:"life_years"`
		Ratio            render.Float `json:"ratio"`
		LimitedBy        string       `json:"limited_by"`
	}
	doc := struct {
		Sweep struct {
			Device string `json:"device"`
			Event  string `json:"event"`
			Param  string `json:"param"`
			Phase  int    `json:"phase,omitempty"`
			// Planned: the event is a planned feature's, swept on today's
			// device with that feature shipped.
			Planned bool        `json:"planned"`
			Points  []pointJSON `json:"points"`
		} `json:"sweep"`
	}{}
	doc.Sweep.Device, doc.Sweep.Event, doc.Sweep.Param, doc.Sweep.Phase, doc.Sweep.Planned = d.ID, s.sweep.Event, string(s.sweep.Param), s.sweep.Phase, planned
	maxLife := 0.0
	for i, p := range points {
		doc.Sweep.Points = append(doc.Sweep.Points, pointJSON{Value: s.labels[i], ValueSI: p.Value,
			AverageCurrentUA: float64(p.Result.AverageCurrent) * 1e6, LifeHours: render.Float(p.Result.Life),
			LifeYears: render.Float(p.Result.Life.Years()), Ratio: render.Float(p.Ratio), LimitedBy: p.Result.LimitedBy})
		maxLife = math.Max(maxLife, p.Result.Life.Years())
	}
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, doc)
	}
	t := &render.Table{Columns: []render.Column{{Header: strings.ToUpper(string(s.sweep.Param)), Right: true}, {Header: "AVG CURRENT", Right: true},
		{Header: "LIFE (Y)", Right: true}, {Header: "RATIO", Right: true}, {Header: "LIMITED BY"}}}
	if format == render.FormatCSV {
		t.Columns = []render.Column{{Header: "value"}, {Header: "value_si"}, {Header: "average_current_ua"}, {Header: "life_years"}, {Header: "ratio"}, {Header: "limited_by"}}
		for _, p := range doc.Sweep.Points {
			t.Append(p.Value, render.Exact(p.ValueSI), render.Exact(p.AverageCurrentUA), render.Exact(float64(p.LifeYears)), render.Exact(float64(p.Ratio)), p.LimitedBy)
		}
		return t.CSV(w)
	}
	for i, p := range points {
		t.Append(s.labels[i], render.Current(float64(p.Result.AverageCurrent)), render.Number(p.Result.Life.Years(), 2),
			render.Number(p.Ratio, 3)+"×", strings.ReplaceAll(p.Result.LimitedBy, "_", " "))
	}
	title := fmt.Sprintf("%s: battery life against %s", d.ID, sweepLabel(s))
	if planned {
		title = fmt.Sprintf("%s with %s shipped (planned): battery life against %s", d.ID, plannedFeature(d, s.sweep.Event), sweepLabel(s))
	}
	if format == cmdutil.FormatMermaid {
		_, err := io.WriteString(w, mermaidLifeChart(title, s.labels, points, maxLife))
		return err
	}
	if format == render.FormatMarkdown {
		fmt.Fprintf(w, "## %s\n\n", title)
		if err := t.Markdown(w); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n```mermaid\n%s```\n", mermaidLifeChart(title, s.labels, points, maxLife))
		return nil
	}
	t.Columns = append(t.Columns, render.Column{Header: "LIFE"})
	for i, p := range points {
		t.Rows[i] = append(t.Rows[i], render.Bar(p.Result.Life.Years(), maxLife, 30))
	}
	fmt.Fprintf(w, "%s\n\n", title)
	return t.Text(w, term)
}

// mermaidLifeChart is a Mermaid xychart-beta bar chart of life per value,
// which GitHub renders in markdown.
func mermaidLifeChart(title string, labels []string, points []energy.SweepPoint, maxLife float64) string {
	var b strings.Builder
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title %q\n", title)
	quoted := make([]string, len(labels))
	for i, l := range labels {
		quoted[i] = strconv.Quote(l)
	}
	fmt.Fprintf(&b, "    x-axis [%s]\n", strings.Join(quoted, ", "))
	fmt.Fprintf(&b, "    y-axis \"Life (years)\" 0 --> %s\n", render.Exact(math.Ceil(maxLife)))
	values := make([]string, len(points))
	for i, p := range points {
		values[i] = strconv.FormatFloat(p.Result.Life.Years(), 'f', 2, 64)
	}
	fmt.Fprintf(&b, "    bar [%s]\n", strings.Join(values, ", "))
	return b.String()
}

func writeCells(w io.Writer, format render.Format, cells energy.CellCatalog, term render.Term) error {
	type cellJSON struct {
		ID                   string  `json:"id"`
		Name                 string  `json:"name"`
		CapacityMAh          float64 `json:"capacity_mah"`
		Voltage              float64 `json:"voltage"`
		SelfDischargePerYear float64 `json:"self_discharge_per_year"`
		Derating             float64 `json:"derating"`
		MaxPulseMA           float64 `json:"max_pulse_ma"`
		ShelfLifeYears       float64 `json:"shelf_life_years"`
		Source               string  `json:"source"`
	}
	var list []cellJSON
	for _, id := range cells.IDs() {
		c := cells[id]
		list = append(list, cellJSON{c.ID, c.Name, float64(c.Capacity) * 1e3, c.Voltage, c.SelfDischargePerYear, c.Derating,
			float64(c.MaxPulse) * 1e3, c.ShelfLife.Years(), c.Source})
	}
	doc := struct {
		Cells []cellJSON `json:"cells"`
	}{list}
	t := &render.Table{Columns: []render.Column{{Header: "ID"}, {Header: "NAME", Wrap: true}, {Header: "MAH", Right: true}, {Header: "V", Right: true},
		{Header: "SELF-DISCHARGE/Y", Right: true}, {Header: "DERATING", Right: true, Hide: 2}, {Header: "MAX PULSE MA", Right: true, Hide: 3}, {Header: "SHELF LIFE (Y)", Right: true, Hide: 1}, {Header: "SOURCE", Wrap: true}}}
	for _, c := range list {
		if format == render.FormatCSV {
			t.Append(c.ID, c.Name, render.Exact(c.CapacityMAh), render.Exact(c.Voltage), render.Exact(c.SelfDischargePerYear), render.Exact(c.Derating),
				render.Exact(c.MaxPulseMA), render.Exact(c.ShelfLifeYears), c.Source)
		} else {
			t.Append(c.ID, c.Name, render.Number(c.CapacityMAh, 0), render.Number(c.Voltage, 2), render.Percent(c.SelfDischargePerYear, 1),
				render.Number(c.Derating, 2), render.Number(c.MaxPulseMA, 0), render.Number(c.ShelfLifeYears, 1), c.Source)
		}
	}
	return render.Write(w, format, doc, t, term)
}

// limitedBy words what limits a life; a shelf-life cap shows the life by
// capacity beside it, which the cap hides.
func limitedBy(r energy.Result) string {
	if r.LimitedBy == "shelf_life" {
		return "shelf life (" + render.Number(r.CapacityLife.Years(), 2) + " y by capacity)"
	}
	return strings.ReplaceAll(r.LimitedBy, "_", " ")
}

// cutoffFactor is the result's end-voltage factor (1 when unset).
func cutoffFactor(r energy.Result) float64 {
	if r.CutoffFactor == 0 {
		return 1
	}
	return r.CutoffFactor
}

// DevicesTable is the devices' table for other documents (the HTML report).
func DevicesTable(devices []energy.Device, results []energy.Result) *render.Table {
	return devicesTable(devices, results, false)
}

// plannedFeature is the feature of a device's event ("" when none).
func plannedFeature(d energy.Device, event string) string {
	for _, e := range d.Events {
		if e.Name == event {
			return e.Feature
		}
	}
	return ""
}
