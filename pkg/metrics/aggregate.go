package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// The functions here turn per-group counts into results. Compute uses them
// over rows it walked itself; an engine that counts elsewhere (SQL in a
// database) uses them over the counts it brings back, so both word the
// same counts the same way: one implementation of every rate, band and
// rule of what to leave out.

// MonthBounds returns the start of each of n calendar months (UTC) ending
// with the month containing last, plus the end of that month, and their
// YYYY-MM labels.
func MonthBounds(last int64, n int) ([]int64, []string) {
	t := time.UnixMicro(last).UTC()
	first := time.Date(t.Year(), t.Month()-time.Month(n-1), 1, 0, 0, 0, 0, time.UTC)
	bounds := make([]int64, n+1)
	labels := make([]string, n)
	for i := range n + 1 {
		m := first.AddDate(0, i, 0)
		bounds[i] = m.UnixMicro()
		if i < n {
			labels[i] = m.Format("2006-01")
		}
	}
	return bounds, labels
}

// MonthSeries keeps the months of the series that have data: it runs from
// the first month with observed time or counting rows to the last one, and
// leaves out months after the horizon. bounds are MonthBounds'.
func MonthSeries(months []Month, bounds []int64, horizon int64) []Month {
	var out []Month
	for k, mo := range months {
		if mo.ObservedUS == 0 && mo.Rows == 0 && (len(out) == 0 || bounds[k] > horizon) {
			continue
		}
		out = append(out, mo)
	}
	return out
}

// UptimeOf completes an Uptime from its sums and the per-device values
// (any order; they are sorted in place): value, mean, median, devices
// below the SLO.
func UptimeOf(u *Uptime) {
	u.Devices = len(u.PerDeviceValues)
	u.Value = ratio(u.ConnectedUS, u.ObservedUS)
	slices.Sort(u.PerDeviceValues)
	u.Mean, u.Median = math.NaN(), math.NaN()
	if u.Devices == 0 {
		return
	}
	sum := 0.0
	u.BelowSLO = 0
	for _, v := range u.PerDeviceValues {
		sum += v
		if v < u.SLO {
			u.BelowSLO++
		}
	}
	u.Mean = sum / float64(u.Devices)
	mid := u.Devices / 2
	u.Median = u.PerDeviceValues[mid]
	if u.Devices%2 == 0 {
		u.Median = (u.PerDeviceValues[mid-1] + u.PerDeviceValues[mid]) / 2
	}
}

// ActivationOf completes an activation result: the window cohort's rate
// and maturity, and each ship-month cohort's (ByMonth holds Label,
// Shipped and Activated; it is sorted by label), for the fleet and each
// profile (ByProfile is sorted by profile).
func ActivationOf(a *Activation, o Options, horizon int64) {
	a.WindowDays = float64(o.ActivationWindow) / 86_400e6
	if horizon == NoTime {
		a.AfterHorizon = 0 // no row, no horizon to be after
	}
	completeCohorts(&a.Cohort, a.ByMonth, o, horizon)
	for k := range a.ByProfile {
		completeCohorts(&a.ByProfile[k].Cohort, a.ByProfile[k].ByMonth, o, horizon)
	}
	slices.SortFunc(a.ByProfile, func(x, y ProfileActivation) int { return cmp.Compare(x.Profile, y.Profile) })
}

// completeCohorts completes a window cohort and its ship-month cohorts.
func completeCohorts(w *Cohort, byMonth []Cohort, o Options, horizon int64) {
	w.Label = "window"
	w.Mature = horizon != NoTime && horizon >= o.Window.To+o.ActivationWindow
	w.Rate = math.NaN()
	if w.Shipped > 0 {
		w.Rate = float64(w.Activated) / float64(w.Shipped)
	}
	for i := range byMonth {
		c := &byMonth[i]
		c.Rate = math.NaN()
		if c.Shipped > 0 {
			c.Rate = float64(c.Activated) / float64(c.Shipped)
		}
		t, err := time.Parse("2006-01", c.Label)
		end := int64(math.MaxInt64)
		if err == nil {
			end = t.AddDate(0, 1, 0).UnixMicro()
		}
		c.Mature = horizon != NoTime && horizon >= end+o.ActivationWindow
	}
	slices.SortFunc(byMonth, func(x, y Cohort) int { return cmp.Compare(x.Label, y.Label) })
}

// OTAOf completes an OTA result from the units counted per job and per
// profile by final status: the fleet total, each job's and profile's rate
// (those without units left out), jobs and profiles in name order.
func OTAOf(jobs []OTAJob, byProfile []ProfileOTA, snapshot bool) *OTA {
	r := &OTA{Snapshot: snapshot}
	r.Job = "all"
	rate := func(j *OTAJob) {
		j.Rate = math.NaN()
		if j.Success+j.Failure > 0 {
			j.Rate = float64(j.Success) / float64(j.Success+j.Failure)
		}
	}
	for _, j := range jobs {
		if j.Success+j.Failure+j.Excluded+j.Pending == 0 {
			continue
		}
		r.Success += j.Success
		r.Failure += j.Failure
		r.Excluded += j.Excluded
		r.Pending += j.Pending
		rate(&j)
		r.Jobs = append(r.Jobs, j)
	}
	rate(&r.OTAJob)
	slices.SortFunc(r.Jobs, func(a, b OTAJob) int { return cmp.Compare(a.Job, b.Job) })
	for _, p := range byProfile {
		if p.Success+p.Failure+p.Excluded+p.Pending == 0 {
			continue
		}
		rate(&p.OTAJob)
		r.ByProfile = append(r.ByProfile, p)
	}
	slices.SortFunc(r.ByProfile, func(a, b ProfileOTA) int { return cmp.Compare(a.Profile, b.Profile) })
	return r
}

