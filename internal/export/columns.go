package export

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
)

// normalize folds a header name or a value for matching: lowercase,
// without _ - . and blanks.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ', '\t':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// Binding is a format bound to one header: for each role, the header
// indexes to try on each row, in order.
type Binding struct {
	Format *Format
	Path   string
	Header []string
	cols   [nRoles][]int
	filter []int
	// valueChoices holds the candidate columns of the event or status role
	// when more than one is present; Choose picks one by their values.
	valueChoices []int
	loc          *time.Location
	zoneName     string
	// job is the job id of a snapshot format without a job column.
	job []byte
	// filtered names the rows the format's filter leaves out.
	filtered string
	// single is a role's column when it has exactly one and no
	// extraction (-1 otherwise): the per-row fast path.
	single [nRoles]int
	// words are the vocabulary's normalised values, tried as they are
	// before normalising the value (most rows spell them that way).
	words []word
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
	b := &Binding{Format: f, Path: path, Header: header, loc: loc, zoneName: zoneName}
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
		for _, c := range f.columns[r] {
			if i := slices.Index(norm, c); i >= 0 && !slices.Contains(b.cols[r], i) {
				b.cols[r] = append(b.cols[r], i)
			}
		}
		if len(b.cols[r]) == 0 {
			for _, c := range f.fallback[r] {
				if i := slices.Index(norm, c); i >= 0 {
					b.cols[r] = []int{i}
					break
				}
			}
		}
		if len(b.cols[r]) > 0 || k >= requiredRoles[f.Kind] {
			continue
		}
		switch {
		case f.snapshot && r == roleTimestamp:
		case f.snapshot && r == roleJob:
			// the deployment is the file: name it after the file
			b.job = []byte(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), filepath.Ext(strings.TrimSuffix(filepath.Base(path), ".gz"))))
		default:
			return nil, fail("no %s column: expected one of %s; name it with --map %s.%s=COLUMN, or name the export's format (--format %s=NAME, see --list-formats)",
				roleNames[r], strings.Join(f.display[r], ", "), f.Kind, roleNames[r], f.Kind)
		}
	}
	if vr, ok := valueRole[f.Kind]; ok && len(b.cols[vr]) > 1 {
		b.valueChoices = b.cols[vr]
		b.cols[vr] = b.cols[vr][:1]
	}
	if f.filterCol != nil {
		for _, c := range f.filterCol {
			if i := slices.Index(norm, c); i >= 0 {
				b.filter = append(b.filter, i)
			}
		}
		if len(b.filter) == 0 {
			return nil, fail("no %s column to select rows by", strings.Join(f.spec.Filter.Column, " or "))
		}
		var names []string
		for _, i := range b.filter {
			names = append(names, header[i])
		}
		b.filtered = fmt.Sprintf("%s not %s", strings.Join(names, "|"), strings.Join(f.spec.Filter.Keep, ", "))
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
	return b, nil
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
		names = append(names, b.Header[i])
	}
	return strings.Join(names, "|")
}

// HasSequence reports whether the events carry a sequence column.
func (b *Binding) HasSequence() bool { return len(b.cols[roleSequence]) > 0 }

// Choose picks, among several candidate event or status columns, the one
// whose values the vocabulary knows most often in the sample rows (the
// first listed on a tie).
func (b *Binding) Choose(sample [][][]byte) {
	if len(b.valueChoices) < 2 {
		return
	}
	vr := valueRole[b.Format.Kind]
	best, bestN := b.valueChoices[0], -1
	for _, c := range b.valueChoices {
		n := 0
		for _, row := range sample {
			if c < len(row) {
				if v, ok := b.classify(row[c]); ok && v != valueIgnored {
					n++
				}
			}
		}
		if n > bestN {
			best, bestN = c, n
		}
	}
	b.cols[vr] = []int{best}
	b.index()
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

// keep applies the format's row filter.
func (b *Binding) keep(row [][]byte) bool {
	if b.filter == nil {
		return true
	}
	var v []byte
	for _, i := range b.filter {
		if v = row[i]; len(v) > 0 {
			break
		}
	}
	return b.Format.keep[normalize(string(v))]
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
		c, ok := voc[normalize(string(v))]
		return c, ok
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
// input's zone.
func (b *Binding) timestamp(v []byte) (int64, error) {
	f := b.Format
	if b.loc == nil && !f.local && f.layout == "" {
		return ParseTimestamp(v)
	}
	ts, err := ParseTimestampIn(v, b.loc, f.local)
	if err != nil && f.layout != "" {
		loc := b.loc
		if loc == nil {
			loc = time.UTC
		}
		if t, perr := time.ParseInLocation(f.layout, strings.TrimSpace(string(v)), loc); perr == nil {
			return t.UnixMicro(), nil
		}
	}
	return ts, err
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
var OTAWords = map[string]int{
	"succeeded": OTASuccess, "success": OTASuccess, "successful": OTASuccess, "updated": OTASuccess, "completed": OTASuccess,
	"failed": OTAFailure, "failure": OTAFailure, "timedout": OTAFailure, "timeout": OTAFailure, "rejected": OTAFailure,
	"incompatible": OTAFailure, "noartifact": OTAFailure, "error": OTAFailure,
	"canceled": OTAExcluded, "cancelled": OTAExcluded, "removed": OTAExcluded, "aborted": OTAExcluded,
	"decommissioned": OTAExcluded, "skipped": OTAExcluded, "alreadyinstalled": OTAExcluded,
	"queued": OTAPending, "inprogress": OTAPending, "notstarted": OTAPending, "pending": OTAPending, "downloading": OTAPending,
	"installing": OTAPending, "rebooting": OTAPending, "started": OTAPending, "scheduled": OTAPending,
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

// filterReason names the rows the format's filter leaves out.
func (b *Binding) filterReason() string { return b.filtered }

// article puts "a" or "an" before an input kind.
func article(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
