package roadmap

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// Cash is the non-recurring engineering (NRE) cash of a plan: tooling and
// certification fees of the parts that need them, by the release each part
// ships with and by the quarter the cash goes out: the day after the part's
// work is done, when its certification campaigns and its tooling start
// (rule 3: the lead time runs from then), or the day it ships when it has
// no work. A part built early and certified then may ship a year later; its
// cash is spent when the plan spends it, not when it ships.
// A certification two parts of a feature need is booked once, with the
// first of them to ship; a part the plan leaves unscheduled books nothing.
// Two features of one release that name the same certification each book
// its fee: right when they are two products (a release of the calendar may
// carry the hub's and the valve's), twice too much when they are one
// product's revision certified once — which the plan cannot tell, so
// Repeated lists them for the user to say.
type Cash struct {
	Features []FeatureCash
	Releases []ReleaseCash
	Quarters []QuarterCash
	Total    Amount
	Repeated []RepeatedFee
}

// RepeatedFee is a certification more than one feature of a release books.
type RepeatedFee struct {
	Track         rice.Track
	Release       string
	Certification string
	FeeUSD        float64  // each time
	Features      []string // in the plan's order
}

// Amount splits cash into tooling and certification fees, in USD.
type Amount struct {
	ToolingUSD       float64
	CertificationUSD float64
}

// USD is the whole amount.
func (a Amount) USD() float64 { return a.ToolingUSD + a.CertificationUSD }

func (a *Amount) add(b Amount) {
	a.ToolingUSD += b.ToolingUSD
	a.CertificationUSD += b.CertificationUSD
}

// FeatureCash is one feature's booked NRE.
type FeatureCash struct {
	Feature string
	Amount
}

// ReleaseCash is the NRE of the parts shipping with one release.
type ReleaseCash struct {
	Track    rice.Track
	Release  string
	Date     time.Time
	Features []string
	Amount
}

// QuarterCash is the NRE booked in one calendar quarter, "2027-Q3".
type QuarterCash struct {
	Quarter string
	Amount
}

// Quarter names the calendar quarter of t: "2027-Q3".
func Quarter(t time.Time) string {
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// CashOf books the NRE of a scheduled plan.
func CashOf(plan Plan, ranked []rice.Scored, catalog rice.Catalog) Cash {
	byID := make(map[string]rice.Scored, len(ranked))
	for _, s := range ranked {
		byID[s.ID] = s
	}
	items := slices.Clone(plan.Items)
	slices.SortStableFunc(items, func(a, b Item) int {
		return cmp.Or(a.ShipDate.Compare(b.ShipDate), slices.Index(rice.Tracks, a.Track)-slices.Index(rice.Tracks, b.Track))
	})
	var c Cash
	feature := map[string]*Amount{}
	release := map[string]*ReleaseCash{}
	quarter := map[string]*Amount{}
	booked := map[string]bool{}            // feature/cert
	byRelease := map[string]*RepeatedFee{} // track/release/cert
	var repeatOrder []string
	for _, it := range items {
		f, ok := byID[it.Feature]
		if !ok {
			continue
		}
		var amt Amount
		for _, p := range f.Parts {
			if p.Track != it.Track {
				continue
			}
			amt.ToolingUSD += p.ToolingUSD
			for _, id := range p.Certifications {
				cert, ok := catalog[id]
				if !ok || booked[f.ID+"/"+id] || cert.FeeUSD == 0 {
					continue
				}
				booked[f.ID+"/"+id] = true
				amt.CertificationUSD += cert.FeeUSD
				key := string(it.Track) + "/" + it.Release + "/" + id
				if byRelease[key] == nil {
					byRelease[key] = &RepeatedFee{Track: it.Track, Release: it.Release, Certification: id, FeeUSD: cert.FeeUSD}
					repeatOrder = append(repeatOrder, key)
				}
				byRelease[key].Features = append(byRelease[key].Features, f.ID)
			}
		}
		if amt.USD() == 0 {
			continue
		}
		if feature[f.ID] == nil {
			feature[f.ID] = &Amount{}
			c.Features = append(c.Features, FeatureCash{Feature: f.ID})
		}
		feature[f.ID].add(amt)
		key := string(it.Track) + "/" + it.Release
		if release[key] == nil {
			release[key] = &ReleaseCash{Track: it.Track, Release: it.Release, Date: it.ShipDate}
		}
		r := release[key]
		r.Amount.add(amt)
		r.Features = append(r.Features, f.ID)
		q := Quarter(paidOn(it))
		if quarter[q] == nil {
			quarter[q] = &Amount{}
			c.Quarters = append(c.Quarters, QuarterCash{Quarter: q})
		}
		quarter[q].add(amt)
		c.Total.add(amt)
	}
	for i := range c.Features {
		c.Features[i].Amount = *feature[c.Features[i].Feature]
	}
	for _, key := range repeatOrder {
		if r := byRelease[key]; len(r.Features) > 1 {
			c.Repeated = append(c.Repeated, *r)
		}
	}
	for i := range c.Quarters {
		c.Quarters[i].Amount = *quarter[c.Quarters[i].Quarter]
	}
	for _, r := range release {
		c.Releases = append(c.Releases, *r)
	}
	slices.SortFunc(c.Releases, func(a, b ReleaseCash) int {
		return cmp.Or(a.Date.Compare(b.Date), slices.Index(rice.Tracks, a.Track)-slices.Index(rice.Tracks, b.Track))
	})
	slices.SortFunc(c.Quarters, func(a, b QuarterCash) int { return cmp.Compare(a.Quarter, b.Quarter) })
	return c
}

// paidOn is the day a part's NRE cash goes out (see Cash).
func paidOn(it Item) time.Time {
	if it.WorkDone.IsZero() {
		return it.ShipDate
	}
	return it.WorkDone.AddDate(0, 0, 1)
}
