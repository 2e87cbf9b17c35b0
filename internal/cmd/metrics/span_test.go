package metrics_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
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
			[]string{"tickets.csv: warning: the tickets input's rows end 2026-09-20T00:00:00Z, before the window's start 2026-10-01T00:00:00Z, while other inputs' rows reach into it: none of them counts in the window, so customer health leaves its tickets out"},
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
			wantWarning(t, runActivity(t, c.csv), "have one row each", c.want)
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
			wantWarning(t, stderr, "have no row from", c.want)
		})
	}
}

// A stretch without rows inside one export — a pipeline's outage, a lost
// partition, rows deleted in a spreadsheet — read as a quiet stretch with
// nothing said: usage hourly through October but for Oct 10–12 lost 66
// rows' worth of usage. It is found in 2^28 µs stretches (BusyWidth): the
// last row before, Oct 9 23:00, lies in stretch 2,883 from the window's
// start, the first after, Oct 13 00:00, in 3,862, so none of stretches
// 2,884–3,861 holds a row: 23:02:47.855104 on Oct 9 to 23:58:17.731072 on
// Oct 12 (said to the second within: 23:02:48 to 23:58:17), 3.04 days. The
// rows fall in 672 of the 9,965 stretches from the first (0) to the last
// (9,964): 6.7%, which puts rows in 66 of the gap's 978. One day missing
// is found too: rows 25 hours apart, stretches 2,884–3,217 empty, 1.04
// days, 24 expected (any run of at least a day less two stretches counts:
// from rows a minute apart, Oct 10 missing leaves stretches 2,897–3,217
// empty, 23.94 hours, which is found).
//
// 50 devices that all report at 02:00–02:10 have a day less ten minutes
// between rows, their own rhythm: not warned of. A day missing from them
// is not either: their rows fall in 1% of the stretches (a burst each
// day), which puts rows in 6 of the 641 missing ones — within chance by
// that measure, a limit of it; so for reports every 7 days and a week
// missing. Gateways that stay connected, whose events come in bursts (all
// 50 reconnect on four nights) and otherwise about a day apart, have 4.9
// quiet days by chance: their 460 rows over 32.4 days would put 70 there,
// but they fall in 0.5% of the stretches, 8 of the gap's 1,568: not
// warned of. Usage in bursts (100 rows on each of four evenings, a row
// about a day apart otherwise) ends with its Oct 26 burst, 5.1 days before
// the events' last row: its 427 rows over 25.4 days would put 86 there,
// but they fall in 34 of 8,182 stretches (0.42%), which puts rows in 7 of
// the 1,649: the span warning says nothing either.
//
// A fleet off at night and at weekends has 62 hours without a row from
// each Friday 17:50 (Oct 2026 begins on a Thursday), more than 1.5 times
// its typical spacing (a stretch: rows 10 minutes apart on weekdays), but
// the same stretch a week later has no row either, so it is its rhythm;
// and its rows end on Friday Oct 30, 29 hours before the events' last
// row, which the week before shows is its rhythm too. Without Oct 12–16,
// its stretch from Friday Oct 9 to Monday Oct 19 has rows a day and a week
// away, and its rows fall in 10.8% of its stretches: warned.
// Tickets are not checked: a desk closed at weekends has no row then.
func TestMetricsDataGap(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	hourly := func(header, row string, missing ...int) string {
		var b strings.Builder
		b.WriteString(header + "\n")
		for d := 1; d <= 31; d++ {
			if slices.Contains(missing, d) {
				continue
			}
			for h := range 24 {
				fmt.Fprintf(&b, row+"\n", oct.AddDate(0, 0, d-1).Add(time.Duration(h)*time.Hour).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	minutely := func(missing int) string {
		var b strings.Builder
		b.WriteString("device_id,feature,timestamp\n")
		for m := range 31 * 1440 {
			if at := oct.Add(time.Duration(m) * time.Minute); at.Day() != missing {
				fmt.Fprintf(&b, "d1,leak-alert,%s\n", at.Format(time.RFC3339))
			}
		}
		return b.String()
	}
	// usage every 10 minutes on weekdays from 08:00 to 18:00 (a fleet
	// switched off at night and at weekends), but for the days missing
	weekdays := func(missing ...int) string {
		var b strings.Builder
		b.WriteString("device_id,feature,timestamp\n")
		for d := 1; d <= 31; d++ {
			day := oct.AddDate(0, 0, d-1)
			if slices.Contains(missing, d) || day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				continue
			}
			for m := 8 * 60; m < 18*60; m += 10 {
				fmt.Fprintf(&b, "d1,leak-alert,%s\n", day.Add(time.Duration(m)*time.Minute).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	// 50 gateways that stay connected: all reconnect on four nights (a
	// broker's restart), and 30 of them drop and come back once, at
	// times about a day apart but for four more quiet days after Oct 14
	// 18:00
	hubs := func() string {
		var b strings.Builder
		b.WriteString("device_id,timestamp,event\n")
		var rows []string
		for _, night := range []int{5, 12, 19, 26} {
			for h := range 50 {
				at := oct.AddDate(0, 0, night-1).Add(3*time.Hour + time.Duration(h)*time.Second)
				rows = append(rows, fmt.Sprintf("g%02d,%s,disconnected", h, at.Format(time.RFC3339)), fmt.Sprintf("g%02d,%s,connected", h, at.Add(time.Minute).Format(time.RFC3339)))
			}
		}
		at := oct.Add(7 * time.Hour)
		for k := range 30 {
			if at.After(oct.AddDate(0, 0, 13).Add(18*time.Hour)) && at.Before(oct.AddDate(0, 0, 18)) {
				at = at.Add(4 * 24 * time.Hour) // the quiet days
			}
			rows = append(rows, fmt.Sprintf("g%02d,%s,disconnected", k, at.Format(time.RFC3339)), fmt.Sprintf("g%02d,%s,connected", k, at.Add(2*time.Minute).Format(time.RFC3339)))
			at = at.Add(time.Duration(19+k%11) * time.Hour)
		}
		b.WriteString(strings.Join(rows, "\n") + "\n")
		return b.String()
	}
	// usage in bursts: 100 rows within 100 s on four evenings, and a row
	// about a day apart (27 of them) until Oct 26
	bursts := func() string {
		var b strings.Builder
		b.WriteString("device_id,feature,timestamp\n")
		for _, night := range []int{5, 12, 19, 26} {
			for d := range 100 {
				fmt.Fprintf(&b, "u%02d,leak-alert,%s\n", d, oct.AddDate(0, 0, night-1).Add(20*time.Hour+time.Duration(d)*time.Second).Format(time.RFC3339))
			}
		}
		for k, at := 0, oct.Add(10*time.Hour); at.Before(oct.AddDate(0, 0, 26).Add(12 * time.Hour)); k++ {
			fmt.Fprintf(&b, "u%02d,leak-alert,%s\n", k, at.Format(time.RFC3339))
			at = at.Add(time.Duration(19+k%11) * time.Hour)
		}
		return b.String()
	}
	// 50 devices reporting at 02:00 every so many days
	every := func(days int, missing ...int) string {
		var b strings.Builder
		b.WriteString("device_id,timestamp\n")
		for d := 1; d <= 31; d += days {
			if slices.Contains(missing, d) {
				continue
			}
			for dev := range 50 {
				fmt.Fprintf(&b, "m%02d,%s\n", dev, oct.AddDate(0, 0, d-1).Add(2*time.Hour+time.Duration(dev)*12*time.Second).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	// 50 devices reporting at 02:00 Berlin time every day: 00:00 UTC until
	// daylight saving time ends on Oct 25, 01:00 after
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := func(missing int) string {
		var b strings.Builder
		b.WriteString("device_id,timestamp\n")
		for d := 1; d <= 31; d++ {
			if d == missing {
				continue
			}
			for dev := range 50 {
				fmt.Fprintf(&b, "m%02d,%s\n", dev, time.Date(2026, 10, d, 2, 0, 12*dev, 0, berlin).UTC().Format(time.RFC3339))
			}
		}
		return b.String()
	}
	for _, c := range []struct {
		name, flag, file, content string
		want                      string
	}{
		{"three days of usage", "--usage", "usage.csv", hourly("device_id,feature,timestamp", "d1,leak-alert,%s", 10, 11, 12),
			"usage.csv: warning: the usage input has no row from 2026-10-09T23:02:48Z to 2026-10-12T23:58:17Z, 3 days between its rows, where its rows fall in 6.7% of the 9,965 4.47-minute stretches from its first in the window to its last, which puts rows in some 66 of this one's 978"},
		{"one day of usage", "--usage", "usage.csv", hourly("device_id,feature,timestamp", "d1,leak-alert,%s", 10), "the usage input has no row from 2026-10-09T23:02:48Z to 2026-10-10T23:57:05Z, 1 day between its rows, where its rows fall in 7.2% of the 9,965"},
		{"one day of usage a minute apart", "--usage", "usage.csv", minutely(10), "the usage input has no row from 2026-10-10T00:00:58Z to 2026-10-10T23:57:05Z, 1 day between its rows, where its rows fall in 96.8%"},
		{"usage whole", "--usage", "usage.csv", hourly("device_id,feature,timestamp", "d1,leak-alert,%s"), ""},
		{"daily reports", "--activity", "activity.csv", every(1), ""},
		{"weekly reports", "--activity", "activity.csv", every(7), ""},
		// the whole fleet reports within ten minutes each Thursday: the
		// weeks either side of the missing one hold 50 rows then (48 in
		// the 13 minutes read); it was silent before
		{"weekly reports, a week missing", "--activity", "activity.csv", every(7, 15), "activity.csv: warning: the activity input has no row from 2026-10-08T02:13:59Z to 2026-10-22T01:55:34Z, 14 days between its rows, while the week before it and the week after each have at least 48 rows in the 13 minutes around Thursday 02:07 UTC, the time of the week it misses"},
		{"weekly reports, the first week missing", "--activity", "activity.csv", every(7, 1), ""},
		{"weekly reports, a week missing, one device", "--activity", "activity.csv", strings.Join(slices.DeleteFunc(strings.Split(every(7, 15), "\n"), func(l string) bool { return strings.HasPrefix(l, "m") && !strings.HasPrefix(l, "m00,") }), "\n"), ""},
		// the whole fleet reports within ten minutes: its occupancy puts
		// 2 rows in the missing day, its rows on the days around it 45
		{"daily reports, a day missing", "--activity", "activity.csv", every(1, 17), "activity.csv: warning: the activity input has no row from 2026-10-16T02:09:52Z to 2026-10-18T01:57:38Z, 2 days between its rows, while the two days before it and the two after each have at least 45 rows in the 13 minutes around 02:08 UTC, the time of day it misses"},
		{"daily reports, the first day missing", "--activity", "activity.csv", every(1, 1), ""},
		// the day after daylight saving time ends missing: Oct 24 reports
		// at 00:00 UTC, Oct 25 (02:00 comes twice; Go takes the second),
		// 27 and 28 at 01:00, the time named (silent before)
		{"daily reports in local time, the day after the change missing", "--activity", "activity.csv", local(26), "the two days before it and the two after each have at least 47 rows in the 13 minutes around 01:06 UTC (an hour off that on some of them: daylight saving time began or ended), the time of day it misses"},
		{"daily reports in local time", "--activity", "activity.csv", local(0), ""},
		{"daily reports, a day missing, one device", "--activity", "activity.csv", strings.Join(slices.DeleteFunc(strings.Split(every(1, 17), "\n"), func(l string) bool { return strings.HasPrefix(l, "m") && !strings.HasPrefix(l, "m00,") }), "\n"), ""},
		{"weekdays", "--usage", "usage.csv", weekdays(), ""},
		{"weekdays, a week missing", "--usage", "usage.csv", weekdays(12, 13, 14, 15, 16), "the usage input has no row from 2026-10-09T17:54:06Z to 2026-10-19T07:56:09Z, 9.6 days between its rows, where its rows fall in 10.8%"},
		{"gateways' events in bursts", "--events", "events.csv", hubs(), ""},
		{"usage in bursts, ending 5.1 days early", "--usage", "usage.csv", bursts(), ""},
		{"tickets, a week missing", "--tickets", "tickets.csv", hourly("customer_id,ticket_id,created_at", "c1,,%s", 10, 11, 12, 13, 14, 15, 16), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-31T23:00:00Z,disconnected\n")
			cmdtest.WriteFile(t, dir, c.file, c.content)
			args := []string{"metrics", "-C", dir, c.flag, c.file, "--month", "2026-10"}
			if c.flag != "--events" {
				args = append(args, "--events", "events.csv")
			}
			_, stderr, code := cmdtest.Run(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			wantWarning(t, stderr, "has no row from", c.want)
			// reports every 7 days end 2.9 days short of the events' last
			// row by their own rhythm, not an export cut short
			if strings.Contains(stderr, "rows end") {
				t.Errorf("a span warning:\n%s", stderr)
			}
		})
	}
}

// Units shipped after the data's horizon are in the activation cohort but
// no row can show them activated. By hand: four units shipped in October,
// two of them (Oct 20, 25) after the fleet's last row (Oct 14): the rate
// reads 2/4 = 50%, 2/2 = 100% of those shipped before the horizon. With
// as_of on Oct 26 the horizon is after them: nothing to say (the rate
// still 50%: they have not connected by then).
func TestMetricsAfterHorizon(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\nd1,2026-10-02T00:00:00Z\nd2,2026-10-03T00:00:00Z\nd3,2026-10-20T00:00:00Z\nd4,2026-10-25T00:00:00Z\n")
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-03T00:00:00Z,connected\nd2,2026-10-04T00:00:00Z,connected\nd1,2026-10-14T00:00:00Z,disconnected\n")
	args := []string{"metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", "2026-10", "--now", "2026-10-27T00:00:00Z"}
	_, stderr, code := cmdtest.Run(t, nil, args...)
	want := "devices.csv: warning: 2 of the 4 units shipped in the window have a shipped_at after the data's horizon 2026-10-14T00:00:00Z: no row can show them activated, so the activation rate counts them as not (it reads 50%; 100% of those shipped before it)"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant %q", code, stderr, want)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, append(args, "--as-of", "2026-10-26T00:00:00Z")...)
	if code != 0 || strings.Contains(stderr, "after the data's horizon") || !strings.Contains(stdout, "50%") {
		t.Errorf("as_of after them: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// one of 101 (under 1%: a devices export pulled a little after the
	// events) is not worth a word; two of 102 are
	for _, c := range []struct {
		after int
		warn  bool
	}{{1, false}, {2, true}} {
		var b strings.Builder
		b.WriteString("device_id,shipped_at\nd1,2026-10-02T00:00:00Z\nd2,2026-10-03T00:00:00Z\n")
		for i := range 98 {
			fmt.Fprintf(&b, "u%03d,2026-10-02T00:00:00Z\n", i)
		}
		for i := range c.after {
			fmt.Fprintf(&b, "late%d,2026-10-20T00:00:00Z\n", i)
		}
		cmdtest.WriteFile(t, dir, "devices.csv", b.String())
		_, stderr, _ := cmdtest.Run(t, nil, args...)
		if got := strings.Contains(stderr, "after the data's horizon"); got != c.warn {
			t.Errorf("%d of %d after the horizon: warned %v\n%s", c.after, 100+c.after, got, stderr)
		}
	}
}

// wantWarning fails t unless stderr holds want and holds the warning's
// words (marker) only when want is not empty (want "": no such warning).
// runDevicesEvents writes devices and events as devices.csv and
// events.csv in a folder of their own, runs iotpm metrics on them with
// args, and returns its stderr (a non-zero exit fails the test).
func runDevicesEvents(t *testing.T, devices, events string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", devices)
	cmdtest.WriteFile(t, dir, "events.csv", events)
	_, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	return stderr
}

// runActivity runs metrics for October 2026 on an activity export alone
// and returns its stderr.
func runActivity(t *testing.T, activity string) string {
	t.Helper()
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "activity.csv", activity)
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--activity", "activity.csv", "--month", "2026-10")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	return stderr
}

func wantWarning(t *testing.T, stderr, marker, want string) {
	t.Helper()
	if got := strings.Contains(stderr, marker); got != (want != "") || !strings.Contains(stderr, want) {
		t.Errorf("stderr:\n%s\nwant %q", stderr, want)
	}
}

// Units whose activation window ends before the fleet's first row (an
// export cut at a retention limit beside a devices export of every unit
// ever shipped) are left out of the activation rates, never counted as
// not activated. By hand, A = 30 days, the fleet's rows start Sep 1
// 00:00 (F; old's connect): old (May 1) and a1, a2 (June) have their
// window before F, and so has e (Aug 2: its window ends at F exactly);
// b1 (Aug 20, connects Sep 3) and b2 (Aug 25, no row) straddle F and
// count; c1 (Sep 5, connects Sep 6) counts. Ship months: 2026-05 and
// 2026-06 no rate (1 and 2 before the data), 2026-08 1 of 2 (e before),
// 2026-09 1 of 1. Counted as not activated (the old rule) June read 0%.
func TestMetricsBeforeData(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\nold,2026-05-01T00:00:00Z\na1,2026-06-10T00:00:00Z\na2,2026-06-20T00:00:00Z\n"+
		"e,2026-08-02T00:00:00Z\nb1,2026-08-20T00:00:00Z\nb2,2026-08-25T00:00:00Z\nc1,2026-09-05T00:00:00Z\n")
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nold,2026-09-01T00:00:00Z,connected\nb1,2026-09-03T00:00:00Z,connected\nc1,2026-09-06T00:00:00Z,connected\n"+
		"old,2026-10-30T00:00:00Z,disconnected\n")
	run := func(month string) (fleetmetrics.Result, string) {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--devices", "devices.csv", "--events", "events.csv", "--month", month, "--now", "2026-10-31T00:00:00Z", "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		var doc fleetmetrics.Result
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		return doc, stderr
	}
	doc, stderr := run("2026-08")
	type cohort struct {
		month                                  string
		shipped, activated, before, straddling int
		rate                                   float64 // -1: none
	}
	var got []cohort
	for _, c := range doc.Activation.ByShipMonth {
		r := -1.0
		if c.Value != nil {
			r = *c.Value
		}
		got = append(got, cohort{c.Month, c.Shipped, c.Activated, c.BeforeData, c.Straddling, r})
	}
	// b2 (Aug 25, no row) straddles the data start: not activated
	want := []cohort{{"2026-05", 0, 0, 1, 0, -1}, {"2026-06", 0, 0, 2, 0, -1}, {"2026-08", 2, 1, 1, 1, 0.5}, {"2026-09", 1, 1, 0, 0, 1}}
	if !slices.Equal(got, want) {
		t.Errorf("by ship month:\n got %v\nwant %v", got, want)
	}
	a := doc.Activation
	if a.Shipped != 2 || a.Activated != 1 || a.BeforeData != 1 || a.Value == nil || *a.Value != 0.5 {
		t.Errorf("window cohort: %d of %d, %d before the data, value %v", a.Activated, a.Shipped, a.BeforeData, a.Value)
	}
	wantWarning(t, stderr, "before the fleet's first row",
		filepath.Join(dir, "devices.csv")+": warning: 4 units shipped more than the activation window (30 days) before the fleet's first row (2026-09-01T00:00:00Z, "+filepath.Join(dir, "events.csv")+"; ship months 2026-05 to 2026-08, 1 of them in the window's cohort): no row of the data falls in their activation window, so the activation rates leave them out")
	wantWarning(t, stderr, "shipped less than the activation window",
		filepath.Join(dir, "devices.csv")+": warning: 1 unit shipped less than the activation window (30 days) before the fleet's first row (2026-09-01T00:00:00Z, "+filepath.Join(dir, "events.csv")+"; ship month 2026-08) and shows no activation from it, so it counts as not activated; an activation before that row is not in the data, and with 4 units shipped wholly before it the fleet's exports look cut there")
	// the events, the only input with times, start after August: no
	// other input's rows reach into it either (it said they did)
	if strings.Contains(stderr, "other inputs' rows reach into it") {
		t.Errorf("a window no input's rows reach:\n%s", stderr)
	}
	// a window whose units all shipped then has no rate, and says why
	doc, _ = run("2026-06")
	if a := doc.Activation; a.Value != nil || a.BeforeData != 2 || a.Reason != "every unit shipped in window has its activation window before the fleet's first row (2026-09-01T00:00:00Z, "+filepath.Join(dir, "events.csv")+"): whether they activated is not in the data" {
		t.Errorf("June: value %v, %d before the data, reason %q", a.Value, a.BeforeData, a.Reason)
	}
	// a fleet whose rows begin before its first shipment: nothing left out
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nold,2026-04-30T00:00:00Z,connected\n")
	if doc, stderr := run("2026-08"); strings.Contains(stderr, "before the fleet's first row") || doc.Activation.BeforeData != 0 {
		t.Errorf("data from April: %d before the data\n%s", doc.Activation.BeforeData, stderr)
	}
	// rows from May 15: a1 (June 10) on, nothing before the data, and old
	// (May 1, no row in its window) straddling its start: counted, not
	// warned of (the rows may begin with the fleet)
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nc1,2026-05-15T00:00:00Z,connected\n")
	doc, stderr = run("2026-05")
	if a := doc.Activation; a.BeforeData != 0 || a.Straddling != 1 || strings.Contains(stderr, "shipped less than the activation window") {
		t.Errorf("data from May 15: %d before the data, %d straddling\n%s", a.BeforeData, a.Straddling, stderr)
	}
}

// An activity export of a fleet that reports at the same minute every day
// ending days before the other inputs' last row: its occupancy (a stretch
// a day) puts 4 rows in the 2.9 days, its rows at 02:00 on the two days
// before the end 50 each — warned of. Weekly reports end as short by their
// own rhythm, and one device daily puts 3 rows there: neither is.
func TestDailyReportsEndEarly(t *testing.T) {
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	reports := func(devices, every, lastDay int) string {
		var b strings.Builder
		b.WriteString("device_id,timestamp\n")
		for d := 1; d <= lastDay; d += every {
			for dev := range devices {
				fmt.Fprintf(&b, "m%02d,%s\n", dev, oct.AddDate(0, 0, d-1).Add(2*time.Hour+time.Duration(dev)*12*time.Second).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	for _, c := range []struct {
		name, content, want string
	}{
		{"daily, ending Oct 29", reports(50, 1, 29), "activity.csv: warning: the activity input's rows end 2026-10-29T02:09:48Z, 2.9 days before the other inputs' last row, where their rate (51.8 rows a day from 2026-10-01T02:00:00Z to 2026-10-29T02:09:48Z) puts some 148 more"},
		{"weekly, ending Oct 29", reports(50, 7, 29), ""},
		// two reports short: the week before the end's Thursday holds 50
		// rows at 02:00 (silent before: its occupancy put 11 rows there)
		{"weekly, ending Oct 15", reports(50, 7, 15), "activity.csv: warning: the activity input's rows end 2026-10-15T02:09:48Z, 16.9 days before the other inputs' last row"},
		{"one device daily, ending Oct 29", reports(1, 1, 29), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd1,2026-10-31T23:00:00Z,disconnected\n")
			cmdtest.WriteFile(t, dir, "activity.csv", c.content)
			_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--activity", "activity.csv", "--month", "2026-10")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			wantWarning(t, stderr, "input's rows end", c.want)
		})
	}
}

// Units whose every row precedes their shipped_at are never in service
// (rows before shipping are factory tests); most of a fleet so says
// shipped_at holds a later date. By hand: units shipped Oct 10 that
// connected on Oct 1–5 and stayed connected, beside units shipped Oct 1
// that connected on Oct 2: 12 of 12 warn; 9 of 9 are too few; 10 of 21
// are not more than half; 10 of 19 are.
func TestMetricsRowsBeforeShipping(t *testing.T) {
	fleet := func(early, normal int) (devices, events string) {
		d, e := "device_id,shipped_at\n", "device_id,timestamp,event\n"
		for i := range early {
			d += fmt.Sprintf("e%02d,2026-10-10\n", i)
			e += fmt.Sprintf("e%02d,2026-10-0%dT10:00:00Z,connected\n", i, 1+i%5)
		}
		for i := range normal {
			d += fmt.Sprintf("n%02d,2026-10-01\n", i)
			e += fmt.Sprintf("n%02d,2026-10-02T10:00:00Z,connected\nn%02d,2026-10-30T10:00:00Z,disconnected\n", i, i)
		}
		return d, e
	}
	for _, c := range []struct {
		early, normal int
		want          string
	}{
		{12, 0, "devices.csv: warning: 12 of the 12 units with a shipped_at and connection rows have every row before their shipped_at: rows before shipping count as factory tests, so these units are never in service"},
		{9, 0, ""},
		{10, 11, ""},
		{10, 9, "devices.csv: warning: 10 of the 19 units with a shipped_at and connection rows have every row before their shipped_at"},
	} {
		t.Run(fmt.Sprintf("%d of %d", c.early, c.early+c.normal), func(t *testing.T) {
			devices, events := fleet(c.early, c.normal)
			stderr := runDevicesEvents(t, devices, events, "--month", "2026-10", "--as-of", "2026-10-31T00:00:00Z")
			wantWarning(t, stderr, "have every row before their shipped_at", c.want)
		})
	}
}

// A ship month whose units have every row before their shipped_at is
// warned of when the fleet as a whole is not. By hand: 30 units shipped
// Sep 1 that connect Sep 2; in October `early` units shipped Oct 10 that
// connected on Oct 1–5 and stayed connected, beside 5 shipped Oct 1 that
// connect Oct 2. With 10: 10 of 45 fleet-wide (not most), 10 of
// October's 15: warned; with 9, fewer than 10: not.
func TestMetricsRowsBeforeShippingOneMonth(t *testing.T) {
	for _, c := range []struct {
		early int
		want  string
	}{
		{10, "devices.csv: warning: most units with a shipped_at and connection rows of ship month 2026-10 (10 of 15) have every row before their shipped_at: rows before shipping count as factory tests, so these units are never in service"},
		{9, ""},
	} {
		t.Run(fmt.Sprint(c.early), func(t *testing.T) {
			d, e := "device_id,shipped_at\n", "device_id,timestamp,event\n"
			for i := range 30 {
				d += fmt.Sprintf("s%02d,2026-09-01\n", i)
				e += fmt.Sprintf("s%02d,2026-09-02T10:00:00Z,connected\n", i)
			}
			for i := range c.early {
				d += fmt.Sprintf("e%02d,2026-10-10\n", i)
				e += fmt.Sprintf("e%02d,2026-10-0%dT10:00:00Z,connected\n", i, 1+i%5)
			}
			for i := range 5 {
				d += fmt.Sprintf("n%02d,2026-10-01\n", i)
				e += fmt.Sprintf("n%02d,2026-10-02T10:00:00Z,connected\n", i)
			}
			stderr := runDevicesEvents(t, d, e, "--month", "2026-10", "--as-of", "2026-10-31T00:00:00Z")
			wantWarning(t, stderr, "have every row before their shipped_at", c.want)
		})
	}
}

// An input of customer health whose rows all lie outside the window says
// nothing of it: its component is left out, as for an input not given,
// not scored as 0 uses (score 0) or 0 tickets (score 100). The example in
// August: its usage starts Oct 1 and its tickets Sep 2, so each customer
// is scored by uptime alone (it was scored with usage 0 and tickets 0:
// fjord-estates 54.2, yellow, where its uptime scores 73.1).
func TestHealthLeavesOutInputsOutsideWindow(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--month", "2026-08", "-o", "json")
	if code > cmdutil.ExitGate {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc fleetmetrics.Result
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Customers) == 0 {
		t.Fatalf("%v: %s", err, stdout)
	}
	for _, c := range doc.Customers {
		up, ok := c.Components["uptime"]
		if len(c.Components) != 1 || !ok || c.Score == nil || up.Score == nil || *c.Score != *up.Score {
			t.Errorf("%s: score %v, components %+v; want uptime's alone", c.ID, c.Score, c.Components)
		}
	}
	for _, w := range []string{"so customer health leaves its usage share out", "so customer health leaves its tickets out, and iotpm economics does not measure tickets per device-month from it"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	// October, which both cover: every component
	stdout, _, _ = cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	doc = fleetmetrics.Result{}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Customers) == 0 || len(doc.Customers[0].Components) != 3 {
		t.Errorf("October: %v %+v", err, doc.Customers)
	}
}

// A day missing at the window's edge, from an export that goes on beyond
// it, is a stretch without rows between rows as much as one inside: six
// sensors every 15 minutes from Sep 25 to Nov 5, October asked for. The
// window's last day missing (a failed daily delivery) read as a quiet
// day, every sensor down through it, with no word; so did its first. An
// export that ends with the window's last day missing says so otherwise
// (its rows end early), and a whole export says nothing.
func TestWindowEdgeGapWarned(t *testing.T) {
	uplinks := func(missing func(day time.Time) bool, until time.Time) string {
		var b strings.Builder
		b.WriteString("device_id,timestamp\n")
		for at := time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC); at.Before(until); at = at.Add(15 * time.Minute) {
			if missing(at.Truncate(24 * time.Hour)) {
				continue
			}
			for dev := range 6 {
				fmt.Fprintf(&b, "s%d,%s\n", dev, at.Add(time.Duration(dev)*10*time.Second).Format(time.RFC3339))
			}
		}
		return b.String()
	}
	day := func(m time.Month, d int) func(time.Time) bool {
		return func(t time.Time) bool { return t.Equal(time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)) }
	}
	nov5 := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, content string
		gap           bool
		want          []string
	}{
		{"the last day missing", uplinks(day(10, 31), nov5), true, []string{"warning: the activity input has no row from 2026-10-30T23:46:48Z to 2026-11-01T00:00:00Z, 1 day between its rows, where its rows fall in 35.4% of"}},
		{"the first day missing", uplinks(day(10, 1), nov5), true, []string{"warning: the activity input has no row from 2026-10-01T00:00:00Z to 2026-10-01T23:56:07Z, 1 day between its rows, where its rows fall in 35.4% of"}},
		{"rows ending with the last day missing", uplinks(day(10, 31), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)), false,
			[]string{"warning: the data ends 2026-10-30T23:45:50Z, 1 day before the window's end 2026-11-01T00:00:00Z"}},
		{"every day", uplinks(func(time.Time) bool { return false }, nov5), false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			stderr := runActivity(t, c.content)
			if strings.Contains(stderr, "has no row from") != c.gap {
				t.Errorf("gap warned %v, want %v:\n%s", !c.gap, c.gap, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("no %q in:\n%s", w, stderr)
				}
			}
		})
	}
}
