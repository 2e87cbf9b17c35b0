package metrics_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// An input pulled over a shorter range than the others reads as the
// window's: usage shares low, tickets per device low, a device's last
// state standing for the rest. By hand, October, events from Oct 1 to
// the horizon Oct 31 00:00 (the other inputs' last row, a day before the
// window's end):
//
//   - usage every 8 h from Oct 1 to Oct 10: 28 rows over 9 days, 3.1 a
//     day; 21 days short of Oct 31, where that rate puts 65 rows: warned.
//   - 3 tickets, Oct 1, 3, 5: 0.75 a day; 26 days short, 19.5 rows: under
//     the 20 that make a gap more than chance, not warned. 4 tickets, Oct
//     1–4: 1.33 a day, 27 days short, 36 rows: warned.
//   - usage every 8 h from Oct 20 to Oct 30 (31 rows over 10 days): it
//     starts 19 days after the window's start, where it puts 59: warned.
//   - the whole window's usage: nothing to say.
func TestMetricsInputSpan(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	every := func(from, to time.Time, step time.Duration, line func(time.Time) string) string {
		var b strings.Builder
		for t := from; !t.After(to); t = t.Add(step) {
			b.WriteString(line(t))
		}
		return b.String()
	}
	usage := func(fromDay, toDay int) string {
		return "device_id,feature,timestamp\n" + every(oct.AddDate(0, 0, fromDay-1), oct.AddDate(0, 0, toDay-1), 8*time.Hour,
			func(t time.Time) string { return "d1,leak-alert," + t.Format(time.RFC3339) + "\n" })
	}
	tickets := func(days ...int) string {
		s := "ticket_id,customer_id,created_at\n"
		for i, d := range days {
			s += fmt.Sprintf("t%d,c1,%s\n", i, oct.AddDate(0, 0, d-1).Format(time.RFC3339))
		}
		return s
	}
	for _, c := range []struct {
		name           string
		usage, tickets string
		want, not      []string
		args           []string
	}{
		{"usage ends early", usage(1, 10), tickets(1, 3, 5),
			[]string{"usage.csv: warning: the usage input's rows end 2026-10-10T00:00:00Z, 21 days before the other inputs' last row, where their rate (3.1 rows a day from 2026-10-01T00:00:00Z to 2026-10-10T00:00:00Z) puts some 65 more: the usage shares of customer health read low"},
			[]string{"tickets input's rows"}, nil},
		{"tickets end early", usage(1, 31), tickets(1, 2, 3, 4),
			[]string{"tickets.csv: warning: the tickets input's rows end 2026-10-04T00:00:00Z, 27 days before the other inputs' last row, where their rate (1.3 rows a day from 2026-10-01T00:00:00Z to 2026-10-04T00:00:00Z) puts some 36 more: tickets per 100 devices read low"},
			[]string{"usage input's rows"}, nil},
		{"usage starts late", usage(20, 30), tickets(1, 3, 5),
			[]string{"usage.csv: warning: the usage input's rows start 2026-10-20T00:00:00Z, 19 days after the window's start, where their rate (3.1 rows a day from 2026-10-20T00:00:00Z to 2026-10-30T00:00:00Z) puts some 59 more"},
			nil, nil},
		{"whole", usage(1, 31), tickets(1, 3, 5), nil, []string{"input's rows"}, nil},
		// three tickets, all in September: sparse, but none counts in
		// October while the other inputs' rows do
		{"tickets before the window", usage(1, 31), tickets(-20, -15, -10),
			[]string{"tickets.csv: warning: the tickets input's rows end 2026-09-20T00:00:00Z, before the window's start 2026-10-01T00:00:00Z, while other inputs' rows reach into it: none of them counts in the window, so tickets per 100 devices read low"},
			[]string{"usage input's rows"}, nil},
		// as_of before the window's end: the gap runs to it (15 days, 47 rows)
		{"as_of", usage(1, 10), tickets(1, 3, 5),
			[]string{"the usage input's rows end 2026-10-10T00:00:00Z, 15 days before as_of 2026-10-25T00:00:00Z, where their rate (3.1 rows a day from 2026-10-01T00:00:00Z to 2026-10-10T00:00:00Z) puts some 47 more"},
			nil, []string{"--as-of", "2026-10-25T00:00:00Z"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-31T00:00:00Z,disconnected\n")
			cmdtest.WriteFile(t, dir, "usage.csv", c.usage)
			cmdtest.WriteFile(t, dir, "tickets.csv", c.tickets)
			stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir, "--events", "events.csv", "--usage", "usage.csv", "--tickets", "tickets.csv", "--month", "2026-10"}, c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// one device is "1 device" (it read "1 devices")
			if !strings.Contains(stdout, " 1 device, median 100%") {
				t.Errorf("stdout:\n%s", stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, n := range c.not {
				if strings.Contains(stderr, n) {
					t.Errorf("stderr has %q:\n%s", n, stderr)
				}
			}
		})
	}
}

// A last-seen list given as activity: one row for nearly every id. By
// hand: 100 ids, 90 with one row (nine in ten) over 9.9 days warn; 89 do
// not; 100 single ids within 4.1 days (a short export of devices heard
// once) do not.
func TestMetricsSingleActivity(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	rows := func(single int, step time.Duration) string {
		var b strings.Builder
		b.WriteString("device_id,timestamp\n")
		for i := range 100 {
			at := oct.Add(time.Duration(i) * step)
			fmt.Fprintf(&b, "u%03d,%s\n", i, at.Format(time.RFC3339))
			if i >= single {
				fmt.Fprintf(&b, "u%03d,%s\n", i, at.Add(time.Hour).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	for _, c := range []struct {
		name string
		csv  string
		want string
	}{
		{"nine in ten", rows(90, 2*time.Hour+24*time.Minute), "90 of the 100 device ids of activity (column device_id) have one row each over 9.9 days"},
		{"fewer", rows(89, 2*time.Hour+24*time.Minute), ""},
		{"under a week", rows(100, time.Hour), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "activity.csv", c.csv)
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--activity", "activity.csv", "--month", "2026-10")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "have one row each"); got != (c.want != "") || !strings.Contains(stderr, c.want) {
				t.Errorf("stderr:\n%s\nwant %q", stderr, c.want)
			}
		})
	}
}

// A usage export delivered as daily files, hourly rows, with the files of
// Oct 10–12 missing: the rows stop at Oct 9 23:00 and resume Oct 13 00:00,
// 3.04 days, where the input's rate (672 rows over 30.96 days, 21.7 a day)
// puts 66: warned, naming the files on either side. One missing day (1.04
// days at 720 rows over 30.96 days, 23.3 a day: 24 rows) is warned too;
// all files, nothing.
func TestMetricsFileGap(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		missing []int
		want    string
	}{
		{"three days", []int{10, 11, 12}, "usage.csv: warning: the files of the usage input have no row from 2026-10-09T23:00:00Z (the last of 2026-10-09.csv) to 2026-10-13T00:00:00Z (the first of 2026-10-13.csv), 3 days in the window, where their rate (21.7 rows a day) puts some 66"},
		{"one day", []int{10}, "the files of the usage input have no row from 2026-10-09T23:00:00Z (the last of 2026-10-09.csv) to 2026-10-11T00:00:00Z (the first of 2026-10-11.csv), 1 day in the window, where their rate (23.3 rows a day) puts some 24"},
		{"whole", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "usage.csv"), 0o755); err != nil {
				t.Fatal(err)
			}
			for d := 1; d <= 31; d++ {
				if slices.Contains(c.missing, d) {
					continue
				}
				var b strings.Builder
				b.WriteString("device_id,feature,timestamp\n")
				for h := range 24 {
					fmt.Fprintf(&b, "d1,leak-alert,%s\n", oct.AddDate(0, 0, d-1).Add(time.Duration(h)*time.Hour).Format(time.RFC3339))
				}
				cmdtest.WriteFile(t, dir, fmt.Sprintf("usage.csv/2026-10-%02d.csv", d), b.String())
			}
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-31T23:00:00Z,disconnected\n")
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--usage", "usage.csv", "--month", "2026-10")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "have no row from"); got != (c.want != "") || !strings.Contains(stderr, c.want) {
				t.Errorf("stderr:\n%s\nwant %q", stderr, c.want)
			}
		})
	}
}
