package export

import (
	"fmt"
	"math"
	"slices"
	"strings"
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
// Stretches 5 and 30 of a window of 40 (the last 5 µs short) hold rows:
// before the first, stretches 0–4 are a gap when the input has rows
// before the window; after the last, stretch 31 to the window's end when
// it has rows at or after that end; neither when it has not, nor in a
// window without rows, nor when the marks reach the ends.
func TestBusyEdgeGaps(t *testing.T) {
	const w = BusyWidth
	from := int64(1_790_812_800_000_000)
	to := from + 40*w - 5
	b := NewBusy(metrics.Window{From: from, To: to})
	if g := b.EdgeGaps(true, true); g != nil {
		t.Errorf("no row in the window: %v, want none", g)
	}
	b.Mark(5)
	b.Mark(30)
	for _, c := range []struct {
		before, after bool
		want          []Gap
	}{
		{true, true, []Gap{{from, from + 5*w}, {from + 31*w, to}}},
		{true, false, []Gap{{from, from + 5*w}}},
		{false, true, []Gap{{from + 31*w, to}}},
		{false, false, nil},
	} {
		if got := b.EdgeGaps(c.before, c.after); !slices.Equal(got, c.want) {
			t.Errorf("before %v, after %v: %v, want %v", c.before, c.after, got, c.want)
		}
	}
	b.Mark(0)
	b.Mark(39)
	if g := b.EdgeGaps(true, true); g != nil {
		t.Errorf("marks at both ends: %v, want none", g)
	}
}

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

// A daily burst missing, by hand: 30 rows at 02:00 (within a minute) on
// each of eight days but the fifth. The gap runs from the fourth day's
// burst to the sixth's; on the two days before the fifth and the two
// after, 30 rows each lie within a stretch of 02:00, so the rhythm puts
// 30 there, at the stretch holding the fifth day's 02:00 (or the one
// before it: the stretches do not divide a day). The second day missing
// instead: the day two before it is not in the data, nothing to say; a
// burst moved to 14:00 on the day two after: no rhythm at that time.
func TestBusyRhythmMiss(t *testing.T) {
	const day = int64(86_400_000_000)
	from := int64(1_790_812_800_000_000) // 2026-10-01T00:00:00Z
	fleet := func(missing, moved int) Busy {
		b := NewBusy(metrics.Window{From: from, To: from + 8*day})
		for d := range 8 {
			if d == missing {
				continue
			}
			at := from + int64(d)*day + 2*3_600_000_000
			if d == moved {
				at += 12 * 3_600_000_000
			}
			for k := range 30 {
				b.mark(at + int64(k)*2_000_000)
			}
		}
		return b
	}
	gapAround := func(b Busy, t int64) Gap {
		gaps, _ := b.Gaps()
		for _, g := range gaps {
			if g.From <= t && t < g.To {
				return g
			}
		}
		return Gap{}
	}
	fifth := from + 4*day + 2*3_600_000_000
	b := fleet(4, -1)
	rows, at := b.RhythmMiss(gapAround(b, fifth), AroundDays)
	if rows != 30 || at > fifth || at+2*BusyWidth <= fifth {
		t.Errorf("the fifth day missing: %d rows at %d, want 30 at the stretch of %d or the one before", rows, at, fifth)
	}
	b = fleet(1, -1)
	if rows, _ := b.RhythmMiss(gapAround(b, from+day+2*3_600_000_000), AroundDays); rows != 0 {
		t.Errorf("the second day missing: %d rows; the day two before is not in the data", rows)
	}
	b = fleet(4, 6)
	if rows, _ := b.RhythmMiss(gapAround(b, fifth), AroundDays); rows != 0 {
		t.Errorf("the burst two days after at 14:00: %d rows", rows)
	}
	// a window too wide to count rows in: marks only, nothing to say
	w := NewBusy(metrics.Window{From: from, To: from + (busyMaxRows+1)*BusyWidth})
	if w.Rows != nil {
		t.Fatal("rows counted over more than busyMaxRows stretches")
	}
	if rows, _ := w.RhythmMiss(Gap{from, from + day}, AroundDays); rows != 0 {
		t.Errorf("no rows counted: %d", rows)
	}
}

// A daily burst at 02:00 Europe/Berlin is at 00:00 UTC until daylight
// saving time ends and at 01:00 after: the day after the change missing,
// its copies two days before are an hour off, and are read there (30
// rows, at the time of the days after it); without the hour either side
// none was found.
func TestBusyRhythmMissAcrossDST(t *testing.T) {
	const day, hour = int64(86_400_000_000), int64(3_600_000_000)
	from := int64(1_792_540_800_000_000) // 2026-10-20T00:00:00Z
	b := NewBusy(metrics.Window{From: from, To: from + 10*day})
	for d := range 10 {
		if d == 6 {
			continue
		}
		at := from + int64(d)*day // 00:00 UTC, 02:00 CEST
		if d >= 5 {
			at += hour // 01:00 UTC, 02:00 CET
		}
		for k := range 30 {
			b.mark(at + int64(k)*2_000_000)
		}
	}
	gaps, _ := b.Gaps()
	missing := from + 6*day + hour
	var g Gap
	for _, x := range gaps {
		if x.From <= missing && missing < x.To {
			g = x
		}
	}
	if rows, at := b.RhythmMiss(g, AroundDays); rows != 30 || at > missing+BusyWidth || at+2*BusyWidth <= missing {
		t.Errorf("the day after the change missing: %d rows at %d, want 30 near %d", rows, at, missing)
	}
}

// A weekly burst missing: the week before and the week after each hold
// it at that time (30 rows), the days around it do not; with the week
// after outside the data there is nothing to compare. (The burst a week
// away lies 0.05 stretch later on the grid: the three stretches around
// the one after the missing burst's hold it whole.)
func TestBusyWeeklyMiss(t *testing.T) {
	const day = int64(86_400_000_000)
	from := int64(1_790_812_800_000_000) // 2026-10-01T00:00:00Z
	fleet := func(weeks, missing int) Busy {
		b := NewBusy(metrics.Window{From: from, To: from + int64(7*weeks)*day})
		for w := range weeks {
			if w == missing {
				continue
			}
			at := from + int64(7*w)*day + 2*3_600_000_000
			for k := range 30 {
				b.mark(at + int64(k)*2_000_000)
			}
		}
		return b
	}
	b := fleet(5, 2)
	gaps, _ := b.Gaps()
	third := from + 14*day + 2*3_600_000_000
	var g Gap
	for _, x := range gaps {
		if x.From <= third && third < x.To {
			g = x
		}
	}
	if rows, at := b.RhythmMiss(g, AroundWeeks); rows != 30 || at+BusyWidth <= third || at > third+BusyWidth {
		t.Errorf("the third week missing: %d rows at %d, want 30 at the stretch of %d or the one after", rows, at, third)
	}
	if rows, _ := b.RhythmMiss(g, AroundDays); rows != 0 {
		t.Errorf("the days around a weekly burst: %d rows, want 0", rows)
	}
	b = fleet(3, 2) // the last week missing: no week after it in the data
	gaps, _ = b.Gaps()
	if len(gaps) == 0 {
		t.Fatal("no gap")
	}
	if rows, _ := b.RhythmMiss(Gap{From: gaps[len(gaps)-1].To, To: from + 21*day}, AroundWeeks); rows != 0 {
		t.Errorf("past the data: %d rows", rows)
	}
}

// The parallel reader's chunks count the stretches' rows as the line
// reader does (each chunk its own, summed): the gap warnings read them.
func TestParallelBusyMatchesSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	const first = int64(1573002230757)
	for i := range 400_000 {
		// bursts: every row of a thousand in the same second
		fmt.Fprintf(&b, "dev-%d,%d,%s\n", i%5000, first+int64(i/1000)*997_000, []string{"connected", "disconnected"}[i%2])
	}
	if b.Len() < 8<<20 {
		t.Fatalf("the file must exceed the parallel threshold: %d bytes", b.Len())
	}
	in := writeInput(t, Input{Kind: "events"}, b.String())
	w := metrics.Window{From: first * 1000, To: (first + 400*997_000) * 1000}
	read := func(lineReader bool) *Stats {
		g := &Ingest{Data: metrics.NewData(), Window: w, UseUntil: w.To, lineReader: lineReader}
		st, err := g.Read(in)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	par, seq := read(false), read(true)
	var total int64
	for _, n := range seq.Busy.Rows {
		total += int64(n)
	}
	if total != 400_000 || !slices.Equal(par.Busy.Bits, seq.Busy.Bits) || !slices.Equal(par.Busy.Rows, seq.Busy.Rows) {
		t.Errorf("rows counted: %d of 400,000; parallel and sequential alike: bits %v, rows %v", total, slices.Equal(par.Busy.Bits, seq.Busy.Bits), slices.Equal(par.Busy.Rows, seq.Busy.Rows))
	}
}
