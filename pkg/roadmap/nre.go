package roadmap

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// Cash is the non-recurring engineering (NRE) cash of a plan: tooling and
// certification fees, booked on the date the part that needs them ships.
// A certification is booked once per feature, with the first of its parts
// that needs it to ship, and once per release: a release is one product
// revision certified in one campaign, so two features shipping together
// that both need it share one fee (booked with the first of them in the
// plan's order). A part the plan leaves unscheduled books nothing.
type Cash struct {
	Features []FeatureCash
	Releases []ReleaseCash
	Quarters []QuarterCash
	Total    Amount
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
	booked := map[string]bool{} // "feature\x00"+f/cert and "release\x00"+track/release/cert
	for _, it := range items {
		f, ok := byID[it.Feature]
		if !ok {
			continue
		}
		var amt Amount
		rel := "release\x00" + string(it.Track) + "/" + it.Release + "/"
		for _, p := range f.Parts {
			if p.Track != it.Track {
				continue
			}
			amt.ToolingUSD += p.ToolingUSD
			for _, id := range p.Certifications {
				cert, ok := catalog[id]
				if !ok || booked["feature\x00"+f.ID+"/"+id] || booked[rel+id] {
					continue
				}
				booked["feature\x00"+f.ID+"/"+id], booked[rel+id] = true, true
				amt.CertificationUSD += cert.FeeUSD
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
		q := Quarter(it.ShipDate)
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
