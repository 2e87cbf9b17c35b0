package fleetdb

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
)

// checkSQL counts an input's rows and everything the file reader would
// call a bad row — a NULL or empty required value, an event or status the
// vocabulary does not know — with one example each, and the time span.
// Columns: read, used, earliest, latest, then per check (count, example).
func (p *plan) checkSQL(kind planfile.InputKind) (sql string, checks []string) {
	t := p.tables[kind]
	names, required, _ := export.KindColumns(kind)
	var sel []string
	// a bad row is shown by its key (the device or customer id), never by
	// the value that is wrong: a table may hold what a message must not
	// echo (the planning repo is a pull request's, the database is not)
	keyRole := "device_id"
	if kind == planfile.KindTickets {
		keyRole = "customer_id"
	}
	key := textExpr(t.cols[keyRole])
	add := func(what, cond, _ string) {
		checks = append(checks, what)
		sel = append(sel, fmt.Sprintf("count(*) FILTER (WHERE %s)", cond), fmt.Sprintf("min(%s) FILTER (WHERE %s)", key, cond))
	}
	// a local time that does not occur in the input's zone is a bad row
	skipped := func(role string, c column) {
		if c.typeID == "timestamp" && !isUTC(c.zone) {
			add(role+" is a local time that does not occur in "+c.zone+" (skipped when daylight saving time starts)",
				fmt.Sprintf("%s IS NOT NULL AND (%s) IS NULL", c.quoted, c.timeExpr(c.quoted)), c.quoted)
		}
	}
	for _, role := range names[:required] {
		c := t.cols[role]
		if isTime(role) {
			add(role+" is NULL", c.quoted+" IS NULL", "NULL")
			skipped(role, c)
			continue
		}
		add(role+" is NULL or empty", fmt.Sprintf("%s IS NULL OR btrim((%[1]s)::text) = ''", c.quoted), "NULL")
		switch {
		case kind == planfile.KindEvents && role == "event":
			add("unknown event value", fmt.Sprintf("%s IS NOT NULL AND (%s) IS NULL", c.quoted, stateExpr(c)), c.quoted)
		case kind == planfile.KindOTA && role == "status":
			add("unknown status value", fmt.Sprintf("%s IS NOT NULL AND (%s) IS NULL", c.quoted, classExpr(c)), c.quoted)
		}
	}
	for _, role := range names[required:] {
		if c, ok := t.cols[role]; ok && isTime(role) {
			skipped(role, c)
		}
	}
	if c, ok := t.cols["sequence"]; ok && kind == planfile.KindEvents {
		add("sequence is NULL or empty", fmt.Sprintf("%s IS NULL OR btrim((%[1]s)::text) = ''", c.quoted), "NULL")
	}
	tsRole := map[planfile.InputKind]string{planfile.KindDevices: "shipped_at", planfile.KindTickets: "created_at"}[kind]
	if tsRole == "" {
		tsRole = "timestamp"
	}
	c := t.cols[tsRole]
	ts := c.timeExpr(c.quoted)
	if p.future && kind != planfile.KindDevices {
		// one row from the future would become the horizon and make a
		// stale table look fresh
		add(tsRole+" is later than the clock by more than a day (a clock or zone error at the source)", fmt.Sprintf("%s > @not_after", ts), c.quoted)
	}
	used := "true"
	switch kind {
	case planfile.KindEvents, planfile.KindActivity:
		used = ts + " < @use_until"
	case planfile.KindOTA, planfile.KindUsage, planfile.KindTickets:
		used = fmt.Sprintf("%s >= @from AND %[1]s < @to", ts)
	}
	span := fmt.Sprintf("min(%s), max(%[1]s)", ts)
	if kind == planfile.KindDevices {
		span = "NULL::bigint, NULL::bigint"
	}
	return fmt.Sprintf("SELECT count(*), count(*) FILTER (WHERE %s), %s,\n  %s\nFROM %s", used, span, strings.Join(sel, ",\n  "), t.quoted), checks
}

// joinSQL counts an input's distinct ids and those the devices input does
// not list (tickets: customer ids), with one of each side.
func (p *plan) joinSQL(kind planfile.InputKind) string {
	t := p.tables[kind]
	role, known := "device_id", "SELECT device_id AS id FROM dev"
	if kind == planfile.KindTickets {
		role, known = "customer_id", "SELECT customer_id AS id FROM dev WHERE customer_id IS NOT NULL"
	}
	return with(p.devCTE(), fmt.Sprintf("ids AS (\n  SELECT DISTINCT %s AS id FROM %s\n)", textExpr(t.cols[role]), t.quoted), "known AS (\n  "+known+"\n)") +
		`SELECT count(*), count(*) FILTER (WHERE k.id IS NULL), min(i.id) FILTER (WHERE k.id IS NULL), (SELECT min(id) FROM known)
FROM ids i LEFT JOIN (SELECT DISTINCT id FROM known) k USING (id)`
}

// duplicateDevicesSQL counts device ids listed more than once with
// different rows, with one of them. (Duplicate events are counted by the
// uptime query, which builds the deduplicated events anyway.)
func (p *plan) duplicateDevicesSQL() string {
	return with(p.devCTE()) + "SELECT count(*), min(device_id) FROM (SELECT device_id FROM dev GROUP BY device_id HAVING count(*) > 1) x"
}

// orderedKinds are the inputs of the plan in reading order.
func (p *plan) orderedKinds() []planfile.InputKind {
	var out []planfile.InputKind
	for _, k := range planfile.InputKinds {
		if p.has(k) {
			out = append(out, k)
		}
	}
	return out
}
