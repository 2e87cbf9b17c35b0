package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

var base = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

func h(x float64) int64 { return base + int64(x*3600e6) }

func day(s string) int64 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestUptimeAndMAD(t *testing.T) {
	d := NewData()
	d.Has.Events, d.Has.Activity = true, true
	ev := func(dev string, at float64, s int) { d.AddEvent([]byte(dev), h(at), s) }
	// A: known from 0h; in W=[10h,20h) connected [10,15) and [18,20): 7 of 10 h
	ev("A", 18, Connected) // out of order on purpose
	ev("A", 0, Connected)
	ev("A", 15, Disconnected)
	// B: first event a disconnect at 12h: connected before it: 2 of 10 h
	ev("B", 12, Disconnected)
	// C: first event a connect at 14h: unknown before: 6 of 6 h
	ev("C", 14, Connected)
	// D: connect 11h; at 16h a connect and a disconnect at the same instant:
	// the disconnect sorts first, so D stays connected: 9 of 9 h
	ev("D", 11, Connected)
	ev("D", 16, Connected)
	ev("D", 16, Disconnected)
	// E: events only after the window: no observed time, left out
	ev("E", 25, Connected)
	// F: duplicates change nothing: connected [10,19): 9 of 10 h
	ev("F", 5, Connected)
	ev("F", 5, Connected)
	ev("F", 19, Disconnected)
	ev("F", 19, Disconnected)
	// G: activity only, in the window; H: activity only, after it
	d.AddActivity([]byte("G"), h(12))
	d.AddActivity([]byte("H"), h(25))
	// I: a connect exactly at the window's end is outside it
	ev("I", 20, Connected)

	r := Compute(d, Options{Window: Window{h(10), h(20)}, SLO: 0.99})
	u := r.Uptime
	if u.ConnectedUS != 33*3600e6 || u.ObservedUS != 45*3600e6 {
		t.Errorf("connected %v h, observed %v h; want 33 and 45", float64(u.ConnectedUS)/3600e6, float64(u.ObservedUS)/3600e6)
	}
	near(t, "fleet uptime", u.Value, 33.0/45)
	near(t, "mean", u.Mean, (0.7+0.2+1+1+0.9)/5)
	near(t, "median", u.Median, 0.9)
	if u.Devices != 5 || u.LeftOut != 2 || u.BelowSLO != 3 {
		t.Errorf("devices %d left out %d below SLO %d; want 5, 2 (E and I), 3", u.Devices, u.LeftOut, u.BelowSLO)
	}
	// active: A B C D F (connection) and G (activity); not E, H, I
	if r.MAD.Value != 6 || r.MAD.ByConnection != 5 || r.MAD.ByActivity != 1 {
		t.Errorf("MAD %+v", r.MAD)
	}
}

func TestActivation(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Activity = true, true, true
	ship := func(dev, at string) { d.AddDevice([]byte(dev), day(at), nil) }
	ship("d1", "2026-10-05")
	d.AddEvent([]byte("d1"), day("2026-10-01"), Connected) // factory test before shipping
	d.AddEvent([]byte("d1"), day("2026-10-20"), Connected) // activation
	ship("d2", "2026-10-05")
	d.AddEvent([]byte("d2"), day("2026-09-28"), Connected) // factory only: not activated
	ship("d3", "2026-10-10")
	d.AddActivity([]byte("d3"), day("2026-11-05")) // within 30 days of shipping
	ship("d4", "2026-10-31")
	d.AddEvent([]byte("d4"), day("2026-11-30"), Connected) // exactly 30 days later: outside [s, s+A)
	d.AddEvent([]byte("d4"), day("2026-12-01"), Disconnected)
	ship("d5", "2026-09-15") // not in the October cohort
	d.AddEvent([]byte("d5"), day("2026-09-20"), Connected)

	a := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, ActivationWindow: 30 * 86_400e6}).Activation
	if a.Shipped != 4 || a.Activated != 2 {
		t.Fatalf("cohort %+v", a.Cohort)
	}
	near(t, "rate", a.Rate, 0.5)
	if !a.Mature {
		t.Error("latest timestamp 2026-12-01 = to + 30 days: mature")
	}
	if len(a.ByMonth) != 2 || a.ByMonth[0].Label != "2026-09" || a.ByMonth[0].Activated != 1 || a.ByMonth[1].Shipped != 4 {
		t.Errorf("by month %+v", a.ByMonth)
	}
	// one more day of window and the cohort is immature
	if Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-02")}, ActivationWindow: 30 * 86_400e6}).Activation.Mature {
		t.Error("latest timestamp before to + A: immature")
	}
}

