package energy

import (
	"errors"
	"math"
	"testing"
)

func within(t *testing.T, what string, got, want, relTol float64) {
	t.Helper()
	if math.Abs(got-want) > relTol*math.Abs(want) {
		t.Errorf("%s = %.6g, want %.6g (±%.2g%%)", what, got, want, relTol*100)
	}
}

func boolPtr(b bool) *bool { return &b }

// LoRa time on air: the published AN1200.13 vectors in the research notes
// (avbentem/airtime-calculator tests, the AN1200.13 spreadsheet), exact to
// the microsecond.
func TestLoRaTimeOnAir(t *testing.T) {
	tests := []struct {
		payload, sf int
		bwKHz       float64
		cr          int
		wantMS      float64
	}{
		{10, 7, 125, 1, 41.216},
		{14, 7, 125, 1, 46.336},
		{15, 7, 125, 1, 46.336},
		{16, 7, 125, 1, 51.456},
		{25, 7, 125, 1, 61.696},
		{14, 7, 250, 1, 23.168},
		{14, 7, 125, 4, 61.696},
		{14, 8, 125, 1, 82.432},
		{15, 8, 125, 1, 92.672},
		{16, 8, 125, 1, 92.672},
		{14, 11, 125, 1, 659.456}, // low-data-rate optimisation on automatically
		{16, 11, 125, 1, 659.456},
		{25, 11, 125, 1, 823.296},
		{10, 12, 125, 1, 991.232},
		{23, 12, 125, 1, 1482.752},
	}
	for _, tt := range tests {
		l := LoRaWANUplink(tt.sf, tt.bwKHz*1e3, tt.payload)
		l.CodingRate = tt.cr
		got := float64(l.TimeOnAir()) * 1e3
		if math.Abs(got-tt.wantMS) > 1e-6 {
			t.Errorf("PL %d SF%d BW%g CR4/%d: %.6f ms, want %.3f", tt.payload, tt.sf, tt.bwKHz, tt.cr+4, got, tt.wantMS)
		}
	}
	// AN1200.13 spreadsheet: 13 B, SF9, 125 kHz, CR 4/5, explicit header,
	// low-data-rate optimisation forced off.
	sheet := LoRaWANUplink(9, 125e3, 13)
	sheet.LowDataRateOptimize = boolPtr(false)
	if got := float64(sheet.TimeOnAir()) * 1e3; math.Abs(got-164.864) > 1e-6 {
		t.Errorf("AN1200.13 sheet: %.6f ms, want 164.864", got)
	}
	// Forcing the optimisation off at SF11 makes the packet shorter.
	off := LoRaWANUplink(11, 125e3, 14)
	off.LowDataRateOptimize = boolPtr(false)
	if off.TimeOnAir() >= LoRaWANUplink(11, 125e3, 14).TimeOnAir() {
		t.Error("LDRO off should shorten an SF11 packet")
	}
}

func TestLoRaValidate(t *testing.T) {
	for _, l := range []LoRa{{SF: 5, BandwidthHz: 125e3, CodingRate: 1}, {SF: 7, CodingRate: 1}, {SF: 7, BandwidthHz: 125e3, CodingRate: 5}, {SF: 7, BandwidthHz: 125e3, CodingRate: 1, PayloadBytes: 256}} {
		if l.Validate() == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

// T2 (Pycom forum): 3 wakes an hour of 10 s at 100 mA over a 10 µA floor:
// I_avg = (3·10·100 + (3600 − 30)·0.010)/3600 = 0.84325 mA exactly.
func TestPycomAverageCurrent(t *testing.T) {
	avg, duty, err := AverageCurrent(10e-6, []Event{{Name: "wake", Every: 1200, Phases: []Phase{{Duration: 10, Current: 0.1}}}})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "I_avg", float64(avg), 0.84325e-3, 1e-12)
	within(t, "duty", duty, 30.0/3600, 1e-12)
}

// T6 (applied-ee nRF52840 BLE sensor on a 230 mAh CR2032): published 2.25 µA
// and 11.7 years; the exact model gives 2.260 µA and 11.6 years (the
// published phases sum to 59.997 s of the 60 s cycle). Tolerance 0.5%.
func TestAppliedEEBLESensor(t *testing.T) {
	d := Device{
		ID:      "ble",
		Battery: Battery{Capacity: 0.230, Parallel: 1, Series: 1, Derating: 1, Model: Constant},
		Sleep:   1.5e-6,
		Events: []Event{{Name: "cycle", Every: 60, Phases: []Phase{
			{Duration: 0.5e-3, Current: 5e-3}, {Duration: 3e-3, Current: 1.8e-3},
			{Duration: 3.6e-3, Current: 8.5e-3}, {Duration: 1.5e-3, Current: 4.2e-3},
			{Duration: 0.4e-3, Current: 2e-3},
		}}},
	}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "I_avg vs published 2.25 µA", float64(r.AverageCurrent), 2.25e-6, 0.005)
	within(t, "I_avg exact", float64(r.AverageCurrent), 2.259775e-6, 1e-9)
	within(t, "life vs published 11.7 y", r.Life.Years(), 11.7, 0.01)
	within(t, "life exact", r.Life.Years(), 0.230/2.259775e-6/8766, 1e-9)
	if r.LimitedBy != "capacity" {
		t.Errorf("limited by %s", r.LimitedBy)
	}
}

