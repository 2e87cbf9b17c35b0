package energy

import "testing"

// Published worked examples (research notes, shared/notes/battery.md §7),
// each with its source; where the publication differs, the test says why.

// T1 — Digi-Key battery life calculator's formula, life = C × 0.7 / I
// (digikey.ca conversion calculator; the same formula at allmath.com and
// thinkcalculator.com): 5000 mAh at 500 mA → 7.0 h; 2 mAh at 8 mA →
// 0.175 h. A constant current is a sleep current with no events.
func TestDigiKeyFormula(t *testing.T) {
	for _, tt := range []struct{ capacity, current, hours float64 }{{5, 0.5, 7}, {0.002, 0.008, 0.175}} {
		r, err := Analyze(Device{ID: "dk", Battery: Battery{Capacity: AmpHours(tt.capacity), Derating: 0.7, Model: Constant}, Sleep: Amps(tt.current)})
		if err != nil {
			t.Fatal(err)
		}
		within(t, "life", float64(r.Life), tt.hours, 1e-12)
	}
}

// T4 — Semtech LoRa Developer Portal, "Example: select a battery" (a
// LoRaWAN door/window sensor): sleep 5 µA; 391 ms at 148 mA when active;
// 85% usable; 5 years → published 1091 mAh required. The page says 36
// activations a day but its number is reproducible only with one an hour
// (36 a day needs 1501 mAh): with hourly activation, 1091 mAh lasts 5.02
// years here (Semtech's own formula gives 1086.6 mAh for 5 years, −0.4%;
// it counts 365.24-day years, iotpm 365.25).
func TestSemtechLoRaWANNode(t *testing.T) {
	d := Device{ID: "door", Battery: Battery{Capacity: 1.091, Derating: 0.85, Model: Constant}, Sleep: 5e-6,
		Events: []Event{{Name: "uplink", Every: 3600, Phases: []Phase{{Duration: 0.391, Current: 0.148}}}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "life vs the published 5 years", r.Life.Years(), 5, 0.005)
	// the required capacity for exactly 5 years, by the same model
	avg := 5e-6*(1-0.391/3600) + 0.148*0.391/3600
	within(t, "capacity for 5 years vs Semtech's formula 1086.6 mAh", avg*5*YearHours/0.85, 1.0866, 0.001)
}

// T5 — ANT heart-rate belt, Electronic Design 2007 ("Calculating battery
// lifetime"): CR2032 220 mAh; one hour a day active at 35 µA with a 16 mA,
// 400 µs transmission each second; 23 hours suspended at 2 µA. Published
// 6.4 years; the article multiplies the pulse charge by 2 V and then
// reads it as charge, counting it twice. Charge-correct, it is 6.90 years
// (the research notes' figure, reproduced here): the test holds the
// corrected value and documents the article's.
func TestANTHeartRateBelt(t *testing.T) {
	d := Device{ID: "belt", Battery: Battery{Capacity: 0.220, Derating: 1, Model: Constant}, Sleep: 2e-6,
		Events: []Event{
			// the active hour at 35 µA base, once a day
			{Name: "session", Every: 86400, Phases: []Phase{{Duration: 3600, Current: 35e-6}}},
			// 3600 transmissions a day, one every 24 s on average
			{Name: "tx", Every: 24, Phases: []Phase{{Duration: 400e-6, Current: 16e-3}}},
		}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "life, charge-correct (the article: 6.4 y with its ×2 V slip)", r.Life.Years(), 6.90, 0.005)
}

// N2 — an ESP32 MQTT tutorial (gaelle-candel.neocities.org, "practical
// examples") publishes 0.125 mA and ~666 days from 2000 mAh, having
// written 138.9 mC as "138.9 mJ" and divided again: a negative test. Its
// phases per 300 s: Wi-Fi 120 mA × 0.8 s, sensor 20 mA × 0.2 s, MQTT
// 80 mA × 0.3 s, sleep 0.05 mA. Correct: 0.463 mA, about 180 days.
func TestESP32TutorialIsWrong(t *testing.T) {
	d := Device{ID: "esp32", Battery: Battery{Capacity: 2, Derating: 1, Model: Constant}, Sleep: 0.05e-3,
		Events: []Event{{Name: "report", Every: 300, Phases: []Phase{{Duration: 0.8, Current: 0.120}, {Duration: 0.2, Current: 0.020}, {Duration: 0.3, Current: 0.080}}}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "I_avg", float64(r.AverageCurrent), 0.463e-3, 0.002)
	if days := float64(r.Life) / 24; days < 175 || days > 185 || days > 600 {
		t.Errorf("life %.0f days, about 180 (the tutorial's 666 is wrong)", days)
	}
}

// Sigfox water-tank monitor (iotclass.org, "Sigfox", battery life worked
// example): 18 messages a day, each sent three times (3 × 2 s at 40 mA),
// 1 µA asleep, 6000 mAh → 4902 days = 13.4 years. The publication counts
// no self-discharge and no derating; so does this test (derating 1, no
// self-discharge): 13.42 years. With the L91's 0.7%/year it would be
// shorter — what iotpm's catalog cell adds.
func TestSigfoxWaterTank(t *testing.T) {
	d := Device{ID: "tank", Battery: Battery{Capacity: 6, Derating: 1, Model: Constant}, Sleep: 1e-6,
		Events: []Event{{Name: "message", Every: 86400 / 18, Phases: []Phase{{Duration: 6, Current: 0.040}}}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "life vs the published 4902 days", float64(r.Life)/24, 4902, 0.002)
	within(t, "life vs the published 13.4 years", r.Life.Years(), 13.4, 0.005)
}

// RuuviTag (ruuvi/ruuvitag_fw wiki, "FAQ: battery", firmware 2.4.2): a
// 1000 mAh CR2477; RAWv1 ~15 µA "should last for 6 years", RAWv2 ~18 µA 5
// years, RAWv2_slow ~13 µA 7 years. Ruuvi's figures are whole years,
// rounded down. With 90% usable and 1%/year self-discharge (the
// catalog's Li-MnO2 figures) iotpm gives 6.36, 5.36 and 7.26 years: the
// same whole years.
func TestRuuviTag(t *testing.T) {
	for _, tt := range []struct {
		ua    float64
		years int
	}{{15, 6}, {18, 5}, {13, 7}} {
		d := Device{ID: "ruuvi", Battery: Battery{Capacity: 1.0, Derating: 0.9, SelfDischargePerYear: 0.01, Model: Constant}, Sleep: Amps(tt.ua * 1e-6)}
		r, err := Analyze(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := int(r.Life.Years()); got != tt.years {
			t.Errorf("%g µA: %.2f years, Ruuvi says %d", tt.ua, r.Life.Years(), tt.years)
		}
	}
}
