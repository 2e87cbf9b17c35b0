package planfile

import (
	"strings"
	"testing"
)

// A profile's checkin: resolves to the interval of the wake event it
// names (or its every:) with grace 1.5 unless given; every mistake is
// positioned at the checkin: line.
func TestCheckinProfiles(t *testing.T) {
	head := "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 1uA\n    events:\n      - {name: heartbeat, feature: connectivity, every: 15m, duration: 50ms, current: 5mA}\n" +
		"      - {name: heartbeat-adaptive, feature: adaptive-heartbeat, replaces: heartbeat, every: 2h}\n"
	tests := []struct {
		name, checkin string
		every, grace  float64
		want          string
	}{
		{"by event", "{event: heartbeat}", 900, 1.5, ""},
		{"by every, own grace", "{every: 1h, grace: 2}", 3600, 2, ""},
		{"a typo", "{event: hartbeat}", 0, 0, `8:14: device d, checkin: event "hartbeat" is no wake event of the device; did you mean "heartbeat"?`},
		{"a variant is not today's schedule", "{event: heartbeat-adaptive}", 0, 0, `8:14: device d, checkin: event "heartbeat-adaptive" is a planned variant of heartbeat; check-ins follow the schedule the fleet runs today: event: heartbeat`},
		{"both", "{event: heartbeat, every: 1h}", 0, 0, `8:14: device d, checkin: give event (a wake event whose every is the interval) or every, not both`},
		{"neither", "{grace: 2}", 0, 0, `8:14: device d, checkin: say how often it checks in`},
		{"grace below 1", "{every: 1h, grace: 0.5}", 0, 0, `8:33: devices[0].checkin.grace must be at least 1; got 0.5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fleet, diags := ParseDevices("devices.yaml", []byte(head+"    checkin: "+tt.checkin+"\n"))
			var got []string
			for _, d := range diags.Errors() {
				got = append(got, strings.TrimPrefix(d.String(), "devices.yaml:"))
			}
			if tt.want == "" {
				if len(got) > 0 || fleet == nil {
					t.Fatalf("problems %q", got)
				}
				ci := fleet.Checkins["d"]
				if ci.Every != tt.every || ci.Grace != tt.grace || ci.Profile != "d" {
					t.Errorf("checkin %+v, want every %v grace %v", ci, tt.every, tt.grace)
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A check-in event whose every: did not read (or is missing) has its own
// error, and only that one: "is no wake event; did you mean heartbeat?"
// for the event named heartbeat sent people looking for a typo.
func TestCheckinEventWithBadEvery(t *testing.T) {
	for _, every := range []string{"every: 15, ", "every: 15M, ", ""} {
		src := "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 1uA\n    checkin: {event: heartbeat}\n    events:\n" +
			"      - {name: heartbeat, feature: connectivity, " + every + "duration: 50ms, current: 5mA}\n"
		_, diags := ParseDevices("devices.yaml", []byte(src))
		got := diags.Errors()
		if len(got) != 1 || strings.Contains(got[0].Message, "checkin") || !strings.Contains(got[0].Message, "every") {
			t.Errorf("%q: %v, want the one error at every", every, got)
		}
	}
}
