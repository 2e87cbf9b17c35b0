package economics

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/economics"
)

// Doc is the output of iotpm economics, in the JSON names of the docs.
type Doc struct {
	Currency  string      `json:"currency"`
	NRE       float64     `json:"nre"`
	NRESource string      `json:"nre_source"`
	Units     float64     `json:"units"`
	Measured  *Measured   `json:"measured,omitempty"`
	Models    []ModelJSON `json:"models"`
	Curve     *CurveJSON  `json:"curve,omitempty"`
	Sweep     *SweepJSON  `json:"sweep,omitempty"`
	Tornado   []Tornado   `json:"tornado,omitempty"`
}

// Measured are the values iotpm metrics gave.
type Measured struct {
	// Activation: each model's that asks (activation: metrics).
	Activation            []MeasuredActivation `json:"activation,omitempty"`
	TicketsPerDeviceMonth *float64             `json:"tickets_per_device_month,omitempty"`
}

// MeasuredActivation is one model's measured activation rate.
type MeasuredActivation struct {
	Model string  `json:"model"`
	Rate  float64 `json:"rate"`
	// Fleet: the whole fleet's rate stands in for the model's (the
	// devices input names none of its units in a mature cohort).
	Fleet bool `json:"whole_fleet"`
	// Basis says which ship cohorts the rate is of.
	Basis string `json:"basis"`
}

// ModelJSON is one model's unit economics.
type ModelJSON struct {
	ID               string            `json:"id"`
	Units            float64           `json:"units"`
	LifeMonths       int               `json:"life_months"`
	Activation       float64           `json:"activation"`
	HardwareMargin   float64           `json:"hardware_margin"`
	NREPerUnit       float64           `json:"nre_per_unit"`
	MessagesPerMonth float64           `json:"messages_per_month"`
	MBPerMonth       float64           `json:"mb_per_month"`
	Monthly          economics.Monthly `json:"monthly"`
	RecurringCost    float64           `json:"recurring_cost"`
	LTV              float64           `json:"ltv"`
	// PaybackMonths is null when the unit does not pay back within life.
	PaybackMonths *int       `json:"payback_months"`
	Rates         []RateJSON `json:"rates,omitempty"`
}

// RateJSON is a rate card a model uses.
type RateJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source"`
	AsOf   string `json:"as_of"`
	Note   string `json:"note,omitempty"`
}

// CurveJSON is one model's cash curve.
type CurveJSON struct {
	Model  string            `json:"model"`
	Months []economics.Month `json:"months"`
}

// SweepJSON is LTV and payback for each value of one input.
type SweepJSON struct {
	Input string     `json:"input"`
	Rows  []SweepRow `json:"rows"`
}

// SweepRow is one model at one value.
type SweepRow struct {
	Value         float64 `json:"value"`
	Text          string  `json:"-"`
	Model         string  `json:"model"`
	LTV           float64 `json:"ltv"`
	PaybackMonths *int    `json:"payback_months"`
}

// Tornado is one model's bars.
type Tornado struct {
	Model string          `json:"model"`
	Share float64         `json:"share"`
	LTV   float64         `json:"ltv"`
	Bars  []economics.Bar `json:"bars"`
}