// Units whose activation window [s, s+A) ends by the fleet's data start
// F are left out of every cohort (BeforeData), activated or not: no row
// of the data can be in their window. By hand, A = 30 days, F = Sep 1:
// e1 (July 1) is before the data though it connects on Sep 2 (outside
// its window); e2 (Aug 2: s + A = F) is before the data; e3 (Aug 10,
// connects Sep 3) and e4 (Aug 20, no row) straddle F and count; w1 and
// w2 (October) count, w1 activated. The window (October) cohort: 1 of 2;
// August: 1 of 2 with 1 before the data, and e4 not activated with its
// window straddling F (Straddling); July: no rate, 1 before.
func TestActivationBeforeData(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events = true, true
	ship := func(dev, at string) { d.AddDevice([]byte(dev), day(at), nil) }
	ship("e1", "2026-07-01")
	d.AddEvent([]byte("e1"), day("2026-09-02"), Connected)
	ship("e2", "2026-08-02")
	ship("e3", "2026-08-10")
	d.AddEvent([]byte("e3"), day("2026-09-03"), Connected)
	ship("e4", "2026-08-20")
	ship("w1", "2026-10-03")
	d.AddEvent([]byte("w1"), day("2026-10-04"), Connected)
	ship("w2", "2026-10-05")
	d.AddEvent([]byte("w2"), day("2026-12-01"), Disconnected)
	o := Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, ActivationWindow: 30 * 86_400e6, DataStart: day("2026-09-01")}
	r := Compute(d, o)
	a := r.Activation
	if a.Shipped != 2 || a.Activated != 1 || a.BeforeData != 0 {
		t.Errorf("window cohort %+v", a.Cohort)
	}
	type cohort struct {
		label                                  string
		shipped, activated, before, straddling int
	}
	var got []cohort
	for _, c := range a.ByMonth {
		got = append(got, cohort{c.Label, c.Shipped, c.Activated, c.BeforeData, c.Straddling})
	}
	// e4's window (Aug 20 to Sep 19) straddles the data start and holds
	// no row: not activated, and counted as straddling; e3's holds its
	// Sep 3 connect
	if want := []cohort{{"2026-07", 0, 0, 1, 0}, {"2026-08", 2, 1, 1, 1}, {"2026-10", 2, 1, 0, 0}}; !slices.Equal(got, want) {
		t.Errorf("by month %v, want %v", got, want)
	}
	aug := o
	aug.Window = Window{day("2026-08-01"), day("2026-09-01")}
	if a := Compute(d, aug).Activation; a.Shipped != 2 || a.Straddling != 1 {
		t.Errorf("August's window cohort %+v, want 2 shipped, 1 straddling", a.Cohort)
	}
	if !math.IsNaN(a.ByMonth[0].Rate) {
		t.Errorf("July's rate %v: none of its units is in the data", a.ByMonth[0].Rate)
	}
	// July as the window: no value, and why
	o.Window = Window{day("2026-07-01"), day("2026-08-01")}
	if _, why := Compute(d, o).Value(ActivationRate); why != ShippedBeforeData {
		t.Errorf("July's window: %v, want ShippedBeforeData", why)
	}
	// without a data start every unit counts: e1, e2 and e4 as not activated
	o.DataStart = 0
	if a := Compute(d, o).Activation; a.Shipped != 1 || a.BeforeData != 0 || a.Straddling != 0 {
		t.Errorf("no data start: July %+v", a.Cohort)
	}
}

// A unit whose every row is before its shipped_at counts in
// RowsBeforeShipping, of the ShippedWithRows. By hand, shipped Oct 10:
// a connects Oct 5 (counted); b's sequence puts its Oct 12 connect before
// an Oct 5 disconnect, whose effective time is then Oct 12 (not
// counted); c checks in Oct 4 (counted); d connects Oct 11 (not); e has
// no row, f is not in the devices input (neither is counted at all).
func TestRowsBeforeShipping(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Activity = true, true, true
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		d.AddDevice([]byte(id), day("2026-10-10"), nil)
	}
	d.AddEvent([]byte("a"), day("2026-10-05"), Connected)
	d.AddSequencedEvent([]byte("b"), day("2026-10-12"), Connected, []byte("1"), 0)
	d.AddSequencedEvent([]byte("b"), day("2026-10-05"), Disconnected, []byte("2"), 0)
	d.AddActivity([]byte("c"), day("2026-10-04"))
	d.AddEvent([]byte("d"), day("2026-10-11"), Connected)
	d.AddEvent([]byte("f"), day("2026-10-01"), Connected)
	u := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, ActivationWindow: 30 * 86_400e6}).Uptime
	if u.ShippedWithRows != 4 || u.RowsBeforeShipping != 2 {
		t.Errorf("shipped with rows %d, rows before shipping %d; want 4, 2", u.ShippedWithRows, u.RowsBeforeShipping)
	}
}

