package rice

import (
	"maps"
	"slices"
)

// Certification is one compliance programme a feature may have to pass.
// Weeks is the typical calendar duration of a campaign; FeeUSD the cash cost
// (lab, certification body, programme fees).
type Certification struct {
	ID     string
	Name   string
	Weeks  float64
	FeeUSD float64
	// Source says where the default figures come from.
	Source string
	// WeeksRange, when the plan gives one: Weeks is then its most likely
	// value. Retest, when given: the campaign may fail and add weeks.
	WeeksRange *Range
	Retest     *Retest
}

// Catalog maps certification ids to their figures.
type Catalog map[string]Certification

// IDs returns the catalog's ids, sorted.
func (c Catalog) IDs() []string { return slices.Sorted(maps.Keys(c)) }

// BuiltinCatalog returns the certifications iotpm knows without
// configuration. The figures are typical planning values, not quotes: every
// planning repo should override the ones it has real quotes for. Several are
// marked rough in their source notes; those are said so below.
func BuiltinCatalog() Catalog {
	list := []Certification{
		{ID: "fcc-sdoc", Name: "FCC Part 15B SDoC (unintentional radiator / pre-certified module)", Weeks: 3, FeeUSD: 3000,
			Source: "Part 15B testing only when a certified module's grant conditions are kept: low thousands of USD (simplonics cellular whitepaper 2023; Linx module tutorial); rough"},
		{ID: "fcc-id", Name: "FCC Part 15C intentional radiator (FCC ID)", Weeks: 8, FeeUSD: 15000,
			Source: "4–16 weeks samples-to-grant, lab queues 4–8 weeks (markready.io FCC testing timeline, 2026-04); whole-project $10k–$20k (electronics.stackexchange q/5196)"},
		{ID: "ised", Name: "ISED Canada radio certification (IC)", Weeks: 2, FeeUSD: 1500,
			Source: "REL listing 1–2 weeks after upload; CAD 750 registration fee since 2023-09-01 (ISED SMSE-006-23) plus certification-body handling; rough"},
		{ID: "ce-red", Name: "CE Radio Equipment Directive 2014/53/EU (incl. EN 18031 cybersecurity)", Weeks: 4, FeeUSD: 10000,
			Source: "3–5 days EMC + 3–5 days radio lab time plus queue (spilma.com RED procedure/tests, 2026); EN 18031 mandatory since 2025-08-01; fee rough"},
		{ID: "ukca", Name: "UKCA marking (GB Radio Equipment Regulations 2017)", Weeks: 1, FeeUSD: 1000,
			Source: "CE recognised in GB indefinitely from 2024-10-01 (gov.uk guidance 2024-12-11): mainly labelling and DoC work; rough"},
		{ID: "ptcrb", Name: "PTCRB cellular device certification", Weeks: 12, FeeUSD: 50000,
			Source: "cellular devices 6–9 months with carrier approval, PTCRB the usual critical path (markready.io; spilma.com certification timeline); testing 'well over $50,000' (verytechnology.com IoT compliance guide); rough"},
		{ID: "gcf", Name: "GCF certification (global cellular)", Weeks: 10, FeeUSD: 30000,
			Source: "GCF membership $5,700–$11,400/yr (2022) plus testing; duration alongside PTCRB; rough"},
		{ID: "carrier", Name: "Carrier approval (AT&T, Verizon ODI …), per carrier", Weeks: 8, FeeUSD: 25000,
			Source: "4–12+ weeks per carrier after PTCRB, lab fees tens of $k (eeworldonline.com 2012; circuitcellar.com); rough"},
		{ID: "bt-sig", Name: "Bluetooth SIG qualification and listing", Weeks: 2, FeeUSD: 11040,
			Source: "product qualification fee for Adopters $11,040 (devzone.nordicsemi.com/f/nordic-q-a/126424, 2026); mostly paperwork when reusing a qualified design"},
		{ID: "wifi-alliance", Name: "Wi-Fi CERTIFIED (Wi-Fi Alliance)", Weeks: 4, FeeUSD: 5000,
			Source: "membership review 1–2 weeks, then ATL testing or a derivative path (spilma.com Wi-Fi Alliance guide); no fee published; rough"},
		{ID: "matter", Name: "Matter certification (CSA)", Weeks: 8, FeeUSD: 3000,
			Source: "certification fee $3,000 per product for Adopters (AWS prescriptive guidance, Matter FAQ); ATL testing fees not published and not included; duration rough"},
		{ID: "thread", Name: "Thread certification (Thread Group)", Weeks: 2, FeeUSD: 5000,
			Source: "certification by inheritance for unmodified certified stacks; Implementer tier $5,000/yr (threadgroup.org membership tiers)"},
		{ID: "zigbee", Name: "Zigbee certification (CSA)", Weeks: 6, FeeUSD: 3000,
			Source: "same CSA programme and ATL model as Matter; CSA fee schedule assumed; rough"},
		{ID: "lorawan", Name: "LoRaWAN certification (LoRa Alliance)", Weeks: 4, FeeUSD: 5000,
			Source: "MAC-layer interoperability tests after radio compliance (LoRa Alliance 1.0.4 certification requirements, 2020); fees not published; rough"},
		{ID: "iec-62368", Name: "Product safety UL/IEC/EN 62368-1 (NRTL listing / CB report)", Weeks: 5, FeeUSD: 8000,
			Source: "CB/EN 62368-1 test periods of 2–5 weeks in published Sonoff reports (2020–2021); NRTL listing low thousands to tens of $k (incompliancemag.com 2024); rough"},
		{ID: "ip-rating", Name: "IEC 60529 ingress protection rating", Weeks: 2, FeeUSD: 3000,
			Source: "days to about 2 weeks including queue, low $k per rating (keystonecompliance.com, kiwa.com method pages); rough"},
	}
	c := make(Catalog, len(list))
	for _, x := range list {
		c[x.ID] = x
	}
	return c
}
