package export

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Timestamps are microseconds since the Unix epoch, UTC.

var errTimestamp = errors.New("not a timestamp")

// ParseTimestamp reads the timestamp shapes device platforms export, as
// microseconds since the epoch (UTC):
//
//	2026-10-05T14:03:07Z, 2026-10-05T14:03:07.4383997+02:00   RFC 3339, up to 9 fractional digits, Z or offset
//	2026-10-10 12:00:00.25+00, …+0530, …+05:30                PostgreSQL: offsets ±HH, ±HHMM, ±HH:MM
//	2026-10-05 14:03:07[.fff][ UTC]                           Athena and SQL exports
//	2026-10-05T14:03Z, 2026-10-05 14:03                       minutes without seconds (ISO 8601; spreadsheets)
//	2026-10-05                                                a date: midnight
//	1759672987, 1759672987000, 1759672987000000               epoch s, ms, µs (10, 13, 16 digits)
//	1759672987000000000                                       epoch ns (19 digits, InfluxDB)
//	1759672987.123                                            epoch s with a fraction (AWS CLI v1, API)
//
// A timestamp without a zone is UTC (ParseTimestampIn reads it in a named
// zone). It is hand-written rather than built on time.Parse because it runs
// once per row of multi-gigabyte exports.
func ParseTimestamp(b []byte) (int64, error) {
	us, _, err := parseTimestamp(b)
	return us, err
}

// ParseTimestampIn is ParseTimestamp with zone-less date-times read in loc
// (nil: UTC). A local time that occurs twice (the hour repeated when DST
// ends) is its first occurrence; one that does not occur (the hour skipped
// when DST starts) is an error. With needZone and no loc, a zone-less
// date-time is an error: the export does not say which zone it is in.
func ParseTimestampIn(b []byte, loc *time.Location, needZone bool) (int64, error) {
	us, _, err := parseIn(b, loc, needZone)
	return us, err
}

// parseIn is ParseTimestampIn that also reports a local time in the hour
// repeated when daylight saving time ends (read as the first of the two).
func parseIn(b []byte, loc *time.Location, needZone bool) (us int64, repeated bool, err error) {
	us, zoned, err := parseTimestamp(b)
	if err != nil || zoned {
		return us, false, err
	}
	if loc == nil {
		if needZone {
			return 0, false, errZoneless
		}
		return us, false, nil
	}
	return localToUTC(us, loc)
}

var (
	errOutOfRange = errors.New("an epoch beyond any timestamp")
	errZoneless   = errors.New("a date-time without a zone")
	errSkipped    = errors.New("a local time that does not exist (the hour skipped when daylight saving time starts)")
	// errAbbreviation: a zone abbreviation (CEST, PST) names no offset for
	// sure; Go's parser would read it as UTC.
	errAbbreviation = errors.New("a zone abbreviation, whose offset is ambiguous")
)

// localToUTC converts a wall-clock time (µs as if it were UTC) in loc to
// the instant. Zone offsets within a day either side are the candidates; a
// candidate is valid when loc has that offset at the instant it gives.
func localToUTC(wall int64, loc *time.Location) (us int64, repeated bool, err error) {
	offset := func(us int64) int64 {
		_, off := time.UnixMicro(us).In(loc).Zone()
		return int64(off) * 1_000_000
	}
	const day = 86_400_000_000
	best, found := int64(0), false
	for _, off := range []int64{offset(wall - day), offset(wall + day)} {
		t := wall - off
		if offset(t) != off {
			continue
		}
		repeated = found && t != best // the wall time is two instants
		if !found || t < best {
			best, found = t, true
		}
	}
	if !found {
		return 0, false, errSkipped
	}
	return best, repeated, nil
}

// parseTimestamp parses b; zoned reports whether it names its zone (an
// offset, Z, UTC) or is an epoch (always UTC).
func parseTimestamp(b []byte) (us int64, zoned bool, err error) {
	// trim blanks
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, false, errTimestamp
	}
	if len(b) >= 10 && b[4] == '-' {
		return parseCivil(b)
	}
	us, err = parseEpoch(b)
	return us, true, err
}