func buildDoc(e *planning.Economics, device string, sw *sweep, tornado float64) (*Doc, error) {
	doc := &Doc{Currency: e.File.Currency, NRE: e.Scenario.NRE, NRESource: e.NRESource}
	if e.MeasuredActivation != nil || e.MeasuredTickets != nil {
		doc.Measured = &Measured{TicketsPerDeviceMonth: e.MeasuredTickets}
		for _, a := range e.MeasuredActivation {
			doc.Measured.Activation = append(doc.Measured.Activation, MeasuredActivation(a))
		}
	}
	for i, r := range e.Results {
		m := e.Scenario.Models[i]
		doc.Units += m.Units
		if device != "" && r.ID != device {
			continue
		}
		mj := ModelJSON{ID: r.ID, Units: m.Units, LifeMonths: m.LifeMonths, Activation: m.Activation, HardwareMargin: r.HardwareMargin,
			NREPerUnit: r.NREPerUnit, MessagesPerMonth: r.Messages, MBPerMonth: r.MB, Monthly: r.Monthly,
			RecurringCost: r.Monthly.Cost(), LTV: r.LTV, PaybackMonths: r.PaybackMonths()}
		for _, c := range e.File.Models[i].Rates {
			mj.Rates = append(mj.Rates, RateJSON{ID: c.ID, Name: c.Name, Source: c.Source, AsOf: c.AsOf, Note: c.Note})
		}
		doc.Models = append(doc.Models, mj)
		if device != "" && sw == nil && tornado == 0 {
			doc.Curve = &CurveJSON{Model: r.ID, Months: r.Curve}
		}
	}
	if sw != nil {
		doc.Sweep = &SweepJSON{Input: sw.Input}
		for k, v := range sw.Values {
			sc, err := e.Scenario.With(sw.Input, "", v)
			if err != nil {
				return nil, err
			}
			rs, err := sc.Evaluate()
			if err != nil {
				return nil, failure.UsageErrorf("--sweep %s=%s: %v", sw.Input, sw.Texts[k], err)
			}
			for _, r := range rs {
				if device == "" || r.ID == device {
					doc.Sweep.Rows = append(doc.Sweep.Rows, SweepRow{Value: v, Text: sw.Texts[k], Model: r.ID, LTV: r.LTV, PaybackMonths: r.PaybackMonths()})
				}
			}
		}
	}
	if tornado > 0 {
		for _, r := range e.Results {
			if device != "" && r.ID != device {
				continue
			}
			bars, err := e.Scenario.Tornado(r.ID, tornado)
			if err != nil {
				return nil, err
			}
			doc.Tornado = append(doc.Tornado, Tornado{Model: r.ID, Share: tornado, LTV: r.LTV, Bars: bars})
		}
	}
	return doc, nil
}

func paybackText(p *int) string {
	switch {
	case p == nil:
		return "never"
	case *p == 0:
		return "0 (hardware)"
	}
	return strconv.Itoa(*p) + " mo"
}

func (d *Doc) modelsTable(exact bool) *render.Table {
	// ACTIVATION: every monthly figure is per activated device, and LTV
	// moves with it; measured per model, it differs by model
	t := &render.Table{Columns: []render.Column{{Header: "MODEL"}, {Header: "UNITS", Right: true, Hide: 5}, {Header: "ACTIVATION", Right: true, Hide: 4}, {Header: "HW MARGIN", Right: true},
		{Header: "NRE/UNIT", Right: true, Hide: 4}, {Header: "REVENUE/MO", Right: true}, {Header: "CONN/MO", Right: true, Hide: 3},
		{Header: "CLOUD/MO", Right: true, Hide: 3}, {Header: "SUPPORT/MO", Right: true, Hide: 3}, {Header: "COST/MO", Right: true},
		{Header: "LTV", Right: true}, {Header: "PAYBACK", Right: true}}}
	money := func(x float64) string {
		if exact {
			return render.Exact(x)
		}
		return render.Money(x, d.Currency)
	}
	for _, m := range d.Models {
		pb := paybackText(m.PaybackMonths)
		if exact {
			pb = ""
			if m.PaybackMonths != nil {
				pb = strconv.Itoa(*m.PaybackMonths)
			}
		}
		units := render.Number(m.Units, 0)
		if exact {
			units = render.Exact(m.Units)
		}
		activation := render.Percent(m.Activation, 1)
		if exact {
			activation = render.Exact(m.Activation)
		}
		t.Append(m.ID, units, activation, money(m.HardwareMargin), money(m.NREPerUnit), money(m.Monthly.Revenue), money(m.Monthly.Connectivity),
			money(m.Monthly.Cloud), money(m.Monthly.Support), money(m.RecurringCost), money(m.LTV), pb)
	}
	if exact {
		for i, h := range []string{"id", "units", "activation", "hardware_margin", "nre_per_unit", "revenue", "connectivity", "cloud", "support", "recurring_cost", "ltv", "payback_months"} {
			t.Columns[i].Header = h
		}
	}
	return t
}

func (d *Doc) curveTable(exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "MONTH", Right: true}, {Header: "CASH", Right: true}, {Header: "CUMULATIVE", Right: true}}}
	for _, m := range d.Curve.Months {
		if exact {
			t.Append(strconv.Itoa(m.Month), render.Exact(m.Cash), render.Exact(m.Cumulative))
		} else {
			t.Append(strconv.Itoa(m.Month), render.Money(m.Cash, d.Currency), render.Money(m.Cumulative, d.Currency))
		}
	}
	if exact {
		t.Columns[0].Header, t.Columns[1].Header, t.Columns[2].Header = "month", "cash", "cumulative"
	}
	return t
}

