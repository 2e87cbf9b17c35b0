package fleetdb

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
)

// badCheck is one way a row is bad, as the file reader calls it: the
// condition in SQL, what it says, and the row kind it is counted as.
type badCheck struct {
	what, cond, role string
	kind             export.RowKind
}

// badChecks are an input's bad-row conditions in the order the file
// reader tries them (the id, the time, the clock, the value, then the
// kind's own), so that a row failing two is counted once, under the same
// kind as from a file.
func (p *plan) badChecks(kind planfile.InputKind) []badCheck {
	t := p.tables[kind]
	var out []badCheck
	add := func(role string, problem export.RowProblem, what, cond string) {
		out = append(out, badCheck{what: what, cond: cond, role: role, kind: export.RowKind{Problem: problem, Role: role}})
	}
	empty := func(role string) {
		c := t.cols[role]
		add(role, export.EmptyValue, role+" is NULL or empty", fmt.Sprintf("%s IS NULL OR btrim((%[1]s)::text) = ''", c.quoted))
	}
	// a local time that does not occur in the input's zone is a bad row
	skipped := func(role string) {
		if c, ok := t.cols[role]; ok && c.typeID == "timestamp" && !isUTC(c.zone) {
			add(role, export.BadTimestamp, role+" is a local time that does not occur in "+c.zone+" (skipped when daylight saving time starts)",
				fmt.Sprintf("%s IS NOT NULL AND (%s) IS NULL", c.quoted, c.timeExpr(c.quoted)))
		}
	}
	// a time before 2001 is a clock never set, as in files
	past := func(role string) {
		if c, ok := t.cols[role]; ok {
			add(role, export.PastTimestamp, role+" is before 2001 (a device clock that was never set)", fmt.Sprintf("%s < @not_before", c.timeExpr(c.quoted)))
		}
	}
	id := "device_id"
	if kind == planfile.KindTickets {
		id = "customer_id"
	}
	empty(id)
	tsRole := rowTimeRole(kind)
	if ts, ok := t.cols[tsRole]; ok { // not in an OTA snapshot
		add(tsRole, export.BadTimestamp, tsRole+" is NULL", ts.quoted+" IS NULL")
		skipped(tsRole)
		if p.future && kind != planfile.KindDevices {
			// one row from the future would become the horizon and make a
			// stale table look fresh
			add(tsRole, export.FutureTimestamp, tsRole+" is later than the clock by more than a day (a clock or zone error at the source)", fmt.Sprintf("%s > @not_after", ts.timeExpr(ts.quoted)))
		}
		past(tsRole)
	}
	switch kind {
	case planfile.KindEvents:
		add("event", export.UnknownValue, "unknown event value (NULL, empty or not in the vocabulary)", fmt.Sprintf("(%s) IS NULL", stateExpr(t.cols["event"])))
		if _, ok := t.cols["sequence"]; ok {
			empty("sequence")
		}
	case planfile.KindOTA:
		add("status", export.UnknownValue, "unknown status value (NULL, empty or not in the vocabulary)", fmt.Sprintf("(%s) IS NULL", classExpr(t.cols["status"])))
		empty("job_id")
	case planfile.KindDevices:
		skipped("retired_at")
		past("retired_at")
	}
	return out
}

// rowTimeRole is the time every row of a kind must have (the file
// reader's: a devices row's shipped_at).
func rowTimeRole(kind planfile.InputKind) string {
	if kind == planfile.KindDevices {
		return "shipped_at"
	}
	return timeRole(kind)
}

// badExpr is true for an input's bad rows (NULL when none can be).
func (p *plan) badExpr(kind planfile.InputKind) string {
	var conds []string
	for _, c := range p.badChecks(kind) {
		conds = append(conds, "("+c.cond+")")
	}
	if len(conds) == 0 {
		return "false"
	}
	return strings.Join(conds, " OR ")
}

// from is what a statement reads an input from: its table, or — when
// --max-bad-rows let the run go on past bad rows (account) — the table
// without them, as the file reader skips them.
func (p *plan) from(kind planfile.InputKind) string {
	t := p.tables[kind]
	if !p.skip[kind] {
		return t.quoted
	}
	return fmt.Sprintf("(SELECT * FROM %s WHERE NOT coalesce(%s, false)) AS good", t.quoted, p.badExpr(kind))
}

