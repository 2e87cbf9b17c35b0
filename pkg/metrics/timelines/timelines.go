// Package timelines holds the uptime definition's timelines worked out by
// hand, as data, so that every engine that implements the definition —
// pkg/metrics over rows in memory, internal/fleetdb in SQL — is held to
// the same hand-computed answers.
package timelines

import (
	"slices"
	"time"
)

// Base is hour 0 of every timeline: 2026-10-01 00:00 UTC, in µs.
var Base = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// At is an instant x hours after Base, in µs.
func At(x float64) int64 { return Base + int64(x*3600e6) }

// Device is a row of the devices input; Retired 0 means in service.
type Device struct {
	ID               string
	Shipped, Retired int64
	// Model is the devices input's model value ("" none).
	Model string
}

// Activity is an activity row (an uplink, a message).
type Activity struct {
	Device string
	At     int64
}

// Profile is how the devices of a model value connect: by check-ins every
// Every hours, reachable for Grace × Every after each (Every 0: always
// connected). The profile's id is the model value.
type Profile struct{ Every, Grace float64 }

// Event is a connection event; Seq is its sequence value, "" when the
// input has no sequence column.
type Event struct {
	Device    string
	At        int64
	Connected bool
	Seq       string
	// Session is the session the event names ("" none).
	Session string
}

// Want is the hand-computed result.
type Want struct {
	ConnHours, ObsHours     float64
	Dormant, Retired, Never int
	Dups                    int
	// Stale: disconnects of an old session, which end nothing.
	Stale int
	// Missed check-ins, planned disconnects (of check-in devices), and
	// devices whose model value no profile names.
	Missed, Planned, Unknown int
	// Disconnects: the always-connected devices' disconnect events that
	// count (at or after shipping, not after H, duplicates once, none of
	// an old session), before the window too: none among them is warned
	// of (an export of connects alone).
	Disconnects int
	// SeqBack: events a sequence puts more than a minute before the
	// latest time of the events it puts earlier (a column that may not be
	// a sequence, warned of when they are many).
	SeqBack int
	// Sparse: the check-in devices that each missed at least 1/(g + 1)
	// of the check-ins P expects (at least 20) over at least 10
	// unreachable stretches (metrics.SparseCheckins), over the profiles.
	Sparse int
	// Intermittent: the always-connected devices connected less than
	// half of their observed time in at least 10 pieces after a
	// disconnect (metrics.Intermittent).
	Intermittent int
}

// Case is one timeline. The window is [At(0), At(100)); the SLO 99%.
type Case struct {
	Name    string
	Devices []Device
	Events  []Event
	// Reset (µs): a numeric sequence that drops after a gap this long
	// starts over; 0: never.
	Reset int64
	// AsOf (hours; 0: the latest row) and Dormant (D, hours; 0: off).
	AsOf, Dormant float64
	// FileOrder: the events are the file's rows in this order, and the
	// input says order: file (the line decides at equal times).
	FileOrder bool
	// Activity rows, and the profiles by model value (the devices'
	// Model); a model value not in Profiles is unknown. NoEvents: the
	// inputs have no events input at all, activity alone (a LoRaWAN
	// fleet's uplinks).
	Activity []Activity
	NoEvents bool
	Profiles map[string]Profile
	// FirstMonth, when set, is the first month of the by-month series
	// (twelve months ending with October 2026).
	FirstMonth string
	Want       Want
}

// FilesOnly reports whether the case needs what only the file reader
// does: sessions, or the file's row order (a table has none; the
// database source refuses both with a message).
func (c Case) FilesOnly() bool {
	return c.FileOrder || slices.ContainsFunc(c.Events, func(e Event) bool { return e.Session != "" })
}

// Sequenced reports whether the case's events carry a sequence.
func (c Case) Sequenced() bool { return len(c.Events) > 0 && c.Events[0].Seq != "" }

func on(id string, x float64) Event  { return Event{Device: id, At: At(x), Connected: true} }
func off(id string, x float64) Event { return Event{Device: id, At: At(x)} }

func seq(e Event, s string) Event { e.Seq = s; return e }

// hourly is a connect of device id at every hour in [from, to) but the
// ones in skip; with a disconnect 0.01 h after each when planned.
func hourly(id string, from, to int, planned bool, skip ...int) []Event {
	var out []Event
	for x := from; x < to; x++ {
		if slices.Contains(skip, x) {
			continue
		}
		out = append(out, on(id, float64(x)))
		if planned {
			out = append(out, off(id, float64(x)+0.01))
		}
	}
	return out
}

