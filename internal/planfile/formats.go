package planfile

import (
	"fmt"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// FormatSpec describes one kind of platform export declaratively: which
// input it feeds, how to recognise its header, which column holds each role,
// which values mean what. The built-in formats are written in this schema
// (internal/export/formats.yaml), and so are a repo's own under `formats:`
// in iotpm.yaml.
type FormatSpec struct {
	Name  string    `yaml:"name" check:"required"`
	Title string    `yaml:"title"`
	Kind  InputKind `yaml:"kind" check:"required,enum=devices|events|ota|activity|tickets|usage|onboarding"`
	// Signature lists header names that must all be present for the format
	// to be detected; a format without one is only used when named.
	// An entry may list alternatives (["eventType", "type"]).
	Signature []Columns `yaml:"signature"`
	// Columns gives each role its header names; on each row the first
	// non-empty one is used ("the first non-empty of thingName, clientId").
	Columns *RoleColumns `yaml:"columns" check:"required"`
	// LastResort gives generic header names (id, type, data, …) used only
	// when none of the role's Columns is in the header.
	LastResort *RoleColumns `yaml:"last_resort"`
	// Extract, keyed by a role, takes the first group of a regular
	// expression from the role's value when it matches (the thing name
	// after "thing/" in an ARN). Keyed by any other name, it reads that
	// header column with a pattern whose named groups are roles
	// ((?P<device_id>\S+)): several roles from one column, such as a broker
	// log line; a row whose column does not match is ignored.
	Extract map[string]Pattern `yaml:"extract"`
	// JSON reads roles from fields of a column holding a JSON object.
	JSON *JSONColumn `yaml:"json"`
	// Filter selects rows: one condition or a list, all of which must hold;
	// the rows left out are counted as ignored, not bad.
	Filter RowFilters  `yaml:"filter"`
	Values *Vocabulary `yaml:"values"`
	Time   *TimeForm   `yaml:"time"`
	// Null lists cell values that mean "no value" (PostgreSQL's infinity
	// for an open end, \N, NULL, -): such a cell is read as empty.
	Null []string `yaml:"null"`
	// ShortRows: pad reads a row with fewer cells than the header as if
	// its trailing cells were empty; without it such a row is bad.
	ShortRows string `yaml:"short_rows" check:"enum=pad"`
	// Order: file makes the rows' order in the file decide between events
	// of one device at the same time (the line number is the sequence).
	Order string `yaml:"order" check:"enum=file|time"`
	// Comment marks lines to skip (InfluxDB's #group, #datatype, #default).
	Comment string `yaml:"comment"`
	// Tables: a blank line ends a table and the next line is a new header
	// (InfluxDB annotated CSV).
	Tables bool `yaml:"tables"`
	// SequenceReset: a numeric sequence that drops this long (or more)
	// after the previous event starts over (AWS resets versionNumber to 0
	// after about an hour disconnected).
	SequenceReset *Duration `yaml:"sequence_reset" check:"gt=0"`
	// Snapshot: rows carry no timestamp; each is a final state as the
	// export was taken, counted in any window.
	Snapshot bool `yaml:"snapshot"`
	// JobFromFile: the export is one deployment's devices; without a job
	// column, the job is the file's name (a snapshot's job always is).
	JobFromFile bool `yaml:"job_from_file"`
	// Notes is shown by --list-formats.
	Notes string `yaml:"notes"`
	Pos   Pos    `yaml:"-"`
}

// RoleColumns names the header columns of each role an input can have.
type RoleColumns struct {
	DeviceID   Columns `yaml:"device_id"`
	Timestamp  Columns `yaml:"timestamp"`
	Event      Columns `yaml:"event"`
	Sequence   Columns `yaml:"sequence"`
	Session    Columns `yaml:"session"`
	JobID      Columns `yaml:"job_id"`
	Status     Columns `yaml:"status"`
	ShippedAt  Columns `yaml:"shipped_at"`
	CustomerID Columns `yaml:"customer_id"`
	Feature    Columns `yaml:"feature"`
	CreatedAt  Columns `yaml:"created_at"`
	RetiredAt  Columns `yaml:"retired_at"`
	Model      Columns `yaml:"model"`
	Version    Columns `yaml:"version"`
	Firmware   Columns `yaml:"firmware"`
	// User, Step and Segment are an onboarding input's: the app user (or
	// install) setting a device up, the event name, and the app platform
	// or version the funnel is split by.
	User    Columns `yaml:"user"`
	Step    Columns `yaml:"step"`
	Segment Columns `yaml:"segment"`
	// TicketID is a tickets input's ticket id: rows of one ticket (an
	// export of its updates, an overlap of two exports) count once.
	TicketID Columns `yaml:"ticket_id"`
	Pos      Pos     `yaml:"-"`
}

// Roles lists the role names in RoleColumns' order.
var Roles = []string{"device_id", "timestamp", "event", "sequence", "session", "job_id", "status", "shipped_at", "customer_id", "feature", "created_at", "retired_at", "model", "version", "firmware", "user", "step", "segment", "ticket_id"}

// Get returns a role's columns by name.
func (r *RoleColumns) Get(role string) Columns {
	if r == nil {
		return nil
	}
	switch role {
	case "device_id":
		return r.DeviceID
	case "timestamp":
		return r.Timestamp
	case "event":
		return r.Event
	case "sequence":
		return r.Sequence
	case "session":
		return r.Session
	case "version":
		return r.Version
	case "firmware":
		return r.Firmware
	case "user":
		return r.User
	case "step":
		return r.Step
	case "segment":
		return r.Segment
	case "job_id":
		return r.JobID
	case "status":
		return r.Status
	case "shipped_at":
		return r.ShippedAt
	case "customer_id":
		return r.CustomerID
	case "feature":
		return r.Feature
	case "created_at":
		return r.CreatedAt
	case "retired_at":
		return r.RetiredAt
	case "model":
		return r.Model
	case "ticket_id":
		return r.TicketID
	}
	return nil
}

// Columns is one header name or a list of them, in order of preference.
type Columns []string

// FromScalar implements ScalarShorthand: one name may stand alone.
func (c *Columns) FromScalar(n *yaml.Node) error {
	*c = Columns{n.Value}
	return nil
}

// JSONSchema describes the shorthand.
func (*Columns) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string"},
		map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	}}
}

