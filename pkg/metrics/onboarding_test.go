package metrics

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// funnel4 is the funnel of the hand-computed cases: steps a, b, c, d;
// an attempt lasts an hour; the target is 3 minutes.
func funnel4() *Funnel {
	return &Funnel{Steps: []string{"a", "b", "c", "d"}, Match: [][]string{{"a"}, {"b"}, {"c"}, {"d"}},
		Fold: strings.ToLower, Within: 3600e6, Target: 180e6}
}

// t0 is Monday 2026-10-05 12:00 UTC (ISO week 41); s(x) is x seconds later.
var t0 = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC).UnixMicro()

func s(x float64) int64 { return t0 + int64(x*1e6) }

func setupData(rows [][3]any) *Data {
	d := NewData()
	d.Has.Onboarding = true
	for _, r := range rows {
		d.AddSetupEvent([]byte(r[0].(string)), []byte(r[1].(string)), r[2].(int64), nil, nil)
	}
	return d
}

func october() Window {
	return Window{From: day("2026-10-01"), To: day("2026-11-01")}
}

func TestOnboardingByHand(t *testing.T) {
	d := setupData([][3]any{
		// u1: in order, 150 s
		{"u1", "a", s(0)}, {"u1", "b", s(30)}, {"u1", "c", s(60)}, {"u1", "d", s(150)},
		// u2: c before b — c is not reached; b then d: stays at b
		{"u2", "a", s(0)}, {"u2", "c", s(20)}, {"u2", "b", s(40)}, {"u2", "d", s(60)},
		// u3: gives up at b; 2 h later a new attempt completes in 200 s
		{"u3", "a", s(0)}, {"u3", "b", s(10)},
		{"u3", "a", s(7200)}, {"u3", "b", s(7210)}, {"u3", "c", s(7220)}, {"u3", "d", s(7400)},
		// u4: a second a inside the hour is the same attempt: 480 s from the first
		{"u4", "a", s(0)}, {"u4", "a", s(300)}, {"u4", "b", s(360)}, {"u4", "c", s(420)}, {"u4", "d", s(480)},
		// u5: b at the same instant as a: counted as after it; 100 s
		{"u5", "b", s(0)}, {"u5", "a", s(0)}, {"u5", "c", s(10)}, {"u5", "d", s(100)},
		// u6: only a
		{"u6", "a", s(0)},
		// u7: no first step: no attempt
		{"u7", "b", s(0)}, {"u7", "c", s(5)},
		// u8: an attempt starting before the window is not the window's
		{"u8", "a", day("2026-09-30") + 23*3600e6 + 30*60e6}, {"u8", "b", day("2026-10-01") + 600e6},
		// not a step
		{"u1", "App Opened", s(-5)}, {"u2", "App Opened", s(-5)}, {"u1", "Screen", s(-5)},
	})
	o := Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-05")}
	r := Compute(d, o).Onboarding
	if r == nil {
		t.Fatal("no onboarding result")
	}
	// 7 attempts: u1, u2, u3 (2), u4, u5, u6
	wantReach := []int{7, 6, 4, 4}
	for i, st := range r.Steps {
		if st.Attempts != wantReach[i] {
			t.Errorf("step %s reached by %d attempts, want %d", st.Name, st.Attempts, wantReach[i])
		}
	}
	near(t, "b from previous", r.Steps[1].FromPrevious, 6.0/7)
	near(t, "c from previous", r.Steps[2].FromPrevious, 4.0/6)
	near(t, "d from first", r.Steps[3].FromFirst, 4.0/7)
	if r.Steps[1].DropOff != 1 || r.Steps[2].DropOff != 2 || r.Steps[3].DropOff != 0 {
		t.Errorf("drop-offs %+v", r.Steps)
	}
	if r.Attempts != 7 || r.Completed != 4 {
		t.Errorf("attempts %d completed %d, want 7 and 4", r.Attempts, r.Completed)
	}
	near(t, "completion", r.Completion, 4.0/7)
	// times to pair: 100, 150, 200, 480 s; median the 2nd, p90 the 4th
	if r.Median != 150e6 || r.P90 != 480e6 {
		t.Errorf("median %d p90 %d, want 150 s and 480 s", r.Median, r.P90)
	}
	near(t, "within target", r.WithinTarget, 0.5)
	if r.Users != 6 || r.UsersCompleted != 4 || r.Retried != 1 {
		t.Errorf("users %d completed %d retried %d, want 6, 4, 1", r.Users, r.UsersCompleted, r.Retried)
	}
	if r.SameInstant != 1 {
		t.Errorf("same instant %d, want 1 (u5)", r.SameInstant)
	}
	if r.OtherEvents != 3 || r.OtherExample != "App Opened" {
		t.Errorf("other events %d (%q), want 3 (App Opened)", r.OtherEvents, r.OtherExample)
	}
	if len(r.ByWeek) != 1 || r.ByWeek[0].Label != "2026-W41" || r.ByWeek[0].Attempts != 7 {
		t.Errorf("by week %+v", r.ByWeek)
	}
	if r.BySegment != nil {
		t.Errorf("by segment %+v, want none (no segment column)", r.BySegment)
	}
	if r.Fleet != nil || !strings.Contains(r.FleetNote, "do not name the device") {
		t.Errorf("fleet %+v note %q", r.Fleet, r.FleetNote)
	}
}

