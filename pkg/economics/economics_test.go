package economics

import (
	"math"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/energy"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

// handModel is the worked example of the tests: every kind of revenue
// and cost, a 24-month life.
//
//	HM       = 100 × (1 − 25%) − 41 − 5                       = 29
//	NRE/unit = 350,000 / 10,000                                = 35
//	traffic  = 1,000 messages × 20 B = 20,000 B; overhead 80 B/message
//	MB       = (20,000 + 1,000 × 80) / 10⁶                      = 0.1
//	conn.    = 0.20 + 0.1 × 0.50                               = 0.25
//	cloud    = 1,000/10⁶ × 1.00 + 0.049                         = 0.05
//	support  = 10 × 0.02                                       = 0.20
//	K        = 0.50;  R = 50% × 5.00 = 2.50
//	c_m      = 0.8 × (2.5 × 0.9^(m−1) − 0.5) = 2 × 0.9^(m−1) − 0.4
//	Σ c_m    = 20 × (1 − 0.9²⁴) − 24 × 0.4 = 20 × 0.920233556923 − 9.6 = 8.80467113846
//	LTV      = 29 − 35 + 8.80467113846                         = 2.80467113846
//	cumulative: −6 → −4.4 (m1) → −3.0 → −1.78 → −0.722 → +0.1902 (m5): payback 5
func handModel() Model {
	return Model{ID: "m", Units: 10000, Price: 100, Channel: 0.25, BOM: 41, Assembly: 5,
		Activation: 0.8, SubscriptionPrice: 5, Attach: 0.5, Churn: 0.1,
		Connectivity: Connectivity{PerMB: 0.5, OverheadBytes: 80, PerMonth: 0.2},
		Cloud:        Cloud{PerMillionMessages: 1, PerDeviceMonth: 0.049},
		Support:      Support{PerTicket: 10, TicketsPerDeviceMonth: 0.02},
		Traffic:      Traffic{Messages: 1000, Bytes: 20000}, LifeMonths: 24}
}

func TestHandComputedLTVAndPayback(t *testing.T) {
	rs, err := Evaluate([]Model{handModel()}, 350000)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	near(t, "HM", r.HardwareMargin, 29)
	near(t, "NRE/unit", r.NREPerUnit, 35)
	near(t, "MB", r.MB, 0.1)
	near(t, "revenue", r.Monthly.Revenue, 2.5)
	near(t, "connectivity", r.Monthly.Connectivity, 0.25)
	near(t, "cloud", r.Monthly.Cloud, 0.05)
	near(t, "support", r.Monthly.Support, 0.20)
	near(t, "LTV", r.LTV, 2.80467113846)
	if r.Payback != 5 {
		t.Errorf("payback = %d, want 5", r.Payback)
	}
	for i, want := range []float64{-4.4, -3.0, -1.78, -0.722, 0.1902} {
		near(t, "cumulative", r.Curve[i].Cumulative, want)
	}
	if len(r.Curve) != 24 {
		t.Errorf("curve has %d months, want 24", len(r.Curve))
	}
}

func TestPaybackZeroAndNever(t *testing.T) {
	m := handModel()
	// without NRE, HM 29 ≥ 0: the hardware pays back at once
	rs, _ := Evaluate([]Model{m}, 0)
	if rs[0].Payback != 0 {
		t.Errorf("payback without NRE = %d, want 0", rs[0].Payback)
	}
	// no subscription: c_m = 0.8 × −0.5 = −0.4 every month; −6 never recovers
	m.Attach = 0
	rs, _ = Evaluate([]Model{m}, 350000)
	if rs[0].Payback != Never {
		t.Errorf("payback = %d, want never", rs[0].Payback)
	}
	near(t, "LTV", rs[0].LTV, -6-24*0.4)
}

// With r = 10%/y, d_m = 1.1^(−m/12); with R = 1 and nothing else,
// LTV = Σ_{m=1}^{12} q^m = q (1 − q¹²)/(1 − q), q = 1.1^(−1/12).
func TestDiscount(t *testing.T) {
	m := Model{ID: "d", Units: 1, Activation: 1, Attach: 1, SubscriptionPrice: 1, LifeMonths: 12, Discount: 0.1}
	rs, err := Evaluate([]Model{m}, 0)
	if err != nil {
		t.Fatal(err)
	}
	q := math.Pow(1.1, -1.0/12)
	near(t, "discounted LTV", rs[0].LTV, q*(1-1/1.1)/(1-q))
}

// NRE is spread over every model's units.
func TestNRESpreadOverAllModels(t *testing.T) {
	a, b := handModel(), handModel()
	a.ID, b.ID, b.Units = "a", "b", 30000
	rs, err := Evaluate([]Model{a, b}, 400000)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "NRE/unit a", rs[0].NREPerUnit, 10)
	near(t, "NRE/unit b", rs[1].NREPerUnit, 10)
}

