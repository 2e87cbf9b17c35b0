package infile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/internal/planfile"
)

// A FIFO named as a planning file, an export or a survey fails at once
// with a message: opening it used to block until something wrote to it.
func TestFIFOsFailAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "events.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan bool)
	go func() {
		defer close(done)
		if _, _, err := infile.Open(fifo); !errors.Is(err, infile.ErrNotRegular) {
			t.Errorf("infile.Open: %v", err)
		}
		if _, err := export.Open(fifo, 0); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("export.Open: %v", err)
		}
		if _, diags := planfile.ReadFile(fifo); !strings.Contains(diags.Error(), "is not a regular file") {
			t.Errorf("planfile.ReadFile: %v", diags)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
	// a regular file opens as before
	path := filepath.Join(dir, "ok.csv")
	os.WriteFile(path, []byte("device_id,timestamp,event\n"), 0o644)
	if f, info, err := infile.Open(path); err != nil || !info.Mode().IsRegular() {
		t.Errorf("regular file: %v", err)
	} else {
		f.Close()
	}
}
