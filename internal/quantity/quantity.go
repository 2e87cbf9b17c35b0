// Package quantity parses the physical quantities planning files are written
// in — "2.5uA", "60ms", "1200mAh", "3.7V", "1%/y", "125kHz" — strictly: a
// number, an optional space, and a unit from a closed list. A bare number is
// an error that names the units, because a current of "5" could be amperes or
// microamperes and a wrong guess is off by a million.
//
// Results are in SI base units (amperes, seconds, ampere-hours, volts, hertz).
package quantity

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A Kind is a family of units.
type Kind struct {
	name    string
	example string
	units   map[string]float64 // unit → SI factor
	// max bounds the magnitude (SI units): far past anything a connected
	// device has, near enough that sums and products stay finite.
	max     float64
	maxText string
	// other says, for a unit of another quantity that datasheets give
	// instead (a pack's energy in Wh, a radio's power in mW), how to get
	// this kind from it: the conversion needs a figure iotpm cannot guess.
	other map[string]string
}

// powerHint is how a current is had from a power: a radio's datasheet
// gives its transmit power (and often its consumption) in mW or dBm.
var powerHint = map[string]string{
	"W":   "a current is not a power: divide by the supply voltage (0.33W at 3.3V is 100mA); a radio's transmit power (dBm) is not its consumption, which its datasheet gives in mA",
	"mW":  "a current is not a power: divide by the supply voltage (330mW at 3.3V is 100mA); a radio's transmit power (dBm) is not its consumption, which its datasheet gives in mA",
	"uW":  "a current is not a power: divide by the supply voltage (9uW at 3.6V is 2.5uA)",
	"µW":  "a current is not a power: divide by the supply voltage (9µW at 3.6V is 2.5µA)",
	"dBm": "a radio's transmit power (dBm) is not its consumption: its datasheet gives the transmit current in mA at that power (an SX1276 at +14dBm draws about 30mA, at +20dBm about 120mA)",
}

// YearHours is the length of a year iotpm uses everywhere: 365.25 days.
const YearHours = 8766.0

// The kinds of quantity iotpm reads.
var (
	Current = Kind{"current", "2.5uA", map[string]float64{
		"A": 1, "mA": 1e-3, "uA": 1e-6, "µA": 1e-6, "μA": 1e-6, "nA": 1e-9,
	}, 1000, "1000A", powerHint}
	Duration = Kind{"duration", "60ms", map[string]float64{
		"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1,
		"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": YearHours * 3600,
		// a month is a twelfth of the year, 30.4375 days, as economics.yaml's
		// 60mo ("m" stays minutes: a sensor samples every 1m)
		"mo": YearHours * 3600 / 12,
	}, 1000 * YearHours * 3600, "1000y", nil}
	Capacity = Kind{"capacity", "1200mAh", map[string]float64{
		"Ah": 1, "mAh": 1e-3,
	}, 1e6, "1000000Ah", map[string]string{
		"Wh":  "a capacity is a charge, Wh an energy: divide by the cell's nominal voltage (a 9.36Wh pack at 3.6V is 2.6Ah)",
		"mWh": "a capacity is a charge, mWh an energy: divide by the cell's nominal voltage (9360mWh at 3.6V is 2600mAh)",
	}}
	Voltage = Kind{"voltage", "3.6V", map[string]float64{
		"V": 1, "mV": 1e-3,
	}, 1e4, "10000V", nil}
	Frequency = Kind{"frequency", "125kHz", map[string]float64{
		"Hz": 1, "kHz": 1e3, "MHz": 1e6,
	}, 1e11, "100000MHz", nil}
)

// Units lists the kind's units, for messages.
func (k Kind) Units() []string {
	var out []string
	for u := range k.units {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		return k.units[out[i]] < k.units[out[j]] || k.units[out[i]] == k.units[out[j]] && out[i] < out[j]
	})
	return out
}

// Parse reads s as a quantity of kind k and returns it in SI units.
func (k Kind) Parse(s string) (float64, error) {
	num, unit, err := split(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a %s: %v (e.g. %s)", s, k.name, err, k.example)
	}
	if unit == "" {
		return 0, fmt.Errorf("%q needs a unit: a %s is written like %s (units: %s)", s, k.name, k.example, strings.Join(k.Units(), ", "))
	}
	factor, ok := k.units[unit]
	if !ok {
		if sum := k.compound(s); sum != "" {
			return 0, &SumError{fmt.Sprintf("%q is %s written as a sum; write %s (a %s is one number and one unit)", s, sum, sum, k.name)}
		}
		if sug := k.suggestUnit(unit); sug != "" {
			return 0, fmt.Errorf("%q has an unknown %s unit %q; did you mean %q? (units: %s)", s, k.name, unit, sug, strings.Join(k.Units(), ", "))
		}
		if how, ok := k.other[unit]; ok {
			return 0, fmt.Errorf("%q is not a %s: %s (units: %s)", s, k.name, how, strings.Join(k.Units(), ", "))
		}
		return 0, fmt.Errorf("%q has an unknown %s unit %q (units: %s)", s, k.name, unit, strings.Join(k.Units(), ", "))
	}
	v := num * factor
	if math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > k.max {
		return 0, fmt.Errorf("%s is out of range for a %s (at most %s)", clip(s), k.name, k.maxText)
	}
	return v, nil
}

