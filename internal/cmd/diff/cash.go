package diff

import (
	"math"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/planning"

	"github.com/iotpm/iotpm/pkg/roadmap"
)

// CashChange is the NRE of one feature, release or quarter, before and
// after.
type CashChange struct {
	Key    string  `json:"key"`
	Before float64 `json:"before_usd"`
	After  float64 `json:"after_usd"`
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
		if p.Plan == nil || p.Backlog == nil {
			return roadmap.Cash{}
		}
		return roadmap.CashOf(*p.Plan, p.Ranked, p.Backlog.Catalog)
	}
	cb, ca := cash(base), cash(head)
	d.Cash.TotalBefore, d.Cash.TotalAfter = cb.Total.USD(), ca.Total.USD()
	lineUp := func(before, after map[string]float64) []CashChange {
		keys := map[string]bool{}
		for k := range before {
			keys[k] = true
		}
		for k := range after {
			keys[k] = true
		}
		var out []CashChange
		for _, k := range sortedKeys(keys) {
			if math.Abs(before[k]-after[k]) > 0.005 {
				out = append(out, CashChange{Key: k, Before: before[k], After: after[k]})
			}
		}
		return out
	}
	byFeature := func(c roadmap.Cash) map[string]float64 {
		out := map[string]float64{}
		for _, f := range c.Features {
			out[f.Feature] = f.USD()
		}
		return out
	}
	byRelease := func(c roadmap.Cash) map[string]float64 {
		out := map[string]float64{}
		for _, r := range c.Releases {
			out[r.Date.Format(time.DateOnly)+" "+r.Release] = r.USD()
		}
		return out
	}
	byQuarter := func(c roadmap.Cash) map[string]float64 {
		out := map[string]float64{}
		for _, q := range c.Quarters {
			out[q.Quarter] = q.USD()
		}
		return out
	}
	d.Cash.Features = lineUp(byFeature(cb), byFeature(ca))
	d.Cash.Releases = lineUp(byRelease(cb), byRelease(ca))
	d.Cash.Quarters = lineUp(byQuarter(cb), byQuarter(ca))
}
