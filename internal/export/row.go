package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/planfile"
)

// What reading a row's common roles found.
const (
	rowOK = iota
	rowIgnored
	rowBad
)

// decoded is one row's common roles: the id (device; customer for
// tickets), the time (shipping for devices, creation for tickets) and the
// class of the event or status value.
type decoded struct {
	fields [][]byte
	id     []byte
	ts     int64
	value  int
	// note: the time had no zone and was read as UTC, or was in the hour
	// repeated when daylight saving time ends.
	note timeNote
}

// decode reads what every row of the binding's kind has — its shape, the
// format's filter, the id, the time and the value — in that order, the
// one path of the sequential and the parallel readers. On rowIgnored, key
// is the reason the row is left out; on rowBad, kind and key are the bad
// row's kind and message (the readers pass them through badKind).
func (b *Binding) decode(fields [][]byte, out *decoded) (status int, kind RowKind, key string) {
	fields, status, kind, key = b.prepare(fields)
	if status != rowOK {
		return status, kind, key
	}
	out.fields = fields
	if reason := b.keep(fields); reason != "" {
		return rowIgnored, kind, reason
	}
	f := b.Format
	idRole := idRoleOf(f.Kind)
	out.id = b.field(fields, idRole)
	// an onboarding row's user is checked where it is read, on a step of
	// the funnel (setupRowOf): another app event's never is (an anonymous
	// App Opened before the login has none)
	if f.Kind != planfile.KindOnboarding {
		if kind, reason := b.idProblem(idRole, out.id); reason != "" {
			return rowBad, kind, reason
		}
	}
	tsRole := tsRoleOf(f.Kind)
	out.ts, out.note = 0, noteNone
	if len(b.cols[tsRole]) > 0 {
		v := b.field(fields, tsRole)
		ts, note, err := b.timestampZ(v)
		if err != nil {
			return rowBad, RowKind{BadTimestamp, roleNames[tsRole]}, timestampProblem(roleNames[tsRole], b.rowColumn(fields, tsRole), f.Name, v, err)
		}
		if b.notAfter != 0 && ts > b.notAfter {
			// one row from the future would become the data horizon and
			// make a stale export look fresh
			return rowBad, RowKind{FutureTimestamp, roleNames[tsRole]}, fmt.Sprintf("%s %q (column %s, format %s) is later than the clock (%s) by more than a day: a clock or zone error at the source; fix the row, or set the clock with --now",
				roleNames[tsRole], clip(string(v), 80), b.rowColumn(fields, tsRole), f.Name, b.clock)
		}
		if ts < NotBefore {
			return rowBad, RowKind{PastTimestamp, roleNames[tsRole]}, pastProblem(roleNames[tsRole], v, b.rowColumn(fields, tsRole), f.Name)
		}
		out.ts, out.note = ts, note
	}
	out.value = 0
	if vr, ok := valueRoleOf(f.Kind); ok {
		v := b.field(fields, vr)
		if b.offline && IsBooleanState(v) {
			return rowBad, RowKind{UnknownValue, roleNames[vr]}, offlineReason(v, b.rowColumn(fields, vr))
		}
		c, ok := b.classify(v)
		if !ok {
			return rowBad, RowKind{UnknownValue, roleNames[vr]}, fmt.Sprintf("unknown %s value %q in column %s (format %s: %s); to read it, name it in a repo format's values: (formats: in iotpm.yaml; see the format reference)", roleNames[vr], clip(string(v), 80), b.rowColumn(fields, vr), f.Name, b.vocabulary())
		}
		if c == valueIgnored {
			return rowIgnored, kind, fmt.Sprintf("%s %s", roleNames[vr], clip(normalize(string(v)), 40))
		}
		out.value = c
	}
	return rowOK, kind, ""
}

// idProblem says why the id of a row's subject (the role idRole) makes
// it a bad row: empty, or a number Excel re-formatted; "" when it does
// not.
func (b *Binding) idProblem(idRole int, id []byte) (RowKind, string) {
	role := roleNames[idRole]
	if len(id) == 0 {
		return RowKind{EmptyValue, role}, "empty " + role + " (" + b.Column(role) + ")"
	}
	if excelID(id) {
		return RowKind{ExcelNumber, role}, excelIDProblem(role, id, b.Column(role), b.Format.Name)
	}
	return RowKind{}, ""
}

// pastProblem says why a time before NotBefore is a bad row.
func pastProblem(role string, v []byte, column, format string) string {
	return fmt.Sprintf("%s %q (column %s, format %s) is before 2001: a device clock that was never set (1970, 1980 and 2000 are the usual defaults), which would pass for the fleet's data start; fix the row at the source, or leave it out with --max-bad-rows",
		role, clip(string(v), 80), column, format)
}

