package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

const checkinDevices = `devices:
  - id: valve
    battery: {cell: cr2032}
    sleep: 1uA
    events:
      - {name: check-in, feature: connectivity, every: 1h, duration: 1s, current: 10mA}
    checkin: {event: check-in}
`

// A repo whose devices check in, end to end: the model column names the
// profile (directly or through metrics.models), an unknown value is
// always connected and warned about. Window [00:00, 10:00) on 1 October,
// H = 10:00:
//   - v1 (V-1 → valve, hourly, g 1.5): check-ins 0…9 but 5: down
//     [5.5, 6): 9.5 h of 10, one missed check-in;
//   - v2 (valve): check-ins at 0 and 9: reachable [0, 1.5) and [9, 10):
//     2.5 h of 10, ⌈7.5⌉ = 8 missed;
//   - x1 (X-9, no profile: always connected): connect 0, disconnect 5:
//     5 h of 10;
//   - a1 (no model): connect 0: 10 h of 10.
//
// Fleet 27/40; check-in 12/20, 9 missed; always 15/20.
func TestCheckinDevicesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices)
	cmdtest.WriteFile(t, dir, "iotpm.yaml", `metrics:
  from: 2026-10-01T00:00:00Z
  to: 2026-10-01T10:00:00Z
  as_of: 2026-10-01T10:00:00Z
  inputs: {devices: devices.csv, events: events.csv}
  models: {V-1: valve}
`)
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,model\nv1,2026-09-01,V-1\nv2,2026-09-01,valve\nx1,2026-09-01,X-9\na1,2026-09-01,\n")
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	for h := range 10 {
		if h != 5 {
			fmt.Fprintf(&ev, "v1,2026-10-01T%02d:00:00Z,connected\nv1,2026-10-01T%02d:00:01Z,disconnected\n", h, h)
		}
	}
	ev.WriteString("v2,2026-10-01T00:00:00Z,connected\nv2,2026-10-01T09:00:00Z,connected\n")
	ev.WriteString("x1,2026-10-01T00:00:00Z,connected\nx1,2026-10-01T05:00:00Z,disconnected\na1,2026-10-01T00:00:00Z,connected\n")
	cmdtest.WriteFile(t, dir, "events.csv", ev.String())

	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Uptime fleetmetrics.Uptime          `json:"connectivity_uptime"`
		Rows   map[string]fleetmetrics.Rows `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("fleet", doc.Uptime.Value, 27.0/40)
	near("check-in", doc.Uptime.ByMode["checkin"].Value, 12.0/20)
	near("always", doc.Uptime.ByMode["always"].Value, 15.0/20)
	if c := doc.Uptime.ByMode["checkin"]; c.MissedCheckins != 9 || c.Devices != 2 {
		t.Errorf("check-in mode %+v", c)
	}
	if len(doc.Uptime.ByModel) != 1 || doc.Uptime.ByModel[0].Model != "valve" || doc.Uptime.ByModel[0].Mode != "checkin" {
		t.Errorf("by model %+v", doc.Uptime.ByModel)
	}
	if doc.Rows["events"].PlannedDisconnects != 9 || doc.Rows["devices"].UnknownModels != 1 || doc.Rows["devices"].NoModel != 1 {
		t.Errorf("rows: planned %d, unknown models %d, no model %d", doc.Rows["events"].PlannedDisconnects, doc.Rows["devices"].UnknownModels, doc.Rows["devices"].NoModel)
	}
	if !strings.Contains(stderr, `1 device has a model value that names no devices.yaml profile ("X-9"): they count as always connected; map them in iotpm.yaml, metrics.models: {X-9: PROFILE}, PROFILE one of valve`) {
		t.Errorf("warning:\n%s", stderr)
	}
	// a1 has no model value, and valve sleeps by design: which a1 is, the
	// data does not say; the run says so until iotpm.yaml does
	noModel := "1 device has no model value: they count as always connected (down whenever disconnected), while devices.yaml has profiles that sleep by design (valve)"
	if !strings.Contains(stderr, noModel) {
		t.Errorf("no warning of the device without a model:\n%s", stderr)
	}
	cmdtest.EditFile(t, dir+"/iotpm.yaml", "  models: {V-1: valve}\n", "  models: {V-1: valve}\n  unmodelled: always\n")
	if _, stderr, _ = cmdtest.Run(t, nil, "metrics", "-C", dir); strings.Contains(stderr, "no model value") {
		t.Errorf("unmodelled: always still warns:\n%s", stderr)
	}
	// unmodelled: valve makes a1 a valve, as a model column saying so
	// would: one check-in at 0, reachable [0, 1.5), 8.5 h down and ⌈8.5⌉ = 9
	// missed. Fleet 18.5/40; check-in 13.5/30, 18 missed; always 5/10.
	cmdtest.EditFile(t, dir+"/iotpm.yaml", "  unmodelled: always\n", "  unmodelled: valve\n")
	stdout, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if code != 0 || strings.Contains(stderr, "no model value") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc.Uptime, doc.Rows = fleetmetrics.Uptime{}, nil
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	near("unmodelled: valve, fleet", doc.Uptime.Value, 18.5/40)
	near("unmodelled: valve, check-in", doc.Uptime.ByMode["checkin"].Value, 13.5/30)
	near("unmodelled: valve, always", doc.Uptime.ByMode["always"].Value, 5.0/10)
	if c := doc.Uptime.ByMode["checkin"]; c.MissedCheckins != 18 || c.Devices != 3 || doc.Rows["devices"].NoModel != 0 {
		t.Errorf("unmodelled: valve: check-in mode %+v, no model %d", c, doc.Rows["devices"].NoModel)
	}
	cmdtest.EditFile(t, dir+"/iotpm.yaml", "  unmodelled: valve\n", "  unmodelled: valv\n")
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `iotpm.yaml:7:15: metrics.unmodelled: "valv" is no device of`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
	cmdtest.EditFile(t, dir+"/iotpm.yaml", "  unmodelled: valv\n", "")

	// a mapping to no profile: refused at its line, with a suggestion
	cmdtest.EditFile(t, dir+"/iotpm.yaml", "{V-1: valve}", "{V-1: valv}")
	_, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `iotpm.yaml:6:17: metrics.models.V-1: "valv" is no device of`) || !strings.Contains(stderr, `did you mean "valve"?`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// A profile whose interval is shorter than the devices' in the field is
// warned of: uptime counts every check-in the interval expects and the
// data lacks as down time. Profile valve: every 1h, g 1.5; window 30 h,
// [2026-10-01T00, 2026-10-02T06), H its end; one device, first check-in
// at 0 (observed 30 h, 30 check-ins expected). Warned when the missed
// ones are at least 1/(g+1) = 40% of those expected, the least any
// regular interval longer than g·P misses:
//   - every 3 h (0, 3, …, 27): each gap reachable 1.5 h, down 1.5 h,
//     ⌈1.5⌉ = 2 missed, 10 gaps: 20 missed of 30 (67%): warned;
//   - every 2 h (0, 2, …, 28): down 0.5 h a gap, 1 missed, 15 gaps: 15 of
//     30 (50%), uptime 75%: warned (it was not, at more than half);
//   - every 2.5 h (0, 2.5, …, 27.5): down 1 h a gap, 1 missed, 11 gaps and
//     the stretch from 29 h to the end: 12 of 30, exactly 40%: warned;
//   - every hour but every third (2, 5, …, 29) lost: each loss leaves
//     0.5 h down, 1 missed: 10 of 30 (33%): not warned (a fleet that
//     loses some check-ins is what uptime measures).
func TestCheckinIntervalShorterThanTheFieldIsWarned(t *testing.T) {
	for _, c := range []struct {
		name   string
		every  int // minutes
		lost   func(minute int) bool
		missed int
		warned bool
	}{
		{"every 3h", 180, nil, 20, true},
		{"every 2h", 120, nil, 15, true},
		{"every 2.5h", 150, nil, 12, true},
		{"every 1h, a third lost", 60, func(m int) bool { return m/60%3 == 2 }, 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\n")
			for m := 0; m < 30*60; m += c.every {
				if c.lost == nil || !c.lost(m) {
					fmt.Fprintf(&ev, "v1,%s,connected\n", time.Date(2026, 10, 1, 0, m, 0, 0, time.UTC).Format(time.RFC3339))
				}
			}
			dir := valveRepo(t, "v1", ev.String())
			stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc struct {
				Uptime fleetmetrics.Uptime `json:"connectivity_uptime"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatal(err)
			}
			if m := doc.Uptime.ByMode["checkin"]; m.MissedCheckins != c.missed || m.ObservedHours != 30 {
				t.Fatalf("check-in mode %+v, want %d missed over 30 h", m, c.missed)
			}
			warning := fmt.Sprintf("valve: its devices missed %d of the 30 check-ins its interval in devices.yaml (every 1h) expects over their observed time (%.0f%%)", c.missed, math.Round(100*float64(c.missed)/30))
			if strings.Contains(stderr, warning) != c.warned || c.warned && !strings.Contains(stderr, "set the profile's checkin: {every: ...} to the field's interval") {
				t.Errorf("warned %v, want %v:\n%s", !c.warned, c.warned, stderr)
			}
		})
	}
}

