package metrics

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// Window is the half-open interval [From, To) in µs.
type Window struct{ From, To int64 }

// Month is the calendar month (UTC) the window is exactly, and whether it
// is one.
func (w Window) Month() (time.Time, bool) {
	from := time.UnixMicro(w.From).UTC()
	return from, from.Day() == 1 && from.Equal(from.Truncate(24*time.Hour)) && time.UnixMicro(w.To).UTC().Equal(from.AddDate(0, 1, 0))
}

// Label names the window as iotpm.yaml would: its month ("2026-10") when
// it is one, else its first and last days ("2026-10-01 to 2026-10-14").
func (w Window) Label() string {
	if m, ok := w.Month(); ok {
		return m.Format("2006-01")
	}
	return time.UnixMicro(w.From).UTC().Format(time.DateOnly) + " to " + time.UnixMicro(w.To-1).UTC().Format(time.DateOnly)
}

// RecentSpan is the length of a window's recent part: the last seven
// days of the window that the data reaches.
const RecentSpan = 7 * 86_400_000_000

// RecentFrom is where the recent part of window w begins, for data that
// reaches horizon H: RecentSpan before min(w's end, H), or at w's start
// when that is later (a short window, data that ends early in it). A
// check-in device sparse over it alone checks in less often than its
// profile says since a change inside the window (SparseCheckins: a
// firmware rollout that lengthened the heartbeat); an always-connected
// one intermittent over it alone has dropped its connection since
// (Intermittent). Taken before H, not before the window's end, so that a
// month in progress has one.
func (w Window) RecentFrom(horizon int64) int64 {
	return max(w.From, w.DataEnd(horizon)-RecentSpan)
}

// EarlyTo is where the early part of window w ends, for data that
// reaches horizon H: halfway from w's start to min(w's end, H) (µs,
// rounded down). A check-in device sparse over it alone, and neither
// over the window nor over its recent part, checked in less often than
// its profile says until a change inside the window (a firmware rollout
// that shortened the heartbeat to the profile's: the days before it
// count the old interval's gaps as down); an always-connected one
// intermittent over it alone stopped dropping its connection. Half the
// data, not a fixed week: devices installed during the window (the
// example's sensors from Oct 13) have their old interval there.
func (w Window) EarlyTo(horizon int64) int64 {
	return w.From + (w.DataEnd(horizon)-w.From)/2
}

// DataEnd is where the data that reaches horizon H ends inside window w:
// min(w's end, H), not before w's start.
func (w Window) DataEnd(horizon int64) int64 {
	return min(w.To, max(horizon, w.From))
}

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
	// Funnel is the setup funnel (nil: none).
	Funnel *Funnel
	// DormantAfter is D: a device disconnected this long is dormant, not
	// down, until it connects again (0: no dormancy).
	DormantAfter int64
	// Models maps the devices input's model values to modes. A device
	// without a model value is always connected; one whose value is not
	// in the map too, and it is counted in Uptime.UnknownModels.
	Models map[string]Mode
	// FirmwareTarget is the release firmware_on_target counts devices at
	// or above ("": no target, only the shares per version).
	FirmwareTarget string
	// FirmwareAfter lists the words of a version suffix that mark a fix
	// after its release (hotfix: 2.4.1-hotfix1 after 2.4.1; VersionOrder).
	FirmwareAfter []string
	// Unmodelled is the model value of the devices without one: a
	// devices.yaml profile id ("": none). The reader gives it to them (the
	// database engine in its SQL); the computation sees it as theirs.
	Unmodelled string
	// FleetLookbackDays, when positive, asks for each device's online days
	// over that many whole UTC days before H's day (a rollout forecast's
	// input: Data.FleetDays, the database engine's Result.Fleet).
	FleetLookbackDays int
	// DataStart is the fleet's data start F: the earliest row of the
	// events and activity inputs (0 or NoTime: none). A unit whose
	// activation window ends by then, shipped_at + ActivationWindow ≤ F,
	// has no row of the data in it, whether it activated or not: no
	// activation rate counts it (Cohort.BeforeData).
	DataStart int64
	// HealthOutside marks the health inputs (usage, tickets) whose rows
	// all lie outside the window: customer health leaves their component
	// out, as for an input not given, rather than score 0 uses or 0
	// tickets that no row of the window shows (its Uptime is unused).
	HealthOutside HealthInputs
}

// beforeData says whether a unit shipped at s has its whole activation
// window before the fleet's data start (Options.DataStart).
func (o Options) beforeData(s int64) bool {
	return o.DataStart != NoTime && s+o.ActivationWindow <= o.DataStart
}

