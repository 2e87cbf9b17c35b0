package diff

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

// diffRun on stubbed options, without the command tree or git: the base is
// a directory (--base-dir). The same repo is no change; a base where a
// feature reached fewer users is a change in ranks, said in the summary.
func Test_diffRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	copyRepo := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "base")
		if out, err := exec.Command("cp", "-r", example, dir).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		return dir
	}
	run := func(t *testing.T, base string) (summary string, unchanged bool) {
		f, stdout, stderr := flagtest.RunFactory(example, "json", nil)
		if err := diffRun(&DiffOptions{Factory: f, BaseDir: base}); err != nil {
			t.Fatalf("err = %v; stderr %s", err, stderr)
		}
		var doc struct {
			Summary   string `json:"summary"`
			Unchanged bool   `json:"unchanged"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatalf("%v: %.300s", err, stdout)
		}
		return doc.Summary, doc.Unchanged
	}
	t.Run("the same repo", func(t *testing.T) {
		if summary, unchanged := run(t, copyRepo(t)); !unchanged || !strings.HasPrefix(summary, "No change") {
			t.Errorf("summary %q, unchanged %v", summary, unchanged)
		}
	})
	t.Run("a base where a feature reached fewer users", func(t *testing.T) {
		base := copyRepo(t)
		path := filepath.Join(base, "features.yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(b), "reach: 40000", "reach: 400", 1)
		if edited == string(b) {
			t.Fatal("the example's features.yaml has no reach: 40000 to edit")
		}
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		if summary, unchanged := run(t, base); unchanged || !strings.Contains(summary, "rank") {
			t.Errorf("summary %q, unchanged %v: want a change in ranks", summary, unchanged)
		}
	})
}