// Activation by profile: the devices' model values name profiles
// (Options.Models; two values may name one profile); a value that names
// none, or no model, leaves a device in the fleet's cohorts only, and a
// profile without a shipped device is left out. By hand, from the devices
// of TestActivation: lora = d1 (October, activated), d2 (October, not),
// d5 (September, activated); valve = d4 (October, not); d3 "PUCK-9"
// names none.
func TestActivationByProfile(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Activity = true, true, true
	ship := func(dev, at, model string) {
		d.AddDevice([]byte(dev), day(at), nil)
		d.SetModel([]byte(dev), []byte(model))
	}
	ship("d1", "2026-10-05", "LORA")
	d.AddEvent([]byte("d1"), day("2026-10-20"), Connected)
	ship("d2", "2026-10-05", "LORA-EU")
	d.AddEvent([]byte("d2"), day("2026-09-28"), Connected) // before shipping
	ship("d3", "2026-10-10", "PUCK-9")
	d.AddActivity([]byte("d3"), day("2026-11-05"))
	ship("d4", "2026-10-31", "VALVE")
	d.AddEvent([]byte("d4"), day("2026-11-30"), Connected) // 30 days later: outside
	d.AddEvent([]byte("d4"), day("2026-12-01"), Disconnected)
	ship("d5", "2026-09-15", "LORA")
	d.AddEvent([]byte("d5"), day("2026-09-20"), Connected)

	models := map[string]Mode{"LORA": {Profile: "lora"}, "LORA-EU": {Profile: "lora"}, "VALVE": {Profile: "valve"}, "HUB": {Profile: "hub"}}
	a := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, ActivationWindow: 30 * 86_400e6, Models: models}).Activation
	if a.Shipped != 4 || a.Activated != 2 {
		t.Errorf("fleet cohort %+v, want 2 of 4 as without models", a.Cohort)
	}
	if len(a.ByProfile) != 2 {
		t.Fatalf("by profile %+v, want lora and valve (hub has no device)", a.ByProfile)
	}
	lora, valve := a.ByProfile[0], a.ByProfile[1]
	if lora.Profile != "lora" || lora.Shipped != 2 || lora.Activated != 1 || !lora.Mature {
		t.Errorf("lora window cohort %+v, want 1 of 2, mature", lora)
	}
	near(t, "lora rate", lora.Rate, 0.5)
	want := []Cohort{{Label: "2026-09", Shipped: 1, Activated: 1, Rate: 1, Mature: true}, {Label: "2026-10", Shipped: 2, Activated: 1, Rate: 0.5, Mature: true}}
	if !reflect.DeepEqual(lora.ByMonth, want) {
		t.Errorf("lora by month %+v, want %+v", lora.ByMonth, want)
	}
	if valve.Profile != "valve" || valve.Shipped != 1 || valve.Activated != 0 || len(valve.ByMonth) != 1 || valve.ByMonth[0].Shipped != 1 {
		t.Errorf("valve %+v, want 0 of 1 in 2026-10", valve)
	}
	near(t, "valve rate", valve.Rate, 0)
}

func TestOTA(t *testing.T) {
	d := NewData()
	d.Has.OTA = true
	row := func(dev, job string, class int, at string) { d.AddOTA([]byte(dev), []byte(job), class, day(at)) }
	row("d1", "job1", OTAPending, "2026-10-02")
	row("d1", "job1", OTAFailure, "2026-10-03")
	row("d1", "job1", OTASuccess, "2026-10-04") // retry succeeded: success
	row("d2", "job1", OTASuccess, "2026-10-03")
	row("d2", "job1", OTAFailure, "2026-10-05") // latest row is a failure
	row("d3", "job1", OTAFailure, "2026-10-06")
	row("d3", "job1", OTASuccess, "2026-10-06") // same timestamp: the later row wins
	row("d4", "job1", OTAExcluded, "2026-10-07")
	row("d5", "job2", OTAPending, "2026-10-08")
	row("d6", "job2", OTASuccess, "2026-09-30") // final row outside the window
	row("d7", "job2", OTASuccess, "2026-10-09")
	row("d7", "job2", OTAPending, "2026-10-01") // older row arriving later in the file

	o := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}}).OTA
	if o.Success != 3 || o.Failure != 1 || o.Excluded != 1 || o.Pending != 1 {
		t.Errorf("totals %+v", o.OTAJob)
	}
	near(t, "rate", o.Rate, 0.75)
	if len(o.Jobs) != 2 {
		t.Fatalf("jobs %+v", o.Jobs)
	}
	near(t, "job1", o.Jobs[0].Rate, 2.0/3)
	near(t, "job2", o.Jobs[1].Rate, 1)
}