// checkSQL counts an input's rows, the used ones and their time span, and
// its bad rows by the first check each fails (badChecks), with one
// example each. Columns: read, used, earliest, latest, the rows whose
// local time falls in the hour repeated when daylight saving time ends
// and the first of those times (text), the window's stretches that hold
// good rows and their rows (export.Busy; a stretch once per group of
// rows, its rows in parts), then per check (count, example).
func (p *plan) checkSQL(kind planfile.InputKind) (sql string, checks []badCheck) {
	t := p.tables[kind]
	checks = p.badChecks(kind)
	// a bad row is shown by its key (the device or customer id), never by
	// the value that is wrong: a table may hold what a message must not
	// echo (the planning repo is a pull request's, the database is not)
	keyRole := "device_id"
	if kind == planfile.KindTickets {
		keyRole = "customer_id"
	}
	why := "NULL::int"
	if len(checks) > 0 {
		var b strings.Builder
		b.WriteString("CASE")
		for i, c := range checks {
			fmt.Fprintf(&b, " WHEN %s THEN %d", c.cond, i)
		}
		b.WriteString(" END")
		why = b.String()
	}
	c, timed := t.cols[rowTimeRole(kind)]
	ts, used := "NULL::bigint", "true" // a snapshot's rows count in any window
	if timed {
		ts = c.timeExpr(c.quoted)
	}
	switch {
	case !timed:
	case kind == planfile.KindEvents || kind == planfile.KindActivity:
		used = ts + " < @use_until"
	case kind == planfile.KindOTA || kind == planfile.KindUsage || kind == planfile.KindTickets:
		used = fmt.Sprintf("%s >= @from AND %[1]s < @to", ts)
	}
	if kind == planfile.KindDevices {
		ts = "NULL::bigint"
	}
	// the stretch of the window a row lies in (export.Busy): which hold a
	// row, for the gap warning
	busy := "NULL::bigint"
	if timed && kind != planfile.KindDevices {
		busy = fmt.Sprintf("CASE WHEN %s >= @from AND %[1]s < @to THEN (%[1]s - @from) / %d END", ts, export.BusyWidth)
	}
	rep, repAt := "false", "NULL::text"
	if timed {
		if r := c.repeatedExpr(c.quoted); r != "" {
			rep, repAt = r, fmt.Sprintf("to_char(%s, 'YYYY-MM-DD HH24:MI:SS')", c.quoted)
		}
	}
	// grouped by (why, used) first: a row's checks — the vocabulary's
	// normalisation above all — run once, not once per aggregate that
	// names why (a flattened subquery's expression is copied into each)
	sel := []string{"coalesce(sum(n), 0)::bigint", "coalesce(sum(n) FILTER (WHERE why IS NULL AND used), 0)::bigint", "min(t0) FILTER (WHERE why IS NULL)", "max(t1) FILTER (WHERE why IS NULL)",
		"coalesce(sum(n) FILTER (WHERE why IS NULL AND rep), 0)::bigint", "min(r) FILTER (WHERE why IS NULL AND rep)",
		"array_agg(b ORDER BY b) FILTER (WHERE why IS NULL AND b IS NOT NULL)", "array_agg(n ORDER BY b) FILTER (WHERE why IS NULL AND b IS NOT NULL)"}
	for i := range checks {
		sel = append(sel, fmt.Sprintf("coalesce(sum(n) FILTER (WHERE why = %d), 0)::bigint", i), fmt.Sprintf("min(k) FILTER (WHERE why = %d)", i))
	}
	return fmt.Sprintf(`SELECT %s
FROM (
  SELECT why, used, rep, b, count(*) AS n, min(t) AS t0, max(t) AS t1, min(k) FILTER (WHERE why IS NOT NULL) AS k, min(r) AS r FROM (
    SELECT %s AS why, %s AS used, %s AS t, %s AS k, %s AS rep, %s AS r, %s AS b FROM %s
  ) x GROUP BY why, used, rep, b
) g`, strings.Join(sel, ",\n  "), why, used, ts, textExpr(t.cols[keyRole]), rep, repAt, busy, t.quoted), checks
}

// joinSQL counts an input's distinct ids and those the devices input does
// not list (tickets: customer ids), with one of each side.
func (p *plan) joinSQL(kind planfile.InputKind) string {
	t := p.tables[kind]
	role, known := "device_id", "SELECT device_id AS id FROM dev"
	if kind == planfile.KindTickets {
		role, known = "customer_id", "SELECT customer_id AS id FROM dev WHERE customer_id IS NOT NULL"
	}
	id, text := textExpr(t.cols[role]), func(x string) string { return x }
	if kind != planfile.KindTickets {
		id, text = p.idExpr(t.cols[role]), p.idText
	}
	return p.joinNotesSQL(fmt.Sprintf("SELECT DISTINCT %s AS id FROM %s", id, p.from(kind)), known, text)
}