// Firmware is the firmware in the fleet: the window's monthly active
// devices by the version they run at E = min(to, H) (Data.VersionsAt),
// devices whose profile cannot take an OTA update left out and counted.
type Firmware struct {
	At       int64 // E
	Versions []VersionCount
	Unknown  int // devices whose version is not known at E
	Devices  int // the active OTA-capable devices counted (known or not)
	NoOTA    int // active devices whose profile says ota: false
	Target   string
	OnTarget int // devices at or above Target, in Order
	// Order is how versions are ordered: Options.FirmwareAfter's words.
	Order VersionOrder
	// Value is OnTarget / Devices (unknown versions are not on target);
	// NaN without a target or devices.
	Value float64
	// Ambiguous counts the devices (of the whole input) whose latest
	// succeeded OTA rows at one instant name different versions: their
	// version is unknown. AmbiguousDevice is one of them.
	Ambiguous       int
	AmbiguousDevice string
}

// VersionCount is one version's devices.
type VersionCount struct {
	Version string
	Devices int
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
	// Always and Checkin split the sums by mode; ByProfile by the
	// devices.yaml profile of the device's model (devices with a model
	// value Options.Models names), in profile order.
	Always, Checkin ModeUptime
	ByProfile       []ProfileUptime
	// PlannedDisconnects counts the check-in devices' disconnect events
	// that count (at or after shipping, not after H), which end nothing.
	PlannedDisconnects int
	// Disconnects counts the always-connected devices' disconnect events
	// that count, the same way: none among devices that connect means
	// the events lack them (an export of connects only), and uptime
	// reads 100% whatever the fleet did.
	Disconnects int
	// EventDevices counts the devices with a connection event (any time,
	// duplicates once), SingleEventDevices those with exactly one: a
	// device's events repeat, so nearly every id with one event says the
	// column names rows (a message id), not devices.
	EventDevices, SingleEventDevices int
	// ActivityDevices and SingleActivityDevices are the same for the
	// activity rows (every row, duplicates too): a device is heard again
	// and again, so one row for nearly every id says the input is a
	// last-seen list, not a history.
	ActivityDevices, SingleActivityDevices int
	// ShippedWithRows counts the devices of the devices input with a
	// shipped_at and a connection event or activity row (any time);
	// RowsBeforeShipping those of them whose every row is before their
	// shipped_at. Rows before shipping are factory tests, so such a device
	// is never in service: most of a fleet so says shipped_at is a later
	// date than shipping (billing, a cloud claim), not that it never ran.
	ShippedWithRows, RowsBeforeShipping int
	// BeforeShippingByMonth splits both by ship month (UTC), in month
	// order: one batch whose shipped_at is a later date (its invoices, a
	// distributor's sale) never activates, though the fleet's do.
	BeforeShippingByMonth []ShipMonthRows
	// UnknownModels counts the devices whose model value Options.Models
	// does not name (treated as always connected); UnknownModelValues are
	// those values, sorted.
	UnknownModels      int
	UnknownModelValues []string
	// NoModel counts the devices of the devices input without a model
	// value (treated as always connected).
	NoModel int
	// ActivityOnly: the inputs have activity rows and no events, so only
	// the devices that check in have observed time (a LoRaWAN fleet's
	// uplinks, a sleeping device's messages).
	ActivityOnly bool
}

// ShipMonthRows counts the devices of one ship month with a shipped_at
// and rows (WithRows), and those of them whose every row is before their
// shipped_at (BeforeShipping): Uptime.ShippedWithRows and
// RowsBeforeShipping of one month.
type ShipMonthRows struct {
	Label                    string // YYYY-MM
	WithRows, BeforeShipping int
}

// ProfileUptime is the uptime of the devices of one profile.
type ProfileUptime struct {
	Profile string
	Checkin bool
	ModeUptime
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
	Label string // YYYY-MM for ship-month cohorts
	// Shipped counts the cohort's units whose activation the data can
	// show (all but BeforeData); Activated those of them activated, Rate
	// = Activated / Shipped (NaN when none).
	Shipped   int
	Activated int
	Rate      float64
	Mature    bool
	// BeforeData counts the cohort's units whose activation window ends
	// by the fleet's data start (Options.DataStart), left out of Shipped:
	// the rows that would show their activation precede the exports (a
	// retention limit, a query's time range), and counted as not
	// activated they would hold the rate down with nothing to show for
	// it.
	BeforeData int
	// Straddling counts the cohort's units not activated whose activation
	// window begins before the data start and ends after it (shipped_at <
	// F < shipped_at + A): counted in Shipped as not activated, though an
	// activation before F is not in the data. In an export cut at F (a
	// retention limit) they hold the ship month's rate down; in one that
	// begins with the fleet they did not activate.
	Straddling int
	// AtShipping counts the cohort's activated units activated within
	// ShippingHour of their shipped_at (Activation.AtShipping, per
	// cohort): most of one ship month so activated says that month's
	// shipped_at values are factory times, even where the fleet's are not.
	AtShipping int
}