func TestOnboardingOpenAttempts(t *testing.T) {
	// the horizon is the latest row (u2's start): u1's attempt closed an
	// hour after its start, before it; u2's is open and left out
	d := setupData([][3]any{
		{"u1", "a", s(0)}, {"u1", "b", s(10)}, {"u1", "c", s(20)}, {"u1", "d", s(30)},
		{"u2", "a", s(7200)},
	})
	r := Compute(d, Options{Window: october(), Funnel: funnel4()}).Onboarding
	if r.Attempts != 1 || r.Open != 1 || r.Completed != 1 || r.Horizon != s(7200) {
		t.Errorf("attempts %d open %d completed %d horizon %d", r.Attempts, r.Open, r.Completed, r.Horizon)
	}
	// as of a time before u2's row, the row is unknown: no open attempt
	r = Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: s(3600)}).Onboarding
	if r.Attempts != 1 || r.Open != 0 {
		t.Errorf("as of 1 h: attempts %d open %d, want 1 and 0", r.Attempts, r.Open)
	}
}

func TestOnboardingNoCompletion(t *testing.T) {
	d := setupData([][3]any{{"u1", "a", s(0)}})
	r := Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
	if r.Median != -1 || r.P90 != -1 || !math.IsNaN(r.WithinTarget) || r.Completion != 0 {
		t.Errorf("no completed attempt: %+v", r.SetupGroup)
	}
	if _, why := (Report{Onboarding: r}).Value(OnboardingP90); why != NoneCompleted {
		t.Errorf("p90 without a completed attempt: %v, want NoneCompleted", why)
	}
	if v, why := (Report{Onboarding: r}).Value(OnboardingCompletion); why != HasValue || v != 0 {
		t.Errorf("completion %v %v, want 0", v, why)
	}
}

