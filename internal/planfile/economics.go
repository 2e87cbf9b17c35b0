package planfile

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/economics"
	"go.yaml.in/yaml/v3"
)

// EconomicsFileName is the unit-economics file's default name.
const EconomicsFileName = "economics.yaml"

// DefaultLifeMonths is how long a device earns and costs when neither the
// file nor the model says: 5 years.
const DefaultLifeMonths = 60

// EconomicsFile is the schema of economics.yaml.
type EconomicsFile struct {
	// Currency is the ISO 4217 code every amount of the file is in.
	Currency string `yaml:"currency" check:"required"`
	// Life is how long a device earns and costs (default 5y).
	Life *Months `yaml:"life"`
	// NRE the plan's units carry: an amount, or plan (the roadmap's
	// tooling and certification fees, in USD).
	NRE *NRESpec `yaml:"nre"`
	// Discount is a yearly discount rate for the monthly cash (off when
	// absent).
	Discount    *AnnualRate                   `yaml:"discount"`
	Models      map[string]ModelEconomicsSpec `yaml:"models" check:"required"`
	Placeholder Placeholder                   `yaml:"placeholder"`
	Pos         Pos                           `yaml:"-"`
}

// ModelEconomicsSpec is one device model's business inputs; its key is a
// devices.yaml device id.
type ModelEconomicsSpec struct {
	Units    *float64  `yaml:"units" check:"required,min=0,max=1e12"`
	Price    *float64  `yaml:"price" check:"required,min=0,max=1e9"`
	Channel  *Fraction `yaml:"channel"`
	BOM      *float64  `yaml:"bom" check:"required,min=0,max=1e9"`
	Assembly *float64  `yaml:"assembly" check:"min=0,max=1e9"`
	// Activation is the share of units that activate, or metrics: the
	// measured activation rate.
	Activation   *ShareOrMetrics   `yaml:"activation" check:"required"`
	Subscription *SubscriptionSpec `yaml:"subscription"`
	Churn        *Churn            `yaml:"churn"` // per month, of paying devices
	Connectivity *ConnectivitySpec `yaml:"connectivity"`
	Cloud        *CloudSpec        `yaml:"cloud"`
	Support      *SupportSpec      `yaml:"support"`
	Life         *Months           `yaml:"life"`
	Pos          Pos               `yaml:"-"`
}

// SubscriptionSpec is the monthly subscription: its price and the share of
// activated devices that pay it.
type SubscriptionSpec struct {
	Price  *MonthlyPrice `yaml:"price" check:"required,min=0,max=1e6"`
	Attach *Fraction     `yaml:"attach" check:"required"`
	Pos    Pos           `yaml:"-"`
}

// ConnectivitySpec is the network's price: a rate card of the catalog
// (iotpm economics --list-rates), and/or the figures, which override the
// card's.
type ConnectivitySpec struct {
	Rates    string   `yaml:"rates"`
	PerMB    *float64 `yaml:"per_mb" check:"min=0,max=1e6"`
	Overhead *Bytes   `yaml:"overhead"`
	PerMonth *float64 `yaml:"per_month" check:"min=0,max=1e6"`
	Pos      Pos      `yaml:"-"`
}

