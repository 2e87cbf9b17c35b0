package export

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/iotpm/iotpm/internal/planfile"
)

// normalize folds a header name or a value for matching (planfile.FoldName:
// case, blanks and the separators '_', '-', '.' do not count, except next
// to a digit).
func normalize(s string) string { return planfile.FoldName(s) }

// Binding is a format bound to one header: for each role, the header
// indexes to try on each row, in order.
type Binding struct {
	Format *Format
	Path   string
	Header []string
	// notAfter: a row time after it is a bad row (the clock plus a day;
	// 0: no bound); clock words it.
	notAfter int64
	clock    string
	cols     [nRoles][]int
	// filters are the format's conditions bound to header columns.
	filters []boundCondition
	// lineSrc and jsonSrc are the header columns the format's named-group
	// extractions and JSON fields read (-1: none); the roles they give
	// are virtual columns after the header's, filled by prepare.
	lineSrc []int
	jsonSrc int
	// prep: rows need prepare's work (null cells, padding, virtual
	// columns); buf holds a prepared row.
	prep bool
	buf  [][]byte
	// fileOrder: at equal times the file's row order decides.
	fileOrder bool
	loc       *time.Location
	zoneName  string
	// utc: the zone named for zone-less times is UTC itself, so they
	// parse as UTC without a zone lookup per row.
	utc bool
	// job is the job id of a snapshot format without a job column.
	job []byte
	// single is a role's column when it has exactly one and no
	// extraction (-1 otherwise): the per-row fast path.
	single [nRoles]int
	// words are the vocabulary's normalised values, tried as they are
	// before normalising the value (most rows spell them that way).
	words []word
	// offline: the event column's name says it holds the offline state
	// and the vocabulary reads true as a connect: a boolean value is a
	// bad row (polarity.go).
	offline bool
	// status is a devices header's status column that no role reads
	// (-1: none): its values may say a unit is out of service (status.go).
	status int
}

type word struct {
	text  string
	class int
}

