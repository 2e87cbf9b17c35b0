package energy

import (
	"maps"
	"math"
	"slices"
)

// Cell is a battery cell model with the figures life depends on.
type Cell struct {
	ID                   string
	Name                 string
	Capacity             AmpHours
	Voltage              float64 // nominal, V
	SelfDischargePerYear float64 // share of nominal capacity lost per year at room temperature
	// SelfDischargeDecay is the proportional model's k per hour; zero means
	// "derive it from SelfDischargePerYear".
	SelfDischargeDecay float64
	Derating           float64 // default usable fraction of nominal capacity
	MaxPulse           Amps
	ShelfLife          Hours
	// CapacityAt: the datasheet's capacity at temperatures and loads
	// (with its source in Source); none: only the rating is known.
	CapacityAt []CapacityPoint
	// SelfDischargeAt: the datasheet's yearly self-discharge at
	// temperatures (none: the rate is the same at every temperature).
	SelfDischargeAt []SelfDischargePoint
	Source          string
}

func celsius(c float64) *float64 { return &c }

// DecayPerHour is the proportional model's k: the cell's own, or one derived
// from its yearly rate, k = −ln(1 − s)/8766 h.
func (c Cell) DecayPerHour() float64 {
	if c.SelfDischargeDecay > 0 || c.SelfDischargePerYear >= 1 {
		return c.SelfDischargeDecay
	}
	return -math.Log1p(-c.SelfDischargePerYear) / YearHours
}

// CellCatalog maps cell ids to cells.
type CellCatalog map[string]Cell

// IDs returns the catalog's ids, sorted.
func (c CellCatalog) IDs() []string { return slices.Sorted(maps.Keys(c)) }

func years(y float64) Hours { return Hours(y * YearHours) }

