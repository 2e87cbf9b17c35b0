package export

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// writeParts writes content's rows as files under dir, cut before the
// rows at cuts (row 0 is the first after the header), each with the
// header; name gives a part's file name.
func writeParts(t *testing.T, dir, content string, cuts []int, name func(k int) string) {
	t.Helper()
	lines := strings.SplitAfter(content, "\n")
	header, rows := lines[0], lines[1:]
	from := 0
	for k, to := range append(cuts, len(rows)) {
		part := header + strings.Join(rows[from:to], "")
		path := filepath.Join(dir, name(k))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(part)
		if strings.HasSuffix(path, ".gz") {
			data = gzipped(data)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		from = to
	}
}

// An input that is a directory or a glob reads its files as the one file
// they were cut from: the same accounting, every device's events in the
// same order — also where the file's order decides between a connect and
// a disconnect at the same instant that the cut put in different files —
// and each bad row at its own file and line. On every core (each file in
// parallel chunks, or as a compressed stream) and on one.
func TestFilesReadAsOne(t *testing.T) {
	const rows, devices = 600_000, 3000
	var b strings.Builder
	b.WriteString("device_id,timestamp,event\n")
	for i := range rows {
		if i == 400_123 {
			b.WriteString("dev-1,yesterday,connected\n") // a bad row, in the second file
			continue
		}
		// a device's rows two at an instant, 3,000 rows apart (a connect,
		// then a disconnect): the row order decides
		fmt.Fprintf(&b, "dev-%d,2026-10-01T%02d:%02d:00Z,%s\n", (i*7919)%devices, i/6000/60, i/6000%60, []string{"connected", "disconnected"}[i/devices%2])
	}
	content := b.String()
	// the cut at row 303,000 puts the connects of minute 50 in the first
	// file and their disconnects at the same instant in the second
	cuts := []int{303_000}
	if len(content)/2 < parallelMinSize {
		t.Fatalf("each file must exceed the parallel threshold: %d bytes in all", len(content))
	}
	read := func(in Input) (*Stats, *metrics.Data) { return readInput(t, in) }
	whole := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(whole, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	want, dw := read(Input{Kind: "events", Path: whole, Order: "file"})
	if want.Read != rows || len(want.Errors) != 1 || want.Errors[0].Line != 400_125 {
		t.Fatalf("the whole file: %+v", want)
	}
	dir := t.TempDir()
	// Firehose's layout: the hour's prefix, then the object
	writeParts(t, filepath.Join(dir, "plain"), content, cuts, func(k int) string { return fmt.Sprintf("2026/10/01/%02d/events-%d.csv", 9+k, k) })
	writeParts(t, filepath.Join(dir, "gz"), content, cuts, func(k int) string { return fmt.Sprintf("events-%d.csv.gz", k) })
	for _, c := range []struct {
		name  string
		path  string
		procs int
		first string
	}{
		{"directory, every core", filepath.Join(dir, "plain"), runtime.GOMAXPROCS(0), "2026/10/01/10/events-1.csv"},
		{"directory, one core", filepath.Join(dir, "plain"), 1, "2026/10/01/10/events-1.csv"},
		{"glob of .gz, every core", filepath.Join(dir, "gz", "events-*.csv.gz"), runtime.GOMAXPROCS(0), "events-1.csv.gz"},
		{"glob of .gz, one core", filepath.Join(dir, "gz", "events-*.csv.gz"), 1, "events-1.csv.gz"},
	} {
		t.Run(c.name, func(t *testing.T) {
			old := runtime.GOMAXPROCS(c.procs)
			defer runtime.GOMAXPROCS(old)
			got, d := read(Input{Kind: "events", Path: c.path, Order: "file"})
			if got.Files != 2 || got.Path != c.path {
				t.Errorf("files %d, path %s", got.Files, got.Path)
			}
			if got.Read != want.Read || got.Used != want.Used || got.SkippedTotal() != want.SkippedTotal() || got.Earliest != want.Earliest || got.Latest != want.Latest {
				t.Fatalf("files %+v\nwhole %+v", got, want)
			}
			// the bad row at its file's own line: 400,123 − 303,000 rows
			// into the second file, after its header
			if len(got.Errors) != 1 || !strings.HasSuffix(got.Errors[0].Path, c.first) || got.Errors[0].Line != 97_125 || got.Errors[0].Reason != want.Errors[0].Reason {
				t.Fatalf("errors %v, want %s:97125: %s", got.Errors, c.first, want.Errors[0].Reason)
			}
			if d.Devices() != dw.Devices() {
				t.Fatalf("%d devices, the whole file %d", d.Devices(), dw.Devices())
			}
			for dev := range devices {
				id := fmt.Sprintf("dev-%d", dev)
				if a, b := d.DeviceEvents(id), dw.DeviceEvents(id); !slices.Equal(a, b) {
					k := 0
					for k < min(len(a), len(b)) && a[k] == b[k] {
						k++
					}
					t.Fatalf("%s: %d events from the files, %d from the whole file; the first difference at %d: %v against %v", id, len(a), len(b), k, a[k:min(k+2, len(a))], b[k:min(k+2, len(b))])
				}
			}
		})
	}
}

// By hand: a device connects at 00:00, drops at 01:00, connects at 02:00
// (a.csv) and drops at 02:00 (b.csv). Read in the files' order, the
// 02:00 connect comes before the 02:00 disconnect and the device ends
// offline; numbered each from line 2, b.csv's disconnect would sort first
// and leave it online.
func TestFilesOrderAtOneInstant(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-01T01:00:00Z,disconnected\nd1,2026-10-01T02:00:00Z,connected\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("device_id,timestamp,event\nd1,2026-10-01T02:00:00Z,disconnected\n"), 0o644)
	_, d := readInput(t, Input{Kind: "events", Path: dir, Order: "file"})
	const t0 = 1790812800000000 // 2026-10-01T00:00:00Z, µs
	want := []metrics.Event{{At: t0, State: Connected}, {At: t0 + 3600e6, State: Disconnected}, {At: t0 + 7200e6, State: Connected}, {At: t0 + 7200e6, State: Disconnected}}
	if got := d.DeviceEvents("d1"); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// An export split by hand into numbered parts, unpadded: part-9.csv's
// last row and part-10.csv's first are at the same instant, and with
// order: file the parts are read in their numbers' order, so the 02:00
// connect (part-10) follows the 02:00 disconnect (part-9) and the device
// ends online. In byte order part-10 sorted before part-9 and the device
// ended offline: a different uptime, unsaid.
func TestFilesInNumberedOrder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "part-9.csv"), []byte("device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-01T02:00:00Z,disconnected\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "part-10.csv"), []byte("device_id,timestamp,event\nd1,2026-10-01T02:00:00Z,connected\nd1,2026-10-01T03:00:00Z,connected\n"), 0o644)
	_, d := readInput(t, Input{Kind: "events", Path: dir, Order: "file"})
	const t0 = 1790812800000000 // 2026-10-01T00:00:00Z, µs
	want := []metrics.Event{{At: t0, State: Connected}, {At: t0 + 7200e6, State: Disconnected}, {At: t0 + 7200e6, State: Connected}, {At: t0 + 3*3600e6, State: Connected}}
	if got := d.DeviceEvents("d1"); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// The files of one input must be read by the same rules: a file whose
// header is detected as another format than the first's — with or
// without the sequence column the other has, in either order — or, with
// the format named, a file without a column the first one reads a role
// from stops the run at that file (before, a later file was read by the
// first's format, a versionNumber of its own unread).
func TestFilesDifferentColumns(t *testing.T) {
	const aws, plain = "clientId,timestamp,eventType,versionNumber\nd1,1790812800000,connected,1\n", "clientId,timestamp,eventType\nd1,1790812900000,disconnected\n"
	for _, c := range []struct {
		name, a, b, format, want string
	}{
		{"the sequence column in the first", aws, plain, "", "reads as format generic, but %s, the first file of %s, as aws-iot-lifecycle"},
		{"the sequence column in a later file", plain, aws, "", "reads as format aws-iot-lifecycle, but %s, the first file of %s, as generic"},
		{"the format named", aws, plain, "aws-iot-lifecycle", "sequence from versionNumber"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a.csv"), []byte(c.a), 0o644)
		os.WriteFile(filepath.Join(dir, "b.csv"), []byte(c.b), 0o644)
		g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
		_, err := g.Read(Input{Kind: "events", Path: dir, Format: c.format})
		want := c.want
		if strings.Contains(want, "%s") {
			want = fmt.Sprintf(want, filepath.Join(dir, "a.csv"), dir)
		}
		var re *RowError
		if !errors.As(err, &re) || re.Path != filepath.Join(dir, "b.csv") || re.Line != 1 || !strings.Contains(re.Reason, want) {
			t.Errorf("%s: got %v, want %q", c.name, err, want)
		}
	}
}

// A directory's files are its exports: hidden files, markers and
// Athena's sidecars are left out; a glob that matches nothing is an
// error naming the pattern.
func TestFilesLeftOut(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.csv", "a.csv", ".DS_Store", "_SUCCESS", "a.csv.metadata", ".hidden/x.csv", "sub/c.csv"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\n"), 0o644)
	}
	files, err := inputFiles(Input{Path: dir})
	want := []string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "sub", "c.csv")}
	if err != nil || !slices.Equal(files, want) {
		t.Fatalf("got %v, %v; want %v", files, err, want)
	}
	if _, err := inputFiles(Input{Path: filepath.Join(dir, "*.json")}); err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Fatalf("got %v", err)
	}
	if files, err := inputFiles(Input{Path: filepath.Join(dir, "a.csv")}); files != nil || err != nil {
		t.Fatalf("one file: %v, %v", files, err)
	}
}

