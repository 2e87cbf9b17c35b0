package metrics

import (
	"testing"
	"time"
	"unsafe"
)

func TestCompareVersions(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		c    int
		ok   bool
	}{
		{"2.10.0", "2.9.1", 1, true},
		{"2.9.1", "2.10.0", -1, true},
		{"v2.5", "2.5.0", 0, true},
		{"2.5.0-rc.1", "2.5.0", -1, true},
		{"2.5.0-rc.2", "2.5.0-rc.10", -1, true},
		{"2.5.0-alpha", "2.5.0-1", 1, true},
		{"2.5.0+build7", "2.5.0", 0, true},
		{"1.2.3.4", "1.2.3", 1, true},
		{"build-2026-10", "build-2026-10", 0, true}, // not semver: equal strings
		{"build-2026-10", "build-2026-11", 0, false},
		{"2.5.0", "latest", 0, false},
	} {
		c, ok := CompareVersions(tt.a, tt.b)
		if c != tt.c || ok != tt.ok {
			t.Errorf("CompareVersions(%q, %q) = %d, %v; want %d, %v", tt.a, tt.b, c, ok, tt.c, tt.ok)
		}
	}
	if !AtOrAbove("2.10.0", "2.9.1") || AtOrAbove("2.9.1", "2.10.0") || AtOrAbove("latest", "2.5.0") || !AtOrAbove("x", "x") {
		t.Error("AtOrAbove")
	}
}

// The version-at-E rule, by hand. The devices export (a snapshot at H)
// says every device runs 2.4.0.
//
//	a: OTA to 2.5.0 succeeded on day 3        → 2.5.0 at E = day 5 and at H
//	b: OTA to 2.5.0 failed on day 3           → at H: the snapshot, 2.4.0; at day 5 < H: unknown
//	c: no OTA                                 → at H: 2.4.0; at day 5: unknown
//	d: OTA 2.5.0 succeeded day 3, 2.6.0 on day 7 → day 5: 2.5.0; H: 2.6.0
//	e: OTA succeeded on day 3 with no version → unknown at both
func TestVersionsAt(t *testing.T) {
	day := func(n int) int64 { return time.Date(2026, 10, 1+n, 12, 0, 0, 0, time.UTC).UnixMicro() }
	d := NewData()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		d.AddDevice([]byte(id), day(0), nil)
		d.SetFirmware([]byte(id), []byte("2.4.0"))
	}
	d.AddOTAVersion([]byte("a"), []byte("j1"), OTASuccess, day(3), []byte("2.5.0"))
	d.AddOTAVersion([]byte("b"), []byte("j1"), OTAFailure, day(3), []byte("2.5.0"))
	d.AddOTAVersion([]byte("d"), []byte("j1"), OTASuccess, day(3), []byte("2.5.0"))
	d.AddOTAVersion([]byte("d"), []byte("j2"), OTASuccess, day(7), []byte("2.6.0"))
	d.AddOTAVersion([]byte("e"), []byte("j1"), OTASuccess, day(3), nil)
	h := d.Horizon(0)
	if h != day(7) {
		t.Fatalf("horizon %v", h)
	}
	at := func(e int64) map[string]string {
		v, _, _ := d.VersionsAt(e, h)
		out := map[string]string{}
		for i, name := range d.devices.Names {
			out[name] = v[i]
		}
		return out
	}
	for e, want := range map[int64]map[string]string{
		day(5): {"a": "2.5.0", "b": "", "c": "", "d": "2.5.0", "e": ""},
		h:      {"a": "2.5.0", "b": "2.4.0", "c": "2.4.0", "d": "2.6.0", "e": ""},
	} {
		got := at(e)
		for id, v := range want {
			if got[id] != v {
				t.Errorf("E=%v: %s = %q, want %q", time.UnixMicro(e).UTC(), id, got[id], v)
			}
		}
	}
}

