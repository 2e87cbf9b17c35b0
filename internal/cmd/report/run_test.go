package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

// reportRun without the command tree: markdown to stdout, an HTML page to
// the file --out names (nothing on stdout), and the same page twice from
// the same clock.
func Test_reportRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	env := map[string]string{"SOURCE_DATE_EPOCH": "1796083200"}
	f, stdout, stderr := flagtest.RunFactory(example, "", env)
	if err := reportRun(f, "", false); err != nil {
		t.Fatalf("err = %v; stderr %s", err, stderr)
	}
	if !strings.HasPrefix(stdout.String(), "#") || !strings.Contains(stdout.String(), "drip-lora") {
		t.Errorf("markdown: %.300s", stdout)
	}
	page := func() string {
		out := filepath.Join(t.TempDir(), "report.html")
		f, stdout, stderr := flagtest.RunFactory(example, "", env)
		if err := reportRun(f, out, true); err != nil {
			t.Fatalf("err = %v; stderr %s", err, stderr)
		}
		if stdout.Len() != 0 {
			t.Errorf("--out and stdout: %.200s", stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := page(), page()
	if !strings.Contains(a, "<svg") || !strings.HasPrefix(strings.TrimSpace(a), "<!DOCTYPE html>") {
		t.Errorf("not a page with charts: %.200s", a)
	}
	if a != b {
		t.Error("two pages from the same clock differ")
	}
}