// A file of no bytes in a many-file input (an empty object a delivery
// left, a folder marker) is left out and counted: the others read as
// without it, its format detected from the first file that has a header.
// An input whose files are all empty is an error, as one empty file is.
func TestFilesEmptyLeftOut(t *testing.T) {
	dir := t.TempDir()
	rows := "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd2,2026-10-01T01:00:00Z,connected\n"
	others := strings.ReplaceAll(rows, "\nd", "\ne") // not a copy of a.csv
	for name, content := range map[string]string{"0.csv": "", "a.csv": rows, "b.csv": "", "c.csv": others} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := readInput(t, Input{Kind: "events", Path: dir})
	if st.Files != 4 || st.EmptyFiles != 2 || st.Read != 4 || st.Used != 4 || st.Format != "generic" {
		t.Errorf("%+v", st)
	}
	// the rows of each file read, for the row-cap check per file
	// (and their spans, for the gap between files)
	t0, t1 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC).UnixMicro()
	if want := []FileRead{{filepath.Join(dir, "a.csv"), 2, t0, t1}, {filepath.Join(dir, "c.csv"), 2, t0, t1}}; !slices.Equal(st.FileReads, want) {
		t.Errorf("file reads %v, want %v", st.FileReads, want)
	}
	for _, name := range []string{"a.csv", "c.csv"} {
		os.Remove(filepath.Join(dir, name))
	}
	g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
	if _, err := g.Read(Input{Kind: "events", Path: dir}); err == nil || !strings.Contains(err.Error(), "all 2 files are empty") {
		t.Errorf("all empty: %v", err)
	}
}

