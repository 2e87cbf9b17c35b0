package energy

import (
	"cmp"
	"math"
	"slices"
)

// CapacityPoint is one datasheet point of a cell: its capacity at a
// temperature (Celsius set, at the rated drain) or at a load current
// (Current set, at room temperature). Capacity is the cell's, like the
// rating.
type CapacityPoint struct {
	Celsius  *float64
	Current  Amps
	Capacity AmpHours
	// Cutoff, when set, makes it a point of the capacity-vs-end-voltage
	// curve: the capacity down to that cell voltage (at the rated drain
	// and room temperature).
	Cutoff *float64
}

// Season is part of a device's year at one temperature: Months (1–12) at
// Celsius. A device at one temperature all year has one season of all
// twelve months.
type Season struct {
	Months  []int
	Celsius float64
}

// monthDays are the days of each month in an average year (February
// 28.25), the weights of a year profile.
var monthDays = [12]float64{31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// interpolate is y at x over points (x ascending), linear between points
// and held at the ends.
func interpolate(xs, ys []float64, x float64) float64 {
	switch {
	case len(xs) == 0:
		return math.NaN()
	case x <= xs[0]:
		return ys[0]
	case x >= xs[len(xs)-1]:
		return ys[len(ys)-1]
	}
	i, _ := slices.BinarySearch(xs, x)
	if xs[i] == x {
		return ys[i]
	}
	t := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + t*(ys[i]-ys[i-1])
}

// curve is the points of one kind (temperature or current), sorted, as
// capacity / rated capacity.
func (b Battery) curve(temperature bool) (xs, ys []float64) {
	points := slices.Clone(b.CapacityAt)
	slices.SortStableFunc(points, func(p, q CapacityPoint) int { return cmp.Compare(p.key(temperature), q.key(temperature)) })
	for _, p := range points {
		if (p.Celsius != nil) != temperature || p.Capacity <= 0 || b.Capacity <= 0 || p.Cutoff != nil {
			continue // a cutoff point is on the end-voltage curve only
		}
		if temperature && p.Current != 0 {
			continue // a point at both a temperature and a load is not on either curve alone
		}
		x := p.key(temperature)
		if n := len(xs); n > 0 && xs[n-1] == x {
			ys[n-1] = float64(p.Capacity / b.Capacity) // a repeated point: the later one
			continue
		}
		xs, ys = append(xs, x), append(ys, float64(p.Capacity/b.Capacity))
	}
	return xs, ys
}

func (p CapacityPoint) key(temperature bool) float64 {
	if temperature {
		if p.Celsius == nil {
			return math.Inf(-1)
		}
		return *p.Celsius
	}
	return float64(p.Current)
}

// TemperatureFactor is the share of the rated capacity the cell gives
// over the device's year: the capacity-vs-temperature curve, interpolated
// linearly and held at its ends, at each season's temperature, weighted
// by the season's days. This takes the capacity of a season to be what
// the cell would give if it spent its whole life at that temperature — a
// simplification: the year-average capacity, not a simulation of the
// charge drawn in each season. It is 1 without seasons; ok is false when
// the device has seasons and the cell no temperature data (the caller
// warns: room temperature is then assumed).
func (b Battery) TemperatureFactor(seasons []Season) (factor float64, ok bool) {
	if len(seasons) == 0 {
		return 1, true
	}
	xs, ys := b.curve(true)
	if len(xs) == 0 {
		return 1, false
	}
	var sum, days float64
	for _, s := range seasons {
		for _, m := range s.Months {
			if m >= 1 && m <= 12 {
				sum += monthDays[m-1] * interpolate(xs, ys, s.Celsius)
				days += monthDays[m-1]
			}
		}
	}
	if days == 0 {
		return 1, true
	}
	return sum / days, true
}

// PulseFactor is the share of the rated capacity the cell gives when the
// device's largest pulse draws peak from each cell: the capacity-vs-load
// curve, interpolated and held at its ends (1 without load data).
func (b Battery) PulseFactor(peak Amps) float64 {
	xs, ys := b.curve(false)
	if len(xs) == 0 || peak <= 0 {
		return 1
	}
	return interpolate(xs, ys, float64(peak))
}

// peakCurrent is the largest phase current of the device at the cell,
// shared by the cells in parallel.
func (d Device) peakCurrent() Amps {
	var peak Amps
	for _, e := range d.Events {
		for _, p := range e.Phases {
			peak = max(peak, p.Current)
		}
	}
	return peak / Amps(max(d.Battery.Parallel, 1))
}

// SelfDischargePoint is a datasheet's yearly self-discharge (a share of
// the nominal capacity) at a temperature.
type SelfDischargePoint struct {
	Celsius float64
	PerYear float64
}

// SelfDischargeFactor is how much faster the cell self-discharges over the
// device's year than at its rating: the time-weighted mean of the
// datasheet's rate at each season's temperature (interpolated linearly
// between points, held at the ends) over the rated SelfDischargePerYear.
// ok is false — leave the rate as rated — without seasons, without
// temperature points, or without a rated rate to scale.
func (b Battery) SelfDischargeFactor(seasons []Season) (factor float64, ok bool) {
	if len(seasons) == 0 || len(b.SelfDischargeAt) == 0 || b.SelfDischargePerYear <= 0 {
		return 1, false
	}
	pts := slices.Clone(b.SelfDischargeAt)
	slices.SortFunc(pts, func(x, y SelfDischargePoint) int { return cmp.Compare(x.Celsius, y.Celsius) })
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.Celsius, p.PerYear
	}
	var sum, days float64
	for _, s := range seasons {
		for _, m := range s.Months {
			if m >= 1 && m <= 12 {
				sum += monthDays[m-1] * interpolate(xs, ys, s.Celsius)
				days += monthDays[m-1]
			}
		}
	}
	if days == 0 {
		return 1, false
	}
	return sum / days / b.SelfDischargePerYear, true
}

