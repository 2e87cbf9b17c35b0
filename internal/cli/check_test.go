package cli

import (
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/iostreams"
)

// copyExample copies the example planning repo to a temporary directory.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(exampleRepo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(exampleRepo, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckExample(t *testing.T) {
	stdout, stderr, code := run(t, nil, "check", "-C", exampleRepo)
	if code != cmdutil.ExitOK || stderr != "" {
		t.Fatalf("exit %d stderr %s", code, stderr)
	}
	golden(t, "check/table.golden", stdout)
	stdout, _, _ = run(t, nil, "check", "-C", exampleRepo, "-o", "json")
	golden(t, "check/json.golden", stdout)
	var doc checkJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || !doc.Passed || len(doc.Gates) != 9 || len(doc.Problems) != 0 {
		t.Errorf("json: %v %+v", err, doc)
	}
}

func TestCheckGateFailsWithExit1(t *testing.T) {
	dir := copyExample(t)
	editFile(t, filepath.Join(dir, "iotpm.yaml"), `connectivity_uptime: ">= 98%"`, `connectivity_uptime: ">= 99%"`)
	summary := filepath.Join(t.TempDir(), "summary.md")
	os.WriteFile(summary, []byte("earlier step\n"), 0o644)
	junit := filepath.Join(t.TempDir(), "gates.xml")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	stdout, stderr, code := run(t, env, "check", "-C", dir, "--junit", junit)
	if code != cmdutil.ExitGate {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stdout, "✗ 1 of 9 gates failed: connectivity_uptime") {
		t.Errorf("verdict:\n%s", stdout)
	}
	for _, want := range []string{
		"::error title=iotpm gate connectivity_uptime::connectivity uptime is 98.55%25, not >= 99%25\n",
		"iotpm: gate failed: connectivity uptime is 98.55%, not >= 99%\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	got, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(got), "earlier step\n## iotpm check\n\n❌ 1 of 9 gates failed: connectivity_uptime") || !strings.Contains(string(got), "| connectivity_uptime") {
		t.Errorf("summary (appended):\n%s", got)
	}
	var suites cmdutil.JUnitSuites
	data, _ := os.ReadFile(junit)
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatal(err)
	}
	s := suites.Suites[0]
	if s.Tests != 9 || s.Failures != 1 || s.Cases[0].Failure == nil || s.Cases[0].Name != "connectivity_uptime" {
		t.Errorf("junit %+v", s)
	}
	// outside GitHub Actions: no annotations, unless asked for
	_, stderr, _ = run(t, nil, "check", "-C", dir)
	if strings.Contains(stderr, "::error") {
		t.Errorf("annotations outside Actions:\n%s", stderr)
	}
	if _, stderr, _ = run(t, nil, "check", "-C", dir, "--annotations", "always"); !strings.Contains(stderr, "::error title=iotpm gate") {
		t.Errorf("--annotations always:\n%s", stderr)
	}
}

func TestCheckInvalidInputExit2WithAnnotations(t *testing.T) {
	dir := copyExample(t)
	editFile(t, filepath.Join(dir, "features.yaml"), "confidence: 80%\n    track: firmware\n    effort: {engineering: 3}", "confidence: 80\n    track: firmware\n    effort: {engineering: 3}")
	editFile(t, filepath.Join(dir, "devices.yaml"), "sleep: 2.5uA", "sleep: 2.5 microamps")
	workspace, _ := filepath.Abs(filepath.Dir(dir))
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace}
	stdout, stderr, code := run(t, env, "check", "-C", dir)
	if code != cmdutil.ExitInvalid || stdout != "" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	rel := filepath.Base(dir)
	for _, want := range []string{
		dir + "/features.yaml:42:17: features[0].confidence: 80 is ambiguous: write 80% or 0.8\n",
		// the message is escaped as workflow commands require: % → %25
		"::error file=" + rel + "/features.yaml,line=42,col=17,title=iotpm schema::features[0].confidence: 80 is ambiguous: write 80%25 or 0.8\n",
		"::error file=" + rel + "/devices.yaml,line=11,col=12,title=iotpm schema::devices[0].sleep: \"2.5 microamps\" has an unknown current unit \"microamps\"",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestAnnotationEscaping(t *testing.T) {
	var b strings.Builder
	cmdutil.WriteAnnotation(&b, diag.Diagnostic{File: "dir,a:b/f.yaml", Line: 3, Col: 5, Severity: diag.Error, Message: "100% bad\nsecond line"}, "")
	want := "::error file=dir%2Ca%3Ab/f.yaml,line=3,col=5,title=iotpm::100%25 bad%0Asecond line\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	b.Reset()
	cmdutil.WriteAnnotation(&b, diag.Diagnostic{File: "x.csv", Severity: diag.Warning, Message: "w"}, "")
	if b.String() != "::warning file=x.csv,title=iotpm::w\n" {
		t.Errorf("%q", b.String())
	}
}

func TestInitThenCheckPasses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-product")
	ios, _, stderr := iostreams.Test()
	clock := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	f := &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, Clock: clock}
	root := NewRootCmd(f)
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
	stdout, stderr2, code := run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, "✓ all 2 gates passed") {
		t.Fatalf("check in the new repo: exit %d\n%s%s", code, stdout, stderr2)
	}
	// every file init writes validates against its schema
	for kind, file := range map[string]string{"config": "iotpm.yaml", "features": "features.yaml", "devices": "devices.yaml"} {
		data, _ := os.ReadFile(filepath.Join(dir, file))
		if err := validateYAML(t, compileSchema(t, kind), string(data)); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	// a second init refuses, --force overwrites
	before, _ := os.ReadFile(filepath.Join(dir, "devices.yaml"))
	os.WriteFile(filepath.Join(dir, "devices.yaml"), []byte("edited\n"), 0o644)
	if _, stderr, code := run(t, nil, "init", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "nothing was written (use --force to overwrite)") {
		t.Errorf("second init: exit %d %s", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "devices.yaml")); string(got) != "edited\n" {
		t.Error("init overwrote a file without --force")
	}
	if _, _, code := run(t, nil, "init", dir, "--force"); code != 0 {
		t.Errorf("init --force: exit %d", code)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "devices.yaml")); string(got) != string(before) {
		t.Error("--force did not restore devices.yaml")
	}
}