// OTA by profile: a unit counts in the profile its device's model value
// names; a device without a model, or not in the devices input, counts
// in the fleet's total only. By hand: lora = d1 job1 success, d2 job1
// failure, d2 job2 success (2 of 3); valve = d3 job1 pending (no rate;
// its job2 success is before the window); d4 (no model) and d5 (not
// listed) only in the fleet: 3 successes, 2 failures, 1 pending.
func TestOTAByProfile(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.OTA = true, true
	for _, dv := range [][2]string{{"d1", "LORA"}, {"d2", "LORA-EU"}, {"d3", "VALVE"}, {"d4", ""}} {
		d.AddDevice([]byte(dv[0]), day("2026-09-01"), nil)
		if dv[1] != "" {
			d.SetModel([]byte(dv[0]), []byte(dv[1]))
		}
	}
	row := func(dev, job string, class int, at string) { d.AddOTA([]byte(dev), []byte(job), class, day(at)) }
	row("d1", "job1", OTASuccess, "2026-10-02")
	row("d2", "job1", OTAFailure, "2026-10-03")
	row("d2", "job2", OTASuccess, "2026-10-04")
	row("d3", "job1", OTAPending, "2026-10-05")
	row("d3", "job2", OTASuccess, "2026-09-30")
	row("d4", "job1", OTAFailure, "2026-10-06")
	row("d5", "job1", OTASuccess, "2026-10-07")
	models := map[string]Mode{"LORA": {Profile: "lora"}, "LORA-EU": {Profile: "lora"}, "VALVE": {Profile: "valve"}, "HUB": {Profile: "hub"}}
	o := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, Models: models}).OTA
	if o.Success != 3 || o.Failure != 2 || o.Pending != 1 {
		t.Errorf("fleet %+v, want 3 successes, 2 failures, 1 pending", o.OTAJob)
	}
	if len(o.ByProfile) != 2 {
		t.Fatalf("by profile %+v, want lora and valve (hub has no unit)", o.ByProfile)
	}
	lora, valve := o.ByProfile[0], o.ByProfile[1]
	if lora.Profile != "lora" || lora.Success != 2 || lora.Failure != 1 || lora.Pending != 0 {
		t.Errorf("lora %+v", lora)
	}
	near(t, "lora rate", lora.Rate, 2.0/3)
	if valve.Profile != "valve" || valve.Pending != 1 || valve.Success+valve.Failure != 0 || !math.IsNaN(valve.Rate) {
		t.Errorf("valve %+v, want one pending unit and no rate", valve)
	}
}

func TestCustomerHealth(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Usage, d.Has.Tickets = true, true, true, true
	w := Window{day("2026-10-01"), day("2026-11-01")}
	mid := day("2026-10-16") + 12*3600e6 // the window's midpoint
	d.AddDevice([]byte("a1"), day("2026-09-01"), []byte("acme"))
	d.AddDevice([]byte("a2"), day("2026-09-01"), []byte("acme"))
	d.AddDevice([]byte("a3"), day("2026-11-15"), []byte("acme")) // ships after the window: not counted
	d.AddDevice([]byte("b1"), day("2026-09-01"), []byte("bolt"))
	d.AddEvent([]byte("a1"), day("2026-09-02"), Connected)
	d.AddEvent([]byte("a2"), day("2026-09-02"), Connected)
	d.AddEvent([]byte("a2"), mid, Disconnected)
	d.AddEvent([]byte("b1"), day("2026-09-02"), Connected)
	d.AddUsage([]byte("a1"), day("2026-10-03"))
	d.AddUsage([]byte("a2"), day("2026-09-03")) // before the window
	d.AddUsage([]byte("b1"), day("2026-10-04"))
	d.AddTicket([]byte("acme"), day("2026-10-10"))
	d.AddTicket([]byte("bolt"), day("2026-11-10")) // after the window

	cs := Compute(d, Options{Window: w, Health: DefaultHealth()}).Customers
	if len(cs) != 2 || cs[0].Customer != "acme" || cs[1].Customer != "bolt" {
		t.Fatalf("customers %+v", cs)
	}
	acme, bolt := cs[0], cs[1]
	// acme: uptime 75% → 0; usage 1 of 2 devices = 50% → 40; tickets 1 per 2
	// devices = 50 per 100 → 0; score (40·0 + 35·40 + 25·0)/100 = 14 → red
	near(t, "acme uptime", *acme.Uptime, 0.75)
	near(t, "acme usage score", *acme.UsageScore, 40)
	near(t, "acme tickets per 100", *acme.TicketsPer100, 50)
	near(t, "acme score", acme.Score, 14)
	if acme.Band != "red" || acme.Devices != 2 {
		t.Errorf("acme %+v", acme)
	}
	near(t, "bolt score", bolt.Score, 100)
	if bolt.Band != "green" {
		t.Errorf("bolt band %s", bolt.Band)
	}

	// Without tickets and usage inputs, the score renormalises over uptime.
	d.Has.Usage, d.Has.Tickets = false, false
	cs = Compute(d, Options{Window: w, Health: DefaultHealth()}).Customers
	if cs[0].Usage != nil || cs[0].TicketsPer100 != nil {
		t.Errorf("components without inputs must be absent: %+v", cs[0])
	}
	near(t, "acme uptime-only score", cs[0].Score, 0)
	near(t, "bolt uptime-only score", cs[1].Score, 100)
}

func TestHealthBands(t *testing.T) {
	c := Component{Bad: 10, Good: 1}
	near(t, "lower is better", c.Normalize(5.5), 50)
	near(t, "clamped", c.Normalize(0), 100)
	near(t, "clamped low", c.Normalize(20), 0)
}

