// Package outfile writes the files iotpm is asked to write — a report's
// --out, check's --junit, the files of iotpm init and iotpm schema — so
// that a reader never sees half a file and nothing but the named file is
// touched:
//
//   - a regular file or a new path is written to a temporary file beside it
//     and renamed into place, keeping an existing file's mode;
//   - a device, FIFO or socket (/dev/stdout, /dev/null, a pipe), or a
//     symbolic link to one, is written through, never replaced;
//   - any other symbolic link is refused: in a planning repo from a pull
//     request, a link named like the output could point anywhere (a
//     workflow file, ~/.bashrc), and writing through it would write there;
//   - "-" is standard output.
//
// A temporary file is removed when writing fails or the process is
// interrupted (SIGINT, SIGTERM); one left by a process that was killed is
// named after its process and removed by the next write to the same path.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrRefused marks a path Write will not write: a directory, or a link it
// will not follow. The error's text says which and what to do.
var ErrRefused = errors.New("refused")

type refused struct{ msg string }

func (r *refused) Error() string        { return r.msg }
func (r *refused) Is(target error) bool { return target == ErrRefused }

func refuse(format string, args ...any) error { return &refused{fmt.Sprintf(format, args...)} }

// Write writes data to path by the rules above; stdout receives "-".
func Write(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	link, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return replace(path, data, 0o644)
	}
	if err != nil {
		return err
	}
	info := link
	if link.Mode()&fs.ModeSymlink != 0 {
		dest, _ := os.Readlink(path)
		if info, err = os.Stat(path); err != nil {
			return refuse("%s is a symbolic link to %s, which does not exist; remove the link or name a file", path, dest)
		}
		if info.Mode().IsRegular() || info.IsDir() {
			return refuse("%s is a symbolic link to %s; iotpm does not write through links (they may point outside the repo): remove the link or name the file itself", path, dest)
		}
	}
	switch {
	case info.IsDir():
		return refuse("%s is a directory; name a file", path)
	case info.Mode().IsRegular():
		return replace(path, data, info.Mode().Perm())
	}
	// a device, FIFO or socket: write through
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tempPrefix names the temporary files of path: hidden, beside it, with
// the writing process's id so a later run can tell a stale one.
func tempPrefix(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".iotpm-")
}

func replace(path string, data []byte, mode fs.FileMode) error {
	removeStale(path)
	prefix := tempPrefix(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(prefix)+strconv.Itoa(os.Getpid())+"-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	stop := removeOnSignal(name)
	defer stop()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// removeStale removes the temporary files of path left by processes that
// no longer run (killed with SIGKILL, say).
func removeStale(path string) {
	prefix := tempPrefix(path)
	matches, _ := filepath.Glob(globEscape(prefix) + "*.tmp")
	for _, m := range matches {
		rest := strings.TrimPrefix(m, prefix)
		pid, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '-'), 0)])
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		os.Remove(m)
	}
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func globEscape(s string) string {
	return strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`).Replace(s)
}

// removeOnSignal removes name if the process is interrupted before stop is
// called, then lets the signal take its course.
func removeOnSignal(name string) (stop func()) {
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-ch:
			os.Remove(name)
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(sig)
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// CheckUnder says, before anything is written, whether path (inside root)
// can be written as a regular file: no component between root and it is
// a symbolic link (a link in the middle would lead the write elsewhere),
// and path itself is absent or a regular file — not a link, a directory,
// a device, a FIFO or a socket. A command that writes several files
// checks them all first, so a refusal leaves nothing half-made.
func CheckUnder(root, path string) error {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return refuse("%s is outside %s", path, root)
	}
	parts := strings.Split(rel, string(filepath.Separator))
	cur := root
	for i, p := range parts {
		cur = filepath.Join(cur, p)
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // the rest is created by the write
		}
		if err != nil {
			return err
		}
		last := i == len(parts)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return refuse("%s is a symbolic link; iotpm does not write through links (they may point outside the repo): remove it", cur)
		case !last && !info.IsDir():
			return refuse("%s is not a directory, and %s would be written under it", cur, path)
		case last && !info.Mode().IsRegular():
			return refuse("%s is %s, not a regular file; remove it or name another place", cur, describeMode(info))
		}
	}
	return nil
}

func describeMode(info fs.FileInfo) string {
	switch {
	case info.IsDir():
		return "a directory"
	case info.Mode()&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case info.Mode()&fs.ModeDevice != 0:
		return "a device"
	case info.Mode()&fs.ModeSocket != 0:
		return "a socket"
	}
	return info.Mode().Type().String()
}