// A many-file input reports one progress over its files — the bytes of
// the files before plus the file being read, of all their sizes — not one
// restarting at each file, and shows it once the whole read has taken
// progressAfter.
func TestFilesReportOneProgress(t *testing.T) {
	dir := t.TempDir()
	writeParts(t, dir, progressEvents(t), []int{200_000, 400_000}, func(k int) string { return fmt.Sprintf("part-%d.csv", k) })
	var all, beforeLast int64
	for k := range 3 {
		info, err := os.Stat(filepath.Join(dir, fmt.Sprintf("part-%d.csv", k)))
		if err != nil {
			t.Fatal(err)
		}
		if all += info.Size(); k < 2 {
			beforeLast += info.Size()
		}
	}
	var mu sync.Mutex
	var reads []int64
	g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4,
		Progress: func(kind planfile.InputKind, read, size int64) {
			mu.Lock()
			defer mu.Unlock()
			if size != all {
				t.Errorf("progress of %d bytes, want the files' %d", size, all)
			}
			reads = append(reads, read)
		}}
	if _, err := g.Read(Input{Kind: planfile.KindEvents, Path: dir}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reads) == 0 || reads[len(reads)-1] <= beforeLast {
		t.Fatalf("%d reports, the last %v, want past the first two files' %d bytes", len(reads), reads[max(len(reads)-1, 0):], beforeLast)
	}
	for i, r := range reads {
		if r < 0 || r > all || i > 0 && r < reads[i-1] {
			t.Errorf("report %d: %d of %d bytes (after %v)", i, r, all, reads[max(i-3, 0):i])
		}
	}
	if g.Progress == nil || !g.began.IsZero() {
		t.Error("the ingest's progress is not restored after the files")
	}
}