// CustomerCounts are one customer's counts for the health score. Devices
// are its devices shipped before the window ends and not retired before
// it starts; Used those with a usage row counting in the window; Tickets
// its tickets counting in the window; ConnectedUS and ObservedUS the
// uptime sums over all its devices.
type CustomerCounts struct {
	Customer                string
	Devices, Used, Tickets  int
	ConnectedUS, ObservedUS int64
	// Sparse: the part of the uptime sums from sparse devices
	// (CustomerHealth.Sparse).
	Sparse SparseUptime
}

// HealthInputs says which components' inputs were given.
type HealthInputs struct{ Uptime, Usage, Tickets bool }

// band is a score's band: red ≤ Red < yellow ≤ Yellow < green.
func (h HealthConfig) band(score float64) string {
	switch {
	case score <= h.Red:
		return "red"
	case score <= h.Yellow:
		return "yellow"
	}
	return "green"
}

// WithoutSparse scores c again with its uptime component taken without
// its sparse devices (CustomerHealth.Sparse), the other components as
// they are; ok is false when c has none, or no uptime component. When
// all of c's observed time is theirs, c is scored as a customer without
// observed time is, on its other components (band "none", score NaN,
// without any): a customer of one sensor on a longer heartbeat is red on
// that sensor alone.
func (h HealthConfig) WithoutSparse(c CustomerHealth) (score float64, band string, ok bool) {
	sp := c.Sparse
	if c.UptimeScore == nil || sp.Devices == 0 {
		return 0, "", false
	}
	var sum, weights float64
	if sp.ObservedUS < c.ObservedUS {
		x := float64(c.ConnectedUS-sp.ConnectedUS) / float64(c.ObservedUS-sp.ObservedUS)
		sum, weights = c.UptimeWeight*h.Uptime.Normalize(x), c.UptimeWeight
	}
	for _, s := range []struct {
		score  *float64
		weight float64
	}{{c.UsageScore, c.UsageWeight}, {c.TicketsScore, c.TicketsWeight}} {
		if s.score != nil {
			sum += s.weight * *s.score
			weights += s.weight
		}
	}
	if weights == 0 {
		return math.NaN(), "none", true
	}
	score = sum / weights
	return score, h.band(score), true
}

// ScoreCustomers scores each customer (a customer without devices and
// without observed time is left out) and orders them worst first, the
// unscored last. stale (nothing known in the window: H < from) scores none.
func ScoreCustomers(h HealthConfig, counts []CustomerCounts, has HealthInputs, stale bool) []CustomerHealth {
	var out []CustomerHealth
	for _, c := range counts {
		ch := CustomerHealth{Customer: c.Customer, Devices: c.Devices, Tickets: c.Tickets, Score: math.NaN(), Band: "none",
			ConnectedUS: c.ConnectedUS, ObservedUS: c.ObservedUS, Sparse: c.Sparse}
		if c.Devices == 0 && (!has.Uptime || c.ObservedUS == 0) {
			continue // a customer only seen in tickets, with no devices
		}
		if stale {
			out = append(out, ch)
			continue
		}
		var sum, weights float64
		use := func(comp Component, x float64, raw, score **float64, weight *float64) {
			s := comp.Normalize(x)
			*raw, *score, *weight = &x, &s, comp.Weight
			sum += comp.Weight * s
			weights += comp.Weight
		}
		if has.Uptime && c.ObservedUS > 0 {
			use(h.Uptime, float64(c.ConnectedUS)/float64(c.ObservedUS), &ch.Uptime, &ch.UptimeScore, &ch.UptimeWeight)
		}
		if has.Usage && c.Devices > 0 {
			use(h.Usage, float64(c.Used)/float64(c.Devices), &ch.Usage, &ch.UsageScore, &ch.UsageWeight)
		}
		if has.Tickets && c.Devices > 0 {
			use(h.Tickets, float64(c.Tickets)*100/float64(c.Devices), &ch.TicketsPer100, &ch.TicketsScore, &ch.TicketsWeight)
		}
		if weights > 0 && !math.IsNaN(sum/weights) {
			ch.Score = sum / weights
			ch.Band = h.band(ch.Score)
		}
		out = append(out, ch)
	}
	slices.SortStableFunc(out, func(a, b CustomerHealth) int {
		an, bn := math.IsNaN(a.Score), math.IsNaN(b.Score)
		switch {
		case an && bn:
			return cmp.Compare(a.Customer, b.Customer)
		case an:
			return 1
		case bn:
			return -1
		}
		return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(a.Customer, b.Customer))
	})
	return out
}
