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