// Bind resolves a format's roles in a header. mapping (role → header name,
// from --map or iotpm.yaml) overrides the format for a role. loc is the
// zone of zone-less timestamps (nil: UTC, unless the format says its times
// are local).
func Bind(f *Format, path string, header []string, mapping map[string]string, loc *time.Location, zoneName string) (*Binding, error) {
	if loc == nil && f.zone != nil {
		loc, zoneName = f.zone, f.zone.String()
	}
	b := &Binding{Format: f, Path: path, Header: header, loc: loc, zoneName: zoneName, fileOrder: f.fileOrder, utc: isUTC(loc)}
	norm := normalizeAll(header)
	for i := range norm {
		if j := slices.Index(norm[:i], norm[i]); j >= 0 && norm[i] != "" {
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("column %d (%q) repeats column %d (%q): which one is meant is ambiguous; rename or drop one",
				i+1, clip(header[i], 80), j+1, clip(header[j], 80))}
		}
	}
	roles := kindRoles[f.Kind]
	fail := func(format string, args ...any) error {
		return &RowError{Path: path, Line: 1, Reason: fmt.Sprintf(format, args...) + fmt.Sprintf(" (format %s; header: %s)", f.Name, clip(strings.Join(header, ", "), 200))}
	}
	for name := range mapping {
		if r := slices.Index(roleNames, name); r < 0 || !slices.Contains(roles, r) {
			return nil, fail("--map %s.%s: %s input has no %s column (its columns: %s)", f.Kind, name, article(string(f.Kind)), name, roleList(roles))
		}
	}
	// virtual columns: roles read from a column by named groups or from
	// a JSON column's fields, numbered after the header's columns
	var derived [nRoles]int
	next := len(header)
	for _, le := range f.lines {
		i := slices.Index(norm, le.col)
		if i < 0 {
			return nil, fail("no column %q, which extract reads", le.display)
		}
		b.lineSrc = append(b.lineSrc, i)
		for _, g := range le.groups {
			derived[g.role] = next
			next++
		}
	}
	b.jsonSrc = -1
	if f.json != nil {
		if b.jsonSrc = slices.Index(norm, f.json.col); b.jsonSrc < 0 {
			return nil, fail("no column %q, which json reads", f.json.display)
		}
		for _, jf := range f.json.fields {
			derived[jf.role] = next
			next++
		}
	}
	b.prep = next > len(header) || f.null != nil || f.shortPad
	if b.prep {
		b.buf = make([][]byte, next)
	}
	for k, r := range roles {
		if name, ok := mapping[roleNames[r]]; ok {
			i := slices.Index(header, name)
			if i < 0 {
				i = slices.Index(norm, normalize(name))
			}
			if i < 0 {
				return nil, fail("mapped %s.%s=%s: no column %q in the header", f.Kind, roleNames[r], name, name)
			}
			b.cols[r] = []int{i}
			continue
		}
		if derived[r] > 0 {
			b.cols[r] = []int{derived[r]}
			continue
		}
		cols, err := f.namedColumns(r, norm, header)
		if err != nil {
			return nil, fail("%v", err)
		}
		b.cols[r] = cols
		if len(b.cols[r]) > 0 || k >= requiredRoles[f.Kind] {
			continue
		}
		switch {
		case f.snapshot && r == roleTimestamp:
		case (f.snapshot || f.jobFromFile) && r == roleJob:
			// the deployment is the file: name it after the file
			b.job = []byte(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), filepath.Ext(strings.TrimSuffix(filepath.Base(path), ".gz"))))
		default:
			return nil, fail("no %s column: expected one of %s%s; name it with --map %s.%s=COLUMN, or name the export's format (--format %s=NAME, see --list-formats)",
				roleNames[r], strings.Join(f.display[r], ", "), namedLike(r, header, b.cols[:]), f.Kind, roleNames[r], f.Kind)
		}
	}
	for k := range f.filters {
		c := &f.filters[k]
		bc := boundCondition{cond: c}
		var names []string
		for _, name := range c.cols {
			if i := slices.Index(norm, name); i >= 0 {
				bc.cols = append(bc.cols, i)
				names = append(names, header[i])
			}
		}
		if len(bc.cols) == 0 {
			return nil, fail("no %s column to select rows by", strings.Join(c.display, " or "))
		}
		bc.reason = strings.Join(names, "|") + " " + c.text
		b.filters = append(b.filters, bc)
	}
	// a column may serve one role only (per-row fallbacks aside)
	for _, a := range roles {
		for _, c := range roles {
			if a < c && len(b.cols[a]) > 0 && len(b.cols[c]) > 0 && b.cols[a][0] == b.cols[c][0] {
				return nil, fail("column %q would be both %s and %s; choose with --map %s.%s=COLUMN", header[b.cols[a][0]], roleNames[a], roleNames[c], f.Kind, roleNames[a])
			}
		}
	}
	b.index()
	b.offline = b.offlineStates()
	b.status = -1
	if f.Kind == planfile.KindDevices {
		b.status = b.statusColumn(norm)
	}
	return b, nil
}

// offlineStates reports whether the event column is named for the
// offline state (is_offline) while the vocabulary in effect reads true or
// 1 as a connect: its boolean values would read inverted.
func (b *Binding) offlineStates() bool {
	if b.Format.Kind != planfile.KindEvents || len(b.cols[roleEvent]) != 1 || b.cols[roleEvent][0] >= len(b.Header) {
		return false
	}
	if !OfflineColumn(b.Header[b.cols[roleEvent][0]]) {
		return false
	}
	for _, w := range []string{"true", "1"} {
		c, ok := EventWords[w]
		if voc := b.Format.vocab; voc != nil {
			c, ok = voc[w]
		}
		if ok && c == Connected {
			return true
		}
	}
	return false
}