// T3 (TritiLED on a 225 mAh CR2032 at 1.15 µA, 1%/yr): naive 22.3 years;
// proportional self-discharge 20.2 years published (20.14 with
// k = −ln 0.99); the constant model gives 18.25 years.
func TestTritiLEDSelfDischargeModels(t *testing.T) {
	base := Battery{Capacity: 0.225, Parallel: 1, Series: 1, Derating: 1,
		SelfDischargePerYear: 0.01, SelfDischargeDecay: -math.Log(0.99) / YearHours}
	naive := base
	naive.SelfDischargePerYear, naive.SelfDischargeDecay = 0, 0
	within(t, "naive", naive.Life(1.15e-6).Years(), 22.3, 0.005)

	prop := base
	prop.Model = Proportional
	within(t, "proportional vs published 20.2", prop.Life(1.15e-6).Years(), 20.2, 0.005)
	within(t, "proportional exact", prop.Life(1.15e-6).Years(), 20.14, 0.0005)

	cons := base
	cons.Model = Constant
	within(t, "constant", cons.Life(1.15e-6).Years(), 18.25, 0.0005)

	// The post's own model: the cell is dead at its 10-year shelf life.
	r, err := Analyze(Device{ID: "tritiled", Battery: Battery{Capacity: 0.225, Parallel: 1, Derating: 1,
		SelfDischargePerYear: 0.01, Model: Constant, ShelfLife: 10 * YearHours}, Sleep: 1.15e-6})
	if err != nil {
		t.Fatal(err)
	}
	if r.LimitedBy != "shelf_life" || r.Life.Years() != 10 || math.Abs(r.CapacityLife.Years()-18.25) > 0.01 {
		t.Errorf("shelf-life cap: %+v", r)
	}
}

// §2.4 of the notes: ER14505, 2600 mAh × 0.85 at 10.6 µA.
func TestModelChoiceTable(t *testing.T) {
	for _, tt := range []struct{ s, constant, proportional float64 }{
		{0, 23.8, 23.8}, {0.01, 18.6, 21.3}, {0.02, 15.2, 19.4},
	} {
		b := Battery{Capacity: 2.6, Parallel: 1, Derating: 0.85, SelfDischargePerYear: tt.s, SelfDischargeDecay: -math.Log1p(-tt.s) / YearHours}
		b.Model = Constant
		within(t, "constant", b.Life(10.6e-6).Years(), tt.constant, 0.005) // the notes give 3 significant figures
		b.Model = Proportional
		within(t, "proportional", b.Life(10.6e-6).Years(), tt.proportional, 0.003)
	}
}

// The ER34615 note: 1%/yr of 19 Ah is a 21.7 µA constant drain.
func TestSelfDischargeCurrent(t *testing.T) {
	c := BuiltinCells()["er34615"]
	b := Battery{Capacity: c.Capacity, Parallel: 1, SelfDischargePerYear: c.SelfDischargePerYear}
	within(t, "I_sd", float64(b.selfDischargeCurrent()), 21.7e-6, 0.002)
}

