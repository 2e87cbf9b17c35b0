package fleetdb

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/planfile"
)

// The definitions in SQL. Every time is a bigint of µs since the epoch, as
// in pkg/metrics; −∞ and +∞ are ±4·10¹⁸ (far past any real time, far from
// overflowing when a dormancy threshold is added). Values come in as
// parameters (@name, bound positionally), identifiers from the mapping are
// quoted. Every per-device step is a window function or an aggregate
// PARTITIONed or GROUPed BY device_id first, so Citus can run it on the
// worker that holds the device.

const (
	negInf = "(-4000000000000000000)::bigint"
	posInf = "(4000000000000000000)::bigint"
)

// normExpr compares values as the file reader does: lower case, trimmed,
// without blanks, '_', '-' and '.' except next to a digit ("-1" is not
// "1"). translate does the common case (no digit) fast; the regular
// expression only runs on values with a digit.
func normExpr(v string) string {
	t := fmt.Sprintf(`lower(btrim((%s)::text, E' \t\n\r\f' || chr(11)))`, v)
	return fmt.Sprintf(`(CASE WHEN %[1]s ~ '[0-9]' THEN regexp_replace(%[1]s, E'(?<![0-9])[ \t_.-](?![0-9])', '', 'g') ELSE translate(%[1]s, E' \t_.-', '') END)`, t)
}

// textExpr is an id column as text (ids of any type join as text).
func textExpr(c column) string { return fmt.Sprintf("(%s)::text", c.quoted) }

// plan holds the resolved inputs of one run.
type plan struct {
	tables map[planfile.InputKind]*table
	// future: rows later than @not_after are bad rows (Job.Now is set).
	future bool
	// skip: the inputs whose bad rows the statements leave out (their
	// count is within Job.MaxBadRows); without, a bad row stops the run.
	skip map[planfile.InputKind]bool
}

func (p *plan) has(kind planfile.InputKind) bool { _, ok := p.tables[kind]; return ok }

// devCTE: the devices input, one row per device (Run checks ids are unique).
func (p *plan) devCTE() string {
	t := p.tables[planfile.KindDevices]
	cust, ret, model, fw := "NULL::text", "NULL::bigint", "NULL::text", "NULL::text"
	if c, ok := t.cols["customer_id"]; ok {
		cust = fmt.Sprintf("NULLIF(btrim((%s)::text, E' \\t'), '')", c.quoted)
	}
	if c, ok := t.cols["firmware"]; ok {
		fw = fmt.Sprintf("NULLIF(btrim((%s)::text, E' \\t'), '')", c.quoted)
	}
	if c, ok := t.cols["model"]; ok {
		model = fmt.Sprintf("NULLIF(btrim((%s)::text, E' \\t'), '')", c.quoted)
	}
	if c, ok := t.cols["retired_at"]; ok {
		ret = c.timeExpr(c.quoted)
	}
	sh := t.cols["shipped_at"]
	return fmt.Sprintf(`dev AS (
  SELECT DISTINCT %s AS device_id, %s AS shipped, %s AS customer_id, %s AS retired, %s AS model, %s AS firmware
  FROM %s
)`, textExpr(t.cols["device_id"]), sh.timeExpr(sh.quoted), cust, ret, model, fw, p.from(planfile.KindDevices))
}

// dmCTE: each listed device's mode — every (P, µs; 0: always connected)
// and reach (g·P) of its model's profile, the profile, and whether its
// model value names none (@model_* are Options.Models, by value).
func (p *plan) dmCTE() string {
	if !p.has(planfile.KindDevices) {
		return "dm AS (SELECT NULL::text AS device_id, NULL::text AS profile, 0::bigint AS every, 0::bigint AS reach, false AS unknown, NULL::text AS model WHERE false)"
	}
	return `md AS (
  SELECT * FROM unnest(@model_values::text[], @model_profiles::text[], @model_every::bigint[], @model_reach::bigint[]) AS m(model, profile, every, reach)
),
dm AS (
  SELECT d.device_id, m.profile, coalesce(m.every, 0) AS every, coalesce(m.reach, 0) AS reach,
         (d.model IS NOT NULL AND m.model IS NULL) AS unknown, d.model
  FROM dev d LEFT JOIN md m ON m.model = d.model
)`
}

// stateExpr classifies an event value: 1 connect, 0 disconnect, NULL other.
func stateExpr(c column) string {
	return vocabExpr(c, []string{"@connect", "@disconnect"}, []int{1, 0})
}

// classExpr classifies an OTA status: 0 success, 1 failure, 2 excluded,
// 3 pending, NULL other.
func classExpr(c column) string {
	return vocabExpr(c, []string{"@success", "@failure", "@excluded", "@pending"}, []int{0, 1, 2, 3})
}

// vocabExpr is the class of a value by the vocabulary words (lists[i]
// holds the words of class classes[i]), compared as normExpr says. A value
// spelled exactly as a word is compared as it is first: every word is its
// own normal form (TestVocabularyIsNormal), so that answer is normExpr's,
// and the normalisation — most of the time of a scan that classifies
// each row — runs only for the other spellings.
func vocabExpr(c column, lists []string, classes []int) string {
	var b strings.Builder
	b.WriteString("CASE")
	for i, l := range lists {
		fmt.Fprintf(&b, " WHEN (%s)::text = ANY(%s) THEN %d", c.quoted, l, classes[i])
	}
	n := normExpr(c.quoted)
	for i, l := range lists {
		fmt.Fprintf(&b, " WHEN %s = ANY(%s) THEN %d", n, l, classes[i])
	}
	b.WriteString(" END")
	return b.String()
}

