package infile

import (
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
// platforms' names. Under a directory, names starting with "." or "_" are
// left out (.git, .DS_Store, Spark's and Hive's _SUCCESS markers), as are
// Athena's result sidecars (*.metadata). A symbolic link to a directory
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
	walk := func(dir string) ([]string, error) {
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
		files, err := walk(path)
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
		under, err := walk(m)
		if err != nil {
			return nil, err
		}
		files = append(files, under...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("pattern %q matches no file: %w", path, fs.ErrNotExist)
	}
	return files, nil
}

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
