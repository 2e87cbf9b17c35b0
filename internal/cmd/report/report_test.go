package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

func TestReport(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	out := filepath.Join(t.TempDir(), "PLAN.md")
	ios, stdout, stderr := iostreams.Test()
	clock := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	f := &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, Clock: clock}
	root := root.NewRootCmd(f)
	root.SetArgs([]string{"report", "-C", dir, "--out", out})
	if err := root.Execute(); err != nil || stdout.Len() != 0 {
		t.Fatal(err, stderr.String())
	}
	data, _ := os.ReadFile(out)
	report := strings.Replace(string(data), "# Plan: "+filepath.Base(dir), "# Plan: $REPO", 1)
	cmdtest.Golden(t, "PLAN.md.golden", report)
	for _, want := range []string{"## Gates", "## RICE ranking", "```mermaid\ngantt", "## Energy budget: drip-lora", "battery life against heartbeat.every", "## Fleet metrics", "### Customers by health"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// invalid input: exit 2 and no file
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "reach: 40000", "reach: lots")
	out2 := filepath.Join(t.TempDir(), "PLAN.md")
	if _, _, code := cmdtest.Run(t, nil, "report", "-C", dir, "--out", out2); code != cmdutil.ExitInvalid {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("a report was written from invalid input")
	}
}

// The run's warnings are in the report, under the health line, their paths
// relative to the repo: a reader of the file never sees stderr. The
// example's November window is a third covered by its data (to 2026-11-10).
func TestReportCarriesWarnings(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "month: 2026-11")
	want := "iotpm.yaml: warning: the data ends 2026-11-10T23:56:19Z, 20 days before the window's end 2026-12-01T00:00:00Z"
	for _, html := range []bool{false, true} {
		args := []string{"report", "-C", dir}
		if html {
			args = append(args, "--html")
		}
		stdout, stderr, code := cmdtest.Run(t, map[string]string{}, args...)
		text := strings.ReplaceAll(stdout, "&#39;", "'")
		if code != 0 || !strings.Contains(text, want) || strings.Contains(text, dir) {
			t.Errorf("html %v: exit %d, the report lacks %q (or names the repo's absolute path): %.600s\n%s", html, code, want, stdout, stderr)
		}
		if i, j := strings.Index(text, "plan health"), strings.Index(text, want); i < 0 || j < i {
			t.Errorf("html %v: the warning is not under the health line", html)
		}
	}
	// the example has none: no section
	stdout, _, _ := cmdtest.Run(t, nil, "report", "-C", cmdtest.ExampleRepo)
	if strings.Contains(stdout, "[!WARNING]") {
		t.Errorf("the example's report has a warnings section:\n%.400s", stdout)
	}
}
