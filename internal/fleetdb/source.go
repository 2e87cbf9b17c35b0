// Package fleetdb computes iotpm's fleet metrics inside PostgreSQL (and so
// TimescaleDB, Citus and the managed PostgreSQL services): the metrics
// inputs are tables or views, the definitions are SQL with window functions
// over each device's rows, and only aggregate rows come back. The counts
// become results through pkg/metrics' own functions, so both engines word
// the same counts the same way.
package fleetdb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Input is one metrics input read from a table or view.
type Input struct {
	Kind  planfile.InputKind
	Table string // table, or schema.table, as written
	// Columns maps the input's roles to columns.
	Columns map[string]planfile.ColumnRef
	// SequenceReset (µs): a numeric sequence that drops after a gap this
	// long starts over; 0: never.
	SequenceReset int64
	// Snapshot: an ota table of final states without a timestamp, each
	// row counted in any window (a snapshot format's rule).
	Snapshot bool
	// Zone is the IANA zone of the table's timestamp (without time zone)
	// columns; "" when the input names none, which such a column refuses.
	Zone string
	// Where the mapping is written, for messages (File "" when it came
	// from flags).
	File string
	Pos  planfile.Pos
}

// Problem is a mapping that does not fit the database: a missing table or
// column, a column of the wrong type, a NULL where a value is required. It
// names the table, the column and the mapping's line in iotpm.yaml.
type Problem struct {
	File      string
	Line, Col int
	Message   string
}

