package metrics

import (
	"math"
	"sort"
)

// Mode says how a device connects, from its profile (a devices.yaml
// device): always connected (Every 0), or by check-ins every Every µs,
// reachable for Grace × Every after each one.
type Mode struct {
	// Profile is the devices.yaml id the model value names.
	Profile string
	Every   int64 // P, µs; 0: always connected
	Grace   float64
	// NoOTA: the profile cannot take an OTA update (devices.yaml ota:
	// false); left out of the firmware metrics and rollouts.
	NoOTA bool
}

// Reach is how long a check-in makes the device reachable: g·P, rounded
// to the µs (the database engine is given the same integer).
func (m Mode) Reach() int64 { return int64(math.Round(m.Grace * float64(m.Every))) }

// ModeUptime is the uptime of a group of devices (a mode, a profile).
type ModeUptime struct {
	ConnectedUS, ObservedUS int64
	Devices                 int     // with observed time in the window
	Value                   float64 // NaN: no observed time
	// Missed is the check-in devices' missed check-ins: for each
	// unreachable (down) stretch in the window, ⌈its length / P⌉.
	Missed int
	// Stretches is the unreachable stretches in the window: a check-in
	// device's pieces after the reach of a check-in, an always-connected
	// device's down pieces after a disconnect that counts.
	Stretches int
	// RecentObservedUS and RecentMissed are the observed time and the
	// missed check-ins over the window's recent part (Window.RecentFrom):
	// a profile that misses many check-ins over the window and few there
	// has had its interval changed to P inside the window.
	RecentObservedUS int64
	RecentMissed     int
	// Checkins is the check-in devices' check-ins in the window, before
	// their retirement: set beside ⌊observed / P⌋, how often they check
	// in against the profile's interval.
	Checkins int
	// Sparse is the part of the sums from the sparse devices: a check-in
	// profile's devices that check in less often than it says
	// (SparseCheckins); in the always-connected mode, its devices that
	// were connected less than half of the time in many pieces
	// (Intermittent).
	Sparse SparseUptime
	// Daily is the part of a check-in profile's sums (or the always-
	// connected mode's) from its devices down at one time of day, day
	// after day (DailyDown).
	Daily DailyUptime
}

// DailyUptime sums the devices of a check-in profile, or of the
// always-connected mode, whose long down stretches begin at one time of
// day (DailyDown): their count, time, least id, and the sums of their
// stretches' weighted start angles, whose direction is the time of day
// they begin around.
type DailyUptime struct {
	SparseUptime
	// Stretches, Length and Weight are their long stretches' count, time
	// in the window (µs) and weight (each one's time, up to
	// DailyMaxWeight); Cos and Sin the sums of the weighted start angles.
	Stretches        int
	Length           int64
	Weight, Cos, Sin float64
}

// add adds o's devices to u.
func (u *DailyUptime) add(o DailyUptime) {
	u.SparseUptime.add(o.SparseUptime)
	u.Stretches += o.Stretches
	u.Length += o.Length
	u.Weight += o.Weight
	u.Cos += o.Cos
	u.Sin += o.Sin
}

// Daily-pattern thresholds (DailyDown): a device's unreachable stretches
// longer than its interval, at least DailyMinStretches of them, each
// weighted by its time in the window up to DailyMaxWeight, whose start
// angles' resultant is at least DailyMinConcentration of their weight.
const (
	DailyMinStretches     = 14
	DailyMaxWeight        = 12 * 3_600_000_000
	DailyMinConcentration = 0.8
	// DailyMinAlwaysStretch is how long an always-connected device's down
	// stretch must be to count (a check-in device's: longer than P):
	// reconnects within minutes are not a schedule
	DailyMinAlwaysStretch = 15 * 60_000_000
	dayUS                 = 86_400_000_000
)

