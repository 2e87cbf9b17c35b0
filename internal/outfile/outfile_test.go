package outfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer

	// "-" is stdout
	if err := Write("-", []byte("a"), &stdout); err != nil || stdout.String() != "a" {
		t.Errorf("stdout %q %v", stdout.String(), err)
	}
	// a new file, then a replaced one that keeps its mode
	p := filepath.Join(dir, "PLAN.md")
	if err := Write(p, []byte("one"), &stdout); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o600)
	if err := Write(p, []byte("two"), &stdout); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(p)
	if got, _ := os.ReadFile(p); string(got) != "two" || info.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", got, info.Mode().Perm())
	}
	// a device is written through, not replaced
	if err := Write("/dev/null", []byte("x"), &stdout); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat("/dev/null"); err != nil || info.Mode()&os.ModeDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", info.Mode(), err)
	}
	// a link to a device is written through
	null := filepath.Join(dir, "null")
	os.Symlink("/dev/null", null)
	if err := Write(null, []byte("x"), &stdout); err != nil {
		t.Errorf("link to /dev/null: %v", err)
	}
	if info, _ := os.Lstat(null); info.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	// a link to a regular file, and a dangling link, are refused
	secret := filepath.Join(dir, "bashrc")
	os.WriteFile(secret, []byte("keep"), 0o644)
	planted := filepath.Join(dir, "planted.md")
	os.Symlink(secret, planted)
	err := Write(planted, []byte("overwrite"), &stdout)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not write through links") {
		t.Errorf("err = %v", err)
	}
	if got, _ := os.ReadFile(secret); string(got) != "keep" {
		t.Errorf("the link's target was written: %q", got)
	}
	dangling := filepath.Join(dir, "dangling.md")
	os.Symlink(filepath.Join(dir, "nowhere", "x"), dangling)
	if err := Write(dangling, []byte("x"), &stdout); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("err = %v", err)
	}
	if err := Write(dir, []byte("x"), &stdout); !errors.Is(err, ErrRefused) {
		t.Errorf("a directory: %v", err)
	}
	// nothing but the named files is left behind
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".iotpm-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// A temporary file left by a killed process (its pid no longer runs) is
// removed by the next write; one of a running process is not.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "PLAN.md")
	stale := filepath.Join(dir, ".PLAN.md.iotpm-999999999-123.tmp")
	live := filepath.Join(dir, ".PLAN.md.iotpm-"+strconv.Itoa(os.Getppid())+"-456.tmp")
	os.WriteFile(stale, []byte("half"), 0o644)
	os.WriteFile(live, []byte("half"), 0o644)
	if err := Write(p, []byte("done"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary file is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a running process's temporary file was removed")
	}
}
