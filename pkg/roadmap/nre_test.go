package roadmap

import (
	"slices"
	"testing"
	"time"

	"github.com/iotpm/iotpm/pkg/rice"
)

// Cash is booked with the release the part that needs it ships with, and
// in the quarter it goes out, the day after the part's work is done:
// tooling with its part, a certification once per feature with the first
// part that needs it, and nothing for an unscheduled part.
func TestCashOf(t *testing.T) {
	cat := rice.Catalog{"lab": {ID: "lab", Weeks: 1, FeeUSD: 10_000}, "fcc": {ID: "fcc", Weeks: 1, FeeUSD: 5_000}}
	hw := part(rice.Hardware, 2, "lab")
	hw.ToolingUSD = 40_000
	fw := part(rice.Firmware, 1, "lab", "fcc")
	big := part(rice.Hardware, 50) // does not fit: unscheduled
	big.ToolingUSD = 99_000
	ranked := []rice.Scored{
		feat("sensor", 1, rice.Performance, hw, fw),
		feat("app", 2, rice.Performance, part(rice.Cloud, 1)),
		feat("huge", 3, rice.Performance, big),
	}
	plan := Schedule(Input{Ranked: ranked, Calendar: cal(), Catalog: cat})
	c := CashOf(plan, ranked, cat)
	// sensor: hardware ships with Rev B (2027-04-01): $40,000 tooling +
	// $10,000 lab, paid on 02-15 (2 of Rev B's 4 PM are 45 of its 90
	// days: done 02-14); firmware ships after it plus a week's lead time,
	// with the FW release of 2027-05-01: fcc $5,000 (lab is booked
	// already), paid on 04-01 (1 of its 2 PM is 30.5 of the 61 days from
	// 03-01: done 03-31). 2027-Q1 $50,000, 2027-Q2 $5,000.
	if c.Total.ToolingUSD != 40_000 || c.Total.CertificationUSD != 15_000 {
		t.Errorf("total %+v", c.Total)
	}
	if len(c.Features) != 1 || c.Features[0].Feature != "sensor" || c.Features[0].USD() != 55_000 {
		t.Errorf("features %+v", c.Features)
	}
	if len(c.Releases) != 2 || c.Releases[0].Release != "Rev B" || c.Releases[0].USD() != 50_000 ||
		c.Releases[1].Date != date("2027-05-01") || c.Releases[1].USD() != 5_000 {
		t.Errorf("releases %+v", c.Releases)
	}
	if len(c.Quarters) != 2 || c.Quarters[0].Quarter != "2027-Q1" || c.Quarters[0].USD() != 50_000 || c.Quarters[1].Quarter != "2027-Q2" || c.Quarters[1].USD() != 5_000 {
		t.Errorf("quarters %+v", c.Quarters)
	}
}

// Two features of one release that need fcc each book its fee (two
// products, or one revision certified once: the plan cannot tell), and
// the repeat is listed for the user to settle; a feature in another
// release, or a certification only one of them needs, is no repeat.
func TestCashRepeatedCertification(t *testing.T) {
	cat := rice.Catalog{"fcc": {ID: "fcc", Weeks: 1, FeeUSD: 5_000}, "ip": {ID: "ip", Weeks: 1, FeeUSD: 2_000}}
	ranked := []rice.Scored{
		// 1.5 PM each: both built (67.5 of Rev B's 90 days) and certified
		// (a week) by its date
		feat("radio", 1, rice.Performance, part(rice.Hardware, 1.5, "fcc")),
		feat("antenna", 2, rice.Performance, part(rice.Hardware, 1.5, "fcc", "ip")),
		feat("lte", 3, rice.Performance, part(rice.Hardware, 3, "fcc")),
	}
	plan := Schedule(Input{Ranked: ranked, Calendar: cal(), Catalog: cat})
	if got := placement(plan); got["radio/hardware"] != "Rev B 2027-04-01" || got["antenna/hardware"] != "Rev B 2027-04-01" || got["lte/hardware"] != "Rev C 2027-10-01" {
		t.Fatalf("placement %v", got)
	}
	c := CashOf(plan, ranked, cat)
	if c.Total.CertificationUSD != 17_000 {
		t.Errorf("certification fees %v, want 17000 (fcc three times, ip once)", c.Total.CertificationUSD)
	}
	want := []RepeatedFee{{Track: rice.Hardware, Release: "Rev B", Certification: "fcc", FeeUSD: 5_000, Features: []string{"radio", "antenna"}}}
	if len(c.Repeated) != 1 || c.Repeated[0].Release != want[0].Release || c.Repeated[0].Certification != "fcc" || c.Repeated[0].FeeUSD != 5_000 ||
		!slices.Equal(c.Repeated[0].Features, want[0].Features) {
		t.Errorf("repeated %+v, want %+v", c.Repeated, want)
	}
}

func TestThemeDueDates(t *testing.T) {
	ranked := []rice.Scored{feat("a", 1, rice.Performance, part(rice.Cloud, 1))}
	ranked[0].Theme = "t"
	for _, tt := range []struct {
		due  string
		late bool
	}{{"2027-12-31", false}, {"2027-01-15", true}, {"", false}} {
		th := rice.Theme{ID: "t"}
		if tt.due != "" {
			th.Due = date(tt.due)
		}
		plan := Schedule(Input{Ranked: ranked, Calendar: cal(), Themes: []rice.Theme{th}})
		if got := plan.Themes[0].Late; got != tt.late {
			t.Errorf("due %s: late %v (complete %s)", tt.due, got, plan.Themes[0].Complete.Format(time.DateOnly))
		}
	}
}
