package export

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// A .csv.gz is read in parallel blocks as it is decompressed; it must give
// exactly what the plain file gives: the same stats, the same bad rows at
// the same lines, the same devices in the same order, the same events.
func TestStreamedGzipMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	rows := 300_000 // > one 4 MiB block
	for i := range rows {
		switch {
		case i%50_021 == 7:
			b.WriteString("broken-row\n")
		case i%70_001 == 9:
			fmt.Fprintf(&b, "dev-%d,not-a-time,connected\n", i%997)
		default:
			ev := "connected"
			if rng.IntN(2) == 0 {
				ev = "disconnected"
			}
			fmt.Fprintf(&b, "dev-%05d,%d,%s\n", rng.IntN(20_000), 1774570025245+int64(rng.IntN(1e9)), ev)
		}
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "events.csv")
	if err := os.WriteFile(plain, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write([]byte(b.String()))
	zw.Close()
	gz := plain + ".gz"
	if err := os.WriteFile(gz, zbuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(path string) (*Stats, *metrics.Data) {
		d := metrics.NewData()
		g := &Ingest{Data: d, Window: metrics.Window{From: 0, To: 1 << 62}, UseUntil: 1 << 62}
		st, err := g.Read(Input{Kind: "events", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		d.Freeze()
		st.Path = ""
		for _, e := range st.Errors {
			e.Path = ""
		}
		return st, d
	}
	stP, dP := read(plain)
	stZ, dZ := read(gz)
	if !reflect.DeepEqual(stP, stZ) {
		t.Errorf("stats differ:\nplain %+v\ngzip  %+v", stP, stZ)
	}
	if dP.Devices() != dZ.Devices() {
		t.Fatalf("devices %d vs %d", dP.Devices(), dZ.Devices())
	}
	for _, id := range []string{"dev-00000", "dev-00001", "dev-12345", "dev-19999"} {
		if !reflect.DeepEqual(dP.DeviceEvents(id), dZ.DeviceEvents(id)) {
			t.Errorf("%s: events differ", id)
		}
	}
	if stZ.SkippedTotal() == 0 || len(stZ.Errors) == 0 || stZ.Errors[0].Line != 9 {
		t.Errorf("bad rows not reported at their lines: %+v", stZ.Errors)
	}
	// a quoted field spanning lines: read again sequentially, same result
	multi := "clientId,timestamp,eventType\n\"dev-a\",1774570025245,connected\n\"dev-\nb\",1774570025246,connected\n" + strings.Repeat("dev-c,1774570025247,disconnected\n", 200_000)
	zbuf.Reset()
	zw = gzip.NewWriter(&zbuf)
	zw.Write([]byte(multi))
	zw.Close()
	os.WriteFile(gz, zbuf.Bytes(), 0o644)
	os.WriteFile(plain, []byte(multi), 0o644)
	stP, _ = read(plain)
	stZ, _ = read(gz)
	if !reflect.DeepEqual(stP, stZ) || stZ.Read != 200_002 {
		t.Errorf("multi-line field: plain %+v, gzip %+v", stP, stZ)
	}
}

// The size a .gz records is the file's claim: a bomb of valid rows that
// claims gigabytes makes the reader reserve little before the expansion
// bound stops it.
func TestGzipSizeClaimIsBounded(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte("clientId,timestamp,eventType\n"))
	row := []byte("dev-1,1774570025245,connected\n")
	for range 8_000_000 { // 240 MB of one row: a few hundred KB compressed
		zw.Write(row)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "bomb.csv.gz")
	os.WriteFile(path, buf.Bytes(), 0o644)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g := &Ingest{Data: metrics.NewData(), UseUntil: math.MaxInt64}
	_, err := g.Read(Input{Kind: "events", Path: path})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Errorf("err = %v", err)
	}
	t.Logf("allocated %d MB for a %d KB bomb", (after.TotalAlloc-before.TotalAlloc)>>20, buf.Len()>>10)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 120<<20 {
		t.Errorf("allocated %d MB for a %d KB bomb", grew>>20, buf.Len()>>10)
	}
}

// An onboarding export read in parallel chunks (8 MB and more, several
// cores) gives the same rows, accounting and funnel as read in one pass,
// bad rows at their lines included; and so does the export cut into two
// files of a directory, each read in parallel into the same data (the
// second's chunks merged into rows already there), attempts running
// across the cut.
func TestOnboardingParallelSameAsSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString("event_time,event_type,amplitude_id,user_id,device_id,platform,app_version,event_properties.device_id\n")
	steps := []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected", "Screen Viewed"}
	n := 0
	for i := 0; b.Len() < 2*parallelMinSize+1<<20; i++ {
		user := i/2500*250 + (i%2500)%250
		ts := time.UnixMicro(1790812800000000 + int64(i)*3_000_000).UTC().Format("2006-01-02 15:04:05.000000")
		step := steps[((i%2500)/250)%5]
		if i == 123457 {
			ts = "soon" // a bad row, at line i+2
		}
		fmt.Fprintf(&b, "%s,%s,%d,,P-%d,%s,3.8.0,drip-%06d\n", ts, step, 880000+user, user, []string{"iOS", "Android"}[user%2], user)
		n++
	}
	path := filepath.Join(t.TempDir(), "setup.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	funnel := &metrics.Funnel{Steps: []string{"a", "b", "c", "d"}, Match: [][]string{{"setupstarted"}, {"blefound"}, {"wifisent"}, {"cloudconnected"}},
		Fold: normalize, Within: 3600e6, Target: 180e6}
	dir := filepath.Join(t.TempDir(), "setup")
	cut := n/2 + 1234 // within a block of attempts
	writeParts(t, dir, b.String(), []int{cut}, func(k int) string { return fmt.Sprintf("part-%d.csv", k) })
	// procs 0: the line reader alone; else the block reader on so many
	// cores (one chunk each)
	readPath := func(procs int, set *metrics.Funnel, path string) (*Stats, *metrics.Onboarding) {
		old := runtime.GOMAXPROCS(max(procs, 1))
		defer runtime.GOMAXPROCS(old)
		d := metrics.NewData()
		w := metrics.Window{From: 1790812800000000, To: 1790812800000000 + 40*86400e6}
		g := &Ingest{Data: d, Window: w, UseUntil: w.To, Funnel: set, lineReader: procs == 0}
		st, err := g.Read(Input{Kind: "onboarding", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return st, d.SetupFunnel(metrics.Options{Window: w, Funnel: funnel, AsOf: w.To + 86400e6}, metrics.NoTime)
	}
	read := func(procs int, set *metrics.Funnel) (*Stats, *metrics.Onboarding) { return readPath(procs, set, path) }
	seqSt, seq := read(0, funnel)
	parSt, par := read(4, funnel)
	oneSt, one := read(1, funnel)
	sameAccounting(t, "one core", oneSt, "line reader", seqSt)
	if !reflect.DeepEqual(seq, one) {
		t.Errorf("funnels differ:\nline reader %+v\none core    %+v", seq.SetupGroup, one.SetupGroup)
	}
	if seqSt.Read != n || parSt.Read != n || seqSt.Used != parSt.Used || seqSt.Outside != parSt.Outside || seqSt.SkippedTotal() != 1 || parSt.SkippedTotal() != 1 ||
		seqSt.Errors[0].Line != parSt.Errors[0].Line || seqSt.Errors[0].Line != 123457+2 || seqSt.Earliest != parSt.Earliest || seqSt.Latest != parSt.Latest {
		t.Fatalf("accounting differs:\nsequential %+v %v\nparallel   %+v %v", *seqSt, seqSt.Errors, *parSt, parSt.Errors)
	}
	if !reflect.DeepEqual(seq, par) {
		t.Errorf("funnels differ:\nsequential %+v\nparallel   %+v", seq.SetupGroup, par.SetupGroup)
	}
	if seq.Attempts == 0 || seq.Completed == 0 || seq.OtherEvents == 0 {
		t.Errorf("an empty funnel or no other events: %+v, %d others", seq.SetupGroup, seq.OtherEvents)
	}
	for _, procs := range []int{0, 1, 4} {
		st, files := readPath(procs, funnel, dir)
		// the bad row at the second file's own line
		if st.Files != 2 || st.Read != n || st.Used != seqSt.Used || st.SkippedTotal() != 1 || st.Errors[0].Line != 123457-cut+2 || !strings.HasSuffix(st.Errors[0].Path, "part-1.csv") {
			t.Errorf("procs=%d, two files: %+v %v", procs, *st, st.Errors)
		}
		if !reflect.DeepEqual(seq, files) {
			t.Errorf("procs=%d: the funnel of two files differs:\none file  %+v\ntwo files %+v", procs, seq.SetupGroup, files.SetupGroup)
		}
	}
	// read without the funnel, every row kept whole: the same funnel
	for _, procs := range []int{0, 1, 4} {
		if _, whole := read(procs, nil); !reflect.DeepEqual(seq, whole) {
			t.Errorf("procs=%d: the funnel differs when the other events are kept whole:\nname and time %+v\nwhole         %+v", procs, seq.SetupGroup, whole.SetupGroup)
		}
	}
}

// An Excel-mangled device id is a bad row on a funnel step, which joins
// the device to the fleet, and nothing on another app event, whose device
// the funnel never reads; without a funnel every row is a step.
func TestOnboardingExcelDeviceOnlyOnSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setup.csv")
	data := "event_time,event_type,amplitude_id,platform,event_properties.device_id\n" +
		"2026-10-05 12:00:00.000000,setup_started,881,iOS,1.23457E+11\n" +
		"2026-10-05 12:00:05.000000,Screen Viewed,881,iOS,1.23457E+11\n" +
		"2026-10-05 12:00:09.000000,ble_found,881,iOS,drip-000881\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	funnel := &metrics.Funnel{Steps: []string{"a", "b"}, Match: [][]string{{"setupstarted"}, {"blefound"}}, Fold: normalize, Within: 3600e6, Target: 180e6}
	for _, c := range []struct {
		funnel *metrics.Funnel
		bad    int
	}{{funnel, 1}, {nil, 2}} {
		w := metrics.Window{From: 1790812800000000, To: 1790812800000000 + 40*86400e6}
		g := &Ingest{Data: metrics.NewData(), Window: w, UseUntil: w.To, Funnel: c.funnel}
		st, err := g.Read(Input{Kind: "onboarding", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Skipped[RowKind{ExcelNumber, "device_id"}]; got != c.bad || st.Used != 3-c.bad {
			t.Errorf("funnel %v: %d Excel-mangled rows, %d used; want %d, %d", c.funnel != nil, got, st.Used, c.bad, 3-c.bad)
		}
	}
}

// The user of an onboarding row is read on a funnel step only: there an
// empty or Excel-mangled user is a bad row (the attempt cannot be told
// apart); on another app event — an anonymous App Opened before the login,
// with user mapped to user_id — it is not, as nothing reads it; without
// a funnel every row is a step.
func TestOnboardingUserOnlyOnSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setup.csv")
	data := "event_time,event_type,amplitude_id,user_id,platform\n" +
		"2026-10-05 12:00:00.000000,setup_started,881,,iOS\n" + // a step: empty user
		"2026-10-05 12:00:01.000000,App Opened,881,,iOS\n" + // another event: fine
		"2026-10-05 12:00:02.000000,Screen Viewed,881,8.8E+05,iOS\n" + // another event: fine
		"2026-10-05 12:00:03.000000,ble_found,881,u1,iOS\n" +
		"2026-10-05 12:00:04.000000,setup_started,882,8.8E+05,iOS\n" // a step: Excel
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	funnel := &metrics.Funnel{Steps: []string{"a", "b"}, Match: [][]string{{"setupstarted"}, {"blefound"}}, Fold: normalize, Within: 3600e6, Target: 180e6}
	for _, c := range []struct {
		funnel       *metrics.Funnel
		empty, excel int
	}{{funnel, 1, 1}, {nil, 2, 2}} {
		w := metrics.Window{From: 1790812800000000, To: 1790812800000000 + 40*86400e6}
		g := &Ingest{Data: metrics.NewData(), Window: w, UseUntil: w.To, Funnel: c.funnel}
		st, err := g.Read(Input{Kind: "onboarding", Path: path, Map: map[string]string{"user": "user_id"}})
		if err != nil {
			t.Fatal(err)
		}
		empty, excel := st.Skipped[RowKind{EmptyValue, "user"}], st.Skipped[RowKind{ExcelNumber, "user"}]
		if empty != c.empty || excel != c.excel || st.Used != 5-c.empty-c.excel {
			t.Errorf("funnel %v: %d empty users, %d Excel-mangled, %d used; want %d, %d, %d (%v)", c.funnel != nil, empty, excel, st.Used, c.empty, c.excel, 5-c.empty-c.excel, st.Errors)
		}
	}
}

// A compressed stream's blocks of ordered events finish in any order;
// they are merged in the file's: a block waits for those before it, and
// the devices are numbered in order of first appearance.
func TestOrderedBlocksMergeInFileOrder(t *testing.T) {
	d := metrics.NewData()
	o := &orderedBlocks{stage: d.OrderedChunks([]int{8})[0], done: map[int]*metrics.Data{}}
	block := func(line int64, ids ...string) *metrics.Data {
		p := o.stage.OrderedPart(len(ids))
		for i, id := range ids {
			p.AddOrderedEvent([]byte(id), 1790812800000000+line*1e6, 1, line+int64(i), true, nil)
		}
		return p
	}
	b0, b1, b2 := block(1, "a", "b"), block(3, "c"), block(4, "d", "a")
	o.add(2, b2)
	o.add(1, b1)
	if o.next != 0 || len(o.done) != 2 {
		t.Fatalf("merged before the first block came: next %d, %d waiting", o.next, len(o.done))
	}
	o.add(0, b0)
	if o.next != 3 || len(o.done) != 0 {
		t.Fatalf("next %d, %d waiting", o.next, len(o.done))
	}
	d.MergeOrdered(o.stage, 0)
	for i, id := range []string{"a", "b", "c", "d"} {
		if n := d.DeviceIndex([]byte(id)); n != int32(i) {
			t.Errorf("%s numbered %d, want %d", id, n, i)
		}
	}
	d.Freeze()
	if ev := d.DeviceEvents("a"); len(ev) != 2 {
		t.Errorf("a: %v", ev)
	}
}