// sequenced reports whether the events are ordered by a sequence column
// (else by time).
func (p *plan) sequenced() bool {
	_, ok := p.tables[planfile.KindEvents].cols["sequence"]
	return ok
}

// ev0CTE: the event rows by time as read — device, time, state (NULL: not
// a connection event) — duplicates and all.
func (p *plan) ev0CTE() string {
	t := p.tables[planfile.KindEvents]
	ts := t.cols["timestamp"]
	return fmt.Sprintf(`ev0 AS (
  SELECT %s AS device_id, %s AS t, %s AS s FROM %s
)`, textExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), stateExpr(t.cols["event"]), p.from(planfile.KindEvents))
}

// evCTEs: the connection events in the order the metrics walk them — ev
// (device_id, t, s, o): t the effective time, s the state, o the order
// within the device — with exact duplicates used once.
func (p *plan) evCTEs() string {
	t := p.tables[planfile.KindEvents]
	id, ts := textExpr(t.cols["device_id"]), t.cols["timestamp"]
	seq, sequenced := t.cols["sequence"]
	if !sequenced {
		// by time, a disconnect before a connect at the same instant
		return p.ev0CTE() + `,
ev AS (
  SELECT DISTINCT device_id, t, s, t * 2 + s AS o FROM ev0 WHERE s IS NOT NULL
)`
	}
	// by sequence: numerically when every value of the device is digits
	// (and fits 64 bits), else as bytes; a connect before a disconnect at
	// equal sequence, then by time; epochs when a numeric sequence drops
	// after a gap of at least the reset; the earliest copy of a repeated
	// (epoch, sequence, state) kept; effective time = running maximum.
	b := &strings.Builder{}
	fmt.Fprintf(b, `ev0 AS (
  SELECT %s AS device_id, %s AS t, %s AS s, btrim((%s)::text, E' \t') AS q FROM %s
),
ev1 AS (
  SELECT device_id, t, s, q,
         bool_and(CASE WHEN q ~ '^[0-9]{1,20}$' THEN q::numeric <= 18446744073709551615 ELSE false END)
           OVER (PARTITION BY device_id) AS num
  FROM ev0 WHERE s IS NOT NULL
),
ev2 AS (
  SELECT device_id, t, s, q, num, CASE WHEN num THEN q::numeric END AS qn FROM ev1
)`, id, ts.timeExpr(ts.quoted), stateExpr(t.cols["event"]), seq.quoted, p.from(planfile.KindEvents))
	epochs := "ev3 AS (SELECT *, 0 AS epoch FROM ev2)"
	if t.SequenceReset > 0 {
		// blocks: runs of events without a gap ≥ reset; a block starts a
		// new epoch when its first value is below the epoch's maximum so
		// far. That maximum is always the previous block's own maximum: a
		// block that starts no new epoch begins at or above the maximum so
		// far, so its own maximum is the new one. Hence a lag, not a
		// recursion (which Citus would refuse: it runs recursive CTEs only
		// for a single distribution-column value).
		epochs = `gaps AS (
  SELECT *, CASE WHEN num AND t - lag(t) OVER (PARTITION BY device_id ORDER BY t, qn) >= @reset THEN 1 ELSE 0 END AS brk
  FROM ev2
),
blk AS (
  SELECT *, sum(brk) OVER (PARTITION BY device_id ORDER BY t, qn ROWS UNBOUNDED PRECEDING) AS b FROM gaps
),
blocks AS (
  SELECT device_id, b, (array_agg(qn ORDER BY t, qn))[1] AS f, max(qn) AS m FROM blk GROUP BY device_id, b
),
starts AS (
  SELECT device_id, b, CASE WHEN f < lag(m) OVER (PARTITION BY device_id ORDER BY b) THEN 1 ELSE 0 END AS starts FROM blocks
),
epochs AS (
  SELECT device_id, b, sum(starts) OVER (PARTITION BY device_id ORDER BY b ROWS UNBOUNDED PRECEDING) AS epoch FROM starts
),
ev3 AS (
  SELECT blk.device_id, blk.t, blk.s, blk.q, blk.num, blk.qn, epochs.epoch
  FROM blk JOIN epochs USING (device_id, b)
)`
	}
	b.WriteString(",\n" + epochs + ",\n")
	b.WriteString(`ev4 AS (
  SELECT *, row_number() OVER (PARTITION BY device_id, epoch, q, s ORDER BY t) AS copy FROM ev3
),
ev AS (
  SELECT device_id, s,
         max(t) OVER (PARTITION BY device_id ORDER BY epoch, qn, CASE WHEN num THEN NULL ELSE q END COLLATE "C", s DESC, t ROWS UNBOUNDED PRECEDING) AS t,
         row_number() OVER (PARTITION BY device_id ORDER BY epoch, qn, CASE WHEN num THEN NULL ELSE q END COLLATE "C", s DESC, t) AS o
  FROM ev4 WHERE copy = 1
)`)
	return b.String()
}

