package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/metrics/timelines"
)

// TestDefinitionsV2 checks each rule of the uptime definition on the
// timelines worked out by hand in package timelines (the SQL engine of
// internal/fleetdb is held to the same cases). Times are hours from
// 2026-10-01 00:00 UTC; the window is [0 h, 100 h).
func TestDefinitionsV2(t *testing.T) {
	for _, tt := range timelines.Uptime {
		t.Run(tt.Name, func(t *testing.T) {
			d := NewData()
			d.Has.Events = !tt.NoEvents
			d.Has.Devices = len(tt.Devices) > 0
			for _, dv := range tt.Devices {
				retired := int64(NoTime)
				if dv.Retired != 0 {
					retired = dv.Retired
				}
				d.AddDeviceRetired([]byte(dv.ID), dv.Shipped, retired, nil)
				d.SetModel([]byte(dv.ID), []byte(dv.Model))
			}
			d.Has.Activity = len(tt.Activity) > 0
			for _, a := range tt.Activity {
				d.AddActivity([]byte(a.Device), a.At)
			}
			for k, e := range tt.Events {
				state := Disconnected
				if e.Connected {
					state = Connected
				}
				var session []byte
				if e.Session != "" {
					session = []byte(e.Session)
				}
				switch {
				case e.Seq != "":
					d.AddSequencedSessionEvent([]byte(e.Device), e.At, state, []byte(e.Seq), tt.Reset, session)
				case tt.FileOrder || session != nil:
					d.AddOrderedEvent([]byte(e.Device), e.At, state, int64(k+2), tt.FileOrder, session)
				default:
					d.AddEvent([]byte(e.Device), e.At, state)
				}
			}
			o := Options{Window: Window{h(0), h(100)}, SLO: 0.99, DormantAfter: int64(tt.Dormant * 3600e6), SeriesMonths: 12,
				Models: TimelineModes(tt.Profiles)}
			if tt.AsOf != 0 {
				o.AsOf = h(tt.AsOf)
			}
			r := Compute(d, o)
			u := r.Uptime
			if u == nil {
				t.Fatal("no uptime")
			}
			got := timelines.Want{ConnHours: float64(u.ConnectedUS) / 3600e6, ObsHours: float64(u.ObservedUS) / 3600e6,
				Dormant: u.Dormant, Retired: u.Retired, Never: u.NeverActivated, Dups: d.DuplicateEvents, Stale: d.StaleDisconnects,
				Missed: u.Checkin.Missed, Planned: u.PlannedDisconnects, Unknown: u.UnknownModels, Disconnects: u.Disconnects, SeqBack: d.SequenceBack, Sparse: sparseDevices(u), Intermittent: u.Always.Sparse.Devices}
			if got != tt.Want {
				t.Errorf("got %+v\nwant %+v", got, tt.Want)
			}
			if tt.FirstMonth != "" && (len(r.Months) == 0 || r.Months[0].Label != tt.FirstMonth) {
				t.Errorf("series %+v, want it to start in %s", r.Months, tt.FirstMonth)
			}
			if tt.Want.ObsHours > 0 {
				near(t, "uptime", u.Value, tt.Want.ConnHours/tt.Want.ObsHours)
			} else if !math.IsNaN(u.Value) {
				t.Errorf("uptime %v with nothing observed, want NaN (no data)", u.Value)
			}
		})
	}
}

// A window after the data: every metric is "no data", not a pass.
func TestWindowAfterTheData(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.OTA, d.Has.Usage = true, true, true, true
	d.AddDevice([]byte("a"), day("2026-09-01"), []byte("acme"))
	d.AddEvent([]byte("a"), day("2026-09-02"), Connected)
	d.AddOTA([]byte("a"), []byte("fw"), OTASuccess, day("2026-09-03"))
	d.AddUsage([]byte("a"), day("2026-09-04"))
	r := Compute(d, Options{Window: Window{day("2030-01-01"), day("2030-02-01")}, SeriesMonths: 12, Health: DefaultHealth()})
	if !math.IsNaN(r.Uptime.Value) || r.Uptime.Devices != 0 {
		t.Errorf("uptime %+v", r.Uptime)
	}
	if !r.MAD.NoData {
		t.Errorf("MAD %+v: want no data", r.MAD)
	}
	if !math.IsNaN(r.Activation.Rate) || !math.IsNaN(r.OTA.Rate) {
		t.Errorf("activation %v OTA %v", r.Activation.Rate, r.OTA.Rate)
	}
	if len(r.Customers) != 1 || !math.IsNaN(r.Customers[0].Score) {
		t.Errorf("customers %+v", r.Customers)
	}
	if len(r.Months) != 0 {
		t.Errorf("months %+v: twelve identical months of nothing", r.Months)
	}
}