func (d *Doc) sweepTable(exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: strings.ToUpper(d.Sweep.Input)}, {Header: "MODEL"}, {Header: "LTV", Right: true}, {Header: "PAYBACK", Right: true}}}
	for _, r := range d.Sweep.Rows {
		if exact {
			pb := ""
			if r.PaybackMonths != nil {
				pb = strconv.Itoa(*r.PaybackMonths)
			}
			t.Append(render.Exact(r.Value), r.Model, render.Exact(r.LTV), pb)
		} else {
			t.Append(r.Text, r.Model, render.Money(r.LTV, d.Currency), paybackText(r.PaybackMonths))
		}
	}
	if exact {
		t.Columns[0].Header, t.Columns[1].Header, t.Columns[2].Header, t.Columns[3].Header = d.Sweep.Input, "model", "ltv", "payback_months"
	}
	return t
}

func (d *Doc) tornadoTable(exact bool) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "MODEL"}, {Header: "INPUT"}, {Header: "VALUE", Right: true}, {Header: "LTV LOW", Right: true},
		{Header: "LTV HIGH", Right: true}, {Header: "WIDTH", Right: true}}}
	for _, tor := range d.Tornado {
		for _, b := range tor.Bars {
			if exact {
				t.Append(tor.Model, b.Input, render.Exact(b.Base), render.Exact(b.LTVLow), render.Exact(b.LTVHigh), render.Exact(b.Width()))
			} else {
				t.Append(tor.Model, b.Input, render.Number(b.Base, 4), render.Money(b.LTVLow, d.Currency), render.Money(b.LTVHigh, d.Currency), render.Money(b.Width(), d.Currency))
			}
		}
	}
	if exact {
		for i, h := range []string{"model", "input", "value", "ltv_low", "ltv_high", "width"} {
			t.Columns[i].Header = h
		}
	}
	return t
}

// chart is the cash curve as a Mermaid xychart (cumulative cash by month),
// or, without a curve, the models' LTV as bars.
func (d *Doc) chart() string {
	var b strings.Builder
	coord := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', 2, 64) }
	if d.Curve != nil {
		fmt.Fprintf(&b, "xychart-beta\n    title \"%s: cumulative cash per unit (%s)\"\n    x-axis \"month\" [", render.MermaidText(d.Curve.Model), d.Currency)
		var xs, ys []string
		for _, m := range d.Curve.Months {
			xs, ys = append(xs, strconv.Itoa(m.Month)), append(ys, coord(m.Cumulative))
		}
		fmt.Fprintf(&b, "%s]\n    y-axis \"%s\"\n    line [%s]\n", strings.Join(xs, ", "), d.Currency, strings.Join(ys, ", "))
		return b.String()
	}
	fmt.Fprintf(&b, "xychart-beta\n    title \"Lifetime value per shipped unit (%s)\"\n    x-axis [", d.Currency)
	var xs, ys []string
	for _, m := range d.Models {
		xs, ys = append(xs, strconv.Quote(render.MermaidText(m.ID))), append(ys, coord(m.LTV))
	}
	fmt.Fprintf(&b, "%s]\n    y-axis \"%s\"\n    bar [%s]\n", strings.Join(xs, ", "), d.Currency, strings.Join(ys, ", "))
	return b.String()
}

// notes are the lines under the table: where the NRE and the measured
// values come from, and the rate cards used, with their sources.
func (d *Doc) notes() []string {
	var out []string
	src := "economics.yaml"
	if d.NRESource == "plan" {
		src = "the roadmap's tooling and certification fees"
	}
	out = append(out, fmt.Sprintf("NRE %s (%s) spread over %s units. Amounts in %s, per shipped unit; monthly figures per activated device.",
		render.Money(d.NRE, d.Currency), src, render.Number(d.Units, 0), d.Currency))
	if m := d.Measured; m != nil {
		var parts []string
		for _, a := range m.Activation {
			parts = append(parts, a.Model+" activation "+render.Percent(a.Rate, 1)+" ("+a.Basis+")")
		}
		if m.TicketsPerDeviceMonth != nil {
			t := "tickets " + render.Number(*m.TicketsPerDeviceMonth, 4) + " per device-month"
			if len(d.Models) > 1 {
				// a ticket names a customer, not a device: one rate for all
				t += " (the whole fleet's, for each model: a ticket names a customer, not a device)"
			}
			parts = append(parts, t)
		}
		out = append(out, "Measured by iotpm metrics: "+strings.Join(parts, ", ")+".")
	}
	seen := map[string]bool{}
	for _, m := range d.Models {
		for _, r := range m.Rates {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			line := fmt.Sprintf("Rate card %s: %s; %s, as of %s", r.ID, r.Name, r.Source, r.AsOf)
			if r.Note != "" {
				line += "; " + r.Note
			}
			out = append(out, line+". Check it against your contract.")
		}
	}
	return out
}