func TestReport(t *testing.T) {
	dir := copyExample(t)
	out := filepath.Join(t.TempDir(), "PLAN.md")
	ios, stdout, stderr := iostreams.Test()
	clock := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	f := &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, Clock: clock}
	root := NewRootCmd(f)
	root.SetArgs([]string{"report", "-C", dir, "--out", out})
	if err := root.Execute(); err != nil || stdout.Len() != 0 {
		t.Fatal(err, stderr.String())
	}
	data, _ := os.ReadFile(out)
	report := strings.Replace(string(data), "# Plan: "+filepath.Base(dir), "# Plan: $REPO", 1)
	golden(t, "report/PLAN.md.golden", report)
	for _, want := range []string{"## Gates", "## RICE ranking", "```mermaid\ngantt", "## Energy budget: drip-lora", "battery life against heartbeat.every", "## Fleet metrics", "### Customers by health"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// invalid input: exit 2 and no file
	editFile(t, filepath.Join(dir, "features.yaml"), "reach: 40000", "reach: lots")
	out2 := filepath.Join(t.TempDir(), "PLAN.md")
	if _, _, code := run(t, nil, "report", "-C", dir, "--out", out2); code != cmdutil.ExitInvalid {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("a report was written from invalid input")
	}
}

func TestConfigErrors(t *testing.T) {
	dir := copyExample(t)
	editFile(t, filepath.Join(dir, "iotpm.yaml"), "ota: {path: exports/ota.csv", "ota: {path: ../../etc/ota.csv")
	editFile(t, filepath.Join(dir, "iotpm.yaml"), `monthly_active_devices: ">= 150"`, `monthly_active_devices: "at least 150"`)
	_, stderr, code := run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitInvalid {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"iotpm.yaml:11:10: metrics.inputs.ota: \"../../etc/ota.csv\" escapes the planning repo",
		"iotpm.yaml:20:27: gates.monthly_active_devices: \"at least 150\" is not a threshold",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// every command reads iotpm.yaml, so a bad one stops them all
	if _, _, code := run(t, nil, "rice", "-C", dir); code != cmdutil.ExitInvalid {
		t.Errorf("rice with a bad iotpm.yaml: exit %d", code)
	}
}

func TestCommandsUseConfigDefaults(t *testing.T) {
	// metrics with no flags takes the window and inputs from iotpm.yaml
	stdout, stderr, code := run(t, nil, "metrics", "-C", exampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	want, _, _ := run(t, nil, append(append([]string{"metrics", "-C", exampleRepo}, exampleInputs...),
		"--format", "events=aws-iot-lifecycle", "--format", "ota=aws-iot-jobs", "-o", "json")...)
	if stdout != want {
		t.Error("metrics from iotpm.yaml differs from the same inputs as flags")
	}
	dir := copyExample(t)
	os.Rename(filepath.Join(dir, "features.yaml"), filepath.Join(dir, "backlog.yaml"))
	editFile(t, filepath.Join(dir, "iotpm.yaml"), "features: features.yaml", "features: backlog.yaml")
	if _, stderr, code := run(t, nil, "rice", "-C", dir); code != 0 {
		t.Errorf("rice with features: backlog.yaml: exit %d %s", code, stderr)
	}
}
