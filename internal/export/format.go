package export

import (
	_ "embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// Roles of a column, as indexes into a binding's columns.
const (
	roleDevice = iota
	roleTimestamp
	roleEvent
	roleSequence
	roleSession
	roleJob
	roleStatus
	roleShipped
	roleCustomer
	roleFeature
	roleCreated
	roleRetired
	roleModel
	roleVersion  // OTA: the job's target firmware
	roleFirmware // devices: the firmware the device runs (a snapshot)
	roleUser     // onboarding: the app user or install setting a device up
	roleStep     // onboarding: the event name
	roleSegment  // onboarding: the app platform or version
	roleTicket   // tickets: the ticket id (rows of one ticket count once)
	nRoles
)

// roleNames are the roles' names as written in formats and --map, in the
// order of the constants above.
var roleNames = planfile.Roles

// kindRoles lists, per input kind, its roles: required ones first, then
// optional ones (required[kind] of them are required).
var kindRoles = map[planfile.InputKind][]int{
	planfile.KindDevices:  {roleDevice, roleShipped, roleCustomer, roleRetired, roleModel, roleFirmware},
	planfile.KindEvents:   {roleDevice, roleTimestamp, roleEvent, roleSequence, roleSession},
	planfile.KindOTA:      {roleDevice, roleJob, roleStatus, roleTimestamp, roleVersion},
	planfile.KindActivity: {roleDevice, roleTimestamp},
	planfile.KindTickets:  {roleCustomer, roleCreated, roleTicket},
	planfile.KindUsage:    {roleDevice, roleFeature, roleTimestamp},
	// the device being set up is optional: not every app logs it
	planfile.KindOnboarding: {roleUser, roleStep, roleTimestamp, roleDevice, roleSegment},
}

var requiredRoles = map[planfile.InputKind]int{planfile.KindDevices: 2, planfile.KindEvents: 3, planfile.KindOTA: 4, planfile.KindActivity: 2, planfile.KindTickets: 2, planfile.KindUsage: 3, planfile.KindOnboarding: 3}

// valueRole is the role whose values a format's vocabulary classifies.
// valueRoleOf is the role whose values a kind classifies (events: the
// connection state; ota: the job status); ok is false for the others. A
// switch, not a map: it is asked once a row.
func valueRoleOf(kind planfile.InputKind) (role int, ok bool) {
	switch kind {
	case planfile.KindEvents:
		return roleEvent, true
	case planfile.KindOTA:
		return roleStatus, true
	}
	return 0, false
}

// Value classes: connection states (events) and OTA statuses (ota), as
// pkg/metrics defines them.
const (
	Disconnected = metrics.Disconnected
	Connected    = metrics.Connected

	OTASuccess  = metrics.OTASuccess
	OTAFailure  = metrics.OTAFailure
	OTAExcluded = metrics.OTAExcluded
	OTAPending  = metrics.OTAPending

	// valueIgnored marks a value that is neither good nor bad: the row is
	// counted as ignored (Particle's spark/status auto-update).
	valueIgnored = -1
)

// Format is a compiled export format: the roles' header names normalised,
// the vocabulary as lookup tables.
type Format struct {
	Name, Title, Notes string
	Kind               planfile.InputKind
	Builtin            bool
	// Signature, normalised: every entry must match a header name.
	signature [][]string
	columns   [nRoles][]string // normalised header names per role
	fallback  [nRoles][]string // last-resort names per role
	display   [nRoles][]string // as written, for messages
	extract   [nRoles]*regexp.Regexp
	// lines read several roles from one column by named groups.
	lines []lineExtract
	// json reads roles from fields of a JSON column.
	json     *jsonExtract
	filters  []condition
	vocab    map[string]int // normalised value → class
	patterns []valuePattern // "re:" entries, tried in order after vocab
	// vocabText is the vocabulary, for messages.
	vocabText string
	null      map[string]bool // lower-cased cells that mean no value
	nullMax   int             // the longest null token: longer cells are never one
	shortPad  bool
	fileOrder bool
	layout    string
	// layoutZoned: the layout reads the zone from the value (MST, -0700).
	layoutZoned bool
	// layoutDate: the layout reads a date alone, a day in any zone (read
	// as midnight UTC without a zone's note, as a bare ISO 8601 date).
	layoutDate bool
	local      bool
	// zone is the zone the format says its zone-less times are in.
	zone        *time.Location
	comment     string
	tables      bool
	snapshot    bool
	jobFromFile bool
	seqReset    int64 // µs; 0: none
	spec        planfile.FormatSpec
}

// guesses says whether the format is a kind's generic one, which binds
// columns by their names alone (the fallback of detection).
func (f *Format) guesses() bool { return f.Builtin && f.Name == "generic" }

// SignatureText is the signature as written, for listings.
func (f *Format) SignatureText() string {
	var parts []string
	for _, alts := range f.Spec().Signature {
		parts = append(parts, strings.Join(alts, "|"))
	}
	return strings.Join(parts, ", ")
}

// Spec returns the format's declaration.
func (f *Format) Spec() planfile.FormatSpec { return f.spec }

//go:embed formats.yaml
var builtinYAML []byte

var builtins = sync.OnceValue(func() []*Format {
	var file planfile.FormatsFile
	if diags := planfile.Decode("formats.yaml", builtinYAML, &file); diags.HasErrors() {
		panic("export: the built-in formats do not load: " + diags[0].String())
	}
	formats, diags := CompileFormats("formats.yaml", file.Formats, nil)
	if diags.HasErrors() {
		panic("export: the built-in formats do not compile: " + diags[0].String())
	}
	for _, f := range formats {
		f.Builtin = true
	}
	return formats
})

// Builtins returns the built-in formats, in the order of formats.yaml.
func Builtins() []*Format { return builtins() }

// CompileFormats checks and compiles format declarations from file (the
// built-in formats, or iotpm.yaml's formats:), reporting each problem at
// its position. Names must not repeat a built-in or another format of the
// same kind.
func CompileFormats(file string, list []planfile.FormatSpec, builtin []*Format) ([]*Format, diag.List) {
	var diags diag.List
	var out []*Format
	seen := map[string]bool{}
	for _, b := range builtin {
		seen[string(b.Kind)+"/"+b.Name] = true
	}
	for _, spec := range list {
		c := &formatCompiler{file: file, spec: spec, diags: &diags}
		if seen[string(spec.Kind)+"/"+spec.Name] {
			what := "another format"
			if slices.ContainsFunc(builtin, func(b *Format) bool { return b.Name == spec.Name }) {
				what = "a built-in format"
			}
			c.errorf(spec.Pos, "%s of kind %s has this name already; choose another name", what, spec.Kind)
			continue
		}
		seen[string(spec.Kind)+"/"+spec.Name] = true
		roles, ok := kindRoles[spec.Kind]
		if !ok {
			continue // the decoder reported the kind
		}
		if f := c.compile(roles); f != nil {
			out = append(out, f)
		}
	}
	return out, diags
}

// formatCompiler compiles one format declaration, a part at a time, each
// reporting its problems at their positions.
type formatCompiler struct {
	file   string
	spec   planfile.FormatSpec
	diags  *diag.List
	roles  []int
	f      *Format
	colPos planfile.Pos // columns:, else the format's own position
}

func (c *formatCompiler) errorf(p planfile.Pos, format string, args ...any) {
	c.diags.Errorf(diag.Schema, c.file, p.Line, p.Col, "format %s: "+format, append([]any{c.spec.Name}, args...)...)
}

// compile returns the format, or nil when its signature is unusable (the
// other parts' problems are reported and the format kept, so that one run
// reports them all).
func (c *formatCompiler) compile(roles []int) *Format {
	spec := c.spec
	f := &Format{Name: spec.Name, Title: spec.Title, Kind: spec.Kind, Notes: spec.Notes, spec: spec,
		comment: spec.Comment, tables: spec.Tables, snapshot: spec.Snapshot, jobFromFile: spec.JobFromFile}
	c.f, c.roles = f, roles
	if !c.signature() {
		return nil
	}
	c.colPos = spec.Pos
	if spec.Columns != nil {
		c.colPos = spec.Columns.Pos
	}
	c.columns()
	c.extracts()
	c.jsonFields()
	c.filtersAndNulls()
	c.required()
	if spec.Order != "" && spec.Kind != planfile.KindEvents {
		c.errorf(spec.Pos, "order applies to events (the order of connects and disconnects), not to %s input", article(string(spec.Kind)))
	}
	f.shortPad = spec.ShortRows == "pad"
	f.fileOrder = spec.Order == "file"
	if v := spec.Values; v != nil {
		c.values(v)
	}
	if t := spec.Time; t != nil {
		f.layout, f.local = string(t.Layout), t.Local
		f.layoutZoned = layoutHasZone(f.layout)
		f.layoutDate = t.Layout.DateOnly()
		if t.Zone != nil {
			f.zone = t.Zone.Location
		}
	}
	if spec.SequenceReset != nil {
		f.seqReset = int64(float64(*spec.SequenceReset) * 1e6)
	}
	return f
}

// signature compiles the header signature; false when it is too long to
// be one.
func (c *formatCompiler) signature() bool {
	spec, f := c.spec, c.f
	if n := len(spec.Signature); n > maxSignature {
		c.errorf(c.spec.Pos, "a signature of %d entries; at most %d (a signature names the few columns that tell the export apart)", n, maxSignature)
		return false
	}
	tooLong := false
	for _, alts := range spec.Signature {
		if len(alts) > maxSignature {
			c.errorf(c.spec.Pos, "a signature entry of %d alternatives; at most %d", len(alts), maxSignature)
			tooLong = true
			break
		}
		for _, a := range alts {
			if len(a) > maxColumnName {
				c.errorf(c.spec.Pos, "a signature column name of %d bytes; at most %d", len(a), maxColumnName)
				tooLong = true
				break
			}
		}
		f.signature = append(f.signature, normalizeAll(alts))
	}
	return !tooLong
}

// columns binds each role's column names (and last-resort names).
func (c *formatCompiler) columns() {
	spec, f, roles := c.spec, c.f, c.roles
	for r, name := range roleNames {
		cols := spec.Columns.Get(name)
		last := spec.LastResort.Get(name)
		if (len(cols) > 0 || len(last) > 0) && !slices.Contains(roles, r) {
			c.errorf(c.colPos, "%s input has no %s column (its roles: %s)", article(string(spec.Kind)), name, roleList(roles))
			continue
		}
		f.columns[r] = normalizeAll(cols)
		f.fallback[r] = normalizeAll(last)
		f.display[r] = append(slices.Clone([]string(cols)), last...)
	}
}

// extracts compiles extract: patterns, keyed by a role (one capture group)
// or by a column (named groups are roles).
func (c *formatCompiler) extracts() {
	spec, f, roles := c.spec, c.f, c.roles
	for _, name := range slices.Sorted(maps.Keys(spec.Extract)) {
		re := spec.Extract[name]
		if r := slices.Index(roleNames, name); r >= 0 {
			if !slices.Contains(roles, r) {
				c.errorf(re.Pos, "extract: %q is not a role of %s input (its roles: %s)", name, article(string(spec.Kind)), roleList(roles))
				continue
			}
			if re.NumSubexp() != 1 {
				c.errorf(re.Pos, "extract.%s: %q must have exactly one capture group, the part to keep; it has %d (to read several roles from one column, key the pattern by the column's name and name its groups after the roles)", name, clip(re.String(), 80), re.NumSubexp())
				continue
			}
			f.extract[r] = re.Regexp
			continue
		}
		// keyed by a column: named groups are roles
		le := lineExtract{col: normalize(name), display: name, re: re.Regexp}
		for g, gname := range re.SubexpNames() {
			if gname == "" {
				continue
			}
			r := slices.Index(roleNames, gname)
			if r < 0 || !slices.Contains(roles, r) {
				c.errorf(re.Pos, "extract.%s: the group (?P<%s>…) is not a role of %s input (its roles: %s)", name, gname, article(string(spec.Kind)), roleList(roles))
				continue
			}
			k := slices.IndexFunc(le.groups, func(rg roleGroups) bool { return rg.role == r })
			if k < 0 {
				le.groups = append(le.groups, roleGroups{role: r})
				k = len(le.groups) - 1
			}
			le.groups[k].groups = append(le.groups[k].groups, g)
		}
		if len(le.groups) == 0 {
			c.errorf(re.Pos, "extract.%s: %q names no role; name each group after the role it holds, e.g. (?P<device_id>\\S+); or key the pattern by a role (%s) to extract from that role's column", name, clip(re.String(), 80), roleList(roles))
			continue
		}
		f.lines = append(f.lines, le)
	}
}

// jsonFields compiles json: the roles read from fields of a JSON column.
func (c *formatCompiler) jsonFields() {
	spec, f, roles := c.spec, c.f, c.roles
	if j := spec.JSON; j != nil {
		je := &jsonExtract{col: normalize(j.Column), display: j.Column}
		for _, name := range slices.Sorted(maps.Keys(j.Fields)) {
			r := slices.Index(roleNames, name)
			if r < 0 || !slices.Contains(roles, r) {
				c.errorf(j.Pos, "json.fields: %q is not a role of %s input (its roles: %s)", name, article(string(spec.Kind)), roleList(roles))
				continue
			}
			path := strings.Split(j.Fields[name], ".")
			if slices.Contains(path, "") {
				c.errorf(j.Pos, "json.fields.%s: %q is not a field name or a dotted path (payload.state)", name, j.Fields[name])
				continue
			}
			je.fields = append(je.fields, jsonField{role: r, path: path})
		}
		f.json = je
	}
}

// filtersAndNulls compiles filter: conditions and null: tokens.
func (c *formatCompiler) filtersAndNulls() {
	spec, f := c.spec, c.f
	for _, cond := range spec.Filter {
		if len(cond.Keep) == 0 && len(cond.Drop) == 0 && len(cond.Prefix) == 0 && cond.Match == nil {
			c.errorf(cond.Pos, "filter on %s: no test; give keep, drop, prefix or match", strings.Join(cond.Column, "|"))
			continue
		}
		f.filters = append(f.filters, compileCondition(cond))
	}
	if len(spec.Null) > 0 {
		f.null = map[string]bool{}
		for _, v := range spec.Null {
			tok := strings.ToLower(strings.TrimSpace(v))
			f.null[tok] = true
			f.nullMax = max(f.nullMax, len(tok))
		}
	}
}

// required reports the required roles no column, extraction or JSON field
// gives.
func (c *formatCompiler) required() {
	spec, f, roles := c.spec, c.f, c.roles
	for _, r := range roles[:requiredRoles[spec.Kind]] {
		if len(f.columns[r]) > 0 || len(f.fallback[r]) > 0 || f.derives(r) {
			continue
		}
		optional := spec.Snapshot && r == roleTimestamp || (spec.Snapshot || spec.JobFromFile) && r == roleJob
		if !optional {
			c.errorf(c.colPos, "columns: missing %s, which %s input needs (its required roles: %s)", roleNames[r], article(string(spec.Kind)), roleList(roles[:requiredRoles[spec.Kind]]))
		}
	}
}

// values compiles values: the words (and re: patterns) that classify the
// event or status column.
func (c *formatCompiler) values(v *planfile.Vocabulary) {
	spec, f := c.spec, c.f
	vr, ok := valueRoleOf(spec.Kind)
	if !ok {
		c.errorf(v.Pos, "values: %s input has no event or status column to classify", article(string(spec.Kind)))
	}
	f.vocab = map[string]int{}
	var text []string
	add := func(class int, label string, words []string) {
		if len(words) == 0 {
			return
		}
		if !ok || (vr == roleEvent) != (class >= 10) {
			if ok {
				c.errorf(v.Pos, "values: %s does not apply to %s input", label, article(string(spec.Kind)))
			}
			return
		}
		text = append(text, label+": "+strings.Join(words, ", "))
		for _, w := range words {
			if p, ok := strings.CutPrefix(w, "re:"); ok {
				re, err := compilePattern(p)
				if err != nil {
					c.errorf(v.Pos, "values.%s: %q: %v", label, clip(w, 80), err)
					continue
				}
				f.patterns = append(f.patterns, valuePattern{re, class % 10})
				continue
			}
			n := normalize(w)
			if prev, dup := f.vocab[n]; dup && prev != class%10 {
				c.errorf(v.Pos, "values: %q is listed twice", w)
			}
			f.vocab[n] = class % 10
		}
	}
	// classes ≥ 10 are connection states (events), offset by 10
	add(10+Connected, "connect", v.Connect)
	add(10+Disconnected, "disconnect", v.Disconnect)
	add(OTASuccess, "success", v.Success)
	add(OTAFailure, "failure", v.Failure)
	add(OTAExcluded, "excluded", v.Excluded)
	add(OTAPending, "pending", v.Pending)
	if len(v.Ignore) > 0 {
		text = append(text, "ignored: "+strings.Join(v.Ignore, ", "))
		for _, w := range v.Ignore {
			if p, ok := strings.CutPrefix(w, "re:"); ok {
				re, err := compilePattern(p)
				if err != nil {
					c.errorf(v.Pos, "values.ignore: %q: %v", clip(w, 80), err)
					continue
				}
				f.patterns = append(f.patterns, valuePattern{re, valueIgnored})
				continue
			}
			f.vocab[normalize(w)] = valueIgnored
		}
	}
	f.vocabText = strings.Join(text, "; ")
}

// layoutHasZone reports whether a Go time layout reads a zone: an offset
// (-0700, -07:00, -07, Z0700, Z07:00) or a zone abbreviation (MST).
func layoutHasZone(layout string) bool {
	return strings.Contains(layout, "-07") || strings.Contains(layout, "Z07") || strings.Contains(layout, "MST")
}

func roleList(roles []int) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleNames[r]
	}
	return strings.Join(names, ", ")
}

func normalizeAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = normalize(n)
	}
	return out
}

// Formats is the set of formats one run can use: the built-in ones and a
// planning repo's own.
type Formats struct {
	list []*Format
}

// NewFormats returns the built-in formats with the repo's own added; the
// repo's are tried first when detecting (they are the more specific).
func NewFormats(own []*Format) *Formats {
	return &Formats{list: append(slices.Clone(own), Builtins()...)}
}

// List returns every format: the repo's own first, then the built-in ones.
func (fs *Formats) List() []*Format { return fs.list }

// Lookup finds a format by name for a kind of input. An unknown name is an
// error that lists the known ones, with a "did you mean".
func (fs *Formats) Lookup(kind planfile.InputKind, name string) (*Format, error) {
	var names []string
	for _, f := range fs.list {
		if f.Kind != kind {
			continue
		}
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	msg := fmt.Sprintf("unknown %s format %q", kind, clip(name, 80))
	for _, f := range fs.list {
		if f.Name == name {
			msg = fmt.Sprintf("format %q reads %s exports, not %s", name, f.Kind, kind)
			break
		}
	}
	s := planfile.Suggest(name, names)
	for _, n := range names {
		if s == "" && name != "" && (strings.HasPrefix(n, name) || strings.HasPrefix(name, n)) {
			s = n
		}
	}
	if s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, fmt.Errorf("%s (%s formats: %s; see iotpm metrics --list-formats)", msg, kind, strings.Join(names, ", "))
}

// Detect picks the format of a header: among the formats of the kind whose
// signature the header matches, the one with the longest signature (the
// repo's own first at equal length); the kind's generic format when none
// matches. detected is false when the fallback was used.
func (fs *Formats) Detect(kind planfile.InputKind, header []string) (f *Format, detected bool) {
	// a set: detection is linear in the header and the signatures, never
	// their product
	norm := map[string]bool{}
	for _, h := range normalizeAll(header) {
		norm[h] = true
	}
	var best *Format
	for _, c := range fs.list {
		if c.Kind != kind || len(c.signature) == 0 {
			continue
		}
		if best != nil && len(c.signature) <= len(best.signature) {
			continue
		}
		if matchesSignature(c.signature, norm) {
			best = c
		}
	}
	if best != nil {
		return best, true
	}
	for _, c := range fs.list {
		if c.Kind == kind && c.Name == "generic" {
			return c, false
		}
	}
	return nil, false
}

func matchesSignature(sig [][]string, header map[string]bool) bool {
	for _, alts := range sig {
		if !slices.ContainsFunc(alts, func(a string) bool { return header[a] }) {
			return false
		}
	}
	return true
}

// maxSignature bounds a signature's entries and each entry's alternatives,
// and maxColumnName a column name in it: a format from a pull request
// cannot make detection slow.
const (
	maxSignature  = 64
	maxColumnName = 256
)

// KindColumns lists the columns (roles) of a kind of input: required ones
// first. ok is false for an unknown kind.
func KindColumns(kind planfile.InputKind) (names []string, required int, ok bool) {
	roles, ok := kindRoles[kind]
	if !ok {
		return nil, 0, false
	}
	for _, r := range roles {
		names = append(names, roleNames[r])
	}
	return names, requiredRoles[kind], true
}

// CheckFormats checks iotpm.yaml's own formats beyond their syntax (roles
// per kind, names, patterns), for planfile.LoadConfigWith: loading
// iotpm.yaml reports these with its other problems.
func CheckFormats(file string, formats []planfile.FormatSpec) diag.List {
	_, diags := CompileFormats(file, formats, Builtins())
	return diags
}

// derives reports whether a role is read by a named-group extraction or
// from a JSON field.
func (f *Format) derives(r int) bool {
	for _, le := range f.lines {
		if slices.ContainsFunc(le.groups, func(g roleGroups) bool { return g.role == r }) {
			return true
		}
	}
	return f.json != nil && slices.ContainsFunc(f.json.fields, func(j jsonField) bool { return j.role == r })
}

// lineExtract reads several roles from one column: each named group of
// the pattern is a role; a role may name several groups (alternatives),
// of which the first that matched gives its value.
type lineExtract struct {
	col, display string
	re           *regexp.Regexp
	groups       []roleGroups
}

type roleGroups struct {
	role   int
	groups []int
}

// jsonExtract reads roles from fields of a JSON column.
type jsonExtract struct {
	col, display string
	fields       []jsonField
}

type jsonField struct {
	role int
	path []string
}

// valuePattern is a vocabulary entry written "re:PATTERN".
type valuePattern struct {
	re    *regexp.Regexp
	class int
}

// condition is one filter test on a column.
type condition struct {
	cols, display []string
	keep, drop    map[string]bool
	prefix        []string
	match         *regexp.Regexp
	// text says what a row must have, for the count of rows left out.
	text string
}

func compileCondition(c planfile.RowFilter) condition {
	out := condition{cols: normalizeAll(c.Column), display: c.Column}
	var tests []string
	set := func(vals []string) map[string]bool {
		m := map[string]bool{}
		for _, v := range vals {
			m[normalize(v)] = true
		}
		return m
	}
	if len(c.Keep) > 0 {
		out.keep = set(c.Keep)
		tests = append(tests, "not "+strings.Join(c.Keep, ", "))
	}
	if len(c.Drop) > 0 {
		out.drop = set(c.Drop)
		tests = append(tests, "is "+strings.Join(c.Drop, ", "))
	}
	for _, p := range c.Prefix {
		out.prefix = append(out.prefix, strings.ToLower(p))
	}
	if len(c.Prefix) > 0 {
		tests = append(tests, "not starting with "+strings.Join(c.Prefix, " or "))
	}
	if c.Match != nil {
		out.match = c.Match.Regexp
		tests = append(tests, "not matching "+clip(c.Match.String(), 60))
	}
	out.text = strings.Join(tests, " or ")
	return out
}

// compilePattern compiles a pattern written in a vocabulary, with the
// bound a declared pattern has.
func compilePattern(p string) (*regexp.Regexp, error) {
	if len(p) > planfile.MaxPattern {
		return nil, fmt.Errorf("a pattern of %d bytes; at most %d", len(p), planfile.MaxPattern)
	}
	return regexp.Compile(p)
}