func TestNearestRank(t *testing.T) {
	for _, c := range []struct{ n, pct, want int }{
		{10, 90, 9}, {10, 50, 5}, {1, 90, 1}, {11, 90, 10}, {20, 90, 18}, {3, 50, 2}, {4, 50, 2}, {100, 90, 90}, {101, 90, 91},
	} {
		if got := NearestRank(c.n, c.pct); got != c.want {
			t.Errorf("NearestRank(%d, %d) = %d, want %d", c.n, c.pct, got, c.want)
		}
	}
	// p90 of ten attempts taking 10, 20, … 100 s is the 9th: 90 s
	var rows [][3]any
	for i := 1; i <= 10; i++ {
		u := string(rune('a'+i)) + "user"
		rows = append(rows, [3]any{u, "a", s(float64(i * 10000))}, [3]any{u, "b", s(float64(i*10000 + 1))},
			[3]any{u, "c", s(float64(i*10000 + 2))}, [3]any{u, "d", s(float64(i*10000 + i*10))})
	}
	r := Compute(setupData(rows), Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
	if r.P90 != 90e6 || r.Median != 50e6 {
		t.Errorf("p90 %d median %d, want 90 s and 50 s", r.P90, r.Median)
	}
}

func TestOnboardingFleetJoin(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Events, d.Has.Onboarding = true, true, true
	for id, shipped := range map[string]string{"d1": "2026-10-01", "d2": "2026-10-01", "d3": "2026-10-01", "d4": "2026-10-01", "d5": "2026-09-20", "d6": "2026-10-10"} {
		d.AddDevice([]byte(id), day(shipped), nil)
	}
	d.AddEvent([]byte("d1"), day("2026-10-02")+3600e6, Connected)
	d.AddEvent([]byte("d2"), day("2026-10-03"), Connected)
	d.AddEvent([]byte("d5"), day("2026-09-21"), Connected)
	setup := func(user, device string, at int64, complete bool) { addAttempt(d, user, device, at, complete) }
	d.HasSetupDevices = true
	setup("u1", "d1", day("2026-10-02"), true)  // completed, activated
	setup("u3", "d3", day("2026-10-02"), false) // started only
	setup("u4", "d4", day("2026-10-03"), true)  // completed, never connects
	setup("u5", "d5", day("2026-09-20"), true)  // shipped before the window
	setup("u6", "d6", day("2026-10-05"), true)  // before d6 shipped: not its setup
	setup("u9", "zz", day("2026-10-04"), true)  // not in the devices input
	o := Options{Window: october(), Funnel: funnel4(), ActivationWindow: 30 * 86400e6, AsOf: day("2026-11-05")}
	r := Compute(d, o)
	f := r.Onboarding.Fleet
	if f == nil {
		t.Fatalf("no fleet join: %s", r.Onboarding.FleetNote)
	}
	want := SetupFleet{Shipped: 5, Started: 3, Completed: 2, Activated: 2, CompletedNotActivated: 1, ActivatedNotStarted: 1, UnknownDevices: 1, UnknownExample: "zz",
		SetupFrom: day("2026-09-20"), SetupTo: day("2026-11-05"), FleetTo: day("2026-11-05")}
	if *f != want {
		t.Errorf("fleet join %+v, want %+v", *f, want)
	}
	// the join's activated units are the activation rate's
	if r.Activation.Shipped != f.Shipped || r.Activation.Activated != f.Activated {
		t.Errorf("activation %d/%d, join %d/%d: they must add up", r.Activation.Activated, r.Activation.Shipped, f.Activated, f.Shipped)
	}
}

// A database job reads the onboarding rows alone and is given the units
// the join reads (AddJoinUnits): the fleet of TestOnboardingFleetJoin as
// its database gives it — the units shipped in October with their
// activation, and d5, listed and named by an attempt, shipped before —
// makes the same join as the whole Data. Without d5 (a listed unit the
// database left out) the join would count it as unknown.
func TestOnboardingFleetJoinFromUnits(t *testing.T) {
	d := NewData()
	d.Has.Onboarding = true
	d.HasSetupDevices = true
	setup := func(user, device string, at int64, complete bool) { addAttempt(d, user, device, at, complete) }
	setup("u1", "d1", day("2026-10-02"), true)
	setup("u3", "d3", day("2026-10-02"), false)
	setup("u4", "d4", day("2026-10-03"), true)
	setup("u5", "d5", day("2026-09-20"), true)
	setup("u6", "d6", day("2026-10-05"), true)
	setup("u9", "zz", day("2026-10-04"), true)
	if ids := d.SetupDeviceIDs(); !slices.Equal(ids, []string{"d1", "d3", "d4", "d5", "d6", "zz"}) {
		t.Errorf("setup device ids %q", ids)
	}
	d.AddJoinUnits([]JoinUnit{
		{"d1", day("2026-10-01"), day("2026-10-02") + 3600e6}, {"d2", day("2026-10-01"), day("2026-10-03")},
		{"d3", day("2026-10-01"), NoTime}, {"d4", day("2026-10-01"), NoTime}, {"d6", day("2026-10-10"), NoTime},
		{"d5", day("2026-09-20"), NoTime},
	})
	o := Options{Window: october(), Funnel: funnel4(), ActivationWindow: 30 * 86400e6, AsOf: day("2026-11-05")}
	r := d.SetupFunnel(o, day("2026-11-05"))
	want := SetupFleet{Shipped: 5, Started: 3, Completed: 2, Activated: 2, CompletedNotActivated: 1, ActivatedNotStarted: 1, UnknownDevices: 1, UnknownExample: "zz",
		SetupFrom: day("2026-09-20"), SetupTo: day("2026-11-05"), FleetTo: day("2026-11-05")}
	if r.Fleet == nil || *r.Fleet != want {
		t.Errorf("fleet join %+v (%s), want %+v", r.Fleet, r.FleetNote, want)
	}
}

// A gap between the app's story and the fleet's counts only where the
// other input covers it. The onboarding rows run from Oct 5 (an app event
// of no step) to Oct 20 12:00; six units ship on Oct 1.
//
//	d1  set up Oct 6, activated Oct 6      no gap
//	d2  activated Oct 2, no attempt        before the rows start: ActivatedBefore
//	d3  activated Oct 25, no attempt       after their horizon: ActivatedAfter
//	d4  activated Oct 10, no attempt       ActivatedNotStarted
//	d5  set up Oct 8, never activated      CompletedNotActivated
//	d6  set up Oct 20 12:00, not activated after the fleet's horizon when the
//	    fleet's rows end Oct 15 (CompletedAfter); else CompletedNotActivated
//
// Before, d2 and d3 read as activated without setup, and with the fleet's
// rows ending first d6 as completed and never activated.
func TestOnboardingFleetJoinCoverage(t *testing.T) {
	for _, c := range []struct {
		name     string
		fleetEnd int64 // the fleet's last row: d3's connect, or a row of d1's
		want     SetupFleet
	}{
		{"setup rows end first", day("2026-10-25"), SetupFleet{Shipped: 6, Started: 3, Completed: 3, Activated: 4, CompletedNotActivated: 2,
			ActivatedNotStarted: 1, ActivatedBefore: 1, ActivatedAfter: 1, FleetTo: day("2026-10-25")}},
		{"fleet rows end first", day("2026-10-15"), SetupFleet{Shipped: 6, Started: 3, Completed: 3, Activated: 3, CompletedNotActivated: 1,
			CompletedAfter: 1, ActivatedNotStarted: 1, ActivatedBefore: 1, FleetTo: day("2026-10-15")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := NewData()
			d.Has.Devices, d.Has.Events, d.Has.Onboarding = true, true, true
			for _, id := range []string{"d1", "d2", "d3", "d4", "d5", "d6"} {
				d.AddDevice([]byte(id), day("2026-10-01"), nil)
			}
			d.AddEvent([]byte("d1"), day("2026-10-06")+600e6, Connected)
			d.AddEvent([]byte("d2"), day("2026-10-02"), Connected)
			d.AddEvent([]byte("d4"), day("2026-10-10"), Connected)
			if c.fleetEnd == day("2026-10-25") {
				d.AddEvent([]byte("d3"), c.fleetEnd, Connected)
			} else {
				d.AddEvent([]byte("d1"), c.fleetEnd, Disconnected)
			}
			d.HasSetupDevices = true
			d.AddSetupEvent([]byte("u0"), []byte("App Opened"), day("2026-10-05"), nil, nil)
			for _, u := range []struct {
				user, device string
				at           int64
			}{{"u1", "d1", day("2026-10-06")}, {"u5", "d5", day("2026-10-08")}, {"u6", "d6", day("2026-10-20") + 43200e6 - 30e6}} {
				for k, step := range []string{"a", "b", "c", "d"} {
					d.AddSetupEvent([]byte(u.user), []byte(step), u.at+int64(k)*10e6, []byte(u.device), nil)
				}
			}
			o := Options{Window: october(), Funnel: funnel4(), ActivationWindow: 30 * 86400e6}
			r := Compute(d, o)
			f := r.Onboarding.Fleet
			if f == nil {
				t.Fatalf("no fleet join: %s", r.Onboarding.FleetNote)
			}
			want := c.want
			want.SetupFrom, want.SetupTo = day("2026-10-05"), day("2026-10-20")+43200e6
			if *f != want {
				t.Errorf("fleet join\n%+v, want\n%+v", *f, want)
			}
			if r.Activation.Shipped != f.Shipped || r.Activation.Activated != f.Activated {
				t.Errorf("activation %d/%d, join %d/%d: they must add up", r.Activation.Activated, r.Activation.Shipped, f.Activated, f.Shipped)
			}
		})
	}
}

// The join reports how the onboarding rows' device ids match the devices
// input (Joins, for a warning), and a join that matches none is left out
// with why: the ids below are the fleet's in capitals, a wrong column or
// another kind of id, not a fleet in which nobody started setup (it read
// "0 of 2 started").
func TestOnboardingFleetJoinMatchesNone(t *testing.T) {
	d := NewData()
	d.Has.Devices, d.Has.Onboarding = true, true
	d.AddDevice([]byte("d1"), day("2026-10-01"), nil)
	d.AddDevice([]byte("d2"), day("2026-10-01"), nil)
	d.HasSetupDevices = true
	for i, dev := range []string{"D1", "D2"} {
		at := day("2026-10-02") + int64(i)*3600e6
		for k, step := range []string{"a", "b", "c", "d"} {
			d.AddSetupEvent([]byte(dev+"-user"), []byte(step), at+int64(k)*10e6, []byte(dev), nil)
		}
	}
	joins := d.Joins()
	if len(joins) != 1 || joins[0] != (Join{Input: KindOnboarding, IDs: 2, Unknown: 2, SampleUnknown: "D1", SampleKnown: "d1", CaseOnly: 2, CaseSample: [2]string{"D1", "d1"}}) {
		t.Errorf("joins %+v", joins)
	}
	r := Compute(d, Options{Window: october(), Funnel: funnel4(), ActivationWindow: 30 * 86400e6, AsOf: day("2026-11-05")}).Onboarding
	if r.Fleet != nil || !strings.Contains(r.FleetNote, `none of the 2 device ids the onboarding rows name is in the devices input (e.g. "D1" here, "d1" there)`) {
		t.Errorf("fleet %+v note %q", r.Fleet, r.FleetNote)
	}
	if r.Completed != 2 {
		t.Errorf("the funnel stands without the join: completed %d, want 2", r.Completed)
	}
}

func TestOnboardingSegments(t *testing.T) {
	d := NewData()
	d.Has.Onboarding = true
	add := func(u, step string, at int64, seg string) {
		d.AddSetupEvent([]byte(u), []byte(step), at, nil, []byte(seg))
	}
	for i, seg := range []string{"iOS", "iOS", "Android"} {
		u := string(rune('p' + i))
		add(u, "a", s(0), seg)
		add(u, "b", s(1), seg)
		add(u, "c", s(2), seg)
		if seg == "iOS" {
			add(u, "d", s(float64(60*(i+1))), seg)
		}
	}
	r := Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
	if len(r.BySegment) != 2 || r.BySegment[0].Label != "iOS" || r.BySegment[0].Completed != 2 || r.BySegment[0].P90 != 120e6 ||
		r.BySegment[1].Label != "Android" || r.BySegment[1].Completed != 0 || r.BySegment[1].Attempts != 1 {
		t.Errorf("by segment %+v", r.BySegment)
	}
}

// Two rows of the first step at one instant start one attempt, whose
// segment is the first row's in the export: the rows' order decides, as
// nothing else can (40 users: enough rows that an unstable sort moves
// equal ones).
func TestOnboardingSameInstantInRowOrder(t *testing.T) {
	for _, segs := range [][2]string{{"iOS", "Android"}, {"Android", "iOS"}} {
		d := NewData()
		d.Has.Onboarding = true
		for pass := range 2 {
			for u := range 40 {
				d.AddSetupEvent([]byte(fmt.Sprint("u", u)), []byte("a"), s(float64(u%3)), nil, []byte(segs[pass]))
			}
		}
		r := Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
		labels := map[string]int{}
		for _, g := range r.BySegment {
			labels[g.Label] = g.Attempts
		}
		if r.Attempts != 40 || labels[segs[0]] != 40 {
			t.Errorf("rows %v: %d attempts, by segment %v", segs, r.Attempts, labels)
		}
	}
}

// byUser is a stable sort by user, time and step, on events in any order.
func TestByUserIsAStableSort(t *testing.T) {
	var evs []setupEvent
	for i := range 5000 {
		x := uint64(i) * 2654435761
		evs = append(evs, setupEvent{user: int32(x % 97), step: int32(x / 97 % 4), ts: int64(x / 388 % 50), device: int32(i)})
	}
	want := slices.Clone(evs)
	slices.SortStableFunc(want, func(a, b setupEvent) int {
		return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.ts, b.ts), cmp.Compare(a.step, b.step))
	})
	if got := byUser(evs, 97); !slices.Equal(got, want) {
		t.Errorf("byUser differs from a stable sort")
	}
}

