package root_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/root"
	"github.com/iotpm/iotpm/internal/failure"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/iostreams"
)

// A planning repo from a pull request may plant symbolic links. A path of
// iotpm.yaml (or a default planning file) that resolves outside the repo
// is an error, and nothing of the file it leads to is printed.
func TestLinksOutOfTheRepoAreRefused(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	secret := filepath.Join(t.TempDir(), "environ")
	os.WriteFile(secret, []byte("GITHUB_TOKEN=ghp_planted_secret,x\n"), 0o644)
	os.Remove(filepath.Join(dir, "exports", "devices.csv"))
	os.Symlink(secret, filepath.Join(dir, "exports", "devices.csv"))
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `metrics.inputs.devices: "exports/devices.csv" resolves to `+secret+`, outside the planning repo`) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "ghp_planted_secret") {
		t.Errorf("the secret was printed:\n%s", stderr)
	}
	// a default planning file, with no iotpm.yaml
	bare := t.TempDir()
	os.Symlink(secret, filepath.Join(bare, "features.yaml"))
	_, stderr, code = cmdtest.Run(t, nil, "rice", "-C", bare)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "outside the planning repo") || strings.Contains(stderr, "ghp_planted_secret") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// A name that is not there beneath a link out of the repo is refused as
// the link is: before, it was "no such file" with a suggestion from the
// listing of the directory outside (a pull request could learn the names
// of files on the CI runner, one guess at a time).
func TestMissingFileBeneathALinkOutIsRefused(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "ghp_planted_secret.csv"), []byte("x\n"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "exports", "out"))
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "exports/lifecycle.csv", "exports/out/ghp_planted_secre.csv")
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `metrics.inputs.events: "exports/out/ghp_planted_secre.csv" resolves to `+outside+`, outside the planning repo`) || strings.Contains(stderr, "ghp_planted_secret") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// A dangling iotpm.yaml link is an error, not "no config, no gates".
func TestDanglingConfigLinkIsAnError(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	os.Remove(filepath.Join(dir, "iotpm.yaml"))
	os.Symlink(filepath.Join(dir, "nowhere.yaml"), filepath.Join(dir, "iotpm.yaml"))
	stdout, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "iotpm.yaml: is a symbolic link to") || strings.Contains(stdout, "no gates configured") {
		t.Errorf("exit %d stdout %q:\n%s", code, stdout, stderr)
	}
}

// --out and --junit never replace a device or a link: /dev/null stays a
// device, a planted link is refused and its target kept.
func TestOutputsDoNotClobber(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	if _, _, code := cmdtest.Run(t, nil, "check", "-C", dir, "--junit", "/dev/null"); code != 0 {
		t.Fatalf("--junit /dev/null: exit %d", code)
	}
	if info, err := os.Stat("/dev/null"); err != nil || info.Mode()&os.ModeDevice == 0 {
		t.Fatalf("/dev/null is no longer a device")
	}
	target := filepath.Join(t.TempDir(), "workflow.yml")
	os.WriteFile(target, []byte("keep"), 0o644)
	os.Symlink(target, filepath.Join(dir, "PLAN.md"))
	_, stderr, code := cmdtest.Run(t, nil, "report", "-C", dir, "--out", "PLAN.md")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "does not write through links") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(target); string(got) != "keep" {
		t.Errorf("the link's target was written")
	}
	// - is stdout
	stdout, _, code := cmdtest.Run(t, nil, "report", "-C", dir, "--out", "-")
	if code != 0 || !strings.HasPrefix(stdout, "# Plan:") {
		t.Errorf("--out -: exit %d", code)
	}
}

// init never overwrites the schemas, nor follows a dangling link.
func TestInitRefusesExistingSchemasAndLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, ".iotpm", "schema"), 0o755)
	os.WriteFile(filepath.Join(dir, ".iotpm", "schema", "iotpm.schema.json"), []byte("mine"), 0o644)
	_, stderr, code := cmdtest.Run(t, nil, "init", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "already has .iotpm/schema/iotpm.schema.json; nothing was written") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	dir = t.TempDir()
	outside := filepath.Join(t.TempDir(), "created-by-init")
	os.Symlink(outside, filepath.Join(dir, "features.yaml"))
	_, stderr, code = cmdtest.Run(t, nil, "init", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "already has features.yaml") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Error("init wrote through a dangling link")
	}
}

