package rice

import (
	"fmt"
	"math"
)

// Range is an uncertain quantity: a triangular distribution from Min to
// Max with its most likely value Mode (the midpoint when the plan gives
// none). A point estimate has Min = Mode = Max.
type Range struct {
	Min, Mode, Max float64
}

// Point is a range of one value.
func Point(v float64) Range { return Range{v, v, v} }

// IsPoint reports whether the range has a single value.
func (r Range) IsPoint() bool { return r.Min == r.Max }

// Validate reports a range whose bounds are out of order.
func (r Range) Validate() error {
	if math.IsNaN(r.Min) || math.IsNaN(r.Mode) || math.IsNaN(r.Max) || r.Min < 0 || !(r.Min <= r.Mode && r.Mode <= r.Max) {
		return fmt.Errorf("a range needs 0 ≤ min ≤ most likely ≤ max, got %g..%g..%g", r.Min, r.Mode, r.Max)
	}
	return nil
}

// Quantile is the value at cumulative probability u in [0, 1) of the
// triangular distribution (inverse transform sampling: a uniform u gives a
// sample).
func (r Range) Quantile(u float64) float64 {
	if r.IsPoint() {
		return r.Min
	}
	a, c, b := r.Min, r.Mode, r.Max
	if u < (c-a)/(b-a) {
		return a + math.Sqrt(u*(b-a)*(c-a))
	}
	return b - math.Sqrt((1-u)*(b-a)*(b-c))
}

// Retest is a certification campaign's chance of failing and needing a
// retest, and the weeks a retest adds.
type Retest struct {
	Chance float64
	Weeks  float64
}
