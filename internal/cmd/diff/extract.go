package diff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/internal/planfile"
)

// maxBaseFile bounds one file of the base extracted for the comparison:
// a planning file is at most planfile.MaxFileSize, an export may be large
// but a blob beyond this is not an export.
const maxBaseFile = 8 << 30

// extractBase writes the base revision's planning files into dir: its
// iotpm.yaml, then the files that iotpm.yaml names (features, devices,
// economics, the metrics inputs, the Kano survey) — not the whole tree.
// Each file is streamed from git to disk, never held in memory; a symbolic
// link inside the repo is followed (the file it names is written in its
// place), one leading outside is left out, as check does; ctx stops it
// (git is killed).
func extractBase(ctx context.Context, top, rev, prefix, dir string) error {
	x := &extractor{ctx: ctx, top: top, rev: rev, prefix: prefix, dir: dir}
	if _, err := x.file(planfile.ConfigFileName); err != nil {
		return err
	}
	needed := []string{"features.yaml", "devices.yaml", planfile.EconomicsFileName}
	var inputs []string
	if cfg, _ := planfile.LoadConfigNames(dir); cfg != nil {
		// the paths the base's own iotpm.yaml names, relative to its root
		needed = append(needed, cfg.Features, cfg.Devices, cfg.Economics)
		for _, in := range cfg.Inputs {
			if in.Path != "" {
				inputs = append(inputs, in.Path)
			}
		}
		if cfg.Kano != nil {
			needed = append(needed, cfg.Kano.Survey)
		}
	}
	for i, p := range slices.Concat(needed, inputs) {
		if filepath.IsAbs(p) {
			rel, err := filepath.Rel(dir, p)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				continue // outside the repo: the loader reports it
			}
			p = rel
		}
		var err error
		if i < len(needed) {
			_, err = x.file(filepath.ToSlash(p))
		} else {
			err = x.input(filepath.ToSlash(p))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// input writes the files of a metrics input path of the base into dir: a
// file, or for a directory or a glob every file of the base that
// infile.Expand would list for it there (infile.Selects), so the base's
// metrics read the base's exports and not a failure to find them. A
// link to a directory that the path names or the glob matches is
// followed inside the repo, as Expand follows it on disk; so is a link
// on the way to the glob's leading directory.
func (x *extractor) input(p string) error {
	p = path.Clean(p)
	if !infile.IsPattern(p) {
		real, mode, err := x.resolve(p)
		if err != nil || mode != "040000" {
			if err == nil {
				_, err = x.file(p)
			}
			return err
		}
		return x.tree(p, real, p)
	}
	root := infile.StaticDir(p)
	if root == ".." || strings.HasPrefix(root, "../") || path.IsAbs(root) {
		return nil // outside the repo: the loader reports it
	}
	real := root
	if root != "." {
		var mode string
		var err error
		if real, mode, err = x.resolve(root); err != nil || mode != "040000" {
			return err // no such directory in the base: the loader reports it
		}
	}
	return x.tree(p, real, root)
}

// tree writes the files beneath the base's directory real that input
// selects, named as beneath the directory as (the input's own name for
// it, which a link may make differ from real). A link that is itself a
// match of the input's glob and leads to a directory is walked as well.
func (x *extractor) tree(input, real, as string) error {
	obj := x.object(real)
	if real == "." {
		obj = strings.TrimSuffix(x.object(""), "/")
	}
	out, err := gitContext(x.ctx, x.top, "ls-tree", "-r", "-z", obj)
	if err != nil {
		if ctxErr := x.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return nil // no such directory in the base: the loader reports it
	}
	for _, entry := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		// <mode> SP <type> SP <object> TAB <path>
		meta, name, ok := strings.Cut(entry, "\t")
		if !ok {
			continue
		}
		f := path.Join(as, name)
		if !infile.Selects(input, f) {
			continue
		}
		src := path.Join(real, name)
		switch mode, _, _ := strings.Cut(meta, " "); {
		case strings.HasPrefix(mode, "100"):
			err = x.blob(src, filepath.Join(x.dir, filepath.FromSlash(f)))
		case mode == "120000":
			// a link: followed inside the repo only; beneath a directory
			// it stands for a file, as Expand lists it
			if hit, _ := path.Match(input, f); hit && infile.IsPattern(input) {
				if target, tmode, rerr := x.resolve(src); rerr == nil && tmode == "040000" {
					err = x.tree(input, target, f)
					break
				}
			}
			_, err = x.fileAs(src, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type extractor struct {
	ctx                   context.Context
	top, rev, prefix, dir string
}

// object is rev:prefix/p, as git names it.
func (x *extractor) object(p string) string {
	if x.prefix == "" {
		return x.rev + ":" + p
	}
	return x.rev + ":" + x.prefix + "/" + p
}

// file writes the repo-relative path p of the base into dir, following an
// in-repo symbolic link (up to 8 deep). It reports false when the base
// has no such file (the loader reports what is missing).
func (x *extractor) file(p string) (bool, error) {
	p = path.Clean(p)
	return x.fileAs(p, p)
}

// fileAs is file for the base's path src written at p (the name an input
// gives it through a link).
func (x *extractor) fileAs(src, p string) (bool, error) {
	real, mode, err := x.resolve(src)
	if err != nil || !strings.HasPrefix(mode, "100") {
		return false, err // none, a directory or a submodule: not a file
	}
	return true, x.blob(real, filepath.Join(x.dir, filepath.FromSlash(p)))
}

// resolve follows the base's symbolic links in the repo-relative path p,
// in each of its names as the file system would (8 links at most), and
// returns the path it leads to and that entry's mode: "" when it leads
// nowhere, outside the repo, or around a loop of links.
func (x *extractor) resolve(p string) (real, mode string, err error) {
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return "", "", nil // outside the repo
	}
	// most paths have no link: one lookup (a link on the way makes its
	// directory unknown to git, so that lookup finds nothing)
	if mode, err = x.mode(p); err != nil || mode != "" && mode != "120000" {
		return p, mode, err
	}
	links := 0
	done, rest := "", strings.Split(p, "/")
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		cur := path.Join(done, name)
		if cur == ".." || strings.HasPrefix(cur, "../") || path.IsAbs(cur) || name == "" {
			return "", "", nil // outside the repo
		}
		if name == "." {
			continue
		}
		if mode, err = x.mode(cur); err != nil || mode == "" {
			return "", "", err
		}
		if mode != "120000" {
			done = cur
			if len(rest) > 0 && mode != "040000" {
				return "", "", nil // a file on the way: no such path
			}
			continue
		}
		if links++; links > 8 {
			return "", "", nil // a loop of links
		}
		link, err := x.output("cat-file", "blob", x.object(cur))
		if err != nil {
			return "", "", err
		}
		if path.IsAbs(link) {
			return "", "", nil // outside the repo
		}
		next := path.Clean(path.Join(done, link))
		if next == ".." || strings.HasPrefix(next, "../") {
			return "", "", nil // outside the repo
		}
		// start again from the link's target, with the names left
		done, rest = "", append(strings.Split(next, "/"), rest...)
	}
	if done == "" {
		return ".", "040000", nil
	}
	return done, mode, nil
}

// mode is the tree entry's mode of p ("" when the base has none).
func (x *extractor) mode(p string) (string, error) {
	dir, name := path.Split(p)
	tree := x.rev + ":" + strings.TrimSuffix(path.Join(x.prefix, dir), "/")
	if x.prefix == "" && dir == "" {
		tree = x.rev + ":"
	}
	out, err := x.output("ls-tree", tree, "--", name)
	if err != nil {
		if ctxErr := x.ctx.Err(); ctxErr != nil {
			return "", ctxErr
		}
		return "", nil // no such directory in the base
	}
	fields := strings.Fields(out)
	if len(fields) < 4 {
		return "", nil
	}
	return fields[0], nil
}

// blob streams the blob of p into the file at dst.
func (x *extractor) blob(p, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(x.ctx, "git", "cat-file", "blob", x.object(p))
	cmd.Dir = x.top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		out.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		out.Close()
		return err
	}
	n, copyErr := io.Copy(out, io.LimitReader(stdout, maxBaseFile+1))
	if n > maxBaseFile {
		cmd.Process.Kill()
		copyErr = fmt.Errorf("%s in the base is larger than %d GiB: not a planning file or an export", p, maxBaseFile>>30)
	}
	waitErr := cmd.Wait()
	closeErr := out.Close()
	if err := x.ctx.Err(); err != nil {
		return err
	}
	return errors.Join(copyErr, gitError(waitErr, &stderr), closeErr)
}

// output runs git in the repo under the extraction's context.
func (x *extractor) output(args ...string) (string, error) {
	return gitContext(x.ctx, x.top, args...)
}
