// Package energy estimates the battery life of a duty-cycled device from its
// wake events, and attributes the drain to each event and feature, so a
// product manager can see what a feature costs in battery life.
//
// The model: each event e wakes every T_e and runs phases of given current
// and duration (charge Q_e, awake time d_e). The average current is
//
//	I_avg = I_sleep·(1 − Σ d_e/T_e) + Σ Q_e/T_e = I_sleep + Σ ΔI_e
//
// with ΔI_e = Q_e/T_e − I_sleep·d_e/T_e the event's cost over sleeping. Usable
// capacity is the nominal capacity × parallel cells × derating. Self-discharge
// follows one of two models (constant share of nominal capacity, or share of
// the remaining charge), and life is capped at the cell's shelf life.
//
// The package is pure: typed values in, typed results out.
package energy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Units. Keeping them as distinct types stops a milliamp from being added to
// a millisecond; conversions are explicit.
type (
	Amps     float64 // current, A
	Seconds  float64 // duration, s
	AmpHours float64 // capacity, Ah
	Hours    float64 // life, h
)

// YearHours is the year used for every life figure: 365.25 days.
const YearHours = 8766.0

// Years converts hours to years of 365.25 days.
func (h Hours) Years() float64 { return float64(h) / YearHours }

// Phase is one step of an event: a current drawn for a duration, or for the
// time on air of a LoRa packet.
type Phase struct {
	Duration Seconds
	Current  Amps
	LoRa     *LoRa // when set, the phase lasts the packet's time on air
	// BatterySide: the current is drawn from the cell directly (a radio
	// wired before the regulator), not at the regulator's output.
	BatterySide bool
	// Uplink is the message the phase sends, when it sends one other
	// than a LoRa packet (whose payload is its message).
	Uplink *Uplink
}

// Uplink is a message sent to the network: its payload in bytes.
type Uplink struct{ Bytes int }

// Time is how long the phase lasts.
func (p Phase) Time() Seconds {
	if p.LoRa != nil {
		return p.LoRa.TimeOnAir()
	}
	return p.Duration
}

// Event is something the device wakes up for, every Every.
type Event struct {
	Name    string
	Feature string // optional: groups events in the per-feature budget
	Every   Seconds
	Phases  []Phase
	// Replaces names the event this one replaces when its feature ships (a
	// variant, such as an adaptive heartbeat); Retire: the variant removes
	// the event instead.
	Replaces string
	Retire   bool
	// Uplink is a message the event sends once per wake, besides any its
	// phases send.
	Uplink *Uplink
	// Download is the bytes the event receives on each wake (a firmware
	// update's image): traffic for economics, no charge of its own (the
	// phases' currents hold that).
	Download float64
}

// Sends reports whether the event sends a message to the network on each
// wake, and its payload bytes: its own uplink's plus each sending phase's
// (a LoRa packet's PHY payload, or the phase's uplink). A wake that sends
// is one message, however many of its parts carry bytes.
func (e Event) Sends() (bool, int) {
	sends, bytes := false, 0
	if e.Uplink != nil {
		sends, bytes = true, e.Uplink.Bytes
	}
	for _, p := range e.Phases {
		switch {
		case p.Uplink != nil:
			sends, bytes = true, bytes+p.Uplink.Bytes
		case p.LoRa != nil:
			sends, bytes = true, bytes+p.LoRa.PayloadBytes
		}
	}
	return sends, bytes
}

// Duration is the event's awake time d_e.
func (e Event) Duration() Seconds {
	var d Seconds
	for _, p := range e.Phases {
		d += p.Time()
	}
	return d
}

// Charge is the event's charge Q_e in coulombs (A·s).
func (e Event) Charge() float64 {
	var q float64
	for _, p := range e.Phases {
		q += float64(p.Current) * float64(p.Time())
	}
	return q
}

// SelfDischargeModel names how self-discharge is modelled.
type SelfDischargeModel string

