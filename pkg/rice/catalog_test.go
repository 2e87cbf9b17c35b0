package rice

import (
	"strings"
	"testing"
)

// Every built-in figure says what it covers, and the ones a check against
// public sources found wrong say it right (issue #28, item 15).
func TestBuiltinCatalogSaysWhatEachFigureCovers(t *testing.T) {
	c := BuiltinCatalog()
	for _, id := range c.IDs() {
		if x := c[id]; x.Covers == "" || x.Source == "" {
			t.Errorf("%s: covers %q, source %q", id, x.Covers, x.Source)
		}
	}
	for _, tc := range []struct {
		id, covers string
		check      func(Certification) bool
		why        string
	}{
		// $5,000 a year is the Implementer membership, not a fee per product
		{"thread", "membership", func(x Certification) bool { return x.FeeUSD == 5000 }, "the membership's $5,000"},
		// CAD 750 registration fee, in US dollars
		{"ised", "CAD 750", func(x Certification) bool { return x.FeeUSD < 750 && x.FeeUSD > 500 }, "CAD 750 in USD"},
		// months from hardware freeze for a first cellular device
		{"ptcrb", "hardware freeze", func(x Certification) bool {
			return x.WeeksRange != nil && x.WeeksRange.Max >= 26 && x.WeeksRange.Min >= 12 && x.Weeks == x.WeeksRange.Mode
		}, "a range reaching 6+ months"},
		// the CSA fee and the membership the fee needs
		{"matter", "membership", func(x Certification) bool { return x.FeeUSD == 3000+7000 }, "$3,000 fee + $7,000 Adopter membership"},
		// a forum figure, said so, with the SIG's schedule as the authority
		{"bt-sig", "Adopter", func(x Certification) bool {
			return strings.Contains(x.Source, "forum") && strings.Contains(x.Source, "bluetooth.com/fee-schedule")
		}, "the source named for what it is"},
	} {
		x := c[tc.id]
		if !strings.Contains(x.Covers, tc.covers) || !tc.check(x) {
			t.Errorf("%s: %s; covers %q, fee %v, weeks %v %+v", tc.id, tc.why, x.Covers, x.FeeUSD, x.Weeks, x.WeeksRange)
		}
	}
}