// One always-connected device over the days 0..4 of October, horizon at
// day 4 12:00 (its last event), no dormancy:
//
//	connect day 0 10:00, disconnect day 1 02:00, connect day 3 12:00,
//	connect (an event at H) day 4 12:00
//
// observed: day 0 (from 10:00), 1, 2 (down), 3, 4 (until H) = 5 days;
// online: day 0, day 1 (until 02:00), day 3, day 4 = 4 days.
func TestOnlineDays(t *testing.T) {
	at := func(dd, hh int) int64 { return time.Date(2026, 10, 1+dd, hh, 0, 0, 0, time.UTC).UnixMicro() }
	d := NewData()
	d.AddEvent([]byte("x"), at(0, 10), Connected)
	d.AddEvent([]byte("x"), at(1, 2), Disconnected)
	d.AddEvent([]byte("x"), at(3, 12), Connected)
	d.AddEvent([]byte("x"), at(4, 12), Connected)
	d.Has.Events = true
	got := OnlineDays(d, Options{}, at(0, 0), at(5, 0))
	if len(got) != 1 || got[0].Online != 4 || got[0].Observed != 5 {
		t.Errorf("OnlineDays = %+v, want 4 online of 5 observed", got)
	}
}

// Two succeeded rows at the same instant naming different versions: the
// data does not say which is current; the device is unknown and counted.
func TestVersionsAtSameInstantIsAmbiguous(t *testing.T) {
	ts := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC).UnixMicro()
	d := NewData()
	d.AddOTAVersion([]byte("a"), []byte("j1"), OTASuccess, ts, []byte("2.5.0"))
	d.AddOTAVersion([]byte("a"), []byte("j2"), OTASuccess, ts, []byte("2.6.0"))
	d.AddOTAVersion([]byte("b"), []byte("j1"), OTASuccess, ts, []byte("2.5.0"))
	d.AddOTAVersion([]byte("b"), []byte("j1"), OTASuccess, ts, []byte("2.5.0")) // a repeated row is no conflict
	v, n, ex := d.VersionsAt(ts, ts)
	if v[0] != "" || v[1] != "2.5.0" || n != 1 || ex != "a" {
		t.Errorf("versions %q, ambiguous %d (%s)", v, n, ex)
	}
}

// firmware_on_target by hand: four devices connect in October (active),
// one does not; E = min(to, H) = Nov 1 (H is later, Nov 5).
//
//	a: OTA 2.10.0 succeeded Oct 3      → 2.10.0, on target 2.9.1
//	b: OTA 2.9.0 succeeded Oct 3       → 2.9.0, not on target
//	c: no OTA; devices export 2.9.1    → unknown at E < H (the export is a snapshot at H)
//	v: OTA 2.10.0, model VALVE (ota: false) → left out, counted
//	z: OTA 2.10.0, not active in October    → not counted
//
// devices 3 (a, b, c), on target 1: 1/3; versions 2.10.0 ×1, 2.9.0 ×1.
func TestFirmwareOnTarget(t *testing.T) {
	at := func(m time.Month, d int) int64 { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC).UnixMicro() }
	d := NewData()
	for _, id := range []string{"a", "b", "c", "v", "z"} {
		d.AddDevice([]byte(id), at(9, 1), nil)
	}
	d.SetModel([]byte("v"), []byte("VALVE"))
	d.SetFirmware([]byte("c"), []byte("2.9.1"))
	for _, id := range []string{"a", "b", "c", "v"} {
		d.AddEvent([]byte(id), at(10, 2), Connected)
	}
	d.AddEvent([]byte("z"), at(9, 2), Connected)
	d.AddEvent([]byte("z"), at(9, 3), Disconnected)
	d.AddOTAVersion([]byte("a"), []byte("j"), OTASuccess, at(10, 3), []byte("2.10.0"))
	d.AddOTAVersion([]byte("b"), []byte("k"), OTASuccess, at(10, 3), []byte("2.9.0"))
	d.AddOTAVersion([]byte("v"), []byte("j"), OTASuccess, at(10, 3), []byte("2.10.0"))
	d.AddOTAVersion([]byte("z"), []byte("j"), OTASuccess, at(10, 3), []byte("2.10.0"))
	d.AddOTAVersion([]byte("a"), []byte("j"), OTAPending, at(11, 5), []byte("2.10.0")) // H
	d.Has.Devices, d.Has.Events, d.Has.OTA = true, true, true
	r := Compute(d, Options{Window: Window{From: at(10, 1) - 12*3600e6, To: at(11, 1) - 12*3600e6}, DormantAfter: 0,
		Models: map[string]Mode{"VALVE": {Profile: "valve", NoOTA: true}}, FirmwareTarget: "2.9.1"})
	f := r.Firmware
	if f == nil || f.Devices != 3 || f.NoOTA != 1 || f.Unknown != 1 || f.OnTarget != 1 || len(f.Versions) != 2 {
		t.Fatalf("firmware %+v", f)
	}
	if v, why := r.Value(FirmwareOnTarget); why != HasValue || v != 1.0/3 {
		t.Errorf("firmware_on_target = %v (%v), want 1/3", v, why)
	}
	if n, devices, _ := f.Unordered(); n != 0 || devices != 0 {
		t.Errorf("every version orders against 2.9.1, and %d (%d devices) do not", n, devices)
	}
}

