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
// metrics read the base's exports and not a failure to find them.
func (x *extractor) input(p string) error {
	p = path.Clean(p)
	if !infile.IsPattern(p) {
		mode, err := x.mode(p)
		if err != nil || mode != "040000" {
			if err == nil {
				_, err = x.file(p)
			}
			return err
		}
	}
	root := infile.StaticDir(p)
	if root == ".." || strings.HasPrefix(root, "../") || path.IsAbs(root) {
		return nil // outside the repo: the loader reports it
	}
	tree := x.object(root)
	if root == "." {
		tree = strings.TrimSuffix(x.object(""), "/")
	}
	out, err := gitContext(x.ctx, x.top, "ls-tree", "-r", "-z", tree)
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
		f := path.Join(root, name)
		if !infile.Selects(p, f) {
			continue
		}
		switch mode, _, _ := strings.Cut(meta, " "); {
		case strings.HasPrefix(mode, "100"):
			err = x.blob(f, filepath.Join(x.dir, filepath.FromSlash(f)))
		case mode == "120000":
			_, err = x.file(f) // a link: followed inside the repo only
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
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return false, nil
	}
	target := p
	for range 8 {
		mode, err := x.mode(target)
		if err != nil || mode == "" {
			return false, err
		}
		if mode != "120000" {
			if !strings.HasPrefix(mode, "100") {
				return false, nil // a directory or a submodule, not a file
			}
			return true, x.blob(target, filepath.Join(x.dir, filepath.FromSlash(p)))
		}
		link, err := x.output("cat-file", "blob", x.object(target))
		if err != nil {
			return false, err
		}
		if path.IsAbs(link) {
			return false, nil // outside the repo
		}
		target = path.Clean(path.Join(path.Dir(target), link))
		if target == ".." || strings.HasPrefix(target, "../") {
			return false, nil // outside the repo
		}
	}
	return false, nil // a loop of links
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
