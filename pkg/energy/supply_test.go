package energy

import (
	"errors"
	"math"
	"testing"
)

// A regulator at 85%: a 3.0 V coin cell feeds a 1.8 V buck. Worked by
// hand: k = I_cell/I_load = 1.8 / (3.0 × 0.85) = 0.7058824.
//   - sleep 2 µA at the load: 1.4117647 µA from the cell;
//   - every 60 s, 10 ms at 10 mA at the load (70.588235 µC from the cell)
//     and 2 ms at 5 mA drawn from the cell directly (10 µC, side: battery);
//   - I_avg = 1.4117647 µA × (1 − 0.012/60) + 80.588235 µC / 60 s
//     = 1.4114824 + 1.3431373 = 2.7546197 µA.
//
// Without the regulator the same currents would be read as the cell's:
// 2 × (1 − 0.0002) + 110/60 = 3.8329333 µA.
func TestSupplyTakesLoadCurrentsToTheCell(t *testing.T) {
	b := Battery{Cell: "cr2032", Capacity: 0.225, Voltage: 3.0, Derating: 1}
	d := Device{ID: "d", Battery: b, Sleep: 2e-6, Supply: &Supply{Voltage: 1.8, Efficiency: 0.85},
		Events: []Event{{Name: "tx", Every: 60, Phases: []Phase{{Duration: 0.010, Current: 10e-3}, {Duration: 0.002, Current: 5e-3, BatterySide: true}}}}}
	r, err := Analyze(d)
	if err != nil {
		t.Fatal(err)
	}
	k := 1.8 / (3.0 * 0.85)
	want := 2e-6*k*(1-0.012/60) + (0.010*10e-3*k+0.002*5e-3)/60
	if math.Abs(float64(r.AverageCurrent)-want) > 1e-15 || math.Abs(want-2.7546197e-6) > 1e-12 {
		t.Errorf("average current %.10g µA, want %.10g µA", float64(r.AverageCurrent)*1e6, want*1e6)
	}
	if life := float64(r.Life); math.Abs(life-0.225/want) > 1e-6 {
		t.Errorf("life %g h, want %g h", life, 0.225/want)
	}
	d.Supply = nil
	r, _ = Analyze(d)
	if want := 2e-6*(1-0.012/60) + (0.010*10e-3+0.002*5e-3)/60; math.Abs(float64(r.AverageCurrent)-want) > 1e-15 {
		t.Errorf("without a regulator: %.10g µA, want %.10g", float64(r.AverageCurrent)*1e6, want*1e6)
	}
	// a series pack: the cell voltage is the pack's (2 × 1.5 V)
	aa := Battery{Cell: "aa", Capacity: 3, Voltage: 1.5, Series: 2, Derating: 1}
	d = Device{ID: "v", Battery: aa, Sleep: 10e-6, Supply: &Supply{Voltage: 3.3, Efficiency: 0.9}}
	r, _ = Analyze(d)
	if want := 10e-6 * 3.3 / (3.0 * 0.9); math.Abs(float64(r.AverageCurrent)-want) > 1e-15 {
		t.Errorf("2S pack: %.10g µA, want %.10g", float64(r.AverageCurrent)*1e6, want*1e6)
	}
}

// SolveEvery's answer, checked the way a reader would: life at the
// returned interval meets the target, one second shorter does not; a
// target the rest of the device cannot reach is refused.
func TestSolveEvery(t *testing.T) {
	b := Battery{Cell: "er14505", Capacity: 2.6, Voltage: 3.6, Derating: 0.85}
	d := Device{ID: "meter", Battery: b, Sleep: 5e-6,
		Events: []Event{{Name: "uplink", Every: 6 * 3600, Phases: []Phase{{Duration: 2, Current: 120e-3}}}}}
	target := Hours(12 * YearHours)
	sol, err := SolveEvery(d, "uplink", target)
	if err != nil {
		t.Fatal(err)
	}
	at := func(every Seconds) Hours {
		d2 := d
		d2.Events = []Event{{Name: "uplink", Every: every, Phases: d.Events[0].Phases}}
		r, err := Analyze(d2)
		if err != nil {
			t.Fatal(err)
		}
		return r.Life
	}
	if at(sol.Every) < target || at(sol.Every-1) >= target || sol.Every != Seconds(math.Round(float64(sol.Every))) {
		t.Errorf("every %gs: life %g y there, %g y one second shorter; target 12 y", float64(sol.Every), at(sol.Every).Years(), at(sol.Every-1).Years())
	}
	// by hand: 2.21 Ah over 12 y (105,192 h) allows 21.009 µA; the sleep
	// floor leaves 16.009 µA for 2 s × 120 mA = 0.24 C (less the sleep
	// current while awake): T ≈ 0.24 / 16.0 µA ≈ 4.16 h
	if h := float64(sol.Every) / 3600; h < 4.1 || h > 4.2 {
		t.Errorf("every %.3f h, about 4.16 h by hand", h)
	}
	if _, err := SolveEvery(d, "uplink", Hours(60*YearHours)); !errors.Is(err, ErrUnreachable) {
		t.Errorf("60 years on a 5 µA floor: %v", err)
	}
}
