package quantity

import (
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		kind    Kind
		in      string
		want    float64
		wantErr string
	}{
		{Current, "2.5uA", 2.5e-6, ""},
		{Current, "2.5 µA", 2.5e-6, ""},
		{Current, "40mA", 0.04, ""},
		{Current, "800nA", 800e-9, ""},
		{Current, "1A", 1, ""},
		{Current, "1e-3A", 1e-3, ""},
		{Current, "5", 0, `"5" needs a unit: a current is written like 2.5uA (units: nA, uA, µA, μA, mA, A)`},
		{Current, "5 ma", 0, `unknown current unit "ma"`},
		{Current, "uA", 0, "no number"},
		{Current, "1e999A", 0, "bad number"},
		{Duration, "5m", 300, ""},
		{Duration, "5min", 300, ""},
		{Duration, "1mo", 30.4375 * 86400, ""}, // a twelfth of 365.25 days, as economics.yaml
		{Duration, "30s", 30, ""},
		{Duration, "60ms", 0.06, ""},
		{Duration, "100us", 1e-4, ""},
		{Duration, "2h", 7200, ""},
		{Duration, "1d", 86400, ""},
		{Duration, "1w", 604800, ""},
		{Duration, "5y", 5 * 8766 * 3600, ""},
		{Duration, "-5m", -300, ""},
		{Duration, "5 fortnights", 0, `unknown duration unit "fortnights"`},
		// Go's and Kubernetes' compound durations: the sum to write
		{Duration, "1h30m", 0, `"1h30m" is 90m written as a sum; write 90m (a duration is one number and one unit)`},
		{Duration, "2d12h", 0, `write 60h`},
		{Duration, "1m30s", 0, `write 90s`},
		{Duration, "1h0.5m", 0, `write 60.5m`},
		{Duration, "1h30x", 0, `unknown duration unit "h30x"`},
		{Duration, "1h" + strings.Repeat("9", 400) + "m", 0, `unknown duration unit "h999`},
		{Capacity, "1200mAh", 1.2, ""},
		{Capacity, "19Ah", 19, ""},
		{Capacity, "1200", 0, "needs a unit"},
		{Voltage, "3.7V", 3.7, ""},
		{Voltage, "3700mV", 3.7, ""},
		{Frequency, "125kHz", 125e3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := tt.kind.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > 1e-12*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	r, err := ParseRate("1%/y")
	if err != nil || r.Fraction != 0.01 || r.PeriodHours != YearHours {
		t.Fatalf("%+v %v", r, err)
	}
	if got := r.PerYear(); math.Abs(got-0.01) > 1e-15 {
		t.Errorf("PerYear = %v", got)
	}
	if got, want := r.DecayPerHour(), -math.Log(0.99)/8766; math.Abs(got-want) > 1e-18 {
		t.Errorf("DecayPerHour = %v, want %v", got, want)
	}
	m, err := ParseRate("3 %/month")
	if err != nil || math.Abs(m.PerYear()-0.36) > 1e-12 {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"1%", "1/y", "100%/y", "-1%/y", "x%/y", "1%/decade"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

// FuzzParse checks that no input panics and that every accepted value is
// finite; and that "<value><unit>" written back parses to the same number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2.5uA", "5m", "1e3 mAh", "-0.0V", "1_000nA", "e", "1e", ".5ms", "5µs", "%/y", "1%/month", "+.e-3A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{Current, Duration, Capacity, Voltage, Frequency} {
			v, err := k.Parse(s)
			if err != nil {
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s %q parsed to %v", k.name, s, v)
			}
		}
		if r, err := ParseRate(s); err == nil {
			if r.Fraction < 0 || r.Fraction >= 1 || r.PeriodHours <= 0 || math.IsNaN(r.DecayPerHour()) {
				t.Fatalf("rate %q parsed to %+v", s, r)
			}
		}
	})
}

func TestUnitSuggestions(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		in   string
		want string
	}{
		{Current, "10 ua", `did you mean "uA"?`},
		{Current, "2.5 microamps", `did you mean "uA"?`},
		{Duration, "5mins", `did you mean "min"?`},
		{Duration, "2 hours", `did you mean "h"?`},
		{Capacity, "1200MAH", `did you mean "mAh"?`},
		{Duration, "5 fortnights", `(units: `},
		// another quantity that datasheets give: how to convert, not a
		// list of units that leaves the reader guessing
		{Capacity, "9.36Wh", `"9.36Wh" is not a capacity: a capacity is a charge, Wh an energy: divide by the cell's nominal voltage`},
		{Capacity, "9360 mWh", `mWh an energy`},
		{Current, "330mW", `a current is not a power: divide by the supply voltage (330mW at 3.3V is 100mA)`},
		{Current, "14dBm", `a radio's transmit power (dBm) is not its consumption`},
	} {
		_, err := c.kind.Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
	// "M" and "m" differ in meaning: a case-only match among two units is no suggestion
	if _, err := Duration.Parse("5 M"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Parse(5 M) = %v, want no suggestion", err)
	}
}

func TestFormatDuration(t *testing.T) {
	month := YearHours * 3600 / 12
	for _, c := range []struct {
		sec  float64
		want string
	}{
		{0, "0s"},
		{30, "30s"},
		{90, "90s"},        // not whole in minutes
		{300, "5m"},        // 5 minutes, never "300s"
		{3600, "1h"},       //
		{5400, "90m"},      // 1.5 h: whole in minutes
		{3630, "3630s"},    // 1 h 30 s
		{9000, "150m"},     // 2.5 h
		{86400, "1d"},      //
		{14 * 86400, "2w"}, // weeks before days
		{30 * 86400, "30d"},
		{month, "1mo"},
		{3 * month, "3mo"},
		{12 * month, "1y"},
		{0.001, "1ms"},
		{0.0015, "1500us"}, // the largest unit it is whole in
		{1.25, "1250ms"},
		{2.5e-9, "2.5ns"}, // whole in none: the digits it needs
		{-300, "-5m"},
	} {
		got := FormatDuration(c.sec)
		if got != c.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.sec, got, c.want)
		}
		if c.sec <= 0 {
			continue
		}
		back, err := Duration.Parse(got)
		if err != nil || math.Abs(back-c.sec) > 1e-12*c.sec {
			t.Errorf("Duration.Parse(%q) = %v, %v; want %v back", got, back, err, c.sec)
		}
	}
}