func TestMonthlySeries(t *testing.T) {
	d := NewData()
	d.Has.Events = true
	// connected from 15 Aug; disconnected 1 Oct 00:00; connected again 16 Oct
	d.AddEvent([]byte("x"), day("2026-08-15"), Connected)
	d.AddEvent([]byte("x"), day("2026-10-01"), Disconnected)
	d.AddEvent([]byte("x"), day("2026-10-16"), Connected)
	d.AddEvent([]byte("y"), day("2026-09-10"), Connected) // unknown before, then always up
	// the data is known to the end of October (as of 1 Nov)
	r := Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SeriesMonths: 3, AsOf: day("2026-11-01")})
	if len(r.Months) != 3 || r.Months[0].Label != "2026-08" || r.Months[2].Label != "2026-10" {
		t.Fatalf("months %+v", r.Months)
	}
	// August: x observed and connected 17 days; y unknown
	near(t, "aug uptime", r.Months[0].Uptime, 1)
	if r.Months[0].MAD != 1 || r.Months[1].MAD != 2 || r.Months[2].MAD != 2 {
		t.Errorf("MAD by month %d %d %d", r.Months[0].MAD, r.Months[1].MAD, r.Months[2].MAD)
	}
	// October: x up 16 of 31 days, y up 31 of 31
	near(t, "oct uptime", r.Months[2].Uptime, (16.0+31)/62)
	// without as-of, the horizon is the last row (16 Oct): x down 15 of
	// 15 days, y up 15 of 15
	r = Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SeriesMonths: 3})
	near(t, "oct uptime to the horizon", r.Months[2].Uptime, 0.5)
}

// Compute must not depend on the number of CPUs: it used to collect worker
// results through a channel of 16 and hung with more workers than that.
func TestComputeWithManyWorkers(t *testing.T) {
	old := runtime.GOMAXPROCS(40)
	defer runtime.GOMAXPROCS(old)
	d := NewData()
	d.Has.Events = true
	for i := range 50_000 {
		d.AddEvent(fmt.Appendf(nil, "d%d", i), day("2026-10-02"), Connected)
	}
	done := make(chan Report)
	go func() {
		done <- Compute(d, Options{Window: Window{day("2026-10-01"), day("2026-11-01")}, SLO: 0.99, AsOf: day("2026-11-01")})
	}()
	select {
	case r := <-done:
		if r.Uptime.Devices != 50_000 || r.MAD.Value != 50_000 {
			t.Errorf("devices %d, MAD %d", r.Uptime.Devices, r.MAD.Value)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Compute hung with 40 workers")
	}
}

func TestInterner(t *testing.T) {
	var in Interner
	for _, c := range []struct {
		s     string
		want  int32
		added bool
	}{{"a", 0, true}, {"b", 1, true}, {"a", 0, false}, {"", 2, true}, {"b", 1, false}} {
		i, added := in.Index([]byte(c.s))
		if i != c.want || added != c.added {
			t.Errorf("Index(%q) = %d, %v; want %d, %v", c.s, i, added, c.want, c.added)
		}
	}
	if i, ok := in.Lookup("b"); !ok || i != 1 || in.Len() != 3 || in.Names[2] != "" {
		t.Errorf("Lookup(b) = %d, %v; Len %d; Names %q", i, ok, in.Len(), in.Names)
	}
	if _, ok := in.Lookup("c"); ok {
		t.Error("Lookup(c) found an unknown string")
	}
}

// Compute may be called concurrently on the same Data, frozen or not (run
// with -race): the one-time ordering is guarded and the rest only reads.
func TestConcurrentCompute(t *testing.T) {
	d := NewData()
	d.Has.Events = true
	for i := range 200 {
		dev := []byte{byte('a' + i%26), byte('a' + i/26)}
		d.AddEvent(dev, h(float64(12-i%7)), Connected) // out of order
		d.AddEvent(dev, h(float64(15+i%3)), Disconnected)
	}
	o := Options{Window: Window{h(10), h(20)}, SLO: 0.99}
	var wg sync.WaitGroup
	results := make([]Report, 4)
	for k := range results {
		wg.Go(func() { results[k] = Compute(d, o) })
	}
	wg.Wait()
	for k := range results {
		// printed, so that NaN (a mode without devices) equals NaN
		if got, want := fmt.Sprintf("%+v %+v %+v", *results[k].Uptime, *results[k].MAD, results[k].Months), fmt.Sprintf("%+v %+v %+v", *results[0].Uptime, *results[0].MAD, results[0].Months); got != want {
			t.Errorf("call %d differs from call 0", k)
		}
	}
	if results[0].Uptime.Devices != 200 {
		t.Errorf("devices %d, want 200", results[0].Uptime.Devices)
	}
}

// Grouping in place gives every device the same rows as grouping into a
// new array, for device counts on both sides of the 256-bucket first level.
func TestGroupInPlaceMatchesCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 256, 257, 1000, 100_003} {
		rows := n*3 + 11
		devs, vals := make([]int32, rows), make([]int64, rows)
		for i := range rows {
			devs[i] = int32(rng.IntN(n))
			vals[i] = rng.Int64()
		}
		// two segments take the copying path
		h := rows / 2
		want := group(make([][]int64, n), []segment{{slices.Clone(devs[:h]), slices.Clone(vals[:h])}, {slices.Clone(devs[h:]), slices.Clone(vals[h:])}})
		got := groupInPlace(n, segment{devs, vals})
		for d := range n {
			a, b := slices.Clone(want[d]), slices.Clone(got[d])
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("n=%d device %d: %v, want %v", n, d, b, a)
			}
		}
	}
}

