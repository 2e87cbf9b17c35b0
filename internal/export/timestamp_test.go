package export

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	ref := time.Date(2019, 11, 6, 1, 3, 50, 757000000, time.UTC).UnixMicro()
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "1573002230757", want: ref},                    // epoch ms (AWS lifecycle)
		{in: "1573002230", want: ref - 757000},              // epoch s
		{in: "1573002230757000", want: ref},                 // epoch µs
		{in: "2019-11-06T01:03:50.757Z", want: ref},         // RFC 3339
		{in: "2019-11-06T01:03:50.7570000Z", want: ref},     // Azure, 7 fraction digits
		{in: "2019-11-05T17:03:50.757000-08:00", want: ref}, // AWS CLI local offset
		{in: "2019-11-06T02:33:50.757+01:30", want: ref},    // positive offset
		{in: "2019-11-06 01:03:50.757 UTC", want: ref},      // Athena
		{in: "2019-11-06 01:03:50.757", want: ref},          // naive: UTC
		{in: "2019-11-06T01:03:50Z", want: ref - 757000},    // no fraction
		{in: " 2019-11-06T01:03:50.757Z ", want: ref},       // padded
		{in: "2019-11-06", want: time.Date(2019, 11, 6, 0, 0, 0, 0, time.UTC).UnixMicro()},
		{in: "2024-02-29", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC).UnixMicro()},
		{in: "1969-12-31T23:59:59Z", want: -1_000_000},
		{in: "0001-01-01T00:00:00", want: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()},
		{in: "2023-02-29", bad: true},
		{in: "2019-13-01", bad: true},
		{in: "2019-11-06T25:00:00Z", bad: true},
		{in: "2019-11-06T01:03:50.Z", bad: true},
		{in: "2019-11-06T01:03:50+0100", want: 1572998630000000},       // ±HHMM
		{in: "2026-10-10 12:00:00.25+00", want: 1791633600250000},      // PostgreSQL ±HH
		{in: "2026-10-10 17:30:00+05:30", want: 1791633600000000},      // ±HH:MM
		{in: "1791633600123456789", want: 1791633600123456},            // epoch ns, 19 digits
		{in: "1791633600.123", want: 1791633600123000},                 // epoch s with a fraction
		{in: "2026-10-10T12:00:00.123456789Z", want: 1791633600123456}, // 9 fractional digits
		{in: "2019-11-06T01:03:50+01", want: 1572998630000000},
		{in: "2019-11-06T01:03Z", want: ref - 50757000}, // minutes without seconds (ISO 8601)
		{in: "2019-11-06 01:03", want: ref - 50757000},  // a spreadsheet's: naive, UTC here
		{in: "2019-11-06T02:03+01:00", want: ref - 50757000},
		{in: "2019-11-06T01:03.5Z", bad: true}, // a fraction only after seconds
		{in: "2019-11-06T01:03:", bad: true},
		{in: "2019-11-06T01:03:5Z", bad: true},
		{in: "2019-11-06T01Z", bad: true},
		{in: "1791633600.", bad: true},
		{in: "1791633600123.5", bad: true}, // only seconds carry a fraction
		{in: "2019-11-06T01:03:50+1", bad: true},
		{in: "2019-11-06T01:03:50+01:0", bad: true},
		{in: "05/06/2024", bad: true},
		{in: "157300223", bad: true}, // 9 digits: not an epoch unit we accept
		{in: "1.573e12", bad: true},
		{in: "", bad: true},
		{in: "yesterday", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp([]byte(tt.in))
		if tt.bad {
			if err == nil {
				t.Errorf("%q accepted as %d", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseTimestamp checks properties of every value the parser
// accepts: it never panics; the instant lies between year 0 and year
// 10000 (an epoch too large wraps no more); an epoch re-formatted at its
// precision parses to the same instant; and it agrees with time.Parse on
// every RFC 3339 string time.Parse accepts.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"1573002230757", "2019-11-06T01:03:50.757Z", "2019-11-06T01:03Z", "2019-11-05T17:03:50.757000-08:00", "2020-08-31 19:21:55.721 UTC", "2024-02-29", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999999Z",
		"9999999999999999999", "9223372036854775807", "1759672987000000000", "1759672987.123"} {
		f.Add(s)
	}
	lo := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Add(-48 * time.Hour).UnixMicro() // offsets reach a day either side
	hi := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Add(48 * time.Hour).UnixMicro()
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp([]byte(s))
		if err != nil {
			return
		}
		if got < lo || got > hi {
			t.Fatalf("%q: %d is outside years 0..10000", s, got)
		}
		if trimmed := strings.TrimSpace(s); len(trimmed) == 13 && !strings.ContainsAny(trimmed, ".-:") {
			if again, err := ParseTimestamp([]byte(fmt.Sprintf("%013d", got/1000))); err != nil || again != got {
				t.Fatalf("%q: %d re-formatted as ms parses to %d, %v", s, got, again, err)
			}
		}
		if ref, perr := time.Parse(time.RFC3339Nano, s); perr == nil && ref.Second() < 60 {
			if want := ref.UnixMicro(); got != want {
				t.Fatalf("%q: %d, time.Parse says %d", s, got, want)
			}
		}
	})
}

// The fixed-place digit readers agree with the loop on every two- and
// four-byte input of digits and neighbours of '0' and '9'.
func TestDigitsFixed(t *testing.T) {
	alphabet := []byte("0123456789/:. a")
	for _, a := range alphabet {
		for _, b := range alphabet {
			n, ok := digits([]byte{a, b})
			m, ok2 := digits2([]byte{a, b})
			if ok != ok2 || ok && n != m {
				t.Errorf("%q: digits %d %v, digits2 %d %v", []byte{a, b}, n, ok, m, ok2)
			}
			for _, c := range alphabet {
				for _, d := range alphabet {
					in := []byte{a, b, c, d}
					n, ok := digits(in)
					m, ok2 := digits4(in)
					if ok != ok2 || ok && n != m {
						t.Errorf("%q: digits %d %v, digits4 %d %v", in, n, ok, m, ok2)
					}
				}
			}
		}
	}
}

// The month table gives the day numbers the formula gives, on every day
// from 1960 to 2110 (both sides of the table's years).
func TestCivilDaysMatchesFormula(t *testing.T) {
	for y := 1960; y <= 2110; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= 31; d++ {
				if !validDate(y, m, d) {
					continue
				}
				if got, want := civilDays(y, m, d), daysFromCivil(y, m, d); got != want {
					t.Fatalf("%04d-%02d-%02d: table %d, formula %d", y, m, d, got, want)
				}
			}
		}
	}
	if got := daysFromCivil(2026, 10, 5); got != 20731 {
		t.Errorf("2026-10-05 is day %d since 1970-01-01, want 20731", got)
	}
}
