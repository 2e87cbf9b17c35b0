package render

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var english = message.NewPrinter(language.English)

// Number formats f for people: thousands separators and at most decimals
// fraction digits, trailing zeros dropped (12,500 · 3.25 · 0.8).
func Number(f float64, decimals int) string {
	p := math.Pow10(decimals)
	r := math.Round(f*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	s := english.Sprintf("%.*f", decimals, r)
	if decimals > 0 {
		for len(s) > 0 && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s
}

// Percent formats a fraction as a percentage for people (0.8 → "80%").
func Percent(f float64, decimals int) string {
	return Number(f*100, decimals) + "%"
}

// Exact formats f with the fewest digits that read back as the same float,
// for machine formats (CSV) where nothing may be lost.
func Exact(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Float is a number in JSON (and so YAML) output that may be unbounded: a
// battery life with nothing draining it, say. A finite value is written as
// encoding/json writes a float64; ±Inf and NaN, which JSON cannot hold,
// are written as null — never an error that loses the whole output.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// USD is a dollar amount, whole dollars, "-" for none.
func USD(x float64) string {
	if x == 0 {
		return "-"
	}
	return "$" + Number(x, 0)
}

// Money is an amount in a currency with cents, for people: $61.20,
// -€6.00, 12.50 CHF (a code without a symbol here goes after the number).
func Money(x float64, currency string) string { return money(x, currency, 2) }

// MoneyFine is Money with four decimals for an amount under one unit that
// cents would hide ($0.0537: a recurring cost that matters at 40,000
// devices).
func MoneyFine(x float64, currency string) string {
	if x != 0 && math.Abs(x) < 0.995 && math.Round(x*100) != math.Round(x*1e4)/100 {
		return money(x, currency, 4)
	}
	return money(x, currency, 2)
}

func money(x float64, currency string, decimals int) string {
	p := math.Pow10(decimals)
	r := math.Round(x*p) / p
	sign := ""
	if r < 0 {
		sign, r = "-", -r
	}
	n := english.Sprintf("%.*f", decimals, r)
	switch currency {
	case "USD":
		return sign + "$" + n
	case "EUR":
		return sign + "€" + n
	case "GBP":
		return sign + "£" + n
	}
	return sign + n + " " + currency
}

// Plural writes a count with its noun, the count with separators as
// Number writes it: "1 problem", "3 problems", "12,345 bad rows".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Number(float64(n), 0) + " " + noun + "s"
}

// Few joins the first n items with sep and counts the rest, for a
// message that names examples without listing a whole fleet:
// Few([a b c d e], 3, ", ") is "a, b, c and 2 more".
func Few(items []string, n int, sep string) string {
	if len(items) <= n {
		return strings.Join(items, sep)
	}
	if n <= 0 {
		return strconv.Itoa(len(items)) + " more"
	}
	return strings.Join(items[:n], sep) + " and " + strconv.Itoa(len(items)-n) + " more"
}
