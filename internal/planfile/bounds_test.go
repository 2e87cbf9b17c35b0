package planfile

import (
	"fmt"
	"github.com/iotpm/iotpm/internal/diag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A merge-key bomb: each level merges the previous one ten times, so a few
// kilobytes would expand to 10⁹ keys. Merged keys count against the
// expansion budget: it is refused quickly.
func TestMergeKeyBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [", i, i)
		for k := range 10 {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("roadmap: {<<: *l9}\n")
	// the bound is the visit budget (maxVisits values after expanding
	// aliases), not a clock: "document too large" proves decoding stopped
	// there, whatever the machine's load
	var spec FeaturesFile
	diags := Decode("bomb.yaml", []byte(b.String()), &spec)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "document too large") {
		t.Errorf("diags: %v", diags)
	}
}

// "Did you mean" on a 40,000-character id must not build a 40k × n table.
func TestSuggestOnAHugeIDIsCheap(t *testing.T) {
	huge := strings.Repeat("x", 40_000)
	candidates := []string{"edge-anomaly", "auto-shutoff-valve", strings.Repeat("x", 39_999)}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if s := Suggest(huge, candidates); s != "" {
		t.Errorf("suggested %q", s[:20])
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 50<<20 {
		t.Errorf("allocated %d MB", grew>>20)
	}
	if Suggest("edge-anomaly-detction", []string{"edge-anomaly-detection", "ota-delta"}) != "edge-anomaly-detection" {
		t.Error("a typo is still suggested")
	}
	if Suggest("hihg", []string{"high", "low"}) != "high" {
		t.Error("a transposition is still suggested")
	}
}

// A planning file that is a device or a FIFO is refused, not read whole.
func TestPlanningFileMustBeRegular(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "features.yaml")
	os.Symlink("/dev/zero", link)
	// reading /dev/zero whole would never end: a generous bound tells a
	// refusal from a hang without depending on the machine's load
	start := time.Now()
	_, diags := ReadFile(link)
	if time.Since(start) > 30*time.Second || !strings.Contains(diags.Error(), "is not a regular file") {
		t.Errorf("diags: %v", diags)
	}
	big := filepath.Join(dir, "big.yaml")
	f, _ := os.Create(big)
	f.Truncate(1 << 30) // a sparse 1 GB file
	f.Close()
	if _, diags := ReadFile(big); !strings.Contains(diags.Error(), "planning files are limited to") {
		t.Errorf("diags: %v", diags)
	}
}

// Thousands of undefined references load in linear time: suggestions stop
// after the first ones, and the ids are sorted once (4,000 took 17 s).
// Twice the references cost about twice the allocations and the bytes
// allocated, not four times: a suggestion for every reference (a rune copy
// and an edit distance against every id) or a sort per reference would
// show here as they did in the time. Counts, not a clock, so neither load
// nor the race detector can trip it (a timing ratio did, at 3.1×).
func TestManyUndefinedReferencesLoadFast(t *testing.T) {
	cost := func(n int) (allocs, bytes float64) {
		var b strings.Builder
		b.WriteString("features:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - {id: feature-%05d, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}, depends_on: [missing-%05d]}\n", i, i)
		}
		src := []byte(b.String())
		if _, diags := ParseFeatures("features.yaml", src); len(diags.Errors()) != n {
			t.Fatalf("%d errors, want %d", len(diags.Errors()), n)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		allocs = testing.AllocsPerRun(1, func() { ParseFeatures("features.yaml", src) })
		runtime.ReadMemStats(&after)
		// AllocsPerRun runs the function twice (a warm-up and the run)
		return allocs, float64(after.TotalAlloc-before.TotalAlloc) / 2
	}
	smallA, smallB := cost(2000)
	largeA, largeB := cost(4000)
	if r := largeA / smallA; r > 2.5 {
		t.Errorf("twice the references made %.2f× the allocations (%.0f, %.0f): not linear", r, smallA, largeA)
	}
	if r := largeB / smallB; r > 2.5 {
		t.Errorf("twice the references allocated %.2f× the bytes (%.0f, %.0f): not linear", r, smallB, largeB)
	}
}

// A planning file that is not there is named with the file its directory
// most likely meant (iotpm.yaml's devices: device.yaml).
func TestMissingPlanningFileSuggests(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "devices.yaml"), []byte("devices: []\n"), 0o644)
	_, diags := ReadFile(filepath.Join(dir, "device.yaml"))
	if len(diags) != 1 || !strings.HasSuffix(diags[0].String(), `device.yaml: no such file; did you mean "devices.yaml"?`) {
		t.Errorf("diags %v", diags)
	}
}