// Activation is the activation-rate result for the window's cohort, and the
// rate per ship month over all the data.
type Activation struct {
	Cohort
	WindowDays float64
	ByMonth    []Cohort
	// ByProfile splits the cohorts by the devices.yaml profile of the
	// devices' model (devices whose model value Options.Models names, as
	// Uptime.ByProfile), in profile order; a profile without a shipped
	// device is left out.
	ByProfile []ProfileActivation
	// AtShipping counts the activated devices of every ship month that
	// were activated within ShippingHour of their shipped_at: units reach
	// customers days after they ship, so most of a fleet activated in
	// that hour says shipped_at is the factory's provisioning or test
	// time, and activation counts the end-of-line test.
	AtShipping int
	// AfterHorizon counts the window cohort's devices shipped after the
	// data's horizon H: no row can show them activated, so the rate
	// counts them as not (planned shipments, or a devices export newer
	// than the fleet's rows).
	AfterHorizon int
}

// ShippingHour is how soon after shipped_at an activation counts in
// Activation.AtShipping (µs).
const ShippingHour = 3_600_000_000

// ProfileActivation is the activation of one profile's devices: its
// window cohort (Cohort) and its ship-month cohorts.
type ProfileActivation struct {
	Profile string
	Cohort
	ByMonth []Cohort
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
	// ByProfile counts the units of the devices of each devices.yaml
	// profile (their model value Options.Models names, as
	// Uptime.ByProfile), every job, in profile order; a profile without a
	// unit is left out.
	ByProfile []ProfileOTA
	// Snapshot: some states come from a snapshot export (no timestamps),
	// counted whatever the window.
	Snapshot bool
}

// ProfileOTA is the units of one profile's devices by final status.
type ProfileOTA struct {
	Profile string
	OTAJob  // Job is "all"
}

// CustomerHealth is one customer's health score.
type CustomerHealth struct {
	Customer string
	Devices  int // devices shipped before the window ends
	Tickets  int // tickets counting in the window
	Score    float64
	Band     string // red, yellow, green, or none when no component applies
	// Raw values and normalised scores; a nil raw value is a component
	// whose input is missing or undefined for this customer.
	Uptime, Usage, TicketsPer100             *float64
	UptimeScore, UsageScore, TicketsScore    *float64
	UptimeWeight, UsageWeight, TicketsWeight float64
	// ConnectedUS and ObservedUS are the uptime's sums; Sparse the part
	// of them from its sparse devices (ModeUptime.Sparse: checking in
	// less often than their profile says, or connected only briefly while
	// counted as always connected), which hold its uptime down.
	ConnectedUS, ObservedUS int64
	Sparse                  SparseUptime
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
	Firmware   *Firmware
	// Onboarding is the setup funnel (the onboarding input and a Funnel).
	Onboarding *Onboarding
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
	custSparse        []SparseUptime
	monthConn         []int64
	monthObs          []int64
	monthMAD          []int
	monthRows         []int
	planned, missed   int
	disconnects       int           // always-connected devices' counted disconnects
	activeDevices     []int32       // the devices active in W (MAD), by index
	byMode            [2]ModeUptime // always, check-in
	byProfile         []ModeUptime
}

