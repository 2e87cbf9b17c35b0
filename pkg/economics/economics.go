// Package economics computes what one shipped device earns and costs over
// its life: the hardware margin, the NRE it carries, the recurring revenue
// and costs of each month it is active, its lifetime value (LTV) and the
// month it pays back.
//
// Every amount is in one currency (the caller's); nothing is converted.
// The definitions, per model:
//
//	HM       = price × (1 − channel) − bom − assembly
//	NRE/unit = nre / Σ units (over every model)
//	R        = attach × subscription price            (per activated device-month)
//	K        = connectivity + cloud + support          (per activated device-month)
//	c_m      = activation × (attach × price_sub × (1 − churn)^(m−1) − K) × d_m,  m = 1..life
//	d_m      = (1 + discount)^(−m/12)                  (1 when there is no discount)
//	LTV      = HM − NRE/unit + Σ c_m
//	payback  = the first m with HM − NRE/unit + Σ_{i≤m} c_i ≥ 0
//	           (0 when HM − NRE/unit ≥ 0; none within life: never)
//
// Revenue decays with churn; the costs do not: a churned subscriber's
// device still connects and sends, so it still costs.
package economics

import (
	"fmt"
	"math"
	"slices"
)

// DaysPerMonth is the length of the average Gregorian month; a month of
// traffic is this many days of a device's schedule.
const DaysPerMonth = 30.4375

// SecondsPerMonth is DaysPerMonth in seconds.
const SecondsPerMonth = DaysPerMonth * 86400

// Traffic is what one device sends in a month.
type Traffic struct {
	Messages float64 // messages per month
	Bytes    float64 // payload bytes per month (without per-message overhead)
	// Sizes are the messages by size: how many a month of each payload
	// size, for a price metered in blocks (Cloud.MeterBytes). Empty: every
	// message counts once.
	Sizes []MessageSize
	// Downloads are the bytes a month the device downloads besides its
	// messages (its firmware updates' images): data a plan priced per MB
	// charges, and no message.
	Downloads float64
}

// MessageSize is how many messages a month one event sends, and their
// payload size.
type MessageSize struct {
	Messages float64
	Bytes    float64
}

// Equal reports whether two traffics send the same messages.
func (t Traffic) Equal(u Traffic) bool {
	return t.Messages == u.Messages && t.Bytes == u.Bytes && t.Downloads == u.Downloads && slices.Equal(t.Sizes, u.Sizes)
}

// Metered is the messages a month as a price metered in blocks of block
// bytes counts them: a message of n bytes counts ⌈n / block⌉ times (at
// least once). block ≤ 0: Messages.
func (t Traffic) Metered(block float64) float64 {
	if block <= 0 || len(t.Sizes) == 0 {
		return t.Messages
	}
	var n float64
	for _, s := range t.Sizes {
		n += s.Messages * max(1, math.Ceil(s.Bytes/block))
	}
	return n
}

// Connectivity is the network's price: per MB (10⁶ bytes) of payload plus
// OverheadBytes per message, and/or a flat price per device-month.
type Connectivity struct {
	PerMB         float64 `json:"per_mb"`
	OverheadBytes float64 `json:"overhead_bytes"`
	PerMonth      float64 `json:"per_month"`
	// IncludedMB is the data a flat plan includes over the device's whole
	// life (0: none stated); beyond it the plan charges extra, which
	// PerMonth does not hold.
	IncludedMB float64 `json:"included_mb,omitempty"`
}

// Cloud is the cloud's price per million messages and per device-month.
type Cloud struct {
	PerMillionMessages float64 `json:"per_million_messages"`
	PerDeviceMonth     float64 `json:"per_device_month"`
	// MeterBytes: messages are metered in blocks of this many bytes (a
	// larger message counts as several); 0: each counts once.
	MeterBytes float64 `json:"meter_bytes,omitempty"`
}

// Support is the helpdesk's cost: per ticket × tickets per device-month.
type Support struct {
	PerTicket             float64
	TicketsPerDeviceMonth float64
}

// Model is one device model's business inputs.
type Model struct {
	ID       string
	Units    float64 // units planned over the plan (spreads the NRE)
	Price    float64 // selling price per unit
	Channel  float64 // retailer/distributor share of the price, 0..1
	BOM      float64 // bill of materials per unit
	Assembly float64 // manufacturing, test and packaging per unit
	// Activation is the share of shipped units that activate, 0..1.
	Activation float64
	// SubscriptionPrice per month; Attach the share of activated devices
	// that pay it; Churn the share of paying devices lost each month.
	SubscriptionPrice float64
	Attach            float64
	Churn             float64
	Connectivity      Connectivity
	Cloud             Cloud
	Support           Support
	Traffic           Traffic
	LifeMonths        int
	// Discount is a yearly discount rate (0: none).
	Discount float64
}

// Monthly is the recurring revenue and cost of one activated device in
// its first month.
type Monthly struct {
	Revenue      float64 `json:"revenue"`
	Connectivity float64 `json:"connectivity"`
	Cloud        float64 `json:"cloud"`
	Support      float64 `json:"support"`
}

// Cost is K, the recurring cost of an activated device-month.
func (m Monthly) Cost() float64 { return m.Connectivity + m.Cloud + m.Support }

