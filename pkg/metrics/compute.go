package metrics

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// Window is the half-open interval [From, To) in µs.
type Window struct{ From, To int64 }

// Component is one input of the customer health score, normalised as
// clamp((x − Bad)/(Good − Bad), 0, 1) × 100 (so Good < Bad means lower is
// better) and weighted by Weight.
type Component struct{ Bad, Good, Weight float64 }

// Normalize maps a raw value to 0..100.
func (c Component) Normalize(x float64) float64 {
	return math.Max(0, math.Min(1, (x-c.Bad)/(c.Good-c.Bad))) * 100
}

// HealthConfig sets the customer health score's components and bands.
type HealthConfig struct {
	Uptime, Usage, Tickets Component
	// Red and Yellow are the upper bounds of the red and yellow bands:
	// red ≤ Red < yellow ≤ Yellow < green.
	Red, Yellow float64
}

// DefaultHealth is the documented default: uptime bad 95% good 99.5%,
// usage bad 30% good 80%, tickets per 100 devices bad 10 good 1; weights
// 40/35/25; red ≤ 50 < yellow ≤ 75 < green.
func DefaultHealth() HealthConfig {
	return HealthConfig{
		Uptime:  Component{Bad: 0.95, Good: 0.995, Weight: 40},
		Usage:   Component{Bad: 0.30, Good: 0.80, Weight: 35},
		Tickets: Component{Bad: 10, Good: 1, Weight: 25},
		Red:     50, Yellow: 75,
	}
}

// Options are the parameters of Compute.
type Options struct {
	Window           Window
	ActivationWindow int64   // µs
	SLO              float64 // per-device uptime target, a fraction
	Health           HealthConfig
	// SeriesMonths is how many calendar months of per-month MAD and uptime
	// to report, ending with the month of the window's last instant.
	SeriesMonths int
	// AsOf sets the data horizon H (0: the latest row timestamp of the
	// inputs). Nothing after H is known: rows after it are ignored and
	// time is measured before it.
	AsOf int64
	// DormantAfter is D: a device disconnected this long is dormant, not
	// down, until it connects again (0: no dormancy).
	DormantAfter int64
}

// Uptime is the connectivity-uptime result.
type Uptime struct {
	Value           float64 // Σ connected / Σ observed; NaN: no observed time
	ConnectedUS     int64
	ObservedUS      int64
	Devices         int // devices with observed time in the window
	LeftOut         int // devices with events but no observed time in the window
	Mean, Median    float64
	BelowSLO        int
	SLO             float64
	PerDeviceValues []float64 `json:"-"`
	// NeverActivated: devices of the devices input shipped before
	// min(to, H) with no service start before it. Dormant: devices with
	// dormant time in the window. Retired: devices retired in the window.
	NeverActivated, Dormant, Retired int
}

// MAD is the monthly-active-devices (any window) result.
type MAD struct {
	Value          int
	ByActivity     int // active through an activity row
	ByConnection   int // active through a connected event or connected time
	DevicesInInput int
	// NoData: no event or activity row counts in the window and no time
	// was observed in it: the value is unknown, not 0.
	NoData bool
}

// Cohort is an activation cohort.
type Cohort struct {
	Label     string // YYYY-MM for ship-month cohorts
	Shipped   int
	Activated int
	Rate      float64
	Mature    bool
}

// Activation is the activation-rate result for the window's cohort, and the
// rate per ship month over all the data.
type Activation struct {
	Cohort
	WindowDays float64
	ByMonth    []Cohort
}

// OTAJob is one job's units by final status.
type OTAJob struct {
	Job                                 string
	Success, Failure, Excluded, Pending int
	Rate                                float64 // success / (success + failure); NaN when none
}

// OTA is the OTA-success-rate result.
type OTA struct {
	OTAJob
	Jobs []OTAJob
	// Snapshot: some states come from a snapshot export (no timestamps),
	// counted whatever the window.
	Snapshot bool
}

// CustomerHealth is one customer's health score.
type CustomerHealth struct {
	Customer string
	Devices  int // devices shipped before the window ends
	Score    float64
	Band     string // red, yellow, green, or none when no component applies
	// Raw values and normalised scores; a nil raw value is a component
	// whose input is missing or undefined for this customer.
	Uptime, Usage, TicketsPer100             *float64
	UptimeScore, UsageScore, TicketsScore    *float64
	UptimeWeight, UsageWeight, TicketsWeight float64
}

// Month is one calendar month of the series.
type Month struct {
	Label      string // YYYY-MM
	MAD        int
	Uptime     float64 // NaN when nothing was observed
	ObservedUS int64
	// Rows counts the event and activity rows that count in the month.
	Rows int
}