// A customer whose health band a sparse device decides is warned of: over
// the same 30 h, customer a has v1 (hourly, 30 of 30 h) and v2 (every 3
// h, 15 of 30 h: sparse), customer b v3 and v4 (hourly). a's uptime is 45
// of 60 h (75%: score 0, red, uptime its only component), 100% without
// v2 (100, green); b is green either way. Customer c has v5 alone, every
// 3 h like v2 (50%: red): without it c has no observed time, so no
// score, and the run says its band rests on v5 alone.
func TestCustomerBandSparseWarned(t *testing.T) {
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	at := func(h int) string { return time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	for h := range 30 {
		for _, id := range []string{"v1", "v3", "v4"} {
			fmt.Fprintf(&ev, "%s,%s,connected\n", id, at(h))
		}
		if h%3 == 0 {
			fmt.Fprintf(&ev, "v2,%s,connected\nv5,%s,connected\n", at(h), at(h))
		}
	}
	dir := valveRepo(t, "", ev.String())
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,model,customer_id\nv1,2026-09-01,valve,a\nv2,2026-09-01,valve,a\nv3,2026-09-01,valve,b\nv4,2026-09-01,valve,b\nv5,2026-09-01,valve,c\n")
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `warning: customer health: the band of 2 customers is decided by devices that check in less often than their devices.yaml profile says, or that are counted as always connected but connect only briefly: "a" is red (0), green (100) without 1 such device ("v2"); "c" is red (0) on 1 such device alone ("v5"), unscored without it; give those devices their profile`
	if !strings.Contains(stderr, want) {
		t.Errorf("want %q, got:\n%s", want, stderr)
	}
}

// A sparse device reachable under a tenth of its time, whose check-ins
// are connection events, may hold its connection instead (a hub): the
// warning says so. Ten days, hourly valve profile: v1, v2, v3 check in
// every hour (240 of 240 h each); the hub connects each day at 00:00 and
// disconnects at 23:00: reachable 1.5 h of each 24, 15 of 240 h (6.25%),
// 10 stretches, 23 missed in each: 230 of the profile's 960 expected
// (24%, not warned as a whole); the profile 735 of 960 h.
func TestSparseHeldConnectionHint(t *testing.T) {
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for h := range 240 {
		for _, id := range []string{"v1", "v2", "v3"} {
			fmt.Fprintf(&ev, "%s,%s,connected\n", id, start.Add(time.Duration(h)*time.Hour).Format(time.RFC3339))
		}
		if h%24 == 0 {
			fmt.Fprintf(&ev, "hub,%s,connected\nhub,%s,disconnected\n", start.Add(time.Duration(h)*time.Hour).Format(time.RFC3339), start.Add(time.Duration(h+23)*time.Hour).Format(time.RFC3339))
		}
	}
	dir := valveRepo(t, "v1 v2 v3 hub", ev.String())
	cmdtest.WriteFile(t, dir, "iotpm.yaml", `metrics:
  from: 2026-10-01T00:00:00Z
  to: 2026-10-11T00:00:00Z
  as_of: 2026-10-11T00:00:00Z
  inputs: {devices: devices.csv, events: events.csv}
`)
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `valve: 1 of its 4 devices (e.g. "hub") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches, and uptime counts it down between its check-ins (its uptime 6.25%; the profile's 76.56%, 100% without them)`
	hint := "; if instead it holds a connection between its events (a connect, then a disconnect hours or days later: a hub, a device on mains), it does not check in: give it a profile without checkin:"
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, hint) {
		t.Errorf("want the warning %q with the hint, got:\n%s", want, stderr)
	}
}

// Devices counted as always connected that each connect only briefly are
// warned of when the mode as a whole is not: over the same 30 h, a1 (no
// model value: always connected) connects at 0 and stays (30 of 30 h);
// a2 connects each hour for 15 minutes: 7.5 of 30 h, 30 pieces after a
// disconnect. Always connected: 37.5 of 60 h (62.5%, over half: not
// warned as a whole), 100% without a2: warned. With a2 in sessions of 45
// minutes (22.5 of 30 h, more than half) nothing is.
func TestIntermittentAlwaysConnectedWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		session int // minutes
		warning string
	}{
		{"15-minute sessions", 15, `1 of the 2 devices counted as always connected (e.g. "a2") was connected less than half of its observed time, in 10 or more pieces after a disconnect (its uptime 25%; always connected: 62.5%, 100% without them): a device that sleeps by design and connects to report reads so`},
		{"45-minute sessions", 45, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\na1,2026-10-01T00:00:00Z,connected\n")
			for h := range 30 {
				at := time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC)
				fmt.Fprintf(&ev, "a2,%s,connected\na2,%s,disconnected\n", at.Format(time.RFC3339), at.Add(time.Duration(c.session)*time.Minute).Format(time.RFC3339))
			}
			alwaysWarning(t, ev.String(), "", "counted as always connected (e.g.", c.warning)
		})
	}
}

