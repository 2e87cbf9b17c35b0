package planning

import (
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// CashWarnings warns of each certification that more than one feature of
// a release books (roadmap.Cash.Repeated), at the second feature: one
// product's revision is certified once, two products twice, and which it
// is the plan does not say — so the NRE is booked as written and the user
// is asked, never deduplicated by a guess.
func CashWarnings(cash roadmap.Cash, backlog *planfile.Backlog) diag.List {
	var diags diag.List
	for _, r := range cash.Repeated {
		pos := backlog.Positions[r.Features[1]]
		diags.Warnf(diag.Plan, backlog.File, pos.Line, pos.Col,
			"%s and %s ship in %s %s and each book certification %s (%s each, %s in the NRE): right when they are %d products; when one campaign certifies one product's revision, list %s under one of them only",
			strings.Join(r.Features[:len(r.Features)-1], ", "), r.Features[len(r.Features)-1], r.Track, r.Release, r.Certification,
			money(r.FeeUSD), money(r.FeeUSD*float64(len(r.Features))), len(r.Features), r.Certification)
	}
	return diags
}