// DailyAngle is the angle of a time's time of day (UTC), 0 at midnight,
// 2π a day later: the direction a stretch that begins at us adds its
// weight in.
func DailyAngle(us int64) float64 {
	return 2 * math.Pi * float64(((us%dayUS)+dayUS)%dayUS) / dayUS
}

// DailyDown reports whether a device was down at one time of day, day
// after day: its long down stretches in the window — a check-in device's
// unreachable stretches longer than its interval, an always-connected
// device's down stretches over DailyMinAlwaysStretch — number n ≥ 14 (two
// weeks), and their start angles (DailyAngle), each weighted by the
// stretch's time in the window up to 12 h (weights summing to w, weighted
// cosines to c, sines to s), have a resultant √(c² + s²) ≥ 0.8·w.
// Stretches beginning within about an hour of one time each day give
// 0.99, stretches at random times about 1/√n (0.27 at 14). Quiet hours in
// the firmware, a gateway on solar power, a network's nightly maintenance
// or a switched outlet read so. Short stretches are left out (one missed
// check-in: random losses are mostly those; a reconnect within minutes);
// the weight cap keeps one long outage from deciding the direction. Both
// engines apply this rule, the sums in float64.
func DailyDown(n int, w, c, s float64) bool {
	return n >= DailyMinStretches && w > 0 && c*c+s*s >= DailyMinConcentration*DailyMinConcentration*w*w
}

// SparseUptime sums the devices that ModeUptime.Sparse singles out of
// their profile or mode — a check-in profile's devices that check in less
// often than it says (SparseCheckins), the always-connected devices that
// each were connected less than half of the time (Intermittent) — so that
// a warning can give the group's uptime with and without them.
type SparseUptime struct {
	Devices                 int
	ConnectedUS, ObservedUS int64
	// Example is the least of their ids, in byte order ("": none).
	Example string
	// Recent counts those that are so over the window's recent part
	// alone (Window.RecentFrom), not over the whole window: a heartbeat
	// that changed inside it, a firmware that started dropping its
	// connection.
	Recent int
	// Settled counts the check-in devices sparse over the whole window
	// that missed few check-ins over its recent part (SettledCheckins):
	// their interval changed to P inside the window.
	Settled int
	// Early counts those that are so over the window's early part alone
	// (Window.EarlyTo), not over the whole window nor its recent part: a
	// heartbeat shortened to the profile's inside it, a connection that
	// stopped dropping.
	Early int
	// Daily counts those that were also down at one time of day, day
	// after day (DailyDown): their missed check-ins may be hours they
	// are silent each day (quiet hours, a gateway off at night) while
	// they check in as often as their profile says the rest of the day,
	// and then a longer interval is not theirs. (0 in DailyUptime.)
	Daily int
}

// add adds o's devices to s.
func (s *SparseUptime) add(o SparseUptime) {
	s.Devices += o.Devices
	s.ConnectedUS += o.ConnectedUS
	s.ObservedUS += o.ObservedUS
	s.Recent += o.Recent
	s.Early += o.Early
	s.Settled += o.Settled
	s.Daily += o.Daily
	if o.Example != "" && (s.Example == "" || o.Example < s.Example) {
		s.Example = o.Example
	}
}

// Intermittent reports whether an always-connected device with observed
// time observed, connected time connected and stretches pieces of down
// time (one after each disconnect event) in the window was connected less
// than half of it in at least 10 pieces: what a device that sleeps by
// design gives when counted as always connected (a battery valve that
// connects for a second each hour reads 0.02%), and one that keeps losing
// its connection. Both engines apply this rule, in integers, to a
// device's sums over the window, over its recent part
// (Window.RecentFrom) and over its early part (Window.EarlyTo): a device
// is intermittent over any.
func Intermittent(observed, connected int64, stretches int) bool {
	return observed > 0 && stretches >= SparseMinStretches && 2*connected < observed
}

