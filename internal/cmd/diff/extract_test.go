package diff

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The base is extracted file by file: what its iotpm.yaml names, streamed
// from git; an unrelated blob never leaves git (before, the whole tree was
// read into memory and written to /tmp), an in-repo link is followed, one
// leading out is left out, and a cancelled context stops it.
func TestExtractBaseTakesOnlyThePlanningFiles(t *testing.T) {
	repo := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q")
	write("plan/iotpm.yaml", "features: backlog/features.yaml\nmetrics:\n  month: 2026-10\n  inputs:\n    events: exports/events.csv\n")
	write("plan/backlog/real-features.yaml", "features: []\n")
	write("plan/exports/events.csv", "device_id,timestamp,event\n")
	write("plan/assets/render.bin", strings.Repeat("x", 1<<20))
	write("outside.yaml", "secret\n")
	if err := os.Symlink("real-features.yaml", filepath.Join(repo, "plan/backlog/features.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside.yaml", filepath.Join(repo, "plan/devices.yaml")); err != nil {
		t.Fatal(err)
	}
	run("add", "-A")
	run("commit", "-q", "-m", "base")

	dir := t.TempDir()
	if err := extractBase(context.Background(), repo, "HEAD", "plan", dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"iotpm.yaml":            "features: backlog/features.yaml",
		"backlog/features.yaml": "features: []", // the link, followed inside the repo
		"exports/events.csv":    "device_id,timestamp,event",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.HasPrefix(string(got), want) {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
		if info, err := os.Lstat(filepath.Join(dir, name)); err == nil && !info.Mode().IsRegular() {
			t.Errorf("%s is not a regular file: %v", name, info.Mode())
		}
	}
	for _, name := range []string{"assets/render.bin", "devices.yaml", "backlog/real-features.yaml"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was extracted", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := extractBase(ctx, repo, "HEAD", "plan", t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
