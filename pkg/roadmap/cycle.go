package roadmap

import (
	"math"
	"time"
)

// cycle is when a release's capacity is spent: evenly over the days from
// the release's Opens to its Date, each part's share in the earliest days
// free from the day the part's work can start (earliest fit). Work that can
// only start late in a cycle — a dependency shipped in the middle of a
// six-month hardware cycle — has only the days left, not the release's
// whole capacity; two such parts share those days.
//
// Times are days since Opens; used holds the busy spans in order, merged.
type cycle struct {
	days float64 // the cycle's length; 0: a release on its cycle's first day (no spread)
	used []span
	// buf holds used while it is short (most releases' parts all start
	// with the cycle: one span), sparing a Monte Carlo run's samples an
	// allocation per release; a cycle is not copied once used
	buf [2]span
}

type span struct{ from, to float64 }

func newCycle(r Release) cycle {
	return cycle{days: max(0, r.Date.Sub(r.Opens).Hours()/24)}
}

// offset is start as days into the cycle (0 for any day before it opens).
func (c *cycle) offset(r Release, start time.Time) float64 {
	return min(c.days, max(0, start.Sub(r.Opens).Hours()/24))
}

// free is the idle time of [from, to).
func (c *cycle) free(from, to float64) float64 {
	idle := to - from
	for _, s := range c.used {
		idle -= max(0, min(s.to, to)-max(s.from, from))
	}
	return max(0, idle)
}

// take marks d days busy, the earliest free ones from from on, and
// returns where the last of them ends; the caller has checked that
// free(from, to) ≥ d for the day to it needs them by.
func (c *cycle) take(from, d float64) (end float64) {
	var tmp [8]span
	out := tmp[:0]
	at := from
	for _, s := range c.used {
		if d > epsilon && s.from > at {
			stop := min(s.from, at+d)
			out = append(out, span{at, stop})
			d -= stop - at
			end = stop
		}
		out = append(out, s)
		at = max(at, s.to)
	}
	if d > epsilon {
		end = min(c.days, at+d)
		out = append(out, span{at, end})
	}
	// in order already (a gap filled lies before the span after it):
	// merge the touching ones
	if c.used == nil {
		c.used = c.buf[:0]
	}
	c.used = c.used[:0]
	for _, s := range out {
		if n := len(c.used); n > 0 && s.from <= c.used[n-1].to+epsilon {
			c.used[n-1].to = max(c.used[n-1].to, s.to)
			continue
		}
		c.used = append(c.used, s)
	}
	return end
}

// room is what a part whose work starts on start and must be done by end
// can take from release r: its capacity in the idle days of its cycle
// between the two; late says that starting after the cycle opened leaves
// it less than the same window from the cycle's start would.
func (c *cycle) room(r *ReleasePlan, start, end time.Time) (room float64, late bool) {
	unallocated := r.Capacity - r.Allocated
	if c.days <= 0 {
		if end.Before(r.Date) {
			return 0, false
		}
		return unallocated, false
	}
	to := c.offset(r.Release, end)
	from := c.offset(r.Release, start)
	if from == 0 && to == c.days {
		// the whole cycle: its idle days are its unallocated capacity
		return unallocated, false
	}
	if from >= to {
		return 0, from > 0
	}
	room = min(unallocated, r.Capacity*c.free(from, to)/c.days)
	if from > 0 {
		late = room < min(unallocated, r.Capacity*c.free(0, to)/c.days)-epsilon
	}
	return room, late
}

// allocate records amount taken from release r by a part starting on
// start, and returns the day its share there is done.
func (c *cycle) allocate(r *ReleasePlan, start time.Time, amount float64) time.Time {
	if c.days <= 0 || r.Capacity <= 0 {
		return r.Date.AddDate(0, 0, -1) // no cycle to place it in: by the eve of the release
	}
	end := c.take(c.offset(r.Release, start), amount/r.Capacity*c.days)
	// the day whose end the work reaches (a share ending at noon is done
	// that day)
	return r.Opens.Add(time.Duration(math.Ceil(end-epsilon))*Day).AddDate(0, 0, -1)
}
