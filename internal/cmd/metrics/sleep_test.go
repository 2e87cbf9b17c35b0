package metrics_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// Devices counted as always connected that were connected less than half
// their observed time (at least 10 of them) are warned of: battery
// devices that connect, report and disconnect read so until their
// profile says they check in. n devices connect every hour for `on`
// minutes through 1 October (H = 24:00): uptime on/60.
func TestSleepByDesignWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, on   int
		profile string // the devices.yaml profile unmodelled: gives them
		warn    bool
		who     string
	}{
		{"hourly for a minute", 10, 1, "", true, "devices without a devices.yaml profile among them"},
		{"nine devices", 9, 1, "", false, ""},
		{"connected 35 of 60 minutes", 10, 35, "", false, ""},
		{"connected 29 of 60 minutes", 10, 29, "", true, "devices without a devices.yaml profile among them"},
		{"with their check-in profile", 10, 1, "valve", false, ""},
		{"with an always-connected profile", 10, 1, "plug", true, "profile plug"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var devices, events strings.Builder
			devices.WriteString("device_id,shipped_at\n")
			events.WriteString("device_id,timestamp,event\n")
			for i := range c.n {
				devices.WriteString(fmt.Sprintf("s-%02d,2026-09-01\n", i))
				for h := range 24 {
					events.WriteString(fmt.Sprintf("s-%02d,2026-10-01T%02d:00:00Z,connected\n", i, h))
					events.WriteString(fmt.Sprintf("s-%02d,2026-10-01T%02d:%02d:00Z,disconnected\n", i, h, c.on))
				}
			}
			cmdtest.WriteFile(t, dir, "devices.csv", devices.String())
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			if c.profile != "" {
				plug := "  - {id: plug, power: mains, events: [{name: status, every: 5m, duration: 200ms, current: 80mA}]}\n"
				cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices+plug)
				cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  unmodelled: "+c.profile+"\n")
			}
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv",
				"--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-02T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := fmt.Sprintf("events.csv: warning: %d devices counted as always connected (down whenever disconnected) were connected %s%% of their observed time (%s)",
				c.n, strings.TrimSuffix(fmt.Sprintf("%.1f", 100*float64(c.on)/60), ".0"), c.who)
			if got := strings.Contains(stderr, "counted as always connected (down whenever disconnected)"); got != c.warn || c.warn && !strings.Contains(stderr, want) {
				t.Errorf("warned %v, want %v (%q):\n%s", got, c.warn, want, stderr)
			}
		})
	}
}

// Devices counted as always connected with not one disconnect among their
// events that count are warned of: each is connected from its first
// connect to the end, and uptime reads 100% whatever they did — what an
// export of connects alone gives. Three devices connect on 1 October at
// 00:00, 06:00, 12:00 and 18:00 (H = 24:00).
func TestNoDisconnectWarned(t *testing.T) {
	for _, c := range []struct {
		name    string
		extra   string // rows added to the events
		profile string // the devices.yaml profile unmodelled: gives them
		warn    string
	}{
		{"connects alone", "", "", "events.csv: warning: 3 devices counted as always connected have no disconnect among their events: each is connected from its first connect to the end, so their uptime reads 100%"},
		// one disconnect anywhere in the fleet: the export has them
		{"one disconnect", "s-1,2026-10-01T19:00:00Z,disconnected\n", "", ""},
		// a disconnect before shipping does not count: still none
		{"a disconnect before shipping", "s-1,2026-08-01T19:00:00Z,disconnected\n", "", "3 devices counted as always connected have no disconnect"},
		// check-in devices' disconnects end nothing: none is expected
		{"check-in devices", "", "valve", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var devices, events strings.Builder
			devices.WriteString("device_id,shipped_at\n")
			events.WriteString("device_id,timestamp,event\n")
			for i := range 3 {
				devices.WriteString(fmt.Sprintf("s-%d,2026-09-01\n", i))
				for h := 0; h < 24; h += 6 {
					events.WriteString(fmt.Sprintf("s-%d,2026-10-01T%02d:00:00Z,connected\n", i, h))
				}
			}
			events.WriteString(c.extra)
			cmdtest.WriteFile(t, dir, "devices.csv", devices.String())
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			if c.profile != "" {
				cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices)
				cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  unmodelled: "+c.profile+"\n")
			}
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv",
				"--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-02T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "no disconnect among"); got != (c.warn != "") || !strings.Contains(stderr, c.warn) {
				t.Errorf("want warning %q:\n%s", c.warn, stderr)
			}
		})
	}
}

