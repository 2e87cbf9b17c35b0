package validate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// validateRun on stubbed options, without the command tree: the repo's
// files, a file given, and a file with a problem.
func Test_validateRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	type doc struct {
		Valid bool `json:"valid"`
		Files []struct {
			Kind  string `json:"kind"`
			Valid bool   `json:"valid"`
		} `json:"files"`
	}
	run := func(dir string, files ...string) (doc, error) {
		f, stdout, _ := flagtest.RunFactory(dir, "json", nil)
		err := validateRun(&ValidateOptions{Factory: f, Files: files})
		var d doc
		if stdout.Len() > 0 {
			if jerr := json.Unmarshal(stdout.Bytes(), &d); jerr != nil {
				t.Fatalf("%v: %.300s", jerr, stdout)
			}
		}
		return d, err
	}
	all, err := run(example)
	if err != nil || !all.Valid || len(all.Files) < 4 {
		t.Fatalf("the example repo: err %v, %+v", err, all)
	}
	one, err := run(example, "devices.yaml")
	if err != nil || len(one.Files) != 1 || one.Files[0].Kind != "devices" {
		t.Errorf("one file: err %v, %+v", err, one)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("features:\n  - id: x\n    reach: lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := run(dir, "features.yaml")
	var invalid *failure.InvalidInputError
	if !errors.As(err, &invalid) || bad.Valid {
		t.Errorf("a file with a problem: err %v, %+v", err, bad)
	}
}