func (p *Problem) Error() string {
	if p.File == "" {
		return p.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
}

func (in *Input) problem(role, format string, args ...any) *Problem {
	pos := in.Pos
	if c, ok := in.Columns[role]; ok && c.Pos.Line > 0 {
		pos = c.Pos
	}
	return &Problem{File: in.File, Line: pos.Line, Col: pos.Col, Message: fmt.Sprintf("metrics.inputs.%s: ", in.Kind) + fmt.Sprintf(format, args...)}
}

// column is a resolved column: its quoted name and what kind of value it
// holds.
type column struct {
	quoted string
	name   string
	typ    string // format_type
	cat    string // pg_type.typcategory: S string, N numeric, D date/time, B boolean…
	typeID string // typname: timestamptz, timestamp, date, int8…
	unit   string
	zone   string // a timestamp column's zone (the input's tz)
}

// table is an input resolved against the catalog.
type table struct {
	Input
	quoted string
	cols   map[string]column // by role
	// status is a devices table's status column that no role reads
	// (quoted; "" when none): its values may say a unit is out of
	// service (export.StatusColumn).
	status, statusName string
}

// Check validates the mapping alone (roles, units), before any connection.
func (in *Input) Check() error {
	names, required, ok := export.KindColumns(in.Kind)
	if !ok {
		return &Problem{File: in.File, Line: in.Pos.Line, Col: in.Pos.Col, Message: fmt.Sprintf("metrics.inputs: unknown input %q", in.Kind)}
	}
	if in.Table == "" {
		return in.problem("", "table: name the table or view")
	}
	if parts := strings.Split(in.Table, "."); len(parts) > 2 || slices.Contains(parts, "") {
		return in.problem("", "table %q: write table or schema.table", in.Table)
	}
	for _, role := range slices.Sorted(maps.Keys(in.Columns)) {
		if !slices.Contains(names, role) {
			return in.problem(role, "columns: %s has no role %q (its roles: %s)", in.Kind, role, strings.Join(names, ", "))
		}
		if role == "session" {
			return in.problem(role, "columns: the database source does not apply sessions yet (the file reader does: a disconnect of an old session ends nothing); leave session out, or read the events from a file")
		}
		if in.Columns[role].Column == "" {
			return in.problem(role, "columns.%s: name the column", role)
		}
	}
	if in.Snapshot {
		if in.Kind != planfile.KindOTA {
			return in.problem("", "snapshot: applies to an ota table (final states without times)")
		}
		if _, ok := in.Columns["timestamp"]; ok {
			return in.problem("timestamp", "columns.timestamp: a snapshot's rows have no time (each is counted in any window); leave timestamp out, or snapshot: false to read the rows by their times")
		}
	}
	for _, role := range names[:required] {
		if _, ok := in.Columns[role]; !ok && !(in.Snapshot && role == "timestamp") {
			hint := ""
			if in.Kind == planfile.KindOTA && role == "timestamp" {
				hint = " (a table of final states without times: snapshot: true)"
			}
			return in.problem("", "columns: missing %s, which %s needs (its required roles: %s); map it to a column of %s%s",
				role, in.Kind, strings.Join(names[:required], ", "), in.Table, hint)
		}
	}
	return nil
}

func quoteTable(name string) string {
	return pgx.Identifier(strings.Split(name, ".")).Sanitize()
}

// resolve looks the input's table and columns up in the catalog and checks
// each column's type against its role.
func resolve(ctx context.Context, conn *pgx.Conn, in Input) (*table, error) {
	t := &table{Input: in, quoted: quoteTable(in.Table), cols: map[string]column{}}
	rows, err := conn.Query(ctx, `
SELECT a.attname, format_type(a.atttypid, a.atttypmod), ty.typcategory::text, ty.typname::text
FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, t.quoted)
	if err != nil {
		return nil, err
	}
	have := map[string]column{}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ, &c.cat, &c.typeID); err != nil {
			return nil, err
		}
		have[c.name] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, in.problem("", "table %s: no such table or view (names are case-sensitive; schema.table for one outside the search path)", in.Table)
	}
	for role, ref := range in.Columns {
		c, ok := have[ref.Column]
		if !ok {
			return nil, in.problem(role, "columns.%s: %s has no column %q (its columns: %s)", role, in.Table, ref.Column, strings.Join(slices.Sorted(maps.Keys(have)), ", "))
		}
		c.quoted = pgx.Identifier{ref.Column}.Sanitize()
		c.unit = ref.Unit
		if isTime(role) {
			switch {
			case c.typeID == "timestamptz" || c.typeID == "timestamp" || c.typeID == "date":
				if c.unit != "" {
					return nil, in.problem(role, "columns.%s: %s.%s is %s, not an integer epoch: leave out unit", role, in.Table, ref.Column, c.typ)
				}
				if c.typeID == "timestamp" {
					// a local time read as UTC is off by hours with no
					// other sign, as in files: the input names the zone
					if in.Zone == "" {
						return nil, in.problem(role, "columns.%s: %s.%s is %s, whose values have no zone: name it with tz: on the input (tz: UTC if they are UTC, else e.g. tz: Europe/Berlin)", role, in.Table, ref.Column, c.typ)
					}
					c.zone = in.Zone
				}
			case c.cat == "N":
				if c.unit == "" {
					return nil, in.problem(role, "columns.%s: %s.%s is %s: say its epoch unit, {column: %s, unit: ms} (s, ms, us or ns)", role, in.Table, ref.Column, c.typ, ref.Column)
				}
			default:
				return nil, in.problem(role, "columns.%s: %s.%s is %s; a time must be timestamptz, timestamp, date or an integer epoch with its unit (cast it in a view)", role, in.Table, ref.Column, c.typ)
			}
		} else if c.unit != "" {
			return nil, in.problem(role, "columns.%s: unit applies only to a timestamp column", role)
		}
		if role == "event" && in.Kind == planfile.KindEvents && export.OfflineColumn(c.name) {
			if err := offlineStates(ctx, conn, &in, t, c); err != nil {
				return nil, err
			}
		}
		t.cols[role] = c
	}
	if in.Kind == planfile.KindDevices {
		t.status, t.statusName = statusColumn(t, have)
	}
	return t, nil
}

// statusColumn is a devices table's status column that no role reads: its
// quoted name and its name ("" when none), the first in name order.
func statusColumn(t *table, have map[string]column) (quoted, name string) {
	for _, n := range slices.Sorted(maps.Keys(have)) {
		if !export.StatusColumn(n) {
			continue
		}
		mapped := false
		for _, c := range t.cols {
			mapped = mapped || c.name == n
		}
		if !mapped {
			return pgx.Identifier{n}.Sanitize(), n
		}
	}
	return "", ""
}

// offlineStates refuses an event column named for the offline state
// (is_offline) that holds booleans: a table is read with the default
// vocabulary, which takes true and 1 for a connect, so its every outage
// would count as connected time (export.OfflineColumn). A boolean or
// numeric column is refused from the catalog; a text one when a row
// spells a boolean.
func offlineStates(ctx context.Context, conn *pgx.Conn, in *Input, t *table, c column) error {
	view := fmt.Sprintf("CASE WHEN %s THEN 'disconnected' ELSE 'connected' END AS event", c.quoted)
	switch c.cat {
	case "B":
	case "N":
		view = fmt.Sprintf("CASE WHEN %s = 1 THEN 'disconnected' ELSE 'connected' END AS event", c.quoted)
	default:
		view = fmt.Sprintf("CASE WHEN lower(%s) IN ('true', 't', '1') THEN 'disconnected' ELSE 'connected' END AS event", c.quoted)
		var found bool
		err := conn.QueryRow(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE lower(btrim((%s)::text)) = ANY($1))", t.quoted, c.quoted),
			[]string{"true", "false", "t", "f", "1", "0"}).Scan(&found)
		if err != nil {
			return queryError(err, "event values")
		}
		if !found {
			return nil
		}
	}
	return in.problem("event", "columns.event: %s.%s is named for the offline state (true there is a disconnect) and holds booleans, which iotpm reads as a connect for true and 1: every outage would count as connected time; give it a view whose event says connected or disconnected (%s)",
		in.Table, c.name, view)
}

func isTime(role string) bool {
	switch role {
	case "timestamp", "shipped_at", "created_at", "retired_at":
		return true
	}
	return false
}

// timeExpr converts a time value (the column, or an aggregate of it) to
// µs since the epoch. timestamp (without zone) is read in the input's
// zone (resolve refuses one without), whatever the server's TimeZone.
func (c column) timeExpr(v string) string {
	if c.typeID == "int8" || c.typeID == "int4" || c.typeID == "int2" {
		// integer arithmetic: exact, and far cheaper than numeric per row
		switch c.unit {
		case "s":
			return fmt.Sprintf("(%s)::bigint * 1000000", v)
		case "ms":
			return fmt.Sprintf("(%s)::bigint * 1000", v)
		case "us":
			return fmt.Sprintf("(%s)::bigint", v)
		case "ns":
			return fmt.Sprintf("(%s)::bigint / 1000", v)
		}
	}
	switch c.unit {
	case "s":
		return fmt.Sprintf("round((%s)::numeric * 1000000)::bigint", v)
	case "ms":
		return fmt.Sprintf("round((%s)::numeric * 1000)::bigint", v)
	case "us":
		return fmt.Sprintf("round((%s)::numeric)::bigint", v)
	case "ns":
		return fmt.Sprintf("trunc((%s)::numeric / 1000)::bigint", v)
	}
	if c.typeID == "timestamp" && !isUTC(c.zone) {
		return fmt.Sprintf("(EXTRACT(EPOCH FROM %s) * 1000000)::bigint", localToUTC(v, c.zone))
	}
	// EXTRACT(EPOCH) of a timestamp (without zone) is its UTC reading
	return fmt.Sprintf("(EXTRACT(EPOCH FROM %s) * 1000000)::bigint", v)
}

// repeatedExpr is true for a local time v (a timestamp column read in a
// zone) in the hour repeated when daylight saving time ends: two instants
// have that wall time, and localToUTC takes the first. Empty when the
// column's values are not local times.
func (c column) repeatedExpr(v string) string {
	if c.typeID != "timestamp" || c.unit != "" || c.zone == "" || isUTC(c.zone) {
		return ""
	}
	z := "'" + strings.ReplaceAll(c.zone, "'", "''") + "'"
	t := fmt.Sprintf("((%s) AT TIME ZONE %s)", v, z)
	return fmt.Sprintf(`((%[2]s AT TIME ZONE %[3]s) = (%[1]s) AND (((%[2]s - interval '1 hour') AT TIME ZONE %[3]s) = (%[1]s) OR ((%[2]s - interval '30 minutes') AT TIME ZONE %[3]s) = (%[1]s)))`, v, t, z)
}

func isUTC(zone string) bool {
	switch zone {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal", "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Etc/Greenwich":
		return true
	}
	return false
}

// rawBound is a condition on the column itself — one an index on it, or
// a hypertable's chunk exclusion, can answer — that every row whose time
// (timeExpr, µs) is at least (op ">=") or at most (op "<=") the µs value
// param holds: a superset with a margin (a second, a unit, or a day for
// a zone-less timestamp whatever its zone), never narrower. Statements
// keep the exact condition beside it; this one only lets the server skip
// what cannot qualify. It is immutable in param, so a custom plan folds
// it to a constant.
func (c column) rawBound(op, param string) string {
	margin := "-"
	if op == "<=" {
		margin = "+"
	}
	// clamped to years 1…9999 (ns: the int64 nanosecond range), so that a
	// horizon of "no rows" (the least int64) converts without overflow
	lo, hi := "-62135596800000000", "253402300799000000"
	if c.unit == "ns" {
		lo, hi = "-9223372036854774", "9223372036854774"
	}
	param = fmt.Sprintf("greatest(least((%s)::bigint, %s), %s)", param, hi, lo)
	switch c.unit {
	case "s":
		return fmt.Sprintf("%s %s ((%s)::bigint / 1000000 %s 1)", c.quoted, op, param, margin)
	case "ms":
		return fmt.Sprintf("%s %s ((%s)::bigint / 1000 %s 1)", c.quoted, op, param, margin)
	case "us":
		return fmt.Sprintf("%s %s ((%s)::bigint %s 1)", c.quoted, op, param, margin)
	case "ns":
		return fmt.Sprintf("%s %s ((%s)::bigint * 1000 %s 1000)", c.quoted, op, param, margin)
	}
	switch c.typeID {
	case "timestamptz":
		return fmt.Sprintf("%s %s to_timestamp((%s)::float8 / 1000000 %s 1)", c.quoted, op, param, margin)
	case "timestamp":
		return fmt.Sprintf("%s %s (to_timestamp((%s)::float8 / 1000000) AT TIME ZONE 'UTC') %s interval '1 day'", c.quoted, op, param, margin)
	case "date":
		return fmt.Sprintf("%s %s (to_timestamp((%s)::float8 / 1000000) AT TIME ZONE 'UTC')::date %s 2", c.quoted, op, param, margin)
	}
	return "true"
}

// between is the rows of an input whose time may lie in [lo, hi] (µs
// parameters; "" leaves that side open), as raw bounds on its time column.
func (c column) between(lo, hi string) string {
	var conds []string
	if lo != "" {
		conds = append(conds, c.rawBound(">=", lo))
	}
	if hi != "" {
		conds = append(conds, c.rawBound("<=", hi))
	}
	return strings.Join(conds, " AND ")
}

// localToUTC is the instant (timestamptz) of local time v (a timestamp)
// in zone, by the file reader's rules: a local time that occurs twice
// (the hour repeated when daylight saving time ends) is its first
// occurrence; one that does not occur (the hour skipped when it starts)
// is NULL, a bad row. PostgreSQL's own AT TIME ZONE takes the second
// occurrence and moves a skipped time forward, so both are corrected
// here: a fold of 1 h or 30 min (Lord Howe) is looked for before it.
func localToUTC(v, zone string) string {
	z := "'" + strings.ReplaceAll(zone, "'", "''") + "'"
	t := fmt.Sprintf("((%s) AT TIME ZONE %s)", v, z)
	return fmt.Sprintf(`(CASE WHEN (%[2]s AT TIME ZONE %[3]s) <> (%[1]s) THEN NULL
  WHEN ((%[2]s - interval '1 hour') AT TIME ZONE %[3]s) = (%[1]s) THEN %[2]s - interval '1 hour'
  WHEN ((%[2]s - interval '30 minutes') AT TIME ZONE %[3]s) = (%[1]s) THEN %[2]s - interval '30 minutes'
  ELSE %[2]s END)`, v, t, z)
}

// connectError words a connection failure with the host and database,
// never the password.
//
// pgconn lists each address it tried on its own line (twice each when
// sslmode=prefer tries TLS and then plain): one line, each attempt once.
func connectError(cfg *pgconn.Config, err error) error {
	var pgErr *pgconn.PgError
	msg := err.Error()
	if errors.As(err, &pgErr) {
		msg = pgErr.Message
	}
	msg = oneLine(msg)
	if cfg != nil && cfg.Password != "" {
		if len(cfg.Password) < 8 && strings.Contains(msg, cfg.Password) {
			// masking a short password inside words shows it by its gap
			// ("passw********rd" for "o"): withhold the message instead
			msg = "the server's message is withheld (it contains the password's characters); check the DSN's user, password, host and database"
		} else {
			msg = strings.ReplaceAll(msg, cfg.Password, "********")
		}
	}
	where := "the database"
	if cfg != nil {
		where = fmt.Sprintf("database %q on %s", cfg.Database, cfg.Host)
		if !strings.HasPrefix(cfg.Host, "/") {
			where = fmt.Sprintf("database %q on %s:%d", cfg.Database, cfg.Host, cfg.Port)
		}
	}
	return fmt.Errorf("cannot connect to %s: %s", where, msg)
}

// oneLine joins a multi-line message's lines with "; ", each distinct
// line once, in order.
func oneLine(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 {
		return strings.Join(lines, "")
	}
	return strings.TrimSuffix(lines[0], ":") + ": " + strings.Join(lines[1:], "; ")
}