func TestRejectsBadInputs(t *testing.T) {
	for name, mut := range map[string]func(*Model){
		"churn above 1": func(m *Model) { m.Churn = 1.5 },
		"negative bom":  func(m *Model) { m.BOM = -1 },
		"NaN price":     func(m *Model) { m.Price = math.NaN() },
		"no life":       func(m *Model) { m.LifeMonths = 0 },
	} {
		m := handModel()
		mut(&m)
		if _, err := Evaluate([]Model{m}, 0); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	m := handModel()
	m.Units = 0
	if _, err := Evaluate([]Model{m}, 1000); err == nil || !strings.Contains(err.Error(), "0 units") {
		t.Errorf("NRE over 0 units: %v", err)
	}
}

// Price 100 and bom 10, a 1.00 subscription every month for 12 months,
// everything activated and paying: ±20% moves LTV by
//
//	price:               ±20          → width 40
//	subscription.price:  ±0.2 × 12    → width 4.8
//	bom:                 ±2           → width 4
//	life:                12 ± 2.4 → 10 and 14 whole months, LTV 100 and 104 → width 4 (after bom, by name)
//	activation, attach:  0.8..1 (capped at 1) → 0.2 × 12 = 2.4 each, by name
func TestTornadoOrder(t *testing.T) {
	s := Scenario{Models: []Model{{ID: "t", Units: 1, Price: 100, BOM: 10, Activation: 1, Attach: 1, SubscriptionPrice: 1, LifeMonths: 12}}}
	bars, err := s.Tornado("t", 0.2)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		input string
		width float64
	}{{"price", 40}, {"subscription.price", 4.8}, {"bom", 4}, {"life", 4}, {"activation", 2.4}, {"subscription.attach", 2.4}, {"units", 0}}
	if len(bars) != len(want) {
		t.Fatalf("bars = %+v, want %d", bars, len(want))
	}
	for i, w := range want {
		if bars[i].Input != w.input {
			t.Errorf("bar %d = %s, want %s", i, bars[i].Input, w.input)
		}
		near(t, w.input+" width", bars[i].Width(), w.width)
	}
}

func TestScenarioWith(t *testing.T) {
	s := Scenario{Models: []Model{handModel()}, NRE: 350000}
	s2, err := s.With("activation", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Models[0].Activation != 0.8 || s2.Models[0].Activation != 1 {
		t.Errorf("With changed the original or missed the copy: %v %v", s.Models[0].Activation, s2.Models[0].Activation)
	}
	if _, err := s.With("activaton", "", 1); err == nil {
		t.Error("unknown input accepted")
	}
	if _, err := s.With("price", "nope", 1); err == nil {
		t.Error("unknown model accepted")
	}
}

// A heartbeat every 15 min with a 17-byte LoRa payload and a 40-byte
// uplink every 6 h: 2,629,800 s a month → 2,922 + 121.75 messages,
// 2,922 × 17 + 121.75 × 40 = 49,674 + 4,870 = 54,544 bytes.
func TestTrafficOf(t *testing.T) {
	lora := energy.LoRaWANUplink(9, 125e3, 17)
	d := energy.Device{Events: []energy.Event{
		{Name: "heartbeat", Every: 900, Phases: []energy.Phase{{Duration: 0.05}, {LoRa: &lora}}},
		{Name: "report", Every: 6 * 3600, Uplink: &energy.Uplink{Bytes: 40}, Phases: []energy.Phase{{Duration: 1}}},
		{Name: "sample", Every: 30, Phases: []energy.Phase{{Duration: 0.001}}}, // sends nothing
	}}
	tr := TrafficOf(d)
	near(t, "messages", tr.Messages, 2922+121.75)
	near(t, "bytes", tr.Bytes, 54544)
}

// A price metered in blocks counts a larger message as several: with 5,120
// byte blocks, 100 messages of 20 B count 100, 10 of 5,120 B count 10,
// 10 of 5,121 B count 20 and 5 of 12,000 B count 15: 145 a month, so the
// cloud at $1 per million is $0.000145 (not $0.000125 for 125 messages).
func TestMeteredMessages(t *testing.T) {
	tr := Traffic{Messages: 125, Sizes: []MessageSize{{100, 20}, {10, 5120}, {10, 5121}, {5, 12000}}}
	near(t, "metered", tr.Metered(5120), 145)
	near(t, "unmetered", tr.Metered(0), 125)
	near(t, "no sizes", Traffic{Messages: 7}.Metered(5120), 7)
	m := Model{Cloud: Cloud{PerMillionMessages: 1, MeterBytes: 5120}, Traffic: tr}
	near(t, "cloud", m.Monthly().Cloud, 0.000145)
	card, _ := LookupRate("aws-iot-core")
	if card.Cloud.MeterBytes != 5120 {
		t.Errorf("aws-iot-core meters in %v-byte blocks, want 5,120 (5 KB)", card.Cloud.MeterBytes)
	}
	if !tr.Equal(tr) || tr.Equal(Traffic{Messages: 125}) {
		t.Error("Equal")
	}
}