// The interner numbers like a map would, across table growth and for keys
// too long to live inline.
// Index and IndexString (a merge's way) number like a map, with Reserve
// growing the table ahead now and then.
func TestInternerAgainstMap(t *testing.T) {
	var in Interner
	want := map[string]int32{}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200_000 {
		if rng.IntN(20_000) == 0 {
			in.Reserve(rng.IntN(50_000))
		}
		var key string
		switch rng.IntN(10) {
		case 0:
			key = fmt.Sprintf("a-very-long-device-identifier-%08d", rng.IntN(5000)) // > inlineKey
		case 1:
			key = fmt.Sprintf("%d", rng.IntN(300))
		default:
			key = fmt.Sprintf("dripsensor-lora-%06d", rng.IntN(60_000))
		}
		w, seen := want[key]
		if !seen {
			w = int32(len(want))
			want[key] = w
		}
		var got int32
		var added bool
		if rng.IntN(2) == 0 {
			got, added = in.Index([]byte(key))
		} else {
			got, added = in.IndexString(key)
		}
		if got != w || added == seen {
			t.Fatalf("Index(%q) = %d, %v; want %d, %v", key, got, added, w, !seen)
		}
	}
	for key, w := range want {
		if got, ok := in.Lookup(key); !ok || got != w || in.Names[w] != key {
			t.Fatalf("Lookup(%q) = %d, %v; want %d", key, got, ok, w)
		}
	}
	if _, ok := in.Lookup("dripsensor-lora-999999"); ok || in.Len() != len(want) {
		t.Errorf("unknown key found, or Len %d ≠ %d", in.Len(), len(want))
	}
}

// Keys hashed a batch at a time and looked up afterwards (the parallel
// reader's way) number like a map too: a hash taken before the table grew
// still finds its key's slot, and a batch may repeat a key it adds.
func TestInternerBatchedAgainstMap(t *testing.T) {
	var in Interner
	want := map[string]int32{}
	rng := rand.New(rand.NewPCG(7, 8))
	batch := make([][]byte, 0, 32)
	hashes := make([]uint64, 0, 32)
	var sink uint8
	for round := range 8_000 {
		batch, hashes = batch[:0], hashes[:0]
		for range 1 + round%32 {
			var key string
			switch rng.IntN(10) {
			case 0:
				key = fmt.Sprintf("a-very-long-device-identifier-%08d", rng.IntN(5000))
			default:
				key = fmt.Sprintf("dripsensor-lora-%06d", rng.IntN(60_000))
			}
			h := in.Hash([]byte(key))
			sink |= in.Touch(h)
			batch, hashes = append(batch, []byte(key)), append(hashes, h)
		}
		for i, key := range batch {
			w, seen := want[string(key)]
			if !seen {
				w = int32(len(want))
				want[string(key)] = w
			}
			got, added := in.IndexHashed(key, hashes[i])
			if got != w || added == seen {
				t.Fatalf("round %d: IndexHashed(%q) = %d, %v; want %d, %v", round, key, got, added, w, !seen)
			}
		}
	}
	for key, w := range want {
		if got, ok := in.Lookup(key); !ok || got != w {
			t.Fatalf("Lookup(%q) = %d, %v; want %d", key, got, ok, w)
		}
	}
	_ = sink
}

// Renumber merges one table into another as Index one name at a time
// would: names both have keep the destination's number, new ones follow
// in the source's order; long keys (kept in the map) too; into an empty
// table and from one.
func TestInternerRenumber(t *testing.T) {
	name := func(i int) string {
		if i%7 == 0 {
			return fmt.Sprintf("a-very-long-device-identifier-%08d", i)
		}
		return fmt.Sprintf("dripsensor-lora-%06d", i)
	}
	for _, c := range []struct{ dst, src [2]int }{
		{[2]int{0, 5000}, [2]int{2500, 9000}}, // overlapping
		{[2]int{0, 0}, [2]int{0, 100}},        // into an empty table
		{[2]int{0, 100}, [2]int{0, 0}},        // from an empty one
		{[2]int{0, 40}, [2]int{40, 3000}},     // disjoint, the table grows
	} {
		var dst, src, want Interner
		for i := c.dst[0]; i < c.dst[1]; i++ {
			dst.Index([]byte(name(i)))
			want.Index([]byte(name(i)))
		}
		for i := c.src[1] - 1; i >= c.src[0]; i-- { // src's own order: descending
			src.Index([]byte(name(i)))
		}
		m := dst.Renumber(&src)
		if len(m) != src.Len() {
			t.Fatalf("%v: %d numbers for %d names", c, len(m), src.Len())
		}
		for i, n := range src.Names {
			w, _ := want.Index([]byte(n))
			if m[i] != w {
				t.Fatalf("%v: %q renumbered %d, want %d", c, n, m[i], w)
			}
			if got, ok := dst.Lookup(n); !ok || got != w {
				t.Fatalf("%v: Lookup(%q) = %d, %v after Renumber; want %d", c, n, got, ok, w)
			}
		}
		if !slices.Equal(dst.Names, want.Names) {
			t.Errorf("%v: names differ from one-by-one indexing", c)
		}
	}
}

