package rice_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

func TestRiceGolden(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"rice"}},
		{"json.golden", []string{"rice", "-o", "json"}},
		{"yaml.golden", []string{"rice", "-o", "yaml"}},
		{"csv.golden", []string{"rice", "-o", "csv"}},
		{"markdown.golden", []string{"rice", "-o", "markdown"}},
		{"filtered.golden", []string{"rice", "--track", "hardware", "--top", "3"}},
		{"theme.golden", []string{"rice", "--theme", "five-year-battery", "-o", "csv"}},
		{"baseline-table.golden", []string{"rice", "--baseline", "../../internal/cmd/rice/testdata/features-baseline.yaml"}},
		{"baseline-json.golden", []string{"rice", "--baseline", "../../internal/cmd/rice/testdata/features-baseline.yaml", "-o", "json"}},
		{"baseline-markdown.golden", []string{"rice", "--baseline", "../../internal/cmd/rice/testdata/features-baseline.yaml", "-o", "markdown"}},
		{"certifications.golden", []string{"rice", "--list-certifications", "-o", "csv"}},
	})
}

func TestOutputIsDeterministic(t *testing.T) {
	for _, format := range []string{"table", "json", "yaml", "csv", "markdown"} {
		first, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "-o", format)
		for range 5 {
			if again, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "-o", format); again != first {
				t.Fatalf("-o %s differs between runs", format)
			}
		}
	}
}

func TestFileArgumentResolvesAgainstDir(t *testing.T) {
	a, _, codeA := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "features.yaml", "-o", "json")
	b, _, codeB := cmdtest.Run(t, nil, "rice", filepath.Join(cmdtest.ExampleRepo, "features.yaml"), "-o", "json")
	if codeA != 0 || codeB != 0 || a != b {
		t.Fatalf("exit %d/%d; outputs equal: %v", codeA, codeB, a == b)
	}
}

func TestInvalidInputExits2WithPositionsAndNoStdout(t *testing.T) {
	dir := t.TempDir()
	bad := "features:\n  - id: a\n    reach: lots\n    impact: 1\n    confidence: 80\n    track: cloud\n    effort: {engineering: 1}\n"
	if err := os.WriteFile(filepath.Join(dir, "features.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"rice"}, {"rice", "-o", "json"}, {"validate"}} {
		stdout, stderr, code := cmdtest.Run(t, nil, append(args, "-C", dir)...)
		if code != cmdutil.ExitInvalid {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if stdout != "" {
			t.Errorf("%v: stdout not empty:\n%s", args, stdout)
		}
		path := filepath.Join(dir, "features.yaml")
		for _, want := range []string{
			path + `:3:12: features[0].reach: expected a number, got "lots"`,
			path + ":5:17: features[0].confidence: 80 is ambiguous: write 80% or 0.8",
			"iotpm: 2 problems in " + path + "; nothing was computed",
		} {
			if !strings.Contains(stderr, want+"\n") {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, stderr)
			}
		}
	}
}

func TestBaselineWithErrorsReportsBothFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.yaml"), []byte("features: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--baseline", filepath.Join(dir, "old.yaml"))
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "old.yaml:1:11: features: expected a list, got the number 3") {
		t.Fatalf("exit %d stderr:\n%s", code, stderr)
	}
}

// BATTERY (Y) is the change in capacity life, before the shelf-life cap.
// Where the cap makes the device's life change otherwise, the life it
// changes between is given: adaptive-heartbeat is +20 y of drip-lora's
// capacity life and takes its life from today's to the ER14505's 20-year
// shelf life; edge-anomaly's −2.94 y is drip-lora's life change itself
// (no cap either side), so it has none.
func TestBatteryCostBesideTheCap(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "-o", "json")
	var doc struct {
		Features []struct {
			ID          string   `json:"id"`
			Cost        *float64 `json:"battery_cost_years"`
			BatteryLife *struct {
				Device string  `json:"device"`
				Today  float64 `json:"today_years"`
				With   float64 `json:"with_years"`
			} `json:"battery_life"`
		} `json:"features"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	battery, _, _ := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "-o", "json")
	var b struct {
		Devices []struct {
			ID   string  `json:"id"`
			Life float64 `json:"life_years"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(battery), &b); err != nil || b.Devices[0].ID != "drip-lora" {
		t.Fatalf("battery: %v", err)
	}
	for _, f := range doc.Features {
		switch f.ID {
		case "adaptive-heartbeat":
			if l := f.BatteryLife; f.Cost == nil || *f.Cost < 13 || l == nil || l.Device != "drip-lora" || l.With != 20 || math.Abs(l.Today-b.Devices[0].Life) > 1e-9 {
				t.Errorf("adaptive-heartbeat: cost %v, life %+v; want > +13 y of capacity, drip-lora %v → 20 y", f.Cost, f.BatteryLife, b.Devices[0].Life)
			}
		case "edge-anomaly":
			if f.Cost == nil || *f.Cost > -2.2 || f.BatteryLife != nil {
				t.Errorf("edge-anomaly: cost %v, life %+v; want about −2.27 and no capped life", f.Cost, f.BatteryLife)
			}
		}
	}
	table, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo)
	if !strings.Contains(table, "BATTERY (Y) is capacity life, before the shelf-life cap. Capped lives:\n  adaptive-heartbeat: drip-lora's life 15.85 → 20 y (+13.43 y of capacity)\n") {
		t.Errorf("table lacks the note:\n%s", table)
	}
}
