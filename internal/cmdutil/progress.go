package cmdutil

import (
	"fmt"
	"sync"
	"time"

	"github.com/iotpm/iotpm/internal/render"
)

// Progress is the progress line of long local work (reading a 10M-row
// export, a simulation): on a terminal only (stderr), once the work has
// taken a second, at most five times a second; Done clears it. Piped or in
// CI it writes nothing, so logs stay clean.
type Progress struct {
	f        *Factory
	label    string
	start    time.Time
	last     time.Time
	shown    bool
	disabled bool
	mu       sync.Mutex
}

// NewProgress starts a progress line labelled label ("simulating",
// "reading").
func NewProgress(f *Factory, label string) *Progress {
	return &Progress{f: f, label: label, start: time.Now(), disabled: !f.IO.IsStderrTTY()}
}

// Update reports done of total items (samples).
func (p *Progress) Update(done, total int) {
	p.show(p.label, done, total, render.Number(float64(done), 0)+" of "+render.Number(float64(total), 0))
}

// Bytes reports read of size bytes of what is being read (an input kind),
// in MB.
func (p *Progress) Bytes(what string, read, size int64) {
	p.show(p.label+" "+what, int(read>>10), int(size>>10), render.Number(float64(read)/1e6, 0)+" of "+render.Number(float64(size)/1e6, 0)+" MB")
}

func (p *Progress) show(label string, done, total int, amount string) {
	pct := 0.0
	if total > 0 {
		pct = float64(done) / float64(total) * 100
	}
	p.line(fmt.Sprintf("%s: %3.0f%% (%s)", label, pct, amount))
}

// Stage reports work whose size is unknown — a database query — by its
// stage and the time it has taken so far ("querying device_metrics: 12s").
// Call it again (a ticker) to keep the time current.
func (p *Progress) Stage(stage string) {
	if p == nil {
		return
	}
	p.line(fmt.Sprintf("%s %s: %s\033[K", p.label, stage, time.Since(p.start).Round(time.Second)))
}

func (p *Progress) line(text string) {
	if p == nil || p.disabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprint(p.f.IO.ErrOut, "\r"+text)
}

// Done clears the line when it was shown.
func (p *Progress) Done() {
	if p == nil || p.disabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.f.IO.ErrOut, "\r\033[K")
		p.shown = false
	}
}