// No data from a planning repo can start a line of its own on stderr: on
// GitHub Actions a line "::warning::…" is a workflow command.
func TestNoWorkflowCommandInjection(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	env := map[string]string{"GITHUB_ACTIONS": "true"}
	// a CSV header with an embedded newline
	cmdtest.WriteFile(t, dir, "events.csv", "\"clientId\",\"stamp\n::warning::INJECTED\",\"eventType\"\nd1,1,connected\n")
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "path: exports/lifecycle.csv", "path: events.csv")
	_, stderr, _ := cmdtest.Run(t, env, "check", "-C", dir)
	// a path with a newline
	dir2 := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir2, "iotpm.yaml"), "devices: exports/devices.csv", `devices: "x\n::warning::INJECTED"`)
	_, stderr2, _ := cmdtest.Run(t, env, "check", "-C", dir2)
	for _, out := range []string{stderr, stderr2} {
		if !strings.Contains(out, "INJECTED") {
			t.Fatalf("the test input did not reach the output:\n%s", out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "::warning::") || strings.HasPrefix(line, "::warning ") {
				t.Errorf("injected workflow command on its own line:\n%s", out)
			}
		}
	}
}

// An escape sequence in an id is shown, not sent to the terminal.
func TestTerminalEscapesInDataAreShown(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,customer_id\nd1,2026-09-01,\x1b[2Jevil\n")
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01,connected\nd1,2026-10-02,disconnected\n")
	for _, format := range []string{"table", "markdown"} {
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10", "-o", format)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if strings.ContainsRune(stdout, 0x1b) || !strings.Contains(stdout, `\x1b[2Jevil`) {
			t.Errorf("%s output:\n%q", format, stdout)
		}
	}
}