// namedColumns finds role r's columns by the format's names for it: every
// listed one in the header (a row reads the first non-empty), else the
// first of its last-resort names. The generic format, which binds by
// names alone, refuses two listed columns of one role — they may hold
// different things (a device's time and the time the platform received
// it), and taking the first non-empty would be a guess — and, when none
// is listed, two of its last-resort names (a row's id and a device's
// name, a message's type and a connection's status).
func (f *Format) namedColumns(r int, norm, header []string) ([]int, error) {
	var cols []int
	for _, c := range f.columns[r] {
		if i := slices.Index(norm, c); i >= 0 && !slices.Contains(cols, i) {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		for _, c := range f.fallback[r] {
			if i := slices.Index(norm, c); i >= 0 && !slices.Contains(cols, i) {
				cols = append(cols, i)
			}
		}
		if !f.guesses() && len(cols) > 1 {
			cols = cols[:1] // a named format's order decides
		}
	}
	if len(cols) > 1 && f.guesses() {
		var names []string
		for _, i := range cols {
			names = append(names, strconv.Quote(header[i]))
		}
		return nil, fmt.Errorf("columns %s could each be the %s: which one is meant is ambiguous; name it with --map %s.%[2]s=COLUMN (map: {%[2]s: COLUMN} in iotpm.yaml), or name the export's format (--format %[3]s=NAME, see --list-formats)",
			strings.Join(names, " and "), roleNames[r], f.Kind)
	}
	return cols, nil
}

// index sets up the per-row fast paths.
func (b *Binding) index() {
	for r := range nRoles {
		b.single[r] = -1
		if len(b.cols[r]) == 1 && b.Format.extract[r] == nil {
			b.single[r] = b.cols[r][0]
		}
	}
	b.words = b.words[:0]
	for text, class := range b.Format.vocab {
		b.words = append(b.words, word{text, class})
	}
	slices.SortFunc(b.words, func(x, y word) int { return strings.Compare(x.text, y.text) })
}

// Column names the header column a role was read from ("" when absent);
// with per-row fallbacks, the names joined by "|".
func (b *Binding) Column(role string) string {
	r := slices.Index(roleNames, role)
	if r < 0 {
		return ""
	}
	var names []string
	for _, i := range b.cols[r] {
		names = append(names, b.columnName(i, r))
	}
	return strings.Join(names, "|")
}

// columnName names a column for messages: a header column by its name, a
// virtual one by where it comes from ("line (extract)", "data.state").
func (b *Binding) columnName(i, role int) string {
	if i < len(b.Header) {
		return b.Header[i]
	}
	f := b.Format
	if f.json != nil {
		for _, jf := range f.json.fields {
			if jf.role == role && b.jsonSrc >= 0 && i == b.cols[role][0] {
				return b.Header[b.jsonSrc] + "." + strings.Join(jf.path, ".")
			}
		}
	}
	for k, le := range f.lines {
		for _, g := range le.groups {
			if g.role == role {
				return b.Header[b.lineSrc[k]] + " (" + roleNames[role] + " group)"
			}
		}
	}
	return roleNames[role]
}

// HasSequence reports whether the events carry a sequence column.
func (b *Binding) HasSequence() bool { return len(b.cols[roleSequence]) > 0 }

// hasSession reports whether the events name their session.
func (b *Binding) hasSession() bool { return len(b.cols[roleSession]) > 0 }

// orderedEvents reports whether events need more than time to be ordered:
// a sequence, the file's order, or sessions. They are then read
// sequentially, with their line numbers.
func (b *Binding) orderedEvents() bool {
	return b.Format.Kind == planfile.KindEvents && (b.HasSequence() || b.fileOrder || b.hasSession())
}

// setOrder applies an input's order over its format's ("": the format's).
func (b *Binding) setOrder(order string) {
	switch order {
	case "file":
		b.fileOrder = true
	case "time":
		b.fileOrder = false
	}
}

// field returns a role's value on a row: the first non-empty of its
// columns, with the format's extraction applied.
func (b *Binding) field(row [][]byte, r int) []byte {
	if i := b.single[r]; i >= 0 {
		return row[i]
	}
	var v []byte
	for _, i := range b.cols[r] {
		if v = row[i]; len(v) > 0 {
			break
		}
	}
	if re := b.Format.extract[r]; re != nil && len(v) > 0 {
		if m := re.FindSubmatch(v); m != nil {
			v = m[1]
		}
	}
	return v
}

// rowColumn names the column a row's value of role r comes from: with a
// list of columns, the first non-empty one (the first when all are empty),
// so a message points at the cell that is wrong.
func (b *Binding) rowColumn(row [][]byte, r int) string {
	cols := b.cols[r]
	if len(cols) == 0 {
		return ""
	}
	for _, i := range cols {
		if i < len(row) && len(row[i]) > 0 {
			return b.columnName(i, r)
		}
	}
	return b.columnName(cols[0], r)
}

// boundCondition is a filter condition bound to header columns.
type boundCondition struct {
	cond *condition
	cols []int
	// reason names the rows it leaves out, for the ignored counts.
	reason string
}

// keep applies the format's row filter: the reason of the first condition
// a row fails, "" when it passes all.
func (b *Binding) keep(row [][]byte) (reason string) {
	for k := range b.filters {
		bc := &b.filters[k]
		var v []byte
		for _, i := range bc.cols {
			if v = row[i]; len(v) > 0 {
				break
			}
		}
		if !bc.cond.holds(v) {
			return bc.reason
		}
	}
	return ""
}

// holds tells whether a value passes every test of the condition.
func (c *condition) holds(v []byte) bool {
	if c.keep != nil || c.drop != nil {
		n := normalize(string(v))
		if c.keep != nil && !c.keep[n] || c.drop[n] {
			return false
		}
	}
	if len(c.prefix) > 0 {
		lv := strings.ToLower(strings.TrimSpace(string(v)))
		if !slices.ContainsFunc(c.prefix, func(p string) bool { return strings.HasPrefix(lv, p) }) {
			return false
		}
	}
	return c.match == nil || c.match.Match(bytes.TrimSpace(v))
}

// classify reads an event or status value with the format's vocabulary,
// or the default one when the format has none.
func (b *Binding) classify(v []byte) (int, bool) {
	if voc := b.Format.vocab; voc != nil {
		if len(b.words) <= 8 {
			for _, w := range b.words {
				if string(v) == w.text { // already normal: no allocation
					return w.class, true
				}
			}
		} else if c, ok := voc[string(v)]; ok {
			return c, true
		}
		if c, ok := voc[normalize(string(v))]; ok {
			return c, true
		}
		tv := bytes.TrimSpace(v)
		for _, p := range b.Format.patterns {
			if p.re.Match(tv) {
				return p.class, true
			}
		}
		return 0, false
	}
	if b.Format.Kind == planfile.KindOTA {
		return ParseOTAStatus(v)
	}
	return eventValue(v)
}

// vocabulary describes the accepted values of the value role, for messages.
func (b *Binding) vocabulary() string {
	if b.Format.vocabText != "" {
		return b.Format.vocabText
	}
	if b.Format.Kind == planfile.KindOTA {
		return "SUCCEEDED, FAILED, TIMED_OUT, REJECTED, CANCELED, REMOVED, QUEUED, IN_PROGRESS, …"
	}
	return "connected/online, disconnected/offline, …"
}

// timestamp parses a role's timestamp with the format's forms and the
// input's zone. A format's own layout follows the built-in parser's rules:
// a layout without a zone reads local times, which need the input's zone
// when the format says its times are local; a local time that occurs twice
// is its first occurrence, one that does not occur is an error.
func (b *Binding) timestamp(v []byte) (int64, error) {
	us, _, err := b.timestampZ(v)
	return us, err
}

// timeNote is what a reader counts about a time it read besides its
// value: a date-time without a zone read as UTC because neither the
// format nor the input names a zone (local times read as UTC are off by
// hours without any error: the run stops), or a local time in the hour
// repeated when daylight saving time ends, read as the first of the two
// (warned: the order of that hour's rows may be wrong).
type timeNote uint8

const (
	noteNone timeNote = iota
	noteZonelessUTC
	noteRepeatedHour
)

// timestampZ is timestamp with the time's note.
func (b *Binding) timestampZ(v []byte) (us int64, note timeNote, err error) {
	f := b.Format
	if b.loc == nil && !f.local && f.layout == "" {
		us, zoned, err := parseTimestamp(v)
		if err == nil && !zoned && hasClock(v) {
			note = noteZonelessUTC
		}
		return us, note, err
	}
	if b.utc && !f.local && f.layout == "" {
		us, _, err := parseTimestamp(v)
		return us, noteNone, err
	}
	ts, repeated, err := parseIn(v, b.loc, f.local)
	if err == nil {
		switch {
		case b.loc == nil && hasClock(v) && isZoneless(v):
			note = noteZonelessUTC
		case repeated:
			note = noteRepeatedHour
		}
		return ts, note, nil
	}
	if f.layout == "" || errors.Is(err, errZoneless) || errors.Is(err, errSkipped) {
		return ts, noteNone, err
	}
	if f.layoutZoned {
		t, perr := time.Parse(f.layout, strings.TrimSpace(string(v)))
		if perr != nil {
			return 0, noteNone, err
		}
		if name, off := t.Zone(); off == 0 && name != "UTC" && name != "GMT" && name != "Z" && name != "" {
			// time.Parse gives an abbreviation it does not know offset 0
			return 0, noteNone, errAbbreviation
		}
		return t.UnixMicro(), noteNone, nil
	}
	wall, perr := time.ParseInLocation(f.layout, strings.TrimSpace(string(v)), time.UTC)
	if perr != nil {
		return 0, noteNone, err
	}
	switch {
	case b.loc != nil:
		us, repeated, err := localToUTC(wall.UnixMicro(), b.loc)
		if repeated {
			note = noteRepeatedHour
		}
		return us, note, err
	case f.local:
		return 0, noteNone, errZoneless
	case f.layoutDate:
		return wall.UnixMicro(), noteNone, nil
	}
	return wall.UnixMicro(), noteZonelessUTC, nil
}

// hasClock reports whether a timestamp value has a time of day: a bare
// date is a day, whatever its zone.
func hasClock(v []byte) bool { return len(bytes.TrimSpace(v)) > 10 }

// isZoneless reports whether a value the built-in parser reads has no zone
// (and is no epoch).
func isZoneless(v []byte) bool {
	_, zoned, err := parseTimestamp(v)
	return err == nil && !zoned
}

// EventWords is the default vocabulary of connection events, normalised
// (lower case, no blanks, '_', '-' or '.'): the one list the file reader
// and the database source match.
var EventWords = map[string]int{
	"connected": Connected, "online": Connected, "connect": Connected, "true": Connected, "1": Connected,
	"deviceconnect": Connected, "microsoftdevicesdeviceconnected": Connected, "connectevent": Connected,
	"disconnected": Disconnected, "offline": Disconnected, "disconnect": Disconnected, "false": Disconnected, "0": Disconnected,
	"devicedisconnect": Disconnected, "microsoftdevicesdevicedisconnected": Disconnected, "disconnectevent": Disconnected,
}

// OTAWords is the default vocabulary of job-execution statuses (AWS IoT
// Jobs, Azure Device Update, Mender names), normalised as EventWords.
// Mender's device statuses are grouped as Mender's own deployment
// statistics group them: success, already-installed and noartifact
// succeed; failure, aborted and decommissioned fail; pending, downloading,
// installing, rebooting and the pause_* states are not final.
var OTAWords = map[string]int{
	"succeeded": OTASuccess, "success": OTASuccess, "successful": OTASuccess, "updated": OTASuccess, "completed": OTASuccess,
	"alreadyinstalled": OTASuccess, "noartifact": OTASuccess,
	"failed": OTAFailure, "failure": OTAFailure, "timedout": OTAFailure, "timeout": OTAFailure, "rejected": OTAFailure,
	"incompatible": OTAFailure, "error": OTAFailure, "aborted": OTAFailure, "decommissioned": OTAFailure,
	"canceled": OTAExcluded, "cancelled": OTAExcluded, "removed": OTAExcluded, "skipped": OTAExcluded,
	"queued": OTAPending, "inprogress": OTAPending, "notstarted": OTAPending, "pending": OTAPending, "downloading": OTAPending,
	"installing": OTAPending, "rebooting": OTAPending, "started": OTAPending, "scheduled": OTAPending,
	"pausebeforeinstalling": OTAPending, "pausebeforecommitting": OTAPending, "pausebeforerebooting": OTAPending,
}

// ParseEvent reads a connection event value, case-insensitively and
// ignoring blanks: connected/online/…, disconnected/offline/….
func ParseEvent(b []byte) (int, bool) {
	c, ok := EventWords[normalize(string(b))]
	return c, ok
}

// ParseOTAStatus classifies a job-execution status (AWS IoT Jobs, Azure
// Device Update, Mender names), case-insensitively.
func ParseOTAStatus(b []byte) (int, bool) {
	c, ok := OTAWords[normalize(string(b))]
	return c, ok
}

// clip shortens s to at most n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// columns maps each role present to its header column(s).
func (b *Binding) columns() map[string]string {
	out := map[string]string{}
	for _, r := range kindRoles[b.Format.Kind] {
		if c := b.Column(roleNames[r]); c != "" {
			out[roleNames[r]] = c
		}
	}
	return out
}

// article puts "a" or "an" before an input kind.
func article(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// isUTC reports whether a zone is UTC under one of its names.
func isUTC(loc *time.Location) bool {
	if loc == nil {
		return false
	}
	switch loc.String() {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "GMT", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "GMT0", "GMT+0", "GMT-0", "Etc/Greenwich", "Greenwich":
		return true
	}
	return false
}

// likeRole holds, per role, words a column that holds it is often named
// with (one word of the name: event_time_local is a time).
var likeRole = func() (m [nRoles][]string) {
	times := []string{"time", "date", "datetime", "timestamp", "ts", "at", "on", "when", "day", "stamp"}
	m[roleDevice] = []string{"device", "thing", "client", "unit", "eui", "serial", "imei", "node", "sensor", "hardware"}
	m[roleTimestamp], m[roleShipped], m[roleCreated], m[roleRetired] = times, times, times, times
	m[roleEvent] = []string{"event", "state", "status", "type", "action", "connection"}
	m[roleStatus] = []string{"status", "state", "result", "outcome"}
	m[roleJob] = []string{"job", "deployment", "campaign", "release", "rollout"}
	m[roleCustomer] = []string{"customer", "account", "tenant", "org", "organization", "company", "client"}
	m[roleFeature] = []string{"feature", "action", "event", "name"}
	m[roleUser] = []string{"user", "distinct", "install", "anonymous", "person", "account"}
	m[roleStep] = []string{"event", "step", "name", "action"}
	m[roleTicket] = []string{"ticket", "case", "issue", "request"}
	return m
}()

// namedLike lists the header's columns whose name has a word of role r's
// (likeRole), not bound to another role already — "; columns named like
// one: event_time_local, event_time_utc" — or "" when there is none: a
// user whose export names its times otherwise sees which columns to
// choose between with --map, and that there are two.
func namedLike(r int, header []string, bound [][]int) string {
	taken := map[int]bool{}
	for _, cols := range bound {
		for _, i := range cols {
			taken[i] = true
		}
	}
	var like []string
	for i, h := range header {
		if taken[i] {
			continue
		}
		words := strings.FieldsFunc(camelWords(h), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
		if slices.ContainsFunc(words, func(w string) bool { return slices.Contains(likeRole[r], strings.ToLower(w)) }) {
			like = append(like, strconv.Quote(clip(h, 40)))
		}
	}
	switch len(like) {
	case 0:
		return ""
	case 1:
		return "; the header has " + like[0] + ", named like one"
	}
	return "; the header's columns named like one: " + strings.Join(like, ", ")
}

// camelWords puts a space before each capital that follows a lower-case
// letter: eventTime → event Time.
func camelWords(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, c := range s {
		if unicode.IsUpper(c) && unicode.IsLower(prev) {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
		prev = c
	}
	return b.String()
}