// alwaysWarning runs metrics on events of a1 and a2, devices without a
// model value (always connected), in valveRepo (its iotpm.yaml replaced
// when iotpmYAML is not ""), and wants the warning with marker in the
// words want ("": no warning with marker).
func alwaysWarning(t *testing.T, events, iotpmYAML, marker, want string) {
	t.Helper()
	dir := valveRepo(t, "", events)
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,model\na1,2026-09-01,\na2,2026-09-01,\n")
	if iotpmYAML != "" {
		cmdtest.WriteFile(t, dir, "iotpm.yaml", iotpmYAML)
	}
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	warned := strings.Contains(stderr, marker)
	if want == "" && warned || want != "" && !strings.Contains(stderr, want) {
		t.Errorf("want the warning %q, got:\n%s", want, stderr)
	}
}

// Devices counted as always connected that are disconnected at one time
// of day, day after day, are warned of: over [Oct 1, Oct 15), H at its
// end, a1 (no model value) connects at Oct 1 00:00 and stays (336 h); a2
// connects at 06:00 and disconnects at 22:00 each day given: in service
// from Oct 1 06:00 (330 h), down 8 h from 22:00 each night, the last 2 h
// to the window's end.
//   - every day: 14 stretches over 15 min, all beginning at 22:00, 106 h
//     (7h 34m on average); connected 224 of 330 h (67.88%, over half: not
//     intermittent); always connected 560 of 666 h (84.08%), 100% without
//     a2: warned;
//   - every day but Oct 7 (connected through that night): 13 such
//     stretches: not warned.
func TestAlwaysConnectedDailyDownWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		skip    int // a day connected through its night (0: none)
		warning string
	}{
		{"every night", 0, `1 of the 2 devices counted as always connected (e.g. "a2") was disconnected at one time of day, day after day: 14 or more stretches over 15m, 7h 34m on average, that begin around 22:00 UTC (its uptime 67.88%; always connected: 84.08%, 100% without them)`},
		{"13 nights", 7, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\na1,2026-10-01T00:00:00Z,connected\n")
			for d := 1; d < 15; d++ {
				fmt.Fprintf(&ev, "a2,%s,connected\n", time.Date(2026, 10, d, 6, 0, 0, 0, time.UTC).Format(time.RFC3339))
				if d != c.skip {
					fmt.Fprintf(&ev, "a2,%s,disconnected\n", time.Date(2026, 10, d, 22, 0, 0, 0, time.UTC).Format(time.RFC3339))
				}
			}
			alwaysWarning(t, ev.String(), "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n",
				"at one time of day, day after day: ", c.warning)
		})
	}
}

// Devices counted as always connected that connect only briefly since a
// change late in the window are warned of over its recent part: over
// [Oct 1, Oct 15), H at its end, a1 (no model value) connects at Oct 1
// 00:00 and stays (336 h); a2 too, until it drops each hour from the day
// given: connected the first 15 minutes of each hour, 45 minutes down.
//   - from Oct 8, the recent part's start: 42 of its 168 h connected, in
//     168 pieces (25%: intermittent over the last 7 days); over the
//     window 210 of 336 h (62.5%, not); always connected 546 of 672 h
//     (81.25%), 100% without a2: warned, saying it is the last 7 days;
//   - from Oct 12: 96 + 18 of 168 h over the last 7 days (67.9%): not.
func TestIntermittentSinceAChangeWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		from    int // the day a2 starts dropping
		warning string
	}{
		{"from Oct 8", 8, `1 of the 2 devices counted as always connected (e.g. "a2") was connected less than half of its observed time, in 10 or more pieces after a disconnect (its uptime 62.5%; always connected: 81.25%, 100% without them)`},
		{"from Oct 12", 12, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\na1,2026-10-01T00:00:00Z,connected\na2,2026-10-01T00:00:00Z,connected\n")
			for at := time.Date(2026, 10, c.from, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
				fmt.Fprintf(&ev, "a2,%s,disconnected\n", at.Add(15*time.Minute).Format(time.RFC3339))
				if next := at.Add(time.Hour); next.Before(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)) {
					fmt.Fprintf(&ev, "a2,%s,connected\n", next.Format(time.RFC3339))
				}
			}
			want := c.warning
			if want != "" {
				want += ": a device that sleeps by design and connects to report reads so: give such devices their check-in profile in the devices input's model column (a devices.yaml profile with checkin:, or a value metrics.models maps to one); if it was meant to stay connected, it was down that much; it was so over the window's last 7 days of data alone (2026-10-08 to 2026-10-15), not over all of it"
			}
			alwaysWarning(t, ev.String(), "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n",
				"counted as always connected (e.g.", want)
		})
	}
}

// Devices counted as always connected that connected only briefly until
// a change early in the window are warned of over its early part (the
// first half of its data): over [Oct 1, Oct 15), H at its end, a1 (no
// model value) connects at Oct 1 00:00 and stays (336 h); a2 too, but
// drops each hour until the day given, connected the first 15 minutes of
// each hour, and stays connected from then.
//   - until Oct 8, the early part's end: 42 of its 168 h connected, in
//     168 pieces (25%: intermittent over the first half); over the
//     window 210 of 336 h (62.5%, not), over its last 7 days 100%;
//     always connected 546 of 672 h (81.25%), 100% without a2: warned,
//     saying it is the first half;
//   - until Oct 4: 18 + 96 of the first half's 168 h (67.9%): not.
func TestIntermittentUntilAChangeWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		until   int // the day a2 stops dropping
		warning string
	}{
		{"until Oct 8", 8, `1 of the 2 devices counted as always connected (e.g. "a2") was connected less than half of its observed time, in 10 or more pieces after a disconnect (its uptime 62.5%; always connected: 81.25%, 100% without them): a device that sleeps by design and connects to report reads so: give such devices their check-in profile in the devices input's model column (a devices.yaml profile with checkin:, or a value metrics.models maps to one); if it was meant to stay connected, it was down that much; it was so over the window's first half of data alone (2026-10-01 to 2026-10-08), not over all of it nor its last 7 days: a change inside the window, as a firmware release that stopped the drops, or a network that got better`},
		{"until Oct 4", 4, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\na1,2026-10-01T00:00:00Z,connected\na2,2026-10-01T00:00:00Z,connected\n")
			for at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 10, c.until, 0, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
				fmt.Fprintf(&ev, "a2,%s,disconnected\na2,%s,connected\n", at.Add(15*time.Minute).Format(time.RFC3339), at.Add(time.Hour).Format(time.RFC3339))
			}
			alwaysWarning(t, ev.String(), "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n",
				"counted as always connected (e.g.", c.warning)
		})
	}
}