// Devices whose version cannot be ordered against the target count as off
// target; Unordered counts them so the share does not look measured.
func TestFirmwareUnordered(t *testing.T) {
	counts := map[FirmwareKey]int{{Version: "2.4.1"}: 5, {Version: "2.4.0"}: 2, {Version: "build-77"}: 1, {}: 3, {Version: "x", NoOTA: true}: 4}
	for _, tt := range []struct {
		target            string
		versions, devices int
		example           string
		onTarget          int
	}{
		{"2.4.1", 1, 1, "build-77", 5},
		{"2.4.l", 3, 8, "2.4.1", 0},    // a typo: nothing orders against it
		{"build-77", 2, 7, "2.4.1", 1}, // equal strings only
		{"", 0, 0, "", 0},
	} {
		f := NewFirmware(0, tt.target, VersionOrder{}, counts)
		n, devices, example := f.Unordered()
		if n != tt.versions || devices != tt.devices || example != tt.example || f.OnTarget != tt.onTarget {
			t.Errorf("target %q: unordered %d versions, %d devices, e.g. %q, on target %d; want %d, %d, %q, %d",
				tt.target, n, devices, example, f.OnTarget, tt.versions, tt.devices, tt.example, tt.onTarget)
		}
	}
	if !Orderable("v2.5") || Orderable("release-7") {
		t.Error("Orderable")
	}
}

// otaRows holds every row of the OTA export: the version index sits in
// otaState's padding, so a row stays 24 bytes as it was before versions.
func TestOTARowSize(t *testing.T) {
	if n := unsafe.Sizeof(otaRow{}); n != 24 {
		t.Errorf("otaRow is %d bytes, want 24", n)
	}
}