// BenchmarkSetupFunnel computes the funnel of 1M onboarding rows: 100k
// users, ten rows each (the four steps, six other events), interleaved in
// time as an export is.
func BenchmarkSetupFunnel(b *testing.B) {
	d := NewData()
	d.Has.Onboarding = true
	names := []string{"a", "b", "c", "d", "screen", "screen", "screen", "screen", "screen", "screen"}
	for i := range 1_000_000 {
		user, pass := i/5000*500+(i%5000)%500, (i%5000)/500
		d.AddSetupEvent([]byte(fmt.Sprintf("u%06d", user)), []byte(names[pass]), s(float64(i)*0.263), nil, nil)
	}
	o := Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-12-01")}
	for b.Loop() {
		r := d.SetupFunnel(o, NoTime)
		if r.Attempts == 0 {
			b.Fatal("no attempts")
		}
	}
}

// With SetFunnel, a row of another app event keeps its name and time only:
// the funnel, its other-event counts and horizon are those of every row
// kept whole; the user of such a row is never interned; two chunks merge
// (MergeSetup) with those rows; and a Compute with another funnel is
// refused rather than counting rows it never kept.
func TestSetFunnelKeepsOtherEventsAsNameAndTime(t *testing.T) {
	rows := []struct {
		user, step string
		at         int64
		device     string
	}{
		{"u1", "A", s(0), "d1"}, {"u1", "Screen Viewed", s(10), "d1"}, {"u1", "b", s(30), "d1"}, {"u1", "c", s(60), "d1"}, {"u1", "d", s(150), "d1"},
		{"u2", "a", s(5), "d2"}, {"u2", "b", s(50), "d2"}, {"lurker", "Screen Viewed", s(70), "d9"}, {"lurker", "Settings", s(4000), ""},
	}
	read := func(f *Funnel, chunks int) *Data {
		d := NewData()
		d.Has.Onboarding = true
		per := (len(rows) + chunks - 1) / chunks
		for c := range chunks {
			part := NewData()
			part.SetFunnel(f)
			for _, r := range rows[c*per : min(len(rows), (c+1)*per)] {
				part.AddSetupEvent([]byte(r.user), []byte(r.step), r.at, []byte(r.device), nil)
			}
			d.MergeSetup(part)
		}
		return d
	}
	f := funnel4()
	o := Options{Window: october(), Funnel: f, AsOf: day("2026-11-01")}
	whole := Compute(read(nil, 1), o).Onboarding
	if whole.Attempts != 2 || whole.Completed != 1 || whole.OtherEvents != 3 || whole.OtherExample != "Screen Viewed" {
		t.Fatalf("kept whole: %+v, %d others (%q)", whole.SetupGroup, whole.OtherEvents, whole.OtherExample)
	}
	for _, chunks := range []int{1, 2, 3} {
		d := read(f, chunks)
		if got := Compute(d, o).Onboarding; !reflect.DeepEqual(got, whole) {
			t.Errorf("%d chunks: funnel %+v, want %+v", chunks, got, whole)
		}
		if ev := d.UserSetupEvents("lurker"); ev != nil {
			t.Errorf("%d chunks: a user of other events only was interned: %v", chunks, ev)
		}
		if ev := d.UserSetupEvents("u1"); len(ev) != 4 {
			t.Errorf("%d chunks: u1's step rows %v, want its 4 steps", chunks, ev)
		}
	}
	// another funnel, one that counts Screen Viewed as a step: refused
	other := funnel4()
	other.Match[1] = append(other.Match[1], "screen viewed")
	defer func() {
		if recover() == nil {
			t.Error("a Compute with another funnel than SetFunnel's was not refused")
		}
	}()
	Compute(read(f, 1), Options{Window: october(), Funnel: other, AsOf: day("2026-11-01")})
}

