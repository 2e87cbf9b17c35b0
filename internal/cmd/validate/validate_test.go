package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

// validate reads the files under the names iotpm.yaml gives them.
func TestValidateHonoursConfigNames(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	if err := os.Rename(filepath.Join(dir, "features.yaml"), filepath.Join(dir, "backlog.yaml")); err != nil {
		t.Fatal(err)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "features: features.yaml", "features: backlog.yaml")
	for _, args := range [][]string{{"validate"}, {"validate", "backlog.yaml"}} {
		stdout, stderr, code := cmdtest.Run(t, nil, append(args, "-C", dir)...)
		if code != cmdutil.ExitOK || !strings.Contains(stdout, "backlog.yaml: ok (features: 15 features, 4 themes)") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
}

func TestValidate(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "validate", "-C", cmdtest.ExampleRepo)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "features.yaml: ok (features: 15 features, 4 themes)") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("features: []\nthemes: [{id: A}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.yaml"), []byte("x: 1\n"), 0o644)
	stdout, _, code = cmdtest.Run(t, nil, "validate", "-C", dir, "-o", "json", "features.yaml", "notes.yaml")
	if code != cmdutil.ExitInvalid {
		t.Fatalf("exit %d", code)
	}
	cmdtest.Golden(t, "json.golden", strings.ReplaceAll(stdout, dir, "$DIR"))
}

// economics.yaml is validated with the repo's files, its models against
// the devices.yaml beside it.
func TestValidateEconomics(t *testing.T) {
	stdout, _, code := cmdtest.Run(t, nil, "validate", "-C", cmdtest.ExampleRepo)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, "economics.yaml: ok (economics: 3 models, USD)") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "economics.yaml"), "  drip-puck:", "  drip-pook:")
	_, stderr, code := cmdtest.Run(t, nil, "validate", "-C", dir, "economics.yaml")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `economics.yaml:22:5: models: "drip-pook" is no device of`) || !strings.Contains(stderr, `did you mean "drip-puck"?`) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// economics.yaml beside a devices.yaml with problems of its own: the
// devices' problems are reported, and economics.yaml's models are not
// said to name devices of a repo "without devices.yaml".
func TestValidateEconomicsBesideBrokenDevices(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "      edge-anomaly: 3uA", "      edge-anomali: 3uA")
	_, stderr, code := cmdtest.Run(t, nil, "validate", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `budget for "edge-anomali"`) || strings.Contains(stderr, "economics.yaml") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// One of a thing is one, not "1 devices" (#28 item 12).
func TestValidateSummaryCounts(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "features.yaml", "themes: [{id: t}]\nfeatures:\n  - {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}}\n")
	cmdtest.WriteFile(t, dir, "devices.yaml", "devices:\n  - {id: d, battery: {cell: cr2032}, sleep: 1uA}\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "validate", "-C", dir)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, "(features: 1 feature, 1 theme)") || !strings.Contains(stdout, "(devices: 1 device)") {
		t.Errorf("exit %d:\n%s%s", code, stdout, stderr)
	}
}
