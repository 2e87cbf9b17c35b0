package metrics_test

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

// One row from the future would become the data horizon and turn a stale
// export into a fresh one ("0 days"); an epoch beyond int64 would wrap to
// 1702. Both are bad rows that say so; with --as-of, rows after it are
// ignored anyway and the clock is not consulted.
func TestRowsFromTheFutureAndBeyond(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\n"+
		"d1,2026-10-01T00:00:00Z,connected\n"+
		"d1,9999-12-31T00:00:00Z,disconnected\n"+
		"d1,9999999999999999999,connected\n")
	args := []string{"metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", "--now", "2026-11-01T00:00:00Z", "--max-data-age", "2d"}
	_, stderr, code := cmdtest.Run(t, nil, args...)
	for _, want := range []string{
		`events.csv:3: timestamp "9999-12-31T00:00:00Z" (column timestamp, format generic) is later than the clock (2026-11-01T00:00:00Z) by more than a day`,
		`events.csv:4: timestamp "9999999999999999999" (format generic) is beyond the range of a timestamp`,
		"2 bad rows",
	} {
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	// tolerated, they are left out: the horizon is 1 October, and the data
	// is 31 days old at the clock — the gate fails, as it must
	_, stderr, code = cmdtest.Run(t, nil, append(args, "--max-bad-rows", "2")...)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "data age is 31 days, not <= 2d") {
		t.Errorf("tolerated: exit %d: %s", code, stderr)
	}
	// with --as-of the clock does not bound the rows
	if _, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", "--as-of", "2026-10-20", "--now", "2026-10-21",
		"--max-bad-rows", "1"); code != 0 {
		t.Errorf("as-of: exit %d: %s", code, stderr)
	}
}
