package root_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmd/root"
)

// The committed command reference is what the command tree gives today:
// a flag, an example or a command added without go generate ./docs fails
// here, with the line that differs.
func TestReferenceIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "docs", "commands")
	want := root.Reference()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, f := range files {
		have = append(have, filepath.Base(f))
	}
	var names []string
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(have, names) {
		t.Fatalf("docs/commands has %v, the command tree gives %v: run go generate ./docs", have, names)
	}
	for _, n := range names {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want[n] {
			t.Errorf("docs/commands/%s is stale (run go generate ./docs):\n%s", n, cmdtest.LineDiff(want[n], string(got)))
		}
	}
}

// Every page reads like --help: it fits 80 columns but for the links, and
// a topic page is reachable from the root's.
func TestReferencePages(t *testing.T) {
	pages := root.Reference()
	for name, text := range pages {
		inBlock := false
		for i, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "```") {
				inBlock = !inBlock
			}
			if inBlock && len([]rune(line)) > 80 {
				t.Errorf("%s:%d: %d columns: %q", name, i+1, len([]rune(line)), line)
			}
		}
		if !strings.HasPrefix(text, "# iotpm") {
			t.Errorf("%s does not start with its command's heading", name)
		}
	}
	for _, want := range []string{"iotpm_rice.md", "iotpm_help.md", "iotpm_completion_bash.md"} {
		if !strings.Contains(pages["iotpm.md"]+pages["iotpm_completion.md"], "("+want+")") {
			t.Errorf("no page links to %s", want)
		}
	}
}
