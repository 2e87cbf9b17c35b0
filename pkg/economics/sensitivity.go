package economics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Input is one input of a model that a sweep or a tornado may vary,
// named as in economics.yaml.
type Input struct {
	Name  string
	Share bool // a share 0..1 (written 80% or 0.8)
	get   func(*Model) float64
	set   func(*Model, float64)
}

// inputs are the model inputs, in economics.yaml's order. "nre" is not a
// model's: Vary handles it.
var inputs = []Input{
	{"units", false, func(m *Model) float64 { return m.Units }, func(m *Model, v float64) { m.Units = v }},
	{"price", false, func(m *Model) float64 { return m.Price }, func(m *Model, v float64) { m.Price = v }},
	{"channel", true, func(m *Model) float64 { return m.Channel }, func(m *Model, v float64) { m.Channel = v }},
	{"bom", false, func(m *Model) float64 { return m.BOM }, func(m *Model, v float64) { m.BOM = v }},
	{"assembly", false, func(m *Model) float64 { return m.Assembly }, func(m *Model, v float64) { m.Assembly = v }},
	{"activation", true, func(m *Model) float64 { return m.Activation }, func(m *Model, v float64) { m.Activation = v }},
	{"subscription.price", false, func(m *Model) float64 { return m.SubscriptionPrice }, func(m *Model, v float64) { m.SubscriptionPrice = v }},
	{"subscription.attach", true, func(m *Model) float64 { return m.Attach }, func(m *Model, v float64) { m.Attach = v }},
	{"churn", true, func(m *Model) float64 { return m.Churn }, func(m *Model, v float64) { m.Churn = v }},
	{"connectivity.per_mb", false, func(m *Model) float64 { return m.Connectivity.PerMB }, func(m *Model, v float64) { m.Connectivity.PerMB = v }},
	{"connectivity.overhead", false, func(m *Model) float64 { return m.Connectivity.OverheadBytes }, func(m *Model, v float64) { m.Connectivity.OverheadBytes = v }},
	{"connectivity.per_month", false, func(m *Model) float64 { return m.Connectivity.PerMonth }, func(m *Model, v float64) { m.Connectivity.PerMonth = v }},
	{"cloud.per_million_messages", false, func(m *Model) float64 { return m.Cloud.PerMillionMessages }, func(m *Model, v float64) { m.Cloud.PerMillionMessages = v }},
	{"cloud.per_device_month", false, func(m *Model) float64 { return m.Cloud.PerDeviceMonth }, func(m *Model, v float64) { m.Cloud.PerDeviceMonth = v }},
	{"support.per_ticket", false, func(m *Model) float64 { return m.Support.PerTicket }, func(m *Model, v float64) { m.Support.PerTicket = v }},
	{"support.tickets_per_device_month", false, func(m *Model) float64 { return m.Support.TicketsPerDeviceMonth }, func(m *Model, v float64) { m.Support.TicketsPerDeviceMonth = v }},
	{"discount", true, func(m *Model) float64 { return m.Discount }, func(m *Model, v float64) { m.Discount = v }},
	// life in months; a varied value is rounded to whole months
	{"life", false, func(m *Model) float64 { return float64(m.LifeMonths) }, func(m *Model, v float64) { m.LifeMonths = int(math.Round(v)) }},
}

// NRE is the name of the plan-wide NRE input.
const NRE = "nre"

// InputNames lists what Vary and Tornado accept.
func InputNames() []string {
	names := []string{NRE}
	for _, in := range inputs {
		names = append(names, in.Name)
	}
	return names
}

// LookupInput finds an input by name; share reports whether its values
// are shares (0..1).
func LookupInput(name string) (share bool, ok bool) {
	if name == NRE {
		return false, true
	}
	i := slices.IndexFunc(inputs, func(in Input) bool { return in.Name == name })
	if i < 0 {
		return false, false
	}
	return inputs[i].Share, true
}

// Scenario is the models and the NRE they carry.
type Scenario struct {
	Models []Model
	NRE    float64
}

// Evaluate computes every model of the scenario.
func (s Scenario) Evaluate() ([]Result, error) { return Evaluate(s.Models, s.NRE) }

// With returns the scenario with input name set to v on the model id (on
// every model when id is ""); nre is plan-wide.
func (s Scenario) With(name, id string, v float64) (Scenario, error) {
	out := Scenario{Models: slices.Clone(s.Models), NRE: s.NRE}
	if name == NRE {
		out.NRE = v
		return out, nil
	}
	i := slices.IndexFunc(inputs, func(in Input) bool { return in.Name == name })
	if i < 0 {
		return s, fmt.Errorf("unknown input %q; inputs: %s", name, strings.Join(InputNames(), ", "))
	}
	found := false
	for k := range out.Models {
		if id == "" || out.Models[k].ID == id {
			inputs[i].set(&out.Models[k], v)
			found = true
		}
	}
	if !found {
		return s, fmt.Errorf("no model %q", id)
	}
	return out, nil
}

// Bar is one input's tornado bar: the model's LTV with the input lowered
// and raised by the tornado's share.
type Bar struct {
	Input     string  `json:"input"`
	Base      float64 `json:"base"`     // the input's value
	Low, High float64 `json:"-"`        // the input's varied values
	LTVLow    float64 `json:"ltv_low"`  // LTV at the lowered value
	LTVHigh   float64 `json:"ltv_high"` // LTV at the raised value
}

// Width is how far apart the bar's LTVs are.
func (b Bar) Width() float64 { return math.Abs(b.LTVHigh - b.LTVLow) }

// Tornado varies each input of model id by ±share of its value (a share
// input is capped at 1), one at a time, and returns the bars widest first
// (ties by name): the assumption the model's LTV depends on most comes
// first. Inputs whose value is 0 do not move and are left out.
func (s Scenario) Tornado(id string, share float64) ([]Bar, error) {
	if !(share > 0 && share <= 1) {
		return nil, fmt.Errorf("a tornado varies inputs by a share in (0, 1], got %v", share)
	}
	k := slices.IndexFunc(s.Models, func(m Model) bool { return m.ID == id })
	if k < 0 {
		return nil, fmt.Errorf("no model %q", id)
	}
	ltv := func(sc Scenario) (float64, error) {
		rs, err := sc.Evaluate()
		if err != nil {
			return 0, err
		}
		return rs[k].LTV, nil
	}
	var bars []Bar
	vary := func(name string, base float64, isShare bool) error {
		if base == 0 {
			return nil
		}
		lo, hi := base*(1-share), base*(1+share)
		if isShare {
			hi = math.Min(hi, 1)
		}
		b := Bar{Input: name, Base: base, Low: lo, High: hi}
		for _, side := range []struct {
			v   float64
			out *float64
		}{{lo, &b.LTVLow}, {hi, &b.LTVHigh}} {
			sc, err := s.With(name, id, side.v)
			if err != nil {
				return err
			}
			if *side.out, err = ltv(sc); err != nil {
				return err
			}
		}
		bars = append(bars, b)
		return nil
	}
	if err := vary(NRE, s.NRE, false); err != nil {
		return nil, err
	}
	for _, in := range inputs {
		m := s.Models[k]
		if err := vary(in.Name, in.get(&m), in.Share); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(bars, func(a, b Bar) int {
		return cmp.Or(cmp.Compare(b.Width(), a.Width()), cmp.Compare(a.Input, b.Input))
	})
	return bars, nil
}