// The self-discharge models.
const (
	// Constant: a fixed share of the nominal capacity per year, i.e. an extra
	// constant current I_sd = s·C_nom/8766 h. Conservative; it is how
	// lithium-primary datasheets word it ("≤1 % of capacity per year").
	Constant SelfDischargeModel = "constant"
	// Proportional: a share of the remaining charge, dQ/dt = −k·Q − I_avg,
	// giving life = ln(1 + k·C_eff/I_avg)/k.
	Proportional SelfDischargeModel = "proportional"
)

// Battery is the pack a device runs on.
type Battery struct {
	Cell     string   // catalog id or name, for display
	Capacity AmpHours // one cell's nominal capacity
	Series   int      // cells in series: voltage adds
	Parallel int      // cells in parallel: capacity adds
	Voltage  float64  // one cell's nominal voltage, V
	Derating float64  // usable fraction of nominal capacity, (0, 1]
	// SelfDischargePerYear is the constant model's yearly loss as a share of
	// nominal capacity; SelfDischargeDecay the proportional model's k, per hour.
	SelfDischargePerYear float64
	SelfDischargeDecay   float64
	Model                SelfDischargeModel
	MaxPulse             Amps  // one cell's maximum pulse current; 0 when unknown
	ShelfLife            Hours // 0 when unknown
	// Replaceable: customers replace the cells when they are flat, so the
	// device outlives its battery life.
	Replaceable bool
	// CapacityAt is the cell's capacity at temperatures and loads (its
	// datasheet's curves); Factor scales the usable capacity by them
	// (Analyze sets it from the device's seasons and largest pulse; 0
	// means 1).
	CapacityAt []CapacityPoint
	Factor     float64
	// SelfDischargeAt is the cell's self-discharge at temperatures (its
	// datasheet's); with the device's seasons it replaces the room
	// temperature rate (Analyze scales both models by it).
	SelfDischargeAt []SelfDischargePoint
}

// Nominal is the pack's nominal capacity.
func (b Battery) Nominal() AmpHours { return b.Capacity * AmpHours(max(b.Parallel, 1)) }

// Usable is the capacity the device can draw: nominal × derating × the
// temperature and pulse factor.
func (b Battery) Usable() AmpHours {
	f := b.Factor
	if f == 0 {
		f = 1
	}
	return b.Nominal() * AmpHours(b.Derating*f)
}

// PackVoltage is the nominal voltage of the cells in series.
func (b Battery) PackVoltage() float64 { return b.Voltage * float64(max(b.Series, 1)) }

// Device is a battery-powered product and what it wakes up for.
type Device struct {
	ID      string
	Battery Battery
	Sleep   Amps // floor current between events
	Target  Hours
	Events  []Event
	// Budgets cap what a feature may cost the battery.
	Budgets []Budget
	// Supply is the regulator between the cell and the load; nil: the
	// currents are the cell's.
	Supply *Supply
	// Seasons are the temperatures the device spends its year at; none:
	// room temperature (the rating's).
	Seasons []Season
	// MinVoltage is the lowest pack voltage the device runs at (its
	// brown-out); 0: the cell's rated end voltage.
	MinVoltage float64
	// Update is the download of one firmware update when the profile
	// states it: a one-off wake, how long the session keeps the radio on
	// and at what current. Not an event: updates come when a release
	// does, and their cost is shown per update (iotpm rollout).
	Update *Phase
}

// Supply is a regulator: its output voltage and its efficiency η. A
// current I_load drawn at its output costs the cell
// I_load·V_load / (V_cell·η), V_cell the pack's nominal voltage (a
// switcher conserves power, less its losses).
type Supply struct {
	Voltage    float64 // V_load, volts
	Efficiency float64 // η, (0, 1]
}

// factor is I_cell / I_load.
func (s Supply) factor(b Battery) float64 {
	return s.Voltage / (b.PackVoltage() * s.Efficiency)
}