// span is what one Compute looks at: the window, the horizon, the
// dormancy threshold and the month bounds of the series.
type span struct {
	w       Window
	horizon int64 // H: rows at or before it count
	// recent is where the window's recent part begins (RecentFrom),
	// early where its early part ends (EarlyTo)
	recent, early int64
	dormant       int64 // D; 0: none
	bounds        []int64
	// d0 is the events' data start D0: the earliest event that counts.
	d0 int64
	// modes and profile are by model value index: the mode, and the
	// index of the profile in Uptime.ByProfile (-1: unknown).
	modes []Mode
	// listActive: collect the devices active in W (the firmware metric
	// counts them); off, the walk keeps no per-device list.
	listActive bool
	profile    []int
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
	sp := &span{w: w, horizon: r.Horizon, dormant: o.DormantAfter, bounds: bounds, d0: d.dataStart(r.Horizon),
		listActive: d.HasVersions || d.HasFirmware, recent: w.RecentFrom(r.Horizon), early: w.EarlyTo(r.Horizon)}
	profiles, unknown := sp.resolveModels(d, o.Models)
	nm := len(labels)
	nc := d.customers.Len()
	n := d.devices.Len()

	// one accumulator per worker, merged below; as many workers as parallel
	// starts, however many CPUs there are
	var mu sync.Mutex
	var workers []*worker
	parallel(n, func(lo, hi int) {
		wk := newWorker(nc, nm, len(profiles))
		active := make([]bool, nm)
		for i := lo; i < hi; i++ {
			d.deviceStats(i, sp, wk, active)
		}
		mu.Lock()
		workers = append(workers, wk)
		mu.Unlock()
	})

	// without events, activity rows give observed time to the devices
	// that check in (their rows are their check-ins) and to no other:
	// uptime is theirs, and says so when there is none
	if d.Has.Events || d.Has.Activity {
		r.Uptime = mergeUptime(workers, o.SLO, profiles)
		r.Uptime.ActivityOnly = !d.Has.Events
		r.Uptime.UnknownModels, r.Uptime.UnknownModelValues, r.Uptime.NoModel = unknown(d)
		for _, evs := range d.events {
			if len(evs) > 0 {
				r.Uptime.EventDevices++
			}
			if len(evs) == 1 {
				r.Uptime.SingleEventDevices++
			}
		}
		for _, act := range d.activity {
			if len(act) > 0 {
				r.Uptime.ActivityDevices++
			}
			if len(act) == 1 {
				r.Uptime.SingleActivityDevices++
			}
		}
		months := map[int]*ShipMonthRows{}
		for i, s := range d.shipped {
			evs, act := d.events[i], d.activity[i]
			if s == NoTime || len(evs)+len(act) == 0 {
				continue
			}
			r.Uptime.ShippedWithRows++
			// by year and month, the label made once a month (not a
			// Format a device)
			t := time.UnixMicro(s).UTC()
			key := t.Year()*12 + int(t.Month())
			m, ok := months[key]
			if !ok {
				m = &ShipMonthRows{Label: t.Format("2006-01")}
				months[key] = m
			}
			m.WithRows++
			last := int64(math.MinInt64)
			if len(evs) > 0 {
				// the latest: sorted by time, or in a sequence's order by
				// effective time, which never goes back
				last = evs[len(evs)-1] >> 1
			}
			if len(act) > 0 {
				last = max(last, act[len(act)-1])
			}
			if last < s {
				r.Uptime.RowsBeforeShipping++
				m.BeforeShipping++
			}
		}
		for _, m := range months {
			r.Uptime.BeforeShippingByMonth = append(r.Uptime.BeforeShippingByMonth, *m)
		}
		slices.SortFunc(r.Uptime.BeforeShippingByMonth, func(a, b ShipMonthRows) int { return cmp.Compare(a.Label, b.Label) })
		UptimeOf(r.Uptime)
	}
	if needDevices {
		r.MAD, r.Months = d.mergeMAD(workers, labels, bounds, r.Horizon)
	}
	if d.Has.Devices && needDevices {
		r.Activation = d.activation(o, r.Horizon, sp, profiles)
	}
	if d.Has.OTA {
		r.OTA = d.otaRate(w, r.Horizon, sp, profiles)
	}
	if needDevices && (d.HasVersions || d.HasFirmware) {
		var active []int32
		for _, wk := range workers {
			active = append(active, wk.activeDevices...)
		}
		r.Firmware = d.firmwareOf(sp, active, min(w.To, r.Horizon), r.Horizon, o.FirmwareTarget, VersionOrder{After: o.FirmwareAfter})
	}
	if d.Has.Devices && nc > 0 && (d.Has.Events || d.Has.Activity || d.Has.Usage || d.Has.Tickets) {
		r.Customers = d.health(o, workers, r.Horizon)
	}
	if d.Has.Onboarding && o.Funnel != nil {
		r.Onboarding = d.onboarding(o, r.Horizon)
	}
	return r
}

// mergeUptime adds up the workers' connected and observed time, fleet-wide,
// by mode and by profile.
func mergeUptime(workers []*worker, slo float64, profiles []ProfileUptime) *Uptime {
	u := &Uptime{SLO: slo}
	for _, wk := range workers {
		u.ConnectedUS += wk.conn
		u.ObservedUS += wk.obs
		u.PerDeviceValues = append(u.PerDeviceValues, wk.perDevice...)
		u.LeftOut += wk.leftOut
		u.NeverActivated += wk.neverActivated
		u.Dormant += wk.dormant
		u.Retired += wk.retired
		u.PlannedDisconnects += wk.planned
		u.Disconnects += wk.disconnects
		u.Always.add(wk.byMode[0])
		u.Checkin.add(wk.byMode[1])
	}
	u.ByProfile = profiles
	for k := range u.ByProfile {
		for _, wk := range workers {
			u.ByProfile[k].add(wk.byProfile[k])
		}
		p := &u.ByProfile[k].ModeUptime
		p.Value = ratio(p.ConnectedUS, p.ObservedUS)
	}
	u.Always.Value = ratio(u.Always.ConnectedUS, u.Always.ObservedUS)
	u.Checkin.Value = ratio(u.Checkin.ConnectedUS, u.Checkin.ObservedUS)
	return u
}