// actCTE: the activity rows.
func (p *plan) actCTE() string {
	t := p.tables[planfile.KindActivity]
	ts := t.cols["timestamp"]
	return fmt.Sprintf("act AS (\n  SELECT %s AS device_id, %s AS t FROM %s\n)", textExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), p.from(planfile.KindActivity))
}

// devRef is the devices input, or an empty one, for the joins below.
func (p *plan) devRef() string {
	if p.has(planfile.KindDevices) {
		return "dev d"
	}
	return "(SELECT NULL::text AS device_id, NULL::bigint AS shipped, NULL::text AS customer_id, NULL::bigint AS retired, NULL::text AS model WHERE false) d"
}

// walkFrom is the earliest time any statement clips pieces or counts event
// rows from: the window's start, the series' first month, the fleet
// lookback's first day.
const walkFrom = "least(@from, (@bounds::bigint[])[1], (floor(@horizon::numeric / 86400000000)::bigint - @lookback_days) * 86400000000)"

// walkCTEs: each device's service period cut into pieces of known state
// (a leading disconnect: connected from max(shipped, D0), D0 the earliest
// event that counts)
// (k: 1 connected, 0 down, 2 dormant), clipped to [S, min(R, H)), the
// empty ones left out (pc: only device id, mode, state and span, so that
// the rows every statement reads stay narrow); and
// the event rows that count from walkFrom on (re: no statement counts an
// earlier one).
//
// One aggregate over all events (evd) gives per device what the
// history contributes: its events used once (n), its first event (f) and
// first connect (fc) — its service start — its last connect before
// walkFrom (c), its earliest time (D0 is the least) and its disconnects
// that count (nd, the planned ones of a check-in device); vd adds the
// device's own columns and its service start. The walk (ew) then skips
// the device's events before c but f and fc: a connect ends
// any disconnect run, so from it on every piece, and the dormancy clock,
// are those of the whole walk, and the pieces before it are clipped away.
// Only the rows the walk keeps are joined to the devices and sorted.
func (p *plan) walkCTEs() string {
	// ine: event x counts (not before the device shipped — alias's
	// column — and not after H)
	ine := func(alias string) string {
		return fmt.Sprintf("(%[1]s.shipped IS NULL OR x.t >= %[1]s.shipped) AND x.t <= @horizon", alias)
	}
	// st0: an always-connected device's service start S — its first event
	// when that is a connect, else max(shipped, D0) (a leading disconnect)
	st0 := fmt.Sprintf("CASE WHEN v.fc = v.f THEN v.t0 ELSE greatest(coalesce(d.shipped, %s), (SELECT min(t0) FROM evd)) END", negInf)
	return fmt.Sprintf(`evd AS (
  SELECT x.device_id, count(*) AS n, min(x.o) FILTER (WHERE %[4]s) AS f, min(x.o) FILTER (WHERE %[4]s AND x.s = 1) AS fc,
         max(x.o) FILTER (WHERE %[4]s AND x.s = 1 AND x.t < %[3]s) AS c, min(x.t) FILTER (WHERE %[4]s) AS t0,
         count(*) FILTER (WHERE %[4]s AND x.s = 0) AS nd
  FROM ev x LEFT JOIN %[2]s USING (device_id) GROUP BY x.device_id
),
vd AS (
  SELECT v.*, d.shipped, d.retired, coalesce(m.every, 0) AS every, m.reach, %[5]s AS st0
  FROM evd v LEFT JOIN %[2]s USING (device_id) LEFT JOIN dm m USING (device_id)
),
ew AS (
  SELECT x.device_id, x.t, x.s, x.o, v.retired, v.every, v.reach, v.st0
  FROM ev x JOIN vd v USING (device_id)
  WHERE %[6]s AND (v.c IS NULL OR x.o >= v.c OR x.o = v.f OR x.o = v.fc)
),
stw AS (
  SELECT device_id, st0 FROM vd WHERE f IS NOT NULL AND every = 0
),
w AS (
  SELECT device_id, t, s, o, st0, least(coalesce(retired, %[1]s), @horizon) AS en, lead(t) OVER p AS nt, lag(s) OVER p AS ps
  FROM ew WHERE every = 0 WINDOW p AS (PARTITION BY device_id ORDER BY o)
),
w2 AS (
  SELECT device_id, t, s, nt, ps, st0, en,
         max(CASE WHEN s = 0 AND (ps IS NULL OR ps = 1) THEN t END) OVER (PARTITION BY device_id ORDER BY o ROWS UNBOUNDED PRECEDING) AS down
  FROM w
),
seg AS (
  SELECT w2.device_id, w2.st0, w2.en, g.s, g.a, g.b, g.down
  FROM w2 CROSS JOIN LATERAL (VALUES
    (w2.s, w2.t, coalesce(w2.nt, %[1]s), w2.down, true),
    (1, w2.st0, w2.t, NULL::bigint, w2.ps IS NULL AND w2.s = 0)
  ) AS g(s, a, b, down, keep)
  WHERE g.keep
),
ci0 AS (
  SELECT device_id, t, every, reach, retired FROM ew WHERE every > 0 AND s = 1
  UNION ALL
  SELECT a.device_id, a.t, m.every, m.reach, d.retired FROM ra a JOIN dm m USING (device_id) JOIN %[2]s USING (device_id) WHERE m.every > 0
),
ci AS (
  SELECT ci0.*, lead(t) OVER (PARTITION BY device_id ORDER BY t) AS nt, min(t) OVER (PARTITION BY device_id) AS st0,
         least(coalesce(retired, %[1]s), @horizon) AS en
  FROM ci0
),
pc AS (
  SELECT g.device_id, 0::bigint AS every, v.k, greatest(v.a, g.st0) AS a, least(v.b, g.en) AS b
  FROM seg g CROSS JOIN LATERAL (VALUES
    (g.s, g.a, CASE WHEN g.s = 1 OR @dormant <= 0 THEN g.b ELSE least(g.b, g.down + @dormant) END),
    (2, CASE WHEN g.s = 0 AND @dormant > 0 THEN greatest(g.a, g.down + @dormant) ELSE g.b END, g.b)
  ) AS v(k, a, b)
  WHERE least(v.b, g.en) > greatest(v.a, g.st0)
  UNION ALL
  SELECT c.device_id, c.every, v.k, greatest(v.a, c.st0), least(v.b, c.en)
  FROM ci c CROSS JOIN LATERAL (VALUES
    (1, c.t, least(c.t + c.reach, coalesce(c.nt, %[1]s))),
    (0, c.t + c.reach, CASE WHEN @dormant > 0 THEN least(coalesce(c.nt, %[1]s), c.t + c.reach + @dormant) ELSE coalesce(c.nt, %[1]s) END),
    (2, CASE WHEN @dormant > 0 THEN c.t + c.reach + @dormant ELSE %[1]s END, coalesce(c.nt, %[1]s))
  ) AS v(k, a, b)
  WHERE least(v.b, c.en) > greatest(v.a, c.st0)
),
pd AS (
  SELECT device_id, max(every) AS every,
         sum(CASE WHEN k < 2 THEN greatest(least(b, @to) - greatest(a, @from), 0) ELSE 0 END)::bigint AS obs,
         sum(CASE WHEN k = 1 THEN greatest(least(b, @to) - greatest(a, @from), 0) ELSE 0 END)::bigint AS conn,
         bool_or(k = 2 AND least(b, @to) > greatest(a, @from)) AS dorm,
         sum(CASE WHEN k = 0 AND every > 0 AND least(b, @to) > greatest(a, @from)
                  THEN (least(b, @to) - greatest(a, @from) + every - 1) / every ELSE 0 END)::bigint AS missed
  FROM pc GROUP BY device_id
),
re AS (
  SELECT device_id, t, s FROM ew WHERE t < coalesce(retired, %[1]s) AND t >= %[3]s
)`, posInf, p.devRef(), walkFrom, ine("d"), st0, ine("v"))
}