// Rows added in batches (AddSetupRows, the parallel reader's way) are the
// rows added one at a time: the same numbers for users, devices, steps and
// segments, in the same order, with and without a funnel — a user's device
// changing between rows of one batch included.
func TestAddSetupRowsSameAsOneByOne(t *testing.T) {
	for _, f := range []*Funnel{nil, funnel4()} {
		one, batched := NewData(), NewData()
		one.SetFunnel(f)
		batched.SetFunnel(f)
		steps := []string{"a", "b", "c", "d", "Screen Viewed"}
		var pending []SetupRow
		for i := range 5000 {
			user := []byte(fmt.Sprintf("u-%d", (i*7)%400))
			device := []byte(fmt.Sprintf("dev-%d", (i*7)%400+(i/1700)*1000)) // every user changes device twice
			if i%11 == 0 {
				device = nil
			}
			segment := []byte([]string{"iOS", "Android", ""}[i%3])
			step := []byte(steps[(i/3)%len(steps)])
			one.AddSetupRow(one.SetupStep(step), user, s(float64(i)), device, segment)
			pending = append(pending, SetupRow{Step: batched.SetupStep(step), User: user, TS: s(float64(i)), Device: device, Segment: segment})
			if len(pending) == 1+i%32 {
				batched.AddSetupRows(pending)
				pending = pending[:0]
			}
		}
		batched.AddSetupRows(pending)
		if !reflect.DeepEqual(one.setup, batched.setup) || !reflect.DeepEqual(one.setupUsers.Names, batched.setupUsers.Names) ||
			!reflect.DeepEqual(one.setupDevices.Names, batched.setupDevices.Names) || !reflect.DeepEqual(one.setupSegments.Names, batched.setupSegments.Names) {
			t.Fatalf("funnel %v: batched rows differ from rows one by one (%d vs %d rows, %d vs %d users, %d vs %d devices)", f != nil,
				len(one.setup), len(batched.setup), one.setupUsers.Len(), batched.setupUsers.Len(), one.setupDevices.Len(), batched.setupDevices.Len())
		}
		if one.setupDevices.Len() < 800 {
			t.Fatalf("funnel %v: %d devices: the case does not change devices", f != nil, one.setupDevices.Len())
		}
	}
}