// FromScalar implements ScalarShorthand: connectivity: 1nce-lifetime.
func (c *ConnectivitySpec) FromScalar(n *yaml.Node) error {
	*c = ConnectivitySpec{Rates: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// CloudSpec is the cloud's price: a rate card and/or the figures.
type CloudSpec struct {
	Rates              string   `yaml:"rates"`
	PerMillionMessages *float64 `yaml:"per_million_messages" check:"min=0,max=1e9"`
	PerDeviceMonth     *float64 `yaml:"per_device_month" check:"min=0,max=1e6"`
	Pos                Pos      `yaml:"-"`
}

// FromScalar implements ScalarShorthand: cloud: aws-iot-core.
func (c *CloudSpec) FromScalar(n *yaml.Node) error {
	*c = CloudSpec{Rates: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// SupportSpec is the helpdesk's cost: per ticket, times the tickets per
// device-month (given, or measured from the tickets export when absent).
type SupportSpec struct {
	PerTicket             *float64         `yaml:"per_ticket" check:"required,min=0,max=1e6"`
	TicketsPerDeviceMonth *NumberOrMetrics `yaml:"tickets_per_device_month"`
	Pos                   Pos              `yaml:"-"`
}

// ShareOrMetrics is a share (80%, 0.8) or "metrics": the value measured
// by iotpm metrics.
type ShareOrMetrics struct {
	Metrics bool
	Value   float64
}

// UnmarshalNode implements NodeUnmarshaler.
func (s *ShareOrMetrics) UnmarshalNode(n *yaml.Node) error {
	if n.Value == "metrics" {
		*s = ShareOrMetrics{Metrics: true}
		return nil
	}
	v, err := ParseFraction(n.Value)
	if err != nil {
		return fmt.Errorf("%v, or metrics (the rate iotpm metrics measures)", err)
	}
	*s = ShareOrMetrics{Value: v}
	return nil
}

// JSONSchema describes a share or metrics.
func (*ShareOrMetrics) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{(*Confidence)(nil).JSONSchema(), map[string]any{"const": "metrics"}}}
}

// NumberOrMetrics is a number ≥ 0 or "metrics".
type NumberOrMetrics struct {
	Metrics bool
	Value   float64
}

// UnmarshalNode implements NodeUnmarshaler.
func (s *NumberOrMetrics) UnmarshalNode(n *yaml.Node) error {
	if n.Value == "metrics" {
		*s = NumberOrMetrics{Metrics: true}
		return nil
	}
	v, err := ParseNumber(n)
	if err != nil || v < 0 || v > 1e6 {
		return fmt.Errorf("expected a number ≥ 0 (tickets per device-month, e.g. 0.02) or metrics, got %s", describe(n))
	}
	*s = NumberOrMetrics{Value: v}
	return nil
}

// JSONSchema describes a number or metrics.
func (*NumberOrMetrics) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "number", "minimum": 0}, map[string]any{"const": "metrics"}}}
}

// NRESpec is an amount or "plan".
type NRESpec struct {
	Plan   bool
	Amount float64
}

// UnmarshalNode implements NodeUnmarshaler.
func (s *NRESpec) UnmarshalNode(n *yaml.Node) error {
	if n.Value == "plan" {
		*s = NRESpec{Plan: true}
		return nil
	}
	v, err := ParseNumber(n)
	if err != nil || v < 0 || v > 1e12 {
		return fmt.Errorf("expected an amount ≥ 0 or plan (the roadmap's tooling and certification fees), got %s", describe(n))
	}
	*s = NRESpec{Amount: v}
	return nil
}

// JSONSchema describes an NRE.
func (*NRESpec) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "number", "minimum": 0}, map[string]any{"const": "plan"}}}
}

// Months is a whole number of months, written with its unit: 5y, 18mo,
// 24 months. A bare number is refused: 5 could be years or months.
type Months int

var monthsRE = regexp.MustCompile(`^\s*(` + quantity.UnsignedNumber + `)\s*(y|yr|years?|mo|months?)\s*$`)

// ParseMonths reads a whole number of months: 5y, 18mo, 24 months.
func ParseMonths(s string) (int, error) {
	m := monthsRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%s is not a number of months; write e.g. 5y or 18mo", quoteClipped(s))
	}
	v, err := quantity.ParseNumber(m[1])
	if err != nil {
		return 0, err
	}
	if strings.HasPrefix(m[2], "y") {
		v *= 12
	}
	if v != float64(int(v)) || v < 1 || v > 600 {
		return 0, fmt.Errorf("%s must be a whole number of months from 1 to 600 (50y)", quoteClipped(s))
	}
	return int(v), nil
}

// UnmarshalNode implements NodeUnmarshaler.
func (mo *Months) UnmarshalNode(n *yaml.Node) error {
	v, err := ParseMonths(n.Value)
	*mo = Months(v)
	return err
}

// JSONSchema describes months.
func (*Months) JSONSchema() map[string]any {
	return pattern(`^\s*[0-9.]+\s*(y|yr|years?|mo|months?)\s*$`, "whole months: 5y, 18mo, 24 months")
}

