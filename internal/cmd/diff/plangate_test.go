package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

// The defaults iotpm init writes fail a plan that ruins battery life: on
// a branch of a fresh repo, a planned feature's uplink every minute takes
// the sensor below its 5-year target after the release it ships in.
// check exits 1 naming the device, the release and the feature; battery
// marks it; diff names it in its summary line, whatever the gates.
func TestInitDefaultsFailAPlanBelowTarget(t *testing.T) {
	root := t.TempDir()
	plan := filepath.Join(root, "plan")
	if _, stderr, code := cmdtest.Run(t, nil, "init", plan); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if stdout, stderr, code := cmdtest.Run(t, nil, "check", "-C", plan); code != 0 {
		t.Fatalf("check of the new repo: exit %d\n%s%s", code, stdout, stderr)
	}
	gitIn(t, root, "init", "-q", "-b", "main")
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "new repo")
	gitIn(t, root, "checkout", "-q", "-b", "alert-uplink")
	devices := filepath.Join(plan, "devices.yaml")
	data, err := os.ReadFile(devices)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "      - name: sample\n", `      - name: alert-uplink       # offline alerts sent as they queue: every minute
        feature: offline-alert-queue
        every: 1m
        phases:
          - {lora: {sf: 12, payload: 40}, current: 40mA}
      - name: sample
`, 1)
	if text == string(data) {
		t.Fatal("the init template's devices.yaml has no sample event to add beside")
	}
	if err := os.WriteFile(devices, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := cmdtest.Run(t, nil, "check", "-C", plan)
	if code != cmdutil.ExitGate {
		t.Fatalf("check: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"battery_life.plan.sensor", "FW 1 on 2027-04-01", "offline-alert-queue"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("check's stderr lacks %q:\n%s", want, stderr)
		}
	}
	stdout, _, _ = cmdtest.Run(t, nil, "battery", "-C", plan)
	if !strings.Contains(stdout, "plan below target") {
		t.Errorf("battery does not mark the plan:\n%s", stdout)
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown")
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	summary := strings.SplitN(stdout, "\n\n", 3)[1]
	for _, want := range []string{"sensor battery", "the plan now takes it below its 5 y target", "with offline-alert-queue"} {
		if !strings.Contains(summary, want) {
			t.Errorf("diff's summary line lacks %q:\n%s", want, summary)
		}
	}
}

// A change that takes today's device below its target is not blamed on the
// plan's first release: the plan gate and diff's summary say the device
// misses its target today, before any release (they named FW 1 and the
// feature that ships in it, which had nothing to do with it).
func TestBelowTargetTodayIsNotThePlans(t *testing.T) {
	root := t.TempDir()
	plan := filepath.Join(root, "plan")
	if _, stderr, code := cmdtest.Run(t, nil, "init", plan); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	gitIn(t, root, "init", "-q", "-b", "main")
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "new repo")
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "every: 15m", "every: 10s")

	stdout, stderr, code := cmdtest.Run(t, nil, "check", "-C", plan)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "battery_life.plan.sensor is 0.36 years, not >= 5 years after every release: below its target today, before any release of the plan (0.36 years; 0.36 years after FW 1)") ||
		strings.Contains(stdout+stderr, "with offline-alert-queue") {
		t.Errorf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown")
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	summary := strings.SplitN(stdout, "\n\n", 3)[1]
	if !strings.Contains(summary, "sensor battery 16.1 y → 0.4 y") || !strings.Contains(summary, "below its 5 y target today, before any release of the plan") ||
		strings.Contains(summary, "offline-alert-queue") {
		t.Errorf("diff's summary line:\n%s", summary)
	}
}