// mergeMAD adds up the workers' monthly active devices and the month
// series.
func (d *Data) mergeMAD(workers []*worker, labels []string, bounds []int64, horizon int64) (*MAD, []Month) {
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
	nm := len(labels)
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
	return m, MonthSeries(months, bounds, horizon)
}

// mergeCustomers adds up the workers' connected and observed time per
// customer, and their sparse devices'.
func mergeCustomers(workers []*worker, nc int) (conn, obs []int64, sparse []SparseUptime) {
	conn, obs, sparse = make([]int64, nc), make([]int64, nc), make([]SparseUptime, nc)
	for _, wk := range workers {
		for c := range nc {
			conn[c] += wk.custConn[c]
			obs[c] += wk.custObs[c]
			sparse[c].add(wk.custSparse[c])
		}
	}
	return conn, obs, sparse
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// deviceStats walks one device's time as pieces of known state and
// accumulates the window's and each month's connected and observed time,
// and whether the device was active, under the definitions of docs/metrics-definitions.md:
// only rows at or after shipping and not after the horizon count; the
// service period [S, R) ends at retirement; time is measured before the
// horizon; an unreachable stretch is down for D and dormant (not
// observed) after that. An always-connected device is in the state of its
// latest event, from its first connect (or from max(shipping, D0) when
// its first event is a disconnect); a check-in device is reachable for
// g·P after each connect or activity row, from its first one, and its
// disconnects are planned.
func (d *Data) deviceStats(i int, sp *span, wk *worker, active []bool) {
	w, horizon := sp.w, sp.horizon
	for k := range active {
		active[k] = false
	}
	ship, retired := d.shipped[i], d.retired[i]
	if retired == NoTime {
		retired = math.MaxInt64
	}
	mode := sp.modeOf(d, i)
	a := pieces{sp: sp, wk: wk, active: active, end: min(retired, horizon), every: mode.Every}
	activeW, activeByConn := false, false

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
	// activity rows inside the service period: at or after shipping,
	// before retirement, not after the horizon
	act := d.activity[i]
	if ship != NoTime {
		j, _ := slices.BinarySearch(act, ship)
		act = act[j:]
	}
	a.start = math.MaxInt64 // S; MaxInt64: never in service
	walked := false
	if mode.Every > 0 {
		walked = a.checkins(keys, act, mode.Reach(), retired)
		for _, key := range keys {
			if key&1 == Disconnected {
				wk.planned++
			}
		}
	} else if len(keys) > 0 {
		a.connections(keys, ship)
		walked = true
		wk.disconnects += a.disconnects
	}
	if walked {
		if wk.countEvents(sp, keys, retired, active) {
			activeW, activeByConn = true, true
		}
		if a.conn > 0 {
			// a check-in device's connected time comes from its
			// check-ins: active by them, not by a connection
			activeW = true
			activeByConn = activeByConn || mode.Every == 0
		}
		wk.addUptime(sp, d, i, &a, mode.Every > 0)
	} else if len(d.events[i]) > 0 {
		wk.leftOut++
	}
	start := a.start
	if d.listed[i] && ship != NoTime {
		cutoff := min(w.To, horizon) // shipped before min(to, H), no service start before it
		// (without events, a device that does not check in has no way to
		// start service: it is unobserved, not never activated)
		if ship < cutoff && start >= cutoff && (d.Has.Events || mode.Every > 0) {
			wk.neverActivated++
		}
		if d.retired[i] != NoTime && d.retired[i] >= w.From && d.retired[i] < w.To {
			wk.retired++
		}
	}
	actEnd := retired // the first instant an activity row no longer counts
	if horizon < math.MaxInt64 && horizon+1 < actEnd {
		actEnd = horizon + 1
	}
	if wk.countActivity(sp, act, actEnd, active) {
		activeW = true
	}
	if activeW {
		// active, and by a connection (a connect event in W, or an
		// always-connected device's connected time) or else by activity
		wk.mad++
		if sp.listActive {
			wk.activeDevices = append(wk.activeDevices, int32(i))
		}
		if activeByConn {
			wk.madC++
		} else {
			wk.madAct++
		}
	}

	for m, a := range active {
		if a {
			wk.monthMAD[m]++
		}
	}
}

// countEvents counts a device's event rows (up to its retirement) in the
// window and by month, marking the months a connect makes it active in;
// true when a connect falls in the window.
func (wk *worker) countEvents(sp *span, keys []int64, retired int64, active []bool) (connectedInW bool) {
	w := sp.w
	for _, key := range keys {
		t, s := key>>1, key&1
		if t >= retired {
			break
		}
		if t >= w.From && t < w.To {
			wk.rows++
			if s == Connected {
				connectedInW = true
			}
		}
		if m := sp.monthOf(t); m >= 0 {
			wk.monthRows[m]++
			if s == Connected {
				active[m] = true
			}
		}
	}
	return connectedInW
}

// countActivity counts a device's activity rows before end (its retirement,
// or just after the horizon) in the window and by month, marking the
// months they make it active in; true when one falls in the window.
func (wk *worker) countActivity(sp *span, act []int64, end int64, active []bool) (inW bool) {
	w := sp.w
	for _, t := range act {
		if t >= end {
			break
		}
		if t >= w.From && t < w.To {
			wk.rows++
			inW = true
		}
		if m := sp.monthOf(t); m >= 0 {
			wk.monthRows[m]++
			active[m] = true
		}
	}
	return inW
}

// newWorker makes a worker's accumulators: nc customers, nm buckets of
// the series (months, or days), np profiles.
func newWorker(nc, nm, np int) *worker {
	return &worker{custConn: make([]int64, nc), custObs: make([]int64, nc), custSparse: make([]SparseUptime, nc),
		monthConn: make([]int64, nm), monthObs: make([]int64, nm), monthMAD: make([]int, nm), monthRows: make([]int, nm),
		byProfile: make([]ModeUptime, np)}
}

// addUptime adds a walked device's connected and observed time to the
// fleet's, its mode's (checkin: it sleeps by design), its profile's and
// its customer's.
func (wk *worker) addUptime(sp *span, d *Data, i int, a *pieces, checkin bool) {
	if a.obs > 0 {
		wk.perDevice = append(wk.perDevice, float64(a.conn)/float64(a.obs))
	} else {
		wk.leftOut++
	}
	wk.conn += a.conn
	wk.obs += a.obs
	wk.missed += a.missed
	m := &wk.byMode[0]
	if checkin {
		m = &wk.byMode[1]
	}
	m.ConnectedUS += a.conn
	m.ObservedUS += a.obs
	m.Missed += a.missed
	m.Stretches += a.stretches
	m.RecentObservedUS += a.recent.obs
	m.RecentMissed += a.recent.missed
	if a.obs > 0 {
		m.Devices++
	}
	// sparse: a check-in device of a profile that checks in less often
	// than it says, or an always-connected one connected only briefly
	var sparse SparseUptime
	k := sp.profileOf(d, i)
	var overW, recent, early bool
	var reach int64 // g·P of a check-in device with a profile
	switch {
	case checkin && k >= 0:
		reach = sp.modeOf(d, i).Reach()
		overW = SparseCheckins(a.obs, a.missed, a.stretches, a.every, reach)
		recent = !overW && SparseCheckins(a.recent.obs, a.recent.missed, a.recent.stretches, a.every, reach)
		early = !overW && !recent && SparseCheckins(a.early.obs, a.early.missed, a.early.stretches, a.every, reach)
	case !checkin:
		overW = Intermittent(a.obs, a.conn, a.stretches)
		recent = !overW && Intermittent(a.recent.obs, a.recent.conn, a.recent.stretches)
		early = !overW && !recent && Intermittent(a.early.obs, a.early.conn, a.early.stretches)
	}
	daily := DailyDown(a.dailyN, a.dailyW, a.dailyCos, a.dailySin)
	if overW || recent || early {
		sparse = SparseUptime{Devices: 1, ConnectedUS: a.conn, ObservedUS: a.obs, Example: d.devices.Names[i]}
		if recent {
			sparse.Recent = 1
		}
		if early {
			sparse.Early = 1
		}
		if daily {
			sparse.Daily = 1
		}
		if overW && checkin && SettledCheckins(a.obs, a.missed, a.recent.obs, a.recent.missed, a.every, reach) {
			sparse.Settled = 1
		}
	}
	if !checkin {
		m.Sparse.add(sparse)
		if daily {
			m.Daily.add(a.daily(d.devices.Names[i]))
		}
	}
	if k >= 0 {
		pm := &wk.byProfile[k]
		pm.ConnectedUS += a.conn
		pm.ObservedUS += a.obs
		pm.Missed += a.missed
		pm.Stretches += a.stretches
		pm.RecentObservedUS += a.recent.obs
		pm.RecentMissed += a.recent.missed
		pm.Checkins += a.checkinsW
		if a.obs > 0 {
			pm.Devices++
		}
		if checkin {
			pm.Sparse.add(sparse)
			if daily {
				pm.Daily.add(a.daily(d.devices.Names[i]))
			}
		}
	}
	if c := d.customer[i]; c >= 0 {
		wk.custConn[c] += a.conn
		wk.custObs[c] += a.obs
		wk.custSparse[c].add(sparse)
	}
	if a.dormantW {
		wk.dormant++
	}
}

// activatedIn reports whether device i has a connected event or an
// activity row in [from, to).
func (d *Data) activatedIn(i int, from, to int64) bool {
	return d.activatedAt(i, from, to) != NoTime
}

// activatedAt is the time of device i's first connected event or activity
// row in [from, to), or NoTime.
func (d *Data) activatedAt(i int, from, to int64) int64 {
	at := int64(NoTime)
	keys := d.events[i]
	j, _ := slices.BinarySearch(keys, from*2)
	for ; j < len(keys) && keys[j]>>1 < to; j++ {
		if keys[j]&1 == Connected {
			at = keys[j] >> 1
			break
		}
	}
	act := d.activity[i]
	if k, _ := slices.BinarySearch(act, from); k < len(act) && act[k] < to && (at == NoTime || act[k] < at) {
		at = act[k]
	}
	return at
}

// activation counts the shipped devices and the activated ones by ship
// month and in the window, for the fleet and by profile (profiles as
// resolveModels ordered them).
func (d *Data) activation(o Options, horizon int64, sp *span, profiles []ProfileUptime) *Activation {
	a := &Activation{}
	type groups struct {
		window  Cohort
		byMonth map[string]*Cohort
	}
	count := func(g *groups, s int64, label string, before, activated, atShipping bool) {
		straddling := !before && !activated && o.DataStart != NoTime && s < o.DataStart
		add := func(c *Cohort) {
			if straddling {
				c.Straddling++
			}
			if atShipping {
				c.AtShipping++
			}
			switch {
			case before:
				c.BeforeData++
			case activated:
				c.Activated++
				fallthrough
			default:
				c.Shipped++
			}
		}
		if s >= o.Window.From && s < o.Window.To {
			add(&g.window)
		}
		c, ok := g.byMonth[label]
		if !ok {
			c = &Cohort{Label: label}
			g.byMonth[label] = c
		}
		add(c)
	}
	fleet := &groups{byMonth: map[string]*Cohort{}}
	byProfile := make([]*groups, len(profiles))
	for i, s := range d.shipped {
		if s == NoTime || !d.listed[i] {
			continue
		}
		before := o.beforeData(s)
		if s >= o.Window.From && s < o.Window.To && horizon != NoTime && s > horizon {
			a.AfterHorizon++
		}
		activated := !before && d.activatedIn(i, s, min(s+o.ActivationWindow, horizon+1))
		atShipping := activated && d.activatedIn(i, s, min(s+ShippingHour, s+o.ActivationWindow, horizon+1))
		if atShipping {
			a.AtShipping++
		}
		label := time.UnixMicro(s).UTC().Format("2006-01") // the ship month, once a device
		count(fleet, s, label, before, activated, atShipping)
		if k := sp.profileOf(d, i); k >= 0 {
			if byProfile[k] == nil {
				byProfile[k] = &groups{byMonth: map[string]*Cohort{}}
			}
			count(byProfile[k], s, label, before, activated, atShipping)
		}
	}
	a.Cohort = fleet.window
	for _, c := range fleet.byMonth {
		a.ByMonth = append(a.ByMonth, *c)
	}
	for k, g := range byProfile {
		if g == nil {
			continue
		}
		p := ProfileActivation{Profile: profiles[k].Profile, Cohort: g.window}
		for _, c := range g.byMonth {
			p.ByMonth = append(p.ByMonth, *c)
		}
		a.ByProfile = append(a.ByProfile, p)
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

// otaRate counts the units whose final status is in the window (or from a
// snapshot) by job, and by the profile of their device (profiles as
// resolveModels ordered them).
func (d *Data) otaRate(w Window, horizon int64, sp *span, profiles []ProfileUptime) *OTA {
	jobs := make([]OTAJob, d.jobs.Len())
	for j, name := range d.jobs.Names {
		jobs[j].Job = name
	}
	byProfile := make([]ProfileOTA, len(profiles))
	for k := range byProfile {
		byProfile[k] = ProfileOTA{Profile: profiles[k].Profile, OTAJob: OTAJob{Job: "all"}}
	}
	for k, st := range d.finalOTA(horizon) {
		if (st.ts < w.From || st.ts >= w.To) && !d.otaSnapshot[k] {
			continue
		}
		jobs[k.job].count(st.class)
		if p := sp.profileOf(d, int(k.device)); p >= 0 {
			byProfile[p].count(st.class)
		}
	}
	return OTAOf(jobs, byProfile, len(d.otaSnapshot) > 0)
}

// count adds a unit of a final status class.
func (j *OTAJob) count(class int32) {
	switch class {
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

func (d *Data) health(o Options, workers []*worker, horizon int64) []CustomerHealth {
	nc := d.customers.Len()
	var custConn, custObs []int64
	var custSparse []SparseUptime
	if d.Has.Events || d.Has.Activity { // (activity alone: the check-in devices' uptime)
		custConn, custObs, custSparse = mergeCustomers(workers, nc)
	}
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
			counts[c].ConnectedUS, counts[c].ObservedUS, counts[c].Sparse = custConn[c], custObs[c], custSparse[c]
		}
	}
	has := HealthInputs{Uptime: custObs != nil, Usage: d.Has.Usage && !o.HealthOutside.Usage, Tickets: d.Has.Tickets && !o.HealthOutside.Tickets}
	return ScoreCustomers(o.Health, counts, has, stale)
}

func (m *ModeUptime) add(o ModeUptime) {
	m.ConnectedUS += o.ConnectedUS
	m.ObservedUS += o.ObservedUS
	m.Devices += o.Devices
	m.Missed += o.Missed
	m.Stretches += o.Stretches
	m.RecentObservedUS += o.RecentObservedUS
	m.RecentMissed += o.RecentMissed
	m.Checkins += o.Checkins
	m.Sparse.add(o.Sparse)
	m.Daily.add(o.Daily)
}

// dataStart is D0, the earliest event that counts: at or after its
// device's shipping, not after the horizon (NoTime: none).
func (d *Data) dataStart(horizon int64) int64 {
	d0 := int64(math.MaxInt64)
	for i, keys := range d.events {
		if ship := d.shipped[i]; ship != NoTime {
			j, _ := slices.BinarySearch(keys, ship*2)
			keys = keys[j:]
		}
		if len(keys) > 0 && keys[0]>>1 <= horizon {
			d0 = min(d0, keys[0]>>1)
		}
	}
	if d0 == math.MaxInt64 {
		return NoTime
	}
	return d0
}

// resolveModels sets each model value's mode and profile from models, and
// returns the profiles in the report's order (by id) and a function that
// counts the devices whose value models does not name, with those values,
// and the devices without a value.
func (sp *span) resolveModels(d *Data, models map[string]Mode) ([]ProfileUptime, func(*Data) (unknown int, values []string, none int)) {
	n := d.models.Len()
	sp.modes, sp.profile = make([]Mode, n), make([]int, n)
	var profiles []ProfileUptime
	index := map[string]int{}
	for m, v := range d.models.Names {
		mode, ok := models[v]
		sp.profile[m] = -1
		if !ok {
			continue
		}
		sp.modes[m] = mode
		k, seen := index[mode.Profile]
		if !seen {
			k = len(profiles)
			index[mode.Profile] = k
			profiles = append(profiles, ProfileUptime{Profile: mode.Profile, Checkin: mode.Every > 0})
		}
		sp.profile[m] = k
	}
	// by id, and the indexes with them
	order := make([]int, len(profiles))
	for k := range order {
		order[k] = k
	}
	sort.Slice(order, func(a, b int) bool { return profiles[order[a]].Profile < profiles[order[b]].Profile })
	rank := make([]int, len(profiles))
	sorted := make([]ProfileUptime, len(profiles))
	for r, k := range order {
		rank[k] = r
		sorted[r] = profiles[k]
	}
	for m, k := range sp.profile {
		if k >= 0 {
			sp.profile[m] = rank[k]
		}
	}
	unknown := func(d *Data) (int, []string, int) {
		count, none, values := 0, 0, map[string]bool{}
		for i, m := range d.model {
			switch {
			case !d.listed[i]:
			case m < 0:
				none++
			case sp.profile[m] < 0:
				count++
				values[d.models.Names[m]] = true
			}
		}
		out := make([]string, 0, len(values))
		for v := range values {
			out = append(out, v)
		}
		slices.Sort(out)
		return count, out, none
	}
	return sorted, unknown
}
