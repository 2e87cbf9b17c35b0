package metrics

import (
	"testing"
	"time"
)

// A window is a month when it runs from a month's first midnight (UTC) to
// the next's; otherwise it is named by its first and last days.
func TestWindowLabel(t *testing.T) {
	at := func(y int, m time.Month, d, h int) int64 { return time.Date(y, m, d, h, 0, 0, 0, time.UTC).UnixMicro() }
	for _, c := range []struct {
		w     Window
		label string
		month bool
	}{
		{Window{at(2026, 10, 1, 0), at(2026, 11, 1, 0)}, "2026-10", true},
		{Window{at(2026, 12, 1, 0), at(2027, 1, 1, 0)}, "2026-12", true},
		{Window{at(2026, 10, 1, 0), at(2026, 10, 15, 0)}, "2026-10-01 to 2026-10-14", false},
		{Window{at(2026, 10, 1, 6), at(2026, 11, 1, 6)}, "2026-10-01 to 2026-11-01", false},
	} {
		_, month := c.w.Month()
		if got := c.w.Label(); got != c.label || month != c.month {
			t.Errorf("%v: %q (month %v), want %q (%v)", c.w, got, month, c.label, c.month)
		}
	}
}
