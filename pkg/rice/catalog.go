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
	// Covers says what the fee and the weeks include (and leave out):
	// a membership, a registration fee, testing; Source where they come
	// from.
	Covers string
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
			Covers: "Part 15B emissions testing of the host with a certified module kept within its grant; no filing fee (SDoC)",
			Source: "Part 15B testing only when a certified module's grant conditions are kept: low thousands of USD (simplonics cellular whitepaper 2023; Linx module tutorial); rough"},
		{ID: "fcc-id", Name: "FCC Part 15C intentional radiator (FCC ID)", Weeks: 8, FeeUSD: 15000,
			Covers: "an intentional radiator's test campaign and the TCB grant, samples to grant",
			Source: "4–16 weeks samples-to-grant, lab queues 4–8 weeks (markready.io FCC testing timeline, 2026-04); whole-project $10k–$20k (electronics.stackexchange q/5196)"},
		{ID: "ised", Name: "ISED Canada radio certification (IC)", Weeks: 2, FeeUSD: 550,
			Covers: "the registration fee a certification body collects for ISED, CAD 750 per application, at 0.73 USD/CAD; the certification body's own fee and the testing (usually shared with the FCC campaign) are not included",
			Source: "ISED Decision SMSE-006-23 (fee since 2023-09-01, CPI-indexed from April 2024); REL listing 1–2 weeks after upload (Intertek TCB page)"},
		{ID: "ce-red", Name: "CE Radio Equipment Directive 2014/53/EU (incl. EN 18031 cybersecurity)", Weeks: 4, FeeUSD: 10000,
			Covers: "EMC, radio and EN 18031 cybersecurity testing for a self-declaration (Module A); a Notified Body, when needed, is not included",
			Source: "3–5 days EMC + 3–5 days radio lab time plus queue (spilma.com RED procedure/tests, 2026); EN 18031 mandatory since 2025-08-01; fee rough"},
		{ID: "ukca", Name: "UKCA marking (GB Radio Equipment Regulations 2017)", Weeks: 1, FeeUSD: 1000,
			Covers: "labelling and declaration work: CE is recognised in GB",
			Source: "CE recognised in GB indefinitely from 2024-10-01 (gov.uk guidance 2024-12-11): mainly labelling and DoC work; rough"},
		{ID: "ptcrb", Name: "PTCRB cellular device certification", Weeks: 20, WeeksRange: &Range{Min: 13, Mode: 20, Max: 36}, FeeUSD: 50000,
			Covers: "device-level PTCRB testing and certification of a device on a certified module, from hardware freeze; carrier approval is its own entry (carrier)",
			Source: "cellular devices take 6–9 months with carrier approval and 8–10 months from hardware freeze to launch, PTCRB the usual critical path (markready.io; spilma.com certification timeline): 3–8 months once 1–3 months of carrier approval are taken out; testing 'well over $50,000' (verytechnology.com IoT compliance guide); rough"},
		{ID: "gcf", Name: "GCF certification (global cellular)", Weeks: 10, FeeUSD: 30000,
			Covers: "GCF testing and a year of membership; carrier approvals are their own entry",
			Source: "GCF membership $5,700–$11,400/yr (2022) plus testing; duration alongside PTCRB; rough"},
		{ID: "carrier", Name: "Carrier approval (AT&T, Verizon ODI …), per carrier", Weeks: 8, FeeUSD: 25000,
			Covers: "one carrier's approval after PTCRB (AT&T, Verizon ODI …): add one entry per carrier",
			Source: "4–12+ weeks per carrier after PTCRB, lab fees tens of $k (eeworldonline.com 2012; circuitcellar.com); rough"},
		{ID: "bt-sig", Name: "Bluetooth SIG qualification and listing", Weeks: 2, FeeUSD: 11040,
			Covers: "the SIG's product qualification (declaration) fee for an Adopter member, reusing a qualified design (mostly paperwork); membership is free; testing a new design is not included",
			Source: "$11,040 as a 2026 forum post reports it (devzone.nordicsemi.com/f/nordic-q-a/126424), not the SIG's own fee schedule (bluetooth.com/fee-schedule), which is the authority; $8,000 Adopter from 2014, and a $2,500 Innovation Incentive rate for companies under $1M revenue with no listing (7layers.com 2014, Panasonic 2015); rough"},
		{ID: "wifi-alliance", Name: "Wi-Fi CERTIFIED (Wi-Fi Alliance)", Weeks: 4, FeeUSD: 5000,
			Covers: "Wi-Fi Alliance membership review and ATL testing or a derivative listing",
			Source: "membership review 1–2 weeks, then ATL testing or a derivative path (spilma.com Wi-Fi Alliance guide); no fee published; rough"},
		{ID: "matter", Name: "Matter certification (CSA)", Weeks: 8, FeeUSD: 10000,
			Covers: "the CSA certification fee for an Adopter, $3,000 per product, and a year of Adopter membership, $7,000; ATL testing (fees not published) and the Thread, Wi-Fi or Bluetooth certifications underneath are not included",
			Source: "CSA membership and certification fees of January 2023 (AWS prescriptive guidance, Matter FAQ; matter.cn membership); duration rough"},
		{ID: "thread", Name: "Thread certification (Thread Group)", Weeks: 2, FeeUSD: 5000,
			Covers: "a year of Thread Group Implementer membership, $5,000: the tier that may certify a product by inheritance from an unmodified certified stack; no per-product fee is published; ATL testing of a modified stack is not included",
			Source: "threadgroup.org membership tiers and certification pages"},
		{ID: "zigbee", Name: "Zigbee certification (CSA)", Weeks: 6, FeeUSD: 3000,
			Covers: "the CSA certification fee as for Matter; membership and ATL testing not included",
			Source: "same CSA programme and ATL model as Matter; CSA fee schedule assumed; rough"},
		{ID: "lorawan", Name: "LoRaWAN certification (LoRa Alliance)", Weeks: 4, FeeUSD: 5000,
			Covers: "LoRa Alliance MAC-layer interoperability testing after radio compliance",
			Source: "MAC-layer interoperability tests after radio compliance (LoRa Alliance 1.0.4 certification requirements, 2020); fees not published; rough"},
		{ID: "iec-62368", Name: "Product safety UL/IEC/EN 62368-1 (NRTL listing / CB report)", Weeks: 5, FeeUSD: 8000,
			Covers: "product safety testing to IEC/EN 62368-1 and a CB report or NRTL listing",
			Source: "CB/EN 62368-1 test periods of 2–5 weeks in published Sonoff reports (2020–2021); NRTL listing low thousands to tens of $k (incompliancemag.com 2024); rough"},
		{ID: "ip-rating", Name: "IEC 60529 ingress protection rating", Weeks: 2, FeeUSD: 3000,
			Covers: "one IEC 60529 ingress protection test (one IP code)",
			Source: "days to about 2 weeks including queue, low $k per rating (keystonecompliance.com, kiwa.com method pages); rough"},
	}
	c := make(Catalog, len(list))
	for _, x := range list {
		c[x.ID] = x
	}
	return c
}