// uplinks are activity rows of device id at the given hours.
// every is a connect of device id every step hours from from until
// before to.
func every(id string, from, to, step float64) []Event {
	var out []Event
	for x := from; x < to; x += step {
		out = append(out, on(id, x))
	}
	return out
}

// sessions is a connect of device id every step hours from from until
// before to, each with a disconnect length hours later.
func sessions(id string, from, to, step, length float64) []Event {
	var out []Event
	for x := from; x < to; x += step {
		out = append(out, on(id, x), off(id, x+length))
	}
	return out
}

// twice adds to events a second disconnect after each disconnect, later
// hours after it.
func twice(events []Event, later float64) []Event {
	var out []Event
	for _, e := range events {
		out = append(out, e)
		if !e.Connected {
			out = append(out, Event{Device: e.Device, At: e.At + int64(later*3600e6)})
		}
	}
	return out
}

func uplinks(id string, hours ...float64) []Activity {
	var out []Activity
	for _, x := range hours {
		out = append(out, Activity{Device: id, At: At(x)})
	}
	return out
}

// valve is a device of model "V" (check-ins every hour, grace 1.5),
// shipped before the window.
var valve = []Device{{ID: "v", Shipped: At(-10), Model: "V"}}

var valveProfile = map[string]Profile{"V": {Every: 1, Grace: 1.5}}

func sess(e Event, s string) Event { e.Session = s; return e }

