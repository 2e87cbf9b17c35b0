package roadmap

import (
	"slices"
	"testing"

	"github.com/iotpm/iotpm/pkg/rice"
)

// TestExplainSteps: the explanation is typed steps with their values,
// worked by hand on cal(): base fills Rev B (4 of 4 PM); radio waits for
// base to ship (Rev B, 2027-04-01: ready the day after, finish to start),
// so Rev B is behind it and its hardware part ships in Rev C; its firmware
// part waits for that (2027-10-01), then for the
// quick certification (1 week: earliest 2027-10-08), and ships in the
// next firmware release, 2027-11-01.
func TestExplainSteps(t *testing.T) {
	radio := feat("radio", 2, "", part(rice.Hardware, 1), part(rice.Firmware, 0.5, "quick"))
	radio.DependsOn = []string{"base"}
	p := Schedule(Input{Calendar: cal(), Catalog: catalog, Explain: "radio", Ranked: []rice.Scored{
		feat("base", 1, "", part(rice.Hardware, 4)), radio,
	}})
	if len(p.Explain) != 2 {
		t.Fatalf("explanations %+v", p.Explain)
	}
	hw, fw := p.Explain[0], p.Explain[1]
	kinds := func(ex Explanation) []StepKind {
		var k []StepKind
		for _, s := range ex.Steps {
			k = append(k, s.Kind)
		}
		return k
	}
	if hw.Track != rice.Hardware || !slices.Equal(kinds(hw), []StepKind{StepReady, StepShips}) {
		t.Fatalf("hardware: %v %v", hw.Track, kinds(hw))
	}
	if s := hw.Steps[0]; s.ReadyBy != DependencyShips || s.Dependency != "base" || s.Track != rice.Hardware || !s.Date.Equal(date("2027-04-02")) || !s.Shipped.Equal(date("2027-04-01")) {
		t.Errorf("ready %+v", s)
	}
	if s := hw.Steps[1]; s.Release != "Rev C" || !s.Date.Equal(date("2027-10-01")) || s.Amount != 1 || s.Capacity != 4 {
		t.Errorf("ships %+v", s)
	}
	if fw.Track != rice.Firmware || !slices.Equal(kinds(fw), []StepKind{StepReady, StepLeadTime, StepWorkThenLead}) {
		t.Fatalf("firmware: %v %v", fw.Track, kinds(fw))
	}
	if s := fw.Steps[0]; s.ReadyBy != EarlierPartShips || s.Track != rice.Hardware || !s.Date.Equal(date("2027-10-01")) {
		t.Errorf("ready %+v", s)
	}
	if s := fw.Steps[1]; s.Days != 7 || s.Source != (LeadSource{Certification: "quick", Weeks: 1}) || !s.Date.Equal(date("2027-10-08")) {
		t.Errorf("lead %+v", s)
	}
	// 0.5 of FW 5's 2 PM over its 61-day cycle from 09-01 is 15.25 days:
	// done on the 16th day, 09-16, written on the board's prototypes
	if s := fw.Steps[2]; !s.Date.Equal(date("2027-11-01")) || !s.Done.Equal(date("2027-09-16")) || s.Days != 7 || len(s.Allocations) != 1 || s.Allocations[0].Amount != 0.5 {
		t.Errorf("ships %+v", s)
	}
	for _, w := range []struct {
		s    Step
		want string
	}{
		{hw.Steps[0], "ready 2027-04-02: dependency base ships its hardware part 2027-04-01; work that needs it starts after"},
		{hw.Steps[1], "ships with Rev C on 2027-10-01, using 1 of the release's 4 person-months of capacity"},
		{Step{Kind: StepFull, Release: "Rev B", Date: date("2027-04-01"), Allocated: 4, Capacity: 4}, "Rev B on 2027-04-01 is full (4 of 4 person-months allocated)"},
		{fw.Steps[0], "ready 2027-10-01: its hardware part ships 2027-10-01"},
		{fw.Steps[1], "lead time 7 days (certification quick takes 1 week): earliest release 2027-10-08"},
		{fw.Steps[2], "capacity: 0.5 person-months in FW 5, done on 2027-09-16; its 7 days of lead time from the day after end 2027-09-23: ships with FW 5 on 2027-11-01"},
		// the 2 is the release's capacity, not the part's effort
		{Step{Kind: StepShips, Release: "FW 5", Date: date("2027-11-01"), Amount: 0.5, Capacity: 2}, "ships with FW 5 on 2027-11-01, using 0.5 of the release's 2 person-months of capacity"},
	} {
		if got := w.s.String(); got != w.want {
			t.Errorf("%q, want %q", got, w.want)
		}
	}
}