// MaxPattern bounds the length of a pattern a format may declare: RE2
// compiles and runs in time linear in the pattern, so a huge pattern is a
// denial of service, never an export's need.
const MaxPattern = 1024

// Pattern is a regular expression (RE2): with one capture group when it
// extracts a role's value, with named groups when it reads roles from a
// column; its position is kept for messages.
type Pattern struct {
	*regexp.Regexp
	Pos Pos
}

// UnmarshalNode implements NodeUnmarshaler.
func (p *Pattern) UnmarshalNode(n *yaml.Node) error {
	if len(n.Value) > MaxPattern {
		return fmt.Errorf("a pattern of %d bytes; at most %d", len(n.Value), MaxPattern)
	}
	re, err := regexp.Compile(n.Value)
	if err != nil {
		return fmt.Errorf("not a regular expression: %w", err)
	}
	p.Regexp, p.Pos = re, Pos{Line: n.Line, Col: n.Column}
	return nil
}

// JSONSchema describes a pattern.
func (*Pattern) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "maxLength": MaxPattern, "description": "a regular expression (RE2): one capture group for a role, named groups (?P<role>…) for a column"}
}

// JSONColumn reads roles from a column holding a JSON object: fields maps
// a role to a field name, or a dotted path into nested objects
// (payload.state).
type JSONColumn struct {
	Column string            `yaml:"column" check:"required"`
	Fields map[string]string `yaml:"fields" check:"required"`
	Pos    Pos               `yaml:"-"`
}