// "30 s instead of 5 min": with a 2 µA floor and a LoRaWAN SF7 uplink, two
// RX windows and MCU time (2.48 mC a wake), 10.3 µA becomes 84.6 µA: 8.2×,
// not 10×.
func TestSweepShowsTheNonLinearity(t *testing.T) {
	uplink := LoRaWANUplink(7, 125e3, 23)
	d := Device{ID: "lora", Battery: Battery{Capacity: 2.6, Parallel: 1, Derating: 1, Model: Constant}, Sleep: 2e-6,
		Events: []Event{{Name: "uplink", Feature: "connectivity", Every: 300, Phases: []Phase{
			{LoRa: &uplink, Current: 29e-3}, {Duration: 0.04, Current: 11e-3}, {Duration: 0.05, Current: 5e-3},
		}}}}
	points, err := Sweep{Event: "uplink", Param: ParamEvery, Values: []float64{300, 30}}.Run(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "I_avg at 5 min", float64(points[0].Result.AverageCurrent), 10.3e-6, 0.005)
	within(t, "I_avg at 30 s", float64(points[1].Result.AverageCurrent), 84.6e-6, 0.005)
	within(t, "current ratio", float64(points[1].Result.AverageCurrent/points[0].Result.AverageCurrent), 8.2, 0.01)
	within(t, "life ratio", points[1].Ratio, 1/8.246, 0.002)
	if points[0].Ratio != 1 {
		t.Errorf("first ratio %v", points[0].Ratio)
	}

	sf, err := Sweep{Event: "uplink", Param: ParamSF, Values: []float64{7, 12}}.Run(d)
	if err != nil {
		t.Fatal(err)
	}
	if !(sf[1].Ratio < 0.5) {
		t.Errorf("SF12 should cut life sharply: ratio %v", sf[1].Ratio)
	}
	for _, bad := range []Sweep{
		{Event: "nope", Param: ParamEvery, Values: []float64{1}},
		{Event: "uplink", Param: ParamCurrent, Values: []float64{1}}, // 3 phases, none named
		{Event: "uplink", Param: ParamDuration, Phase: 1, Values: []float64{1}},
		{Event: "uplink", Param: ParamSF, Values: []float64{13}},
		{Event: "uplink", Param: ParamSF, Phase: 2, Values: []float64{12}}, // phase 2 is the RX windows
		{Event: "uplink", Param: ParamSF, Phase: 4, Values: []float64{12}},
		{Event: "uplink", Param: ParamEvery, Values: []float64{0}},
		{Event: "uplink", Param: "color", Values: []float64{1}},
	} {
		if _, err := bad.Run(d); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	// the LoRa phase named gives the same points as none named
	if named, err := (Sweep{Event: "uplink", Param: ParamSF, Phase: 1, Values: []float64{7, 12}}).Run(d); err != nil || named[1].Ratio != sf[1].Ratio {
		t.Errorf("sf on phase 1: %v %v, want ratio %v", named, err, sf[1].Ratio)
	}
	two, err := Sweep{Event: "uplink", Param: ParamCurrent, Phase: 2, Values: []float64{11e-3, 22e-3}}.Run(d)
	if err != nil || !(two[1].Result.AverageCurrent > two[0].Result.AverageCurrent) {
		t.Errorf("phase sweep: %v %v", two, err)
	}
}

func TestBudgetSumsAndFeatureLife(t *testing.T) {
	d := Device{ID: "d", Battery: Battery{Capacity: 1, Parallel: 2, Derating: 0.5, SelfDischargePerYear: 0.02, Model: Constant},
		Sleep: 2e-6, Events: []Event{
			{Name: "a", Feature: "f1", Every: 60, Phases: []Phase{{Duration: 1, Current: 1e-3}}},
			{Name: "b", Feature: "f1", Every: 600, Phases: []Phase{{Duration: 2, Current: 5e-3}}},
			{Name: "c", Every: 3600, Phases: []Phase{{Duration: 1, Current: 20e-3}}},
		}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	sum, features := 0.0, 0.0
	for _, l := range r.Budget {
		if l.Kind == KindFeature {
			features += l.Share
		} else {
			sum += l.Share
		}
	}
	within(t, "shares of sleep, events and self-discharge", sum, 1, 1e-12)
	// I_avg = I_sleep + Σ ΔI_e
	var costs Amps = d.Sleep
	for _, l := range r.Budget {
		if l.Kind == KindEvent {
			costs += l.Current
		}
	}
	within(t, "I_sleep + ΣΔI", float64(costs), float64(r.AverageCurrent), 1e-12)
	// ΔI_a = 1e-3·1/60 − 2e-6·1/60
	within(t, "ΔI_a", float64(r.Budget[1].Current), (1e-3-2e-6)/60, 1e-12)
	if len(r.Features) != 1 || r.Features[0].Feature != "f1" || !(r.Features[0].LifeWithout > r.Life) {
		t.Fatalf("features %+v", r.Features)
	}
	// Life without f1 = usable / (I_sleep + ΔI_c + I_sd)
	isd := 0.02 * 2 / YearHours
	noF1 := 2e-6 + (20e-3-2e-6)/3600
	within(t, "life without f1", float64(r.Features[0].LifeWithout), 1/(noF1+isd), 1e-12)
	within(t, "nominal", float64(d.Battery.Nominal()), 2, 0)
}

func TestAwakeTooLong(t *testing.T) {
	_, err := Analyze(Device{ID: "x", Battery: Battery{Capacity: 1, Derating: 1}, Sleep: 1e-6,
		Events: []Event{{Name: "busy", Every: 1, Phases: []Phase{{Duration: 0.7, Current: 1e-3}}}, {Name: "b", Every: 2, Phases: []Phase{{Duration: 1, Current: 1e-3}}}}})
	if !errors.Is(err, ErrAwakeTooLong) {
		t.Fatalf("err = %v", err)
	}
}

func TestPulseWarning(t *testing.T) {
	b := Battery{Capacity: 0.225, Parallel: 2, Derating: 0.9, MaxPulse: 0.015}
	r, err := Analyze(Device{ID: "x", Battery: b, Sleep: 1e-6, Events: []Event{{Name: "tx", Every: 60, Phases: []Phase{{Duration: 0.001, Current: 0.025}, {Duration: 0.001, Current: 0.035}}}}})
	if err != nil {
		t.Fatal(err)
	}
	// limit is 15 mA × 2 parallel = 30 mA: only the 35 mA phase warns
	if len(r.Warnings) != 1 || r.Warnings[0].Phase != 2 {
		t.Fatalf("warnings %+v", r.Warnings)
	}
	// typed: the kind and the values, worded by String
	w := r.Warnings[0]
	if w.Kind != PulseOverLimit || w.Current != 0.035 || math.Abs(float64(w.Limit)-0.030) > 1e-12 ||
		w.String() != "event tx phase 2 draws 35 mA, above the battery's 30 mA maximum pulse current; expect voltage sag or brown-out (a buffer capacitor helps)" {
		t.Errorf("warning %+v: %s", w, w)
	}
}

func TestUnboundedLife(t *testing.T) {
	if _, err := Analyze(Device{ID: "x", Battery: Battery{Capacity: 1, Derating: 1}}); err == nil {
		t.Error("a device that draws nothing must be an error without a shelf life")
	}
}

func TestBuiltinCellsComplete(t *testing.T) {
	for _, id := range []string{"cr2032", "cr2477", "aa-alkaline", "aaa-alkaline", "aa-lithium", "er14505", "er34615", "18650"} {
		c, ok := BuiltinCells()[id]
		if !ok || c.Capacity <= 0 || c.Voltage <= 0 || c.Derating <= 0 || c.Derating > 1 || c.MaxPulse <= 0 || c.ShelfLife <= 0 || c.Source == "" || c.SelfDischargePerYear <= 0 {
			t.Errorf("%s incomplete: %+v", id, c)
		}
	}
}

// An update's download of 30 s at 150 mA is 4.5 C (1.25 mAh); through a
// 3.0 V regulator at 90% from a 3.6 V cell it costs the cell
// 3.0 / (3.6 × 0.9) as much, unless drawn on the battery side; a profile
// that states no download has no update charge (none is made up from its
// other wakes).
func TestUpdateCharge(t *testing.T) {
	d := Device{Update: &Phase{Duration: 30, Current: 0.150},
		Events: []Event{{Name: "report", Every: 3600, Uplink: &Uplink{Bytes: 120}, Phases: []Phase{{Duration: 1, Current: 0.036}}}}}
	if got, ok := d.UpdateCharge(); !ok || math.Abs(got-4.5) > 1e-12 {
		t.Errorf("UpdateCharge = %v, %v; want 4.5", got, ok)
	}
	d.Battery = Battery{Voltage: 3.6}
	d.Supply = &Supply{Voltage: 3.0, Efficiency: 0.9}
	if got, _ := d.UpdateCharge(); math.Abs(got-4.5*3.0/(3.6*0.9)) > 1e-12 {
		t.Errorf("through the regulator: %v, want %v", got, 4.5*3.0/(3.6*0.9))
	}
	if d.Update.Current != 0.150 {
		t.Error("AtCell changed the device's own update")
	}
	d.Update.BatterySide = true
	if got, _ := d.UpdateCharge(); math.Abs(got-4.5) > 1e-12 {
		t.Errorf("battery side: %v, want 4.5", got)
	}
	d.Update = nil
	if _, ok := d.UpdateCharge(); ok {
		t.Error("a profile without a stated download has an update charge")
	}
}