// raCTE: activity rows inside the service period, not after H.
func (p *plan) raCTE() string {
	return fmt.Sprintf(`ra AS (
  SELECT a.device_id, a.t FROM act a LEFT JOIN %s USING (device_id)
  WHERE (d.shipped IS NULL OR a.t >= d.shipped) AND a.t < coalesce(d.retired, %s) AND a.t <= @horizon
)`, p.devRef(), posInf)
}

// with assembles a WITH clause from CTEs in order.
func with(ctes ...string) string {
	var keep []string
	for _, c := range ctes {
		if c != "" {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return "WITH " + strings.Join(keep, ",\n") + "\n"
}

// baseCTEs are the inputs' CTEs the device metrics need.
func (p *plan) baseCTEs() []string {
	var out []string
	if p.has(planfile.KindDevices) {
		out = append(out, p.devCTE())
	}
	if p.has(planfile.KindEvents) {
		out = append(out, p.evCTEs())
	} else {
		out = append(out, "ev AS (SELECT NULL::text AS device_id, NULL::bigint AS t, NULL::int AS s, NULL::bigint AS o WHERE false)")
	}
	if p.has(planfile.KindActivity) {
		out = append(out, p.actCTE())
	} else {
		out = append(out, "act AS (SELECT NULL::text AS device_id, NULL::bigint AS t WHERE false)")
	}
	return append(out, p.dmCTE(), p.raCTE(), p.walkCTEs())
}

// timeRole is the role of an input's row time: a ticket's created_at,
// every other input's timestamp.
func timeRole(kind planfile.InputKind) string {
	if kind == planfile.KindTickets {
		return "created_at"
	}
	return "timestamp"
}

// horizonSQL: H, the latest row time of the inputs with times (max of the
// column, converted: an index on the time column answers it).
func (p *plan) horizonSQL() string {
	var parts []string
	for _, kind := range []planfile.InputKind{planfile.KindEvents, planfile.KindActivity, planfile.KindOTA, planfile.KindUsage, planfile.KindTickets} {
		t, ok := p.tables[kind]
		if !ok {
			continue
		}
		c, ok := t.cols[timeRole(kind)]
		if !ok {
			continue // an OTA snapshot: its rows have no time
		}
		parts = append(parts, fmt.Sprintf("(SELECT %s FROM %s)", c.timeExpr("max("+c.quoted+")"), p.from(kind)))
	}
	if len(parts) == 0 {
		return "SELECT NULL::bigint AS horizon"
	}
	return "SELECT greatest(\n  " + strings.Join(parts, ",\n  ") + "\n) AS horizon"
}

// uptimeSelect: fleet sums, per-device summary and device counts.
func (p *plan) uptimeSelect() string {
	never, retired := "0", "0"
	if p.has(planfile.KindDevices) {
		never = fmt.Sprintf(`(SELECT count(*) FROM dev LEFT JOIN (SELECT device_id, st0 FROM stw UNION SELECT DISTINCT device_id, st0 FROM ci) s USING (device_id)
    WHERE dev.shipped < least(@to, @horizon) AND coalesce(s.st0, %s) >= least(@to, @horizon))`, posInf)
		retired = "(SELECT count(*) FROM dev WHERE retired >= @from AND retired < @to)"
	}
	return fmt.Sprintf(`SELECT
  coalesce((SELECT sum(conn) FROM pd WHERE obs > 0), 0)::bigint AS connected_us,
  coalesce((SELECT sum(obs) FROM pd WHERE obs > 0), 0)::bigint AS observed_us,
  (SELECT count(*) FROM pd WHERE obs > 0) AS devices,
  (SELECT count(*) FROM (SELECT device_id FROM evd UNION SELECT device_id FROM ci0) x) - (SELECT count(*) FROM pd WHERE obs > 0) AS left_out,
  (SELECT avg(conn::float8 / obs::float8) FROM pd WHERE obs > 0) AS mean,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY conn::float8 / obs::float8) FROM pd WHERE obs > 0) AS median,
  (SELECT count(*) FROM pd WHERE obs > 0 AND conn::float8 / obs::float8 < @slo) AS below_slo,
  %s AS never_activated,
  (SELECT count(*) FROM pd WHERE dorm) AS dormant,
  %s AS retired,
  coalesce((SELECT sum(n) FROM evd), 0)::bigint AS events_used_once,
  coalesce((SELECT sum(v.nd) FROM evd v JOIN dm m USING (device_id) WHERE m.every > 0), 0)::bigint AS planned,
  (SELECT count(*) FROM dm WHERE unknown) AS unknown_models,
  (SELECT coalesce(array_agg(model ORDER BY model), '{}') FROM (SELECT DISTINCT model COLLATE "C" AS model FROM dm WHERE unknown) u) AS unknown_values,
  (SELECT json_agg(x) FROM (
    SELECT every > 0 AS checkin, sum(conn)::bigint AS conn, sum(obs)::bigint AS obs, count(*) FILTER (WHERE obs > 0) AS devices, sum(missed)::bigint AS missed
    FROM pd GROUP BY 1) x) AS modes,
  (SELECT json_agg(x ORDER BY x.profile COLLATE "C") FROM (
    SELECT m.profile, max(m.every) > 0 AS checkin, coalesce(sum(pd.conn), 0)::bigint AS conn, coalesce(sum(pd.obs), 0)::bigint AS obs,
           count(*) FILTER (WHERE pd.obs > 0) AS devices, coalesce(sum(pd.missed), 0)::bigint AS missed
    FROM dm m LEFT JOIN pd USING (device_id) WHERE m.profile IS NOT NULL GROUP BY m.profile) x) AS profiles`, never, retired)
}

// madParts: monthly active devices in the window (row i = 0), and the
// month series (rows 1…12): the CTEs beyond the base ones, and the select.
func (p *plan) madParts() ([]string, string) {
	// a row's month is width_bucket over the month bounds (1…12 inside
	// the series); a piece of time spans the months from its start's to
	// its last instant's — no range join of every row with every month
	return []string{`months AS (
  SELECT i, (@bounds::bigint[])[i] AS lo, (@bounds::bigint[])[i + 1] AS hi FROM generate_series(1, cardinality(@bounds::bigint[]) - 1) AS i
)`, `actw AS (
  SELECT device_id, true AS conn FROM re WHERE s = 1 AND t >= @from AND t < @to
  UNION SELECT device_id, every = 0 FROM pd WHERE conn > 0
  UNION SELECT device_id, false FROM ra WHERE t >= @from AND t < @to
)`, `mpc AS (
  SELECT m.i, pc.device_id, pc.k, least(pc.b, m.hi) - greatest(pc.a, m.lo) AS len
  FROM pc CROSS JOIN LATERAL generate_series(greatest(width_bucket(pc.a, @bounds::bigint[]), 1),
                                             least(width_bucket(pc.b - 1, @bounds::bigint[]), cardinality(@bounds::bigint[]) - 1)) AS g(i)
  JOIN months m ON m.i = g.i
  WHERE pc.k < 2
)`, `mev AS (
  SELECT width_bucket(t, @bounds::bigint[]) AS i, device_id, s FROM re
  UNION ALL SELECT width_bucket(t, @bounds::bigint[]), device_id, 1 FROM ra
)`, `mact AS (
  SELECT i, count(*) AS n FROM (
    SELECT i, device_id FROM mpc WHERE k = 1
    UNION SELECT i, device_id FROM mev WHERE s = 1 AND i BETWEEN 1 AND cardinality(@bounds::bigint[]) - 1
  ) x GROUP BY i
)`, `mtime AS (
  SELECT i, sum(CASE WHEN k = 1 THEN len ELSE 0 END)::bigint AS conn, sum(len)::bigint AS obs FROM mpc GROUP BY i
)`, `mrows AS (
  SELECT i, count(*) AS n FROM mev WHERE i BETWEEN 1 AND cardinality(@bounds::bigint[]) - 1 GROUP BY i
)`}, `SELECT 0 AS i,
  (SELECT count(DISTINCT device_id) FROM actw) AS active,
  (SELECT count(DISTINCT device_id) FROM actw WHERE conn) AS by_connection,
  (SELECT count(*) FROM re WHERE t >= @from AND t < @to) + (SELECT count(*) FROM ra WHERE t >= @from AND t < @to) AS rows,
  coalesce((SELECT sum(obs) FROM pd), 0)::bigint AS obs,
  0::bigint AS conn,
  (SELECT count(*) FROM (SELECT device_id FROM evd UNION SELECT device_id FROM act) x) AS in_input
UNION ALL
SELECT m.i, coalesce(mact.n, 0), 0, coalesce(mrows.n, 0), coalesce(mtime.obs, 0), coalesce(mtime.conn, 0), 0
FROM months m LEFT JOIN mact USING (i) LEFT JOIN mtime USING (i) LEFT JOIN mrows USING (i)
ORDER BY i`
}

// activationSQL: devices shipped per ship month (UTC) and in the window,
// and how many of them were activated (a connect event or an activity row
// in [shipped, shipped + A), not after H).
func (p *plan) activationSQL() string {
	ctes := []string{p.devCTE()}
	src := []string{}
	if p.has(planfile.KindEvents) {
		// by time, whether a connect exists needs no duplicate removed:
		// the rows as read (ev0, read once), not the sorted ev
		rows, evs := "ev", p.evCTEs()
		if !p.sequenced() {
			rows, evs = "ev0", p.ev0CTE()
		}
		ctes = append(ctes, evs)
		src = append(src, "SELECT DISTINCT x.device_id FROM "+rows+" x JOIN dev d USING (device_id) WHERE x.s = 1 AND x.t >= d.shipped AND x.t < least(d.shipped + @activation, @horizon + 1)")
	}
	if p.has(planfile.KindActivity) {
		ctes = append(ctes, p.actCTE())
		src = append(src, "SELECT DISTINCT y.device_id FROM act y JOIN dev d USING (device_id) WHERE y.t >= d.shipped AND y.t < least(d.shipped + @activation, @horizon + 1)")
	}
	ctes = append(ctes, "activated AS (\n  "+strings.Join(src, "\n  UNION ")+"\n)")
	return with(ctes...) + `SELECT to_char(to_timestamp(d.shipped / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
  count(*) AS shipped,
  count(a.device_id) AS activated,
  count(*) FILTER (WHERE d.shipped >= @from AND d.shipped < @to) AS window_shipped,
  count(a.device_id) FILTER (WHERE d.shipped >= @from AND d.shipped < @to) AS window_activated
FROM dev d LEFT JOIN activated a USING (device_id)
GROUP BY 1 ORDER BY 1`
}

// otaSQL: units (device, job) by final status — the latest row at or
// before H (at equal times a terminal status over a pending one, then the
// lowest class) — whose final row is in the window, per job.
func (p *plan) otaSQL() string {
	t := p.tables[planfile.KindOTA]
	if t.Snapshot {
		// final states as the table is now, counted in any window (account
		// refuses a job execution with rows of different states)
		return fmt.Sprintf(`WITH fin AS (
  SELECT DISTINCT %s AS device_id, %s AS job, %s AS c FROM %s
)
SELECT job,
  count(*) FILTER (WHERE c = 0) AS success,
  count(*) FILTER (WHERE c = 1) AS failure,
  count(*) FILTER (WHERE c = 2) AS excluded,
  count(*) FILTER (WHERE c = 3) AS pending
FROM fin WHERE c IS NOT NULL
GROUP BY job ORDER BY job`, textExpr(t.cols["device_id"]), textExpr(t.cols["job_id"]), classExpr(t.cols["status"]), p.from(planfile.KindOTA))
	}
	ts := t.cols["timestamp"]
	// a unit whose final row is in the window has all its rows from there
	// to H in [from, H]: earlier ones never decide it (rows from the
	// window's start on only, by the time column itself)
	return fmt.Sprintf(`WITH ota AS (
  SELECT %s AS device_id, %s AS job, %s AS t, %s AS c FROM %s WHERE %s
),
fin AS (
  SELECT DISTINCT ON (device_id, job) device_id, job, t, c FROM ota
  WHERE t <= @horizon AND c IS NOT NULL
  ORDER BY device_id, job, t DESC, (c = 3), c
)
SELECT job,
  count(*) FILTER (WHERE c = 0) AS success,
  count(*) FILTER (WHERE c = 1) AS failure,
  count(*) FILTER (WHERE c = 2) AS excluded,
  count(*) FILTER (WHERE c = 3) AS pending
FROM fin WHERE t >= @from AND t < @to
GROUP BY job ORDER BY job`, textExpr(t.cols["device_id"]), textExpr(t.cols["job_id"]), ts.timeExpr(ts.quoted), classExpr(t.cols["status"]), p.from(planfile.KindOTA),
		ts.between("@from", "@horizon"))
}

// healthParts: per customer, its devices in the window's fleet, how many
// used a feature in the window, its tickets in the window and its uptime
// sums: the CTEs beyond the base ones, and the select.
func (p *plan) healthParts() ([]string, string) {
	var ctes []string
	usedDev := "SELECT NULL::text AS device_id WHERE false"
	if p.has(planfile.KindUsage) {
		t := p.tables[planfile.KindUsage]
		ts := t.cols["timestamp"]
		usedDev = fmt.Sprintf("SELECT DISTINCT %s AS device_id FROM %s WHERE %s AND %s >= @from AND %[4]s < @to AND %[4]s <= @horizon",
			textExpr(t.cols["device_id"]), p.from(planfile.KindUsage), ts.between("@from", "@to"), ts.timeExpr(ts.quoted))
	}
	tk := "SELECT NULL::text AS customer_id, 0::bigint AS n WHERE false"
	tkAll := "SELECT NULL::text AS customer_id WHERE false"
	if p.has(planfile.KindTickets) {
		t := p.tables[planfile.KindTickets]
		c := t.cols["created_at"]
		id := textExpr(t.cols["customer_id"])
		tk = fmt.Sprintf("SELECT %s AS customer_id, count(*) AS n FROM %s WHERE %s AND %s >= @from AND %[4]s < @to AND %[4]s <= @horizon GROUP BY 1",
			id, p.from(planfile.KindTickets), c.between("@from", "@to"), c.timeExpr(c.quoted))
		tkAll = fmt.Sprintf("SELECT DISTINCT %s AS customer_id FROM %s", id, p.from(planfile.KindTickets))
	}
	ctes = append(ctes, "used AS (\n  "+usedDev+"\n)", "tk AS (\n  "+tk+"\n)", `fleet AS (
  SELECT d.customer_id, count(*) AS n, count(u.device_id) AS used
  FROM dev d LEFT JOIN used u USING (device_id)
  WHERE d.customer_id IS NOT NULL AND d.shipped < @to AND (d.retired IS NULL OR d.retired >= @from)
  GROUP BY d.customer_id
)`, `up AS (
  SELECT d.customer_id, sum(pd.conn)::bigint AS conn, sum(pd.obs)::bigint AS obs FROM pd JOIN dev d USING (device_id) WHERE d.customer_id IS NOT NULL GROUP BY d.customer_id
)`, "cust AS (\n  SELECT customer_id FROM dev WHERE customer_id IS NOT NULL UNION "+tkAll+"\n)")
	return ctes, `SELECT c.customer_id, coalesce(f.n, 0) AS devices, coalesce(f.used, 0) AS used, coalesce(tk.n, 0) AS tickets,
  coalesce(up.conn, 0) AS connected_us, coalesce(up.obs, 0) AS observed_us
FROM cust c LEFT JOIN fleet f USING (customer_id) LEFT JOIN tk USING (customer_id) LEFT JOIN up USING (customer_id)
ORDER BY c.customer_id`
}

// deviceSQL is one statement for the metrics that walk each device's
// events — uptime, MAD with its series, and the health counts — so the
// walk (the costly part: the events sorted by device and time, cut into
// pieces) is built once and shared; each metric comes back as JSON.
func (p *plan) deviceSQL(uptime, mad, health bool) string {
	ctes := p.baseCTEs()
	cols := []string{}
	if uptime {
		cols = append(cols, "(SELECT row_to_json(x) FROM (\n"+p.uptimeSelect()+"\n) x) AS uptime")
	} else {
		cols = append(cols, "NULL::json AS uptime")
	}
	if mad {
		more, sel := p.madParts()
		ctes = append(ctes, more...)
		cols = append(cols, "(SELECT json_agg(x ORDER BY x.i) FROM (\n"+sel+"\n) x) AS mad")
	} else {
		cols = append(cols, "NULL::json AS mad")
	}
	if mad && p.firmware() {
		more, sel := p.firmwareParts()
		ctes = append(ctes, more...)
		cols = append(cols, "(SELECT coalesce(json_agg(x), '[]'::json) FROM (\n"+sel+"\n) x) AS firmware")
	} else {
		cols = append(cols, "NULL::json AS firmware")
	}
	if health {
		more, sel := p.healthParts()
		ctes = append(ctes, more...)
		cols = append(cols, "(SELECT json_agg(x ORDER BY x.customer_id) FROM (\n"+sel+"\n) x) AS customers")
	} else {
		cols = append(cols, "NULL::json AS customers")
	}
	return with(ctes...) + "SELECT\n" + strings.Join(cols, ",\n")
}

// firmware reports whether the inputs give firmware versions: the OTA
// input's version column or the devices input's firmware column.
func (p *plan) firmware() bool {
	if t, ok := p.tables[planfile.KindOTA]; ok {
		if _, ok := t.cols["version"]; ok {
			return true
		}
	}
	if t, ok := p.tables[planfile.KindDevices]; ok {
		if _, ok := t.cols["firmware"]; ok {
			return true
		}
	}
	return false
}

// firmwareParts: the window's active devices (actw) by the version they
// run at @fw_at = min(to, H) — the version of the latest succeeded OTA
// row at or before it (rows at that instant naming different versions:
// ambiguous, unknown), else the devices input's firmware when @fw_at is
// H — and whether their model's profile takes OTA updates
// (@noota_models), as metrics.Data.VersionsAt defines it.
func (p *plan) firmwareParts() ([]string, string) {
	ctes := p.fwoCTEs("fw_at")
	dev := "(SELECT NULL::text AS device_id, NULL::text AS firmware, NULL::text AS model WHERE false)"
	if p.has(planfile.KindDevices) {
		dev = "dev"
	}
	ctes = append(ctes, fmt.Sprintf(`fwa AS (
  SELECT a.device_id,
         CASE WHEN o.device_id IS NOT NULL THEN o.version WHEN @fw_at = @horizon THEN d.firmware END AS version,
         coalesce(d.model = ANY(@noota_models::text[]), false) AS noota
  FROM (SELECT DISTINCT device_id FROM actw) a LEFT JOIN fwo o USING (device_id) LEFT JOIN %s d USING (device_id)
)`, dev))
	return ctes, `SELECT version, noota, count(*) AS n,
  (SELECT count(*) FROM fwo WHERE ambiguous) AS ambiguous,
  (SELECT min(device_id COLLATE "C") FROM fwo WHERE ambiguous) AS ambiguous_device
FROM fwa GROUP BY 1, 2`
}

// fwoCTEs: fwr, each device's succeeded OTA rows at or before the instant
// @at, and fwo, its version from the latest of them (NULL when none names
// one, or when rows at that instant name different versions: ambiguous).
func (p *plan) fwoCTEs(at string) []string {
	t, ok := p.tables[planfile.KindOTA]
	if !ok || t.Snapshot {
		// a snapshot's rows have no time: none says what ran at H (as
		// in files, where they are not OTA rows with times)
		return []string{"fwo AS (SELECT NULL::text AS device_id, NULL::text AS version, false AS ambiguous WHERE false)"}
	}
	ts, version := t.cols["timestamp"], "NULL::text"
	if c, ok := t.cols["version"]; ok {
		version = fmt.Sprintf("NULLIF(btrim((%s)::text, E' \\t'), '')", c.quoted)
	}
	return []string{fmt.Sprintf(`fwr AS (
  SELECT device_id, t, version FROM (
    SELECT %s AS device_id, %s AS t, %s AS c, %s AS version FROM %s WHERE %s
  ) r WHERE c = 0 AND t <= @%s
)`, textExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), classExpr(t.cols["status"]), version, p.from(planfile.KindOTA), ts.between("", "@"+at), at), `fwo AS (
  SELECT r.device_id, CASE WHEN count(DISTINCT coalesce(r.version, '')) = 1 THEN max(r.version) END AS version,
         count(DISTINCT coalesce(r.version, '')) > 1 AS ambiguous
  FROM fwr r JOIN (SELECT device_id, max(t) AS t FROM fwr GROUP BY device_id) m USING (device_id, t)
  GROUP BY r.device_id
)`}
}

// fleetDaysSQL: every device with observed time in the lookback's whole
// UTC days (@lookback_days before H's day), its observed and online days — online by the
// monthly-active definition applied to the day: connected (reachable)
// time in it, a connect event or an activity row — its version at H
// (fwo at @horizon, else the devices input's firmware), its model (the
// profile, else the value) and whether it takes no OTA update, as
// metrics.Data.FleetDays defines them.
func (p *plan) fleetDaysSQL() string {
	ctes := append(p.baseCTEs(), p.fwoCTEs("horizon")...)
	// the lookback's day bounds from H, in SQL, so that the psql script
	// (whose H comes from \gset) runs the same statement
	ctes = append(ctes, `dayb AS (
  SELECT ARRAY(SELECT (floor(@horizon::numeric / 86400000000)::bigint - @lookback_days + k) * 86400000000
               FROM generate_series(0, @lookback_days) AS k ORDER BY k) AS b
)`, `dpc AS (
  SELECT g.i, pc.device_id, pc.k
  FROM pc CROSS JOIN dayb CROSS JOIN LATERAL generate_series(greatest(width_bucket(pc.a, dayb.b), 1),
                                             least(width_bucket(pc.b - 1, dayb.b), cardinality(dayb.b) - 1)) AS g(i)
  WHERE pc.k < 2
)`, `don AS (
  SELECT device_id, i FROM dpc WHERE k = 1
  UNION SELECT re.device_id, width_bucket(re.t, dayb.b) FROM re CROSS JOIN dayb WHERE re.s = 1
  UNION SELECT ra.device_id, width_bucket(ra.t, dayb.b) FROM ra CROSS JOIN dayb
)`, `fd AS (
  SELECT o.device_id, count(*) AS observed, count(n.i) AS online
  FROM (SELECT DISTINCT device_id, i FROM dpc) o LEFT JOIN don n USING (device_id, i)
  GROUP BY o.device_id
)`)
	dev := "(SELECT NULL::text AS device_id, NULL::text AS firmware, NULL::text AS model WHERE false)"
	if p.has(planfile.KindDevices) {
		dev = "dev"
	}
	return with(ctes...) + fmt.Sprintf(`SELECT fd.device_id, fd.observed, fd.online,
  CASE WHEN fo.device_id IS NOT NULL THEN fo.version ELSE d.firmware END AS version,
  coalesce(dm.profile, d.model) AS model,
  coalesce(d.model = ANY(@noota_models::text[]), false) AS noota
FROM fd LEFT JOIN fwo fo USING (device_id) LEFT JOIN %s d USING (device_id) LEFT JOIN dm USING (device_id)
ORDER BY fd.device_id COLLATE "C"`, dev)
}
