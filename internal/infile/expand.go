package infile

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// IsPattern reports whether an input path is a glob (it has *, ? or [):
// its matches are the input's files.
func IsPattern(path string) bool { return strings.ContainsAny(path, "*?[") }

// BraceHint is the tail of a message about a path that names nothing
// when it holds a shell's {a,b} alternatives, which no glob here expands
// (they name a file called that): "; {a,b} …", or "".
func BraceHint(path string) string {
	open := strings.IndexByte(path, '{')
	if open < 0 {
		return ""
	}
	end := strings.IndexByte(path[open:], '}')
	if end < 0 || !strings.Contains(path[open:open+end], ",") {
		return ""
	}
	return "; {a,b} alternatives are a shell's, not a pattern here (Go's filepath.Match: * ? [abc]): name the directory, or one pattern that matches every file"
}

// Expand lists the files an input path names, in the order they are read:
// the file itself; for a directory, every file beneath it; for a glob
// (filepath.Match syntax, * not crossing a /), its matches, a matched
// directory standing for the files beneath it. Platforms deliver exports
// as many files — Firehose an object every few minutes under
// YYYY/MM/DD/HH/ prefixes, Amplitude's export an hourly file, Azure's
// routing a blob a minute — so one input may be all of them.
//
// The order is the paths' order, name by name (a directory's files in the
// order of their names, depth first), which is time order for those
// platforms' names; numbers in names compare by value (NameCompare), so
// a hand-split export's "events 9.csv" comes before "events 10.csv".
// Under a directory, names starting with "." or "_" are left out (.git,
// .DS_Store, Spark's and Hive's _SUCCESS markers), as are Athena's result
// sidecars (*.metadata). A symbolic link to a directory
// that the path names or a glob matches is followed, its files listed
// under the link's name (as find -H and a shell do: the link is what the
// user named); a link beneath a directory is listed as a file, never
// walked, so no loop of links is followed (the planning loader checks
// where each file leads). A path that names nothing, or a directory or
// glob with no file, is an error.
func Expand(path string) ([]string, error) { return ExpandChecked(path, nil) }

// ExpandChecked is Expand that first calls follow, when it is not nil,
// with each symbolic link to a directory it is about to walk: an error
// stops it, so a link planted in a pull request's repo to / or /proc is
// refused before anything beneath it is listed.
func ExpandChecked(path string, follow func(link string) error) ([]string, error) {
	walkFollowed := func(dir string) ([]string, error) {
		if follow != nil {
			if info, err := os.Lstat(dir); err == nil && info.Mode()&fs.ModeSymlink != 0 {
				if err := follow(dir); err != nil {
					return nil, err
				}
			}
		}
		return walk(dir)
	}
	if !IsPattern(path) {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			return []string{path}, nil
		}
		files, err := walkFollowed(path)
		sortPaths(files)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("directory %s has no export file (names starting with . or _ and *.metadata are left out)", path)
		}
		return files, err
	}
	if strings.Contains(path, "**") {
		// a shell's or a gitignore's recursive ** is two *s here, each
		// within one name: files at other depths would be left out
		// unsaid
		return nil, fmt.Errorf("pattern %q: ** is not recursive here (Go's filepath.Match: * stays within one name); name the directory (%s) to read every file beneath it", path, StaticDir(filepath.ToSlash(path)))
	}
	matches, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w (the syntax is Go's filepath.Match: * ? [a-z], \\ escapes)", path, err)
	}
	var files []string
	for _, m := range matches {
		info, err := os.Stat(m)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, m)
			continue
		}
		under, err := walkFollowed(m)
		if err != nil {
			return nil, err
		}
		files = append(files, under...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("pattern %q matches no file%s: %w", path, BraceHint(path), fs.ErrNotExist)
	}
	sortPaths(files)
	return files, nil
}