// AtCell returns the device with every load-side current (sleep, and each
// phase not marked BatterySide) as the cell supplies it through the
// regulator; a device without one is returned as it is.
func (d Device) AtCell() Device {
	if d.Supply == nil || d.Battery.PackVoltage() <= 0 || d.Supply.Efficiency <= 0 {
		return d
	}
	k := d.Supply.factor(d.Battery)
	out := d
	out.Supply = nil
	out.Sleep = Amps(float64(d.Sleep) * k)
	out.Events = make([]Event, len(d.Events))
	for i, e := range d.Events {
		e.Phases = slices.Clone(e.Phases)
		for j := range e.Phases {
			if !e.Phases[j].BatterySide {
				e.Phases[j].Current = Amps(float64(e.Phases[j].Current) * k)
			}
		}
		out.Events[i] = e
	}
	if d.Update != nil && !d.Update.BatterySide {
		u := *d.Update
		u.Current = Amps(float64(u.Current) * k)
		out.Update = &u
	}
	return out
}

// Budget line kinds.
const (
	KindSleep         = "sleep"
	KindEvent         = "event"
	KindFeature       = "feature"
	KindSelfDischarge = "self_discharge"
)

// BudgetLine is one consumer of charge and its share of the total drain
// I_avg + I_sd. Sleep, the events and self-discharge add up to 100%; feature
// lines group events and overlap them.
type BudgetLine struct {
	Kind    string
	Name    string
	Feature string // for events: their feature
	Current Amps
	Share   float64
}

// FeatureCost is what one feature costs: its current and the life the device
// would have without it.
type FeatureCost struct {
	Feature     string
	Current     Amps
	LifeWithout Hours
	// CapacityLifeWithout is LifeWithout before the shelf-life cap: on a
	// cell whose shelf life caps both lives, the feature's cost shows only
	// here (LifeWithout − Life is 0).
	CapacityLifeWithout Hours
}

// Warning is a non-fatal finding, such as a pulse the cell cannot deliver.
type Warning struct {
	Kind  WarningKind
	Event string
	Phase int // 1-based
	// Current and Limit are the phase's current and the battery's maximum
	// pulse current (PulseOverLimit).
	Current, Limit Amps
	// Celsius is the device's temperature a warning is about (its coldest
	// or hottest season), CurveEnd the last datasheet point on that side
	// (ColderThanCurve, HotterThanCurve).
	Celsius, CurveEnd float64
	// Volts is the device's minimum voltage at each cell (AboveCutoffCurve,
	// with CurveEnd the curve's highest cutoff).
	Volts float64
}

// WarningKind says what a warning is about.
type WarningKind string

// PulseOverLimit: a phase draws more than the battery's maximum pulse
// current. NoTemperatureData: the device has a temperature and its cell no
// capacity-vs-temperature data, so room temperature is assumed.
const (
	PulseOverLimit    WarningKind = "pulse_over_limit"
	NoTemperatureData WarningKind = "no_temperature_data"
	// NoCutoffData: the device has a min_voltage and its cell no
	// capacity-vs-end-voltage data, so the rating's end voltage is assumed.
	NoCutoffData WarningKind = "no_cutoff_data"
	// ColderThanCurve: a season is colder than the coldest point of the
	// cell's capacity-vs-temperature curve, which is held there: the
	// capacity in that season is overstated.
	ColderThanCurve WarningKind = "colder_than_curve"
	// HotterThanCurve: a season is hotter than the hottest point of the
	// cell's self-discharge-vs-temperature points, which are held there:
	// the self-discharge in that season is understated.
	HotterThanCurve WarningKind = "hotter_than_curve"
	// AboveCutoffCurve: the device's minimum voltage (at each cell) is
	// above the highest cutoff of the cell's capacity-vs-end-voltage
	// points, which are held there: the capacity is overstated.
	AboveCutoffCurve WarningKind = "above_cutoff_curve"
	// HeavierThanCurve: the device's largest pulse (at each cell) is
	// heavier than the heaviest point of the cell's capacity-vs-load
	// curve, which is held there: the capacity is overstated.
	HeavierThanCurve WarningKind = "heavier_than_curve"
	// NoSelfDischargeData: a season is above RoomCelsius and the cell has
	// no self-discharge at temperature, so the rated (room-temperature)
	// rate is used: understated in the heat.
	NoSelfDischargeData WarningKind = "no_self_discharge_data"
)