// TestExpectSetupRowsSizesTheIDTables: told to expect 2^19 rows, a Data
// whose first 2^16 rows each bring a new user and a new device sizes both
// tables once for the 2^19 ids that rate gives (min(2^16 · 8 · 1.1, 2^19)
// = 2^19 ids, at most 80% full: 2^20 slots), where doubling would be at
// 2^17 slots; the ids keep their numbers, and one that repeats its ids
// (2^16 rows of 1,000 users) is sized for the 8 · 1.1 · 1,000 = 8,800 its
// rate gives (2^14 slots), not for the rows.
func TestExpectSetupRowsSizesTheIDTables(t *testing.T) {
	add := func(d *Data, from, to, users int) {
		var rows []SetupRow
		for i := from; i < to; i++ {
			id := []byte(fmt.Sprintf("u-%d", i%users))
			rows = append(rows, SetupRow{Step: d.SetupStep([]byte("a")), User: id, Device: id, TS: s(float64(i))})
			if len(rows) == 32 {
				d.AddSetupRows(rows)
				rows = rows[:0]
			}
		}
		if len(rows) > 0 {
			d.AddSetupRows(rows)
		}
	}
	d := NewData()
	d.SetFunnel(funnel4())
	d.ExpectSetupRows(1 << 19)
	add(d, 0, 1<<16, 1<<30)
	if n := len(d.setupUsers.slots); n != 1<<17 {
		t.Fatalf("before the 2^16th row: %d slots, want the doubling's 2^17", n)
	}
	add(d, 1<<16, 1<<16+1, 1<<30)
	if u, dv := len(d.setupUsers.slots), len(d.setupDevices.slots); u != 1<<20 || dv != 1<<20 {
		t.Errorf("after it: %d user slots, %d device slots, want 2^20 each", u, dv)
	}
	for _, id := range []string{"u-0", "u-65535", "u-65536"} {
		if i, ok := d.setupUsers.Lookup(id); !ok || d.setupUsers.Names[i] != id {
			t.Errorf("%s: number %d (%v) after the sizing", id, i, ok)
		}
	}
	few := NewData()
	few.SetFunnel(funnel4())
	few.ExpectSetupRows(1 << 19)
	add(few, 0, 1<<16+1, 1000)
	if n := len(few.setupUsers.slots); n != 1<<14 {
		t.Errorf("1,000 users: %d slots, want 2^14", n)
	}
}

