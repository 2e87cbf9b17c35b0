package diff

import (
	"math"
	"time"

	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/pkg/roadmap"
)

// CashChange is the NRE of one feature, release or quarter, before and
// after.
type CashChange struct {
	Key    string  `json:"key"`
	Before float64 `json:"before_usd"`
	After  float64 `json:"after_usd"`
	// the parts of each: tooling and certification fees
	ToolingBefore       float64 `json:"tooling_before_usd"`
	ToolingAfter        float64 `json:"tooling_after_usd"`
	CertificationBefore float64 `json:"certification_before_usd"`
	CertificationAfter  float64 `json:"certification_after_usd"`
}

// CashDiff is what the change does to the NRE cash: in total and by
// feature, release and quarter.
type CashDiff struct {
	Features    []CashChange `json:"features"`
	Releases    []CashChange `json:"releases"`
	Quarters    []CashChange `json:"quarters"`
	TotalBefore float64      `json:"total_before_usd"`
	TotalAfter  float64      `json:"total_after_usd"`
}

func (d *Diff) compareCash(base, head *planning.Results) {
	cash := func(p *planning.Results) roadmap.Cash {
		if p.Cash == nil {
			return roadmap.Cash{}
		}
		return *p.Cash
	}
	cb, ca := cash(base), cash(head)
	d.Cash.TotalBefore, d.Cash.TotalAfter = cb.Total.USD(), ca.Total.USD()
	lineUp := func(before, after map[string]roadmap.Amount) []CashChange {
		keys := map[string]bool{}
		for k := range before {
			keys[k] = true
		}
		for k := range after {
			keys[k] = true
		}
		var out []CashChange
		for _, k := range sortedKeys(keys) {
			b, a := before[k], after[k]
			if math.Abs(b.USD()-a.USD()) > 0.005 || math.Abs(b.ToolingUSD-a.ToolingUSD) > 0.005 {
				out = append(out, CashChange{Key: k, Before: b.USD(), After: a.USD(), ToolingBefore: b.ToolingUSD, ToolingAfter: a.ToolingUSD,
					CertificationBefore: b.CertificationUSD, CertificationAfter: a.CertificationUSD})
			}
		}
		return out
	}
	byFeature := func(c roadmap.Cash) map[string]roadmap.Amount {
		out := map[string]roadmap.Amount{}
		for _, f := range c.Features {
			out[f.Feature] = f.Amount
		}
		return out
	}
	byRelease := func(c roadmap.Cash) map[string]roadmap.Amount {
		out := map[string]roadmap.Amount{}
		for _, r := range c.Releases {
			out[r.Date.Format(time.DateOnly)+" "+r.Release] = r.Amount
		}
		return out
	}
	byQuarter := func(c roadmap.Cash) map[string]roadmap.Amount {
		out := map[string]roadmap.Amount{}
		for _, q := range c.Quarters {
			out[q.Quarter] = q.Amount
		}
		return out
	}
	d.Cash.Features = lineUp(byFeature(cb), byFeature(ca))
	d.Cash.Releases = lineUp(byRelease(cb), byRelease(ca))
	d.Cash.Quarters = lineUp(byQuarter(cb), byQuarter(ca))
}