func parseEpoch(b []byte) (int64, error) {
	var n int64
	digits := b
	var frac []byte
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		digits, frac = b[:i], b[i+1:]
		if len(digits) != 10 || len(frac) == 0 || len(frac) > 9 {
			return 0, errTimestamp // only seconds carry a fraction
		}
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, errTimestamp
		}
		n = n*10 + int64(c-'0')
	}
	switch len(digits) {
	case 10:
		us := n * 1_000_000
		scale := int64(100_000)
		for _, c := range frac {
			if c < '0' || c > '9' {
				return 0, errTimestamp
			}
			us += int64(c-'0') * scale
			scale /= 10
		}
		return us, nil
	case 13:
		return n * 1_000, nil
	case 16:
		return n, nil
	case 19:
		// nanoseconds: 19 digits may exceed int64 (…above 9223372036854775807
		// n wrapped to a time in 1702)
		if string(digits) > "9223372036854775807" {
			return 0, errOutOfRange
		}
		return n / 1_000, nil
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

// digits2 and digits4 read two and four ASCII digits at fixed places
// without a loop: every row of a civil timestamp goes through them. A byte
// below '0' wraps around to a large value, so one comparison per byte
// checks it.
func digits2(b []byte) (int, bool) {
	_ = b[1]
	x, y := b[0]-'0', b[1]-'0'
	return int(x)*10 + int(y), x <= 9 && y <= 9
}

func digits4(b []byte) (int, bool) {
	_ = b[3]
	w, x, y, z := b[0]-'0', b[1]-'0', b[2]-'0', b[3]-'0'
	return int(w)*1000 + int(x)*100 + int(y)*10 + int(z), w <= 9 && x <= 9 && y <= 9 && z <= 9
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

// monthStart holds the day number of the first of every month from 1970
// to 2099, the years exports hold: one table read a row instead of
// daysFromCivil's arithmetic (a tenth of parsing an ISO 8601 time).
var monthStart = func() (t [130 * 12]int32) {
	for i := range t {
		t[i] = int32(daysFromCivil(1970+i/12, i%12+1, 1))
	}
	return t
}()

// civilDays is daysFromCivil of a valid date, by monthStart where it can.
func civilDays(y, m, d int) int64 {
	if k := (y-1970)*12 + m - 1; y >= 1970 && k < len(monthStart) {
		return int64(monthStart[k]) + int64(d-1)
	}
	return daysFromCivil(y, m, d)
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > monthDays[m] {
		return false
	}
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	return m != 2 || d <= 28 || leap
}

func parseCivil(b []byte) (int64, bool, error) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, false, errTimestamp
	}
	y, ok1 := digits4(b[0:4])
	m, ok2 := digits2(b[5:7])
	d, ok3 := digits2(b[8:10])
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return 0, false, errTimestamp
	}
	us := civilDays(y, m, d) * 86_400_000_000
	rest := b[10:]
	if len(rest) == 0 {
		return us, false, nil
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return 0, false, errTimestamp
	}
	rest = rest[1:]
	if len(rest) < 5 || rest[2] != ':' {
		return 0, false, errTimestamp
	}
	hh, ok1 := digits2(rest[0:2])
	mm, ok2 := digits2(rest[3:5])
	// ISO 8601 allows minutes without seconds (2026-10-05T14:03Z), and
	// spreadsheets save date-times so: the seconds are then 0
	ss, ok3, seconds := 0, true, len(rest) >= 6 && rest[5] == ':'
	if seconds {
		if len(rest) < 8 {
			return 0, false, errTimestamp
		}
		ss, ok3 = digits2(rest[6:8])
	}
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return 0, false, errTimestamp
	}
	us += int64(hh*3600+mm*60+ss) * 1_000_000
	if rest = rest[5:]; seconds {
		rest = rest[3:]
	}
	if seconds && len(rest) > 0 && rest[0] == '.' {
		rest = rest[1:]
		n, frac := 0, int64(0)
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			if n < 6 {
				frac = frac*10 + int64(rest[n]-'0')
			}
			n++
		}
		if n == 0 || n > 9 {
			return 0, false, errTimestamp
		}
		for k := n; k < 6; k++ {
			frac *= 10
		}
		us += frac
		rest = rest[n:]
	}
	switch {
	case len(rest) == 0:
		return us, false, nil
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		return us, true, nil
	case string(rest) == " UTC" || string(rest) == " Z":
		return us, true, nil
	case rest[0] == '+' || rest[0] == '-':
		// ±HH, ±HHMM, ±HH:MM
		var oh, om int
		var ok1, ok2 bool
		switch {
		case len(rest) == 3:
			oh, ok1 = digits(rest[1:3])
			ok2 = true
		case len(rest) == 5:
			oh, ok1 = digits(rest[1:3])
			om, ok2 = digits(rest[3:5])
		case len(rest) == 6 && rest[3] == ':':
			oh, ok1 = digits(rest[1:3])
			om, ok2 = digits(rest[4:6])
		}
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false, errTimestamp
		}
		off := int64(oh*3600+om*60) * 1_000_000
		if rest[0] == '+' {
			return us - off, true, nil
		}
		return us + off, true, nil
	}
	return 0, false, errTimestamp
}