// valveRepo writes a repo of the hourly valve profile (checkinDevices)
// whose devices input lists ids (space-separated, shipped 2026-09-01) and
// whose events are events, over [Oct 1 00:00, Oct 2 06:00), H at its end.
func valveRepo(t *testing.T, ids, events string) string {
	t.Helper()
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices)
	cmdtest.WriteFile(t, dir, "iotpm.yaml", `metrics:
  from: 2026-10-01T00:00:00Z
  to: 2026-10-02T06:00:00Z
  as_of: 2026-10-02T06:00:00Z
  inputs: {devices: devices.csv, events: events.csv}
`)
	devices := "device_id,shipped_at,model\n"
	for id := range strings.FieldsSeq(ids) {
		devices += id + ",2026-09-01,valve\n"
	}
	cmdtest.WriteFile(t, dir, "devices.csv", devices)
	cmdtest.WriteFile(t, dir, "events.csv", events)
	return dir
}

// A model value that a name of iotpm.yaml or devices.yaml matches but for
// letter case is no profile (values match exactly), and the warning says
// which name it nearly is and what to write: a "dl-200" key beside the
// export's "DL-200", a "Drip-Valve" beside the profile drip-valve.
func TestModelValueCaseOnly(t *testing.T) {
	for _, c := range []struct {
		name, file, old, new, want string
	}{
		{"models key", "iotpm.yaml", "models: {DL-200: drip-lora}", "models: {dl-200: drip-lora}",
			`6 devices have a model value that names no devices.yaml profile ("DL-200"): they count as always connected; the export writes "DL-200" where iotpm.yaml or devices.yaml names "dl-200": model values match exactly, letter case too; map it in iotpm.yaml, metrics.models: {DL-200: drip-lora}`},
		{"profile id", "exports/devices.csv", ",drip-valve,", ",Drip-Valve,",
			`6 devices have a model value that names no devices.yaml profile ("Drip-Valve"): they count as always connected; the export writes "Drip-Valve" where iotpm.yaml or devices.yaml names "drip-valve": model values match exactly, letter case too; map it in iotpm.yaml, metrics.models: {Drip-Valve: drip-valve}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := cmdtest.CopyExample(t)
			path := filepath.Join(dir, c.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.ReplaceAll(string(data), c.old, c.new)
			if edited == string(data) {
				t.Fatalf("%s has no %q", c.file, c.old)
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
			// the valves counted as always connected fail the gate: exit 1
			if code > cmdutil.ExitGate || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want the warning %s\n%s", code, c.want, stderr)
			}
		})
	}
}

// Devices of a check-in profile that each check in less often than its
// interval are warned of when the profile as a whole is not: the hourly
// valve profile (g 1.5) over [Oct 1 00:00, Oct 2 06:00), 30 h, H at its
// end; v1 checks in every hour (30 of 30 h). v2:
//   - every 3 h (0, 3, …, 27): reachable 1.5 h of each 3, down 1.5 h
//     after each: 10 stretches, 2 missed each, 20 of 30 expected (≥ 40%):
//     sparse, 15 of 30 h; the profile 45 of 60 h (75%), 20 of 60 missed
//     (33%, not warned as a whole), 100% without v2: warned;
//   - hourly but none in hours 10…21: down [10.5, 22), 12 missed of
//     30 (40%) in one stretch: an outage, not warned;
//   - every 4 h (0, 4, …, 28): down [t+1.5, t+4), 3 missed each, and
//     [29.5, 30), 1: 22 of 30 missed, but in 8 stretches: too few for
//     an interval (the profile: 22 of 60, not warned either).
func TestSparseCheckinDevicesWarned(t *testing.T) {
	hours := func(from, to, step int, skip func(int) bool) []int {
		var out []int
		for h := from; h < to; h += step {
			if skip == nil || !skip(h) {
				out = append(out, h)
			}
		}
		return out
	}
	for _, c := range []struct {
		name    string
		v2      []int
		warning string
	}{
		{"every 3h", hours(0, 30, 3, nil), `valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches, and uptime counts it down between its check-ins (its uptime 50%; the profile's 75%, 100% without them)`},
		{"an outage", hours(0, 30, 1, func(h int) bool { return h >= 10 && h < 22 }), ""},
		{"every 4h", hours(0, 30, 4, nil), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			at := func(hs []int) []time.Time {
				var out []time.Time
				for _, h := range hs {
					out = append(out, time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC))
				}
				return out
			}
			wantSparseWarning(t, at(hours(0, 30, 1, nil)), at(c.v2), "", c.warning)
		})
	}
}

// The run's warnings are in its JSON and YAML as problems as well as on
// stderr, every one at its file: a pipeline that keeps the output and not
// the log keeps what its numbers are to be read with: the data's
// warnings (the case above: the profile's sparse devices, the customer
// they decide), and the config's, at its line and column (a month: the
// data has moved past).
func TestWarningsInStructuredOutput(t *testing.T) {
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	at := func(h int) string { return time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	for h := range 30 {
		fmt.Fprintf(&ev, "v1,%s,connected\n", at(h))
		if h%3 == 0 {
			fmt.Fprintf(&ev, "v2,%s,connected\n", at(h))
		}
	}
	for _, c := range []struct {
		name, window string
		want         []string
	}{
		{"data", "from: 2026-10-01T00:00:00Z\n  to: 2026-10-02T06:00:00Z\n  as_of: 2026-10-02T06:00:00Z", []string{"customer health: the band of 1 customer", `valve: 1 of its 2 devices (e.g. "v2")`}},
		{"config", "month: 2026-08", []string{"iotpm.yaml:3:3: warning: metrics.month 2026-08: the data reaches 2026-10-02T05:00:00Z"}},
	} {
		dir := valveRepo(t, "", ev.String())
		cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,model,customer_id\nv1,2026-09-01,valve,a\nv2,2026-09-01,valve,a\n")
		cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  "+c.window+"\n  inputs: {devices: devices.csv, events: events.csv}\n")
		for _, format := range []string{"json", "yaml"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", format)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got, printed := cmdtest.Problems(t, stdout), cmdtest.Warnings(stderr)
				if !slices.Equal(got, printed) {
					t.Errorf("problems:\n%s\nwant stderr's warnings:\n%s", strings.Join(got, "\n"), strings.Join(printed, "\n"))
				}
				for _, w := range c.want {
					if !strings.Contains(strings.Join(got, "\n"), w) {
						t.Errorf("no %q in the problems:\n%s", w, strings.Join(got, "\n"))
					}
				}
			})
		}
	}
}

