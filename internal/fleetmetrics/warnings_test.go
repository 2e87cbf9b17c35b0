package fleetmetrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
)

// rowCap knows a file cut at a row limit by its count of data rows (the
// header besides): a spreadsheet's whole sheet, and a round number of at
// least 10,000 with at most two significant digits.
func TestRowCap(t *testing.T) {
	for _, c := range []struct {
		rows int
		want string // in the limit's words; "": none
	}{
		{1_048_575, "the most rows an Excel sheet holds"},
		{1_048_576, ""}, // a sheet holds the header too
		{65_535, "the most rows an .xls sheet holds"},
		{10_000, "a round number"},
		{30_000, "a round number"},
		{51_000, "a round number"},
		{500_000, "a round number"},
		{1_000_000, "a round number"},
		{9_000, ""}, // small exports are often round by chance
		{10_001, ""},
		{123_000, ""}, // three significant digits
		{30_100, ""},
		{0, ""},
	} {
		limit, fix := rowCap(c.rows, true)
		if c.want == "" && limit != "" || !strings.Contains(limit, c.want) || (limit == "") != (fix == "") {
			t.Errorf("%d rows: %q, %q; want %q", c.rows, limit, fix, c.want)
		}
		// the devices export: a sheet's limit only (fleets ship in round lots)
		if limit, _ := rowCap(c.rows, false); (limit != "") != strings.Contains(c.want, "sheet") {
			t.Errorf("%d devices: %q", c.rows, limit)
		}
	}
}

// An input of many files is checked file by file: two parts cut at a
// console's 10,000 rows and a third of 3,456 sum to no round number, yet
// two thirds of the input are cut (before, no warning); a LIMIT over the
// whole query written in parts shows in the sum; at most maxCapWarnings
// files are named.
func TestRowCapWarningsPerFile(t *testing.T) {
	files := func(reads ...int) *export.Stats {
		st := &export.Stats{Kind: planfile.KindEvents, Path: "exports/events"}
		for i, n := range reads {
			st.FileReads = append(st.FileReads, export.FileRead{Path: fmt.Sprintf("exports/events/part-%d.csv", i), Read: n})
			st.Read += n
		}
		st.Files = len(reads)
		return st
	}
	for _, c := range []struct {
		name  string
		stats *export.Stats
		want  []string // the warnings' paths, then a word of each
	}{
		{"two parts capped", files(10_000, 10_000, 3_456), []string{"exports/events/part-0.csv: warning: 10,000 rows", "exports/events/part-1.csv: warning: 10,000 rows"}},
		{"a LIMIT over the parts", files(12_345, 17_655), []string{"exports/events: warning: 30,000 rows"}},
		{"none", files(12_345, 17_656), nil},
		{"seven capped", files(50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000), []string{"part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv", "part-4.csv", "exports/events: warning: 2 more files"}},
		{"one file", &export.Stats{Kind: planfile.KindEvents, Path: "events.csv", Read: 50_000}, []string{"events.csv: warning: 50,000 rows"}},
	} {
		out := &Outcome{stats: []*export.Stats{c.stats}}
		rowCapWarnings(out, out.stats)
		var got []string
		for _, d := range out.Problems {
			got = append(got, d.String())
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %d warnings, want %d:\n%s", c.name, len(got), len(c.want), strings.Join(got, "\n"))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: warning %d is %q, want %q in it", c.name, i, got[i], w)
			}
		}
	}
}

// A gap of a day and a few seconds read "1 days before the window's end".
func TestDays(t *testing.T) {
	for in, want := range map[float64]string{1.00001: "1 day", 1: "1 day", 0.5: "0.5 days", 20.08: "20.1 days", 2: "2 days"} {
		if got := days(in); got != want {
			t.Errorf("days(%v) = %q, want %q", in, got, want)
		}
	}
}
