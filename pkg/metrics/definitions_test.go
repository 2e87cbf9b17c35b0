package metrics

import (
	"math"
	"testing"
)

// TestDefinitionsV2 checks each rule of the uptime definition on a
// timeline worked out by hand in its comment. Times are hours from
// 2026-10-01 00:00 UTC; the window is [0 h, 100 h) unless said otherwise.
func TestDefinitionsV2(t *testing.T) {
	type expect struct {
		conn, obs               float64 // hours
		dormant, retired, never int
		dups                    int
	}
	tests := []struct {
		name    string
		build   func(d *Data)
		asOf    float64 // 0: the latest row
		dormant float64 // D in hours; 0: off
		want    expect
	}{
		{"leading disconnect with shipped_at: in service from shipping, connected until it", func(d *Data) {
			// shipped 10; disconnect 30, connect 50: up [10,30), down [30,50), up [50,100)
			d.AddDevice([]byte("a"), h(10), nil)
			d.AddEvent([]byte("a"), h(30), Disconnected)
			d.AddEvent([]byte("a"), h(50), Connected)
		}, 100, 0, expect{conn: 70, obs: 90}},
		{"leading disconnect without shipped_at: connected since −∞", func(d *Data) {
			// up [0,30), down [30,50), up [50,100)
			d.AddEvent([]byte("a"), h(30), Disconnected)
			d.AddEvent([]byte("a"), h(50), Connected)
		}, 100, 0, expect{conn: 80, obs: 100}},
		{"factory test before shipping is not service", func(d *Data) {
			// connect −500, disconnect −499 at the factory; shipped 20;
			// first connect after shipping 40: service from 40, up to 100
			d.AddDevice([]byte("a"), h(20), nil)
			d.AddEvent([]byte("a"), h(-500), Connected)
			d.AddEvent([]byte("a"), h(-499), Disconnected)
			d.AddEvent([]byte("a"), h(40), Connected)
		}, 100, 0, expect{conn: 60, obs: 60}},
		{"shipped, never connected: never activated, nothing observed", func(d *Data) {
			d.AddDevice([]byte("a"), h(10), nil)
			d.AddDevice([]byte("b"), h(10), nil) // first connect after the window
			d.AddEvent([]byte("b"), h(120), Connected)
		}, 150, 0, expect{never: 2}},
		{"dormancy crossing the window's start", func(d *Data) {
			// connect −50, disconnect −10, connect 60; D = 30 h:
			// down [−10,20), dormant [20,60), up [60,100)
			d.AddEvent([]byte("a"), h(-50), Connected)
			d.AddEvent([]byte("a"), h(-10), Disconnected)
			d.AddEvent([]byte("a"), h(60), Connected)
		}, 100, 30, expect{conn: 40, obs: 60, dormant: 1}},
		{"dormancy crossing the window's end", func(d *Data) {
			// connect 0, disconnect 50 (again at 60: the stretch still
			// starts at 50); D = 30 h: down [50,80), dormant from 80
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(50), Disconnected)
			d.AddEvent([]byte("a"), h(60), Disconnected)
		}, 150, 30, expect{conn: 50, obs: 80, dormant: 1}},
		{"dormant_after 0 turns dormancy off", func(d *Data) {
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(50), Disconnected)
		}, 150, 0, expect{conn: 50, obs: 100}},
		{"retired device: service ends at retirement", func(d *Data) {
			// shipped −100, connect −90, retired 40: up [0,40)
			d.AddDeviceRetired([]byte("a"), h(-100), h(40), nil)
			d.AddEvent([]byte("a"), h(-90), Connected)
		}, 100, 0, expect{conn: 40, obs: 40, retired: 1}},
		{"horizon inside the window: time is measured up to the last row", func(d *Data) {
			// connect 0, disconnect 30, connect 40 (H = 40): up 30 of 40
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(30), Disconnected)
			d.AddEvent([]byte("a"), h(40), Connected)
		}, 0, 0, expect{conn: 30, obs: 40}},
		{"rows after an as-of horizon are ignored", func(d *Data) {
			// as of 60: the disconnect at 70 is not known yet
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(70), Disconnected)
		}, 60, 0, expect{conn: 60, obs: 60}},
		{"duplicates without a sequence count once", func(d *Data) {
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(0), Connected)
			d.AddEvent([]byte("a"), h(50), Disconnected)
			d.AddEvent([]byte("a"), h(50), Disconnected)
		}, 100, 0, expect{conn: 50, obs: 100, dups: 2}},
		{"duplicates with a sequence: the earliest copy is kept", func(d *Data) {
			// seq 1 connect at 0 and again (a late copy) at 5; seq 2 disconnect at 50
			d.AddSequencedEvent([]byte("a"), h(5), Connected, []byte("1"), 0)
			d.AddSequencedEvent([]byte("a"), h(0), Connected, []byte("1"), 0)
			d.AddSequencedEvent([]byte("a"), h(50), Disconnected, []byte("2"), 0)
		}, 100, 0, expect{conn: 50, obs: 100, dups: 1}},
		{"DUPLICATE_CLIENTID reconnect ordered by versionNumber stays at 100%", func(d *Data) {
			// v7 connect 0; v8 connect 50; v7 disconnect 50 h + 3 s (the
			// broker closing the old session): ordered v7 C, v7 D, v8 C,
			// the reconnect at its effective time 50 h + 3 s
			d.AddSequencedEvent([]byte("a"), h(0), Connected, []byte("7"), 3600e6)
			d.AddSequencedEvent([]byte("a"), h(50), Connected, []byte("8"), 3600e6)
			d.AddSequencedEvent([]byte("a"), h(50)+3e6, Disconnected, []byte("7"), 3600e6)
		}, 100, 0, expect{conn: 100, obs: 100}},
		{"string sequences order by bytes; effective time never goes back", func(d *Data) {
			// "0002" disconnect stamped 20 but after "0001" connect at 30:
			// effective 30; down [30,100)
			d.AddSequencedEvent([]byte("a"), h(20), Disconnected, []byte("000000000000000001D4-0002"), 0)
			d.AddSequencedEvent([]byte("a"), h(30), Connected, []byte("000000000000000001D4-0001"), 0)
		}, 100, 0, expect{conn: 0, obs: 70}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewData()
			d.Has.Events = true
			tt.build(d)
			d.Has.Devices = len(d.listed) > 0 && func() bool {
				for _, l := range d.listed {
					if l {
						return true
					}
				}
				return false
			}()
			o := Options{Window: Window{h(0), h(100)}, SLO: 0.99, DormantAfter: int64(tt.dormant * 3600e6)}
			if tt.asOf != 0 {
				o.AsOf = h(tt.asOf)
			}
			u := Compute(d, o).Uptime
			got := expect{conn: float64(u.ConnectedUS) / 3600e6, obs: float64(u.ObservedUS) / 3600e6,
				dormant: u.Dormant, retired: u.Retired, never: u.NeverActivated, dups: d.DuplicateEvents}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if tt.want.obs > 0 {
				near(t, "uptime", u.Value, tt.want.conn/tt.want.obs)
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

// The by-month series never shows a device active before it shipped,
// even when its first event is a disconnect.
func TestNotActiveBeforeShipping(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events = true, true
	d.AddDevice([]byte("a"), day("2026-09-15"), nil)
	d.AddEvent([]byte("a"), day("2026-10-05"), Disconnected)
	r := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SeriesMonths: 4, AsOf: day("2026-11-01")})
	for _, m := range r.Months {
		if m.Label < "2026-09" && m.MAD > 0 {
			t.Errorf("active in %s, before shipping", m.Label)
		}
	}
	if len(r.Months) != 2 || r.Months[0].Label != "2026-09" || r.Months[0].MAD != 1 {
		t.Errorf("months %+v", r.Months)
	}
	// September: up from 15 Sep (shipping) to the end: 100%
	near(t, "sep uptime", r.Months[0].Uptime, 1)
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