// CutoffFactor is the share of the rated capacity the cell gives down to
// a device's minimum cell voltage: the capacity-vs-end-voltage curve
// (CapacityPoint.Cutoff), interpolated linearly and held at its ends. ok
// is false without such points, or without a minimum: the rating's end
// voltage is then assumed.
func (b Battery) CutoffFactor(minCellVolts float64) (factor float64, ok bool) {
	if minCellVolts <= 0 || b.Capacity <= 0 {
		return 1, false
	}
	var pts []CapacityPoint
	for _, p := range b.CapacityAt {
		if p.Cutoff != nil && p.Capacity > 0 {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return 1, false
	}
	slices.SortStableFunc(pts, func(p, q CapacityPoint) int { return cmp.Compare(*p.Cutoff, *q.Cutoff) })
	var xs, ys []float64
	for _, p := range pts {
		if n := len(xs); n > 0 && xs[n-1] == *p.Cutoff {
			ys[n-1] = float64(p.Capacity / b.Capacity)
			continue
		}
		xs, ys = append(xs, *p.Cutoff), append(ys, float64(p.Capacity/b.Capacity))
	}
	return interpolate(xs, ys, minCellVolts), true
}

// highestCutoff is the highest end voltage of the cell's capacity-vs-
// end-voltage points; ok is false without any.
func (b Battery) highestCutoff() (volts float64, ok bool) {
	for _, p := range b.CapacityAt {
		if p.Cutoff != nil && p.Capacity > 0 && (!ok || *p.Cutoff > volts) {
			volts, ok = *p.Cutoff, true
		}
	}
	return volts, ok
}

// extremes are the coldest and the hottest of the seasons that have
// months; ok is false without any.
func extremes(seasons []Season) (lo, hi float64, ok bool) {
	for _, s := range seasons {
		if !slices.ContainsFunc(s.Months, func(m int) bool { return m >= 1 && m <= 12 }) {
			continue
		}
		if !ok {
			lo, hi, ok = s.Celsius, s.Celsius, true
		}
		lo, hi = min(lo, s.Celsius), max(hi, s.Celsius)
	}
	return lo, hi, ok
}

// beyondCurves warns where the device's year leaves the cell's datasheet
// points on the side that flatters life: colder than the capacity curve's
// coldest point (held there: more capacity than the cell gives), hotter
// than the self-discharge points' hottest (held there: less
// self-discharge), or above RoomCelsius with no self-discharge points at
// all. The other sides (warmer than the capacity curve, colder than the
// self-discharge points) err towards a shorter life and are not warned of.
func (b Battery) beyondCurves(seasons []Season) []Warning {
	lo, hi, ok := extremes(seasons)
	if !ok {
		return nil
	}
	var out []Warning
	if xs, _ := b.curve(true); len(xs) > 0 && lo < xs[0] {
		out = append(out, Warning{Kind: ColderThanCurve, Celsius: lo, CurveEnd: xs[0]})
	}
	if b.SelfDischargePerYear > 0 {
		if len(b.SelfDischargeAt) == 0 {
			if hi > RoomCelsius {
				out = append(out, Warning{Kind: NoSelfDischargeData, Celsius: hi})
			}
		} else {
			hot := slices.MaxFunc(b.SelfDischargeAt, func(x, y SelfDischargePoint) int { return cmp.Compare(x.Celsius, y.Celsius) }).Celsius
			if hi > hot {
				out = append(out, Warning{Kind: HotterThanCurve, Celsius: hi, CurveEnd: hot})
			}
		}
	}
	return out
}
