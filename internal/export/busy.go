package export

import (
	"math"
	"math/bits"
	"slices"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// BusyShift sets the stretches a Busy marks: 2^28 µs (4.47 minutes) each,
// fine enough that a day without rows shows as a run of at least a day
// less two stretches, and a shift and a bit per row to mark.
const BusyShift = 28

// BusyWidth is a stretch's length in µs.
const BusyWidth = int64(1) << BusyShift

// busyMaxBits bounds the stretches tracked (a window of 35 years, 512
// KB): a wider window is not tracked at all.
const busyMaxBits = 1 << 22

// Busy marks the stretches of a window that hold at least one row of an
// input: bit i for [From + i·2^BusyShift, From + (i+1)·2^BusyShift),
// clipped to To. A run of unmarked stretches between marked ones is a
// stretch of the window without a row (the gap warning). Both engines fill
// one: the file reader a bit per row, the database source from the
// stretches its query finds.
type Busy struct {
	From, To int64
	Bits     []uint64
	// Rows counts each stretch's rows (nil over a window of more than
	// busyMaxRows stretches): a burst is one mark and many rows, and a
	// daily burst missing is found by its rows on the days around it
	// (RhythmMiss).
	Rows []uint32
}

// busyMaxRows bounds the stretches whose rows are counted (a window of
// nine years, 4 MB).
const busyMaxRows = 1 << 20

// NewBusy is an empty Busy over w; one tracking nothing (To = From) when
// w is unbounded or too wide.
func NewBusy(w metrics.Window) Busy {
	if w.To <= w.From || uint64(w.To-w.From-1)>>BusyShift >= busyMaxBits {
		return Busy{}
	}
	n := (uint64(w.To-w.From-1) >> BusyShift) + 1
	b := Busy{From: w.From, To: w.To, Bits: make([]uint64, (n+63)/64)}
	if n <= busyMaxRows {
		b.Rows = make([]uint32, n)
	}
	return b
}

// Tracked says whether b marks anything.
func (b *Busy) Tracked() bool { return b.To > b.From }

// fresh is an empty Busy over b's window (a worker's own).
func (b *Busy) fresh() Busy {
	if !b.Tracked() {
		return Busy{}
	}
	f := Busy{From: b.From, To: b.To, Bits: make([]uint64, len(b.Bits))}
	if b.Rows != nil {
		f.Rows = make([]uint32, len(b.Rows))
	}
	return f
}

// mark marks the stretch of a row at ts (nothing outside the window).
func (b *Busy) mark(ts int64) {
	if ts >= b.From && ts < b.To {
		i := uint64(ts-b.From) >> BusyShift
		b.Bits[i>>6] |= 1 << (i & 63)
		if b.Rows != nil {
			b.Rows[i]++
		}
	}
}

// Mark marks stretch i as holding a row.
func (b *Busy) Mark(i int64) { b.AddRows(i, 1) }

// AddRows marks stretch i as holding n rows more (the database source's:
// (ts − From) >> BusyShift of rows in the window, counted).
func (b *Busy) AddRows(i, n int64) {
	if b.Tracked() && i >= 0 && int(i>>6) < len(b.Bits) && i < (b.To-b.From+BusyWidth-1)>>BusyShift {
		b.Bits[i>>6] |= 1 << (uint64(i) & 63)
		if b.Rows != nil {
			b.Rows[i] += uint32(min(n, math.MaxUint32-int64(b.Rows[i])))
		}
	}
}

// or adds o's marks (the same window) to b.
func (b *Busy) or(o Busy) {
	if !b.Tracked() || len(o.Bits) != len(b.Bits) || o.From != b.From {
		return
	}
	for i, w := range o.Bits {
		b.Bits[i] |= w
	}
	if b.Rows != nil && len(o.Rows) == len(b.Rows) {
		for i, n := range o.Rows {
			b.Rows[i] += n
		}
	}
}

// Gap is a stretch of the window without a row, between two that have
// rows: no row at any time in [From, To).
type Gap struct{ From, To int64 }

// Gaps lists the runs of unmarked stretches between marked ones, in
// order, and the typical spacing of the marked ones: the length (µs) of
// the shortest run such that the runs no longer than it, each counted
// with its marked stretch before it, cover a quarter of the time from
// the first marked stretch to the last. A fleet heard around the clock
// has a typical spacing of 0; one whose devices all report at 02:00 within
// ten minutes, of a day less those minutes; a run much longer than the
// typical spacing is not the input's own rhythm.
func (b *Busy) Gaps() (gaps []Gap, typical int64) {
	if !b.Tracked() {
		return nil, 0
	}
	const width = BusyWidth
	var runs []int64 // in stretches, after each marked stretch but the last
	prev := int64(-1)
	for wi, w := range b.Bits {
		for w != 0 {
			i := int64(wi*64 + bits.TrailingZeros64(w))
			w &= w - 1
			if prev >= 0 {
				runs = append(runs, i-prev-1)
				if i-prev > 1 {
					gaps = append(gaps, Gap{From: b.From + (prev+1)*width, To: b.From + i*width})
				}
			}
			prev = i
		}
	}
	if len(runs) == 0 {
		return nil, 0
	}
	// the time-weighted lower quartile of the runs
	total := int64(0)
	for _, r := range runs {
		total += r + 1
	}
	sorted := append([]int64(nil), runs...)
	slices.Sort(sorted)
	covered := int64(0)
	for _, r := range sorted {
		covered += r + 1
		if 4*covered >= total {
			return gaps, r * width
		}
	}
	return gaps, sorted[len(sorted)-1] * width
}

// marked is the first and the last marked stretch (−1, −1: none).
func (b *Busy) marked() (first, last int64) {
	first, last = -1, -1
	for wi, w := range b.Bits {
		if w != 0 {
			if first < 0 {
				first = int64(wi*64 + bits.TrailingZeros64(w))
			}
			last = int64(wi*64 + 63 - bits.LeadingZeros64(w))
		}
	}
	return first, last
}

// EdgeGaps are the runs of unmarked stretches at the window's ends, when
// the input has rows beyond them: before, from the window's start to its
// first marked stretch (rows before the window); after, from its last
// marked stretch to the window's end (rows at or after its end). Such a
// run is a stretch without rows between rows as much as one inside: the
// window's last day missing from an export that goes on after it (a daily
// delivery that failed) read as a quiet day. None without a marked
// stretch.
func (b *Busy) EdgeGaps(before, after bool) []Gap {
	if !b.Tracked() {
		return nil
	}
	first, last := b.marked()
	if first < 0 {
		return nil
	}
	var gaps []Gap
	if before && first > 0 {
		gaps = append(gaps, Gap{From: b.From, To: b.From + first*BusyWidth})
	}
	if end := b.From + (last+1)*BusyWidth; after && end < b.To {
		gaps = append(gaps, Gap{From: end, To: b.To})
	}
	return gaps
}

// Occupancy is the share of the stretches from the first marked one to
// the last that are marked (0 without two): how often the input has rows,
// counting a burst of many rows in one stretch once — a fleet whose
// gateways all reconnect on four nights has hundreds of rows those nights
// and few between, and its rows over its span would overstate how many
// a quiet stretch should hold.
func (b *Busy) Occupancy() (share float64, span int64) {
	first, last, marked := int64(-1), int64(-1), 0
	for wi, w := range b.Bits {
		if w != 0 {
			if first < 0 {
				first = int64(wi*64 + bits.TrailingZeros64(w))
			}
			last = int64(wi*64 + 63 - bits.LeadingZeros64(w))
			marked += bits.OnesCount64(w)
		}
	}
	if last <= first {
		return 0, 0
	}
	return float64(marked) / float64(last-first+1), last - first + 1
}

// Rhythmic says whether a stretch without rows, [from, to), is the
// input's own daily or weekly rhythm rather than rows missing: whether the
// same stretch of time a day or a week before or after it has no row
// either — a fleet switched off at weekends, devices that all report at
// 02:00. A copy counts as far as it lies between the first and the last
// marked stretch, less a stretch at each end (a copy is not aligned with
// the stretches), and only when that is at least half as long as the
// stretch itself.
func (b *Busy) Rhythmic(from, to int64) bool {
	if !b.Tracked() || to <= from {
		return false
	}
	first, last := int64(-1), int64(-1)
	for wi, w := range b.Bits {
		if w != 0 {
			i := int64(wi*64 + bits.TrailingZeros64(w))
			if first < 0 {
				first = i
			}
			last = int64(wi*64 + 63 - bits.LeadingZeros64(w))
		}
	}
	if first < 0 {
		return false
	}
	const day = int64(86_400_000_000)
	lo, hi := b.From+first*BusyWidth, b.From+(last+1)*BusyWidth
	for _, shift := range []int64{-7 * day, -day, day, 7 * day} {
		f, t := max(from+shift, lo), min(to+shift, hi)
		if 2*(t-f) < to-from {
			continue // too little of it in the data to compare
		}
		// the stretches wholly inside the copy, less one at each end
		i, j := (f-b.From+BusyWidth-1)/BusyWidth+1, (t-b.From)/BusyWidth-1
		if j > i && !b.any(i, j) {
			return true
		}
	}
	return false
}

// any says whether a stretch in [i, j) is marked.
func (b *Busy) any(i, j int64) bool {
	for k := i; k < j; k++ {
		if b.Bits[k>>6]&(1<<(uint64(k)&63)) != 0 {
			return true
		}
	}
	return false
}

// AroundDays are the days RhythmMiss reads around a stretch without rows
// between rows for a daily rhythm; BeforeDays and AfterDays those it reads
// for a stretch at the end of an input's rows and at their start.
// AroundWeeks, BeforeWeeks and AfterWeeks are the same for a weekly
// rhythm: a week either side, since a window of a month rarely holds two.
var (
	AroundDays  = []int64{-2, -1, 1, 2}
	BeforeDays  = []int64{-2, -1}
	AfterDays   = []int64{1, 2}
	AroundWeeks = []int64{-7, 7}
	BeforeWeeks = []int64{-7}
	AfterWeeks  = []int64{7}
)

// RhythmMiss is how many rows an input's daily or weekly rhythm puts in a
// stretch of its window without rows, g, and at what time: the most, over
// the stretches of g, of the fewest rows the same time of day (of the
// week) held on each of the days given (AroundDays: the two days before it
// and the two after; within a stretch either way: a burst at 02:00 drifts
// 0.87 stretch a day across the stretches' grid, 0.1 a week). Devices that
// all report at the same minute hold one or two stretches a day (a week),
// so their occupancy puts a few rows in a missing day (week); their rows
// on the days around it say how many it lacks. A burst on four evenings at
// random times is no rhythm: some day around it has none then. A copy is
// also read an hour either side (daylight saving time moves a local 02:00
// an hour in UTC), and that count is taken when it is more than twice the
// count at the same UTC time. The stretches of g within an hour and three
// stretches of its ends are not read (their copies could be those of the
// rows that bound g). 0 when those days are not all between the first
// and the last marked stretch, or the rows are not counted.
func (b *Busy) RhythmMiss(g Gap, days []int64) (rows, at int64) {
	rows, at, _ = b.RhythmMissShifted(g, days)
	return rows, at
}

// RhythmMissShifted is RhythmMiss, and whether its count is of the copies
// an hour either side (daylight saving time between: the time named is
// that of some of the days read, an hour off the others).
func (b *Busy) RhythmMissShifted(g Gap, days []int64) (rows, at int64, shifted bool) {
	if !b.Tracked() || b.Rows == nil || g.To <= g.From {
		return 0, 0, false
	}
	first, last := b.marked()
	if first < 0 {
		return 0, 0, false
	}
	const day, hour = int64(86_400_000_000), int64(3_600_000_000)
	sum := func(j int64) int64 { return int64(b.Rows[j-1]) + int64(b.Rows[j]) + int64(b.Rows[j+1]) }
	// a stretch's copy a day (a week) away is read an hour either side
	// too: a burst at 02:00 local time moves an hour in UTC when daylight
	// saving time begins or ends. Stretches within an hour and three
	// stretches of either end of g are not read: the three stretches read
	// around a copy reach a stretch either side, and the drift (a day or a
	// week is no whole number of stretches) up to one more, so nearer an
	// end the copy could hold the rows that bound g (the burst g starts
	// after, a day or a week before) rather than those of a time g misses
	trim := 3 + (hour+BusyWidth-1)/BusyWidth
	// rows, at: the copies at the same UTC time; best, bestAt: the
	// copies an hour either side too, the stretch whose copies hold the
	// most at the same time winning a tie (the time most days have it).
	// The first when it holds at least half as many: no daylight saving
	// time between, and the time named is the burst's own, not an hour off
	var best, bestAt, bestSame int64
	for i, end := (g.From-b.From)/BusyWidth+trim, (g.To-b.From)/BusyWidth-trim; i <= end; i++ {
		t := b.From + i*BusyWidth
		least, least0, same := int64(math.MaxInt64), int64(math.MaxInt64), int64(0)
		for _, d := range days {
			j := (t + d*day - b.From) / BusyWidth
			if t+d*day < b.From || j-1 < first || j+1 > last {
				least, least0 = 0, 0
				break
			}
			most := sum(j)
			least0, same = min(least0, most), same+most
			for _, s := range []int64{-hour, hour} {
				if k := (t + d*day + s - b.From) / BusyWidth; t+d*day+s >= b.From && k-1 >= first && k+1 <= last {
					most = max(most, sum(k))
				}
			}
			least = min(least, most)
		}
		if least0 > rows {
			rows, at = least0, t
		}
		if least > best || least == best && least > 0 && same > bestSame {
			best, bestAt, bestSame = least, t, same
		}
	}
	if 2*rows < best {
		return best, bestAt, true
	}
	return rows, at, false
}
