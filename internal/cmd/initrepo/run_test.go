package initrepo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// initRun without the command tree: a new repo dated by the Factory's
// clock, a second run refused with nothing written, --missing adding only
// what is missing.
func Test_initRun(t *testing.T) {
	dir := t.TempDir()
	f, _, stderr := flagtest.RunFactory(dir, "", nil)
	f.Clock = func() time.Time { return time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC) }
	if err := initRun(f, dir, false, false); err != nil {
		t.Fatalf("err = %v; stderr %s", err, stderr)
	}
	features, err := os.ReadFile(filepath.Join(dir, "features.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// the roadmap starts on the first of the month after the clock's
	if !strings.Contains(string(features), "2027-01-01") {
		t.Errorf("features.yaml is not dated by the clock: %.400s", features)
	}
	if err := initRun(f, dir, false, false); !errors.As(err, new(*failure.UsageError)) {
		t.Errorf("a second run: err %v, want a usage error", err)
	}
	if err := os.Remove(filepath.Join(dir, "devices.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := initRun(f, dir, false, true); err != nil {
		t.Fatalf("--missing: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "features.yaml")); string(b) != "# mine\n" {
		t.Errorf("--missing overwrote features.yaml: %.100s", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "devices.yaml")); err != nil {
		t.Errorf("--missing did not add devices.yaml: %v", err)
	}
}