// Bytes is a size in bytes: 60, 60B, 1kB (10³ bytes), 4MB (10⁶), 512KiB
// (2¹⁰ bytes each), 4MiB (2²⁰).
type Bytes float64

var bytesRE = regexp.MustCompile(`^\s*(` + quantity.UnsignedNumber + `)\s*(B|kB|KB|MB|KiB|MiB)?\s*$`)

var bytesUnit = map[string]float64{"": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "KiB": 1 << 10, "MiB": 1 << 20}

// UnmarshalNode implements NodeUnmarshaler.
func (b *Bytes) UnmarshalNode(n *yaml.Node) error {
	m := bytesRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%s is not a size; write bytes, e.g. 60B, 1kB, 4MB or 4MiB", quoteClipped(n.Value))
	}
	v, err := quantity.ParseNumber(m[1])
	if err != nil {
		return err
	}
	v *= bytesUnit[m[2]]
	if v > 1e9 {
		return fmt.Errorf("%s is more than 1 GB", quoteClipped(n.Value))
	}
	*b = Bytes(v)
	return nil
}

// JSONSchema describes a size.
func (*Bytes) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "number", "minimum": 0}, pattern(`^\s*[0-9.]+\s*(B|kB|KB|MB|KiB|MiB)?\s*$`, "bytes: 60B, 1kB, 4MB, 4MiB")}}
}

// AnnualRate is a yearly rate: 10%/y.
type AnnualRate float64

var annualRE = regexp.MustCompile(`^\s*(` + quantity.UnsignedNumber + `)\s*%\s*/\s*(y|yr|year)\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (r *AnnualRate) UnmarshalNode(n *yaml.Node) error {
	v, err := ParseAnnualRate(n.Value)
	*r = AnnualRate(v)
	return err
}

// ParseAnnualRate reads a yearly rate written with its period, 10%/y, as
// a share a year.
func ParseAnnualRate(s string) (float64, error) {
	m := annualRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%s is not a yearly rate; write e.g. 10%%/y", quoteClipped(s))
	}
	v, err := quantity.ParseNumber(m[1])
	if err != nil || v > 100 {
		return 0, fmt.Errorf("%s must be from 0%%/y to 100%%/y", quoteClipped(s))
	}
	return v / 100, nil
}

// JSONSchema describes a yearly rate.
func (*AnnualRate) JSONSchema() map[string]any {
	return pattern(`^\s*[0-9.]+\s*%\s*/\s*(y|yr|year)\s*$`, "a yearly rate, e.g. 10%/y")
}

// Churn is the share of paying customers lost per month: 2% (a plain
// share is monthly), 2%/month, or a yearly rate 20%/y, which is the monthly
// rate that loses as much over twelve months (1 − (1 − 20%)^(1/12)).
type Churn float64

var churnRE = regexp.MustCompile(`^\s*(` + quantity.UnsignedNumber + `)\s*%\s*/\s*(mo|month|y|yr|year)\s*$`)

// UnmarshalNode implements NodeUnmarshaler. A plain share of 10% or more
// is kept with a warning: that is a yearly churn written without its
// period as often as a monthly one (20% a month keeps 7% of the paying
// customers after a year).
func (c *Churn) UnmarshalNode(n *yaml.Node) error {
	v, plain, err := ParseChurn(n.Value)
	if err != nil {
		return err
	}
	*c = Churn(v)
	if plain && v >= 0.1 {
		kept := math.Pow(1-v, 12)
		pct := render.Percent(v, 2)
		return &Warning{Message: fmt.Sprintf("churn %s is read per month, so %s of paying customers are left after a year; write %s/month to say so, or %s/y for a yearly churn",
			strings.TrimSpace(n.Value), render.Percent(kept, 1), pct, pct)}
	}
	return nil
}

// ParseChurn reads a churn as the share lost a month: 2% or 0.02 (plain:
// written without its period), 2%/month, or 20%/y (the monthly rate that
// keeps 80% after twelve months).
func ParseChurn(s string) (monthly float64, plain bool, err error) {
	if m := churnRE.FindStringSubmatch(s); m != nil {
		v, err := quantity.ParseNumber(m[1])
		if err != nil || v > 100 {
			return 0, false, fmt.Errorf("%s must be from 0%% to 100%% a period", quoteClipped(s))
		}
		if v /= 100; m[2][0] == 'y' {
			v = 1 - math.Pow(1-v, 1.0/12)
		}
		return v, false, nil
	}
	if strings.Contains(s, "/") {
		return 0, false, fmt.Errorf("%s: churn is per month or per year; write e.g. 2%%/month or 20%%/y", quoteClipped(s))
	}
	v, err := ParseFraction(s)
	if err != nil {
		return 0, true, fmt.Errorf("%v, per month (or a rate with its period: 2%%/month, 20%%/y)", err)
	}
	return v, true, nil
}

// JSONSchema describes a churn.
func (*Churn) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{(*Confidence)(nil).JSONSchema(),
		pattern(`^\s*`+quantity.UnsignedNumber+`\s*%\s*/\s*(mo|month|y|yr|year)\s*$`, "a churn with its period, e.g. 2%/month or 20%/y")}}
}

// MonthlyPrice is an amount a month: a number (per month), or an amount
// with its period, 2.99/month or 29.99/y. A yearly price counts a twelfth
// in each month: the model's cash is monthly, so an annual plan's revenue
// is spread over the months it pays for (its churn too is then a monthly
// rate).
type MonthlyPrice float64

var monthlyPriceRE = regexp.MustCompile(`^\s*(` + quantity.UnsignedNumber + `)\s*/\s*(mo|month|y|yr|year)\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (p *MonthlyPrice) UnmarshalNode(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		v, err := ParseMonthlyPrice(n.Value)
		if err != nil {
			return fmt.Errorf("expected a price a month (2.99), or with its period (2.99/month, 29.99/y), got %s", describe(n))
		}
		*p = MonthlyPrice(v)
		return nil
	}
	v, err := ParseNumber(n)
	if err != nil {
		return fmt.Errorf("%v; a price a month (2.99), or with its period (2.99/month, 29.99/y)", err)
	}
	if v < 0 {
		return fmt.Errorf("must be at least 0; got %s", n.Value)
	}
	*p = MonthlyPrice(v)
	return nil
}

