package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/planfile/planfiletest"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

const exampleRepo = "../../examples/leak-sensor"

// run executes iotpm in-process with test streams and a fixed environment.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, out, errOut := iostreams.Test()
	code = Main(args, ios, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// goldenCase is a command line run on the example repo and the golden
// file its stdout must match.
type goldenCase struct {
	name string
	args []string
}

// runGoldens runs each case on the example repo: exit 0, nothing on
// stderr, stdout equal to its golden file.
func runGoldens(t *testing.T, cases []goldenCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, nil, append(tt.args, "-C", exampleRepo)...)
			if code != cmdutil.ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			golden(t, tt.name, stdout)
		})
	}
}

func TestRiceGolden(t *testing.T) {
	runGoldens(t, []goldenCase{
		{"rice/table.golden", []string{"rice"}},
		{"rice/json.golden", []string{"rice", "-o", "json"}},
		{"rice/yaml.golden", []string{"rice", "-o", "yaml"}},
		{"rice/csv.golden", []string{"rice", "-o", "csv"}},
		{"rice/markdown.golden", []string{"rice", "-o", "markdown"}},
		{"rice/filtered.golden", []string{"rice", "--track", "hardware", "--top", "3"}},
		{"rice/theme.golden", []string{"rice", "--theme", "five-year-battery", "-o", "csv"}},
		{"rice/baseline-table.golden", []string{"rice", "--baseline", "../../internal/cli/testdata/features-baseline.yaml"}},
		{"rice/baseline-json.golden", []string{"rice", "--baseline", "../../internal/cli/testdata/features-baseline.yaml", "-o", "json"}},
		{"rice/baseline-markdown.golden", []string{"rice", "--baseline", "../../internal/cli/testdata/features-baseline.yaml", "-o", "markdown"}},
		{"rice/certifications.golden", []string{"rice", "--list-certifications", "-o", "csv"}},
	})
}

func TestOutputIsDeterministic(t *testing.T) {
	for _, format := range []string{"table", "json", "yaml", "csv", "markdown"} {
		first, _, _ := run(t, nil, "rice", "-C", exampleRepo, "-o", format)
		for range 5 {
			if again, _, _ := run(t, nil, "rice", "-C", exampleRepo, "-o", format); again != first {
				t.Fatalf("-o %s differs between runs", format)
			}
		}
	}
}

func TestFileArgumentResolvesAgainstDir(t *testing.T) {
	a, _, codeA := run(t, nil, "rice", "-C", exampleRepo, "features.yaml", "-o", "json")
	b, _, codeB := run(t, nil, "rice", filepath.Join(exampleRepo, "features.yaml"), "-o", "json")
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
		stdout, stderr, code := run(t, nil, append(args, "-C", dir)...)
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
	_, stderr, code := run(t, nil, "rice", "-C", exampleRepo, "--baseline", filepath.Join(dir, "old.yaml"))
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "old.yaml:1:11: features: expected a list, got the number 3") {
		t.Fatalf("exit %d stderr:\n%s", code, stderr)
	}
}

func TestMissingFile(t *testing.T) {
	stdout, stderr, code := run(t, nil, "rice", "-C", t.TempDir())
	if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, "features.yaml: no such file") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rice", "-o", "xml"}, `invalid output format "xml": use one of table, json, yaml, csv, markdown`},
		{[]string{"rice", "--track", "radio"}, `invalid --track "radio"`},
		{[]string{"rice", "--top", "-1"}, "--top must be 0 (all) or more"},
		{[]string{"rice", "--theme", "nope"}, `no theme "nope"`},
		{[]string{"rice", "a.yaml", "b.yaml"}, "accepts at most 1 arg(s)"},
		{[]string{"rice", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"ricee"}, `unknown command "ricee"`},
		{[]string{"validate", "-o", "mermaid"}, `invalid output format "mermaid"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := run(t, nil, append(tt.args, "-C", exampleRepo)...)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	_, stderr, _ := run(t, nil, "ricee")
	if !strings.Contains(stderr, "Did you mean this?") || !strings.Contains(stderr, "rice") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	stdout, _, code := run(t, nil, "rice", "--help")
	if code != 0 || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--baseline") {
		t.Fatalf("help: exit %d\n%s", code, stdout)
	}
	stdout, _, code = run(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "iotpm ") {
		t.Fatalf("version: exit %d %q", code, stdout)
	}
	stdout, _, code = run(t, nil, "version", "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"go_version"`) {
		t.Fatalf("version json: exit %d %q", code, stdout)
	}
}

func TestCompletion(t *testing.T) {
	stdout, _, code := run(t, nil, "completion", "bash")
	if code != 0 || !strings.Contains(stdout, "__start_iotpm") {
		t.Fatalf("exit %d", code)
	}
	stdout, _, _ = run(t, nil, "__complete", "rice", "--track", "")
	for _, want := range []string{"hardware", "firmware", "cloud"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("track completion lacks %s:\n%s", want, stdout)
		}
	}
}