func BenchmarkInterner(b *testing.B) {
	keys := make([][]byte, 100_000)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "dripsensor-lora-%06d", i)
	}
	var in Interner
	for _, k := range keys {
		in.Index(k)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	order := make([]int, 1<<20)
	for i := range order {
		order[i] = rng.IntN(len(keys))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in.Index(keys[order[i&(len(order)-1)]])
	}
}

// The same lookups in a Go map, side by side with BenchmarkInterner.
func BenchmarkInternerGoMap(b *testing.B) {
	keys := make([][]byte, 100_000)
	m := map[string]int32{}
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "dripsensor-lora-%06d", i)
		m[string(keys[i])] = int32(i)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	order := make([]int, 1<<20)
	for i := range order {
		order[i] = rng.IntN(len(keys))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_ = m[string(keys[order[i&(len(order)-1)]])]
	}
}

// A device table adopted from a reader gives d what adding its ids one by
// one gives: every per-device slice as long as the table, the same numbers
// and the same defaults.
func TestAdoptDevicesSameAsAdding(t *testing.T) {
	var in Interner
	added := NewData()
	for i := range 1000 {
		id := []byte(fmt.Sprintf("drip-%04d", (i*37)%700))
		in.Index(id)
		added.DeviceIndex(id)
	}
	adopted := NewData()
	if !adopted.AdoptDevices(&in) || in.Len() != 0 {
		t.Fatal("an empty Data did not adopt the table, or the reader kept it")
	}
	if adopted.AdoptDevices(&Interner{}) {
		t.Error("a Data with devices adopted a second table")
	}
	a, b := reflect.ValueOf(added).Elem(), reflect.ValueOf(adopted).Elem()
	for i := range a.NumField() {
		if a.Field(i).Kind() != reflect.Slice {
			continue
		}
		name := a.Type().Field(i).Name
		if a.Field(i).Len() != b.Field(i).Len() {
			t.Errorf("%s: %d entries adding, %d adopting", name, a.Field(i).Len(), b.Field(i).Len())
			continue
		}
		for k := range a.Field(i).Len() {
			if x, y := fmt.Sprint(a.Field(i).Index(k)), fmt.Sprint(b.Field(i).Index(k)); x != y {
				t.Errorf("%s[%d]: %v adding, %v adopting", name, k, a.Field(i).Index(k), b.Field(i).Index(k))
				break
			}
		}
	}
	for k, name := range added.devices.Names {
		if got, ok := adopted.devices.Lookup(name); !ok || got != int32(k) {
			t.Fatalf("%s: number %d, %v; want %d", name, got, ok, k)
		}
	}
}

// WithoutSparse scores a customer again without its sparse devices, by
// hand with the default health (uptime bad 95%, good 99.5%, weight 40;
// tickets weight 25; red ≤ 50 < yellow ≤ 75): 45 of 60 h connected, 15
// of 30 h of it a sparse device's. Uptime alone: 75% scores 0 (red);
// without it 30 of 30 h, 100 (green). With a tickets score of 100:
// (40·0 + 25·100) / 65 = 38.46 (red), without (40·100 + 25·100) / 65 =
// 100. No sparse device, or only sparse time: not ok.
func TestWithoutSparse(t *testing.T) {
	h := DefaultHealth()
	score := func(x float64) *float64 { return &x }
	c := CustomerHealth{Customer: "a", ConnectedUS: 45, ObservedUS: 60, Sparse: SparseUptime{Devices: 1, ConnectedUS: 15, ObservedUS: 30},
		UptimeScore: score(0), UptimeWeight: 40, Score: 0, Band: "red"}
	if s, band, ok := h.WithoutSparse(c); !ok || s != 100 || band != "green" {
		t.Errorf("uptime alone: %v %s %v, want 100 green", s, band, ok)
	}
	c.TicketsScore, c.TicketsWeight = score(100), 25
	if s, band, ok := h.WithoutSparse(c); !ok || s != 100 || band != "green" {
		t.Errorf("with tickets: %v %s %v, want 100 green", s, band, ok)
	}
	// all of its observed time theirs: scored on the other components,
	// as a customer without observed time is
	c.Sparse.ObservedUS = 60
	if s, band, ok := h.WithoutSparse(c); !ok || s != 100 || band != "green" {
		t.Errorf("only sparse time, with tickets: %v %s %v, want 100 green", s, band, ok)
	}
	c.TicketsScore, c.TicketsWeight = nil, 0
	if s, band, ok := h.WithoutSparse(c); !ok || !math.IsNaN(s) || band != "none" {
		t.Errorf("only sparse time, uptime alone: %v %s %v, want NaN none", s, band, ok)
	}
	c.UptimeScore = nil
	if _, _, ok := h.WithoutSparse(c); ok {
		t.Error("no uptime component: ok, want not")
	}
	c.UptimeScore = score(0)
	c.Sparse = SparseUptime{}
	if _, _, ok := h.WithoutSparse(c); ok {
		t.Error("no sparse device: ok, want not")
	}
}

