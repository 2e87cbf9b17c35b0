package rice_test

import (
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
