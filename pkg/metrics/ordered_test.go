package metrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// Events ordered by a sequence, sessions or the file's order are grouped
// by device before each device's are ordered, and ties (the same time,
// the same sequence) keep the order the rows came in. So a device's events
// read among many other devices' must come out as they do read alone:
// every kind of order, with ties made common (few distinct times and
// sequence values, sessions reused).
func TestOrderedEventsAmongOthers(t *testing.T) {
	type ev struct {
		dev, state   int
		ts, line     int64
		seq, session string
	}
	add := func(d *Data, mode string, e ev) {
		id := fmt.Appendf(nil, "dev-%d", e.dev)
		var session []byte
		if e.session != "" {
			session = []byte(e.session)
		}
		switch mode {
		case "sequence", "sequence-strings":
			d.AddSequencedSessionEvent(id, e.ts, e.state, []byte(e.seq), 3600e6, session)
		case "sessions":
			d.AddOrderedEvent(id, e.ts, e.state, e.line, false, session)
		case "file":
			d.AddOrderedEvent(id, e.ts, e.state, e.line, true, nil)
		}
	}
	// the devices ordered in parts, on every core, as a large export's are
	old := orderParallelMin
	orderParallelMin = 100
	defer func() { orderParallelMin = old }()
	for _, mode := range []string{"sequence", "sequence-strings", "sessions", "file"} {
		t.Run(mode, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(mode))))
			const devices = 40
			var rows []ev
			for i := range 4000 {
				e := ev{dev: rng.IntN(devices), state: rng.IntN(2), ts: int64(rng.IntN(30)) * 3600e6, line: int64(i + 2)}
				switch mode {
				case "sequence":
					e.seq = []string{"1", "2", "02", "3", "007", "7"}[rng.IntN(6)]
				case "sequence-strings":
					e.seq = []string{"a-1", "a-2", "b", "a-1"}[rng.IntN(4)]
				}
				if mode != "file" && rng.IntN(3) > 0 {
					e.session = fmt.Sprintf("s-%d", rng.IntN(4))
				}
				rows = append(rows, e)
			}
			all := NewData()
			for _, e := range rows {
				add(all, mode, e)
			}
			all.Freeze()
			dups, stale := 0, 0
			for dev := range devices {
				alone := NewData()
				for _, e := range rows {
					if e.dev == dev {
						add(alone, mode, e)
					}
				}
				alone.Freeze()
				dups, stale = dups+alone.DuplicateEvents, stale+alone.StaleDisconnects
				id := fmt.Sprintf("dev-%d", dev)
				if got, want := all.DeviceEvents(id), alone.DeviceEvents(id); !slices.Equal(got, want) {
					t.Fatalf("%s among others:\n%v\nalone:\n%v", id, got, want)
				}
			}
			if all.DuplicateEvents != dups || all.StaleDisconnects != stale || dups == 0 {
				t.Errorf("duplicates %d, stale %d among others; %d, %d alone", all.DuplicateEvents, all.StaleDisconnects, dups, stale)
			}
		})
	}
}

// A sequence of digits compares as a number, but is the same value only
// with the same digits: "07" and "7" are two events (a duplicate is the
// same value again), ordered as equals by their state and time.
func TestSequenceDigitsKeepTheirSpelling(t *testing.T) {
	d := NewData()
	d.AddSequencedEvent([]byte("a"), 10, Connected, []byte("07"), 0)
	d.AddSequencedEvent([]byte("a"), 20, Connected, []byte("7"), 0)
	d.AddSequencedEvent([]byte("a"), 30, Disconnected, []byte("7"), 0)
	d.AddSequencedEvent([]byte("a"), 40, Disconnected, []byte("7"), 0)
	d.AddSequencedEvent([]byte("a"), 5, Connected, []byte("6"), 0)
	d.Freeze()
	got := d.DeviceEvents("a")
	want := []Event{{At: 5, State: Connected}, {At: 10, State: Connected}, {At: 20, State: Connected}, {At: 30, State: Disconnected}}
	if !slices.Equal(got, want) || d.DuplicateEvents != 1 {
		t.Errorf("events %v, duplicates %d; want %v, 1", got, d.DuplicateEvents, want)
	}
}

// A device whose sequence values are not all digits orders them as
// bytes: "10" before "9" before "a" (numerically 9 would come first).
// Its digit values are kept as numbers and their lengths, and spelled
// back, leading zeros and all.
func TestSequenceMixedOrdersAsBytes(t *testing.T) {
	d := NewData()
	d.AddSequencedEvent([]byte("b"), 20, Disconnected, []byte("9"), 0)
	d.AddSequencedEvent([]byte("b"), 40, Disconnected, []byte("a"), 0)
	d.AddSequencedEvent([]byte("b"), 30, Connected, []byte("10"), 0)
	d.AddSequencedEvent([]byte("b"), 50, Connected, []byte("09"), 0)
	d.Freeze()
	// "09" < "10" < "9" < "a"; effective times never go back
	want := []Event{{At: 50, State: Connected}, {At: 50, State: Connected}, {At: 50, State: Disconnected}, {At: 50, State: Disconnected}}
	if got := d.DeviceEvents("b"); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for _, v := range []string{"0", "7", "007", "000", "18446744073709551615", "0018446744073709551615"} {
		var e seqEvent
		e.num, e.digits = parseDigits([]byte(v))
		e.seqLen = uint32(len(v))
		if got := string(e.appendSeq(nil, nil)); !e.digits || got != v {
			t.Errorf("%q: digits %v, spelled back %q", v, e.digits, got)
		}
	}
	if _, ok := parseDigits([]byte("18446744073709551616")); ok {
		t.Error("2^64 read as a number")
	}
}