// BuiltinCells returns the cells iotpm knows without configuration. Capacity
// ratings carry conditions (low drain, room temperature, the maker's cutoff);
// derating defaults follow the usable-capacity presets of public calculators.
// Figures marked rough are recalled or estimated in the research notes and
// should be checked against the datasheet of the cell actually bought.
func BuiltinCells() CellCatalog {
	list := []Cell{
		{ID: "cr2032", Name: "CR2032 coin cell (Li-MnO2)", Capacity: 0.225, Voltage: 3.0,
			SelfDischargePerYear: 0.01, Derating: 0.9, MaxPulse: 0.015, ShelfLife: years(10),
			CapacityAt: []CapacityPoint{
				{Celsius: celsius(-20), Capacity: 0.130}, {Celsius: celsius(21), Capacity: 0.225},
				{Current: 0.015, Capacity: 0.225}, {Current: 0.030, Capacity: 0.205},
			},
			Source: "225 mAh and ~1%/yr (Panasonic, via TritiLED and Wikipedia CR2032); 15 mA pulse (encyc.org CR2032); 10-year shelf life (TritiLED); 90% usable for Li-MnO2 (vschroeter/battery-lifetime-calculator presets); about 130 mAh at -20 °C (secondary: embedwise battery-life calculator; check the maker's temperature curve); a 30 mA peak instead of 15 mA costs about 9% of the capacity (TI SWRA349, Coin cells and peak current draw, averaged over vendors)"},
		{ID: "cr2477", Name: "CR2477 coin cell (Li-MnO2)", Capacity: 0.9, Voltage: 3.0,
			SelfDischargePerYear: 0.01, Derating: 0.9, MaxPulse: 0.015, ShelfLife: years(10),
			Source: "900 mAh (PKCELL CR2477 rating; 850–1000 mAh across makers, batteryequivalents.com); <1%/yr; pulse 15 mA by analogy with CR2450 (rough); shelf life as CR2032"},
		{ID: "aa-alkaline", Name: "AA alkaline (Zn-MnO2, E91 class)", Capacity: 2.5, Voltage: 1.5,
			SelfDischargePerYear: 0.03, Derating: 0.7, MaxPulse: 1.0, ShelfLife: years(7),
			CapacityAt: []CapacityPoint{
				{Celsius: celsius(-20), Capacity: 1.2}, {Celsius: celsius(21), Capacity: 2.5},
				{Current: 0.025, Capacity: 2.5}, {Current: 1.0, Capacity: 1.0},
			},
			Source: "2500 mAh and 0.25%/month (vschroeter presets; ~2850 mAh at 25 mA, under 1000 mAh at 1 A per Energizer E91, the load curve's two points scaled to the 2500 mAh rating: 1000 mAh at 1 A); ~1 A (E91 datasheet via allaboutcircuits); 5–10 year shelf life (dmitrywolf.com); 0.7 derating for the sloping discharge curve (Digi-Key allowance); about 1200 mAh at -20 °C (secondary: embedwise battery-life calculator)"},
		{ID: "aaa-alkaline", Name: "AAA alkaline (Zn-MnO2, E92 class)", Capacity: 1.2, Voltage: 1.5,
			SelfDischargePerYear: 0.03, Derating: 0.7, MaxPulse: 0.5, ShelfLife: years(7),
			Source: "1200 mAh (vschroeter preset; Energizer E92 ~1200 mAh at 25 mA); self-discharge and derating as AA alkaline; 0.5 A pulse rough"},
		{ID: "aa-lithium", Name: "AA lithium (Li-FeS2, Energizer L91)", Capacity: 3.0, Voltage: 1.5,
			SelfDischargePerYear: 0.007, Derating: 0.9, MaxPulse: 2.0, ShelfLife: years(20),
			Source: "3000 mAh nearly load-independent (Energizer via electronicshopbest; 3500 mAh at 25 mA rough); 90% after 15 years ≈ 0.7%/yr (L91 datasheet via candlepowerforums); 20-year shelf life for Li-FeS2 (TritiLED); ~2 A rough"},
		{ID: "er14505", Name: "ER14505 AA bobbin (Li-SOCl2)", Capacity: 2.6, Voltage: 3.6,
			SelfDischargePerYear: 0.01, Derating: 0.85, MaxPulse: 0.2, ShelfLife: years(20),
			Source: "2600 mAh (Saft LS14500 class; 2400–2700 mAh across makers); ≤1%/yr (Maxell, Saft, Varta); 85% usable for Li-SOCl2 (vschroeter presets, Semtech example); 200–250 mA pulse rough; 20-year shelf life rough"},
		{ID: "er34615", Name: "ER34615 D bobbin (Li-SOCl2)", Capacity: 19, Voltage: 3.6,
			SelfDischargePerYear: 0.01, Derating: 0.85, MaxPulse: 0.3, ShelfLife: years(20),
			Source: "19 Ah (Tadiran TL-5930 3.6 V 19.0 Ah); ≤1%/yr, i.e. 21.7 µA equivalent; 300–400 mA pulse rough; 20-year shelf life rough. Not in capacity_at: the D bobbin's continuous-load curve at +25 °C (19.0 Ah at ~4 mA, 13.5 Ah at ~20 mA, 7 Ah at ~35 mA; Linden's Handbook of Batteries, fig. 14.17) is a steady drain, not the capacity under a short radio pulse that capacity_at's currents mean, and would understate a metering node's life several-fold"},
		{ID: "18650", Name: "18650 Li-ion (NMC)", Capacity: 3.0, Voltage: 3.6,
			SelfDischargePerYear: 0.24, Derating: 0.8, MaxPulse: 5.0, ShelfLife: years(5),
			Source: "3000 mAh (vschroeter preset); 2–3%/month (diracdelta.co.uk; hdp-power.com) taken as 2%/month; 80% usable (vschroeter presets); multi-amp pulses (5 A rough); 5-year calendar ageing rough"},
	}
	c := make(CellCatalog, len(list))
	for _, x := range list {
		c[x.ID] = x
	}
	return c
}
