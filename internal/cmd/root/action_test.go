package root_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Action (action.yml): every step's script parses in bash; it installs
// the code of its own ref (the self-test's uses: ./ builds the code under
// test, never @latest); --fail-on conditions are split without glob
// expansion; the comment step edits only the bot's own comment and leaves
// a fork's read-only token alone.
func TestActionScripts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{}
	for _, s := range action.Runs.Steps {
		if s.Run == "" {
			continue
		}
		scripts[s.Name] = s.Run
		if out, err := exec.Command("bash", "-n", "-c", s.Run).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", s.Name, err, out)
		}
	}
	if s := scripts["Install iotpm"]; !strings.Contains(s, `cd "$GITHUB_ACTION_PATH" && go install ./cmd/iotpm`) || strings.Contains(s, "@latest") {
		t.Errorf("install step:\n%s", s)
	}
	comment := scripts["Comment the diff on the pull request"]
	for _, want := range []string{`.user.login == "github-actions[bot]"`, `if [ "$HEAD_REPO" != "$REPO" ]`, "::notice"} {
		if !strings.Contains(comment, want) {
			t.Errorf("comment step lacks %q:\n%s", want, comment)
		}
	}
	// the fail-on split, run: a "*" stays a word, not the files here
	diff := scripts["iotpm diff"]
	start := strings.Index(diff, "args=()")
	end := strings.Index(diff, "status=0")
	if start < 0 || end < start {
		t.Fatalf("diff step:\n%s", diff)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a-file"), nil, 0o644)
	cmd := exec.Command("bash", "-c", diff[start:end]+`printf '%s|' "${args[@]}"`)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAIL_ON=slip  *")
	out, err := cmd.Output()
	if err != nil || string(out) != "--fail-on|slip|--fail-on|*|" {
		t.Errorf("fail-on split: %q %v", out, err)
	}
}