// When the profile as a whole missed enough check-ins to be warned of and
// some of its devices, not all, are sparse, the warning names them: the
// profile's interval may be right for the others. Over the same 30 h
// (hourly valve profile, reach 1.5 h): v1 and v2 hourly but for a hole
// from 10:00 to 21:00 (reachable 18.5 h, 12 missed, one stretch each); v3
// and v4 every 3 h (15 h, 20 missed in 10 stretches: sparse). The profile
// missed 64 of 120 (53%) and reads 67 of 120 h, 55.83%; 37 of 60 h,
// 61.67%, without v3 and v4.
func TestProfileWarningNamesSparseDevices(t *testing.T) {
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	at := func(h int) string { return time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	for h := range 30 {
		if h < 10 || h > 21 {
			fmt.Fprintf(&ev, "v1,%s,connected\nv2,%s,connected\n", at(h), at(h))
		}
		if h%3 == 0 {
			fmt.Fprintf(&ev, "v3,%s,connected\nv4,%s,connected\n", at(h), at(h))
		}
	}
	dir := valveRepo(t, "v1 v2 v3 v4", ev.String())
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"valve: its devices missed 64 of the 120 check-ins its interval in devices.yaml (every 1h) expects over their observed time (53%)",
		`; 2 of its 4 devices (e.g. "v3") each missed at least that share in 10 or more unreachable stretches (their uptime 50%; the profile's 55.83%, 61.67% without them): if only they check in less often, give them a model of their own whose profile has their interval, and keep this one`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
}

// A heartbeat that changed inside the window is warned of over the last 7
// days of the window that the data reaches: the hourly valve profile (g
// 1.5, reach 1.5 h) over [Oct 1, Oct 15), H at its end; v1 checks in
// every hour (336 of 336 h). v2 every hour, then every 3 h from the day
// given:
//   - from Oct 8 00:00, the recent part's start: 56 check-ins there, each
//     reachable 1.5 h and down 1.5 h (2 missed), 112 of 168 expected
//     (67% ≥ 40%: sparse over the last 7 days); over the window 112 of
//     336 (33%, not sparse), 252 of 336 h (75%); the profile 588 of
//     672 h (87.5%), 112 of 672 missed (17%, not warned as a whole),
//     100% without v2: warned, saying it is the last 7 days;
//   - the same in the month in progress, [Oct 1, Nov 1) with H on Oct 15:
//     the recent part is the 7 days before H, not the month's last 7
//     days (after H, no data): the same warning;
//   - from Oct 12 00:00: 24 stretches and 48 missed of the last 7 days'
//     168 (29%): not warned, nor over the window (48 of 336);
//   - hourly but none from Oct 9 00:00 to Oct 10 12:00: down 34.5 h, 35
//     missed in one stretch: an outage, not warned.
func TestSparseSinceAChangeWarned(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	from, to := day(1, 0), day(15, 0)
	hourly := func(skip func(time.Time) bool) []time.Time {
		var out []time.Time
		for at := from; at.Before(to); at = at.Add(time.Hour) {
			if skip == nil || !skip(at) {
				out = append(out, at)
			}
		}
		return out
	}
	every3hFrom := func(change time.Time) []time.Time {
		return hourly(func(at time.Time) bool { return !at.Before(change) && at.Hour()%3 != 0 })
	}
	const warning = `valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches over the window's last 7 days of data (2026-10-08 to 2026-10-15; not over all of it: an interval that changed inside the window, as a firmware rollout changes it, or losses that grew), and uptime counts it down between its check-ins (its uptime 75%; the profile's 87.5%, 100% without them)`
	for _, c := range []struct {
		name, to string
		v2       []time.Time
		warning  string
	}{
		{"every 3h from Oct 8", "2026-10-15", every3hFrom(day(8, 0)), warning},
		{"every 3h from Oct 8, the month in progress", "2026-11-01", every3hFrom(day(8, 0)), warning},
		{"every 3h from Oct 12", "2026-10-15", every3hFrom(day(12, 0)), ""},
		{"an outage", "2026-10-15", hourly(func(at time.Time) bool { return !at.Before(day(9, 0)) && at.Before(day(10, 12)) }), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantSparseWarning(t, hourly(nil), c.v2, "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: "+c.to+"T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n", c.warning)
		})
	}
}

// A heartbeat shortened to the profile's inside the window is warned of
// over the window's early part, the first half of its data: the hourly
// valve profile (g 1.5, reach 1.5 h) over [Oct 1, Oct 15), H at its end;
// v1 checks in every hour (336 of 336 h). v2 every 3 h until the day
// given, then every hour:
//   - until Oct 8 00:00, the early part's end: 56 check-ins there, each
//     reachable 1.5 h and down 1.5 h (2 missed), 112 of 168 expected
//     (67% ≥ 40%: sparse over the first half; its stretches begin at
//     01:30, 04:30 … every 3 h: not down daily); over the window 112 of
//     336 (33%), over its last 7 days none: v2 252 of 336 h (75%), the
//     profile 588 of 672 h (87.5%), 100% without v2: warned, saying it
//     is the first half, with the advice of a window from the change;
//   - the same in the month in progress, [Oct 1, Nov 1) with H on Oct
//     15: the first half of the data is [Oct 1, Oct 8) still;
//   - until Oct 4 00:00: 48 missed of the first half's 168 (29%): not.
func TestSparseUntilAChangeWarned(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	const warning = `valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches over the window's first half of data (2026-10-01 to 2026-10-08; not over all of it nor its last 7 days: an interval that changed to every 1h inside the window, as a firmware rollout changes it, or losses that fell), and uptime counts it down between its check-ins (its uptime 75%; the profile's 87.5%, 100% without them): if its interval changed to every 1h, the window's days before the change measure the old one against it: take a window from the change on (--from, metrics.from); if it does check in every 1h, it lost that many check-ins (coverage, a gateway)`
	for _, c := range []struct {
		name, to string
		v2       []time.Time
		warning  string
	}{
		{"every 3h until Oct 8", "2026-10-15", every3hUntil(day(8)), warning},
		{"every 3h until Oct 8, the month in progress", "2026-11-01", every3hUntil(day(8)), warning},
		{"every 3h until Oct 4", "2026-10-15", every3hUntil(day(4)), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantSparseWarning(t, every3hUntil(day(1)), c.v2, "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: "+c.to+"T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n", c.warning)
		})
	}
}

// every3hUntil is a valve's check-ins over [Oct 1, Oct 15): every 3 h
// (at 00:00, 03:00 …) until change, every hour from then.
func every3hUntil(change time.Time) []time.Time {
	var out []time.Time
	for at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
		if !at.Before(change) || at.Hour()%3 == 0 {
			out = append(out, at)
		}
	}
	return out
}

