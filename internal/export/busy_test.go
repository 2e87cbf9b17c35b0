package export

import (
	"math"
	"slices"
	"testing"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// Stretches 0, 1, 2, 10, 11 and 30 hold rows: the runs without a row after
// each but the last are 0, 0, 7, 0 and 18 stretches, so the gaps are
// stretches 3–9 and 12–29. Counted with its marked stretch before it,
// each run covers 1, 1, 8, 1 and 19 stretches of the 30 from the first
// marked to the last; in order of length the runs of 0 cover 3, with the
// run of 7, 11: a quarter (7.5) is reached at 7, the typical spacing.
func TestBusyGaps(t *testing.T) {
	const w = BusyWidth
	from := int64(1_790_812_800_000_000)
	b := NewBusy(metrics.Window{From: from, To: from + 40*w - 5})
	if !b.Tracked() || len(b.Bits) != 1 {
		t.Fatalf("a window of 40 stretches: %+v", b)
	}
	for _, i := range []int64{0, 1, 2, 10, 11} {
		b.mark(from + i*w + w/2)
	}
	b.Mark(30)
	b.mark(from - 1)        // before the window
	b.mark(from + 40*w - 5) // at its end: outside
	b.Mark(64)              // past the stretches
	b.mark(from + 40*w - 6) // its last µs: stretch 39
	if b.Bits[0]>>39 != 1 {
		t.Fatalf("marks %b: want stretch 39 the last", b.Bits[0])
	}
	b.Bits[0] &^= 1 << 39 // taken back: the gaps below end at 30
	gaps, typical := b.Gaps()
	want := []Gap{{from + 3*w, from + 10*w}, {from + 12*w, from + 30*w}}
	if !slices.Equal(gaps, want) || typical != 7*w {
		t.Errorf("gaps %v, typical %d; want %v, %d", gaps, typical, want, 7*w)
	}
	// rows every stretch: typical 0, no gap
	c := b.fresh()
	for i := range int64(40) {
		c.Mark(i)
	}
	if gaps, typical := c.Gaps(); len(gaps) != 0 || typical != 0 {
		t.Errorf("every stretch: %v, %d", gaps, typical)
	}
	// an unbounded window (tests, --from far back) tracks nothing
	u := NewBusy(metrics.Window{From: 0, To: math.MaxInt64 / 4})
	u.mark(5)
	u.Mark(5)
	if u.Tracked() || u.Bits != nil {
		t.Errorf("unbounded: %+v", u)
	}
	if gaps, _ := u.Gaps(); gaps != nil {
		t.Errorf("unbounded: gaps %v", gaps)
	}
}

// A stretch without rows is the input's rhythm when the same stretch a day
// or a week away has none either: rows on weekdays from 08:00 to 18:00
// over four weeks (from a Monday), every stretch of those hours marked;
// the first weekend, Friday 18:00 to Monday 08:00, has an empty copy a
// week later. Without the second week's weekdays, the stretch from the
// first Friday to the third Monday has rows a day and a week away.
func TestBusyRhythmic(t *testing.T) {
	const day, hour = int64(86_400_000_000), int64(3_600_000_000)
	from := int64(1_791_417_600_000_000) // Monday 2026-10-05
	fill := func(skip func(d int) bool) Busy {
		b := NewBusy(metrics.Window{From: from, To: from + 28*day})
		for d := range 28 {
			if d%7 >= 5 || skip(d) {
				continue
			}
			for at := from + int64(d)*day + 8*hour; at < from+int64(d)*day+18*hour; at += BusyWidth / 2 {
				b.mark(at)
			}
		}
		return b
	}
	b := fill(func(int) bool { return false })
	weekend := Gap{from + 4*day + 18*hour, from + 7*day + 8*hour}
	if !b.Rhythmic(weekend.From, weekend.To) {
		t.Error("the first weekend is not the fleet's rhythm")
	}
	night := Gap{from + 18*hour, from + day + 8*hour}
	if !b.Rhythmic(night.From, night.To) {
		t.Error("a night is not the fleet's rhythm")
	}
	c := fill(func(d int) bool { return d >= 7 && d < 14 })
	if lost := (Gap{from + 4*day + 18*hour, from + 14*day + 8*hour}); c.Rhythmic(lost.From, lost.To) {
		t.Error("a week lost reads as the fleet's rhythm")
	}
	// a stretch whose copies lie mostly outside the rows: not comparable
	if c.Rhythmic(from-20*day, from) {
		t.Error("a stretch before the rows reads as their rhythm")
	}
}
