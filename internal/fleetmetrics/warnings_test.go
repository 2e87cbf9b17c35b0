package fleetmetrics

import (
	"strings"
	"testing"
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
