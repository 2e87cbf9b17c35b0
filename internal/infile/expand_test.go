package infile

import (
	"cmp"
	"errors"
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

// A symbolic link to a directory that the input names, or that its glob
// matches, is followed: its files are listed under the link's name (it
// listed nothing before, and the run stopped saying the directory "has no
// export file"). A link to a directory beneath one is listed as a file,
// never walked (no loop of links is followed); ExpandChecked asks before
// following a link, and its refusal stops the listing.
func TestExpandFollowsLinkedDirectories(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"data/life/a.csv", "data/life/b.csv", "data/life/_SUCCESS", "data/other/c.csv"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	for link, target := range map[string]string{"life": "data/life", "exports/linked": "../data/life", "data/life/z-other": "../other", "loop": "loop2", "loop2": "loop"} {
		p := filepath.Join(root, filepath.FromSlash(link))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	rel := func(files []string) []string {
		var out []string
		for _, f := range files {
			r, _ := filepath.Rel(root, f)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	for _, c := range []struct {
		input string
		want  []string
	}{
		{"life", []string{"life/a.csv", "life/b.csv", "life/z-other"}},
		{"life/", []string{"life/a.csv", "life/b.csv", "life/z-other"}},
		{"exports/*", []string{"exports/linked/a.csv", "exports/linked/b.csv", "exports/linked/z-other"}},
		{"exports/linked/*.csv", []string{"exports/linked/a.csv", "exports/linked/b.csv"}},
		{"data/life", []string{"data/life/a.csv", "data/life/b.csv", "data/life/z-other"}}, // z-other: a file, as before
	} {
		path := filepath.Join(root, filepath.FromSlash(c.input))
		if strings.HasSuffix(c.input, "/") {
			path += string(filepath.Separator) // Join cleans it away: the trailing separator is the case
		}
		got, err := Expand(path)
		if err != nil || !slices.Equal(rel(got), c.want) {
			t.Errorf("%s: %q %v, want %q", c.input, rel(got), err, c.want)
		}
	}
	if _, err := Expand(filepath.Join(root, "loop")); err == nil {
		t.Error("a loop of links: no error")
	}
	var asked []string
	refuse := errors.New("refused")
	for _, input := range []string{"life", "exports/*", "data/life"} {
		files, err := ExpandChecked(filepath.Join(root, filepath.FromSlash(input)), func(link string) error {
			asked = append(asked, link)
			return refuse
		})
		if input == "data/life" {
			if err != nil || len(files) != 3 {
				t.Errorf("%s (no link followed): %q %v", input, files, err)
			}
		} else if !errors.Is(err, refuse) || files != nil {
			t.Errorf("%s: refused, yet %q %v", input, files, err)
		}
	}
	if want := []string{"life", "exports/linked"}; !slices.Equal(rel(asked), want) {
		t.Errorf("asked about %q, want %q", rel(asked), want)
	}
}

// NameCompare orders names as people number them, and Expand reads in
// that order: unpadded numbers by value, padded and dated names as in
// byte order, any length of digits, names that number alike by bytes.
func TestNameCompare(t *testing.T) {
	ordered := []string{"events 1.csv", "events 2.csv", "events 9.csv", "events 10.csv", "events 10a.csv", "events 11.csv", "events 100.csv", "events.csv",
		"obj-00007.json", "obj-00008.json", "obj-00010.json", "part-01", "part-1", "part-001a", "part-1b",
		"x-99999999999999999999999", "x-100000000000000000000000", "y-2026-10-01T09", "y-2026-10-01T10", "y-2026-10-02T00"}
	for i, a := range ordered {
		for j, b := range ordered {
			if got, want := NameCompare(a, b), cmp.Compare(i, j); got != want {
				t.Errorf("NameCompare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	root := t.TempDir()
	var names []string
	for _, n := range []string{"p/part-10.csv", "p/part-9.csv", "p/part-1.csv", "p/2/part-1.csv", "p/10/part-1.csv", "p/part-2.csv"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(n)), 0o755)
		os.WriteFile(filepath.Join(root, n), nil, 0o644)
	}
	for _, input := range []string{"p", "p/*"} {
		got, err := Expand(filepath.Join(root, input))
		names = names[:0]
		for _, g := range got {
			r, _ := filepath.Rel(root, g)
			names = append(names, filepath.ToSlash(r))
		}
		if want := []string{"p/2/part-1.csv", "p/10/part-1.csv", "p/part-1.csv", "p/part-2.csv", "p/part-9.csv", "p/part-10.csv"}; err != nil || !slices.Equal(names, want) {
			t.Errorf("%s: %q %v, want %q", input, names, err, want)
		}
	}
}

// A shell's {a,b} alternatives name nothing here: the error says so, in
// a pattern and in a plain path; braces without a comma are a name.
func TestBraceHint(t *testing.T) {
	root := exportTree(t)
	_, err := Expand(filepath.Join(root, "exports", "hourly", "*.{csv,gz}"))
	if err == nil || !strings.Contains(err.Error(), "{a,b} alternatives are a shell's, not a pattern here") {
		t.Errorf("pattern: %v", err)
	}
	for path, want := range map[string]bool{"exports/{a,b}.csv": true, "exports/{a}.csv": false, "exports/{a,b.csv": false, "exports/a,b}.csv": false} {
		if got := BraceHint(path) != ""; got != want {
			t.Errorf("%s: hint %v, want %v", path, got, want)
		}
	}
}