// prepare checks a row's shape and, when the format asks for it, reads
// no-value cells as empty, pads a short row, and fills the virtual columns
// of named-group extractions and JSON fields. The row it returns is valid
// until the next call.
func (b *Binding) prepare(fields [][]byte) (row [][]byte, status int, kind RowKind, key string) {
	f := b.Format
	if len(fields) != len(b.Header) && !(f.shortPad && len(fields) < len(b.Header)) {
		return nil, rowBad, RowKind{Problem: WrongFieldCount}, fieldCountReason(fields, b.Header)
	}
	if !b.prep {
		return fields, rowOK, kind, ""
	}
	row = b.buf
	n := copy(row, fields)
	clear(row[n:])
	if f.null != nil {
		for i, v := range row[:len(b.Header)] {
			if t := bytes.TrimSpace(v); len(t) > 0 && len(t) <= f.nullMax && f.null[string(bytes.ToLower(t))] {
				row[i] = nil
			}
		}
	}
	next := len(b.Header)
	for k, le := range f.lines {
		v := row[b.lineSrc[k]]
		m := le.re.FindSubmatchIndex(v)
		if m == nil {
			return nil, rowIgnored, kind, b.Header[b.lineSrc[k]] + " not matching the extract pattern"
		}
		for _, rg := range le.groups {
			for _, g := range rg.groups {
				if m[2*g] >= 0 {
					row[next] = v[m[2*g]:m[2*g+1]]
					break
				}
			}
			next++
		}
	}
	if f.json != nil {
		v := bytes.TrimSpace(row[b.jsonSrc])
		var obj map[string]any
		if len(v) > 0 {
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
				return nil, rowBad, RowKind{BadJSON, ""}, fmt.Sprintf("column %s: %q is not a JSON object (format %s reads %s from it)", b.Header[b.jsonSrc], clip(string(v), 80), f.Name, b.jsonRoles())
			}
		}
		for _, jf := range f.json.fields {
			row[next] = jsonText(obj, jf.path)
			next++
		}
	}
	return row, rowOK, kind, ""
}

// forWorker returns a binding a reader goroutine may use beside others:
// its own buffer for prepared rows.
func (b *Binding) forWorker() *Binding {
	if !b.prep {
		return b
	}
	c := *b
	c.buf = make([][]byte, len(b.buf))
	return &c
}

// jsonRoles names the roles a format reads from its JSON column.
func (b *Binding) jsonRoles() string {
	var names []string
	for _, jf := range b.Format.json.fields {
		names = append(names, roleNames[jf.role])
	}
	return fmt.Sprint(names)
}

// jsonText is the value at a dotted path of a JSON object as text: a
// string as it is, a number as written, true/false; nil when absent, null,
// or an object or array.
func jsonText(obj map[string]any, path []string) []byte {
	var v any = obj
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[p]; !ok {
			return nil
		}
	}
	switch x := v.(type) {
	case string:
		return []byte(x)
	case json.Number:
		return []byte(x)
	case bool:
		return strconv.AppendBool(nil, x)
	}
	return nil
}

// excelIDRE matches an id Excel re-formatted as a number in scientific
// notation: an IMEI 356938035643809 shown as 3.56938E+14 (or 3,56938E+14
// with a decimal comma). Its digits are lost, so several devices collapse
// into one.
var excelIDRE = regexp.MustCompile(`^\s*[0-9]([.,][0-9]+)?[eE]\+[0-9]+\s*$`)

// excelID reports whether an id looks like a number Excel re-formatted.
func excelID(id []byte) bool {
	return bytes.IndexByte(id, '+') > 0 && excelIDRE.Match(id)
}

func excelIDProblem(role string, v []byte, column, format string) string {
	return fmt.Sprintf("%s %q in column %s looks like a number Excel re-formatted (its digits are lost, so several devices would count as one); export the column as text, or use the platform's CSV as it is (format %s)", role, clip(string(v), 80), column, format)
}

// idRoleOf is the role that identifies a row's subject: the customer of a
// ticket, the user of an onboarding event, the device otherwise.
func idRoleOf(kind planfile.InputKind) int {
	switch kind {
	case planfile.KindTickets:
		return roleCustomer
	case planfile.KindOnboarding:
		return roleUser
	}
	return roleDevice
}

// tsRoleOf is the role that times a row of a kind: shipping for devices,
// creation for tickets, the timestamp for the others.
func tsRoleOf(kind planfile.InputKind) int {
	switch kind {
	case planfile.KindDevices:
		return roleShipped
	case planfile.KindTickets:
		return roleCreated
	}
	return roleTimestamp
}

// TimeRole names the role that times the rows of a kind of input.
func TimeRole(kind planfile.InputKind) string { return roleNames[tsRoleOf(kind)] }

// badKind is a bad row's kind and message as reported: a row that is the
// header again (two exports joined with cat) says so, where its own
// problem (an unparseable timestamp "timestamp") would not tell what
// happened. Only bad rows are asked: a good row costs nothing.
func (b *Binding) badKind(fields [][]byte, kind RowKind, key string) (RowKind, string) {
	if len(fields) != len(b.Header) || len(fields) == 0 {
		return kind, key
	}
	for i, h := range b.Header {
		if !strings.EqualFold(strings.TrimSpace(string(fields[i])), strings.TrimSpace(h)) {
			return kind, key
		}
	}
	return RowKind{Problem: RepeatedHeader}, "the row is the header again: exports joined into one file (cat a.csv b.csv)? Name the files' directory or a glob of them instead, which iotpm reads as one input, checking each header; or keep the first file's header line only (tail -n +2 for the others), once their columns are known to be in the same order"
}
