package root_test

import (
	"crypto/sha256"
	"fmt"
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
	if s := scripts["Install iotpm from source"]; !strings.Contains(s, `cd "$GITHUB_ACTION_PATH" && go install ./cmd/iotpm`) || strings.Contains(s, "@latest") {
		t.Errorf("install step:\n%s", s)
	}
	testPick(t, scripts["Choose how to install iotpm"])
	testDownload(t, scripts["Download iotpm"])
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

// The version input: the action's ref decides by default (a tag: that
// release; none, as with uses: ./: the code under test; a branch: the
// latest release); anything else than source, latest or a tag is refused.
func testPick(t *testing.T, script string) {
	t.Helper()
	for _, c := range []struct{ version, ref, want string }{
		{"", "", "source"}, {"", "v1.4.0", "v1.4.0"}, {"", "main", "latest"}, {"", "0123abcd", "latest"},
		{"source", "v1.4.0", "source"}, {"v2.0.1", "main", "v2.0.1"}, {"latest", "", "latest"}, {"1.2; rm -rf /", "", ""},
	} {
		out := filepath.Join(t.TempDir(), "output")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Env = append(os.Environ(), "VERSION="+c.version, "GITHUB_ACTION_REF="+c.ref, "GITHUB_OUTPUT="+out)
		stdout, err := cmd.CombinedOutput()
		got, _ := os.ReadFile(out)
		if c.want == "" {
			if err == nil || !strings.Contains(string(stdout), "::error") {
				t.Errorf("version %q: accepted (%s)", c.version, got)
			}
			continue
		}
		if err != nil || string(got) != "version="+c.want+"\n" {
			t.Errorf("version %q, ref %q: %q (%v %s), want %s", c.version, c.ref, got, err, stdout, c.want)
		}
	}
}

// The download installs the release archive only when its SHA-256 is the
// one checksums.txt gives for it; gh is replaced by a script that "downloads"
// a prepared release.
func testDownload(t *testing.T, script string) {
	t.Helper()
	for _, tamper := range []bool{false, true} {
		work := t.TempDir()
		release := filepath.Join(work, "release")
		os.MkdirAll(filepath.Join(release, "pkg"), 0o755)
		os.WriteFile(filepath.Join(release, "pkg", "iotpm"), []byte("#!/bin/sh\necho iotpm v1.4.0\n"), 0o755)
		archive := "iotpm_1.4.0_linux_amd64.tar.gz"
		if out, err := exec.Command("tar", "-czf", filepath.Join(release, archive), "-C", filepath.Join(release, "pkg"), "iotpm").CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
		data, err := os.ReadFile(filepath.Join(release, archive))
		if err != nil {
			t.Fatal(err)
		}
		hash := fmt.Sprintf("%x", sha256.Sum256(data))
		if tamper {
			hash = strings.Repeat("0", 64)
		}
		os.WriteFile(filepath.Join(release, "checksums.txt"), []byte(hash+"  "+archive+"\n"+strings.Repeat("1", 64)+"  iotpm_1.4.0_darwin_arm64.tar.gz\n"), 0o644)
		bin := filepath.Join(work, "bin")
		os.MkdirAll(bin, 0o755)
		// gh release download [TAG] --repo R --dir DIR --pattern P...: copy the release into DIR
		fake := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --dir ]; then dir=$2; fi; shift; done\ncp " + filepath.Join(release, "*.tar.gz") + " " + filepath.Join(release, "checksums.txt") + " \"$dir\"\n"
		os.WriteFile(filepath.Join(bin, "gh"), []byte(fake), 0o755)
		path := filepath.Join(work, "github_path")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "VERSION=v1.4.0", "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
			"RUNNER_TEMP="+work, "GITHUB_PATH="+path, "GITHUB_ACTION_REPOSITORY=iotpm/iotpm")
		out, err := cmd.CombinedOutput()
		added, _ := os.ReadFile(path)
		if tamper {
			if err == nil || !strings.Contains(string(out), "does not match its SHA-256") || len(added) != 0 {
				t.Errorf("a tampered archive was installed: %v\n%s", err, out)
			}
			continue
		}
		if err != nil || !strings.Contains(string(out), "iotpm v1.4.0") || strings.TrimSpace(string(added)) != filepath.Join(work, "iotpm-release", "bin") {
			t.Errorf("download: %v\n%s\nGITHUB_PATH: %q", err, out, added)
		}
	}
}