// Sparse-device thresholds: a device is sparse with at least
// SparseMinExpected check-ins expected and SparseMinStretches unreachable
// stretches in the window (a few long outages are not an interval).
const (
	SparseMinExpected  = 20
	SparseMinStretches = 10
)

// SparseCheckins reports whether a check-in device with observed time
// observed, missed check-ins missed over stretches unreachable stretches,
// interval every and reach reach (g·P, µs) is sparse: ⌊observed / P⌋ ≥ 20
// check-ins expected, at least 10 stretches, and missed · (P + g·P) ≥
// ⌊observed / P⌋ · P — at least 1/(g + 1) of them missed, the least share
// any regular interval longer than g·P misses. Both engines apply this
// rule, in integers, to a device's sums over the window, over its recent
// part (Window.RecentFrom) and over its early part (Window.EarlyTo): a
// device is sparse over any.
func SparseCheckins(observed int64, missed, stretches int, every, reach int64) bool {
	if every <= 0 || observed <= 0 {
		return false
	}
	expected := observed / every
	return expected >= SparseMinExpected && stretches >= SparseMinStretches && int64(missed)*(every+reach) >= expected*every
}

// LongIntervalFactor is how much longer than a profile's interval P the
// interval its devices' check-ins come at (CheckinInterval) must be to
// say the field runs a longer one.
const LongIntervalFactor = 1.25

// CheckinInterval estimates the interval a check-in profile's devices
// check in at, from its sums over the window: (connected − stretches ·
// reach) / (check-ins − stretches), the mean reachable time of the
// check-ins not followed by an unreachable stretch. A check-in keeps its
// device reachable up to the next one, or for the reach g·P when the next
// comes later — and then a stretch follows it: so on a fleet that checks
// in every P the estimate is about P however many check-ins it loses,
// while a field interval F between P and g·P (a profile set to a planned
// 10 min heartbeat while the firmware still sends every 15 min) reads
// about F. Uptime hides such an F — check-ins up to g·P late count as on
// time — but not the jitter past g·P, and the battery's life is computed
// with P. ok is false with fewer than SparseMinExpected check-ins to
// estimate it from. Check-ins closer than P (several messages a wake)
// lower the estimate; the run warns of those when they are twice the
// check-ins P expects.
func CheckinInterval(m ModeUptime, reach int64) (us float64, ok bool) {
	n := m.Checkins - m.Stretches
	if n < SparseMinExpected {
		return 0, false
	}
	return float64(m.ConnectedUS-int64(m.Stretches)*reach) / float64(n), true
}

// SettledCheckins reports whether a check-in device (or a profile's sums)
// with observed time observed and missed check-ins missed over the window,
// and observedR and missedR over its recent part (Window.RecentFrom),
// missed few there: at least SparseMinExpected check-ins expected there,
// under 1/(g + 1) of them missed, and at most half the window's share —
// missedR · (P + g·P) < ⌊observedR / P⌋ · P and 2 · missedR · ⌊observed /
// P⌋ ≤ missed · ⌊observedR / P⌋, in integers in both engines. A device
// or profile that misses 1/(g + 1) over the window and settles so has
// had its interval changed to P inside the window (a firmware rollout
// that shortened the heartbeat to the profile's): the days before the
// change count the old interval's gaps as down, and a longer interval is
// not the field's.
func SettledCheckins(observed int64, missed int, observedR int64, missedR int, every, reach int64) bool {
	if every <= 0 {
		return false
	}
	expected, expectedR := observed/every, observedR/every
	return expectedR >= SparseMinExpected && int64(missedR)*(every+reach) < expectedR*every && 2*int64(missedR)*expected <= int64(missed)*expectedR
}

// ModeUptimeOf completes a mode's or profile's sums with its value (NaN
// without observed time): one rule for every engine.
func ModeUptimeOf(connected, observed int64, devices, missed int) ModeUptime {
	return ModeUptime{ConnectedUS: connected, ObservedUS: observed, Devices: devices, Missed: missed, Value: ratio(connected, observed)}
}

