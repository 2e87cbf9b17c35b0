package cmdutil

import (
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/iostreams"
)

// The progress line: nothing piped, nothing in the first second, then a
// line that Done clears.
func TestProgress(t *testing.T) {
	ios, _, stderr := iostreams.Test()
	f := &Factory{IO: ios}
	p := NewProgress(f, "simulating")
	p.start = p.start.Add(-2 * time.Second)
	p.Update(5, 10)
	p.Done()
	if stderr.Len() != 0 {
		t.Errorf("piped stderr got %q", stderr.String())
	}

	ios.SetStderrTTY(true)
	p = NewProgress(f, "simulating")
	p.Update(5, 10)
	if stderr.Len() != 0 {
		t.Errorf("within the first second: %q", stderr.String())
	}
	p.start = p.start.Add(-2 * time.Second)
	p.Update(1500, 20000)
	p.Update(1600, 20000) // within 200 ms of the last: not shown
	p.Done()
	if got, want := stderr.String(), "\rsimulating:   8% (1,500 of 20,000)\r\033[K"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}

	// a read, in MB of the file's size
	stderr.Reset()
	p = NewProgress(f, "reading")
	p.start = p.start.Add(-2 * time.Second)
	p.Bytes("events", 121_000_000, 485_000_000)
	p.Done()
	if got, want := stderr.String(), "\rreading events:  25% (121 of 485 MB)\r\033[K"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}

	// a query: its stage and the time so far, the line cleared to its end
	stderr.Reset()
	p = NewProgress(f, "querying")
	p.start = p.start.Add(-12 * time.Second)
	p.Stage("device_metrics")
	p.Done()
	if got, want := stderr.String(), "\rquerying device_metrics: 12s\033[K\r\033[K"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}