// A SumError is a quantity written as a sum of parts (1h30m); its message
// gives the one quantity to write. A flag that words its own message for
// a value that does not parse passes this one on.
type SumError struct{ msg string }

func (e *SumError) Error() string { return e.msg }

// partRE is one number and unit of a compound quantity such as 1h30m.
var partRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)([^\d.\s]+)`)

// compound reads s as a sum of quantities of k written together, as Go
// and Kubernetes write durations (1h30m, 2d12h, 1m30s), and returns the
// sum as one number in the smallest unit s uses ("90m"); "" when s is
// not two or more such parts.
func (k Kind) compound(s string) string {
	rest := strings.TrimSpace(s)
	sum, smallest, unit, parts := 0.0, math.Inf(1), "", 0
	for rest != "" {
		m := partRE.FindStringSubmatch(rest)
		if m == nil {
			return ""
		}
		f, ok := k.units[m[2]]
		if !ok {
			return ""
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		sum += v * f
		if f < smallest {
			smallest, unit = f, m[2]
		}
		rest, parts = rest[len(m[0]):], parts+1
	}
	if parts < 2 || sum/smallest > 1e15 {
		return "" // (the sum of 400 digits is out of range, not a hint)
	}
	return strconv.FormatFloat(sum/smallest, 'f', -1, 64) + unit
}

// unitWords are spellings people write for units, used only to suggest the
// unit symbol: a quantity is read from symbols alone.
var unitWords = map[string]string{
	"amp": "A", "ampere": "A", "milliamp": "mA", "milliampere": "mA", "microamp": "uA", "microampere": "uA",
	"nanoamp": "nA", "nanoampere": "nA", "sec": "s", "second": "s", "minute": "min", "hour": "h", "hr": "h",
	"day": "d", "week": "w", "wk": "w", "year": "y", "yr": "y", "volt": "V", "millivolt": "mV",
	"milliamphour": "mAh", "milliamphours": "mAh", "amphour": "Ah", "hertz": "Hz", "millisecond": "ms",
	"microsecond": "us", "nanosecond": "ns", "ms.": "ms",
}

// suggestUnit returns the unit of k that unit probably means: the same
// letters in another case (ua → uA), a plural (mins → min) or a word
// (microamps → uA); "" when none.
func (k Kind) suggestUnit(unit string) string {
	lower := strings.ToLower(strings.TrimSpace(unit))
	for _, cand := range []string{lower, strings.TrimSuffix(lower, "s"), strings.ReplaceAll(strings.TrimSuffix(lower, "s"), "-", "")} {
		var same []string
		for u := range k.units {
			if strings.ToLower(u) == cand {
				same = append(same, u)
			}
		}
		// a one-letter unit in the other case is a different unit, not a
		// typo ("6M" may mean six months, and m is minutes)
		if len(same) == 1 && len(cand) > 1 {
			return same[0]
		}
		if u, ok := unitWords[cand]; ok {
			if _, ok := k.units[u]; ok {
				return u
			}
		}
	}
	return ""
}

// clip shortens a value for a message: a 300-digit number is not worth
// echoing.
func clip(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q", s[:40]+"…")
	}
	return fmt.Sprintf("%q", s)
}

// Number is the grammar of a number in a planning file: optional sign,
// digits with single underscores between them, an optional fraction and
// exponent (2.5, .5, 5., 1_000, 1e-3). The parsers match it and the JSON
// Schemas embed it, so an editor and the loader accept the same numbers.
const Number = `[+-]?` + UnsignedNumber

// UnsignedNumber is Number without a sign, for values that cannot be
// negative (a percentage per period).
const UnsignedNumber = `(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?`

var (
	quantityRE = regexp.MustCompile(`^\s*(` + Number + `)\s*(.*?)\s*$`)
	rateRE     = regexp.MustCompile(`^\s*(` + UnsignedNumber + `)\s*%\s*/\s*(.*?)\s*$`)
)

// Expr is the unanchored pattern of a quantity of kind k: a number, then
// one of its units.
func (k Kind) Expr() string { return Number + `\s*` + alternatives(k.Units()) }

// Pattern is the JSON Schema pattern of a quantity of kind k, built from the
// same grammar and units Parse uses.
func (k Kind) Pattern() string { return `^\s*` + k.Expr() + `\s*$` }

// RatePattern is the JSON Schema pattern of a rate, built from the same
// grammar and periods ParseRate uses.
func RatePattern() string {
	var periods []string
	for p := range ratePeriods {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	return `^\s*` + UnsignedNumber + `\s*%\s*/\s*` + alternatives(periods) + `\s*$`
}

func alternatives(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = regexp.QuoteMeta(w)
	}
	return "(?:" + strings.Join(q, "|") + ")"
}

var numberRE = regexp.MustCompile(`^` + Number + `$`)

// ParseNumber reads a number written as Number describes, and nothing else
// (no hex, no "Inf").
func ParseNumber(text string) (float64, error) {
	if !numberRE.MatchString(text) {
		return 0, fmt.Errorf("bad number %q", text)
	}
	return parseNumber(text)
}

// parseNumber reads text that matched Number.
func parseNumber(text string) (float64, error) {
	num, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil || math.IsInf(num, 0) || math.IsNaN(num) {
		return 0, fmt.Errorf("bad number %q", text)
	}
	return num, nil
}

// split separates the number from the unit: "2.5 uA" → 2.5, "uA".
func split(s string) (float64, string, error) {
	m := quantityRE.FindStringSubmatch(s)
	if m == nil {
		return 0, "", fmt.Errorf("no number")
	}
	num, err := parseNumber(m[1])
	return num, m[2], err
}

// Rate is a fraction lost per period, such as self-discharge "3%/month".
type Rate struct {
	Fraction    float64 // lost per period, in [0, 1)
	PeriodHours float64
}

var ratePeriods = map[string]float64{
	"y": YearHours, "yr": YearHours, "year": YearHours,
	"month": YearHours / 12, "mo": YearHours / 12,
	"w": 168, "week": 168, "d": 24, "day": 24,
}

// ParseRate reads a percentage per period: "1%/y", "3 %/month", "0.1%/d".
func ParseRate(s string) (Rate, error) {
	m := rateRE.FindStringSubmatch(s)
	if m == nil {
		return Rate{}, fmt.Errorf("%q is not a rate: write a percentage per period, e.g. 1%%/y or 3%%/month", s)
	}
	f, err := parseNumber(m[1])
	if err != nil {
		return Rate{}, fmt.Errorf("%q is not a rate: bad percentage", s)
	}
	hours, ok := ratePeriods[m[2]]
	if !ok {
		return Rate{}, fmt.Errorf("%q has an unknown period %q (use y, month, w or d)", s, m[2])
	}
	if f >= 100 {
		return Rate{}, fmt.Errorf("%q must be below 100%% per period", s)
	}
	return Rate{Fraction: f / 100, PeriodHours: hours}, nil
}

// PerYear is the fraction lost per year if the loss is a constant share of
// the nominal capacity (linear model).
func (r Rate) PerYear() float64 { return r.Fraction * YearHours / r.PeriodHours }

// DecayPerHour is k in dQ/dt = −k·Q when the loss is a share of the remaining
// charge (proportional model): k = −ln(1 − fraction) / period.
func (r Rate) DecayPerHour() float64 { return -math.Log1p(-r.Fraction) / r.PeriodHours }

// durationUnits are the units FormatDuration writes, largest first: one
// spelling each, all of them units Duration parses.
var durationUnits = []string{"y", "mo", "w", "d", "h", "m", "s", "ms", "us", "ns"}

// FormatDuration writes a duration of sec seconds as devices.yaml and
// features.yaml spell one, so a message can say "write every: 90m" and
// the user can paste it: in the largest unit in which it is a whole
// number (5400 → "90m", 91.3125 days → "3mo", 14 days → "2w"), else in
// the largest unit it is at least one of, with the digits it needs
// (0.0015 → "1500us", whole in µs; 2.5e-9 → "2.5ns"). Duration.Parse
// reads every result back to sec.
func FormatDuration(sec float64) string {
	if sec == 0 {
		return "0s"
	}
	sign := ""
	if sec < 0 {
		sign, sec = "-", -sec
	}
	for _, u := range durationUnits {
		n := sec / Duration.units[u]
		if n >= 1 && math.Abs(n-math.Round(n)) <= 1e-9*n {
			return sign + strconv.FormatFloat(math.Round(n), 'f', -1, 64) + u
		}
	}
	for _, u := range durationUnits {
		if n := sec / Duration.units[u]; n >= 1 || u == "ns" {
			return sign + strconv.FormatFloat(n, 'g', -1, 64) + u
		}
	}
	return "" // not reached: the last unit always returns
}