func write(w io.Writer, format render.Format, d *Doc, term render.Term) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, d)
	case cmdutil.FormatMermaid:
		_, err := io.WriteString(w, d.chart())
		return err
	case render.FormatCSV:
		switch {
		case d.Curve != nil:
			return d.curveTable(true).CSV(w)
		case d.Sweep != nil:
			return d.sweepTable(true).CSV(w)
		case d.Tornado != nil:
			return d.tornadoTable(true).CSV(w)
		}
		return d.modelsTable(true).CSV(w)
	}
	md := format == render.FormatMarkdown
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "## %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "%s\n", strings.ToUpper(title))
		return t.Text(w, term)
	}
	if err := section("Unit economics", d.modelsTable(false)); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, n := range d.notes() {
		if md {
			fmt.Fprintln(w, "- "+n)
		} else {
			io.WriteString(w, render.Wrap(n, term.Width))
		}
	}
	var err error
	switch {
	case d.Curve != nil:
		fmt.Fprintln(w)
		err = section("Cash curve per shipped "+d.Curve.Model, d.curveTable(false))
		if md {
			fmt.Fprintf(w, "\n```mermaid\n%s```\n", d.chart())
		}
	case d.Sweep != nil:
		fmt.Fprintln(w)
		err = section("Sweep of "+d.Sweep.Input, d.sweepTable(false))
	case d.Tornado != nil:
		fmt.Fprintln(w)
		err = section(fmt.Sprintf("Tornado: LTV with each input ±%s (widest first)", render.Percent(d.Tornado[0].Share, 1)), d.tornadoTable(false))
	}
	return err
}

func writeRates(w io.Writer, format render.Format, term render.Term) error {
	t := &render.Table{Columns: []render.Column{{Header: "ID"}, {Header: "KIND", Hide: 1}, {Header: "NAME", Wrap: true}, {Header: "PRICE", Wrap: true}, {Header: "SOURCE", Wrap: true}, {Header: "AS OF"}}}
	for _, r := range economics.Rates() {
		price := ""
		switch r.Kind {
		case "cloud":
			price = fmt.Sprintf("%s per million messages", render.Money(r.Cloud.PerMillionMessages, r.Currency))
		case "connectivity":
			price = fmt.Sprintf("%s per device-month", render.Money(r.Connectivity.PerMonth, r.Currency))
			if r.Connectivity.PerMB > 0 {
				price += fmt.Sprintf(" + %s per MB", render.Money(r.Connectivity.PerMB, r.Currency))
			}
		}
		t.Append(r.ID, r.Kind, r.Name, price, r.Source, r.AsOf)
	}
	return render.Write(w, format, economics.Rates(), t, term)
}

// WriteReport writes the unit economics as a section of iotpm report:
// the models' table and notes, and the LTV chart; or, when measured
// values could not be had, what is missing.
func WriteReport(w io.Writer, e *planning.Economics) error {
	if len(e.Unmeasured) > 0 {
		fmt.Fprintf(w, "## Unit economics\n\nNot computed: %s\n", e.Unmeasured[0].Message)
		return nil
	}
	doc, err := buildDoc(e, "", nil, 0)
	if err != nil {
		return err
	}
	if err := write(w, render.FormatMarkdown, doc, render.Term{}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\n```mermaid\n%s```\n", doc.chart())
	return err
}

// ModelsTable is the models' table for other documents (the HTML report);
// nil when a measured input is missing (Unmeasured says why).
func ModelsTable(e *planning.Economics) (*render.Table, error) {
	if len(e.Unmeasured) > 0 {
		return nil, nil
	}
	doc, err := buildDoc(e, "", nil, 0)
	if err != nil {
		return nil, err
	}
	return doc.modelsTable(false), nil
}
