package initrepo_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

func TestInitThenCheckPasses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-product")
	ios, _, stderr := iostreams.Test()
	clock := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	f := &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, Clock: clock}
	root := root.NewRootCmd(f)
	root.SetArgs([]string{"init", dir})
	if err := root.Execute(); err != nil {
		t.Fatal(err, stderr.String())
	}
	features, _ := os.ReadFile(filepath.Join(dir, "features.yaml"))
	if !strings.Contains(string(features), "start: 2026-12-01") || !strings.HasPrefix(string(features), "# yaml-language-server: $schema=.iotpm/schema/features.schema.json") {
		t.Errorf("features.yaml:\n%s", features)
	}
	for _, p := range []string{"iotpm.yaml", "devices.yaml", "exports/README.md", ".github/workflows/iotpm.yml", ".iotpm/schema/features.schema.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
	stdout, stderr2, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, "✓ all 6 gates passed") {
		t.Fatalf("check in the new repo: exit %d\n%s%s", code, stdout, stderr2)
	}
	// every file init writes validates against its schema
	for kind, file := range map[string]string{"config": "iotpm.yaml", "features": "features.yaml", "devices": "devices.yaml", "economics": "economics.yaml"} {
		data, _ := os.ReadFile(filepath.Join(dir, file))
		if err := cmdtest.ValidateYAML(t, cmdtest.CompileSchema(t, kind), string(data)); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	// a second init refuses, --force overwrites
	before, _ := os.ReadFile(filepath.Join(dir, "devices.yaml"))
	os.WriteFile(filepath.Join(dir, "devices.yaml"), []byte("edited\n"), 0o644)
	if _, stderr, code := cmdtest.Run(t, nil, "init", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "nothing was written (use --missing to add the others, --force to overwrite)") {
		t.Errorf("second init: exit %d %s", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "devices.yaml")); string(got) != "edited\n" {
		t.Error("init overwrote a file without --force")
	}
	if _, _, code := cmdtest.Run(t, nil, "init", dir, "--force"); code != 0 {
		t.Errorf("init --force: exit %d", code)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "devices.yaml")); string(got) != string(before) {
		t.Error("--force did not restore devices.yaml")
	}
	// --missing adds what is not there and keeps the rest as it is
	os.WriteFile(filepath.Join(dir, "devices.yaml"), []byte("edited\n"), 0o644)
	os.Remove(filepath.Join(dir, ".github", "workflows", "iotpm.yml"))
	os.Remove(filepath.Join(dir, ".gitignore"))
	_, stderr3, code := cmdtest.Run(t, nil, "init", dir, "--missing")
	if code != 0 || !strings.Contains(stderr3, "Added what was missing to") || !strings.Contains(stderr3, "  .github/workflows/iotpm.yml\n") || !strings.Contains(stderr3, "Kept: iotpm.yaml") {
		t.Errorf("--missing: exit %d\n%s", code, stderr3)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "devices.yaml")); string(got) != "edited\n" {
		t.Error("--missing overwrote devices.yaml")
	}
	if got, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err != nil || !strings.Contains(string(got), "iotpm-gates.xml") || !strings.Contains(string(got), "PLAN.md") {
		t.Errorf(".gitignore: %q %v", got, err)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "init", dir, "--missing", "--force"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "none of the others can be") && !strings.Contains(stderr, "force") {
		t.Errorf("--missing --force: exit %d %s", code, stderr)
	}
}

// The gates of a new repo pass on init's example figures, and check says
// so for each file that holds them, until the user deletes the mark.
func TestInitPlaceholdersWarn(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := cmdtest.Run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: exit %d %s", code, stderr)
	}
	_, stderr2, _ := cmdtest.Run(t, nil, "check", "-C", dir)
	for _, file := range []string{"features.yaml", "devices.yaml", "economics.yaml"} {
		if !strings.Contains(stderr2, file+":3:14: warning: placeholder: the figures of this file are iotpm init's examples") && !strings.Contains(stderr2, file+":4:14: warning: placeholder:") {
			t.Errorf("no placeholder warning for %s:\n%s", file, stderr2)
		}
		cmdtest.EditFile(t, filepath.Join(dir, file), "placeholder: true   # these figures are examples: put in yours, then delete this line (until then iotpm warns)\n", "")
	}
	if _, stderr, _ := cmdtest.Run(t, nil, "check", "-C", dir); strings.Contains(stderr, "placeholder") {
		t.Errorf("the marks deleted, check still warns:\n%s", stderr)
	}
}

// init --force checks every target before writing any: a symbolic link in
// a path (.github → elsewhere) or a directory where a file goes refuses
// the whole run, and nothing is half-made.
func TestInitChecksEveryTargetFirst(t *testing.T) {
	for name, setup := range map[string]func(dir, outside string){
		"a link in the middle": func(dir, outside string) { os.Symlink(outside, filepath.Join(dir, ".github")) },
		"a directory for a file": func(dir, _ string) {
			os.MkdirAll(filepath.Join(dir, "devices.yaml"), 0o755)
		},
		"a link as the file": func(dir, outside string) {
			os.Symlink(filepath.Join(outside, "bashrc"), filepath.Join(dir, "features.yaml"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			cmdtest.WriteFile(t, dir, "iotpm.yaml", "untouched\n")
			setup(dir, outside)
			_, stderr, code := cmdtest.Run(t, nil, "init", dir, "--force")
			if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "nothing was written") {
				t.Errorf("exit %d: %s", code, stderr)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "iotpm.yaml")); string(got) != "untouched\n" {
				t.Errorf("iotpm.yaml was rewritten before the refusal: %q", got)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("written outside the repo: %v", entries)
			}
		})
	}
}
