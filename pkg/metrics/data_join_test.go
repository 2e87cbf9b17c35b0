package metrics

import "testing"

// Ids that are a devices-input id but for letter case are counted apart
// from ids the devices input lacks: each is one device split in two (its
// events under both spellings count as two devices). Customers alike.
func TestJoinsCaseOnly(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Tickets = true, true, true
	at := day("2026-10-02")
	for _, id := range []string{"drip-1", "drip-2", "Drip-3"} {
		d.AddDevice([]byte(id), day("2026-09-01"), []byte("acme"))
	}
	for _, id := range []string{"drip-1", "DRIP-1", "drip-2", "DRIP-3", "drip-9"} {
		d.AddEvent([]byte(id), at, Connected)
	}
	d.AddTicket([]byte("acme"), at)
	d.AddTicket([]byte("ACME"), at)
	d.AddTicket([]byte("globex"), at)
	var events, tickets Join
	for _, j := range d.Joins() {
		switch j.Input {
		case KindEvents:
			events = j
		case KindTickets:
			tickets = j
		}
	}
	if events.IDs != 5 || events.Unknown != 3 || events.CaseOnly != 2 || events.CaseSample != [2]string{"DRIP-1", "drip-1"} {
		t.Errorf("events %+v: want 5 ids, 3 unknown, 2 of them (DRIP-1, DRIP-3) a device's but for case", events)
	}
	if tickets.Unknown != 2 || tickets.CaseOnly != 1 || tickets.CaseSample != [2]string{"ACME", "acme"} {
		t.Errorf("tickets %+v", tickets)
	}
}
