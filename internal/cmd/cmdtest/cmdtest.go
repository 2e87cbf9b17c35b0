// Package cmdtest runs iotpm in-process for the commands' tests: the whole
// command tree with test streams and a fixed environment, golden files
// (rewritten with -update), and the example planning repo.
package cmdtest

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/root"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
	"go.yaml.in/yaml/v3"
)

// Update is -update: golden files are rewritten with the current output.
var Update = flag.Bool("update", false, "rewrite golden files with the current output")

// ExampleRepo is the example planning repo, relative to a command's
// package (internal/cmd/NAME), as the outputs show its paths.
const ExampleRepo = "../../../examples/leak-sensor"

// Today is the date the commands run on in tests (SOURCE_DATE_EPOCH,
// unless a test's env sets its own): outputs that name the current
// quarter or a generation date stay the same whatever the calendar says.
const Today = "1796083200" // 2026-12-01T00:00:00Z

// Run executes iotpm in-process with test streams and env as the
// environment (nil: empty, but for SOURCE_DATE_EPOCH = Today).
func Run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, out, errOut := iostreams.Test()
	code = root.Main(args, ios, Env(env))
	return out.String(), errOut.String(), code
}

// Env is a test's environment: env, with SOURCE_DATE_EPOCH = Today unless
// env has it.
func Env(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "SOURCE_DATE_EPOCH" {
			return Today
		}
		return ""
	}
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
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n%s", path, LineDiff(string(want), got))
	}
}

// LineDiff shows where got departs from want: the lines between their
// common beginning and common end, want's marked "-" and got's "+", with
// up to three lines of context each side and line numbers of want.
func LineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	pre := 0
	for pre < len(w) && pre < len(g) && w[pre] == g[pre] {
		pre++
	}
	suf := 0
	for suf < len(w)-pre && suf < len(g)-pre && w[len(w)-1-suf] == g[len(g)-1-suf] {
		suf++
	}
	var b strings.Builder
	from := max(0, pre-3)
	fmt.Fprintf(&b, "@@ line %d @@\n", from+1)
	for _, l := range w[from:pre] {
		b.WriteString("  " + l + "\n")
	}
	for _, l := range w[pre : len(w)-suf] {
		b.WriteString("- " + l + "\n")
	}
	for _, l := range g[pre : len(g)-suf] {
		b.WriteString("+ " + l + "\n")
	}
	for _, l := range w[len(w)-suf : min(len(w), len(w)-suf+3)] {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// Case is a command line run on the example repo and the golden file its
// stdout must match.
// (An alias of an unnamed struct, so tables can list cases unkeyed.)
type Case = struct {
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

// CopyExample copies the example planning repo to a temporary directory.
func CopyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(ExampleRepo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(ExampleRepo, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// EditFile replaces the first old in the file with new; the test fails
// when old is not there.
func EditFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ExampleInputs are the flags that give iotpm metrics every export of
// the example repo, for October 2026.
var ExampleInputs = []string{"--devices", "exports/devices.csv", "--events", "exports/lifecycle.csv", "--activity", "exports/uplinks.csv",
	"--ota", "exports/ota.csv", "--usage", "exports/usage.csv", "--tickets", "exports/tickets.csv", "--tz", "tickets=UTC", "--month", "2026-10"}

// WriteFile writes content to dir/name.
func WriteFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// AppendFile adds content at the end of dir/name.
func AppendFile(t *testing.T, dir, name, content string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(t, dir, name, string(data)+content)
}

// MainsHub is a devices.yaml entry of a device on mains power, to append
// to a devices list: a status of 120 B every 5 minutes and a 4 MB image a
// month, no battery.
const MainsHub = `  - id: hub
    power: mains
    ota: {image: 4MB, every: 1mo}
    events:
      - {name: status, every: 5m, duration: 200ms, current: 80mA, uplink: {bytes: 120}}
`

// KeepLines rewrites the export name (under exports/) of the planning
// repo at repo with the lines keep keeps, the header among them.
func KeepLines(t *testing.T, repo, name string, keep func(line string) bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	var kept strings.Builder
	for line := range strings.Lines(string(data)) {
		if keep(line) {
			kept.WriteString(line)
		}
	}
	WriteFile(t, repo, "exports/"+name, kept.String())
}

// ThinUplinks keeps one uplink in eight (f_cnt a multiple of 8) of two of
// the example's six LoRaWAN sensors in the copy at repo: every 2 h
// instead of every 15 min, as a longer heartbeat rolled out to them would
// (the canary wave of the example's adaptive-heartbeat). Their uptime
// reads low, and the run warns of them.
func ThinUplinks(t *testing.T, repo string) {
	t.Helper()
	ThinUplinksOf(t, repo, "eui-70b3d57ed00500a1", "eui-70b3d57ed00500a2")
}

// ThinUplinksOf is ThinUplinks for the sensors named.
func ThinUplinksOf(t *testing.T, repo string, sensors ...string) {
	t.Helper()
	sparse := map[string]bool{}
	for _, s := range sensors {
		sparse[s] = true
	}
	KeepLines(t, repo, "uplinks.csv", func(line string) bool {
		f := strings.Split(strings.TrimSpace(line), ",")
		n, err := strconv.Atoi(f[len(f)-1])
		return err != nil || !sparse[f[0]] || n%8 == 0
	})
}

// Problems are the problems of a command's JSON or YAML output as stderr
// prints diagnostics ("file:line:col: warning: message"), sorted.
func Problems(t *testing.T, output string) []string {
	t.Helper()
	var doc struct {
		Problems []struct {
			File, Severity, Message string
			Line, Col               int
		}
	}
	if err := yaml.Unmarshal([]byte(output), &doc); err != nil { // JSON is YAML
		t.Fatal(err)
	}
	var lines []string
	for _, p := range doc.Problems {
		at := p.File
		if p.Line > 0 {
			at += fmt.Sprintf(":%d", p.Line)
		}
		if p.Line > 0 && p.Col > 0 {
			at += fmt.Sprintf(":%d", p.Col) // a row's problem has no column
		}
		lines = append(lines, at+": "+p.Severity+": "+p.Message)
	}
	slices.Sort(lines)
	return lines
}

// Warnings are stderr's warning lines, sorted.
func Warnings(stderr string) []string {
	var lines []string
	for line := range strings.Lines(stderr) {
		if strings.Contains(line, ": warning: ") {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	slices.Sort(lines)
	return lines
}