// MaxTimestamp is later than any parsed timestamp.
const MaxTimestamp = math.MaxInt64 / 4

var (
	excelNumberRE = regexp.MustCompile(`^\s*[0-9]+[.,][0-9]+[eE][+]?[0-9]+\s*$`)
	excelDateRE   = regexp.MustCompile(`^\s*[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{2,4}(\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?\s*$`)
)

// timestampProblem says why a value of a role's column is not a
// timestamp, and what to do: name the zone, export without a
// spreadsheet's re-formatting, or declare a no-value token.
func timestampProblem(role, column, format string, v []byte, err error) string {
	where := fmt.Sprintf("%s %q (format %s)", role, clip(string(v), 80), format)
	if column != "" && column != role {
		where = fmt.Sprintf("%s %q (column %s, format %s)", role, clip(string(v), 80), column, format)
	}
	switch {
	case errors.Is(err, errZoneless):
		return where + " has no zone and this format's times are local: name the zone with tz: in iotpm.yaml or --tz KIND=ZONE (e.g. Europe/Berlin, or UTC)"
	case errors.Is(err, errAbbreviation):
		return where + " names its zone by an abbreviation, which does not say the offset: use a layout with a numeric offset (-07:00), or drop the zone from the layout and name it with tz:"
	case errors.Is(err, errSkipped):
		return where + " is " + errSkipped.Error()
	case errors.Is(err, errOutOfRange):
		return where + " is beyond the range of a timestamp (epoch nanoseconds above 9223372036854775807)"
	case excelNumberRE.Match(v):
		return where + " looks like a number Excel re-formatted (its digits are lost); export the column as text, or use the platform's CSV as it is"
	case excelDateRE.Match(v):
		return where + regionalDate(string(v))
	case excelSerialRE.Match(v):
		return where + excelSerial(string(v))
	}
	return "unparseable " + where + ": expected ISO 8601 or epoch s/ms/µs/ns"
}

// optionalTimestampProblem is timestampProblem for a column that may be
// empty (retired_at): a word that is no timestamp is most likely the
// source's "no value", which a format's null: list declares.
func optionalTimestampProblem(role, column, format string, v []byte, err error) string {
	msg := timestampProblem(role, column, format, v, err)
	if noValueToken(v) {
		msg += fmt.Sprintf(": if %q means no value, list it under null: in a formats: entry for this export, e.g. null: [%s]", strings.TrimSpace(string(v)), yamlScalar(strings.TrimSpace(string(v))))
	}
	return msg
}

// noValueToken reports whether a value that is no timestamp looks like a
// database's or a spreadsheet's word for "no value" (infinity, \N, NULL,
// n/a, -): short and without a digit.
func noValueToken(v []byte) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && len(v) <= 16 && !bytes.ContainsAny(v, "0123456789")
}