// Non-finite and absurd values are refused at load with positions; an
// unbounded result is written as null, never an exit 3.
func TestNonFiniteAndAbsurdValues(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "activation_window: 30d", "activation_window: 1e6y\n  slo: NaN%\n  health: {uptime: {weight: 1e308}}")
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	for _, want := range []string{
		`iotpm.yaml:19:22: metrics.activation_window: "1e6y" is out of range for a duration (at most 1000y)`,
		`iotpm.yaml:20:8: metrics.slo: NaN% is not a share`,
		`iotpm.yaml:21:29: metrics.health.uptime.weight must be at most 1000; got 1e+308`,
	} {
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	// a feature whose removal leaves nothing draining the cell: its "life
	// without" is unbounded — null in JSON, ∞ in the table, exit 0
	bat := t.TempDir()
	os.WriteFile(filepath.Join(bat, "devices.yaml"), []byte(`cells:
  ideal: {capacity: 1000mAh, self_discharge: 0%/y}
devices:
  - id: one
    battery: {cell: ideal}
    sleep: 0uA
    events:
      - {name: ping, feature: connectivity, every: 1h, duration: 10ms, current: 5mA}
`), 0o644)
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", bat, "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"life_without_years": null`) {
		t.Errorf("exit %d: %s\n%s", code, stderr, stdout)
	}
	stdout, _, code = cmdtest.Run(t, nil, "battery", "-C", bat, "--device", "one")
	if code != 0 || !strings.Contains(stdout, "∞") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// The window in iotpm.yaml is checked with positions.
func TestConfigWindowErrorsArePositioned(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "from: 2026-11-01\n  to: soon")
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `iotpm.yaml:7:7: metrics.to: "soon" is not a time`) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "to: soon", "to: 2026-10-01")
	_, stderr, code = cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `iotpm.yaml:6:3: metrics: to 2026-10-01 must be after from 2026-11-01`) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// The count of problems is the count of lines printed: a problem found
// twice is printed once and counted once.
func TestProblemCountMatchesLines(t *testing.T) {
	var l diag.List
	l.Errorf(diag.Plan, "f.yaml", 3, 1, "same")
	l.Errorf(diag.Plan, "f.yaml", 3, 1, "same")
	l.Errorf(diag.Plan, "f.yaml", 4, 1, "other")
	if got := (&failure.InvalidInputError{Diagnostics: l}).Error(); got != "2 problems in f.yaml; nothing was computed" {
		t.Errorf("%q", got)
	}
}

// Ctrl-C (a cancelled context) stops a command that reads exports: exit
// 130, nothing on stdout, one line on stderr.
func TestInterruptedWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{{"metrics", "-C", cmdtest.ExampleRepo}, {"check", "-C", cmdtest.ExampleRepo}, {"report", "-C", cmdtest.ExampleRepo}} {
		ios, out, errOut := iostreams.Test()
		code := root.MainContext(ctx, args, ios, func(string) string { return "" })
		if code != cmdutil.ExitInterrupted || out.Len() != 0 || errOut.String() != "iotpm: interrupted; nothing was written\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errOut.String())
		}
	}
}

// Flag errors say what to type, in the user's terms, and exit 2.
func TestFlagErrorsArePlain(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"metrics", "--month", "2026-10", "--from", "2026-09-01"}, "iotpm: --from and --month cannot be used together; give one\n"},
		{[]string{"metrics", "--min-mad", "1,000"}, `iotpm: --min-mad "1,000" is not a whole number: write it without thousands separators (1000)` + "\n"},
		{[]string{"metrics", "--min-mad", "lots"}, `iotpm: --min-mad "lots" is not a whole number` + "\n"},
	} {
		c.args = append(c.args, "-C", cmdtest.ExampleRepo)
		_, stderr, code := cmdtest.Run(t, nil, c.args...)
		if code != cmdutil.ExitInvalid || !strings.HasPrefix(stderr, c.want) || strings.Contains(stderr, "strconv") {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

// -C to a directory that is not there says so, and how to make one.
func TestMissingRepoDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, cmd := range []string{"rice", "check", "metrics", "battery"} {
		_, stderr, code := cmdtest.Run(t, nil, cmd, "-C", missing)
		want := "iotpm: -C " + missing + ": no such directory; to start a planning repo there: iotpm init " + missing + "\n"
		if code != cmdutil.ExitInvalid || !strings.HasPrefix(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}

// A directory the pull request commits as a link (docs → a directory
// outside the repo): writing docs/PLAN.md, docs/gates.xml or schemas
// under it is refused with nothing written there — the link may be any
// component of the path, not only the last.
func TestOutputsDoNotGoThroughLinkedDirectories(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "docs")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"report", "-C", dir, "--out", "docs/PLAN.md"},
		{"check", "-C", dir, "--junit", "docs/gates.xml"},
		{"schema", "-C", dir, "--out-dir", "docs/schema"},
	} {
		_, stderr, code := cmdtest.Run(t, nil, args...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "docs is a symbolic link; iotpm does not write through links") {
			t.Errorf("%v: exit %d:\n%s", args, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
	// a real directory of the repo is fine
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "report", "-C", dir, "--out", "out/PLAN.md"); code != 0 {
		t.Errorf("report into out/: exit %d %s", code, stderr)
	}
}

// An input that is a directory or a glob: a link among its files that
// leads outside the repo is refused as a link named alone is.
func TestLinksInInputDirectoriesAreRefused(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	secret := filepath.Join(t.TempDir(), "environ")
	os.WriteFile(secret, []byte("GITHUB_TOKEN=ghp_planted_secret,x\n"), 0o644)
	events := filepath.Join(dir, "exports", "events")
	os.MkdirAll(events, 0o755)
	os.Rename(filepath.Join(dir, "exports", "lifecycle.csv"), filepath.Join(events, "a.csv"))
	os.Symlink(secret, filepath.Join(events, "b.csv"))
	for _, path := range []string{"exports/events", "exports/events/*.csv"} {
		config, _ := os.ReadFile(filepath.Join(dir, "iotpm.yaml"))
		os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(strings.Replace(string(config), "exports/lifecycle.csv", path, 1)), 0o644)
		_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `metrics.inputs.events: "exports/events/b.csv" resolves to `+secret+`, outside the planning repo`) || strings.Contains(stderr, "ghp_planted_secret") {
			t.Errorf("%s: exit %d:\n%s", path, code, stderr)
		}
		os.WriteFile(filepath.Join(dir, "iotpm.yaml"), config, 0o644)
	}
}

// An input directory may be a symbolic link: inside the repo it is read
// as the directory it leads to (the run stopped before, saying it "has no
// export file"), by a relative or an absolute link; one leading out of
// the repo — by its own name or matched by a glob — is refused at its
// line before anything beneath it is listed, so a pull request's link to
// / costs no walk of the file system.
func TestLinkedInputDirectories(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	life := filepath.Join(dir, "data", "life")
	os.MkdirAll(life, 0o755)
	os.Rename(filepath.Join(dir, "exports", "lifecycle.csv"), filepath.Join(life, "part-1.csv"))
	config, _ := os.ReadFile(filepath.Join(dir, "iotpm.yaml"))
	use := func(path string) {
		os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(strings.Replace(string(config), "exports/lifecycle.csv", path, 1)), 0o644)
	}
	uptime := func(path string) string {
		use(path)
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d:\n%s", path, code, stderr)
		}
		i := strings.Index(stdout, `"connectivity_uptime"`)
		return stdout[i : i+200]
	}
	want := uptime("data/life")
	os.Symlink("data/life", filepath.Join(dir, "relative"))
	os.Symlink(life, filepath.Join(dir, "absolute"))
	os.MkdirAll(filepath.Join(dir, "linked"), 0o755)
	os.Symlink("../data/life", filepath.Join(dir, "linked", "life"))
	for _, path := range []string{"relative", "absolute", "linked/*"} {
		if got := uptime(path); got != want {
			t.Errorf("%s: %s\nwant %s", path, got, want)
		}
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "environ.csv"), []byte("GITHUB_TOKEN=ghp_planted_secret,x\n"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "linked", "out"))
	for _, path := range []string{"linked/out", "linked/o*"} {
		use(path)
		_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `metrics.inputs.events: "linked/out" resolves to `+outside+`, outside the planning repo`) || strings.Contains(stderr, "environ") {
			t.Errorf("%s: exit %d:\n%s", path, code, stderr)
		}
	}
}
