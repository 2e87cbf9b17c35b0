package diff

import (
	"fmt"
	"math"

	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"
)

// EconomicsChange is a model whose unit economics the change alters.
// Recurring is K, the cost of an activated device-month; Activated the
// units that activate after the change (units × activation), which the
// recurring change costs every month.
type EconomicsChange struct {
	Model           string  `json:"model"`
	Currency        string  `json:"currency"`
	RecurringBefore float64 `json:"recurring_cost_before"`
	RecurringAfter  float64 `json:"recurring_cost_after"`
	Activated       float64 `json:"activated_units"`
	LTVBefore       float64 `json:"ltv_before"`
	LTVAfter        float64 `json:"ltv_after"`
	PaybackBefore   *int    `json:"payback_months_before"`
	PaybackAfter    *int    `json:"payback_months_after"`
	// NREPerUnitBefore and After are the NRE each shipped unit carries
	// (the NRE over every model's units): a model added or removed, or
	// units changed, moves every model's LTV through it alone.
	NREPerUnitBefore float64 `json:"nre_per_unit_before"`
	NREPerUnitAfter  float64 `json:"nre_per_unit_after"`
	// Added and Removed: the model is on one side only (its figures on
	// the other side are zero and shown as "-").
	Added   bool `json:"added,omitempty"`
	Removed bool `json:"removed,omitempty"`
}

// same is equality up to rounding noise (a cent's millionth).
func same(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

// compareEconomics lines up the models computed on both sides; a model on
// one side only is added or removed (a pull request that adds a model
// losing money says so), and a side whose economics could not be computed
// is not compared (its problems are reported by the run).
func (d *Diff) compareEconomics(base, head *planning.Results) {
	b, h := base.Economics, head.Economics
	if b == nil || h == nil || b.Results == nil || h.Results == nil || b.File.Currency != h.File.Currency {
		return
	}
	for i, hr := range h.Results {
		j := b.Model(hr.ID)
		if j < 0 {
			d.Economics = append(d.Economics, EconomicsChange{Model: hr.ID, Currency: h.File.Currency, RecurringAfter: hr.Monthly.Cost(),
				Activated: h.Scenario.Models[i].Units * h.Scenario.Models[i].Activation, LTVAfter: hr.LTV, PaybackAfter: hr.PaybackMonths(),
				NREPerUnitAfter: hr.NREPerUnit, Added: true})
			continue
		}
		br := b.Results[j]
		c := EconomicsChange{Model: hr.ID, Currency: h.File.Currency, RecurringBefore: br.Monthly.Cost(), RecurringAfter: hr.Monthly.Cost(),
			Activated: h.Scenario.Models[i].Units * h.Scenario.Models[i].Activation, LTVBefore: br.LTV, LTVAfter: hr.LTV,
			PaybackBefore: br.PaybackMonths(), PaybackAfter: hr.PaybackMonths(), NREPerUnitBefore: br.NREPerUnit, NREPerUnitAfter: hr.NREPerUnit}
		if same(c.RecurringBefore, c.RecurringAfter) && same(c.LTVBefore, c.LTVAfter) && br.Payback == hr.Payback {
			continue
		}
		d.Economics = append(d.Economics, c)
	}
	for _, br := range b.Results {
		if h.Model(br.ID) < 0 {
			d.Economics = append(d.Economics, EconomicsChange{Model: br.ID, Currency: b.File.Currency, RecurringBefore: br.Monthly.Cost(),
				LTVBefore: br.LTV, PaybackBefore: br.PaybackMonths(), NREPerUnitBefore: br.NREPerUnit, Removed: true})
		}
	}
}

// sides words a figure before → after, "-" on the side a model is not on.
func (c EconomicsChange) sides(before, after string) string {
	switch {
	case c.Added:
		return "- → " + after
	case c.Removed:
		return before + " → -"
	}
	return before + " → " + after
}

func signedMoney(x float64, currency string) string {
	if x > 0 {
		return "+" + render.MoneyFine(x, currency)
	}
	return render.MoneyFine(x, currency)
}

func paybackText(p *int) string {
	if p == nil {
		return "never"
	}
	return fmt.Sprintf("%d mo", *p)
}

// summary is the model's part of the diff's summary line:
// "drip-lora recurring +$0.12/device-month (× 32,000 activated = $3,840/month); LTV $61.20 → $55.40".
func (c EconomicsChange) summary() string {
	switch {
	case c.Added:
		return fmt.Sprintf("%s added: recurring %s/device-month, LTV %s, payback %s", c.Model, render.MoneyFine(c.RecurringAfter, c.Currency),
			render.Money(c.LTVAfter, c.Currency), paybackText(c.PaybackAfter))
	case c.Removed:
		return fmt.Sprintf("%s removed (LTV was %s)", c.Model, render.Money(c.LTVBefore, c.Currency))
	}
	s := c.Model
	if !same(c.RecurringBefore, c.RecurringAfter) {
		delta := c.RecurringAfter - c.RecurringBefore
		s += fmt.Sprintf(" recurring %s/device-month (× %s activated = %s/month);", signedMoney(delta, c.Currency),
			render.Number(c.Activated, 0), signedMoney(delta*c.Activated, c.Currency))
	}
	s += fmt.Sprintf(" LTV %s → %s", render.Money(c.LTVBefore, c.Currency), render.Money(c.LTVAfter, c.Currency))
	if paybackText(c.PaybackBefore) != paybackText(c.PaybackAfter) {
		s += fmt.Sprintf(", payback %s → %s", paybackText(c.PaybackBefore), paybackText(c.PaybackAfter))
	}
	return s
}