// ParseMonthlyPrice reads 2.99 (a month), 2.99/month or 29.99/y (a twelfth
// of it a month) as an amount a month.
func ParseMonthlyPrice(s string) (float64, error) {
	if m := monthlyPriceRE.FindStringSubmatch(s); m != nil {
		v, err := quantity.ParseNumber(m[1])
		if err == nil && m[2][0] == 'y' {
			v /= 12
		}
		return v, err
	}
	v, err := quantity.ParseNumber(strings.TrimSpace(s))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s is not a price a month; write e.g. 2.99, 2.99/month or 29.99/y", quoteClipped(s))
	}
	return v, nil
}

// JSONSchema describes a monthly price.
func (*MonthlyPrice) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "number", "minimum": 0},
		pattern(`^\s*`+quantity.UnsignedNumber+`\s*/\s*(mo|month|y|yr|year)\s*$`, "a price with its period, e.g. 2.99/month or 29.99/y")}}
}

// Economics is a loaded and checked economics.yaml.
type Economics struct {
	File     string
	Currency string
	// NRE is the amount the file gives; PlanNRE: take the roadmap's.
	NRE     float64
	PlanNRE bool
	Models  []EconomicsModel // by id
	Pos     Pos              // of the file's top mapping
}

// EconomicsModel is one model's inputs, resolved, before the measured
// values and the device's traffic are filled in.
type EconomicsModel struct {
	economics.Model
	// ActivationFromMetrics and TicketsFromMetrics: take these from
	// iotpm metrics.
	ActivationFromMetrics, TicketsFromMetrics bool
	// Rates are the catalog cards the model uses.
	Rates []economics.RateCard
	Pos   Pos
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// UnreadFleet stands for a devices.yaml that exists but has problems of
// its own: LoadEconomics then checks no model against its device ids
// (unknown) rather than call the file missing.
var UnreadFleet = &Fleet{}

// LoadEconomics reads and checks an economics file; fleet gives the device
// ids a model must name (nil: the repo has no devices.yaml; UnreadFleet:
// it has one that could not be read).
func LoadEconomics(path string, fleet *Fleet) (*Economics, diag.List) {
	data, diags := ReadFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	return ParseEconomics(path, data, fleet)
}

// ParseEconomics decodes and checks an economics file, reporting every
// problem.
func ParseEconomics(file string, data []byte, fleet *Fleet) (*Economics, diag.List) {
	var spec EconomicsFile
	diags := Decode(file, data, &spec)
	if len(diags) > 0 && diags[0].Line == 0 {
		return nil, diags
	}
	errorf := func(p Pos, format string, args ...any) { diags.Errorf(diag.Plan, file, p.Line, p.Col, format, args...) }
	out := &Economics{File: file, Currency: spec.Currency, Pos: spec.Pos}
	if spec.Currency != "" && !currencyRE.MatchString(spec.Currency) {
		errorf(spec.Pos, "currency: %s is not an ISO 4217 code; write three capital letters, e.g. USD or EUR", quoteClipped(spec.Currency))
	}
	if spec.NRE != nil {
		out.NRE, out.PlanNRE = spec.NRE.Amount, spec.NRE.Plan
		if out.PlanNRE && spec.Currency != "" && spec.Currency != "USD" {
			errorf(spec.Pos, "nre: plan is the roadmap's tooling and certification fees, which are in USD, and this file is in %s: write the NRE in %s as an amount (iotpm converts no currency)", spec.Currency, spec.Currency)
		}
	}
	life := DefaultLifeMonths
	if spec.Life != nil {
		life = int(*spec.Life)
	}
	var ids []string
	if fleet != nil {
		for _, d := range fleet.Profiles() {
			ids = append(ids, d.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(spec.Models)) {
		ms := spec.Models[id]
		switch {
		case fleet == UnreadFleet:
			// devices.yaml's own problems are reported; its ids are unknown
		case fleet == nil:
			errorf(ms.Pos, "models: %s: a model is a devices.yaml device (its traffic comes from the profile's events), and the repo has no devices.yaml", id)
			continue
		case !slices.Contains(ids, id):
			errorf(ms.Pos, "models: %s is no device of %s%s", quoteClipped(id), fleet.File, didYouMean(id, ids))
			continue
		}
		m := EconomicsModel{Model: economics.Model{ID: id, LifeMonths: life, Discount: float64(ptrOr(spec.Discount, 0))}, Pos: ms.Pos}
		m.Units, m.Price, m.BOM, m.Assembly = ptrOr(ms.Units, 0), ptrOr(ms.Price, 0), ptrOr(ms.BOM, 0), ptrOr(ms.Assembly, 0)
		m.Channel, m.Churn = float64(ptrOr(ms.Channel, 0)), float64(ptrOr(ms.Churn, 0))
		if ms.Life != nil {
			m.LifeMonths = int(*ms.Life)
		}
		if a := ms.Activation; a != nil {
			m.Activation, m.ActivationFromMetrics = a.Value, a.Metrics
		}
		if s := ms.Subscription; s != nil {
			m.SubscriptionPrice, m.Attach = float64(ptrOr(s.Price, 0)), float64(ptrOr(s.Attach, 0))
		}
		rate := func(cardID string, kind string, pos Pos) (economics.RateCard, bool) {
			card, ok := economics.LookupRate(cardID)
			if !ok {
				var known []string
				for _, r := range economics.Rates() {
					if r.Kind == kind {
						known = append(known, r.ID)
					}
				}
				errorf(pos, "models: %s: %s: no rate card %s (iotpm economics --list-rates lists them; or write the figures)%s", id, kind, quoteClipped(cardID), didYouMean(cardID, known))
				return card, false
			}
			if card.Kind != kind {
				errorf(pos, "models: %s: %s is a %s rate card, not a %s one", id, card.ID, card.Kind, kind)
				return card, false
			}
			if spec.Currency != "" && card.Currency != spec.Currency {
				errorf(pos, "models: %s: rate card %s is in %s and this file is in %s: write the figures in %s instead (iotpm converts no currency)", id, card.ID, card.Currency, spec.Currency, spec.Currency)
				return card, false
			}
			m.Rates = append(m.Rates, card)
			return card, true
		}
		if c := ms.Connectivity; c != nil {
			if c.Rates != "" {
				if card, ok := rate(c.Rates, "connectivity", c.Pos); ok {
					m.Connectivity = card.Connectivity
				}
			}
			m.Connectivity.PerMB = ptrOr(c.PerMB, m.Connectivity.PerMB)
			m.Connectivity.OverheadBytes = float64(ptrOr(c.Overhead, Bytes(m.Connectivity.OverheadBytes)))
			m.Connectivity.PerMonth = ptrOr(c.PerMonth, m.Connectivity.PerMonth)
			if c.Overhead != nil && c.PerMB == nil && m.Connectivity.PerMB == 0 {
				errorf(c.Pos, "models: %s: connectivity: overhead counts toward the megabytes billed per_mb, and there is no per_mb price: give per_mb or drop overhead", id)
			}
		}
		if c := ms.Cloud; c != nil {
			if c.Rates != "" {
				if card, ok := rate(c.Rates, "cloud", c.Pos); ok {
					m.Cloud = card.Cloud
				}
			}
			m.Cloud.PerMillionMessages = ptrOr(c.PerMillionMessages, m.Cloud.PerMillionMessages)
			m.Cloud.PerDeviceMonth = ptrOr(c.PerDeviceMonth, m.Cloud.PerDeviceMonth)
		}
		if s := ms.Support; s != nil {
			m.Support.PerTicket = ptrOr(s.PerTicket, 0)
			switch t := s.TicketsPerDeviceMonth; {
			case t == nil || t.Metrics:
				m.TicketsFromMetrics = true
			default:
				m.Support.TicketsPerDeviceMonth = t.Value
			}
		}
		for _, w := range amountScale(m.Model, spec.Currency) {
			diags.Warnf(diag.Plan, file, ms.Pos.Line, ms.Pos.Col, "models: %s: %s", id, w)
		}
		out.Models = append(out.Models, m)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return out, diags
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Bounds of amountScale: a device sells for a few times what it costs to
// make (2-6x is usual; far more is a software product's margin), so a
// price more than priceOverCost times the unit cost, or under
// 1/costOverPrice of it, is one amount written in cents beside others in
// whole units (a billing system's export, a Stripe amount) far more often
// than a real price; and a month of subscription costs less than the
// device, so one over subscriptionOverPrice device prices is likely the
// same slip.
const (
	priceOverCost         = 50
	costOverPrice         = 20
	subscriptionOverPrice = 3
)

// amountScale says where a model's amounts look written at another scale
// than each other (cents among whole units). Every figure the model
// computes — margin, LTV, payback, the gates on them — would be wrong by
// that factor with nothing else to show it, so it is a warning at the
// model; the amounts may be right (a giveaway device, a service sold with
// a cheap sensor), which is why it is not an error.
func amountScale(m economics.Model, currency string) []string {
	var out []string
	cost := m.BOM + m.Assembly
	amount := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	in := "in one currency"
	if currency != "" {
		in = "in " + currency
	}
	switch {
	case m.Price <= 0 || cost <= 0:
	case m.Price > priceOverCost*cost:
		out = append(out, fmt.Sprintf("price %s is %.0f× the unit cost (bom + assembly = %s): is the price in cents and the costs in whole units? Every amount of the file is %s; check the price, or ignore this if the device truly sells at that margin",
			amount(m.Price), m.Price/cost, amount(cost), in))
	case cost > costOverPrice*m.Price:
		out = append(out, fmt.Sprintf("the unit cost (bom + assembly = %s) is %.0f× the price %s: are the costs in cents and the price in whole units? Every amount of the file is %s; check bom and assembly, or ignore this if the device is truly sold at that loss",
			amount(cost), cost/m.Price, amount(m.Price), in))
	}
	if m.Price > 0 && m.SubscriptionPrice > subscriptionOverPrice*m.Price {
		out = append(out, fmt.Sprintf("subscription price %s a month is %.1f× the device's price %s: is it in cents? Check it, or ignore this if a month truly costs that much",
			amount(m.SubscriptionPrice), m.SubscriptionPrice/m.Price, amount(m.Price)))
	}
	return out
}
