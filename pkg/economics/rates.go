package economics

import (
	"slices"
	"strings"
)

// RateCard is a published price a model may name instead of writing its
// own figures (connectivity: 1nce-lifetime). Every figure carries its
// source and the date it was read; a price list changes, a contract
// differs: the output names the card so that nobody mistakes it for a
// quote.
type RateCard struct {
	ID           string       `json:"id"`
	Kind         string       `json:"kind"` // "connectivity" or "cloud"
	Name         string       `json:"name"`
	Currency     string       `json:"currency"`
	Connectivity Connectivity `json:"connectivity"`
	Cloud        Cloud        `json:"cloud"`
	Source       string       `json:"source"`
	AsOf         string       `json:"as_of"`
	Note         string       `json:"note,omitempty"`
}

// Rates is the built-in catalog. Only prices whose published terms map
// onto the model's fields without rounding rules are in it: a network
// billed per 24-byte packet (Helium) or per day-unit of messages (Azure
// IoT Hub tiers) would be silently wrong as a price per MB or message.
var rates = []RateCard{
	{ID: "aws-iot-core", Kind: "cloud", Name: "AWS IoT Core messaging (us-east-1)", Currency: "USD",
		Cloud:  Cloud{PerMillionMessages: 1.00, MeterBytes: 5120},
		Source: "https://aws.amazon.com/iot-core/pricing/ (messaging, first 1 billion messages a month)", AsOf: "2024-06",
		Note: "messages are metered in 5 KB blocks (5,120 bytes taken; payload and topic): a larger message counts as several, as computed; connection minutes ($0.08 per million) are not included"},
	{ID: "1nce-lifetime", Kind: "connectivity", Name: "1NCE IoT Lifetime Flat (NB-IoT, LTE-M, 2G/4G)", Currency: "EUR",
		Connectivity: Connectivity{PerMonth: 10.0 / 120, IncludedMB: 500},
		Source:       "https://1nce.com/en-us/pricing (EUR 10 per SIM for 10 years, 500 MB and 250 SMS included)", AsOf: "2023-09",
		Note: "a one-time fee spread over 120 months; data beyond 500 MB over the SIM's life is extra"},
}

// Rates lists the built-in rate cards, by id.
func Rates() []RateCard {
	out := slices.Clone(rates)
	slices.SortFunc(out, func(a, b RateCard) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// LookupRate finds a built-in rate card by id.
func LookupRate(id string) (RateCard, bool) {
	i := slices.IndexFunc(rates, func(r RateCard) bool { return r.ID == id })
	if i < 0 {
		return RateCard{}, false
	}
	return rates[i], true
}
