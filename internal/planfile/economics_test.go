package planfile

import (
	"math"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const econFleet = `devices:
  - id: drip-lora
    battery: {cell: cr2032}
    sleep: 2uA
    events:
      - {name: hb, every: 15m, phases: [{duration: 10ms, current: 10mA, uplink: {bytes: 20}}]}
      - {name: hb2, every: 1h, uplink: {bytes: 7}, duration: 5ms, current: 3mA}
      - {name: hb3, replaces: hb2, feature: f, every: 2h}
`

func econParse(t *testing.T, body string) (*Economics, []string) {
	t.Helper()
	fleet, diags := ParseDevices("devices.yaml", []byte(econFleet))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, diags := ParseEconomics("economics.yaml", []byte(body), fleet)
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	return e, got
}

func TestEconomicsLoads(t *testing.T) {
	e, diags := econParse(t, `currency: USD
life: 2y
nre: plan
discount: 8%/y
models:
  drip-lora:
    units: 40000
    price: 79
    channel: 30%
    bom: 23.40
    assembly: 3.10
    activation: metrics
    subscription: {price: 2.99, attach: 35%}
    churn: 2%
    connectivity: {per_mb: 0.40, overhead: 60B}
    cloud: aws-iot-core
    support: {per_ticket: 12}
`)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := e.Models[0]
	if !e.PlanNRE || m.LifeMonths != 24 || m.Discount != 0.08 || m.Channel != 0.3 || m.Attach != 0.35 || m.Churn != 0.02 ||
		!m.ActivationFromMetrics || !m.TicketsFromMetrics || m.Connectivity.OverheadBytes != 60 || m.Cloud.PerMillionMessages != 1 ||
		len(m.Rates) != 1 || m.Support.PerTicket != 12 || m.Pos.Line != 7 {
		t.Errorf("model %+v", m)
	}
}

func TestEconomicsUplinks(t *testing.T) {
	fleet, diags := ParseDevices("devices.yaml", []byte(econFleet))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ev := fleet.Devices[0].Events
	if s, b := ev[0].Sends(); !s || b != 20 {
		t.Errorf("phase uplink: %v %d", s, b)
	}
	if s, b := ev[1].Sends(); !s || b != 7 {
		t.Errorf("event uplink: %v %d", s, b)
	}
	if s, b := ev[2].Sends(); !s || b != 7 {
		t.Errorf("a variant keeps the uplink it omits: %v %d", s, b)
	}
	_, diags = ParseDevices("devices.yaml", []byte(strings.Replace(econFleet, "{duration: 10ms, current: 10mA, uplink: {bytes: 20}}",
		"{lora: {sf: 9, payload: 17}, current: 40mA, uplink: {bytes: 20}}", 1)))
	if !strings.Contains(diags.Error(), "a lora packet is the phase's message already") {
		t.Errorf("lora + uplink: %v", diags)
	}
}

func TestEconomicsProblems(t *testing.T) {
	base := "currency: USD\nmodels:\n  drip-lora: {units: 10, price: 10, bom: 1, activation: 80%{X}}\n"
	for _, tt := range []struct{ file, want string }{
		{"currency: usd\nmodels: {}\n", "economics.yaml:1:1: currency: \"usd\" is not an ISO 4217 code"},
		{"currency: EUR\nnre: plan\nmodels: {}\n", "nre: plan is the roadmap's tooling and certification fees, which are in USD"},
		{"currency: USD\nlife: 5\nmodels: {}\n", "economics.yaml:2:7: life: \"5\" is not a number of months; write e.g. 5y or 18mo"},
		{"currency: USD\nmodels:\n  drip-lorra: {units: 1, price: 1, bom: 1, activation: 1}\n", "models: \"drip-lorra\" is no device of devices.yaml; did you mean \"drip-lora\"?"},
		{strings.Replace(base, "{X}", ", connectivity: 1nce-lifetime", 1), "rate card 1nce-lifetime is in EUR and this file is in USD"},
		{strings.Replace(base, "{X}", ", cloud: aws-iot-cor", 1), "no rate card \"aws-iot-cor\" (iotpm economics --list-rates lists them; or write the figures); did you mean \"aws-iot-core\"?"},
		{strings.Replace(base, "{X}", ", activation: 85", 1), "key \"activation\" repeated"},
		{strings.Replace(base, "80%{X}", "85", 1), "85 is ambiguous: write 85% or 0.85, or metrics"},
		{strings.Replace(base, "{X}", ", connectivity: {overhead: 60B}", 1), "overhead counts toward the megabytes billed per_mb, and there is no per_mb price"},
		{strings.Replace(base, "{X}", ", subscripton: {price: 1, attach: 5%}", 1), "did you mean \"subscription\""},
		{strings.Replace(base, "{X}", ", support: {per_ticket: 12, tickets_per_device_month: lots}", 1), "expected a number ≥ 0 (tickets per device-month, e.g. 0.02) or metrics"},
		// numbers as a price tag or a spreadsheet writes them: the fix
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "price: 10", `price: "$79"`, 1), `price: expected a number, got "$79": write 79 (the number alone, without the currency)`},
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "bom: 1", `bom: "23,40"`, 1), `bom: expected a number, got "23,40": write 23.40 (a point for decimals, no thousands separator)`},
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "bom: 1", `bom: "€1.234,50"`, 1), `got "€1.234,50": write 1234.50 (the number alone, without the currency)`},
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "units: 10", `units: "10 000"`, 1), `got "10 000": write 10000 (`},
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "units: 10", `units: "1,000,000"`, 1), `got "1,000,000": write 1000000 (`},
		// one comma and three digits: a thousand, or one with decimals?
		{strings.Replace(strings.Replace(base, "{X}", "", 1), "units: 10", `units: "1,000"`, 1), `got "1,000": write the number with a point for decimals and no thousands separator (1000 or 1.000)`},
	} {
		_, got := econParse(t, tt.file)
		if !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.file, got, tt.want)
		}
	}
}

