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