// A whole profile whose interval changed to P inside the window misses
// 1/(g+1) of its check-ins over the window and few over its last 7 days:
// the warning says so, rather than only advise the field's interval. The
// hourly valve profile (g 1.5, reach 1.5 h) over [Oct 1, Oct 15), 336 h,
// H at its end; v1 and v2 each check in every 3 h until the day given,
// then every hour:
//   - until Oct 10: 72 check-ins every 3 h, 2 missed after each, 144 of
//     336 each, 288 of 672 (42.9% ≥ 40%: the profile warned of); over
//     the last 7 days [Oct 8, Oct 15) 16 check-ins every 3 h, 32 missed
//     each, 64 of 336 (19%: under 40% and half of 42.9%): said;
//   - until Oct 14: 208 missed each, 416 of 672 (62%); over the last 7
//     days 96 each, 192 of 336 (57%): not said.
func TestProfileChangedToItsIntervalWarned(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		name, want string
		until      int
	}{
		{"until Oct 10", `valve: its devices missed 288 of the 672 check-ins its interval in devices.yaml (every 1h) expects over their observed time (43%), and uptime counts each as down time: if the firmware in the field checks in less often than that, set the profile's checkin: {every: ...} to the field's interval (a planned interval belongs in a variant with feature:); any interval in the field longer than 1.5 × 1h (the grace) misses at least 40% of them; if it does check in every 1h, the devices missed that many of their check-ins; over the window's last 7 days of data (2026-10-08 to 2026-10-15) they missed only 64 of the 336 expected (19%): if their interval changed to every 1h inside the window (a firmware rollout), it is the field's now, and the days before the change measure the old one against it: take a window from the change on (--from, metrics.from) rather than another interval`, 10},
		{"until Oct 14", "", 14},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\n")
			for _, id := range []string{"v1", "v2"} {
				for _, at := range every3hUntil(day(c.until)) {
					fmt.Fprintf(&ev, "%s,%s,connected\n", id, at.Format(time.RFC3339))
				}
			}
			dir := valveRepo(t, "v1 v2", ev.String())
			cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n")
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "valve: its devices missed") {
				t.Fatalf("the profile is not warned of:\n%s", stderr)
			}
			if said := strings.Contains(stderr, "they missed only"); c.want == "" && said || c.want != "" && !strings.Contains(stderr, c.want) {
				t.Errorf("want %q, got:\n%s", c.want, stderr)
			}
		})
	}
}

// A device sparse over the window whose interval changed to P inside it
// misses few over the window's last 7 days, and the warning says so: the
// hourly valve profile over [Oct 1, Oct 15), H at its end; v1 hourly, v2
// every 3 h until the day given, then every hour:
//   - until Oct 10: 144 of 336 missed (42.9%, in 72 stretches: sparse),
//     32 of the last 7 days' 168 (19%: under 40% and half of 42.9%):
//     settled; v2 228 of 336 h (67.86%), the profile 564 of 672 h
//     (83.93%; 21% missed, not warned as a whole), 100% without v2;
//   - until Oct 14: 208 of 336 missed (61.9%), 96 of the last 7 days'
//     168 (57%): not settled, the advice of another interval; v2 180 of
//     336 h (53.57%), the profile 516 of 672 h (76.79%).
func TestSparseSettledWarned(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	const yaml = "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n"
	wantSparseWarning(t, every3hUntil(day(1)), every3hUntil(day(10)), yaml, `valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches over the window, not over its last 7 days of data (2026-10-08 to 2026-10-15), where it missed few: an interval that changed to every 1h inside the window, as a firmware rollout changes it, or losses that fell, and uptime counts it down between its check-ins (its uptime 67.86%; the profile's 83.93%, 100% without them): if its interval changed to every 1h, the window's days before the change measure the old one against it: take a window from the change on (--from, metrics.from)`)
	wantSparseWarning(t, every3hUntil(day(1)), every3hUntil(day(14)), yaml, `(e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches, and uptime counts it down between its check-ins (its uptime 53.57%; the profile's 76.79%, 100% without them): firmware that checks in less often than every 1h reads so`)
}

// wantSparseWarning runs metrics on the valves v1 and v2 checking in at
// the times given (valveWarning), and wants their sparse devices warned of
// in the words want ("": not at all).
func wantSparseWarning(t *testing.T, v1, v2 []time.Time, iotpmYAML, want string) {
	t.Helper()
	valveWarning(t, v1, v2, iotpmYAML, "missed at least", want)
}

// valveWarning runs metrics on the valves v1 and v2 checking in at the
// times given (valveRepo; its iotpm.yaml replaced when iotpmYAML is not
// ""), and wants the profile as a whole not warned of, and the warning
// with marker in the words want ("": no warning with marker).
func valveWarning(t *testing.T, v1, v2 []time.Time, iotpmYAML, marker, want string) {
	t.Helper()
	valveWarningWith(t, checkinDevices, v1, v2, iotpmYAML, marker, want)
}

// valveWarningWith is valveWarning with devices.yaml written as devices.
func valveWarningWith(t *testing.T, devices string, v1, v2 []time.Time, iotpmYAML, marker, want string) {
	t.Helper()
	var ev strings.Builder
	ev.WriteString("device_id,timestamp,event\n")
	for _, at := range v1 {
		fmt.Fprintf(&ev, "v1,%s,connected\n", at.Format(time.RFC3339))
	}
	for _, at := range v2 {
		fmt.Fprintf(&ev, "v2,%s,connected\n", at.Format(time.RFC3339))
	}
	dir := valveRepo(t, "v1 v2", ev.String())
	cmdtest.WriteFile(t, dir, "devices.yaml", devices)
	if iotpmYAML != "" {
		cmdtest.WriteFile(t, dir, "iotpm.yaml", iotpmYAML)
	}
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "its devices missed") {
		t.Errorf("the profile as a whole is warned of:\n%s", stderr)
	}
	warned := strings.Contains(stderr, marker)
	if want == "" && warned || want != "" && !strings.Contains(stderr, want) {
		t.Errorf("want the warning %q, got:\n%s", want, stderr)
	}
}

