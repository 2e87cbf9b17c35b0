package infile

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Selects is Expand's rule without a file system (iotpm diff extracts a
// base revision's input files from git with it): over a tree of Firehose
// objects, markers, hidden files and Athena sidecars, it selects exactly
// the files Expand lists, for a file, a directory and globs that match
// files, directories and hidden names.
func TestSelectsIsExpand(t *testing.T) {
	root := exportTree(t)
	for _, c := range []struct {
		input string
		want  int
	}{
		{"exports/events.csv", 1},
		{"exports/fh", 4},
		{"exports/fh/", 4},
		{"exports/fh/2026/10/01", 3},
		{"exports/hourly/*.csv.gz", 3}, // a glob matches a hidden name, as filepath.Glob does
		{"exports/hourly/setup-0[0-1].csv.gz", 2},
		{"exports/*", 8}, // a matched directory stands for its files
		{"exports/fh/2026/*/*/00", 3},
		{"*.csv", 1},
		{"exports/*/_tmp", 1}, // a directory named by the glob is read even with a _ name
		{"exports/fh/2026/10/0?/*/*.json", 4},
	} {
		expanded, selected, err := expandAndSelect(root, c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.input, err)
		}
		if !slices.Equal(expanded, selected) || len(expanded) != c.want {
			t.Errorf("%s: Expand %q, Selects %q, want %d files", c.input, expanded, selected, c.want)
		}
		for _, f := range selected {
			if rel, err := filepath.Rel(StaticDir(c.input), f); err != nil || rel == ".." || filepath.IsAbs(rel) || len(rel) > 1 && rel[:2] == ".." {
				t.Errorf("%s: %s is not beneath StaticDir %s", c.input, f, StaticDir(c.input))
			}
		}
	}
	if Selects("exports/[", "exports/[") {
		t.Error("a malformed pattern selects a file")
	}
	// a recursive ** elsewhere is two *s here: refused, naming the
	// directory to give instead
	if _, err := Expand(filepath.Join(root, "exports", "fh", "**", "*.json")); err == nil || !strings.Contains(err.Error(), "** is not recursive here") || !strings.Contains(err.Error(), "exports/fh)") {
		t.Errorf("**: %v", err)
	}
}

// exportTree writes a tree of Firehose objects, hourly files, markers,
// hidden files and Athena sidecars (empty files) and returns its root.
func exportTree(t testing.TB) string {
	root := t.TempDir()
	files := []string{
		"exports/events.csv",
		"exports/fh/2026/10/01/00/obj-1.json",
		"exports/fh/2026/10/01/00/obj-2.json",
		"exports/fh/2026/10/01/01/obj-3.json",
		"exports/fh/2026/10/02/00/obj-4.json",
		"exports/fh/_SUCCESS",
		"exports/fh/2026/.DS_Store",
		"exports/fh/.git/config",
		"exports/fh/2026/10/q.csv.metadata",
		"exports/hourly/setup-00.csv.gz",
		"exports/hourly/setup-01.csv.gz",
		"exports/hourly/.setup-02.csv.gz",
		"exports/hourly/_tmp/setup-03.csv.gz",
		"exports/other.txt",
		"top.csv",
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// expandAndSelect lists the files under root that Expand gives for input
// (sorted, relative, slash-separated) and those Selects picks among all.
func expandAndSelect(root, input string) (expanded, selected []string, err error) {
	got, err := Expand(filepath.Join(root, filepath.FromSlash(input)))
	for _, g := range got {
		rel, _ := filepath.Rel(root, g)
		expanded = append(expanded, filepath.ToSlash(rel))
	}
	slices.Sort(expanded)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if Selects(input, filepath.ToSlash(rel)) {
				selected = append(selected, filepath.ToSlash(rel))
			}
		}
		return err
	})
	return expanded, selected, err
}

// FuzzSelectsIsExpand holds Selects to Expand for any input path inside
// the tree: a pattern Expand refuses or that matches nothing selects
// nothing.
func FuzzSelectsIsExpand(f *testing.F) {
	for _, s := range []string{"exports/fh", "exports/*", "exports/hourly/*.csv.gz", "*", "exports/fh/2026/*/*/0?", "exports/[", "exports/*/_tmp", "exports/fh/../fh", "exports//fh/"} {
		f.Add(s)
	}
	root := exportTree(f)
	f.Fuzz(func(t *testing.T, input string) {
		if input == "" || strings.Contains(input, "..") || strings.HasPrefix(input, "/") || strings.ContainsAny(input, "\\\x00") || len(input) > 200 {
			t.Skip() // outside the tree, escapes (filepath and path agree on / only), or not a path
		}
		expanded, selected, err := expandAndSelect(root, input)
		if err != nil {
			expanded = nil // an error lists nothing
		}
		if !slices.Equal(expanded, selected) {
			t.Errorf("%q: Expand %q (%v), Selects %q", input, expanded, err, selected)
		}
	})
}