// RoomCelsius is the temperature up to which a cell's rated self-discharge
// is taken to hold without datasheet points: ratings are given at 20–25 °C.
const RoomCelsius = 25

// String words a warning in English; callers may word the kind and values
// themselves.
func (w Warning) String() string {
	switch w.Kind {
	case PulseOverLimit:
		return fmt.Sprintf("event %s phase %d draws %.4g mA, above the battery's %.4g mA maximum pulse current; expect voltage sag or brown-out (a buffer capacitor helps)",
			w.Event, w.Phase, float64(w.Current)*1e3, float64(w.Limit)*1e3)
	case NoTemperatureData:
		return "a temperature is given, and the cell has no capacity at temperature (capacity_at: [{temperature: -20C, capacity: …}] from the datasheet): the room-temperature capacity is used, which overstates life in the cold"
	case ColderThanCurve:
		return fmt.Sprintf("the device sees %s °C and the cell's capacity_at stops at %s °C: the capacity below it is taken as at %s °C, which overstates life in the cold; add the datasheet's point at %s °C",
			degrees(w.Celsius), degrees(w.CurveEnd), degrees(w.CurveEnd), degrees(w.Celsius))
	case HotterThanCurve:
		return fmt.Sprintf("the device sees %s °C and the cell's self_discharge_at stops at %s °C: the self-discharge above it is taken as at %s °C, which overstates life in the heat; add the datasheet's point at %s °C",
			degrees(w.Celsius), degrees(w.CurveEnd), degrees(w.CurveEnd), degrees(w.Celsius))
	case AboveCutoffCurve:
		return fmt.Sprintf("its min_voltage is %sV at each cell and the cell's capacity_at cutoffs stop at %sV: the capacity down to it is taken as down to %sV, which overstates life; add the datasheet's point at %sV",
			degrees(w.Volts), degrees(w.CurveEnd), degrees(w.CurveEnd), degrees(w.Volts))
	case HeavierThanCurve:
		return fmt.Sprintf("its largest pulse draws %.4g mA from each cell and the cell's capacity_at stops at %.4g mA: the capacity under it is taken as at %.4g mA, which overstates life; add the datasheet's point at %.4g mA",
			float64(w.Current)*1e3, float64(w.Limit)*1e3, float64(w.Limit)*1e3, float64(w.Current)*1e3)
	case NoSelfDischargeData:
		return fmt.Sprintf("the device sees %s °C and the cell has no self-discharge at temperature (self_discharge_at: [{temperature: %sC, rate: …}] from the datasheet): the rated room-temperature rate is used, which overstates life in the heat (self-discharge rises with temperature)",
			degrees(w.Celsius), degrees(w.Celsius))
	case NoCutoffData:
		return "a min_voltage is given, and the cell has no capacity to an end voltage (capacity_at: [{cutoff: 2.5V, capacity: …}] from the datasheet): the rating's end voltage is assumed, which overstates life when the device browns out earlier"
	}
	return string(w.Kind)
}

// Result is a device's battery analysis.
type Result struct {
	AverageCurrent       Amps
	SelfDischargeCurrent Amps // constant-model equivalent, shown in the budget
	DutyCycle            float64
	Life                 Hours
	CapacityLife         Hours // life before the shelf-life cap
	// TemperatureFactor and PulseFactor scale the usable capacity: the
	// cell's capacity over the device's year, and at its largest pulse,
	// as shares of the rating (1: no data, or none applies).
	TemperatureFactor, PulseFactor float64
	// CutoffFactor scales it for the device's minimum voltage (1: no
	// minimum, or no end-voltage data).
	CutoffFactor float64
	LimitedBy    string // "capacity" or "shelf_life"
	Model        SelfDischargeModel
	Budget       []BudgetLine
	Features     []FeatureCost
	Warnings     []Warning
}

// MeetsTarget reports whether life reaches the device's target (true when it
// has none).
func (r Result) MeetsTarget(target Hours) bool { return target <= 0 || r.Life >= target }

// ErrAwakeTooLong is returned when events keep the device awake more than
// 100% of the time.
var ErrAwakeTooLong = errors.New("events keep the device awake more than 100% of the time")