// RowFilter is one condition on a column: its value (compared as values
// are, ignoring case and separators inside words) is one of keep, is none
// of drop, starts with one of prefix (ignoring case), and matches match
// (a regular expression on the value as written); every test given must
// hold.
type RowFilter struct {
	Column Columns  `yaml:"column" check:"required"`
	Keep   []string `yaml:"keep"`
	Drop   []string `yaml:"drop"`
	Prefix []string `yaml:"prefix"`
	Match  *Pattern `yaml:"match"`
	Pos    Pos      `yaml:"-"`
}

// RowFilters is one condition or a list of them.
type RowFilters []RowFilter

// OneOrList marks RowFilters: a single mapping is a list of one.
func (RowFilters) OneOrList() {}

// Vocabulary says which values of the event or status column mean what.
// Values are compared case-insensitively, ignoring blanks, '_', '-' and '.'
// inside words (not next to a digit); an entry "re:PATTERN" is a regular
// expression the value as written must match.
type Vocabulary struct {
	Connect    []string `yaml:"connect"`
	Disconnect []string `yaml:"disconnect"`
	Success    []string `yaml:"success"`
	Failure    []string `yaml:"failure"`
	Excluded   []string `yaml:"excluded"`
	Pending    []string `yaml:"pending"`
	// Ignore lists values that are neither: such rows are counted as
	// ignored, not bad (Particle's spark/status auto-update).
	Ignore []string `yaml:"ignore"`
	Pos    Pos      `yaml:"-"`
}

// TimeForm declares a timestamp form beyond the ones every reader knows.
type TimeForm struct {
	// Layout is a Go reference-time layout for a form such as Log
	// Analytics' "10/5/2026, 6:00:00.000 AM": "1/2/2006, 3:04:05.000 PM".
	Layout TimeLayout `yaml:"layout"`
	// Local: zone-less times are in a zone the export does not state (a
	// dashboard's zone); the input must name it with tz.
	Local bool `yaml:"local"`
	// Zone: zone-less times are in this zone, as the export states (Azure
	// portal's "TimeGenerated [UTC]"); an input's tz still wins.
	Zone *Zone `yaml:"zone"`
}

// TimeLayout is a Go time layout, checked to round-trip a date and a
// time of day, or a date alone (a ship date "13.08.2026": "2.1.2006").
type TimeLayout string

// layoutRef is the instant a layout is checked with: every field differs
// from a zero value, so a field the layout drops shows.
var layoutRef = time.Date(2026, 10, 5, 18, 4, 5, 0, time.UTC)

// UnmarshalNode implements NodeUnmarshaler.
func (l *TimeLayout) UnmarshalNode(n *yaml.Node) error {
	got, err := time.Parse(n.Value, layoutRef.Format(n.Value))
	dateOnly := got.Hour() == 0 && got.Minute() == 0 && got.Second() == 0
	if err != nil || got.Year() != 2026 || got.Month() != 10 || got.Day() != 5 || got.Minute() != 4 && !dateOnly {
		return fmt.Errorf("%q is not a Go time layout with a date, and a time of day if it has one (write the reference time Mon Jan 2 15:04:05 2006 in the export's form, e.g. \"1/2/2006, 3:04:05 PM\", or \"2.1.2006\" for a date alone)", n.Value)
	}
	*l = TimeLayout(n.Value)
	return nil
}

// DateOnly reports whether the layout reads a date without a time of day:
// such a value is a day, in any zone, as a bare ISO 8601 date is.
func (l TimeLayout) DateOnly() bool {
	got, err := time.Parse(string(l), layoutRef.Format(string(l)))
	return err == nil && got.Hour() == 0 && got.Minute() == 0 && got.Second() == 0
}

// JSONSchema describes a layout.
func (*TimeLayout) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "a Go time layout, e.g. 1/2/2006, 3:04:05.000 PM, or 2.1.2006 for a date alone"}
}

// FormatsFile is the schema of the built-in formats file.
type FormatsFile struct {
	Formats []FormatSpec `yaml:"formats"`
}