// setupJoinNotesSQL is joinSQL for the device ids of the onboarding rows
// (a file's, @setup_ids), compared with the devices input's as text.
func (p *plan) setupJoinNotesSQL() string {
	return p.joinNotesSQL("SELECT DISTINCT x AS id FROM unnest(@setup_ids) AS x", "SELECT "+p.idText("device_id")+" AS id FROM dev", func(x string) string { return x })
}

// joinNotesSQL counts the distinct ids the ids statement gives and those
// the known statement does not, with one of each side, and the unknown
// ones that are a known id but for letter case or form; text is an id as
// text.
func (p *plan) joinNotesSQL(ids, known string, text func(string) string) string {
	// unknown ids that are a known id but for letter case: one device
	// split in two by an export that changed the case (the files'
	// metrics.Join.CaseOnly)
	return with(p.devCTE(), "ids AS (\n  "+ids+"\n)", "known AS (\n  "+known+"\n)",
		"unk AS (\n  SELECT i.id FROM ids i LEFT JOIN (SELECT DISTINCT id FROM known) k USING (id) WHERE k.id IS NULL\n)",
		"twins AS (\n  SELECT "+text("u.id")+" AS id, min("+text("k.id")+") AS twin FROM unk u JOIN (SELECT DISTINCT id FROM known) k ON lower("+text("u.id")+") = lower("+text("k.id")+") GROUP BY 1\n)",
		// the others that are a known id written otherwise: separators,
		// an "eui-" prefix (metrics.Join.FormOnly)
		"forms AS (\n  SELECT "+text("u.id")+" AS id, min("+text("k.id")+") AS twin FROM unk u JOIN (SELECT DISTINCT id FROM known) k ON "+formExpr(text("u.id"))+" = "+formExpr(text("k.id"))+
			" WHERE length("+formExpr(text("u.id"))+") >= 4 AND "+text("u.id")+" NOT IN (SELECT id FROM twins) GROUP BY 1\n)") +
		`SELECT (SELECT count(*) FROM ids), (SELECT count(*) FROM unk), (SELECT min(` + text("id") + `) FROM unk), (SELECT min(` + text("id") + `) FROM known),
  (SELECT count(*) FROM twins), (SELECT min(id) FROM twins), (SELECT twin FROM twins ORDER BY id LIMIT 1),
  (SELECT count(*) FROM forms), (SELECT min(id) FROM forms), (SELECT twin FROM forms ORDER BY id LIMIT 1)`
}

// formExpr is an id text x as its ASCII letters and digits in lower case,
// without a leading "eui" before 16 hex digits: metrics.IDForm. The other
// characters go before lower() (which may map a non-ASCII letter to an
// ASCII one), and the class lists its characters (a range's meaning may
// follow the collation).
func formExpr(x string) string {
	f := "lower(regexp_replace(" + x + ", '[^0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz]', '', 'g'))"
	return "(CASE WHEN " + f + " ~ '^eui[0123456789abcdef]{16}$' THEN substr(" + f + ", 4) ELSE " + f + " END)"
}

// duplicateDevicesSQL counts device ids listed more than once with
// different rows, with one of them. (Duplicate events are counted by the
// uptime query, which builds the deduplicated events anyway.)
func (p *plan) duplicateDevicesSQL() string {
	return with(p.devCTE()) + "SELECT count(*), min(" + p.idText("device_id") + ") FROM (SELECT device_id FROM dev GROUP BY device_id HAVING count(*) > 1) x"
}

// duplicateTicketsSQL counts the rows of a tickets table after the first
// of each customer's ticket id: one ticket each (metrics.Data.AddTicketRow).
func (p *plan) duplicateTicketsSQL() string {
	t := p.tables[planfile.KindTickets]
	return fmt.Sprintf(`SELECT coalesce(sum(n - 1), 0)::bigint FROM (
  SELECT %s AS customer_id, %s AS tid, count(*) AS n FROM %s GROUP BY 1, 2
) x WHERE tid IS NOT NULL`, textExpr(t.cols["customer_id"]), ticketIDExpr(t.cols["ticket_id"]), p.from(planfile.KindTickets))
}

// snapshotConflictsSQL counts the job executions of an OTA snapshot table
// with rows of different states, with one of them: a file's later row
// wins, a table's rows have no order.
func (p *plan) snapshotConflictsSQL() string {
	t := p.tables[planfile.KindOTA]
	return fmt.Sprintf(`SELECT count(*), min(device_id || ' / ' || job) FROM (
  SELECT %s AS device_id, %s AS job FROM %s
  GROUP BY 1, 2 HAVING count(DISTINCT %s) > 1
) x`, textExpr(t.cols["device_id"]), textExpr(t.cols["job_id"]), p.from(planfile.KindOTA), classExpr(t.cols["status"]))
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
