package root_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

// Every help text fits 80 columns when nothing says the terminal is wider,
// and wraps flag descriptions at a wider one when it is.
func TestHelpFitsTheTerminal(t *testing.T) {
	root := root.NewRootCmd(&cmdutil.Factory{IO: func() *iostreams.IOStreams { s, _, _ := iostreams.Test(); return s }(), Getenv: func(string) string { return "" }})
	var names [][]string
	names = append(names, nil)
	for _, c := range root.Commands() {
		names = append(names, []string{c.Name()})
		for _, sub := range c.Commands() {
			names = append(names, []string{c.Name(), sub.Name()})
		}
	}
	for _, width := range []int{80, 120} {
		for _, n := range names {
			env := map[string]string{}
			if width != 80 {
				env["COLUMNS"] = "120"
			}
			stdout, stderr, code := cmdtest.Run(t, env, append(n, "--help")...)
			if code != 0 {
				t.Fatalf("%v --help: exit %d: %s", n, code, stderr)
			}
			for _, line := range strings.Split(stdout, "\n") {
				if utf8.RuneCountInString(line) > width {
					t.Errorf("%v --help at %d columns: %d-column line %q", n, width, utf8.RuneCountInString(line), line)
				}
			}
		}
	}
	// at 120 columns a long flag description stays on one line
	stdout, _, _ := cmdtest.Run(t, map[string]string{"COLUMNS": "120"}, "metrics", "--help")
	if !strings.Contains(stdout, "health score settings: KEY=VALUE,… with keys red, yellow and uptime_bad,") {
		t.Errorf("flag descriptions do not use the wider terminal:\n%s", stdout)
	}
}