// AverageCurrent computes I_avg and the duty cycle Σ d_e/T_e.
func AverageCurrent(sleep Amps, events []Event) (Amps, float64, error) {
	duty, avg := 0.0, 0.0
	for _, e := range events {
		if e.Every <= 0 {
			return 0, 0, fmt.Errorf("event %s: period must be positive", e.Name)
		}
		duty += float64(e.Duration() / e.Every)
		avg += e.Charge() / float64(e.Every)
	}
	if duty > 1 {
		return 0, duty, fmt.Errorf("%w (%.1f%%)", ErrAwakeTooLong, duty*100)
	}
	return Amps(float64(sleep)*(1-duty) + avg), duty, nil
}

// Life is the battery life at average current avg, before the shelf-life
// cap, under the battery's self-discharge model. It is +Inf when nothing
// drains the battery.
func (b Battery) Life(avg Amps) Hours {
	usable := float64(b.Usable())
	if b.Model == Proportional {
		k := b.SelfDischargeDecay
		switch {
		case avg <= 0 && k <= 0:
			return Hours(math.Inf(1))
		case avg <= 0:
			return Hours(math.Inf(1)) // decays forever, never reaches zero
		case k <= 0:
			return Hours(usable / float64(avg))
		}
		return Hours(math.Log1p(k*usable/float64(avg)) / k)
	}
	drain := float64(avg) + float64(b.selfDischargeCurrent())
	if drain <= 0 {
		return Hours(math.Inf(1))
	}
	return Hours(usable / drain)
}

// selfDischargeCurrent is the constant-model equivalent current s·C_nom/H.
func (b Battery) selfDischargeCurrent() Amps {
	return Amps(b.SelfDischargePerYear * float64(b.Nominal()) / YearHours)
}

// capped applies the shelf-life cap.
func (b Battery) capped(life Hours) (Hours, string) {
	if b.ShelfLife > 0 && life > b.ShelfLife {
		return b.ShelfLife, "shelf_life"
	}
	return life, "capacity"
}