// CheckinInterval, by hand (P = 1 h, reach 1.5 h, over 336 h):
//   - two devices every 80 min: 252 check-ins each, each reachable 80 min
//     up to the next, no stretch: 2 · 20,160 min / 504 = 80 min;
//   - one hourly, one losing every third: 336 + 224 check-ins, 112
//     stretches of 30 min after a reach of 1.5 h, connected 336 + 280 h:
//     (616 h − 112 · 1.5 h) / 448 = 1 h, whatever it loses;
//   - 30 check-ins with 10 stretches leave 20 to estimate from; 29, 19:
//     none.
func TestCheckinInterval(t *testing.T) {
	const hour, minute = int64(3_600_000_000), int64(60_000_000)
	for _, c := range []struct {
		name string
		m    ModeUptime
		want float64 // µs; 0: no estimate
	}{
		{"every 80 min", ModeUptime{ConnectedUS: 2 * 20_160 * minute, Checkins: 504}, float64(80 * minute)},
		{"hourly, a third lost", ModeUptime{ConnectedUS: 616 * hour, Checkins: 560, Stretches: 112}, float64(hour)},
		{"20 to estimate from", ModeUptime{ConnectedUS: 20*hour + 10*hour*3/2, Checkins: 30, Stretches: 10}, float64(hour)},
		{"19", ModeUptime{ConnectedUS: 19*hour + 10*hour*3/2, Checkins: 29, Stretches: 10}, 0},
	} {
		got, ok := CheckinInterval(c.m, hour*3/2)
		if ok != (c.want > 0) || math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s: %v %v, want %v", c.name, got, ok, c.want)
		}
	}
}

// DailyDown on stretches worked by hand: weights in hours, angles from
// DailyAngle of their start times.
func TestDailyDown(t *testing.T) {
	at := func(clock string) int64 { return time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC).UnixMicro() + hm(clock) }
	sum := func(starts []string, weight float64) (n int, w, c, s float64) {
		for _, st := range starts {
			a := DailyAngle(at(st))
			n, w, c, s = n+1, w+weight, c+weight*math.Cos(a), s+weight*math.Sin(a)
		}
		return
	}
	repeat := func(clock string, k int) []string { return slices.Repeat([]string{clock}, k) }
	for _, c := range []struct {
		name   string
		starts []string
		want   bool
	}{
		// 14 stretches at 01:30: resultant = weight
		{"14 at one time", repeat("01:30", 14), true},
		{"13 at one time", repeat("01:30", 13), false},
		// 7 at 00:00 and 7 at 12:00 cancel out: resultant 0
		{"opposite times", append(repeat("00:00", 7), repeat("12:00", 7)...), false},
		// 7 at 23:00 and 7 at 01:00: resultant cos 15° = 0.966 of the weight
		{"two hours apart across midnight", append(repeat("23:00", 7), repeat("01:00", 7)...), true},
		// 7 at 22:00 and 7 at 02:00: cos 30° = 0.866
		{"four hours apart", append(repeat("22:00", 7), repeat("02:00", 7)...), true},
		// 7 at 21:00 and 7 at 03:00: cos 45° = 0.707 < 0.8
		{"six hours apart", append(repeat("21:00", 7), repeat("03:00", 7)...), false},
	} {
		n, w, cs, sn := sum(c.starts, 4.5*3600e6)
		if got := DailyDown(n, w, cs, sn); got != c.want {
			t.Errorf("%s: DailyDown = %v, want %v (n %d, resultant %.4f of the weight)", c.name, got, c.want, n, math.Hypot(cs, sn)/w)
		}
	}
	if a := DailyAngle(at("06:00")); math.Abs(a-math.Pi/2) > 1e-15 {
		t.Errorf("DailyAngle(06:00) = %v, want π/2", a)
	}
	if a := DailyAngle(-3600e6 * 18); math.Abs(a-math.Pi/2) > 1e-15 {
		t.Errorf("DailyAngle(1969-12-31T06:00) = %v, want π/2 (times before the epoch wrap)", a)
	}
}