// An export file whose count of data rows is a cap (here a round 10,000,
// as a query's LIMIT leaves) is warned of at the file; 10,001 rows are
// the data's own.
func TestRowCapWarned(t *testing.T) {
	for _, rows := range []int{10_000, 10_001} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			dir := t.TempDir()
			var events strings.Builder
			events.WriteString("device_id,timestamp,event\n")
			for i := range rows {
				state := []string{"connected", "disconnected"}[i/50%2]
				events.WriteString(fmt.Sprintf("s-%02d,2026-10-01T%02d:%02d:%02dZ,%s\n", i%50, i/3600%24, i/60%60, i%60, state))
			}
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--from", "2026-10-01", "--to", "2026-10-02")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := "events.csv: warning: 10,000 rows, a round number, as a query's LIMIT or a console's export cap leaves: the rows past it were likely dropped"
			if strings.Contains(stderr, want) != (rows == 10_000) || strings.Contains(stderr, "rows past it") != (rows == 10_000) {
				t.Errorf("%d rows:\n%s", rows, stderr)
			}
		})
	}
}

// The fleet's rows starting more than a day after the window's start are
// warned of, at the input: an export cut at a retention limit reads as a
// fleet with no data before it. Window October; the events of d1 and d2
// start on the day given.
func TestLateStartWarned(t *testing.T) {
	// a logger checks in every 2 days: reachable 3 days after each
	logger := "devices:\n  - id: logger\n    battery: {cell: cr2032}\n    sleep: 1uA\n    events:\n      - {name: check-in, feature: connectivity, every: 2d, duration: 1s, current: 10mA}\n    checkin: {event: check-in}\n"
	for _, c := range []struct {
		first   string
		profile string // the devices.yaml profile unmodelled: gives them
		warn    string
	}{
		{"2026-10-20T00:00:00Z", "", "events.csv: warning: the fleet's rows start 2026-10-20T00:00:00Z, 19 days after the window's start 2026-10-01T00:00:00Z: counts over the window (monthly active devices, tickets per 100 devices, usage) cover 39% of it and read low"},
		{"2026-10-02T00:00:00Z", "", ""}, // within a day of the start
		{"2026-09-20T00:00:00Z", "", ""}, // before the window
		// loggers checking in every 2 days: 2.5 days in is within a
		// check-in's reach (3 days), 4 days is not
		{"2026-10-03T12:00:00Z", "logger", ""},
		// with a devices input, it says what activation reads too (without
		// one, nothing of it: the first case)
		{"2026-10-05T00:00:00Z", "logger", "the fleet's rows start 2026-10-05T00:00:00Z, 4 days after the window's start 2026-10-01T00:00:00Z: counts over the window (monthly active devices, tickets per 100 devices, usage) cover 87% of it and read low, and each device's uptime is measured from its first row in the data, a unit shipped before it counts as activated only by a row from it on;"},
	} {
		t.Run(c.first+c.profile, func(t *testing.T) {
			dir := t.TempDir()
			if c.profile != "" {
				cmdtest.WriteFile(t, dir, "devices.yaml", logger)
				cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  unmodelled: "+c.profile+"\n")
			}
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,"+c.first+",connected\nd2,"+c.first+",connected\nd1,2026-10-25T00:00:00Z,disconnected\nd2,2026-10-31T00:00:00Z,disconnected\n")
			args := []string{"metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z"}
			if c.profile != "" {
				cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\nd1,2026-09-01\nd2,2026-09-01\n")
				args = append(args, "--devices", "devices.csv")
			}
			_, stderr, code := cmdtest.Run(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Contains(stderr, "the fleet's rows start") != (c.warn != "") || !strings.Contains(stderr, c.warn) ||
				c.profile == "" && strings.Contains(stderr, "counts as activated") {
				t.Errorf("want %q:\n%s", c.warn, stderr)
			}
		})
	}
}

// metrics.unmodelled naming a profile gives it to the devices input's
// rows and, in a run with no devices input, to every device: a network
// server's uplinks alone (or events alone) then give the check-in uptime,
// each device in service from its first row. v1 checks in at 00:00 and
// 01:00 (hourly valve profile, grace 1.5): reachable to 02:30, down to H
// 04:00 — 2.5 of 4 h, 62.5%, with the devices input, without it, and from
// activity rows alone. Counted as always connected (the run before), its
// events read connected 00:00–00:00:30 and 01:00–04:00.
func TestUnmodelledWithoutDevicesInput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"events and devices", []string{"--events", "events.csv", "--devices", "devices.csv"}},
		{"events", []string{"--events", "events.csv"}},
		{"activity", []string{"--activity", "uplinks.csv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "devices.yaml", checkinDevices)
			cmdtest.WriteFile(t, dir, "iotpm.yaml", "devices: devices.yaml\nmetrics:\n  unmodelled: valve\n")
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nv1,2026-10-01T00:00:00Z,connected\nv1,2026-10-01T00:00:30Z,disconnected\nv1,2026-10-01T01:00:00Z,connected\n")
			cmdtest.WriteFile(t, dir, "uplinks.csv", "device_id,timestamp\nv1,2026-10-01T00:00:00Z\nv1,2026-10-01T01:00:00Z\n")
			cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\nv1,2026-09-01\n")
			args := append([]string{"metrics", "-C", dir, "--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-01T04:00:00Z", "-o", "json"}, c.args...)
			stdout, stderr, code := cmdtest.Run(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc struct {
				Uptime struct {
					Value  float64
					ByMode map[string]struct {
						Value   *float64
						Devices int
					} `json:"by_mode"`
				} `json:"connectivity_uptime"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatal(err)
			}
			if m := doc.Uptime.ByMode["checkin"]; doc.Uptime.Value != 0.625 || m.Value == nil || *m.Value != 0.625 || m.Devices != 1 {
				t.Errorf("uptime %v, check-in mode %+v: want 62.5%% of one check-in device\n%s", doc.Uptime.Value, m, stderr)
			}
			if strings.Contains(stderr, "unmodelled") {
				t.Errorf("warned of metrics.unmodelled:\n%s", stderr)
			}
		})
	}
}

// A session column whose values do not name connections (a message or
// request id, another on every row) makes every disconnect an old
// session's close: each ends nothing, and uptime read 100% with only a
// note in the ROWS table. A disconnect whose session none of its
// device's connects names is now counted, and a tenth of the
// disconnects checked is warned of; a takeover's close (the session the
// device connected with) is not one.
func TestOrphanSessionsWarned(t *testing.T) {
	const warn = "of the 20 disconnects of events checked against their device's session (column sessionIdentifier) name a session that none of its connects names"
	for _, c := range []struct {
		name    string
		orphans int  // disconnects naming a session no connect names
		stale   bool // and one takeover: the old session closed after the new one connected
		warn    string
	}{
		{"every disconnect its connect's session", 0, true, ""},
		{"one of twenty from a lost connect", 1, false, ""},
		{"two of twenty", 2, false, "2 " + warn + ` (e.g. the disconnect of "d-0" at 2026-10-01T06:30:00Z)`},
		{"a per-row id", 20, false, "20 " + warn},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var events strings.Builder
			events.WriteString("clientId,timestamp,eventType,sessionIdentifier\n")
			n := 0
			for i := range 10 {
				for k := range 2 {
					h := 6*k + 6
					session := fmt.Sprintf("s-%d-%d", i, k)
					events.WriteString(fmt.Sprintf("d-%d,2026-10-01T%02d:00:00Z,connected,%s\n", i, h, session))
					if n < c.orphans {
						session = fmt.Sprintf("req-%d-%d", i, k)
					}
					n++
					events.WriteString(fmt.Sprintf("d-%d,2026-10-01T%02d:30:00Z,disconnected,%s\n", i, h, session))
				}
			}
			if c.stale {
				// d-0 connects again at 13:00 before the broker closes s-0-1
				events.WriteString("d-0,2026-10-01T13:00:00Z,connected,s-0-2\nd-0,2026-10-01T13:00:03Z,disconnected,s-0-1\n")
			}
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv",
				"--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-02T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "none of its connects names"); got != (c.warn != "") || !strings.Contains(stderr, c.warn) {
				t.Errorf("want warning %q:\n%s", c.warn, stderr)
			}
		})
	}
}

// A column mapped as the sequence that is not one (an event id) orders
// each device's events at random, and uptime with them (52% read 82% on a
// 200,000-event export). A sequence follows the events' times but for
// seconds, so a tenth of the events put more than a minute before an
// event ordered earlier is warned of; AWS's versionNumber with a
// DUPLICATE_CLIENTID close 3 s late is not.
func TestSequenceAgainstTimeWarned(t *testing.T) {
	for _, c := range []struct {
		name string
		seqs [4]string // the sequence values of the events at 01:00, 02:00, 03:00, 04:00
		warn string
	}{
		{"versionNumber", [4]string{"1", "1", "2", "2"}, ""},
		// by bytes a(03:00) b(01:00) c(04:00) d(02:00): b and d go back,
		// 2 of the 3 events after a device's first, 10 of 15
		{"an event id", [4]string{"b", "d", "a", "c"}, `10 of the 15 events of events that their sequence (column versionNumber) puts after another of their device are stamped more than a minute before an event it puts earlier (e.g. "d-0" at 2026-10-01T01:00:00Z, after 2026-10-01T03:00:00Z)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var events strings.Builder
			events.WriteString("clientId,timestamp,eventType,versionNumber\n")
			for i := range 5 {
				for k, seq := range c.seqs {
					events.WriteString(fmt.Sprintf("d-%d,2026-10-01T%02d:00:00Z,%s,%s\n", i, k+1, []string{"connected", "disconnected"}[k%2], seq))
				}
			}
			if c.warn == "" {
				// a takeover: version 3 connects at 05:00; the broker closes
				// version 2's session 3 s later
				events.WriteString("d-0,2026-10-01T05:00:00Z,connected,3\nd-0,2026-10-01T05:00:03Z,disconnected,2\n")
			}
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--format", "events=aws-iot-lifecycle",
				"--from", "2026-10-01", "--to", "2026-10-02", "--as-of", "2026-10-02T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "so this column may not be one"); got != (c.warn != "") || !strings.Contains(stderr, c.warn) {
				t.Errorf("want warning %q:\n%s", c.warn, stderr)
			}
		})
	}
}