// TestEconomicsAmountScale: amounts written at different scales (cents
// beside whole units) are warned of at the model, with the factor; the
// bounds are exclusive (50× the unit cost, 1/20 of it, 3 device prices a
// month). Every case computed by hand: unit cost = bom + assembly.
func TestEconomicsAmountScale(t *testing.T) {
	for _, tt := range []struct {
		name, model, want string
	}{
		{"the example's", "price: 79, bom: 23.40, assembly: 3.10, subscription: {price: 2.99, attach: 35%}", ""},
		// 7900 / 26.5 = 298.1
		{"price in cents", "price: 7900, bom: 23.40, assembly: 3.10", "economics.yaml:3:14: warning: models: drip-lora: price 7900 is 298× the unit cost (bom + assembly = 26.5): is the price in cents"},
		// 2650 / 79 = 33.5
		{"costs in cents", "price: 79, bom: 2340, assembly: 310", "the unit cost (bom + assembly = 2650) is 34× the price 79: are the costs in cents"},
		{"exactly 50×", "price: 100, bom: 1.5, assembly: 0.5", ""},
		{"just over 50×", "price: 100.01, bom: 1.5, assembly: 0.5", "price 100.01 is 50× the unit cost (bom + assembly = 2)"},
		{"exactly 1/20", "price: 1, bom: 20", ""},
		{"just under 1/20", "price: 0.99, bom: 20", "is 20× the price 0.99"},
		{"a free device", "price: 0, bom: 20", ""},
		// 299 / 79 = 3.78
		{"subscription in cents", "price: 79, bom: 23.40, subscription: {price: 299, attach: 35%}", "subscription price 299 a month is 3.8× the device's price 79: is it in cents?"},
		{"subscription exactly 3×", "price: 10, bom: 3, subscription: {price: 30, attach: 35%}", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, got := econParse(t, "currency: USD\nmodels:\n  drip-lora: {units: 10, activation: 80%, "+tt.model+"}\n")
			all := strings.Join(got, "\n")
			if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || !strings.Contains(all, tt.want)) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// ota: false marks a profile that cannot take updates; {image: 180KB}
// keeps it capable; anything else is refused at its position.
func TestDeviceOTA(t *testing.T) {
	dev := func(ota string) string {
		return "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 2uA\n    ota: " + ota + "\n"
	}
	for ota, noOTA := range map[string]bool{"false": true, "true": false, "{image: 180kB}": false} {
		fleet, diags := ParseDevices("devices.yaml", []byte(dev(ota)))
		if diags.HasErrors() {
			t.Fatalf("%s: %v", ota, diags)
		}
		if fleet.NoOTA["d"] != noOTA {
			t.Errorf("ota: %s: NoOTA %v", ota, fleet.NoOTA["d"])
		}
	}
	// sizes: decimal kB and MB, binary KiB and MiB
	for image, want := range map[string]float64{"180kB": 180_000, "4MB": 4_000_000, "512KiB": 524_288, "1.5MiB": 1_572_864, "60": 60} {
		fleet, diags := ParseDevices("devices.yaml", []byte(dev("{image: "+image+"}")))
		if diags.HasErrors() || fleet.OTAImage["d"] != want {
			t.Errorf("image %s: %v bytes, want %v (%v)", image, fleet.OTAImage["d"], want, diags)
		}
	}
	_, diags := ParseDevices("devices.yaml", []byte(dev("never")))
	if !strings.Contains(diags.Error(), "devices.yaml:5:10: devices[0].ota: expected false (no OTA updates), true, or {image: 180KB}") {
		t.Errorf("ota: never: %v", diags)
	}
}

// Churn is per month; a rate with its period converts (20%/y is the
// monthly rate that keeps 80% after twelve months), and a plain share of
// 10% or more, which is as often a yearly churn without its period, is
// kept with a warning that says how it was read.
func TestChurnPeriod(t *testing.T) {
	base := "currency: USD\nmodels:\n  drip-lora: {units: 10, price: 10, bom: 1, activation: 80%, churn: X}\n"
	for _, tt := range []struct {
		churn string
		want  float64 // per month
		diag  string
	}{
		{"2%", 0.02, ""},
		{"0.02", 0.02, ""},
		{"2%/month", 0.02, ""},
		{"2 % / mo", 0.02, ""},
		{"20%/y", 1 - math.Pow(0.8, 1.0/12), ""},
		{"20%/yr", 1 - math.Pow(0.8, 1.0/12), ""},
		{"100%/y", 1, ""},
		{"9%", 0.09, ""},
		{"20%", 0.2, "economics.yaml:3:69: warning: models.drip-lora.churn: churn 20% is read per month, so 6.9% of paying customers are left after a year; write 20%/month to say so, or 20%/y for a yearly churn"},
		{"0.2", 0.2, "warning: models.drip-lora.churn: churn 0.2 is read per month, so 6.9% of paying customers are left after a year"},
		{"120%/y", -1, `economics.yaml:3:69: models.drip-lora.churn: "120%/y" must be from 0% to 100% a period`},
		{"2%/w", -1, `models.drip-lora.churn: "2%/w": churn is per month or per year; write e.g. 2%/month or 20%/y`},
		{"lots", -1, "models.drip-lora.churn: lots is not a share; write a percentage like 98% or a fraction like 0.98, per month (or a rate with its period: 2%/month, 20%/y)"},
	} {
		e, got := econParse(t, strings.Replace(base, "X", tt.churn, 1))
		if tt.diag == "" && len(got) > 0 || tt.diag != "" && (len(got) != 1 || !strings.Contains(got[0], tt.diag)) {
			t.Errorf("churn: %s: %q, want %q", tt.churn, got, tt.diag)
			continue
		}
		if tt.want >= 0 && (e == nil || math.Abs(e.Models[0].Churn-tt.want) > 1e-15) {
			t.Errorf("churn: %s: %+v, want %g a month", tt.churn, e, tt.want)
		}
	}
}

// A subscription price is a month's, or written with its period: a yearly
// plan's price counts a twelfth a month (a yearly price written plainly
// would be read as monthly, twelve times too much, so the period is
// there to be written).
func TestSubscriptionPricePeriod(t *testing.T) {
	base := "currency: USD\nmodels:\n  drip-lora: {units: 10, price: 10, bom: 1, activation: 80%, subscription: {price: X, attach: 50%}}\n"
	for _, tt := range []struct {
		price string
		want  float64 // a month
		diag  string
	}{
		{"2.99", 2.99, ""},
		{"3", 3, ""},
		{"2.99/month", 2.99, ""},
		{"2.99 / mo", 2.99, ""},
		{"29.99/y", 29.99 / 12, ""},
		{"36/year", 3, ""},
		{"36/yr", 3, ""},
		{"-3", -1, "economics.yaml:3:84: models.drip-lora.subscription.price: must be at least 0; got -3"},
		{"3/w", -1, `models.drip-lora.subscription.price: expected a price a month (2.99), or with its period (2.99/month, 29.99/y), got "3/w"`},
		{`"$2.99"`, -1, `got "$2.99"`},
		{"[1]", -1, "expected a single value, got a list"},
	} {
		e, got := econParse(t, strings.Replace(base, "X", tt.price, 1))
		if tt.diag == "" && len(got) > 0 || tt.diag != "" && (len(got) != 1 || !strings.Contains(got[0], tt.diag)) {
			t.Errorf("price: %s: %q, want %q", tt.price, got, tt.diag)
			continue
		}
		if tt.want >= 0 && (e == nil || math.Abs(e.Models[0].SubscriptionPrice-tt.want) > 1e-12) {
			t.Errorf("price: %s: %+v, want %g a month", tt.price, e, tt.want)
		}
	}
}

// A number written as a price tag or a spreadsheet writes it is answered
// with the number to write; a grouping that is no thousands ("1,2,3",
// "12 34") and text are not guessed at.
func TestNumberHint(t *testing.T) {
	for in, want := range map[string]string{
		"23,40":     ": write 23.40 (a point for decimals, no thousands separator)",
		"£12":       ": write 12 (the number alone, without the currency)",
		"12 €":      ": write 12 (the number alone, without the currency)",
		"1'234.5":   ": write 1234.5 (a point for decimals, no thousands separator)",
		"1.234.567": ": write 1234567 (a point for decimals, no thousands separator)",
		"1,2,3":     "",
		"12 34":     "",
		"twelve":    "",
		"$":         "",
		"12":        "",
	} {
		if got := numberHint(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: in}); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	quoted := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "12.5", Style: yaml.DoubleQuotedStyle}
	if got, want := numberHint(quoted), ": write 12.5 without the quotes (quoted, it is text)"; got != want {
		t.Errorf("quoted: %q, want %q", got, want)
	}
}