// MB is the megabytes (10⁶ bytes) one device sends in a month, with the
// per-message overhead, and downloads.
func (m Model) MB() float64 {
	return (m.Traffic.Bytes + m.Traffic.Messages*m.Connectivity.OverheadBytes + m.Traffic.Downloads) / 1e6
}

// Monthly is the model's recurring revenue and costs per activated
// device-month (revenue before churn).
func (m Model) Monthly() Monthly {
	return Monthly{
		Revenue:      m.Attach * m.SubscriptionPrice,
		Connectivity: m.Connectivity.PerMonth + m.MB()*m.Connectivity.PerMB,
		Cloud:        m.Traffic.Metered(m.Cloud.MeterBytes)/1e6*m.Cloud.PerMillionMessages + m.Cloud.PerDeviceMonth,
		Support:      m.Support.PerTicket * m.Support.TicketsPerDeviceMonth,
	}
}

// HardwareMargin is HM, what one unit's sale leaves after the channel, the
// BOM and assembly.
func (m Model) HardwareMargin() float64 {
	return m.Price*(1-m.Channel) - m.BOM - m.Assembly
}

// Month is one month of a shipped unit's cash curve.
type Month struct {
	Month      int     `json:"month"`
	Cash       float64 `json:"cash"`       // c_m
	Cumulative float64 `json:"cumulative"` // HM − NRE/unit + Σ_{i≤m} c_i
}

// Result is one model's unit economics.
type Result struct {
	ID             string
	HardwareMargin float64
	NREPerUnit     float64
	Monthly        Monthly
	MB             float64 // per device-month, with overhead
	Messages       float64 // per device-month
	LTV            float64
	// Payback is the first month the cumulative cash is ≥ 0 (0: the
	// hardware alone pays back); -1: never within life.
	Payback int
	Curve   []Month
}

// PaybackMonths is Payback for JSON: nil when the unit never pays back.
func (r Result) PaybackMonths() *int {
	if r.Payback == Never {
		return nil
	}
	v := r.Payback
	return &v
}

// Never is Result.Payback when the unit does not pay back within its life.
const Never = -1

// Validate reports the first input outside its domain.
func (m Model) Validate() error {
	share := func(name string, v float64) error {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("model %s: %s %v is outside 0..1", m.ID, name, v)
		}
		return nil
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"channel", m.Channel}, {"activation", m.Activation}, {"attach", m.Attach}, {"churn", m.Churn}} {
		if err := share(c.name, c.v); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"units", m.Units}, {"price", m.Price}, {"bom", m.BOM}, {"assembly", m.Assembly},
		{"subscription price", m.SubscriptionPrice}, {"connectivity per MB", m.Connectivity.PerMB},
		{"connectivity overhead", m.Connectivity.OverheadBytes}, {"connectivity per month", m.Connectivity.PerMonth},
		{"cloud per million messages", m.Cloud.PerMillionMessages}, {"cloud per device-month", m.Cloud.PerDeviceMonth},
		{"support per ticket", m.Support.PerTicket}, {"tickets per device-month", m.Support.TicketsPerDeviceMonth},
		{"messages", m.Traffic.Messages}, {"bytes", m.Traffic.Bytes}, {"discount", m.Discount}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0 {
			return fmt.Errorf("model %s: %s %v must be a finite number ≥ 0", m.ID, c.name, c.v)
		}
	}
	if m.LifeMonths < 1 || m.LifeMonths > 600 {
		return fmt.Errorf("model %s: life %d months is outside 1..600", m.ID, m.LifeMonths)
	}
	return nil
}

// Evaluate computes every model's unit economics; nre is the NRE the
// plan's units carry together (spread over Σ units).
func Evaluate(models []Model, nre float64) ([]Result, error) {
	if math.IsNaN(nre) || math.IsInf(nre, 0) || nre < 0 {
		return nil, fmt.Errorf("NRE %v must be a finite number ≥ 0", nre)
	}
	var units float64
	for _, m := range models {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		units += m.Units
	}
	if nre > 0 && units == 0 {
		return nil, fmt.Errorf("NRE %v cannot be spread over 0 units: give the models' units", nre)
	}
	out := make([]Result, 0, len(models))
	for _, m := range models {
		perUnit := 0.0
		if nre > 0 {
			perUnit = nre / units
		}
		out = append(out, m.evaluate(perUnit))
	}
	return out, nil
}

func (m Model) evaluate(nrePerUnit float64) Result {
	r := Result{ID: m.ID, HardwareMargin: m.HardwareMargin(), NREPerUnit: nrePerUnit, Monthly: m.Monthly(),
		MB: m.MB(), Messages: m.Traffic.Messages, Payback: Never}
	k := r.Monthly.Cost()
	cum := r.HardwareMargin - nrePerUnit
	if cum >= 0 {
		r.Payback = 0
	}
	keep := 1.0 // (1 − churn)^(m−1)
	for month := 1; month <= m.LifeMonths; month++ {
		c := m.Activation * (m.Attach*m.SubscriptionPrice*keep - k)
		if m.Discount > 0 {
			c *= math.Pow(1+m.Discount, -float64(month)/12)
		}
		cum += c
		r.Curve = append(r.Curve, Month{Month: month, Cash: c, Cumulative: cum})
		if r.Payback == Never && cum >= 0 {
			r.Payback = month
		}
		keep *= 1 - m.Churn
	}
	r.LTV = cum
	return r
}