// monthOf is the index of the series month holding t, or -1.
func (sp *span) monthOf(t int64) int {
	b := sp.bounds
	nm := len(b) - 1
	if nm <= 0 || t < b[0] || t >= b[nm] {
		return -1
	}
	return sort.Search(nm, func(k int) bool { return b[k+1] > t })
}

// modeOf is device i's mode: its model's, or always connected.
func (sp *span) modeOf(d *Data, i int) Mode {
	if m := d.model[i]; m >= 0 && int(m) < len(sp.modes) {
		return sp.modes[m]
	}
	return Mode{}
}

// profileOf is the index of device i's profile in the report, or -1.
func (sp *span) profileOf(d *Data, i int) int {
	if m := d.model[i]; m >= 0 && int(m) < len(sp.profile) {
		return sp.profile[m]
	}
	return -1
}

// pieces accumulates one device's pieces of time — connected, down or
// dormant — clipped to its service period [start, end), into the window's
// and the months' sums.
type pieces struct {
	sp         *span
	wk         *worker
	active     []bool
	start, end int64
	// the sums over the window
	spanSums
	dormantW bool
	every    int64 // P of a check-in device (missed check-ins); 0: none
	// disconnects: an always-connected device's disconnect events walked
	disconnects int
	// recent and early: the sums over the window's recent part
	// (Window.RecentFrom) and its early part (Window.EarlyTo), the pieces
	// clipped as over the window
	recent, early spanSums
	// daily*: the device's long down stretches in the window (a check-in
	// device's longer than its interval, an always-connected one's over
	// DailyMinAlwaysStretch), their time, weights and weighted start
	// angles (DailyDown)
	dailyN                     int
	dailyLen                   int64
	dailyW, dailyCos, dailySin float64
	// checkinsW: a check-in device's check-ins in the window, before its
	// retirement
	checkinsW int
}

// spanSums are a device's sums over a span of time (the window, its
// recent or early part): observed and connected time, missed check-ins,
// and stretches — the pieces of down time in it: a check-in device's
// unreachable stretches (each counts missed check-ins), an
// always-connected device's time after each disconnect event.
type spanSums struct {
	conn, obs         int64
	missed, stretches int
}

// add accounts a piece's time d in the span, connected or down; every is
// P of a check-in device (0: none).
func (s *spanSums) add(d int64, connected bool, every int64) {
	s.obs += d
	if connected {
		s.conn += d
		return
	}
	if every > 0 {
		s.missed += int((d + every - 1) / every)
	}
	s.stretches++
}

// add accounts [a, b) in a state: connected, down, or dormant.
func (p *pieces) add(a, b int64, connected, dormant bool) {
	a, b = max(a, p.start), min(b, p.end)
	if a >= b {
		return
	}
	sp, wk := p.sp, p.wk
	w, bounds := sp.w, sp.bounds
	if lo, hi := max(a, w.From), min(b, w.To); lo < hi {
		if dormant {
			p.dormantW = true
		} else {
			p.spanSums.add(hi-lo, connected, p.every)
			// a long stretch (DailyDown): longer than a check-in
			// device's interval, an always-connected device's 15 min
			long := p.every
			if long == 0 {
				long = DailyMinAlwaysStretch
			}
			if !connected && hi-lo > long {
				wt := float64(min(hi-lo, DailyMaxWeight))
				sin, cos := math.Sincos(DailyAngle(lo))
				p.dailyN++
				p.dailyLen += hi - lo
				p.dailyW += wt
				p.dailyCos += wt * cos
				p.dailySin += wt * sin
			}
		}
	}
	if lo, hi := max(a, sp.recent), min(b, w.To); lo < hi && !dormant {
		p.recent.add(hi-lo, connected, p.every)
	}
	if lo, hi := max(a, w.From), min(b, sp.early); lo < hi && !dormant {
		p.early.add(hi-lo, connected, p.every)
	}
	nm := len(bounds) - 1
	if dormant || nm <= 0 || b <= bounds[0] || a >= bounds[nm] {
		return
	}
	for m := max(sp.monthOf(max(a, bounds[0])), 0); m < nm && bounds[m] < b; m++ {
		lo, hi := max(a, bounds[m]), min(b, bounds[m+1])
		if lo >= hi {
			continue
		}
		wk.monthObs[m] += hi - lo
		if connected {
			wk.monthConn[m] += hi - lo
			p.active[m] = true
		}
	}
}

