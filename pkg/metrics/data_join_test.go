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

// Ids that are a devices-input id written otherwise — The Things Stack's
// eui-a8404141c1842b2f for the DevEUI A8-40-41-41-C1-84-2B-2F, or
// drip_000201 for drip-000201 — are counted apart from case-only twins
// and from ids the devices input lacks.
func TestJoinsFormOnly(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Activity = true, true
	at := day("2026-10-02")
	for _, id := range []string{"A8-40-41-41-C1-84-2B-2F", "drip-000201", "Drip-3"} {
		d.AddDevice([]byte(id), day("2026-09-01"), nil)
	}
	for _, id := range []string{"eui-a8404141c1842b2f", "DRIP_000201", "DRIP-3", "drip-9", "x-1"} {
		d.AddActivity([]byte(id), at)
	}
	j := d.Joins()[0]
	if j.IDs != 5 || j.Unknown != 5 || j.CaseOnly != 1 || j.FormOnly != 2 || j.FormSample != [2]string{"eui-a8404141c1842b2f", "A8-40-41-41-C1-84-2B-2F"} {
		t.Errorf("%+v: want 5 unknown, 1 but for case (DRIP-3), 2 written otherwise", j)
	}
	for id, want := range map[string]string{
		"eui-A8404141C1842B2F": "a8404141c1842b2f", "A8:40:41:41:C1:84:2B:2F": "a8404141c1842b2f",
		"euiname1234": "euiname1234", "x-1": "", "ä-ö-1234": "1234",
	} {
		if got := IDForm(id); got != want {
			t.Errorf("IDForm(%q) = %q, want %q", id, got, want)
		}
	}
}