// A column of ids each on one row (a message id mapped as the device)
// makes every row a device: monthly active devices as high as the rows.
// Nine in ten of at least 100 ids with one event each, over a week or
// more, is warned of; ids that repeat, a tenth more with two events, or a
// day's export are not.
func TestSingleEventDevicesWarned(t *testing.T) {
	for _, c := range []struct {
		name         string
		ids, doubles int // ids with one event, and with two
		days         int // the events' span
		warn         string
	}{
		{"a message id", 120, 0, 10, "120 of the 120 device ids of events (column device_id) have one event each over 10 days"},
		{"nine in ten", 108, 12, 10, "108 of the 120 device ids of events (column device_id) have one event each over 10 days"},
		{"fewer than nine in ten", 107, 13, 10, ""},
		{"fewer than 100 ids", 99, 0, 10, ""},
		{"a day's export", 120, 0, 1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var events strings.Builder
			events.WriteString("device_id,timestamp,event\n")
			for i := range c.ids + c.doubles {
				at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%c.days) * 24 * time.Hour)
				if i == c.ids+c.doubles-1 {
					at = time.Date(2026, 10, 1+c.days-1, 12, 0, 0, 0, time.UTC) // the span's last row
				}
				events.WriteString(fmt.Sprintf("m-%04d,%s,connected\n", i, at.Format(time.RFC3339)))
				if i >= c.ids {
					events.WriteString(fmt.Sprintf("m-%04d,%s,disconnected\n", i, at.Add(time.Minute).Format(time.RFC3339)))
				}
			}
			cmdtest.WriteFile(t, dir, "events.csv", events.String())
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv",
				"--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-10-31T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "have one event each"); got != (c.warn != "") || !strings.Contains(stderr, c.warn) {
				t.Errorf("want warning %q:\n%s", c.warn, stderr)
			}
		})
	}
}