// Devices unreachable at one time of day, day after day, are warned of:
// the hourly valve profile (g 1.5, reach 1.5 h) over [Oct 1, Oct 15), H at
// its end; v1 checks in every hour. v2 every hour but the ones given:
//   - none at 01:00 to 05:00 each day: reachable to 01:30 after the
//     00:00 check-in, down [01:30, 06:00), 4.5 h, on each of the 14 days
//     (14 stretches longer than P, all beginning at 01:30: resultant 1
//     of their weight); 5 missed a day, 70 of 336 (21%): not sparse;
//     v2 273 of 336 h (81.25%), the profile 609 of 672 h (90.63%), 100%
//     without v2: warned;
//   - the same but Oct 7 whole: 13 such stretches, not warned;
//   - a 5-hour silence each day at another hour (from 1, 6, 11, 16, 3,
//     8, 13, 18, 5, 10, 15, 2, 7, 12 o'clock): 14 stretches in every
//     direction, not warned.
func TestDailyDownWarned(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	hourly := func(skip func(d, h int) bool) []time.Time {
		var out []time.Time
		for d := 1; d < 15; d++ {
			for h := range 24 {
				if skip == nil || !skip(d, h) {
					out = append(out, day(d, h))
				}
			}
		}
		return out
	}
	for _, c := range []struct {
		name    string
		v2      []time.Time
		warning string
	}{
		{"01:00 to 05:00 each day", hourly(func(d, h int) bool { return h >= 1 && h <= 5 }),
			`valve: 1 of its 2 devices (e.g. "v2") was unreachable at one time of day, day after day: 14 or more stretches longer than the interval (every 1h), 4h 30m on average, that begin around 01:30 UTC (its uptime 81.25%; the profile's 90.63%, 100% without them)`},
		{"13 days", hourly(func(d, h int) bool { return d != 7 && h >= 1 && h <= 5 }), ""},
		{"another hour each day", hourly(func(d, h int) bool { s := 1 + 5*(d-1)%18; return h >= s && h < s+5 }), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			valveWarning(t, hourly(nil), c.v2, "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n",
				"at one time of day, day after day: ", c.warning)
		})
	}
}

// Devices that miss check-ins because they are silent for hours at one
// time of day are not told that they run a longer interval (a profile
// of 12 h would count those hours as reachable): the hourly valve
// profile (g 1.5, reach 1.5 h) over [Oct 1, Oct 15), H at its end.
//   - v1 hourly, v2 silent from 01:00 to 10:00 each day: reachable to
//     01:30 after the 00:00 check-in, down [01:30, 11:00), 9.5 h, 10
//     missed a day, 140 of 336 (41.7% ≥ 40%) in 14 stretches: sparse,
//     and down daily (14 stretches beginning at 01:30); v2 203 of 336 h
//     (60.42%), the profile 539 of 672 h (80.21%): both warnings, the
//     sparse one saying it was also down at one time of day;
//   - both so: 280 of the profile's 672 check-ins missed (42%): the
//     profile as a whole warned of, saying they were also down daily;
//   - v2 every 3 h from 00:00: down 1.5 h after each check-in, 2 missed
//     in each, 224 of 336 (67%): sparse; its 112 stretches begin at
//     01:30, 04:30 … 22:30, every direction: not down daily, and the
//     sparse warning says nothing of it.
func TestSparseAndDailyWarned(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	hourly := func(skip func(h int) bool) []time.Time {
		var out []time.Time
		for d := 1; d < 15; d++ {
			for h := range 24 {
				if skip == nil || !skip(h) {
					out = append(out, day(d, h))
				}
			}
		}
		return out
	}
	silent := hourly(func(h int) bool { return h >= 1 && h <= 10 })
	const also = "also unreachable at one time of day, day after day (the other warning at this line)"
	for _, c := range []struct {
		name   string
		v1, v2 []time.Time
		want   []string // "" in place of a text: also is not in stderr
	}{
		{"v2 silent from 01:00 to 10:00", hourly(nil), silent, []string{
			`valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins its interval in devices.yaml (every 1h) expects, in 10 or more unreachable stretches, and uptime counts it down between its check-ins (its uptime 60.42%; the profile's 80.21%, 100% without them)`,
			`; it was also unreachable at one time of day, day after day (the other warning at this line): if so because it is silent for hours each day and checks in every 1h the rest of it, those hours are the cause, not the interval, and a longer interval would count them as reachable`,
			`valve: 1 of its 2 devices (e.g. "v2") was unreachable at one time of day, day after day: 14 or more stretches longer than the interval (every 1h), 9h 30m on average, that begin around 01:30 UTC (its uptime 60.42%; the profile's 80.21%, 100% without them)`,
			`if it sleeps then by design`}},
		{"both silent", silent, silent, []string{
			`valve: its devices missed 280 of the 672 check-ins its interval in devices.yaml (every 1h) expects over their observed time (42%)`,
			`the devices missed that many of their check-ins; they were also unreachable at one time of day, day after day (the other warning at this line): if so because they are silent for hours each day and check in every 1h the rest of it, those hours are the cause`,
			`if they sleep then by design`}},
		{"v2 every 3h", hourly(nil), hourly(func(h int) bool { return h%3 != 0 }), []string{
			`valve: 1 of its 2 devices (e.g. "v2") missed at least 40% of the check-ins`, ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev strings.Builder
			ev.WriteString("device_id,timestamp,event\n")
			for _, v := range []struct {
				id    string
				times []time.Time
			}{{"v1", c.v1}, {"v2", c.v2}} {
				for _, at := range v.times {
					fmt.Fprintf(&ev, "%s,%s,connected\n", v.id, at.Format(time.RFC3339))
				}
			}
			dir := valveRepo(t, "v1 v2", ev.String())
			cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n")
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range c.want {
				if want == "" && strings.Contains(stderr, also) || want != "" && !strings.Contains(stderr, want) {
					t.Errorf("want %q (\"\": no %q), got:\n%s", want, also, stderr)
				}
			}
		})
	}
}

// Devices counted as always connected that are connected less than half
// of the time because they are off for hours at one time of day are not
// told that they check in: over [Oct 1, Oct 15), H at its end, a1 (no
// model value) connects at Oct 1 00:00 and stays (336 h).
//   - a2 connects at 08:00 and disconnects at 18:00 each day: in service
//     from Oct 1 08:00 (328 h), connected 140 h (42.68%) in 14 pieces
//     after a disconnect: intermittent, and down daily (14 stretches over
//     15 min beginning at 18:00: 13 of 14 h and the last of 6 h, 13h 26m
//     on average, not the 11h 34m of their weights capped at 12 h);
//     always connected 476 of 664 h (71.69%), 100% without a2: the
//     intermittent warning says it was also disconnected at one time of
//     day;
//   - a2 connected the first 10 minutes of each hour from Oct 1 00:00:
//     56 of 336 h, intermittent; its stretches begin at every hour: not
//     down daily, and the warning says nothing of it.
func TestIntermittentAndDailyWarned(t *testing.T) {
	const yaml = "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n"
	const intermittent = `1 of the 2 devices counted as always connected (e.g. "a2") was connected less than half of its observed time, in 10 or more pieces after a disconnect (its uptime `
	const also = "; it was also disconnected at one time of day, day after day (the other warning at this input): if so because it is off for hours each day (a timer, a router that restarts at night) and connected the rest of it, those hours are the cause, and a check-in profile would count them as reachable after each connect"
	var daily, hourly strings.Builder
	for _, ev := range []*strings.Builder{&daily, &hourly} {
		ev.WriteString("device_id,timestamp,event\na1,2026-10-01T00:00:00Z,connected\n")
	}
	for d := 1; d < 15; d++ {
		fmt.Fprintf(&daily, "a2,%s,connected\na2,%s,disconnected\n", time.Date(2026, 10, d, 8, 0, 0, 0, time.UTC).Format(time.RFC3339), time.Date(2026, 10, d, 18, 0, 0, 0, time.UTC).Format(time.RFC3339))
		for h := range 24 {
			at := time.Date(2026, 10, d, h, 0, 0, 0, time.UTC)
			fmt.Fprintf(&hourly, "a2,%s,connected\na2,%s,disconnected\n", at.Format(time.RFC3339), at.Add(10*time.Minute).Format(time.RFC3339))
		}
	}
	alwaysWarning(t, daily.String(), yaml, intermittent, intermittent+"42.68%; always connected: 71.69%, 100% without them)")
	alwaysWarning(t, daily.String(), yaml, also, also)
	alwaysWarning(t, daily.String(), yaml, "at one time of day, day after day: ", `1 of the 2 devices counted as always connected (e.g. "a2") was disconnected at one time of day, day after day: 14 or more stretches over 15m, 13h 26m on average, that begin around 18:00 UTC (its uptime 42.68%; always connected: 71.69%, 100% without them)`)
	alwaysWarning(t, hourly.String(), yaml, intermittent, intermittent+"16.67%")
	alwaysWarning(t, hourly.String(), yaml, "also disconnected at one time of day", "")
}