// Uptime are the cases of the uptime definition, each rule on its own.
var Uptime = []Case{
	{Name: "leading disconnect with shipped_at: in service from max(shipping, D0), connected until it",
		// b connects at 5: the data start D0 = 5. a shipped 10; disconnect
		// 30, connect 50: up [10,30), down [30,50), up [50,100); b up
		// [5,100)
		Devices: []Device{{ID: "a", Shipped: At(10)}, {ID: "b", Shipped: At(1)}},
		Events:  []Event{off("a", 30), on("a", 50), on("b", 5)},
		AsOf:    100, Want: Want{ConnHours: 70 + 95, ObsHours: 90 + 95, Disconnects: 1}},
	{Name: "leading disconnect without shipped_at: connected from the data start D0, not before",
		// b connects at 20 (D0); a disconnects at 30, connects at 50: a up
		// [20,30), down [30,50), up [50,100); b up [20,100). Before D0
		// nothing is known: no time at all (it was −∞ in version 2)
		Events: []Event{off("a", 30), on("a", 50), on("b", 20)},
		AsOf:   100, Want: Want{ConnHours: 60 + 80, ObsHours: 80 + 80, Disconnects: 1}},
	{Name: "leading disconnect that is the data start: nothing before it",
		// a's disconnect at 30 is the earliest row: down [30,50), up
		// [50,100); the by-month series starts in October, D0's month
		Events: []Event{off("a", 30), on("a", 50)},
		AsOf:   100, FirstMonth: "2026-10", Want: Want{ConnHours: 50, ObsHours: 70, Disconnects: 1}},
	{Name: "factory test before shipping is not service",
		// connect −500, disconnect −499 at the factory; shipped 20; first
		// connect after shipping 40: service from 40, up to 100
		Devices: []Device{{ID: "a", Shipped: At(20)}},
		Events:  []Event{on("a", -500), off("a", -499), on("a", 40)},
		AsOf:    100, Want: Want{ConnHours: 60, ObsHours: 60}},
	{Name: "shipped, never connected: never activated, nothing observed",
		// b's first connect is after the window
		Devices: []Device{{ID: "a", Shipped: At(10)}, {ID: "b", Shipped: At(10)}},
		Events:  []Event{on("b", 120)},
		AsOf:    150, Want: Want{Never: 2}},
	{Name: "dormancy crossing the window's start",
		// connect −50, disconnect −10, connect 60; D = 30 h:
		// down [−10,20), dormant [20,60), up [60,100)
		Events: []Event{on("a", -50), off("a", -10), on("a", 60)},
		AsOf:   100, Dormant: 30, Want: Want{ConnHours: 40, ObsHours: 60, Dormant: 1, Disconnects: 1}},
	{Name: "dormancy crossing the window's end",
		// connect 0, disconnect 50 (again at 60: the stretch still starts
		// at 50); D = 30 h: down [50,80), dormant from 80
		Events: []Event{on("a", 0), off("a", 50), off("a", 60)},
		AsOf:   150, Dormant: 30, Want: Want{ConnHours: 50, ObsHours: 80, Dormant: 1, Disconnects: 2}},
	{Name: "dormant_after 0 turns dormancy off",
		Events: []Event{on("a", 0), off("a", 50)},
		AsOf:   150, Want: Want{ConnHours: 50, ObsHours: 100, Disconnects: 1}},
	{Name: "retired device: service ends at retirement",
		// shipped −100, connect −90, retired 40: up [0,40)
		Devices: []Device{{ID: "a", Shipped: At(-100), Retired: At(40)}},
		Events:  []Event{on("a", -90)},
		AsOf:    100, Want: Want{ConnHours: 40, ObsHours: 40, Retired: 1}},
	{Name: "horizon inside the window: time is measured up to the last row",
		// connect 0, disconnect 30, connect 40 (H = 40): up 30 of 40
		Events: []Event{on("a", 0), off("a", 30), on("a", 40)},
		Want:   Want{ConnHours: 30, ObsHours: 40, Disconnects: 1}},
	{Name: "rows after an as-of horizon are ignored",
		// as of 60: the disconnect at 70 is not known yet
		Events: []Event{on("a", 0), off("a", 70)},
		AsOf:   60, Want: Want{ConnHours: 60, ObsHours: 60}},
	{Name: "duplicates without a sequence count once",
		Events: []Event{on("a", 0), on("a", 0), off("a", 50), off("a", 50)},
		AsOf:   100, Want: Want{ConnHours: 50, ObsHours: 100, Dups: 2, Disconnects: 1}},
	{Name: "connect and disconnect at the same instant: the disconnect first",
		// connect 0, disconnect 40 and connect 40, disconnect 80: at 40 the
		// device is connected again; down [80,100)
		Events: []Event{on("a", 0), on("a", 40), off("a", 40), off("a", 80)},
		AsOf:   100, Want: Want{ConnHours: 80, ObsHours: 100, Disconnects: 2}},
	{Name: "duplicates with a sequence: the earliest copy is kept",
		// seq 1 connect at 0 and again (a late copy) at 5; seq 2 disconnect at 50
		Events: []Event{seq(on("a", 5), "1"), seq(on("a", 0), "1"), seq(off("a", 50), "2")},
		AsOf:   100, Want: Want{ConnHours: 50, ObsHours: 100, Dups: 1, Disconnects: 1}},
	{Name: "DUPLICATE_CLIENTID reconnect ordered by versionNumber stays at 100%",
		// v7 connect 0; v8 connect 50; v7 disconnect 50 h + 3 s (the broker
		// closing the old session): ordered v7 C, v7 D, v8 C, the reconnect
		// at its effective time 50 h + 3 s
		Events: []Event{seq(on("a", 0), "7"), seq(on("a", 50), "8"), {Device: "a", At: At(50) + 3e6, Seq: "7"}},
		Reset:  3600e6, AsOf: 100, Want: Want{ConnHours: 100, ObsHours: 100, Disconnects: 1}},
	{Name: "a version that starts over after an hour offline begins a new epoch",
		// v3 connect 0, v3 disconnect 10; 5 h offline, then v0 connect 15
		// and v0 disconnect 60. With epochs: up [0,10), down [10,15), up
		// [15,60), down [60,100). Without them v0 would sort first: service
		// from 15, up [15,60) of [15,100)
		Events: []Event{seq(on("a", 0), "3"), seq(off("a", 10), "3"), seq(on("a", 15), "0"), seq(off("a", 60), "0")},
		Reset:  3600e6, AsOf: 100, Want: Want{ConnHours: 55, ObsHours: 100, Disconnects: 2}},
	{Name: "string sequences order by bytes; effective time never goes back",
		// "0002" disconnect stamped 20 but after "0001" connect at 30:
		// effective 30; down [30,100); 10 h back: one going back
		Events: []Event{seq(off("a", 20), "000000000000000001D4-0002"), seq(on("a", 30), "000000000000000001D4-0001")},
		AsOf:   100, Want: Want{ConnHours: 0, ObsHours: 70, Disconnects: 1, SeqBack: 1}},
	{Name: "same instant in order: file: the row order decides",
		// the rows: connect 0; connect 40 then disconnect 40 (a sensor that
		// came and went within the log's second); connect 60, disconnect
		// 80. In file order: up [0,40), down [40,60), up [60,80), down
		// [80,100). Ordered by time alone (the case above) 40–60 is up.
		Events:    []Event{on("a", 0), on("a", 40), off("a", 40), on("a", 60), off("a", 80)},
		FileOrder: true, AsOf: 100, Want: Want{ConnHours: 60, ObsHours: 100, Disconnects: 2}},
	{Name: "same instant without order: file: the disconnect first",
		// the same rows ordered by time: at 40 disconnect, then connect:
		// up [0,80), down [80,100)
		Events: []Event{on("a", 0), on("a", 40), off("a", 40), on("a", 60), off("a", 80)},
		AsOf:   100, Want: Want{ConnHours: 80, ObsHours: 100, Disconnects: 2}},
	{Name: "a disconnect of an old session ends nothing (EMQX takeover)",
		// session s1 connects at 0; the device connects again as s2 at 30;
		// the broker then closes s1 (disconnect s1 at 31): ignored, the
		// device is on s2 until its disconnect at 70. Up [0,70) of
		// [0,100). Without sessions: up [0,31) and [30..] — 31 + 0 = 31.
		Events: []Event{sess(on("a", 0), "s1"), sess(on("a", 30), "s2"), sess(off("a", 31), "s1"), sess(off("a", 70), "s2")},
		AsOf:   100, Want: Want{ConnHours: 70, ObsHours: 100, Stale: 1, Disconnects: 1}},
	{Name: "a disconnect of the current session ends it",
		// s1 0–20; s2 connects at 50 and disconnects at 90: up [0,20),
		// [50,90)
		Events: []Event{sess(on("a", 0), "s1"), sess(off("a", 20), "s1"), sess(on("a", 50), "s2"), sess(off("a", 90), "s2")},
		AsOf:   100, Want: Want{ConnHours: 60, ObsHours: 100, Disconnects: 2}},

	// Check-in devices (definitions version 3): a connect or an activity
	// row at t makes the device reachable on [t, t + g·P).
	{Name: "check-in device, every check-in on time: 100%",
		// hourly connects 0…99, reach 1.5 h each: reachable [0,100)
		Devices: valve, Profiles: valveProfile, Events: hourly("v", 0, 100, false),
		AsOf: 100, Want: Want{ConnHours: 100, ObsHours: 100}},
	{Name: "check-in device: its disconnects are planned and end nothing",
		// the same with a disconnect 0.01 h after each connect (the valve
		// goes back to sleep): still 100%, 100 planned disconnects
		Devices: valve, Profiles: valveProfile, Events: hourly("v", 0, 100, true),
		AsOf: 100, Want: Want{ConnHours: 100, ObsHours: 100, Planned: 100}},
	{Name: "one missed check-in costs 0.5·P with g = 1.5",
		// no check-in at 50: the one at 49 reaches 50.5, the next is at
		// 51: down [50.5,51), one missed check-in
		Devices: valve, Profiles: valveProfile, Events: hourly("v", 0, 100, false, 50),
		AsOf: 100, Want: Want{ConnHours: 99.5, ObsHours: 100, Missed: 1}},
	{Name: "check-ins by activity rows alone (LoRaWAN uplinks)",
		// every 10 h, g 1.5: uplinks 0,10,20,30 then 60,70,80,90 (40 and
		// 50 missed): down [45,60), ⌈15/10⌉ = 2 missed; H = 100
		Devices: []Device{{ID: "s", Shipped: At(-10), Model: "L"}}, Profiles: map[string]Profile{"L": {Every: 10, Grace: 1.5}},
		Activity: uplinks("s", 0, 10, 20, 30, 60, 70, 80, 90),
		AsOf:     100, Want: Want{ConnHours: 85, ObsHours: 100, Missed: 2}},
	{Name: "check-ins by activity rows, with no events input at all",
		// s as above: 85 of 100, 2 missed. s2 (model L) shipped, no row:
		// never activated. h (no model: always connected) has uplinks at
		// 5 and 50, which observe nothing without events: not observed,
		// and not never activated either (it has no way to start service)
		Devices:  []Device{{ID: "s", Shipped: At(-10), Model: "L"}, {ID: "s2", Shipped: At(-10), Model: "L"}, {ID: "h", Shipped: At(-10)}},
		Profiles: map[string]Profile{"L": {Every: 10, Grace: 1.5}}, NoEvents: true,
		Activity: append(uplinks("s", 0, 10, 20, 30, 60, 70, 80, 90), uplinks("h", 5, 50)...),
		AsOf:     100, Want: Want{ConnHours: 85, ObsHours: 100, Missed: 2, Never: 1}},
	{Name: "a check-in gap longer than D turns dormant",
		// hourly 0…20, nothing until 60, hourly 60…99; D = 10 h: reach
		// ends 21.5, down [21.5,31.5) (10 missed), dormant [31.5,60)
		Devices: valve, Profiles: valveProfile, Events: append(hourly("v", 0, 21, false), hourly("v", 60, 100, false)...),
		AsOf: 100, Dormant: 10, Want: Want{ConnHours: 21.5 + 40, ObsHours: 31.5 + 40, Dormant: 1, Missed: 10}},
	{Name: "check-in device beside an always-connected one",
		// v hourly 0…99 but 50 (99.5 of 100); a always connected: connect
		// 0, disconnect 50 (50 of 100)
		Devices: append([]Device{{ID: "a", Shipped: At(-10)}}, valve...), Profiles: valveProfile,
		Events: append(hourly("v", 0, 100, false, 50), on("a", 0), off("a", 50)),
		AsOf:   100, Want: Want{ConnHours: 99.5 + 50, ObsHours: 200, Missed: 1, Disconnects: 1}},
	// Sparse check-in devices: each missed at least 1/(g + 1) of the
	// check-ins P expects, over at least 10 unreachable stretches.
	{Name: "a device checking in every 3·P: sparse",
		// connects 0, 3, …, 99 (34); each reaches 1.5 h: down
		// [t+1.5, t+3), ⌈1.5⌉ = 2 missed, 33 stretches; [99, 100)
		// connected: 33 × 1.5 + 1 = 50.5 h of 100; 66 × 2.5 ≥ 100
		Devices: valve, Profiles: valveProfile, Events: every("v", 0, 100, 3),
		AsOf: 100, Want: Want{ConnHours: 50.5, ObsHours: 100, Missed: 66, Sparse: 1}},
	{Name: "every 2.5·P misses exactly 1/(g + 1): sparse",
		// connects 0, 2.5, …, 97.5 (40): down [t+1.5, t+2.5) after each,
		// the last's [99, 100) too: 40 stretches, 40 missed; 40 × 2.5 =
		// 100 expected × 1; 40 × 1.5 = 60 h connected
		Devices: valve, Profiles: valveProfile, Events: every("v", 0, 100, 2.5),
		AsOf: 100, Want: Want{ConnHours: 60, ObsHours: 100, Missed: 40, Sparse: 1}},
	{Name: "one long outage is not sparse",
		// hourly 0…39 and 80…99: down [40.5, 80), 40 missed (40% of 100)
		// in one stretch: an outage, not an interval
		Devices: valve, Profiles: valveProfile, Events: append(hourly("v", 0, 40, false), hourly("v", 80, 100, false)...),
		AsOf: 100, Want: Want{ConnHours: 60.5, ObsHours: 100, Missed: 40}},
	// Intermittent always-connected devices: connected less than half
	// of their observed time, in at least 10 pieces after a disconnect.
	{Name: "an always-connected device in ten short sessions: intermittent",
		// connect at 0, 10, …, 90, each disconnected 0.25 h later: 2.5 h
		// of 100 connected, 10 pieces down
		Devices: []Device{{ID: "a", Shipped: At(-10)}}, Events: sessions("a", 0, 100, 10, 0.25),
		AsOf: 100, Want: Want{ConnHours: 2.5, ObsHours: 100, Disconnects: 10, Intermittent: 1}},
	{Name: "five sessions, each disconnect repeated: ten pieces, intermittent",
		// connect at 0, 20, …, 80, disconnect 0.25 h and again 10 h
		// later: down [x+0.25, x+10) and [x+10, x+20), ten pieces after
		// a disconnect; 1.25 h of 100 connected
		Devices: []Device{{ID: "a", Shipped: At(-10)}}, Events: twice(sessions("a", 0, 100, 20, 0.25), 9.75),
		AsOf: 100, Want: Want{ConnHours: 1.25, ObsHours: 100, Disconnects: 10, Intermittent: 1}},
	{Name: "nine short sessions are not intermittent",
		// connect at 0, 11, …, 88: 2.25 h of 100, 9 pieces down
		Devices: []Device{{ID: "a", Shipped: At(-10)}}, Events: sessions("a", 0, 99, 11, 0.25),
		AsOf: 100, Want: Want{ConnHours: 2.25, ObsHours: 100, Disconnects: 9}},
	{Name: "connected half the time in twenty pieces is not intermittent",
		// connect at 0, 5, …, 95, each disconnected 2.5 h later: 50 h of
		// 100, exactly half
		Devices: []Device{{ID: "a", Shipped: At(-10)}}, Events: sessions("a", 0, 100, 5, 2.5),
		AsOf: 100, Want: Want{ConnHours: 50, ObsHours: 100, Disconnects: 20}},
	{Name: "an unmapped model value: always connected, counted",
		// model DV-999 names no profile: connect 0, disconnect 50 read as
		// an always-connected device's
		Devices: []Device{{ID: "x", Shipped: At(-10), Model: "DV-999"}}, Profiles: valveProfile,
		Events: []Event{on("x", 0), off("x", 50)},
		AsOf:   100, Want: Want{ConnHours: 50, ObsHours: 100, Unknown: 1, Disconnects: 1}},
}