// daily is the device's part of a DailyUptime, as the device id.
func (p *pieces) daily(id string) DailyUptime {
	return DailyUptime{SparseUptime: SparseUptime{Devices: 1, ConnectedUS: p.conn, ObservedUS: p.obs, Example: id},
		Stretches: p.dailyN, Length: p.dailyLen, Weight: p.dailyW, Cos: p.dailyCos, Sin: p.dailySin}
}

// segment accounts [a, b) in one state; a disconnected piece belongs to
// the stretch that began at down: down for D from there, dormant after.
func (p *pieces) segment(a, b int64, connected bool, down int64) {
	dormant := p.sp.dormant
	if connected || dormant <= 0 {
		p.add(a, b, connected, false)
		return
	}
	cut := down + dormant
	if down > math.MaxInt64-dormant {
		cut = math.MaxInt64
	}
	p.add(a, min(b, cut), false, false)
	p.add(max(a, cut), b, false, true)
}

// connections walks an always-connected device's events (keys, at or
// after shipping and not after H): service starts at the first connect,
// or at max(shipping, D0) when the first event is a disconnect (connected
// until it); after each event the device is in that event's state; a
// disconnected stretch begins at the first disconnect after a connect.
func (p *pieces) connections(keys []int64, ship int64) {
	p.start = keys[0] >> 1
	cur := int64(-1) // unknown before the first connect
	if keys[0]&1 == Disconnected {
		p.start = max(ship, p.sp.d0) // NoTime is the smallest int64
		cur = Connected
	}
	prev, down := p.start, int64(0)
	for _, key := range keys {
		t, s := key>>1, key&1
		if cur >= 0 {
			p.segment(prev, t, cur == Connected, down)
		}
		if s == Disconnected {
			p.disconnects++
			if cur != Disconnected {
				down = t // a disconnected stretch begins
			}
		}
		cur, prev = s, t
	}
	p.segment(prev, math.MaxInt64, cur == Connected, down)
}

// checkins walks a check-in device: its check-ins are its connects (keys)
// and activity rows (act, before retirement: as MAD counts them), at or
// after shipping and not after H; service starts at the first; each
// makes the device reachable on [t, t + reach); between one's reach and
// the next check-in it is unreachable. It reports whether the device has
// a check-in.
func (p *pieces) checkins(keys, act []int64, reach, retired int64) bool {
	horizon := min(p.sp.horizon, retired-1)
	ki, ai := 0, 0
	next := func() (int64, bool) {
		for ki < len(keys) && keys[ki]&1 == Disconnected {
			ki++
		}
		switch {
		case ki < len(keys) && (ai >= len(act) || keys[ki]>>1 <= act[ai]):
			ki++
			return keys[ki-1] >> 1, true
		case ai < len(act) && act[ai] <= horizon:
			ai++
			return act[ai-1], true
		}
		return 0, false
	}
	t, ok := next()
	if !ok {
		return false
	}
	p.start = t
	for {
		if t >= p.sp.w.From && t < p.sp.w.To && t < retired {
			p.checkinsW++
		}
		nt, more := next()
		if !more {
			nt = math.MaxInt64
		}
		re := t + reach
		if re < nt {
			p.add(t, re, true, false)
			p.segment(re, nt, false, re)
		} else {
			p.add(t, nt, true, false)
		}
		if !more {
			return true
		}
		t = nt
	}
}