// A path that differs from the files' only in letter case opens on a
// Mac's or Windows' file system and fails in CI on Linux; one written with
// Windows' backslashes fails everywhere else. Each is named with the path
// that opens; a name two entries match but for case, or one that matches
// nothing, gets no guess.
func TestNoSuchFileNamesThePathThatOpens(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "exports", "life"), 0o755)
	os.WriteFile(filepath.Join(dir, "exports", "life", "lifecycle.csv"), nil, 0o644)
	os.MkdirAll(filepath.Join(dir, "two", "A"), 0o755)
	os.MkdirAll(filepath.Join(dir, "two", "a"), 0o755)
	if _, err := os.Stat(filepath.Join(dir, "EXPORTS")); err == nil || filepath.Separator != '/' {
		t.Skip("the file system here ignores letter case, or \\ separates names: each path opens")
	}
	for written, want := range map[string]string{
		"Exports/Life/Lifecycle.csv": `no such file; did you mean "exports/life/lifecycle.csv"? (names are case-sensitive here, as in CI on Linux)`,
		"EXPORTS/life":               `no such file; did you mean "exports/life"? (names are case-sensitive here, as in CI on Linux)`,
		`exports\life\lifecycle.csv`: `no such file; did you mean "exports/life/lifecycle.csv"? (/ separates names)`,
		`Exports\Life\lifecycle.CSV`: `no such file; did you mean "exports/life/lifecycle.csv"? (/ separates names)`,
		"Exports/Life/missing.csv":   "no such file (nor its directory)",
		"TWO/b":                      "no such file (nor its directory)",
	} {
		if got := NoSuchFile(filepath.Join(dir, written)); got != want {
			t.Errorf("%s: %s\nwant %s", written, got, want)
		}
	}
}

// A warning while decoding devices.yaml (a fraction below 1%) is a
// warning, not an error: every device is still loaded. (Every device was
// dropped: iotpm battery printed an empty table and exited 0.) And the
// mark iotpm init leaves on its example figures warns at its line.
func TestDevicesLoadDespiteDecodeWarnings(t *testing.T) {
	data := []byte("placeholder: true\ndevices:\n  - id: s\n    battery: {cell: er14505}\n    supply: {voltage: 3.0V, efficiency: 0.5%}\n    sleep: 3uA\n" +
		"    events:\n      - {name: beat, every: 15m, duration: 50ms, current: 5mA}\n")
	fleet, diags := ParseDevices("devices.yaml", data)
	if diags.HasErrors() || fleet == nil || len(fleet.Devices) != 1 || fleet.Devices[0].ID != "s" {
		t.Fatalf("fleet %+v, diags %v", fleet, diags)
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	if len(got) < 2 || !strings.HasPrefix(got[0], "devices.yaml:1:14: warning: placeholder: the figures of this file are iotpm init's examples") ||
		!strings.Contains(got[1], "0.5% is below 1%") {
		t.Errorf("diagnostics %q", got)
	}
	// the mark is its own kind (a GitHub annotation titled iotpm
	// placeholder, not iotpm schema); the fraction stays a schema warning
	if len(diags) >= 2 && (diags[0].Kind != diag.Placeholder || diags[1].Kind != diag.Schema) {
		t.Errorf("kinds %s, %s", diags[0].Kind, diags[1].Kind)
	}
}