// The files a caller listed (and checked) are the ones read: a file that
// appears in the directory after the listing is not.
func TestFilesAsListed(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.csv", "b.csv", "late.csv"} {
		rows := "device_id,timestamp,event\n" + name + ",2026-10-01T00:00:00Z,connected\n" // each its own: no copies
		if err := os.WriteFile(filepath.Join(dir, name), []byte(rows), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	listed := []string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")}
	st, _ := readInput(t, Input{Kind: planfile.KindEvents, Path: dir, Files: listed})
	if st.Files != 2 || st.Read != 2 {
		t.Errorf("%+v", st)
	}
}

// JSON exports write a key only where an event has it: Amplitude's hourly
// file of a night without a setup has no event_properties.device_id (nor,
// its events anonymous, a user_id, one of the user's columns). A
// file without an attribute role's column (the device set up, the
// platform) reads its rows with none — the funnel and its join to the
// fleet are the one file's — and the files that have it are counted; a
// file without an ordering role's column (the sequence) still stops the
// run (TestFilesDifferentColumns).
func TestFilesAttributeColumnInSomeFiles(t *testing.T) {
	night := `{"event_time":"2026-10-05 02:00:00.000000","event_type":"App Opened","amplitude_id":881,"platform":"iOS","event_properties":{}}` + "\n"
	// the user is the first non-empty of amplitude_id, device_id, user_id:
	// the day's events have a user_id, the night's none
	day := `{"event_time":"2026-10-05 12:00:00.000000","event_type":"setup_started","amplitude_id":882,"user_id":"u-882","platform":"iOS","event_properties":{"device_id":"drip-1"}}` + "\n" +
		`{"event_time":"2026-10-05 12:01:00.000000","event_type":"ble_found","amplitude_id":882,"user_id":"u-882","platform":"iOS","event_properties":{"device_id":"drip-1"}}` + "\n"
	funnel := &metrics.Funnel{Steps: []string{"a", "b"}, Match: [][]string{{"setupstarted"}, {"blefound"}}, Fold: normalize, Within: 3600e6, Target: 180e6}
	w := metrics.Window{From: 1790812800000000, To: 1790812800000000 + 40*86400e6}
	read := func(path string) (*Stats, *metrics.Onboarding) {
		d := metrics.NewData()
		g := &Ingest{Data: d, Window: w, UseUntil: w.To, Funnel: funnel}
		st, err := g.Read(Input{Kind: planfile.KindOnboarding, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return st, d.SetupFunnel(metrics.Options{Window: w, Funnel: funnel, AsOf: w.To}, metrics.NoTime)
	}
	one := filepath.Join(t.TempDir(), "all.json")
	os.WriteFile(one, []byte(night+day), 0o644)
	_, want := read(one)
	if want.Completed != 1 {
		t.Fatalf("the one file: %+v", want.SetupGroup)
	}
	for _, names := range [][2]string{{"00.json", "12.json"}, {"12.json", "00.json"}} { // the night's file first, then last
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, names[0]), []byte(night), 0o644)
		os.WriteFile(filepath.Join(dir, names[1]), []byte(day), 0o644)
		st, got := read(dir)
		if st.Used != 3 || st.Columns["device_id"] != "event_properties.device_id" || st.Columns["user"] != "amplitude_id|user_id" || !maps.Equal(st.ColumnFiles, map[string]int{"device_id": 1}) {
			t.Errorf("%v: %+v", names, st)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: the funnel differs from the one file's:\n%+v\n%+v", names, got.SetupGroup, want.SetupGroup)
		}
	}
}

// A role read from the first non-empty of several columns reads alike in
// a file that lacks some of them (its events would have had them empty);
// two files reading a role from different single columns, or from lists
// that are not one within the other in order, do not.
func TestCoalescedAlike(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"amplitude_id|device_id|user_id", "amplitude_id|user_id", true},
		{"user_id", "amplitude_id|device_id|user_id", true},
		{"amplitude_id|device_id|user_id", "amplitude_id|device_id|user_id", true},
		{"user_id|amplitude_id", "amplitude_id|device_id|user_id", false}, // another order
		{"name", "label", false},
		{"amplitude_id|user_id", "amplitude_id|device_id", false},
		{"a", "a|b", true},
	} {
		if got := coalescedAlike(c.a, c.b); got != c.want {
			t.Errorf("%q, %q: %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// A file kept beside its gzipped copy (gzip -k: events.csv and
// events.csv.gz) holds the same rows twice: the .gz is left out as a copy.
// A .gz of other rows beside a plain file of its name is read — also one
// of as many bytes once decompressed (the trailer's size alone does not
// decide) — and so is a .gz of a file of another name.
func TestFilesGzipCopyLeftOut(t *testing.T) {
	rows := "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd2,2026-10-01T01:00:00Z,connected\n"
	same := strings.ReplaceAll(rows, "\nd", "\ne") // as long, other bytes
	for _, c := range []struct {
		name   string
		files  map[string]string // a .gz name is written compressed
		read   int
		copies []FileCopy
	}{
		{"kept beside its copy", map[string]string{"events.csv": rows, "events.csv.gz": rows}, 2, []FileCopy{{"events.csv.gz", "events.csv"}}},
		{"other rows, as long", map[string]string{"events.csv": rows, "events.csv.gz": same}, 4, nil},
		{"other rows", map[string]string{"events.csv": rows, "events.csv.gz": rows + "d3,2026-10-01T02:00:00Z,connected\n"}, 5, nil},
		{"another name", map[string]string{"a.csv": rows, "b.csv.gz": same}, 4, nil},
	} {
		dir := t.TempDir()
		for name, content := range c.files {
			data := []byte(content)
			if strings.HasSuffix(name, ".gz") {
				data = gzipped(data)
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st, _ := readInput(t, Input{Kind: planfile.KindEvents, Path: dir})
		var copies []FileCopy
		for _, cp := range st.CopyFiles {
			copies = append(copies, FileCopy{filepath.Base(cp.Path), filepath.Base(cp.Of)})
		}
		if st.Read != c.read || !slices.Equal(copies, c.copies) {
			t.Errorf("%s: read %d, copies %v; want %d, %v", c.name, st.Read, copies, c.read, c.copies)
		}
	}
}

// Header-only files of empty hours have the same bytes: no copy of
// anything (reading both adds nothing), so none is named.
func TestFilesHeaderOnlyAreNoCopies(t *testing.T) {
	dir := t.TempDir()
	header := "device_id,timestamp,event\n"
	for name, content := range map[string]string{"00.csv": header, "01.csv": header, "02.csv": header + "d1,2026-10-01T02:00:00Z,connected\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := readInput(t, Input{Kind: planfile.KindEvents, Path: dir})
	if st.Read != 1 || len(st.CopyFiles) != 0 {
		t.Errorf("read %d, copies %v", st.Read, st.CopyFiles)
	}
}

// Of two files with the same bytes, the one named as a browser or a file
// manager names a second copy is left out, wherever it sorts ("x - Copy"
// and "x (1)" before "x": a space sorts before a dot); of two plain
// names, the later. Header-only copies are still no copies.
func TestFilesCopyNamedLikeOneIsLeftOut(t *testing.T) {
	rows := "device_id,timestamp,event\nd1,2026-10-01T02:00:00Z,connected\n"
	for _, c := range []struct {
		names []string
		left  map[string]string // copy → the file read
	}{
		{[]string{"tickets.csv", "tickets (1).csv"}, map[string]string{"tickets (1).csv": "tickets.csv"}},
		{[]string{"tickets.csv", "tickets - Copy.csv", "tickets copy 2.csv"}, map[string]string{"tickets - Copy.csv": "tickets.csv", "tickets copy 2.csv": "tickets.csv"}},
		{[]string{"a.csv", "b.csv"}, map[string]string{"b.csv": "a.csv"}},
		{[]string{"a (1).csv", "a (2).csv"}, map[string]string{"a (2).csv": "a (1).csv"}},
	} {
		dir := t.TempDir()
		for _, n := range c.names {
			os.WriteFile(filepath.Join(dir, n), []byte(rows), 0o644)
		}
		st, _ := readInput(t, Input{Kind: planfile.KindEvents, Path: dir})
		got := map[string]string{}
		for _, cp := range st.CopyFiles {
			got[filepath.Base(cp.Path)] = filepath.Base(cp.Of)
		}
		if !maps.Equal(got, c.left) || st.Read != 1 {
			t.Errorf("%q: read %d, copies %v, want %v", c.names, st.Read, got, c.left)
		}
	}
	dir := t.TempDir()
	for _, n := range []string{"h (1).csv", "h.csv"} {
		os.WriteFile(filepath.Join(dir, n), []byte("device_id,timestamp,event\n"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "z.csv"), []byte(rows), 0o644)
	if st, _ := readInput(t, Input{Kind: planfile.KindEvents, Path: dir}); len(st.CopyFiles) != 0 || st.Read != 1 {
		t.Errorf("header-only: read %d, copies %v", st.Read, st.CopyFiles)
	}
}

// Registry snapshots of two months in one devices directory list a device
// twice with another firmware: a conflict, as in one file, whose message
// says that snapshots are not one export and which file to name.
func TestFilesDeviceSnapshotsConflict(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "2026-09.csv"), []byte("device_id,shipped_at,firmware\nd1,2026-04-11,2.4.1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2026-10.csv"), []byte("device_id,shipped_at,firmware\nd1,2026-04-11,2.5.0\n"), 0o644)
	st, _ := readInput(t, Input{Kind: planfile.KindDevices, Path: dir})
	if len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Reason, "registry snapshots taken at different times are not one, so name the latest file") || !strings.HasSuffix(st.Errors[0].Path, "2026-10.csv") {
		t.Errorf("%v", st.Errors)
	}
	// one file: no word of files
	st, _ = ingest(t, "devices", "device_id,shipped_at,firmware\nd1,2026-04-11,2.4.1\nd1,2026-04-11,2.5.0\n")
	if len(st.Errors) != 1 || strings.Contains(st.Errors[0].Reason, "snapshots") {
		t.Errorf("one file: %v", st.Errors)
	}
}