func TestOnboardingNoAttemptIsNotFullConversion(t *testing.T) {
	// only a later step in the window: no attempt started, so no step
	// converts at any rate (0 of 0 is not 100%)
	d := setupData([][3]any{{"u1", "b", s(0)}})
	r := Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
	if r.Attempts != 0 || len(r.Steps) != 4 {
		t.Fatalf("attempts %d, steps %d", r.Attempts, len(r.Steps))
	}
	for _, st := range r.Steps {
		if !math.IsNaN(st.FromPrevious) || !math.IsNaN(st.FromFirst) {
			t.Errorf("step %s: from previous %v, from first %v, want NaN for both", st.Name, st.FromPrevious, st.FromFirst)
		}
	}
	// with an attempt, the first step is all of them
	d = setupData([][3]any{{"u1", "a", s(0)}})
	r = Compute(d, Options{Window: october(), Funnel: funnel4(), AsOf: day("2026-11-01")}).Onboarding
	if st := r.Steps[0]; st.FromPrevious != 1 || st.FromFirst != 1 {
		t.Errorf("first step with one attempt: %v %v, want 1 and 1", st.FromPrevious, st.FromFirst)
	}
}

// addAttempt adds a user's attempt at setting up device at a time: steps
// a and b 10 s apart, and with complete c and d (d naming the device too).
func addAttempt(d *Data, user, device string, at int64, complete bool) {
	d.AddSetupEvent([]byte(user), []byte("a"), at, []byte(device), nil)
	d.AddSetupEvent([]byte(user), []byte("b"), at+10e6, nil, nil)
	if complete {
		d.AddSetupEvent([]byte(user), []byte("c"), at+20e6, nil, nil)
		d.AddSetupEvent([]byte(user), []byte("d"), at+30e6, []byte(device), nil)
	}
}

