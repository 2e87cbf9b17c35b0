package diff

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scratchRepo is a git repository in a temporary directory, written to
// by name and committed with a fixed author and no signing.
type scratchRepo struct {
	t   *testing.T
	dir string
}

func newScratchRepo(t *testing.T) *scratchRepo {
	r := &scratchRepo{t, t.TempDir()}
	r.git("init", "-q")
	return r
}

func (r *scratchRepo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func (r *scratchRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *scratchRepo) link(target, name string) {
	r.t.Helper()
	if err := os.Symlink(target, filepath.Join(r.dir, name)); err != nil {
		r.t.Fatal(err)
	}
}

// extractPlan commits everything and extracts HEAD's plan/ as the base.
func (r *scratchRepo) extractPlan() string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	dir := r.t.TempDir()
	if err := extractBase(context.Background(), r.dir, "HEAD", "plan", dir); err != nil {
		r.t.Fatal(err)
	}
	return dir
}

// The base is extracted file by file: what its iotpm.yaml names, streamed
// from git; an unrelated blob never leaves git (before, the whole tree was
// read into memory and written to /tmp), an in-repo link is followed, one
// leading out is left out, and a cancelled context stops it.
func TestExtractBaseTakesOnlyThePlanningFiles(t *testing.T) {
	repo := newScratchRepo(t)
	write := repo.write
	write("plan/iotpm.yaml", "features: backlog/features.yaml\nmetrics:\n  month: 2026-10\n  inputs:\n    events: exports/events.csv\n")
	write("plan/backlog/real-features.yaml", "features: []\n")
	write("plan/exports/events.csv", "device_id,timestamp,event\n")
	write("plan/assets/render.bin", strings.Repeat("x", 1<<20))
	write("outside.yaml", "secret\n")
	repo.link("real-features.yaml", "plan/backlog/features.yaml")
	repo.link("../outside.yaml", "plan/devices.yaml")
	dir := repo.extractPlan()
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
	if err := extractBase(ctx, repo.dir, "HEAD", "plan", t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// A metrics input may be a directory or a glob: the base's files under it
// are extracted by infile.Expand's rules (before, a directory was skipped
// as "not a file" and the base was reported as not loading), and nothing
// else of the directory: not a marker, a hidden file, a name the glob does
// not match, nor a link out of the repo.
func TestExtractBaseTakesInputDirectoriesAndGlobs(t *testing.T) {
	repo := newScratchRepo(t)
	write := repo.write
	write("plan/iotpm.yaml", "metrics:\n  month: 2026-10\n  inputs:\n    events: exports/fh\n    usage: exports/usage/part-*.csv\n    tickets: '*.tickets.csv'\n")
	write("plan/exports/fh/2026/10/01/00/obj 1.json", "{}\n") // a space in the name
	write("plan/exports/fh/2026/10/02/13/obj-2.json", "{}\n")
	write("plan/exports/fh/_SUCCESS", "")
	write("plan/exports/fh/.hidden/obj-3.json", "{}\n")
	write("plan/exports/usage/part-0.csv", "u0\n")
	write("plan/exports/usage/part-1.csv", "u1\n")
	write("plan/exports/usage/readme.txt", "not an export\n")
	write("plan/a.tickets.csv", "t\n")
	write("secret.csv", "secret\n")
	repo.link("../../../secret.csv", "plan/exports/usage/part-9.csv")
	repo.link("part-0.csv", "plan/exports/usage/part-2.csv")
	dir := repo.extractPlan()
	got := filesUnder(dir)
	want := []string{"a.tickets.csv", "exports/fh/2026/10/01/00/obj 1.json", "exports/fh/2026/10/02/13/obj-2.json",
		"exports/usage/part-0.csv", "exports/usage/part-1.csv", "exports/usage/part-2.csv", "iotpm.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("extracted %q\nwant %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "exports/usage/part-2.csv")); err != nil || string(b) != "u0\n" {
		t.Errorf("the in-repo link: %q %v", b, err)
	}
}

// An input directory that is a symbolic link, one a glob matches, and a
// glob whose leading directory is reached through a link: the base's
// files are extracted under the names the input gives them, as
// infile.Expand lists them on disk (before, the link was "not a file" and
// the base did not load). A link to a directory beneath an input
// directory stands for a file (Expand lists it so), and a link out of the
// repo is left out.
func TestExtractBaseFollowsLinkedInputDirectories(t *testing.T) {
	repo := newScratchRepo(t)
	write := repo.write
	write("plan/iotpm.yaml", "metrics:\n  month: 2026-10\n  inputs:\n    events: life\n    usage: feeds/*\n    tickets: via/t-*.csv\n    activity: out\n")
	write("plan/data/life/a.csv", "a\n")
	write("plan/data/life/sub/b.csv", "b\n")
	write("plan/data/life/_SUCCESS", "")
	write("plan/data/usage/u.csv", "u\n")
	write("plan/data/tickets/t-1.csv", "t\n")
	write("plan/data/tickets/x.csv", "x\n")
	write("secret/s.csv", "secret\n")
	repo.link("data/life", "plan/life")
	write("plan/feeds/plain.csv", "p\n")
	repo.link("../data/usage", "plan/feeds/usage")
	repo.link("data/tickets", "plan/via")
	repo.link("../secret", "plan/out")
	repo.link("../../data/usage", "plan/data/life/nested")
	dir := repo.extractPlan()
	got := filesUnder(dir)
	want := []string{"feeds/plain.csv", "feeds/usage/u.csv", "iotpm.yaml", "life/a.csv", "life/sub/b.csv", "via/t-1.csv"}
	if !slices.Equal(got, want) {
		t.Errorf("extracted %q\nwant %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "life/sub/b.csv")); err != nil || string(b) != "b\n" {
		t.Errorf("through the link: %q %v", b, err)
	}
}

// filesUnder lists the files beneath dir, relative and slash-separated, in
// name order.
func filesUnder(dir string) []string {
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	return files
}
