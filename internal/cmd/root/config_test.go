package root_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

func TestConfigErrors(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "ota: {path: exports/ota.csv", "ota: {path: ../../etc/ota.csv")
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `monthly_active_devices: ">= 150"`, `monthly_active_devices: "at least 150"`)
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"iotpm.yaml:11:10: metrics.inputs.ota: \"../../etc/ota.csv\" escapes the planning repo",
		"iotpm.yaml:30:27: gates.monthly_active_devices: \"at least 150\" is not a threshold",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// every command reads iotpm.yaml, so a bad one stops them all
	if _, _, code := cmdtest.Run(t, nil, "rice", "-C", dir); code != cmdutil.ExitInvalid {
		t.Errorf("rice with a bad iotpm.yaml: exit %d", code)
	}
}

// A planning file iotpm.yaml names but the repo lacks is reported where
// it is named, with the name most likely meant (a GitHub annotation on a
// file that does not exist shows nowhere); a default file missing from a
// directory without iotpm.yaml says the command ran outside the repo.
func TestMissingPlanningFiles(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "devices: devices.yaml", "devices: device.yaml")
	for _, cmd := range []string{"check", "rice", "battery"} {
		_, stderr, code := cmdtest.Run(t, nil, cmd, "-C", dir)
		if want := `iotpm.yaml:4:10: devices: "device.yaml": no such file; did you mean "devices.yaml"?`; code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", cmd, code, want, stderr)
		}
	}
	empty := t.TempDir()
	_, stderr, code := cmdtest.Run(t, nil, "rice", "-C", empty)
	if want := "has no iotpm.yaml: is it the planning repo?"; code != cmdutil.ExitInvalid || !strings.Contains(stderr, "features.yaml: no such file") || !strings.Contains(stderr, want) {
		t.Errorf("rice outside a repo: exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	// a repo with iotpm.yaml gets no such hint
	os.Remove(filepath.Join(dir, "devices.yaml"))
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "devices: device.yaml\n", "\n")
	os.Remove(filepath.Join(dir, "features.yaml"))
	if _, stderr, _ := cmdtest.Run(t, nil, "rice", "-C", dir); strings.Contains(stderr, "is it the planning repo") || !strings.Contains(stderr, `iotpm.yaml:3:11: features: "features.yaml": no such file`) {
		t.Errorf("rice in a repo without features.yaml:\n%s", stderr)
	}
}

func TestCommandsUseConfigDefaults(t *testing.T) {
	// metrics with no flags takes the window and inputs from iotpm.yaml
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	want, _, _ := cmdtest.Run(t, nil, append(append([]string{"metrics", "-C", cmdtest.ExampleRepo}, cmdtest.ExampleInputs...),
		"--format", "events=aws-iot-lifecycle", "--format", "ota=aws-iot-jobs", "-o", "json")...)
	// the same numbers; the repo's gates only on its own inputs
	var fromConfig, fromFlags map[string]any
	if json.Unmarshal([]byte(stdout), &fromConfig) != nil || json.Unmarshal([]byte(want), &fromFlags) != nil {
		t.Fatalf("not JSON:\n%s\n%s", stdout, want)
	}
	if gates, _ := fromConfig["gates"].([]any); len(gates) == 0 {
		t.Error("metrics on the repo's inputs evaluates none of its gates")
	}
	delete(fromConfig, "gates")
	delete(fromFlags, "gates")
	if !reflect.DeepEqual(fromConfig, fromFlags) {
		t.Error("metrics from iotpm.yaml differs from the same inputs as flags")
	}
	dir := cmdtest.CopyExample(t)
	os.Rename(filepath.Join(dir, "features.yaml"), filepath.Join(dir, "backlog.yaml"))
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "features: features.yaml", "features: backlog.yaml")
	if _, stderr, code := cmdtest.Run(t, nil, "rice", "-C", dir); code != 0 {
		t.Errorf("rice with features: backlog.yaml: exit %d %s", code, stderr)
	}
}