// sortPaths puts paths in reading order: name by name, each pair of names
// by NameCompare. Depth first stays depth first: the files beneath one
// directory share its names and sort together.
func sortPaths(paths []string) {
	// a listing is in byte order already, which is this order unless
	// numbers differ in length: then one pass, not a sort
	if !slices.IsSortedFunc(paths, comparePaths) {
		slices.SortStableFunc(paths, comparePaths)
	}
}

// comparePaths compares two paths name by name with NameCompare, from
// the first name they do not share.
func comparePaths(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	k := strings.LastIndexByte(a[:i], filepath.Separator) + 1
	a, b = a[k:], b[k:]
	for {
		na, resta, _ := strings.Cut(a, string(filepath.Separator))
		nb, restb, _ := strings.Cut(b, string(filepath.Separator))
		if c := NameCompare(na, nb); c != 0 || (resta == "" && restb == "") {
			return c
		}
		a, b = resta, restb
	}
}

// NameCompare orders two file names as people number them: runs of
// digits by their value ("part-9" before "part-10", as ls -v and the
// file managers sort), everything else byte by byte. Names that number
// alike ("part-01", "part-1") fall back to byte order, so the order is
// total. Zero-padded and date-stamped names — every platform's — sort
// as in byte order; only unpadded numbers move.
func NameCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			ei, ej := i, j
			for ei < len(a) && isDigit(a[ei]) {
				ei++
			}
			for ej < len(b) && isDigit(b[ej]) {
				ej++
			}
			// by value: without leading zeros, the longer run is larger,
			// then digit by digit (no overflow, however long)
			da, db := strings.TrimLeft(a[i:ei], "0"), strings.TrimLeft(b[j:ej], "0")
			if c := cmp.Compare(len(da), len(db)); c != 0 {
				return c
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			i, j = ei, ej
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(a[i], b[j])
		}
		i, j = i+1, j+1
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// walk lists the files beneath dir in name order, depth first. When dir
// is a symbolic link to a directory, the directory is walked and its
// files are named beneath dir: WalkDir itself does not follow a link at
// its root, and the trailing separator makes its Lstat resolve it (POSIX
// path resolution, which Go's Lstat follows on Windows too).
func walk(dir string) ([]string, error) {
	var files []string
	root := dir
	if info, err := os.Lstat(dir); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		root = dir + string(filepath.Separator)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if left(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("reading directory %s: %w", dir, err)
	}
	return files, err
}

// left says whether a name under an input directory is not an export.
func left(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || strings.HasSuffix(name, ".metadata")
}

// Selects reports whether Expand(input) would list the file at p when the
// tree is not on disk (a git revision's, say): input and p are
// slash-separated paths relative to one root, p a file. It applies
// Expand's rules — the file itself, a file beneath the directory input
// names or beneath a directory a glob matches, no name starting with "."
// or "_" and no *.metadata below that directory — so what is extracted
// from a revision is what Expand then reads. A malformed pattern selects
// nothing (Expand reports it).
func Selects(input, p string) bool {
	if strings.Contains(input, "**") {
		return false // Expand refuses it
	}
	input, p = path.Clean(input), path.Clean(p)
	segs := strings.Split(p, "/")
	if input == "." {
		return !slices.ContainsFunc(segs, left) // the root itself
	}
	for i := 1; i <= len(segs); i++ {
		prefix := strings.Join(segs[:i], "/")
		hit := prefix == input
		if IsPattern(input) {
			hit, _ = path.Match(input, prefix)
		}
		if !hit {
			continue
		}
		return !slices.ContainsFunc(segs[i:], left)
	}
	return false
}

// StaticDir is the leading directory of an input path that has no
// pattern in it: the input itself when it is not a glob ("." when the
// glob's first name is a pattern). Every file Expand lists is beneath it.
func StaticDir(input string) string {
	input = path.Clean(input)
	if !IsPattern(input) {
		return input
	}
	segs := strings.Split(input, "/")
	i := slices.IndexFunc(segs, IsPattern)
	if i == 0 {
		return "."
	}
	return strings.Join(segs[:i], "/")
}