// Stray events count in the window [From, To) only, each user once, and
// once more when one of theirs is the last step.
func TestStrayUsers(t *testing.T) {
	w := Window{From: 100, To: 200}
	stray := []setupEvent{
		{user: 0, step: 1, ts: 99},  // before the window
		{user: 1, step: 1, ts: 100}, // at its start: in
		{user: 1, step: 3, ts: 150}, // the last of 4 steps
		{user: 1, step: 3, ts: 160}, // the same user again
		{user: 2, step: 2, ts: 199},
		{user: 3, step: 3, ts: 200}, // at its end: out
	}
	if users, last := strayUsers(stray, w, 4); users != 2 || last != 1 {
		t.Errorf("strayUsers = %d, %d; want 2, 1", users, last)
	}
	// setupAttempts: a later step before any first step, and one past
	// `within`, are stray; one inside an attempt is not
	evs := []setupEvent{{user: 0, step: 1, ts: 10}, {user: 0, step: 0, ts: 20}, {user: 0, step: 1, ts: 30}, {user: 0, step: 2, ts: 200}}
	attempts, got := setupAttempts(evs, 100)
	if len(attempts) != 1 || attempts[0].reached != 1 || len(got) != 2 || got[0].ts != 10 || got[1].ts != 200 {
		t.Errorf("attempts %+v, stray %+v", attempts, got)
	}
}