// Report is every metric whose inputs were given; the others are nil.
type Report struct {
	Window Window
	// Horizon is H: the latest row timestamp of the metrics inputs, or the
	// as-of time; NoTime when there are no rows.
	Horizon    int64
	Uptime     *Uptime
	MAD        *MAD
	Activation *Activation
	OTA        *OTA
	Customers  []CustomerHealth
	Months     []Month
}

type worker struct {
	conn, obs         int64
	perDevice         []float64
	leftOut           int
	mad, madAct, madC int
	rows              int // event and activity rows counting in W
	neverActivated    int
	dormant, retired  int
	custConn, custObs []int64
	monthConn         []int64
	monthObs          []int64
	monthMAD          []int
	monthRows         []int
}

// span is what one Compute looks at: the window, the horizon, the
// dormancy threshold and the month bounds of the series.
type span struct {
	w       Window
	horizon int64 // H: rows at or before it count
	dormant int64 // D; 0: none
	bounds  []int64
}

// Compute computes every metric whose inputs were given. It orders d once
// if it is not frozen yet (under d's lock) and otherwise only reads it, so
// concurrent calls on one Data are safe.
func Compute(d *Data, o Options) Report {
	d.sort()
	r := Report{Window: o.Window, Horizon: d.Horizon(o.AsOf)}
	w := o.Window
	needDevices := d.Has.Events || d.Has.Activity
	var bounds []int64
	var labels []string
	if needDevices && o.SeriesMonths > 0 && d.Latest != math.MinInt64 {
		bounds, labels = MonthBounds(w.To-1, o.SeriesMonths)
	}
	sp := &span{w: w, horizon: r.Horizon, dormant: o.DormantAfter, bounds: bounds}
	nm := len(labels)
	nc := d.customers.Len()
	n := d.devices.Len()

	// one accumulator per worker, merged below; as many workers as parallel
	// starts, however many CPUs there are
	var mu sync.Mutex
	var workers []*worker
	parallel(n, func(lo, hi int) {
		wk := &worker{custConn: make([]int64, nc), custObs: make([]int64, nc),
			monthConn: make([]int64, nm), monthObs: make([]int64, nm), monthMAD: make([]int, nm), monthRows: make([]int, nm)}
		active := make([]bool, nm)
		for i := lo; i < hi; i++ {
			d.deviceStats(i, sp, wk, active)
		}
		mu.Lock()
		workers = append(workers, wk)
		mu.Unlock()
	})

	if d.Has.Events {
		u := &Uptime{SLO: o.SLO}
		for _, wk := range workers {
			u.ConnectedUS += wk.conn
			u.ObservedUS += wk.obs
			u.PerDeviceValues = append(u.PerDeviceValues, wk.perDevice...)
			u.LeftOut += wk.leftOut
			u.NeverActivated += wk.neverActivated
			u.Dormant += wk.dormant
			u.Retired += wk.retired
		}
		UptimeOf(u)
		r.Uptime = u
	}
	if needDevices {
		m := &MAD{}
		rows, obs := 0, int64(0)
		for _, wk := range workers {
			m.Value += wk.mad
			m.ByActivity += wk.madAct
			m.ByConnection += wk.madC
			rows += wk.rows
			obs += wk.obs
		}
		m.NoData = rows == 0 && obs == 0
		for i := range d.devices.Names {
			if len(d.events[i]) > 0 || len(d.activity[i]) > 0 {
				m.DevicesInInput++
			}
		}
		r.MAD = m
		months := make([]Month, nm)
		for k := range nm {
			mo := Month{Label: labels[k]}
			var conn int64
			for _, wk := range workers {
				mo.MAD += wk.monthMAD[k]
				conn += wk.monthConn[k]
				mo.ObservedUS += wk.monthObs[k]
				mo.Rows += wk.monthRows[k]
			}
			mo.Uptime = ratio(conn, mo.ObservedUS)
			months[k] = mo
		}
		r.Months = MonthSeries(months, bounds, r.Horizon)
	}
	if d.Has.Devices && needDevices {
		r.Activation = d.activation(o, r.Horizon)
	}
	if d.Has.OTA {
		r.OTA = d.otaRate(w, r.Horizon)
	}
	if d.Has.Devices && nc > 0 && (d.Has.Events || d.Has.Usage || d.Has.Tickets) {
		var custConn, custObs []int64
		if d.Has.Events {
			custConn, custObs = make([]int64, nc), make([]int64, nc)
			for _, wk := range workers {
				for c := range nc {
					custConn[c] += wk.custConn[c]
					custObs[c] += wk.custObs[c]
				}
			}
		}
		r.Customers = d.health(o, custConn, custObs, r.Horizon)
	}
	return r
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// deviceStats walks one device's events as intervals of known state and
// accumulates the window's and each month's connected and observed time,
// and whether the device was active, under the definitions of the README:
// only events at or after shipping and not after the horizon count; the
// service period [S, R) starts at the first connect (or at shipping, or
// at −∞, when the first event is a disconnect) and ends at retirement;
// time is measured before the horizon; a disconnected stretch is down for
// D and dormant (not observed) after that.
func (d *Data) deviceStats(i int, sp *span, wk *worker, active []bool) {
	w, horizon := sp.w, sp.horizon
	bounds := sp.bounds
	nm := len(active)
	for k := range active {
		active[k] = false
	}
	ship, retired := d.shipped[i], d.retired[i]
	if retired == NoTime {
		retired = math.MaxInt64
	}
	end := min(retired, horizon) // time is measured on (−∞, end)
	monthOf := func(t int64) int {
		if nm == 0 || t < bounds[0] || t >= bounds[nm] {
			return -1
		}
		return sort.Search(nm, func(k int) bool { return bounds[k+1] > t })
	}
	var conn, obs int64
	activeW, activeByConn, dormantW := false, false, false

	// the events that count: at or after shipping, not after the horizon
	keys := d.events[i]
	if ship != NoTime {
		j, _ := slices.BinarySearch(keys, ship*2)
		keys = keys[j:]
	}
	if horizon < math.MaxInt64/2 {
		j, _ := slices.BinarySearch(keys, (horizon+1)*2)
		keys = keys[:j]
	}
	start := int64(math.MaxInt64) // S; MaxInt64: never in service
	if len(keys) > 0 {
		start = keys[0] >> 1
		if keys[0]&1 == Disconnected {
			start = math.MinInt64 // connected before its first event
			if ship != NoTime {
				start = ship
			}
		}
		// add accounts [a, b) in a state: connected, down, or dormant.
		add := func(a, b int64, connected, dormant bool) {
			a, b = max(a, start), min(b, end)
			if a >= b {
				return
			}
			if lo, hi := max(a, w.From), min(b, w.To); lo < hi {
				if dormant {
					dormantW = true
				} else {
					obs += hi - lo
					if connected {
						conn += hi - lo
					}
				}
			}
			if dormant || nm == 0 || b <= bounds[0] || a >= bounds[nm] {
				return
			}
			for m := max(monthOf(max(a, bounds[0])), 0); m < nm && bounds[m] < b; m++ {
				lo, hi := max(a, bounds[m]), min(b, bounds[m+1])
				if lo >= hi {
					continue
				}
				wk.monthObs[m] += hi - lo
				if connected {
					wk.monthConn[m] += hi - lo
					active[m] = true
				}
			}
		}
		// segment accounts [a, b) after an event of state s, in a
		// disconnected stretch that began at down.
		segment := func(a, b int64, s int64, down int64) {
			if s == Connected || sp.dormant <= 0 {
				add(a, b, s == Connected, false)
				return
			}
			cut := down + sp.dormant
			if down > math.MaxInt64-sp.dormant {
				cut = math.MaxInt64
			}
			add(a, min(b, cut), false, false)
			add(max(a, cut), b, false, true)
		}
		cur := int64(Connected)
		prev, down := start, int64(0)
		if keys[0]&1 == Connected {
			cur = -1 // unknown before the first connect
		}
		for _, key := range keys {
			t, s := key>>1, key&1
			if cur >= 0 {
				segment(prev, t, cur, down)
			}
			if s == Disconnected && cur != Disconnected {
				down = t // a disconnected stretch begins
			}
			cur, prev = s, t
			if t < retired {
				if t >= w.From && t < w.To {
					wk.rows++
					if s == Connected {
						activeW, activeByConn = true, true
					}
				}
				if m := monthOf(t); m >= 0 {
					wk.monthRows[m]++
					if s == Connected {
						active[m] = true
					}
				}
			}
		}
		segment(prev, math.MaxInt64, cur, down)
		if conn > 0 {
			activeW, activeByConn = true, true
		}
		if obs > 0 {
			wk.perDevice = append(wk.perDevice, float64(conn)/float64(obs))
		} else {
			wk.leftOut++
		}
		wk.conn += conn
		wk.obs += obs
		if c := d.customer[i]; c >= 0 {
			wk.custConn[c] += conn
			wk.custObs[c] += obs
		}
		if dormantW {
			wk.dormant++
		}
	} else if len(d.events[i]) > 0 {
		wk.leftOut++
	}
	if d.listed[i] && ship != NoTime {
		cutoff := min(w.To, horizon) // shipped before min(to, H), no service start before it
		if ship < cutoff && start >= cutoff {
			wk.neverActivated++
		}
		if d.retired[i] != NoTime && d.retired[i] >= w.From && d.retired[i] < w.To {
			wk.retired++
		}
	}
	// activity rows inside the service period: at or after shipping,
	// before retirement, not after the horizon
	act := d.activity[i]
	if ship != NoTime {
		j, _ := slices.BinarySearch(act, ship)
		act = act[j:]
	}
	for _, t := range act {
		if t >= retired || t > horizon {
			break
		}
		if t >= w.From && t < w.To {
			wk.rows++
			if !activeW {
				wk.madAct++
			}
			activeW = true
		}
		if m := monthOf(t); m >= 0 {
			wk.monthRows[m]++
			active[m] = true
		}
	}
	if activeW {
		wk.mad++
		if activeByConn {
			wk.madC++
		}
	}
	for m, a := range active {
		if a {
			wk.monthMAD[m]++
		}
	}
}

// activatedIn reports whether device i has a connected event or an
// activity row in [from, to).
func (d *Data) activatedIn(i int, from, to int64) bool {
	keys := d.events[i]
	j, _ := slices.BinarySearch(keys, from*2)
	for ; j < len(keys) && keys[j]>>1 < to; j++ {
		if keys[j]&1 == Connected {
			return true
		}
	}
	act := d.activity[i]
	k, _ := slices.BinarySearch(act, from)
	return k < len(act) && act[k] < to
}

func (d *Data) activation(o Options, horizon int64) *Activation {
	a := &Activation{}
	byMonth := map[string]*Cohort{}
	for i, s := range d.shipped {
		if s == NoTime || !d.listed[i] {
			continue
		}
		activated := d.activatedIn(i, s, min(s+o.ActivationWindow, horizon+1))
		if s >= o.Window.From && s < o.Window.To {
			a.Shipped++
			if activated {
				a.Activated++
			}
		}
		t := time.UnixMicro(s).UTC()
		label := t.Format("2006-01")
		c, ok := byMonth[label]
		if !ok {
			c = &Cohort{Label: label}
			byMonth[label] = c
		}
		c.Shipped++
		if activated {
			c.Activated++
		}
	}
	for _, c := range byMonth {
		a.ByMonth = append(a.ByMonth, *c)
	}
	ActivationOf(a, o, horizon)
	return a
}

// finalOTA returns each (device, job)'s final state: its latest row at or
// before the horizon (at equal times the later row in the file), or its
// snapshot state.
func (d *Data) finalOTA(horizon int64) map[otaKey]otaState {
	if horizon == NoTime || horizon >= d.Latest {
		return d.ota
	}
	out := make(map[otaKey]otaState, len(d.ota))
	for k := range d.otaSnapshot {
		out[k] = d.ota[k]
	}
	for _, r := range d.otaRows {
		if r.ts > horizon || d.otaSnapshot[r.key] {
			continue
		}
		if cur, ok := out[r.key]; !ok || r.ts >= cur.ts {
			out[r.key] = r.otaState
		}
	}
	return out
}

func (d *Data) otaRate(w Window, horizon int64) *OTA {
	jobs := make([]OTAJob, d.jobs.Len())
	for j, name := range d.jobs.Names {
		jobs[j].Job = name
	}
	for k, st := range d.finalOTA(horizon) {
		if (st.ts < w.From || st.ts >= w.To) && !d.otaSnapshot[k] {
			continue
		}
		j := &jobs[k.job]
		switch st.class {
		case OTASuccess:
			j.Success++
		case OTAFailure:
			j.Failure++
		case OTAExcluded:
			j.Excluded++
		default:
			j.Pending++
		}
	}
	return OTAOf(jobs, len(d.otaSnapshot) > 0)
}

func (d *Data) health(o Options, custConn, custObs []int64, horizon int64) []CustomerHealth {
	nc := d.customers.Len()
	devices := make([]int, nc)
	used := make([]int, nc)
	stale := horizon == NoTime || horizon < o.Window.From // nothing known in the window
	for i, c := range d.customer {
		if c < 0 || d.shipped[i] == NoTime || d.shipped[i] >= o.Window.To {
			continue
		}
		if r := d.retired[i]; r != NoTime && r < o.Window.From {
			continue
		}
		devices[c]++
		u := d.usage[i]
		j, _ := slices.BinarySearch(u, o.Window.From)
		if j < len(u) && u[j] < o.Window.To && u[j] <= horizon {
			used[c]++
		}
	}
	tickets := make([]int, nc)
	for _, t := range d.tickets {
		if t.Created >= o.Window.From && t.Created < o.Window.To && t.Created <= horizon {
			tickets[t.Customer]++
		}
	}
	counts := make([]CustomerCounts, nc)
	for c, name := range d.customers.Names {
		counts[c] = CustomerCounts{Customer: name, Devices: devices[c], Used: used[c], Tickets: tickets[c]}
		if custObs != nil {
			counts[c].ConnectedUS, counts[c].ObservedUS = custConn[c], custObs[c]
		}
	}
	has := HealthInputs{Uptime: custObs != nil, Usage: d.Has.Usage, Tickets: d.Has.Tickets}
	return ScoreCustomers(o.Health, counts, has, stale)
}