// Analyze computes a device's average current, life and budget. Currents
// at a regulator's output are first taken to the cell (AtCell): every
// figure of the result is the cell's.
func Analyze(d Device) (Result, error) {
	d = d.AtCell()
	avg, duty, err := AverageCurrent(d.Sleep, d.Events)
	if err != nil {
		return Result{}, err
	}
	b := d.Battery
	if b.Model == "" {
		b.Model = Constant
	}
	tf, known := b.TemperatureFactor(d.Seasons)
	if f, ok := b.SelfDischargeFactor(d.Seasons); ok {
		b.SelfDischargePerYear *= f
		b.SelfDischargeDecay *= f
	}
	pf := b.PulseFactor(d.peakCurrent())
	cf := 1.0
	if d.MinVoltage > 0 {
		var ok bool
		if cf, ok = b.CutoffFactor(d.MinVoltage / float64(max(b.Series, 1))); !ok {
			cf = 1
		}
	}
	b.Factor = tf * pf * cf
	r := Result{AverageCurrent: avg, DutyCycle: duty, Model: b.Model, SelfDischargeCurrent: b.selfDischargeCurrent(), TemperatureFactor: tf, PulseFactor: pf, CutoffFactor: cf}
	if d.MinVoltage > 0 && cf == 1 {
		if _, ok := b.CutoffFactor(d.MinVoltage / float64(max(b.Series, 1))); !ok {
			r.Warnings = append(r.Warnings, Warning{Kind: NoCutoffData})
		}
	}
	if !known {
		r.Warnings = append(r.Warnings, Warning{Kind: NoTemperatureData})
	}
	if top, ok := b.highestCutoff(); ok && d.MinVoltage > 0 && d.MinVoltage/float64(max(b.Series, 1)) > top {
		// the end-voltage curve is held at its highest cutoff: a device
		// that browns out above it gets more capacity than the cell gives
		r.Warnings = append(r.Warnings, Warning{Kind: AboveCutoffCurve, Volts: d.MinVoltage / float64(max(b.Series, 1)), CurveEnd: top})
	}
	r.Warnings = append(r.Warnings, d.Battery.beyondCurves(d.Seasons)...)
	r.CapacityLife = b.Life(avg)
	if math.IsInf(float64(r.CapacityLife), 1) && b.ShelfLife <= 0 {
		return Result{}, errors.New("nothing drains the battery (no sleep current, events or self-discharge), so life is unbounded")
	}
	r.Life, r.LimitedBy = b.capped(r.CapacityLife)

	total := float64(avg + r.SelfDischargeCurrent)
	share := func(a Amps) float64 {
		if total == 0 {
			return 0
		}
		return float64(a) / total
	}
	r.Budget = append(r.Budget, BudgetLine{Kind: KindSleep, Name: "sleep", Current: d.Sleep, Share: share(d.Sleep)})
	var features []string
	featureCurrent := map[string]Amps{}
	for _, e := range d.Events {
		cost := Amps(e.Charge()/float64(e.Every) - float64(d.Sleep)*float64(e.Duration()/e.Every))
		r.Budget = append(r.Budget, BudgetLine{Kind: KindEvent, Name: e.Name, Feature: e.Feature, Current: cost, Share: share(cost)})
		if e.Feature != "" {
			if !slices.Contains(features, e.Feature) {
				features = append(features, e.Feature)
			}
			featureCurrent[e.Feature] += cost
		}
	}
	for _, f := range features {
		r.Budget = append(r.Budget, BudgetLine{Kind: KindFeature, Name: f, Current: featureCurrent[f], Share: share(featureCurrent[f])})
		var rest []Event
		for _, e := range d.Events {
			if e.Feature != f {
				rest = append(rest, e)
			}
		}
		restAvg, _, _ := AverageCurrent(d.Sleep, rest) // a subset of valid events is valid
		capacity := b.Life(restAvg)
		without, _ := b.capped(capacity)
		r.Features = append(r.Features, FeatureCost{Feature: f, Current: featureCurrent[f], LifeWithout: without, CapacityLifeWithout: capacity})
	}
	r.Budget = append(r.Budget, BudgetLine{Kind: KindSelfDischarge, Name: "self-discharge", Current: r.SelfDischargeCurrent, Share: share(r.SelfDischargeCurrent)})

	if b.MaxPulse > 0 {
		limit := b.MaxPulse * Amps(max(b.Parallel, 1))
		for _, e := range d.Events {
			for i, p := range e.Phases {
				if p.Current > limit {
					r.Warnings = append(r.Warnings, Warning{Kind: PulseOverLimit, Event: e.Name, Phase: i + 1, Current: p.Current, Limit: limit})
				}
			}
		}
	}
	if xs, _ := b.curve(false); len(xs) > 0 && float64(d.peakCurrent()) > xs[len(xs)-1] &&
		!slices.ContainsFunc(r.Warnings, func(w Warning) bool { return w.Kind == PulseOverLimit }) {
		// the load curve is held at its heaviest point: a heavier pulse
		// gets that point's capacity, more than the cell gives
		r.Warnings = append(r.Warnings, Warning{Kind: HeavierThanCurve, Current: d.peakCurrent(), Limit: Amps(xs[len(xs)-1])})
	}
	return r, nil
}

// UpdateCharge is the charge, in coulombs, one update's download draws
// from the cell (through the regulator); ok is false when the profile
// does not state its download. There is no estimate from the device's
// other wakes: their charge per byte is mostly the connection's overhead,
// and a Wi-Fi check-in's 30 µAh for 120 bytes would make a 1.2 MB image
// cost 300 mAh where its download costs about 1.
func (d Device) UpdateCharge() (coulombs float64, ok bool) {
	u := d.AtCell().Update
	if u == nil {
		return 0, false
	}
	return float64(u.Current) * float64(u.Time()), true
}

// degrees writes a temperature or a voltage as devices.yaml would: -40,
// 12.5, 2.75.
func degrees(c float64) string { return strconv.FormatFloat(c, 'f', -1, 64) }
