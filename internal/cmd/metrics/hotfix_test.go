package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// The example's devices on 2.4.1 with an even last digit renamed
// 2.4.1-hotfix1 (a hotfix named as semantic versioning names a
// pre-release): they count as not on target 2.4.1, and the run says so
// with both shares — the second is the example's own value, since those
// devices ran 2.4.1 there — and the setting that reads them as a fix,
// which gives that value back.
func TestHotfixSuffixWarned(t *testing.T) {
	share := func(dir string) (float64, string) {
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
		if code != 0 && code != 1 { // 1: the example's firmware gate fails after the renaming
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Firmware struct {
				Value float64 `json:"value"`
			} `json:"firmware_on_target"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Firmware.Value, stderr
	}
	dir := cmdtest.CopyExample(t)
	before, stderr := share(dir)
	if strings.Contains(stderr, "with a suffix") {
		t.Fatalf("the example warns:\n%s", stderr)
	}
	path := filepath.Join(dir, "exports", "ota.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	renamed := regexp.MustCompile(`(?m)^(drip-\d{5}[02468],[^,]+,[A-Z_]+,\d+),2\.4\.1$`).ReplaceAllString(string(data), "$1,2.4.1-hotfix1")
	if renamed == string(data) {
		t.Fatal("no row renamed")
	}
	cmdtest.WriteFile(t, filepath.Join(dir, "exports"), "ota.csv", renamed)
	after, stderr := share(dir)
	if after >= before {
		t.Fatalf("firmware on target %v after the renaming, %v before: the renamed devices should count as off target", after, before)
	}
	pct := func(v float64) string {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", math.Round(v*1000)/10), ".0") + "%"
	}
	want := fmt.Sprintf(`(1 version(s), the most common "2.4.1-hotfix1"), which semantic versioning orders before 2.4.1, as a pre-release: they count as not on target, %s on target; %s if the suffix marks a fix after 2.4.1`, pct(after), pct(before))
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "If it does, say so: metrics.firmware: {target: 2.4.1, after_release: [hotfix]}") {
		t.Errorf("stderr lacks %q or the setting:\n%s", want, stderr)
	}
	// the setting the warning names: the hotfix is after 2.4.1, the share
	// is the example's own again, and nothing is warned
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "firmware: {target: 2.4.1}", "firmware: {target: 2.4.1, after_release: [hotfix]}")
	if got, stderr := share(dir); got != before || strings.Contains(stderr, "with a suffix") {
		t.Errorf("with after_release: firmware on target %v, want the example's %v; stderr:\n%s", got, before, stderr)
	}
	// a word it cannot be
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "after_release: [hotfix]", `after_release: ["hot fix"]`)
	if _, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir); code != 2 || !strings.Contains(stderr, `metrics.firmware.after_release: "hot fix" is not a word of letters`) {
		t.Errorf("exit %d, want 2 naming the word:\n%s", code, stderr)
	}
}