// The by-month series never shows a device active before it shipped, nor
// any month before the data start D0, even when a first event is a
// disconnect.
func TestNotActiveBeforeShipping(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events = true, true
	d.AddDevice([]byte("a"), day("2026-09-15"), nil)
	d.AddEvent([]byte("a"), day("2026-10-05"), Disconnected)
	d.AddDevice([]byte("b"), day("2026-08-01"), nil)
	d.AddEvent([]byte("b"), day("2026-09-20"), Connected) // D0
	r := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SeriesMonths: 4, AsOf: day("2026-11-01")})
	if len(r.Months) != 2 || r.Months[0].Label != "2026-09" || r.Months[0].MAD != 2 {
		t.Fatalf("months %+v", r.Months)
	}
	// September: both up from 20 Sep (D0; a shipped 15 Sep) to the end
	near(t, "sep uptime", r.Months[0].Uptime, 1)
	near(t, "sep observed days", float64(r.Months[0].ObservedUS)/86400e6, 2*11)

	// a alone: its disconnect is the data start; nothing before October
	d = NewData()
	d.Has.Devices, d.Has.Events = true, true
	d.AddDevice([]byte("a"), day("2026-09-15"), nil)
	d.AddEvent([]byte("a"), day("2026-10-05"), Disconnected)
	r = Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SeriesMonths: 4, AsOf: day("2026-11-01")})
	if len(r.Months) != 1 || r.Months[0].Label != "2026-10" || r.Months[0].MAD != 0 {
		t.Errorf("months %+v: none before the data", r.Months)
	}
}

// MAD counts only rows inside the service period.
func TestMADServicePeriod(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Activity = true, true
	d.AddDevice([]byte("factory"), day("2026-11-15"), nil) // activity before shipping
	d.AddActivity([]byte("factory"), day("2026-10-10"))
	d.AddDeviceRetired([]byte("gone"), day("2026-01-01"), day("2026-10-05"), nil) // activity after retirement
	d.AddActivity([]byte("gone"), day("2026-10-10"))
	d.AddDevice([]byte("ok"), day("2026-01-01"), nil)
	d.AddActivity([]byte("ok"), day("2026-10-10"))
	r := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}})
	if r.MAD.Value != 1 {
		t.Errorf("MAD %d, want 1 (only ok)", r.MAD.Value)
	}
}

// TimelineModes turns a timeline's profiles into Options.Models.
func TimelineModes(profiles map[string]timelines.Profile) map[string]Mode {
	out := map[string]Mode{}
	for v, p := range profiles {
		out[v] = Mode{Profile: v, Every: int64(p.Every * 3600e6), Grace: p.Grace}
	}
	return out
}

// AtShipping counts the activated devices whose activating connect or
// activity row is in [shipped, shipped + 1 h): all shipped 1 Oct 10:00.
// a connects 10:20 (yes); b at 11:00 (the hour is half-open: no); c has
// an uplink at 10:59:59 (yes); d connects three days later (no); e
// connects at 09:50, a factory test before shipping that does not count,
// then 10:30 (yes); f never connects (not activated). g, shipped 15 Sep
// 10:00, connects 10:10 (yes): 4 in all, 3 in the window's cohort and
// October's, 1 in September's.
func TestActivatedAtShipping(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Activity = true, true, true
	at := func(clock string) int64 { return day("2026-10-01") + hm(clock) }
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		d.AddDevice([]byte(id), at("10:00"), nil)
	}
	d.AddEvent([]byte("a"), at("10:20"), Connected)
	d.AddEvent([]byte("b"), at("11:00"), Connected)
	d.AddActivity([]byte("c"), at("10:59")+59e6)
	d.AddEvent([]byte("d"), at("10:00")+3*86400e6, Connected)
	d.AddEvent([]byte("e"), at("09:50"), Connected)
	d.AddEvent([]byte("e"), at("09:55"), Disconnected)
	d.AddEvent([]byte("e"), at("10:30"), Connected)
	d.AddDevice([]byte("g"), day("2026-09-15")+hm("10:00"), nil)
	d.AddEvent([]byte("g"), day("2026-09-15")+hm("10:10"), Connected)
	r := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, ActivationWindow: 30 * 86400e6, AsOf: day("2026-11-01")})
	a := r.Activation
	if a == nil || a.Activated != 5 || a.AtShipping != 4 || a.Cohort.AtShipping != 3 {
		t.Fatalf("activation %+v: want 5 activated, 3 of them within the hour, 4 in all", a)
	}
	months := map[string]int{}
	for _, c := range a.ByMonth {
		months[c.Label] = c.AtShipping
	}
	if months["2026-09"] != 1 || months["2026-10"] != 3 {
		t.Errorf("at shipping by ship month %v, want 2026-09: 1, 2026-10: 3", months)
	}
}

// hm is a clock time's µs after midnight.
func hm(clock string) int64 {
	t, err := time.Parse("15:04", clock)
	if err != nil {
		panic(err)
	}
	return int64(t.Hour()*3600+t.Minute()*60) * 1e6
}

// sparseDevices sums the profiles' sparse check-in devices.
func sparseDevices(u *Uptime) int {
	n := 0
	for _, p := range u.ByProfile {
		n += p.Sparse.Devices
	}
	return n
}
