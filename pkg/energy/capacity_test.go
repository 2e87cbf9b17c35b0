package energy

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// A cell rated 1000 mAh with a temperature curve (-20 °C: 500, 0 °C: 800,
// 20 °C: 1000, 40 °C: 1050 mAh) and a load curve (10 mA: 1000, 50 mA: 800
// mAh), worked by hand:
//   - at -10 °C: halfway between 500 and 800: 650 mAh, factor 0.65;
//   - at -30 °C: held at the end, 0.5; at 60 °C: held, 1.05;
//   - the year profile Dec–Feb at -15 °C (575 mAh: 0.575), Mar–May and
//     Sep–Nov at 5 °C (850: 0.85), Jun–Aug at 20 °C (1.0), weighted by
//     days (90.25, 183, 92 of 365.25):
//     (51.89375 + 155.55 + 92) / 365.25 = 299.44375 / 365.25 = 0.81983231;
//   - a 30 mA pulse: halfway between 10 and 50 mA: 900 mAh, 0.9.
func TestCapacityCurves(t *testing.T) {
	b := Battery{Cell: "test", Capacity: 1, Voltage: 3, Derating: 1, CapacityAt: []CapacityPoint{
		{Celsius: celsius(20), Capacity: 1}, {Celsius: celsius(-20), Capacity: 0.5}, {Celsius: celsius(0), Capacity: 0.8}, {Celsius: celsius(40), Capacity: 1.05},
		{Current: 0.010, Capacity: 1}, {Current: 0.050, Capacity: 0.8},
	}}
	all := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, tt := range []struct {
		celsius, want float64
	}{{-10, 0.65}, {-30, 0.5}, {60, 1.05}, {0, 0.8}, {30, 1.025}} {
		if f, ok := b.TemperatureFactor([]Season{{Months: all, Celsius: tt.celsius}}); !ok || math.Abs(f-tt.want) > 1e-12 {
			t.Errorf("%g °C: factor %v %v, want %v", tt.celsius, f, ok, tt.want)
		}
	}
	year := []Season{{Months: []int{12, 1, 2}, Celsius: -15}, {Months: []int{3, 4, 5, 9, 10, 11}, Celsius: 5}, {Months: []int{6, 7, 8}, Celsius: 20}}
	want := (90.25*0.575 + 183*0.85 + 92*1) / 365.25
	if f, _ := b.TemperatureFactor(year); math.Abs(f-want) > 1e-12 || math.Abs(want-0.81983231) > 1e-8 {
		t.Errorf("year profile: %v, want %v", f, want)
	}
	if f := b.PulseFactor(0.030); math.Abs(f-0.9) > 1e-12 {
		t.Errorf("30 mA pulse: %v, want 0.9", f)
	}
	// both, through Analyze: 2 µA sleep and one 30 mA, 10 ms pulse a
	// minute at -10 °C: usable 1 Ah × 0.65 × 0.9 = 0.585 Ah
	d := Device{ID: "d", Battery: b, Sleep: 2e-6, Seasons: []Season{{Months: all, Celsius: -10}},
		Events: []Event{{Name: "tx", Every: 60, Phases: []Phase{{Duration: 0.010, Current: 0.030}}}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	avg := 2e-6*(1-0.010/60) + 0.030*0.010/60
	if math.Abs(float64(r.Life)-0.585/avg) > 1e-6 || r.TemperatureFactor != 0.65 || math.Abs(r.PulseFactor-0.9) > 1e-12 {
		t.Errorf("life %g h (want %g), factors %v %v", float64(r.Life), 0.585/avg, r.TemperatureFactor, r.PulseFactor)
	}
	// a cell without temperature data: room temperature, with a warning
	d.Battery.CapacityAt = nil
	r, _ = Analyze(d)
	if r.TemperatureFactor != 1 || len(r.Warnings) != 1 || r.Warnings[0].Kind != NoTemperatureData {
		t.Errorf("no data: factor %v, warnings %v", r.TemperatureFactor, r.Warnings)
	}
}

// The built-in CR2032 in the cold: 130 of 225 mAh at -20 °C (its curve's
// end point), and about 9% less at a 30 mA peak than at 15 mA (TI
// SWRA349).
func TestBuiltinCellCurves(t *testing.T) {
	c := BuiltinCells()["cr2032"]
	b := Battery{Capacity: c.Capacity, CapacityAt: c.CapacityAt}
	if f, ok := b.TemperatureFactor([]Season{{Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Celsius: -20}}); !ok || math.Abs(f-0.130/0.225) > 1e-12 {
		t.Errorf("-20 °C: %v", f)
	}
	if f := b.PulseFactor(0.030); math.Abs(f-0.205/0.225) > 1e-12 || math.Abs(1-f-0.09) > 0.005 {
		t.Errorf("30 mA: %v, about 0.91", f)
	}
}

// Self-discharge from the datasheet's points: 1 %/y at 20 °C, 5 %/y at
// 60 °C.
//
//	a year at 40 °C: 3 %/y, three times the rated 1 %/y
//	January–June at 20 °C (181.25 days), July–December at 60 °C (184):
//	  (181.25 × 1 + 184 × 5) / 365.25 = 1101.25 / 365.25 = 3.01506 %/y
//	no seasons, or no points: the rated rate
//
// and life follows: 2.6 Ah, 10 µA, constant model at 3 %/y:
// I_sd = 0.03 × 2.6 / 8766 h = 8.898 µA; life = 2.6 / 18.898 µA.
func TestSelfDischargeAtTemperature(t *testing.T) {
	b := Battery{Capacity: 2.6, Derating: 1, Voltage: 3.6, SelfDischargePerYear: 0.01,
		SelfDischargeAt: []SelfDischargePoint{{Celsius: 60, PerYear: 0.05}, {Celsius: 20, PerYear: 0.01}}}
	f, ok := b.SelfDischargeFactor([]Season{{Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Celsius: 40}})
	if !ok || math.Abs(f-3) > 1e-12 {
		t.Errorf("a year at 40 °C: factor %v, %v; want 3", f, ok)
	}
	f, _ = b.SelfDischargeFactor([]Season{{Months: []int{1, 2, 3, 4, 5, 6}, Celsius: 20}, {Months: []int{7, 8, 9, 10, 11, 12}, Celsius: 60}})
	if want := 1101.25 / 365.25; math.Abs(f-want) > 1e-12 {
		t.Errorf("half and half: factor %v, want %v", f, want)
	}
	if _, ok := b.SelfDischargeFactor(nil); ok {
		t.Error("without seasons the rate changed")
	}
	d := Device{Battery: b, Sleep: 10e-6, Seasons: []Season{{Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Celsius: 40}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	isd := 0.03 * 2.6 / YearHours
	if math.Abs(float64(r.SelfDischargeCurrent)-isd) > 1e-15 || math.Abs(float64(r.CapacityLife)-2.6/(10e-6+isd)) > 1e-6 {
		t.Errorf("I_sd %v (want %v), life %v h (want %v)", r.SelfDischargeCurrent, isd, r.CapacityLife, 2.6/(10e-6+isd))
	}
}

// The end-voltage curve: 225 mAh down to 2.0 V, 200 mAh to 2.5 V, 150 mAh
// to 2.8 V (a coin cell's datasheet). A device that browns out at 2.6 V
// gets 200 − (0.1 / 0.3) × 50 = 183.33 mAh: a factor of 183.33 / 225; two
// cells in series with a 5.2 V minimum are at 2.6 V each, the same. Below
// the curve the capacity is held at its end (never above the rating).
func TestCutoffFactor(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	b := Battery{Capacity: 0.225, Derating: 1, Voltage: 3, Series: 1, CapacityAt: []CapacityPoint{
		{Cutoff: v(2.8), Capacity: 0.150}, {Cutoff: v(2.0), Capacity: 0.225}, {Cutoff: v(2.5), Capacity: 0.200},
		{Celsius: v(-20), Capacity: 0.130}, // a temperature point is not on the curve
	}}
	want := (0.2 - 0.1/0.3*0.05) / 0.225
	if f, ok := b.CutoffFactor(2.6); !ok || math.Abs(f-want) > 1e-12 {
		t.Errorf("2.6 V: %v %v, want %v", f, ok, want)
	}
	if f, _ := b.CutoffFactor(1.8); f != 1 {
		t.Errorf("below the curve: %v, want 1", f)
	}
	d := Device{Battery: b, Sleep: 10e-6, MinVoltage: 2.6}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.CutoffFactor-want) > 1e-12 || math.Abs(float64(r.CapacityLife)-0.225*want/10e-6) > 1e-6 {
		t.Errorf("cutoff factor %v, life %v h; want %v, %v h", r.CutoffFactor, r.CapacityLife, want, 0.225*want/10e-6)
	}
	d.Battery.Series, d.MinVoltage = 2, 5.2
	if r2, _ := Analyze(d); math.Abs(r2.CutoffFactor-want) > 1e-12 {
		t.Errorf("two in series: %v", r2.CutoffFactor)
	}
	d.Battery.CapacityAt = nil
	if r3, _ := Analyze(d); r3.CutoffFactor != 1 || len(r3.Warnings) == 0 || r3.Warnings[len(r3.Warnings)-1].Kind != NoCutoffData {
		t.Errorf("no data: factor %v, warnings %v", r3.CutoffFactor, r3.Warnings)
	}
}

// A year that leaves the cell's datasheet points on the side that
// flatters life is warned of: colder than the capacity curve's coldest
// point (its capacity is held there), hotter than the self-discharge
// points' hottest, or above room temperature with no self-discharge
// points. The other sides (warmer than the capacity curve, colder than
// the self-discharge points) shorten the life and are not.
func TestBeyondTheDatasheet(t *testing.T) {
	m20, p25 := -20.0, 25.0
	capacity := []CapacityPoint{{Celsius: &m20, Capacity: 0.130}, {Celsius: &p25, Capacity: 0.225}}
	sd := []SelfDischargePoint{{Celsius: 20, PerYear: 0.01}, {Celsius: 60, PerYear: 0.04}}
	winter := func(cold, warm float64) []Season {
		return []Season{{Months: []int{12, 1, 2}, Celsius: cold}, {Months: []int{3, 4, 5, 6, 7, 8, 9, 10, 11}, Celsius: warm}}
	}
	for _, tt := range []struct {
		name    string
		b       Battery
		seasons []Season
		want    []Warning
	}{
		{"inside both curves", Battery{CapacityAt: capacity, SelfDischargeAt: sd}, winter(-20, 60), nil},
		{"a winter below the curve", Battery{CapacityAt: capacity, SelfDischargeAt: sd}, winter(-40, 20),
			[]Warning{{Kind: ColderThanCurve, Celsius: -40, CurveEnd: -20}}},
		{"a summer above the self-discharge points", Battery{CapacityAt: capacity, SelfDischargeAt: sd}, winter(0, 70),
			[]Warning{{Kind: HotterThanCurve, Celsius: 70, CurveEnd: 60}}},
		{"warm without self-discharge points", Battery{CapacityAt: capacity}, winter(0, 25.5),
			[]Warning{{Kind: NoSelfDischargeData, Celsius: 25.5}}},
		{"room temperature without them", Battery{CapacityAt: capacity}, winter(0, 25), nil},
		{"warmer than the capacity curve", Battery{CapacityAt: capacity, SelfDischargeAt: sd}, winter(-10, 40), nil},
		{"no self-discharge to scale", Battery{CapacityAt: capacity, SelfDischargePerYear: -1}, winter(0, 50), nil},
		{"a season without months", Battery{CapacityAt: capacity}, []Season{{Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Celsius: 10}, {Celsius: -60}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			b.Capacity = 0.225
			if b.SelfDischargePerYear == 0 {
				b.SelfDischargePerYear = 0.01
			} else if b.SelfDischargePerYear < 0 {
				b.SelfDischargePerYear = 0
			}
			r, err := Analyze(Device{ID: "d", Battery: b, Sleep: 2e-6, Seasons: tt.seasons})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Warnings, tt.want) {
				t.Errorf("warnings %+v, want %+v", r.Warnings, tt.want)
			}
		})
	}
	w := Warning{Kind: ColderThanCurve, Celsius: -40, CurveEnd: -20}
	if got := w.String(); !strings.Contains(got, "sees -40 °C and the cell's capacity_at stops at -20 °C") || !strings.Contains(got, "point at -40 °C") {
		t.Errorf("%q", got)
	}
}

// A pulse heavier than the load curve's heaviest point gets that point's
// capacity: warned of, unless the pulse is over the cell's maximum
// already (that warning says more).
func TestPulseBeyondTheCurve(t *testing.T) {
	b := Battery{Capacity: 1, CapacityAt: []CapacityPoint{{Current: 0.010, Capacity: 1}, {Current: 0.050, Capacity: 0.8}}, Parallel: 2}
	for _, tt := range []struct {
		name     string
		current  Amps
		maxPulse Amps
		want     []Warning
	}{
		{"inside the curve (50 mA shared by two cells)", 0.100, 0, nil},
		{"beyond it", 0.120, 0, []Warning{{Kind: HeavierThanCurve, Current: 0.060, Limit: 0.050}}},
		{"over the maximum pulse", 0.120, 0.055, []Warning{{Kind: PulseOverLimit, Event: "tx", Phase: 1, Current: 0.120, Limit: 0.110}}},
	} {
		b := b
		b.MaxPulse = tt.maxPulse
		r, err := Analyze(Device{ID: "d", Battery: b, Sleep: 2e-6, Events: []Event{{Name: "tx", Every: 60, Phases: []Phase{{Duration: 0.01, Current: tt.current}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings) != len(tt.want) || len(tt.want) > 0 && (r.Warnings[0].Kind != tt.want[0].Kind ||
			math.Abs(float64(r.Warnings[0].Current-tt.want[0].Current)) > 1e-12 || math.Abs(float64(r.Warnings[0].Limit-tt.want[0].Limit)) > 1e-12) {
			t.Errorf("%s: warnings %+v, want %+v", tt.name, r.Warnings, tt.want)
		}
	}
	if got := (Warning{Kind: HeavierThanCurve, Current: 0.060, Limit: 0.050}).String(); !strings.Contains(got, "draws 60 mA from each cell and the cell's capacity_at stops at 50 mA") {
		t.Errorf("%q", got)
	}
}

// A device that browns out above the highest cutoff of the cell's
// end-voltage points gets that point's capacity: warned of. Below the
// lowest it gets the lowest's (less than the cell gives): not warned of.
func TestCutoffBeyondTheCurve(t *testing.T) {
	v20, v25 := 2.0, 2.5
	b := Battery{Capacity: 0.225, Series: 2, CapacityAt: []CapacityPoint{{Cutoff: &v20, Capacity: 0.225}, {Cutoff: &v25, Capacity: 0.200}}}
	for _, tt := range []struct {
		min  float64
		want []Warning
	}{
		{4.8, nil}, // 2.4 V a cell
		{3.6, nil}, // 1.8 V a cell: held at 2.0 V's, less than the cell gives
		{5.6, []Warning{{Kind: AboveCutoffCurve, Volts: 2.8, CurveEnd: 2.5}}},
	} {
		r, err := Analyze(Device{ID: "d", Battery: b, Sleep: 2e-6, MinVoltage: tt.min})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings) != len(tt.want) || len(tt.want) > 0 && (r.Warnings[0].Kind != tt.want[0].Kind ||
			math.Abs(r.Warnings[0].Volts-tt.want[0].Volts) > 1e-12 || r.Warnings[0].CurveEnd != tt.want[0].CurveEnd) {
			t.Errorf("min_voltage %gV: warnings %+v, want %+v", tt.min, r.Warnings, tt.want)
		}
	}
	if got := (Warning{Kind: AboveCutoffCurve, Volts: 2.8, CurveEnd: 2.5}).String(); !strings.Contains(got, "min_voltage is 2.8V at each cell and the cell's capacity_at cutoffs stop at 2.5V") {
		t.Errorf("%q", got)
	}
}
