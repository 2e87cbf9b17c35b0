package root_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/planfile/planfiletest"
)

func TestMissingFile(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", t.TempDir())
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
			stdout, stderr, code := cmdtest.Run(t, nil, append(tt.args, "-C", cmdtest.ExampleRepo)...)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	_, stderr, _ := cmdtest.Run(t, nil, "ricee")
	if !strings.Contains(stderr, "Did you mean this?") || !strings.Contains(stderr, "rice") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	stdout, _, code := cmdtest.Run(t, nil, "rice", "--help")
	if code != 0 || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--baseline") {
		t.Fatalf("help: exit %d\n%s", code, stdout)
	}
	stdout, _, code = cmdtest.Run(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "iotpm ") {
		t.Fatalf("version: exit %d %q", code, stdout)
	}
	stdout, _, code = cmdtest.Run(t, nil, "version", "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"go_version"`) {
		t.Fatalf("version json: exit %d %q", code, stdout)
	}
}

func TestCompletion(t *testing.T) {
	stdout, _, code := cmdtest.Run(t, nil, "completion", "bash")
	if code != 0 || !strings.Contains(stdout, "__start_iotpm") {
		t.Fatalf("exit %d", code)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "__complete", "rice", "--track", "")
	for _, want := range []string{"hardware", "firmware", "cloud"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("track completion lacks %s:\n%s", want, stdout)
		}
	}
}

func TestColorOnlyWhenEnabled(t *testing.T) {
	ios, out, _ := iostreams.Test()
	ios.SetColorEnabled(true)
	if code := root.Main([]string{"rice", "-C", cmdtest.ExampleRepo}, ios, func(string) string { return "" }); code != 0 {
		t.Fatal(code)
	}
	if !bytes.Contains(out.Bytes(), []byte("\x1b[")) {
		t.Error("no ANSI styling with colour enabled")
	}
	plain, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo)
	if strings.Contains(plain, "\x1b[") {
		t.Error("ANSI styling in piped output")
	}
}

func TestBadFileDiagnosticsGolden(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", "testdata/bad")
	if code != cmdutil.ExitInvalid || stdout != "" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	cmdtest.Golden(t, "bad/stderr.golden", stderr)
}

// TestEveryDiagnosticKindEndToEnd runs the loaders' corpora of bad files (one
// per kind of problem) through `iotpm validate` and the command that reads
// them: each must exit 2, print nothing on stdout, and give exactly the
// expected positioned diagnostics on stderr.
func TestEveryDiagnosticKindEndToEnd(t *testing.T) {
	for _, corpus := range []struct {
		glob, name, command string
	}{
		{"../../planfile/testdata/diagnostics/*.yaml", "features.yaml", "rice"},
		{"../../planfile/testdata/devices-diagnostics/*.yaml", "devices.yaml", "battery"},
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
					stdout, stderr, code := cmdtest.Run(t, nil, append(args, "-C", dir)...)
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

// The commands that read no planning repo say so where they are declared
// (cmdutil.DisableRepoCheck): -C naming no directory stops the others only.
func TestRepoCheckDeclared(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0}, {[]string{"schema", "features"}, 0}, {[]string{"completion", "bash"}, 0},
		{[]string{"help", "rice"}, 0}, {[]string{"help", "formats"}, 0}, {[]string{"__complete", "rice", "--track", ""}, 0},
		{[]string{"rice"}, 2}, {[]string{"check"}, 2}, {[]string{"metrics"}, 2},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append(c.args, "-C", missing)...)
		if code != c.code {
			t.Errorf("%v -C %s: exit %d, want %d (%s)", c.args, missing, code, c.code, stderr)
		}
		if c.code == 2 && !strings.Contains(stderr, "no such directory") {
			t.Errorf("%v: %s", c.args, stderr)
		}
	}
}
