package export

import (
	"errors"
	"math"
)

// Timestamps are microseconds since the Unix epoch, UTC.

var errTimestamp = errors.New("not a timestamp")

// ParseTimestamp reads the timestamp shapes device platforms export, as
// microseconds since the epoch (UTC):
//
//	2026-10-05T14:03:07Z, 2026-10-05T14:03:07.4383997+02:00   RFC 3339, any fraction, Z or offset
//	2026-10-05 14:03:07[.fff][ UTC]                           Athena and SQL exports (UTC)
//	2026-10-05                                                a date: midnight UTC
//	1759672987, 1759672987000, 1759672987000000               epoch s, ms, µs (10, 13, 16 digits)
//
// A timestamp without a zone is UTC. It is hand-written rather than built
// on time.Parse because it runs once per row of multi-gigabyte exports.
func ParseTimestamp(b []byte) (int64, error) {
	// trim blanks
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, errTimestamp
	}
	if len(b) >= 10 && b[4] == '-' {
		return parseCivil(b)
	}
	return parseEpoch(b)
}

func parseEpoch(b []byte) (int64, error) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errTimestamp
		}
		n = n*10 + int64(c-'0')
	}
	switch len(b) {
	case 10:
		return n * 1_000_000, nil
	case 13:
		return n * 1_000, nil
	case 16:
		return n, nil
	}
	return 0, errTimestamp
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysFromCivil is Howard Hinnant's days_from_civil: days since 1970-01-01.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

var monthDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > monthDays[m] {
		return false
	}
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	return m != 2 || d <= 28 || leap
}

func parseCivil(b []byte) (int64, error) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, errTimestamp
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return 0, errTimestamp
	}
	us := daysFromCivil(y, m, d) * 86_400_000_000
	rest := b[10:]
	if len(rest) == 0 {
		return us, nil
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return 0, errTimestamp
	}
	rest = rest[1:]
	if len(rest) < 8 || rest[2] != ':' || rest[5] != ':' {
		return 0, errTimestamp
	}
	hh, ok1 := digits(rest[0:2])
	mm, ok2 := digits(rest[3:5])
	ss, ok3 := digits(rest[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return 0, errTimestamp
	}
	us += int64(hh*3600+mm*60+ss) * 1_000_000
	rest = rest[8:]
	if len(rest) > 0 && rest[0] == '.' {
		rest = rest[1:]
		n, frac := 0, int64(0)
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			if n < 6 {
				frac = frac*10 + int64(rest[n]-'0')
			}
			n++
		}
		if n == 0 || n > 9 {
			return 0, errTimestamp
		}
		for k := n; k < 6; k++ {
			frac *= 10
		}
		us += frac
		rest = rest[n:]
	}
	switch {
	case len(rest) == 0:
		return us, nil
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		return us, nil
	case string(rest) == " UTC" || string(rest) == " Z":
		return us, nil
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, errTimestamp
		}
		off := int64(oh*3600+om*60) * 1_000_000
		if rest[0] == '+' {
			return us - off, nil
		}
		return us + off, nil
	}
	return 0, errTimestamp
}

// MaxTimestamp is later than any parsed timestamp.
const MaxTimestamp = math.MaxInt64 / 4