func TestColorOnlyWhenEnabled(t *testing.T) {
	ios, out, _ := iostreams.Test()
	ios.SetColorEnabled(true)
	if code := Main([]string{"rice", "-C", exampleRepo}, ios, func(string) string { return "" }); code != 0 {
		t.Fatal(code)
	}
	if !bytes.Contains(out.Bytes(), []byte("\x1b[")) {
		t.Error("no ANSI styling with colour enabled")
	}
	plain, _, _ := run(t, nil, "rice", "-C", exampleRepo)
	if strings.Contains(plain, "\x1b[") {
		t.Error("ANSI styling in piped output")
	}
}

func TestValidate(t *testing.T) {
	stdout, stderr, code := run(t, nil, "validate", "-C", exampleRepo)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "features.yaml: ok (features: 15 features, 4 themes)") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("features: []\nthemes: [{id: A}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.yaml"), []byte("x: 1\n"), 0o644)
	stdout, _, code = run(t, nil, "validate", "-C", dir, "-o", "json", "features.yaml", "notes.yaml")
	if code != cmdutil.ExitInvalid {
		t.Fatalf("exit %d", code)
	}
	golden(t, "validate/json.golden", strings.ReplaceAll(stdout, dir, "$DIR"))
}

func TestRiceFlagParsing(t *testing.T) {
	tests := []struct {
		args string
		want RiceOptions
	}{
		{"", RiceOptions{}},
		{"x.yaml --top 3 --theme t", RiceOptions{File: "x.yaml", Top: 3, Theme: "t"}},
		{"--track hardware,cloud --track firmware", RiceOptions{Tracks: []string{"hardware", "cloud", "firmware"}}},
		{"--baseline old.yaml --list-certifications", RiceOptions{Baseline: "old.yaml", ListCertifications: true}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			ios, _, _ := iostreams.Test()
			var got *RiceOptions
			cmd := NewCmdRice(&cmdutil.Factory{IO: ios}, func(o *RiceOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.File != tt.want.File || got.Top != tt.want.Top || got.Theme != tt.want.Theme ||
				got.Baseline != tt.want.Baseline || got.ListCertifications != tt.want.ListCertifications ||
				strings.Join(got.Tracks, ",") != strings.Join(tt.want.Tracks, ",") {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestBadFileDiagnosticsGolden(t *testing.T) {
	stdout, stderr, code := run(t, nil, "rice", "-C", "testdata/bad")
	if code != cmdutil.ExitInvalid || stdout != "" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	golden(t, "bad/stderr.golden", stderr)
}

// TestEveryDiagnosticKindEndToEnd runs the loaders' corpora of bad files (one
// per kind of problem) through `iotpm validate` and the command that reads
// them: each must exit 2, print nothing on stdout, and give exactly the
// expected positioned diagnostics on stderr.
func TestEveryDiagnosticKindEndToEnd(t *testing.T) {
	for _, corpus := range []struct {
		glob, name, command string
	}{
		{"../planfile/testdata/diagnostics/*.yaml", "features.yaml", "rice"},
		{"../planfile/testdata/devices-diagnostics/*.yaml", "devices.yaml", "battery"},
	} {
		files, _ := filepath.Glob(corpus.glob)
		if len(files) < 6 {
			t.Fatalf("only %d cases in %s", len(files), corpus.glob)
		}
		for _, file := range files {
			t.Run(corpus.command+"/"+filepath.Base(file), func(t *testing.T) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				path := filepath.Join(dir, corpus.name)
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				want := planfiletest.WantedDiagnostics(path, data)
				onlyWarnings := !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(w, ": warning: ") })
				for _, args := range [][]string{{"validate", corpus.name}, {corpus.command}} {
					stdout, stderr, code := run(t, nil, append(args, "-C", dir)...)
					lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
					if onlyWarnings {
						// warnings: the command runs, and says so on stderr
						if code != cmdutil.ExitOK || stdout == "" || !slices.Equal(lines, want) {
							t.Errorf("%v: exit %d, stderr\n  got  %q\n  want %q", args, code, lines, want)
						}
						continue
					}
					if code != cmdutil.ExitInvalid || stdout != "" {
						t.Fatalf("%v: exit %d, stdout %q", args, code, stdout)
					}
					if got := lines[:len(lines)-1]; !slices.Equal(got, want) {
						t.Errorf("%v: stderr\n  got  %q\n  want %q", args, got, want)
					}
					if !strings.HasPrefix(lines[len(lines)-1], "iotpm: ") {
						t.Errorf("%v: no summary line: %q", args, lines[len(lines)-1])
					}
				}
			})
		}
	}
}
