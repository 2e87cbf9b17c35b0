package check

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// checkRun on stubbed options and environment, without the command tree:
// where each CI output goes, and a repo with a problem.
func Test_checkRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	t.Run("annotations, summary and JUnit", func(t *testing.T) {
		dir := t.TempDir()
		summary, junit := filepath.Join(dir, "summary.md"), filepath.Join(dir, "junit.xml")
		f, stdout, stderr := flagtest.RunFactory(example, "json", map[string]string{"GITHUB_STEP_SUMMARY": summary})
		if err := checkRun(&CheckOptions{Factory: f, Annotations: "auto", JUnit: junit}); err != nil {
			t.Fatalf("err = %v; stderr %s", err, stderr)
		}
		if !strings.Contains(stdout.String(), `"passed": true`) {
			t.Errorf("stdout: %.300s", stdout)
		}
		// auto: not in GitHub Actions (no GITHUB_ACTIONS), so none
		if strings.Contains(stderr.String(), "::") {
			t.Errorf("annotations outside GitHub Actions: %s", stderr)
		}
		for _, path := range []string{summary, junit} {
			if b, err := os.ReadFile(path); err != nil || len(b) == 0 {
				t.Errorf("%s: %v, %d bytes", path, err, len(b))
			}
		}
	})
	t.Run("a problem in a planning file", func(t *testing.T) {
		repo := t.TempDir()
		if err := os.WriteFile(filepath.Join(repo, "iotpm.yaml"), []byte("features: features.yaml\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "features.yaml"), []byte("features:\n  - id: x\n    reach: lots\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		f, stdout, stderr := flagtest.RunFactory(repo, "", map[string]string{"GITHUB_ACTIONS": "true"})
		err := checkRun(&CheckOptions{Factory: f, Annotations: "auto"})
		var invalid *failure.InvalidInputError
		if !errors.As(err, &invalid) {
			t.Fatalf("err = %v, want invalid input", err)
		}
		// in GitHub Actions: the problem as an annotation, at its line
		if !strings.Contains(stderr.String(), "::error file=") || !strings.Contains(stderr.String(), "features.yaml") {
			t.Errorf("stderr: %s", stderr)
		}
		if stdout.Len() != 0 {
			t.Errorf("text output despite the problem: %s", stdout)
		}
	})
}
