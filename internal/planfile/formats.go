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
	Kind  InputKind `yaml:"kind" check:"required,enum=devices|events|ota|activity|tickets|usage"`
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
	// Extract takes the first group of a regular expression from a role's
	// value when it matches (the thing name after "thing/" in an ARN).
	Extract map[string]Pattern `yaml:"extract"`
	Filter  *RowFilter         `yaml:"filter"`
	Values  *Vocabulary        `yaml:"values"`
	Time    *TimeForm          `yaml:"time"`
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
	Pos        Pos     `yaml:"-"`
}

// Roles lists the role names in RoleColumns' order.
var Roles = []string{"device_id", "timestamp", "event", "sequence", "session", "job_id", "status", "shipped_at", "customer_id", "feature", "created_at", "retired_at"}

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

// Pattern is a regular expression with one capture group.
type Pattern struct{ *regexp.Regexp }

// UnmarshalNode implements NodeUnmarshaler.
func (p *Pattern) UnmarshalNode(n *yaml.Node) error {
	re, err := regexp.Compile(n.Value)
	if err != nil {
		return fmt.Errorf("not a regular expression: %w", err)
	}
	if re.NumSubexp() != 1 {
		return fmt.Errorf("%q must have exactly one capture group, the part to keep; it has %d", n.Value, re.NumSubexp())
	}
	p.Regexp = re
	return nil
}

// JSONSchema describes a pattern.
func (*Pattern) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "a regular expression (RE2) with one capture group"}
}

// RowFilter keeps the rows whose column holds one of the values (compared
// case-insensitively); the others are counted as ignored, not bad.
type RowFilter struct {
	Column Columns  `yaml:"column" check:"required"`
	Keep   []string `yaml:"keep" check:"required"`
}

// Vocabulary says which values of the event or status column mean what.
// Values are compared case-insensitively, ignoring blanks, '_', '-' and '.'.
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
}

// TimeLayout is a Go time layout, checked to round-trip a date and time.
type TimeLayout string

// UnmarshalNode implements NodeUnmarshaler.
func (l *TimeLayout) UnmarshalNode(n *yaml.Node) error {
	ref := time.Date(2026, 10, 5, 18, 4, 5, 0, time.UTC)
	got, err := time.Parse(n.Value, ref.Format(n.Value))
	if err != nil || got.Year() != 2026 || got.Month() != 10 || got.Day() != 5 || got.Minute() != 4 {
		return fmt.Errorf("%q is not a Go time layout with a date and time (write the reference time Mon Jan 2 15:04:05 2006 in the export's form, e.g. \"1/2/2006, 3:04:05 PM\")", n.Value)
	}
	*l = TimeLayout(n.Value)
	return nil
}

// JSONSchema describes a layout.
func (*TimeLayout) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": "a Go time layout, e.g. 1/2/2006, 3:04:05.000 PM"}
}

// FormatsFile is the schema of the built-in formats file.
type FormatsFile struct {
	Formats []FormatSpec `yaml:"formats"`
}