// 2.4.1-hotfix1 orders before 2.4.1 (a pre-release): counted as not on
// target 2.4.1 and named by PostReleaseLike, as are -patch2, -p3, -HF1
// and 2.4.1.0-fix; -rc1 and -beta are pre-releases indeed, and 2.4.0-hotfix1
// or 2.4.2-hotfix1 are off or on target whichever way the suffix reads.
func TestPostReleaseLike(t *testing.T) {
	counts := map[FirmwareKey]int{
		{Version: "2.4.1"}: 50, {Version: "2.4.1-hotfix1"}: 20, {Version: "2.4.1-patch2"}: 4, {Version: "v2.4.1-p3"}: 3,
		{Version: "2.4.1-HF1"}: 2, {Version: "2.4.1.0-fix"}: 1, {Version: "2.4.1-rc1"}: 7, {Version: "2.4.1-beta"}: 6,
		{Version: "2.4.0-hotfix1"}: 5, {Version: "2.4.2-hotfix1"}: 2,
	}
	f := NewFirmware(0, "2.4.1", VersionOrder{}, counts)
	if f.OnTarget != 52 {
		t.Fatalf("on target %d, want 52 (2.4.1 and 2.4.2-hotfix1)", f.OnTarget)
	}
	versions, devices, example := f.PostReleaseLike()
	if versions != 5 || devices != 30 || example != "2.4.1-hotfix1" {
		t.Errorf("PostReleaseLike = %d versions, %d devices, %q; want 5, 30, 2.4.1-hotfix1", versions, devices, example)
	}
	// a pre-release target, or none: nothing to say
	for _, target := range []string{"2.4.1-rc1", "", "2.4.l"} {
		if _, n, _ := NewFirmware(0, target, VersionOrder{}, counts).PostReleaseLike(); n != 0 {
			t.Errorf("target %q: %d devices", target, n)
		}
	}
}

// VersionOrder{After: [hotfix, patch]}: a suffix of those words, digits
// allowed, is a fix after its release — by the word's place, then its
// number (10 after 2), then the rest; other suffixes stay pre-releases.
func TestVersionOrderAfter(t *testing.T) {
	o := VersionOrder{After: []string{"hotfix", "patch"}}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2.4.1-hotfix1", "2.4.1", 1},
		{"2.4.1-HOTFIX1", "2.4.1", 1},
		{"2.4.1-hotfix", "2.4.1", 1},
		{"2.4.1-hotfix2", "2.4.1-hotfix1", 1},
		{"2.4.1-hotfix10", "2.4.1-hotfix2", 1}, // by number, not as text
		{"2.4.1-hotfix1.2", "2.4.1-hotfix1", 1},
		{"2.4.1-patch1", "2.4.1-hotfix9", 1}, // the word's place in After
		{"2.4.1-hotfix1", "2.4.2", -1},
		{"2.4.1-hotfix1", "2.4.2-rc1", -1},
		{"2.4.1-rc1", "2.4.1", -1},      // a pre-release still
		{"2.4.1-hotfixes", "2.4.1", -1}, // not the word: a pre-release
		{"2.4.1-hotfix1", "2.4.1-rc1", 1},
		{"v2.4.1-hotfix1", "2.4.1.0-hotfix1", 0},
	} {
		got, ok := o.Compare(c.a, c.b)
		back, _ := o.Compare(c.b, c.a)
		if !ok || got != c.want || back != -c.want {
			t.Errorf("Compare(%q, %q) = %d, %v (reverse %d); want %d", c.a, c.b, got, ok, back, c.want)
		}
	}
	// without After, semantic versioning: the suffix is a pre-release
	if c, _ := (VersionOrder{}).Compare("2.4.1-hotfix1", "2.4.1"); c != -1 {
		t.Errorf("no After: %d, want -1", c)
	}
	// the firmware share: the hotfix devices on target, and no longer
	// named by PostReleaseLike; -p3 (no listed word) still is
	counts := map[FirmwareKey]int{{Version: "2.4.1"}: 50, {Version: "2.4.1-hotfix1"}: 20, {Version: "2.4.1-p3"}: 3, {Version: "2.4.0"}: 27}
	f := NewFirmware(0, "2.4.1", o, counts)
	if f.OnTarget != 70 || !f.AtOrAbove("2.4.1-hotfix1") || f.AtOrAbove("2.4.1-p3") {
		t.Errorf("on target %d, want 70 (2.4.1 and its hotfix)", f.OnTarget)
	}
	if v, n, ex := f.PostReleaseLike(); v != 1 || n != 3 || ex != "2.4.1-p3" {
		t.Errorf("PostReleaseLike = %d, %d, %q; want the -p3 version alone", v, n, ex)
	}
}