// yamlScalar quotes a token for a YAML flow list when it needs it.
func yamlScalar(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	return s
}

// regionalDate says what a regional date ("13.08.2026", "8/13/2026
// 10:00", as a spreadsheet writes them) is missing and how to read it: the
// order of day and month, which the value shows when one of them is above
// 12, and the layout to declare for the export (a format's time.layout).
// Which order a column uses is not for iotpm to guess from one value.
func regionalDate(v string) string {
	m := regionalRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return " is a regional date, which iotpm does not read by default: export the column as ISO 8601 (2026-10-10T12:00:00Z), or declare its layout in a formats: entry for this export (time: {layout: ...}; iotpm help formats)"
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	year := "2006"
	if len(m[5]) == 2 {
		year = "06"
	}
	clock := ""
	switch {
	case m[7] != "":
		clock = " 15:04:05"
	case m[6] != "":
		clock = " 15:04"
	}
	layout := func(dayFirst bool) string {
		if dayFirst {
			return "2" + m[2] + "1" + m[4] + year + clock
		}
		return "1" + m[2] + "2" + m[4] + year + clock
	}
	fix := "; or export the column as ISO 8601 (2026-10-10T12:00:00Z)"
	switch {
	case a == 0 || b == 0:
		return " is no date: a day or month 0 (fix the row at the source)"
	case a > 12 && b > 12:
		return fmt.Sprintf(" is no date: neither %d nor %d is a month (fix the row at the source)", a, b)
	case a > 12:
		return fmt.Sprintf(" is a regional date with the day first (%d is no month), which iotpm does not read by default: declare its layout in a formats: entry for this export, time: {layout: %q} (iotpm help formats)%s", a, layout(true), fix)
	case b > 12:
		return fmt.Sprintf(" is a regional date with the month first (%d is no month), which iotpm does not read by default: declare its layout in a formats: entry for this export, time: {layout: %q} (iotpm help formats)%s", b, layout(false), fix)
	}
	return fmt.Sprintf(" is a regional date whose order of day and month this value does not show (a row with a number above 12 does): declare its layout in a formats: entry for this export, time: {layout: %q} with the day first, %q with the month first (iotpm help formats)%s", layout(true), layout(false), fix)
}

// regionalRE takes a regional date apart: the first two numbers, the
// separators, the year, and the time of day (with seconds or without).
var regionalRE = regexp.MustCompile(`^([0-9]{1,2})([./])([0-9]{1,2})([./])([0-9]{4}|[0-9]{2})(\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$`)

// excelSerialRE matches a spreadsheet's date serial number in the years
// 2001 to 2099 (36892 to 73050 days in the 1900 date system), with a
// fraction for the time of day: a date column saved as a number.
var excelSerialRE = regexp.MustCompile(`^\s*(3[6-9][0-9]{3}|[4-6][0-9]{4}|7[0-2][0-9]{3}|730[0-4][0-9]|7305[0])([.,][0-9]+)?\s*$`)

// excelSerial says what a date serial number is, in both of Excel's date
// systems (days since 1899-12-30, or since 1904-01-01 in workbooks from
// old Macs): which one the workbook used is not in the value, so it is not
// read as either.
func excelSerial(v string) string {
	days, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(v), ",", ".", 1), 64)
	if err != nil {
		return " looks like a spreadsheet's date serial number: format the column as a date and time (yyyy-mm-dd hh:mm:ss) before saving the CSV"
	}
	at := func(epoch time.Time) string {
		return epoch.Add(time.Duration(days * 86400 * float64(time.Second))).Round(time.Second).Format("2006-01-02 15:04:05")
	}
	return fmt.Sprintf(" looks like a spreadsheet's date serial number (%s in Excel's 1900 date system, %s in the 1904 system of old Mac workbooks; the value does not say which): format the column as a date and time (yyyy-mm-dd hh:mm:ss) before saving the CSV",
		at(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)), at(time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)))
}