// A profile whose devices check in at an interval between P and g·P is
// warned of: uptime hides most of it, the battery's life is computed
// with P. The hourly valve profile (g 1.5, reach 1.5 h) over [Oct 1,
// Oct 15), 336 h, H at its end; v1 and v2 each check in from 00:00:
//   - every 80 min: 252 check-ins each, each reachable up to the next,
//     no stretch, 100% and none missed: the estimate 2 · 336 h / 504 =
//     1h 20m, 1.33 times P: warned;
//   - every 70 min: 1h 10m, 1.17 times: not warned;
//   - v1 hourly, v2 losing each check-in at 1, 4, 7 … o'clock: 112
//     stretches of 30 min, 112 of 672 expected missed (16.7%), the
//     estimate (616 h − 112 · 1.5 h) / 448 = 1 h: not warned;
//   - grace 3 (reach 3 h), v1 hourly, v2 keeping one check-in in four:
//     84 stretches of 1 h, 84 of 672 missed (12.5%), connected 336 +
//     252 h; the estimate (588 h − 84 · 3 h) / (420 − 84) = 1 h, where
//     588 h / 420 check-ins would read 1.4 h: not warned.
func TestLongIntervalWarned(t *testing.T) {
	from, to := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	every := func(d time.Duration, lost func(time.Time) bool) []time.Time {
		var out []time.Time
		for at := from; at.Before(to); at = at.Add(d) {
			if lost == nil || !lost(at) {
				out = append(out, at)
			}
		}
		return out
	}
	const yaml = "metrics:\n  from: 2026-10-01T00:00:00Z\n  to: 2026-10-15T00:00:00Z\n  as_of: 2026-10-15T00:00:00Z\n  inputs: {devices: devices.csv, events: events.csv}\n"
	for _, c := range []struct {
		name    string
		v1, v2  []time.Time
		warning string
	}{
		{"every 80 min", every(80*time.Minute, nil), every(80*time.Minute, nil),
			`valve: its devices check in about every 1h 20m, 1.33 times its interval in devices.yaml (every 1h): the mean reachable time of a check-in not followed by an unreachable stretch, which is about 1h for devices that check in every 1h however many check-ins they lose. Uptime counts check-ins up to 1.5 × 1h apart as on time, so it hides most of this, and iotpm battery computes valve's life with its check-in event every 1h: if the firmware in the field checks in that seldom, give the profile the field's interval`},
		{"every 70 min", every(70*time.Minute, nil), every(70*time.Minute, nil), ""},
		{"a third lost", every(time.Hour, nil), every(time.Hour, func(at time.Time) bool { return at.Hour()%3 == 1 }), ""},
		{"grace 3, three in four lost", every(time.Hour, nil), every(time.Hour, func(at time.Time) bool { return at.Hour()%4 != 0 }), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			devices := checkinDevices
			if strings.HasPrefix(c.name, "grace 3") {
				devices = strings.Replace(devices, "checkin: {event: check-in}", "checkin: {event: check-in, grace: 3}", 1)
			}
			valveWarningWith(t, devices, c.v1, c.v2, yaml, "check in about every", c.warning)
		})
	}
}

// A profile whose devices check in at least twice as often as its
// interval expects is warned of (uptime does not mind; the battery life
// of the wake event does): the hourly valve profile over [Oct 1 00:00,
// Oct 2 06:00), 30 h, H at its end; v2 checks in every hour (30), v1
// every k minutes from 00:00 (30·60/k). Both observed 30 h: 60 expected.
//   - v1 every 15 min: 120 + 30 = 150, 2.5 times, every 24m on average:
//     warned;
//   - every 20 min: 90 + 30 = 120, exactly twice: warned;
//   - every 30 min: 60 + 30 = 90, 1.5 times: not warned;
//   - every 15 min, the check-in event sending an uplink: the warning
//     says economics counts its messages at every 1h too.
func TestFrequentCheckinsWarned(t *testing.T) {
	every := func(minutes int) []time.Time {
		var out []time.Time
		for at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 10, 2, 6, 0, 0, 0, time.UTC)); at = at.Add(time.Duration(minutes) * time.Minute) {
			out = append(out, at)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		minutes int
		warning string
	}{
		{"every 15m", 15, `valve: its devices checked in 150 times over their observed time in the window, 2.5 times the 60 its interval in devices.yaml (every 1h) expects: every 24m on average. Uptime is not affected (a check-in sooner only keeps a device reachable), but iotpm battery computes valve's life with its check-in event every 1h`},
		{"every 20m", 20, `valve: its devices checked in 120 times over their observed time in the window, 2 times the 60 its interval in devices.yaml (every 1h) expects: every 30m on average.`},
		{"every 30m", 30, ""},
		{"every 15m, the check-in sends", 15, `iotpm battery computes valve's life with its check-in event every 1h, and iotpm economics counts its messages and megabytes at that interval where no scheduled variant replaces it (what a price per message or per MB comes to reads low): if the firmware wakes that often`},
	} {
		t.Run(c.name, func(t *testing.T) {
			devices := checkinDevices
			if strings.HasSuffix(c.name, "sends") {
				devices = strings.Replace(devices, "current: 10mA}", "current: 10mA, uplink: {bytes: 20}}", 1)
			}
			valveWarningWith(t, devices, every(c.minutes), every(60), "", "checked in", c.warning)
		})
	}
	// without uplink, economics counts no message of the event
	valveWarning(t, every(15), every(60), "", "iotpm economics", "")
}
