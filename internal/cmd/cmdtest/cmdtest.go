// Package cmdtest runs iotpm in-process for the commands' tests: the whole
// command tree with test streams and a fixed environment, golden files
// (rewritten with -update), and the example planning repo.
package cmdtest

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/iotpm/iotpm/internal/cli"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

// Update is -update: golden files are rewritten with the current output.
var Update = flag.Bool("update", false, "rewrite golden files with the current output")

// ExampleRepo is the example planning repo, relative to a command's
// package (internal/cmd/NAME), as the outputs show its paths.
const ExampleRepo = "../../../examples/leak-sensor"

// Run executes iotpm in-process with test streams and env as the
// environment (nil: empty).
func Run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, out, errOut := iostreams.Test()
	code = cli.Main(args, ios, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

// Golden compares got with testdata/name of the test's package, or
// rewrites it under -update.
func Golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
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
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Case is a command line run on the example repo and the golden file its
// stdout must match.
type Case struct {
	Name string
	Args []string
}

// RunGoldens runs each case on the example repo: exit 0, nothing on
// stderr, stdout equal to its golden file.
func RunGoldens(t *testing.T, cases []Case) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			stdout, stderr, code := Run(t, nil, append(tt.Args, "-C", ExampleRepo)...)
			if code != cmdutil.ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			Golden(t, tt.Name, stdout)
		})
	}
}
