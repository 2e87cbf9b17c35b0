package roadmap

import "time"

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

// free is the idle time of [from, days).
func (c *cycle) free(from float64) float64 {
	idle := c.days - from
	for _, s := range c.used {
		idle -= max(0, s.to-max(s.from, from))
	}
	return max(0, idle)
}

// take marks d days busy, the earliest free ones from from on; the caller
// has checked that free(from) ≥ d.
func (c *cycle) take(from, d float64) {
	var tmp [8]span
	out := tmp[:0]
	at := from
	for _, s := range c.used {
		if d > 0 && s.from > at {
			end := min(s.from, at+d)
			out = append(out, span{at, end})
			d -= end - at
		}
		out = append(out, s)
		at = max(at, s.to)
	}
	if d > epsilon {
		out = append(out, span{at, min(c.days, at+d)})
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
}

// room is what a part whose work starts on start can take from release r:
// its capacity left in the cycle's days from start on; late says that
// starting late leaves it less than the release's unallocated capacity.
func (c *cycle) room(r *ReleasePlan, start time.Time) (room float64, late bool) {
	unallocated := r.Capacity - r.Allocated
	if c.days <= 0 {
		return unallocated, false
	}
	room = min(unallocated, r.Capacity*c.free(c.offset(r.Release, start))/c.days)
	return room, room < unallocated-epsilon
}

// allocate records amount taken from release r by a part starting on start.
func (c *cycle) allocate(r *ReleasePlan, start time.Time, amount float64) {
	if c.days > 0 && r.Capacity > 0 {
		c.take(c.offset(r.Release, start), amount/r.Capacity*c.days)
	}
}
