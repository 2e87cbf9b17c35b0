package fleetdb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
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

// ticketIDExpr is a ticket id as the file reader reads it: its text
// without surrounding blanks, NULL when empty.
func ticketIDExpr(c column) string {
	return fmt.Sprintf("NULLIF(btrim(%s, E' \\t'), '')", textExpr(c))
}

// nativeIDs are the id column types (typname: SQL type) whose values the
// statements compare as they are when every device id column has the
// same one: an integer's or a uuid's value has one text spelling, varchar
// compares as its text, and char(n) compares without its padding, as its
// text does (the cast drops it), so they join as the text does (as the
// files' ids do). text itself needs no cast; numeric (7 and 7.0 are one
// number, two ids) and the others are cast to text.
var nativeIDs = map[string]string{"int2": "smallint", "int4": "integer", "int8": "bigint", "uuid": "uuid", "varchar": "varchar", "bpchar": "bpchar"}

// setIDType sets p.idType from the device id columns of the inputs.
func (p *plan) setIDType() {
	p.idType = ""
	typ := ""
	for _, t := range p.tables {
		c, ok := t.cols["device_id"]
		if !ok {
			continue
		}
		sql, ok := nativeIDs[c.typeID]
		if !ok || typ != "" && sql != typ {
			return
		}
		typ = sql
	}
	p.idType = typ
}

// idExpr is a device id column as the statements compare it (idType).
func (p *plan) idExpr(c column) string {
	if p.idType != "" {
		return c.quoted
	}
	return textExpr(c)
}

// idNull is a NULL device id (of an input that is not there).
func (p *plan) idNull() string {
	if p.idType != "" {
		return "NULL::" + p.idType
	}
	return "NULL::text"
}

// idText is a device id expression as text, for a result or an order.
func (p *plan) idText(x string) string {
	if p.idType != "" {
		return "(" + x + ")::text"
	}
	return x
}

// plan holds the resolved inputs of one run.
type plan struct {
	tables map[planfile.InputKind]*table
	// future: rows later than @not_after are bad rows (Job.Now is set).
	future bool
	// idType is the type the device ids are compared in: "" for text
	// (every id column cast to text, so that ids of different types
	// join), else the id columns' own type (nativeIDs) when every input's
	// is the same — so that the per-device steps partition and join by
	// the column itself. Citus runs them in its workers only so: a
	// distribution column cast to text is an expression it cannot push
	// down, and the walk's rows went to the coordinator.
	idType string
	// skip: the inputs whose bad rows the statements leave out (their
	// count is within Job.MaxBadRows); without, a bad row stops the run.
	skip map[planfile.InputKind]bool
	// unmodelled: the devices without a model value take @unmodelled
	// (metrics.unmodelled naming a profile).
	unmodelled bool
}

func (p *plan) has(kind planfile.InputKind) bool { _, ok := p.tables[kind]; return ok }

// unlistedModel: no devices input, and metrics.unmodelled names the
// profile of every device (none has a model value), as
// metrics.Data.SetUnlistedModel gives it.
func (p *plan) unlistedModel() bool { return p.unmodelled && !p.has(planfile.KindDevices) }

// modelOf is the model value of the devices row d (a LEFT JOIN of dev, or
// of an empty stand-in): @unmodelled for every device with unlistedModel.
func (p *plan) modelOf(d string) string {
	if p.unlistedModel() {
		return "@unmodelled::text"
	}
	return d + ".model"
}

// devCTE: the devices input, one row per device (Run checks ids are unique).
func (p *plan) devCTE() string {
	return "dev AS (\n  " + p.devSelect(false) + "\n)"
}

// devSelect reads the devices input: device_id, shipped, customer_id,
// retired, model, firmware — its distinct rows, or with byID one row per
// id (the same where Run's check passes: a device's rows are equal). By
// id the planner knows the id is unique, so its estimate of a join to
// the events stays the events' rows (the distinct rows' id it takes as
// 200 values, and multiplies the join by the table's size over that).
func (p *plan) devSelect(byID bool) string {
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
	if p.unmodelled {
		// metrics.unmodelled: the profile of the devices without a model
		// value, as the file reader gives it
		model = "coalesce(" + model + ", @unmodelled)"
	}
	if c, ok := t.cols["retired_at"]; ok {
		ret = c.timeExpr(c.quoted)
	}
	sh := t.cols["shipped_at"]
	distinct, col, group := "DISTINCT ", func(x string) string { return x }, ""
	if byID {
		distinct, col, group = "", func(x string) string { return "min(" + x + ")" }, " GROUP BY 1"
	}
	return fmt.Sprintf(`SELECT %s%s AS device_id, %s AS shipped, %s AS customer_id, %s AS retired, %s AS model, %s AS firmware
  FROM %s%s`, distinct, p.idExpr(t.cols["device_id"]), col(sh.timeExpr(sh.quoted)), col(cust), col(ret), col(model), col(fw), p.from(planfile.KindDevices), group)
}

// dmCTE: each listed device's mode — every (P, µs; 0: always connected)
// and reach (g·P) of its model's profile, the profile, and whether its
// model value names none (@model_* are Options.Models, by value).
func (p *plan) dmCTE() string {
	if p.unlistedModel() {
		return mdCTE // dm: after the walk, its devices (unlistedDM)
	}
	if !p.has(planfile.KindDevices) {
		return "dm AS (SELECT " + p.idNull() + " AS device_id, NULL::text AS profile, 0::bigint AS every, 0::bigint AS reach, false AS unknown, NULL::text AS model WHERE false)"
	}
	return mdCTE + `,
dm AS (
  SELECT d.device_id, m.profile, coalesce(m.every, 0) AS every, coalesce(m.reach, 0) AS reach,
         (d.model IS NOT NULL AND m.model IS NULL) AS unknown, d.model
  FROM dev d LEFT JOIN md m ON m.model = d.model
)`
}

// unlistedDM: with unlistedModel, dm is every device with rows (pda),
// each of the profile @unmodelled names; "" otherwise (dmCTE's).
func (p *plan) unlistedDM() string {
	if !p.unlistedModel() {
		return ""
	}
	return `dm AS (
  SELECT x.device_id, m.profile, coalesce(m.every, 0) AS every, coalesce(m.reach, 0) AS reach, false AS unknown, @unmodelled::text AS model
  FROM pda x LEFT JOIN md m ON m.model = @unmodelled
)`
}

// mdCTE: the model values Options.Models names, with their profile and
// mode (one row a value).
const mdCTE = `md AS (
  SELECT * FROM unnest(@model_values::text[], @model_profiles::text[], @model_every::bigint[], @model_reach::bigint[]) AS m(model, profile, every, reach)
)`

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
	t := p.tables[planfile.KindEvents]
	if t == nil {
		return false // no events: the health of devices with tickets or usage alone
	}
	_, ok := t.cols["sequence"]
	return ok
}

// ev0CTE: the event rows by time as read — device, time, state (NULL: not
// a connection event) — duplicates and all.
func (p *plan) ev0CTE() string {
	t := p.tables[planfile.KindEvents]
	ts := t.cols["timestamp"]
	return fmt.Sprintf(`ev0 AS (
  SELECT %s AS device_id, %s AS t, %s AS s FROM %s
)`, p.idExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), stateExpr(t.cols["event"]), p.from(planfile.KindEvents))
}

// evCTEs: the connection events in the order the metrics walk them — ev
// (device_id, t, s, o): t the effective time, s the state, o the order
// within the device — with exact duplicates used once.
func (p *plan) evCTEs() string {
	t := p.tables[planfile.KindEvents]
	id, ts := p.idExpr(t.cols["device_id"]), t.cols["timestamp"]
	seq, sequenced := t.cols["sequence"]
	if !sequenced {
		// by time, a disconnect before a connect at the same instant
		return p.ev0CTE() + `,
ev AS (
  SELECT DISTINCT device_id, t, s, t * 2 + s AS o, NULL::bigint AS bk_t, NULL::bigint AS bk_a FROM ev0 WHERE s IS NOT NULL
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
	// bk_t and bk_a: an event the sequence puts more than a minute
	// (metrics.SequenceTolerance) before the latest time of the events it
	// puts earlier, its own time and that latest time (NULL otherwise)
	fmt.Fprintf(b, `ev4 AS (
  SELECT *, row_number() OVER (PARTITION BY device_id, epoch, q, s ORDER BY t) AS copy FROM ev3
),
ev5 AS (
  SELECT device_id, s, t AS tr,
         max(t) OVER (PARTITION BY device_id ORDER BY epoch, qn, CASE WHEN num THEN NULL ELSE q END COLLATE "C", s DESC, t ROWS UNBOUNDED PRECEDING) AS t,
         max(t) OVER (PARTITION BY device_id ORDER BY epoch, qn, CASE WHEN num THEN NULL ELSE q END COLLATE "C", s DESC, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pt,
         row_number() OVER (PARTITION BY device_id ORDER BY epoch, qn, CASE WHEN num THEN NULL ELSE q END COLLATE "C", s DESC, t) AS o
  FROM ev4 WHERE copy = 1
),
ev AS (
  SELECT device_id, s, t, o, CASE WHEN tr < pt - %[1]d THEN tr END AS bk_t, CASE WHEN tr < pt - %[1]d THEN pt END AS bk_a FROM ev5
)`, int64(metrics.SequenceTolerance))
	return b.String()
}

// actCTE: the activity rows.
func (p *plan) actCTE() string {
	t := p.tables[planfile.KindActivity]
	ts := t.cols["timestamp"]
	return fmt.Sprintf("act AS (\n  SELECT %s AS device_id, %s AS t FROM %s\n)", p.idExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), p.from(planfile.KindActivity))
}

// devInline is the devices input read where it is joined, or an empty one:
// a subquery of the table rather than the dev CTE, so that the walk joins
// the table itself (co-located with the events on Citus, where the CTE,
// read by several statements, is gathered on the coordinator).
func (p *plan) devInline() string {
	if p.has(planfile.KindDevices) {
		return "(" + p.devSelect(true) + ") d"
	}
	return "(SELECT " + p.idNull() + " AS device_id, NULL::bigint AS shipped, NULL::text AS customer_id, NULL::bigint AS retired, NULL::text AS model WHERE false) d"
}

// walkFrom is the earliest time any statement clips pieces or counts event
// rows from: the window's start, the series' first month, the fleet
// lookback's first day.
const walkFrom = "least(@from, (@bounds::bigint[])[1], (floor(@horizon::numeric / 86400000000)::bigint - @lookback_days) * 86400000000)"

// walkCTEs walk each device's rows in one chain of per-device steps and
// sum them per device and bucket of time: pdb (device_id, i), i the
// bucket of the bounds b (an array expression; 1…cardinality−1 inside
// them, 0 and cardinality before and after). Nothing before pdb is read
// twice, so that every step — the windows PARTITIONed BY device_id, the
// pieces, the sums — runs where the device's rows are (on Citus, in the
// worker's task), and only sums per device and bucket come out of it.
//
// The rows (xr) are the connection events (ev, src 0) and the activity
// rows (src 1). Per device (window dv, over its whole history): its
// events used once (n), activity rows (na), first event (f) and first
// connect (fc) that count (not before shipping, not after H), its last
// connect before walkFrom (c), its earliest time that counts (t0) and
// its counted disconnects (nd, the planned ones of a check-in device).
// Kept: the events that count from c on (and f and fc: a connect ends
// any disconnect run, so from it on every piece, and the dormancy clock,
// are those of the whole walk, and the pieces before it are clipped
// away), and the activity rows in the service period. Walked: an
// always-connected device's kept events (ordered by o), a check-in
// device's kept connects and activity rows (ordered by time).
//
// Each walked row starts up to three pieces of time (pr: a, b, their
// states), clipped to the service period [S, min(R, H)), empty ones not
// real: an always-connected device is in the row's state until the next
// row (A), dormant from @dormant after a down run's start (B, state 2); a
// check-in device is reachable for reach after each check-in (A), then
// down (B, state 0), then dormant (C, state 2). Every piece starts at or
// after the row's time, so S (at most the first row's time) never clips
// them. A leading disconnect makes the device connected from max(shipped,
// D0) — D0 the earliest time that counts of any device, so known only
// from every device's sums — until its first event: that piece is made
// from pdv (lp). Marked (mk): the kept rows from walkFrom on, which the
// statements count (no statement counts an earlier one).
//
// A row is summed into each bucket its pieces overlap (i0 to i1; one
// almost always); the sums over the window (obs, conn, dorm, missed, np),
// the counts of marked rows and the device's own values (on its row
// rn = 1) only in the first.
func (p *plan) walkCTEs(b string) string {
	mode, mdJoin := "0::bigint AS every, 0::bigint AS reach", ""
	if p.has(planfile.KindDevices) || p.unlistedModel() {
		mode, mdJoin = "coalesce(m.every, 0) AS every, coalesce(m.reach, 0) AS reach", " LEFT JOIN md m ON m.model = "+p.modelOf("d")
	}
	nt := "coalesce(nt, " + posInf + ")"
	ow := windowOverlap
	ob := func(a, bb string) string { return bucketOverlap(a, bb, b) }
	in := fmt.Sprintf("g.i BETWEEN 1 AND cardinality(%s) - 1", b)
	// same: a counted connect right after a disconnect of the same instant,
	// whose order the events do not say (by time alone, the disconnect is
	// taken first); a sequence orders them
	same := "false"
	if !p.sequenced() {
		same = "walked AND every = 0 AND src = 0 AND s = 1 AND ps = 0 AND pt = t AND kept AND t >= " + walkFrom + " AND t < ret"
	}
	// The bucket list of a row is an unnest of an array, not a
	// generate_series: the planner takes a series of unknown bounds for
	// 1,000 rows, which put every Citus worker task over the JIT
	// threshold (the session's jit = off does not reach the workers; the
	// example took 35-47 s instead of 1 s). The rows are sorted by device
	// and bucket before the sums, so they are grouped in order, not in a
	// hash table over every device and bucket (which spills).
	// the rows walked: events and activity rows; an input not given is
	// left out of the union rather than read as an empty constant, which
	// Citus cannot push down beside a distributed table (the walk then
	// ran on one node over every row fetched from the workers)
	var xr []string
	if p.has(planfile.KindEvents) || !p.has(planfile.KindActivity) {
		xr = append(xr, "SELECT device_id, t, s, o, 0 AS src, bk_t, bk_a FROM ev")
	}
	if p.has(planfile.KindActivity) {
		xr = append(xr, "SELECT device_id, t, 1 AS s, NULL::bigint AS o, 1 AS src, NULL::bigint AS bk_t, NULL::bigint AS bk_a FROM act")
	}
	return "xr AS (\n  " + strings.Join(xr, "\n  UNION ALL\n  ") + "\n),\n" + fmt.Sprintf(`xa AS (
  SELECT x.device_id, x.t, x.s, x.o, x.src, x.bk_t, x.bk_a, d.shipped, %[2]s,
         coalesce(d.retired, %[1]s) AS ret, least(coalesce(d.retired, %[1]s), @horizon) AS en,
         (d.shipped IS NULL OR x.t >= d.shipped) AND x.t <= @horizon AS cnt
  FROM xr x LEFT JOIN %[3]s USING (device_id)%[4]s
),
xb AS (
  SELECT xa.*, CASE WHEN every = 0 THEN o ELSE t END AS ord,
         count(*) FILTER (WHERE src = 0) OVER dv AS n, count(*) FILTER (WHERE src = 1) OVER dv AS na,
         min(o) FILTER (WHERE src = 0 AND cnt) OVER dv AS f, min(o) FILTER (WHERE src = 0 AND cnt AND s = 1) OVER dv AS fc,
         max(o) FILTER (WHERE src = 0 AND cnt AND s = 1 AND t < %[5]s) OVER dv AS c,
         min(t) FILTER (WHERE src = 0 AND cnt) OVER dv AS t0, count(*) FILTER (WHERE src = 0 AND cnt AND s = 0) OVER dv AS nd,
         count(bk_t) OVER dv AS nbk, min(CASE WHEN bk_t IS NOT NULL THEN ARRAY[bk_t, bk_a] END) OVER dv AS bkx,
         max(t) OVER dv AS tl, row_number() OVER dv AS rn
  FROM xa WINDOW dv AS (PARTITION BY device_id)
),
xk AS (
  SELECT y.*, kept AND CASE WHEN src = 0 THEN every = 0 OR s = 1 ELSE every > 0 END AS walked FROM (
    SELECT xb.*, cnt AND CASE WHEN src = 0 THEN c IS NULL OR o >= c OR o = f OR o = fc ELSE t < ret END AS kept FROM xb
  ) y WHERE kept OR rn = 1
),
w AS (
  SELECT xk.*, lead(t) OVER wp AS nt, lag(s) OVER wp AS ps, lag(t) OVER wp AS pt
  FROM xk WINDOW wp AS (PARTITION BY device_id, walked ORDER BY ord)
),
w2 AS (
  SELECT w.*, max(CASE WHEN s = 0 AND (ps IS NULL OR ps = 1) THEN t END) OVER (PARTITION BY device_id, walked ORDER BY ord ROWS UNBOUNDED PRECEDING) AS down
  FROM w
),
pr0 AS (
  SELECT device_id, every, t, s, src, n, na, nd, nbk, bkx, f, fc, t0, tl, shipped, en, walked,
         kept AND t >= %[5]s AND t < ret AS mk, %[14]s AS same,
         CASE WHEN every = 0 THEN s ELSE 1 END AS ka,
         CASE WHEN every = 0 THEN least(CASE WHEN s = 1 OR @dormant <= 0 THEN %[6]s ELSE least(%[6]s, down + @dormant) END, en)
              ELSE least(t + reach, %[6]s, en) END AS ba,
         CASE WHEN every = 0 THEN CASE WHEN s = 0 AND @dormant > 0 THEN greatest(t, down + @dormant) ELSE %[6]s END
              ELSE t + reach END AS ab,
         CASE WHEN every = 0 THEN least(%[6]s, en)
              ELSE least(CASE WHEN @dormant > 0 THEN least(%[6]s, t + reach + @dormant) ELSE %[6]s END, en) END AS bb,
         CASE WHEN @dormant > 0 THEN t + reach + @dormant ELSE %[1]s END AS ac,
         least(%[6]s, en) AS bc
  FROM w2
),
pr AS (
  SELECT z.*, width_bucket(t, %[7]s) AS i0,
         width_bucket(greatest(t + 1, CASE WHEN ra THEN ba END, CASE WHEN rb THEN bb END, CASE WHEN rc THEN bc END) - 1, %[7]s) AS i1
  FROM (
    SELECT pr0.*, walked AND ba > t AS ra, walked AND bb > ab AS rb, walked AND every > 0 AND bc > ac AS rc FROM pr0
  ) z
),
pdb AS (
  SELECT device_id, g.i, max(every) AS every,
         coalesce(bool_or(ra OR rb OR rc), false) AS pieces,
         coalesce(sum(CASE WHEN ra THEN %[8]s ELSE 0 END + CASE WHEN rb AND every > 0 THEN %[9]s ELSE 0 END) FILTER (WHERE g.i = i0), 0)::bigint AS obs,
         coalesce(sum(%[8]s) FILTER (WHERE g.i = i0 AND ra AND ka = 1), 0)::bigint AS conn,
         coalesce(bool_or(CASE WHEN every = 0 THEN rb AND %[9]s > 0 ELSE rc AND %[10]s > 0 END) FILTER (WHERE g.i = i0), false) AS dorm,
         coalesce(sum((%[9]s + every - 1) / every) FILTER (WHERE g.i = i0 AND rb AND every > 0 AND %[9]s > 0), 0)::bigint AS missed,
         count(*) FILTER (WHERE g.i = i0 AND (rb AND every > 0 AND %[9]s > 0 OR ra AND every = 0 AND ka = 0 AND %[8]s > 0)) AS stretches,
         %[15]s,
         %[20]s,
         count(*) FILTER (WHERE g.i = i0 AND walked AND mk AND every > 0 AND t >= @from AND t < @to) AS checkins,
         count(*) FILTER (WHERE g.i = i0 AND %[18]s) AS daily_n,
         coalesce(sum(%[16]s) FILTER (WHERE g.i = i0 AND %[18]s), 0) AS daily_w, coalesce(sum(%[19]s) FILTER (WHERE g.i = i0 AND %[18]s), 0)::bigint AS daily_len,
         coalesce(sum(%[16]s * cos(%[17]s)) FILTER (WHERE g.i = i0 AND %[18]s), 0) AS daily_c,
         coalesce(sum(%[16]s * sin(%[17]s)) FILTER (WHERE g.i = i0 AND %[18]s), 0) AS daily_s,
         coalesce(sum(CASE WHEN ra THEN %[11]s ELSE 0 END + CASE WHEN rb AND every > 0 THEN %[12]s ELSE 0 END) FILTER (WHERE %[13]s), 0)::bigint AS bobs,
         coalesce(sum(%[11]s) FILTER (WHERE %[13]s AND ra AND ka = 1), 0)::bigint AS bconn,
         coalesce(bool_or((ra AND ka = 1 AND %[11]s > 0) OR (mk AND g.i = i0 AND (src = 1 OR s = 1))) FILTER (WHERE %[13]s), false) AS bact,
         count(*) FILTER (WHERE mk AND g.i = i0 AND %[13]s) AS brows,
         coalesce(bool_or(src = 0 AND s = 1) FILTER (WHERE mk AND g.i = i0 AND t >= @from AND t < @to), false) AS wev,
         coalesce(bool_or(src = 1) FILTER (WHERE mk AND g.i = i0 AND t >= @from AND t < @to), false) AS wact,
         count(*) FILTER (WHERE mk AND g.i = i0 AND t >= @from AND t < @to) AS wrows,
         min(t) FILTER (WHERE walked) AS wst,
         count(*) FILTER (WHERE same AND g.i = i0) AS same, min(t) FILTER (WHERE same AND g.i = i0) AS same_t,
         max(n) AS n, max(na) AS na, max(nd) AS nd, max(nbk) AS nbk, min(bkx) AS bkx,
         max(f) AS f, max(fc) AS fc, max(t0) AS t0, max(tl) AS tl, max(shipped) AS shipped, max(en) AS en
  FROM (
    SELECT pr.*, u.i FROM pr CROSS JOIN LATERAL unnest(CASE WHEN i1 = i0 THEN ARRAY[i0] ELSE ARRAY(SELECT generate_series(i0, i1)) END) AS u(i)
    ORDER BY pr.device_id, u.i
  ) g
  GROUP BY device_id, g.i
)`, posInf, mode, p.devInline(), mdJoin, walkFrom, nt, b,
		ow("t", "ba"), ow("ab", "bb"), ow("ac", "bc"), ob("t", "ba"), ob("ab", "bb"), in, same, recentSums, dailyWeight, dailyAngle, dailyLong, dailyLength, earlySums)
}

// recentSums and earlySums are a device's sums over the window's recent
// and early parts (as over W: obs, conn, missed, stretches; suffixed _r
// and _e), the pieces clipped to them.
var (
	recentSums = partSums("_r", recentOverlap)
	earlySums  = partSums("_e", earlyOverlap)
)

// partSums are a device's sums over a part of the window whose pieces'
// time in it overlap gives, their names suffixed.
func partSums(suffix string, overlap func(a, b string) string) string {
	return fmt.Sprintf(`coalesce(sum(CASE WHEN ra THEN %[1]s ELSE 0 END + CASE WHEN rb AND every > 0 THEN %[2]s ELSE 0 END) FILTER (WHERE g.i = i0), 0)::bigint AS obs%[3]s,
         coalesce(sum(%[1]s) FILTER (WHERE g.i = i0 AND ra AND ka = 1), 0)::bigint AS conn%[3]s,
         coalesce(sum((%[2]s + every - 1) / every) FILTER (WHERE g.i = i0 AND rb AND every > 0 AND %[2]s > 0), 0)::bigint AS missed%[3]s,
         count(*) FILTER (WHERE g.i = i0 AND (rb AND every > 0 AND %[2]s > 0 OR ra AND every = 0 AND ka = 0 AND %[1]s > 0)) AS stretches%[3]s`,
		overlap("t", "ba"), overlap("ab", "bb"), suffix)
}

// The long down pieces metrics.DailyDown reads: a check-in device's B
// piece longer than its interval, an always-connected device's A piece
// in state 0 longer than 15 min; their time in the window, their weight
// (that time, up to 12 h) and start angle.
var (
	dailyLong = fmt.Sprintf("(rb AND every > 0 AND %s > every OR ra AND every = 0 AND ka = 0 AND %s > %d)",
		windowOverlap("ab", "bb"), windowOverlap("t", "ba"), metrics.DailyMinAlwaysStretch)
	dailyLength = fmt.Sprintf("CASE WHEN every > 0 THEN %s ELSE %s END", windowOverlap("ab", "bb"), windowOverlap("t", "ba"))
	dailyWeight = fmt.Sprintf("least(%s, %d)::float8", dailyLength, metrics.DailyMaxWeight)
)

// dailyAngle is metrics.DailyAngle of a down piece's start in the window
// (a check-in device's B piece, an always-connected device's A piece in
// state 0), in float8 as Go computes it: 2π·(µs of the day)/day.
const dailyAngle = "2 * pi() * (greatest(CASE WHEN every > 0 THEN ab ELSE t END, @from) % 86400000000)::float8 / 86400000000"

// windowOverlap is a piece [a, b)'s time in the window.
func windowOverlap(a, b string) string {
	return fmt.Sprintf("greatest(least(%s, @to) - greatest(%s, @from), 0)", b, a)
}

// earlyOverlap is a piece [a, b)'s time in the window's early part
// [@from, EarlyTo) (metrics.Window.EarlyTo: halfway from @from to
// min(@to, H), rounded down).
func earlyOverlap(a, b string) string {
	to := "@from + (least(@to, greatest(@horizon, @from)) - @from) / 2"
	return fmt.Sprintf("greatest(least(%s, %s) - greatest(%s, @from), 0)", b, to, a)
}

// recentOverlap is a piece [a, b)'s time in the window's recent part
// [RecentFrom, @to) (metrics.Window.RecentFrom: RecentSpan before
// min(@to, H), not before @from).
func recentOverlap(a, b string) string {
	from := fmt.Sprintf("greatest(@from, least(@to, greatest(@horizon, @from)) - %d)", metrics.RecentSpan)
	return fmt.Sprintf("greatest(least(%s, @to) - greatest(%s, %s), 0)", b, a, from)
}

// bucketOverlap is a piece [a, b)'s time in bucket g.i of the bounds
// bounds.
func bucketOverlap(a, b, bounds string) string {
	return fmt.Sprintf("greatest(least(%[2]s, (%[3]s)[g.i + 1]) - greatest(%[1]s, (%[3]s)[g.i]), 0)", a, b, bounds)
}

// deviceSumCTEs add up the walk's sums (pdb, walkCTEs) per device (pdv)
// and make each device's leading-disconnect piece (lp: connected from
// max(shipped, D0), D0 the earliest time that counts of any device, until
// its first event), with its time in the window and in each bucket of the
// bounds b (lpb); pda holds every device with rows, pd the ones with
// pieces, as the metrics read them. On Citus these run on the
// coordinator, over one row per device and bucket.
func deviceSumCTEs(b string) string {
	// a leading disconnect's service start: max(shipped, D0)
	leadStart := func(v string) string {
		return fmt.Sprintf("greatest(coalesce(%sshipped, %s), (SELECT min(t0) FROM pdv))", v, negInf)
	}
	return fmt.Sprintf(`pdv AS (
  SELECT device_id, max(every) AS every, bool_or(pieces) AS pieces, sum(obs)::bigint AS obs, sum(conn)::bigint AS conn, bool_or(dorm) AS dorm,
         sum(missed)::bigint AS missed, sum(stretches)::bigint AS stretches,
         sum(obs_r)::bigint AS obs_r, sum(conn_r)::bigint AS conn_r, sum(missed_r)::bigint AS missed_r, sum(stretches_r)::bigint AS stretches_r,
         sum(obs_e)::bigint AS obs_e, sum(conn_e)::bigint AS conn_e, sum(missed_e)::bigint AS missed_e, sum(stretches_e)::bigint AS stretches_e,
         sum(checkins)::bigint AS checkins, sum(daily_n)::bigint AS daily_n, sum(daily_w) AS daily_w, sum(daily_len)::bigint AS daily_len, sum(daily_c) AS daily_c, sum(daily_s) AS daily_s, bool_or(wev) AS wev, bool_or(wact) AS wact, sum(wrows) AS wrows,
         max(n) AS n, max(na) AS na, max(nd) AS nd, max(nbk) AS nbk, min(bkx) AS bkx, max(f) AS f, max(fc) AS fc, max(t0) AS t0, max(tl) AS tl, max(shipped) AS shipped,
         max(en) AS en, min(wst) AS wst, sum(same) AS same, min(same_t) AS same_t
  FROM pdb GROUP BY device_id
),
lp AS (
  SELECT device_id, a, b FROM (
    SELECT device_id, %[1]s AS a, least(t0, en) AS b
    FROM pdv WHERE every = 0 AND f IS NOT NULL AND fc IS DISTINCT FROM f
  ) x WHERE b > a
),
pda AS (
  SELECT v.device_id, v.every, v.obs + coalesce(%[2]s, 0) AS obs, v.conn + coalesce(%[2]s, 0) AS conn, v.dorm, v.missed, v.stretches,
         v.obs_r + coalesce(%[6]s, 0) AS obs_r, v.conn_r + coalesce(%[6]s, 0) AS conn_r, v.missed_r, v.stretches_r,
         v.obs_e + coalesce(%[7]s, 0) AS obs_e, v.conn_e + coalesce(%[7]s, 0) AS conn_e, v.missed_e, v.stretches_e, v.checkins, v.daily_n, v.daily_w, v.daily_len, v.daily_c, v.daily_s,
         v.pieces OR l.device_id IS NOT NULL AS pieces, v.wev, v.wact, v.wrows, v.n, v.na, v.nd, v.every > 0 AND v.wst IS NOT NULL AS checkin,
         v.same, v.same_t, v.nbk, v.bkx, v.tl, v.shipped,
         CASE WHEN v.every = 0 AND v.f IS NOT NULL THEN CASE WHEN v.fc = v.f THEN v.t0 ELSE %[3]s END
              WHEN v.every > 0 THEN v.wst END AS st0
  FROM pdv v LEFT JOIN lp l USING (device_id)
),
pd AS (
  SELECT device_id, every, obs, conn, dorm, missed, stretches, obs_r, conn_r, missed_r, stretches_r, obs_e, conn_e, missed_e, stretches_e, checkins, daily_n, daily_w, daily_len, daily_c, daily_s FROM pda WHERE pieces
),
lpb AS (
  SELECT g.i, l.device_id, %[4]s AS len
  FROM lp l CROSS JOIN LATERAL generate_series(greatest(width_bucket(l.a, %[5]s), 1), least(width_bucket(l.b - 1, %[5]s), cardinality(%[5]s) - 1)) AS g(i)
)`, leadStart(""),
		"CASE WHEN l.device_id IS NOT NULL THEN "+windowOverlap("l.a", "l.b")+" END", leadStart("v."), bucketOverlap("l.a", "l.b", b), b,
		"CASE WHEN l.device_id IS NOT NULL THEN "+recentOverlap("l.a", "l.b")+" END", "CASE WHEN l.device_id IS NOT NULL THEN "+earlyOverlap("l.a", "l.b")+" END")
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

// baseCTEs are the inputs' CTEs the device metrics need, walked by the
// bucket bounds b (walkCTEs).
func (p *plan) baseCTEs(b string) []string {
	var out []string
	if p.has(planfile.KindDevices) {
		out = append(out, p.devCTE())
	}
	if p.has(planfile.KindEvents) {
		out = append(out, p.evCTEs())
	} else {
		// no events: the columns evCTEs' ev has, with no row (activity
		// alone, or the health of devices from usage and tickets)
		out = append(out, "ev AS (SELECT "+p.idNull()+" AS device_id, NULL::bigint AS t, NULL::int AS s, NULL::bigint AS o, NULL::bigint AS bk_t, NULL::bigint AS bk_a WHERE false)")
	}
	if p.has(planfile.KindActivity) {
		out = append(out, p.actCTE())
	} else {
		out = append(out, "act AS (SELECT "+p.idNull()+" AS device_id, NULL::bigint AS t WHERE false)")
	}
	return append(out, p.dmCTE(), p.walkCTEs(b), deviceSumCTEs(b), p.unlistedDM())
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

// dataStartSQL: F, the fleet's data start — the earliest row time of the
// events and activity inputs (export.FleetStart; a run takes it from its
// checks' counts, which leave bad rows out).
func (p *plan) dataStartSQL() string {
	var parts []string
	for _, kind := range []planfile.InputKind{planfile.KindEvents, planfile.KindActivity} {
		if t, ok := p.tables[kind]; ok {
			c := t.cols["timestamp"]
			parts = append(parts, fmt.Sprintf("(SELECT %s FROM %s)", c.timeExpr("min("+c.quoted+")"), p.from(kind)))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("SELECT %d::bigint AS data_start", int64(metrics.NoTime))
	}
	return fmt.Sprintf("SELECT coalesce(least(\n  %s\n), %d) AS data_start", strings.Join(parts, ",\n  "), int64(metrics.NoTime))
}

// uptimeSelect: fleet sums, per-device summary and device counts.
func (p *plan) uptimeSelect() string {
	never, retired := "0", "0"
	if p.has(planfile.KindDevices) {
		// without events, a device that does not check in has no way to
		// start service: unobserved, not never activated
		checkin := ""
		if !p.has(planfile.KindEvents) {
			checkin = " AND dev.device_id IN (SELECT device_id FROM dm WHERE every > 0)"
		}
		never = fmt.Sprintf(`(SELECT count(*) FROM dev LEFT JOIN pda s USING (device_id)
    WHERE dev.shipped < least(@to, @horizon) AND coalesce(s.st0, %s) >= least(@to, @horizon)%s)`, posInf, checkin)
		retired = "(SELECT count(*) FROM dev WHERE retired >= @from AND retired < @to)"
	}
	return fmt.Sprintf(`SELECT
  coalesce((SELECT sum(conn) FROM pd WHERE obs > 0), 0)::bigint AS connected_us,
  coalesce((SELECT sum(obs) FROM pd WHERE obs > 0), 0)::bigint AS observed_us,
  (SELECT count(*) FROM pd WHERE obs > 0) AS devices,
  (SELECT count(*) FROM pda WHERE n > 0 OR checkin) - (SELECT count(*) FROM pd WHERE obs > 0) AS left_out,
  (SELECT avg(conn::float8 / obs::float8) FROM pd WHERE obs > 0) AS mean,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY conn::float8 / obs::float8) FROM pd WHERE obs > 0) AS median,
  (SELECT count(*) FROM pd WHERE obs > 0 AND conn::float8 / obs::float8 < @slo) AS below_slo,
  %s AS never_activated,
  (SELECT count(*) FROM pd WHERE dorm) AS dormant,
  %s AS retired,
  coalesce((SELECT sum(n) FROM pda), 0)::bigint AS events_used_once,
  coalesce((SELECT sum(same) FROM pda), 0)::bigint AS same_instant,
  (SELECT json_build_object('device', %s, 'at', same_t) FROM pda WHERE same > 0 ORDER BY same_t, device_id LIMIT 1) AS same_instant_first,
  coalesce((SELECT sum(nd) FROM pda WHERE every > 0), 0)::bigint AS planned,
  coalesce((SELECT sum(nd) FROM pda WHERE every = 0), 0)::bigint AS disconnects,
  coalesce((SELECT sum(n - 1) FROM pda WHERE n > 0), 0)::bigint AS seq_following,
  coalesce((SELECT sum(nbk) FROM pda), 0)::bigint AS seq_back,
  (SELECT json_build_object('device', %[3]s, 'at', bkx[1], 'after', bkx[2]) FROM pda WHERE nbk > 0 ORDER BY bkx, %[3]s COLLATE "C" LIMIT 1) AS seq_back_first,
  (SELECT count(*) FROM pda WHERE n > 0) AS event_devices,
  (SELECT count(*) FROM pda WHERE n = 1) AS single_event_devices,
  (SELECT count(*) FROM pda WHERE na > 0) AS activity_devices,
  (SELECT count(*) FROM pda WHERE na = 1) AS single_activity_devices,
  (SELECT count(*) FROM pda WHERE shipped IS NOT NULL) AS shipped_with_rows,
  (SELECT count(*) FROM pda WHERE tl < shipped) AS rows_before_shipping,
  (SELECT coalesce(json_agg(x ORDER BY x.month), '[]') FROM (
    SELECT to_char(to_timestamp(shipped / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*) AS with_rows, count(*) FILTER (WHERE tl < shipped) AS before
    FROM pda WHERE shipped IS NOT NULL GROUP BY 1) x) AS before_shipping_months,
  (SELECT count(*) FROM dm WHERE unknown) AS unknown_models,
  (SELECT count(*) FROM dm WHERE model IS NULL) AS no_model,
  (SELECT coalesce(array_agg(model ORDER BY model), '{}') FROM (SELECT DISTINCT model COLLATE "C" AS model FROM dm WHERE unknown) u) AS unknown_values,
  (SELECT json_agg(x) FROM (
    SELECT every > 0 AS checkin, sum(conn)::bigint AS conn, sum(obs)::bigint AS obs, count(*) FILTER (WHERE obs > 0) AS devices, sum(missed)::bigint AS missed, sum(stretches)::bigint AS stretches,
           sum(obs_r)::bigint AS obs_r, sum(missed_r)::bigint AS missed_r,
           count(*) FILTER (WHERE %[6]s) AS sparse, coalesce(sum(conn) FILTER (WHERE %[6]s), 0)::bigint AS sparse_conn,
           coalesce(sum(obs) FILTER (WHERE %[6]s), 0)::bigint AS sparse_obs, min(%[7]s COLLATE "C") FILTER (WHERE %[6]s) AS sparse_example,
           count(*) FILTER (WHERE %[11]s) AS sparse_recent, count(*) FILTER (WHERE %[14]s) AS sparse_early, count(*) FILTER (WHERE %[6]s AND %[12]s) AS sparse_daily, count(*) FILTER (WHERE %[10]s) AS daily, coalesce(sum(conn) FILTER (WHERE %[10]s), 0)::bigint AS daily_conn,
           coalesce(sum(obs) FILTER (WHERE %[10]s), 0)::bigint AS daily_obs, min(%[7]s COLLATE "C") FILTER (WHERE %[10]s) AS daily_example,
           coalesce(sum(daily_n) FILTER (WHERE %[10]s), 0)::bigint AS daily_stretches, coalesce(sum(daily_w) FILTER (WHERE %[10]s), 0) AS daily_weight,
           coalesce(sum(daily_len) FILTER (WHERE %[10]s), 0)::bigint AS daily_length,
           coalesce(sum(daily_c) FILTER (WHERE %[10]s), 0) AS daily_cos, coalesce(sum(daily_s) FILTER (WHERE %[10]s), 0) AS daily_sin
    FROM pd GROUP BY 1) x) AS modes,
  (SELECT json_agg(x ORDER BY x.profile COLLATE "C") FROM (
    SELECT m.profile, max(m.every) > 0 AS checkin, coalesce(sum(pd.conn), 0)::bigint AS conn, coalesce(sum(pd.obs), 0)::bigint AS obs,
           count(*) FILTER (WHERE pd.obs > 0) AS devices, coalesce(sum(pd.missed), 0)::bigint AS missed, coalesce(sum(pd.stretches), 0)::bigint AS stretches,
           coalesce(sum(pd.obs_r), 0)::bigint AS obs_r, coalesce(sum(pd.missed_r), 0)::bigint AS missed_r, coalesce(sum(pd.checkins), 0)::bigint AS checkins,
           count(*) FILTER (WHERE %[4]s) AS sparse, coalesce(sum(pd.conn) FILTER (WHERE %[4]s), 0)::bigint AS sparse_conn,
           coalesce(sum(pd.obs) FILTER (WHERE %[4]s), 0)::bigint AS sparse_obs,
           min(%[5]s COLLATE "C") FILTER (WHERE %[4]s) AS sparse_example, count(*) FILTER (WHERE %[8]s) AS sparse_recent,
           count(*) FILTER (WHERE %[15]s) AS sparse_early, count(*) FILTER (WHERE %[4]s AND %[13]s) AS sparse_daily, count(*) FILTER (WHERE %[16]s) AS sparse_settled,
           count(*) FILTER (WHERE %[9]s) AS daily, coalesce(sum(pd.conn) FILTER (WHERE %[9]s), 0)::bigint AS daily_conn,
           coalesce(sum(pd.obs) FILTER (WHERE %[9]s), 0)::bigint AS daily_obs, min(%[5]s COLLATE "C") FILTER (WHERE %[9]s) AS daily_example,
           coalesce(sum(pd.daily_n) FILTER (WHERE %[9]s), 0)::bigint AS daily_stretches, coalesce(sum(pd.daily_w) FILTER (WHERE %[9]s), 0) AS daily_weight,
           coalesce(sum(pd.daily_len) FILTER (WHERE %[9]s), 0)::bigint AS daily_length,
           coalesce(sum(pd.daily_c) FILTER (WHERE %[9]s), 0) AS daily_cos, coalesce(sum(pd.daily_s) FILTER (WHERE %[9]s), 0) AS daily_sin
    FROM dm m LEFT JOIN pd USING (device_id) WHERE m.profile IS NOT NULL GROUP BY m.profile) x) AS profiles`, never, retired, p.idText("device_id"), sparseSQL, p.idText("pd.device_id"), intermittent(""), p.idText("device_id"), sparseRecentSQL, dailySQL, "every = 0 AND "+dailyDown(""), intermittentRecent(""), dailyDown(""), dailyDown("pd."), intermittentEarly(""), sparseEarlySQL, sparseSettledSQL)
}

// dailySQL is metrics.DailyDown of a check-in device pd beside its mode m
// (dm).
var dailySQL = "m.every > 0 AND " + dailyDown("pd.")

// dailyDown is metrics.DailyDown of a device of pd (its columns prefixed
// by v: "" or "pd."), in float8 as Go computes it: at least 14 long
// stretches whose weighted start angles' resultant is at least 0.8 of
// their weight.
func dailyDown(v string) string {
	return fmt.Sprintf("%[1]sdaily_n >= %[2]d AND %[1]sdaily_w > 0 AND %[1]sdaily_c * %[1]sdaily_c + %[1]sdaily_s * %[1]sdaily_s >= %[3]s * %[1]sdaily_w * %[1]sdaily_w",
		v, metrics.DailyMinStretches, strconv.FormatFloat(metrics.DailyMinConcentration*metrics.DailyMinConcentration, 'g', -1, 64))
}

// sparseSQL is metrics.SparseCheckins of a device pd beside its mode m
// (dm), over the window, its recent part or its early part: a check-in
// device with at least 20 check-ins expected over its observed time
// there, 10 unreachable stretches, and 1/(g + 1) of them missed.
var sparseSQL = "(" + sparseOver("") + " OR " + sparseOver("_r") + " OR " + sparseOver("_e") + ")"

// sparseRecentSQL: sparse over the window's recent part alone
// (metrics.SparseUptime.Recent); sparseEarlySQL: over its early part,
// neither over the window nor its recent part (metrics.SparseUptime.Early).
var (
	sparseRecentSQL = alone(sparseOver, "_r", "")
	sparseEarlySQL  = alone(sparseOver, "_e", "", "_r")
)

// alone is rule over the part whose sums' names end in suffix, and not
// over the parts ending in each of not (NULL read as not so): a device so
// over that part alone.
func alone(rule func(suffix string) string, suffix string, not ...string) string {
	s := rule(suffix)
	for _, n := range not {
		s += " AND NOT coalesce(" + rule(n) + ", false)"
	}
	return s
}

// sparseSettledSQL: a check-in device of pd beside its mode m (dm) sparse
// over the window that missed few check-ins over its recent part
// (metrics.SettledCheckins, in the same integers; SparseUptime.Settled).
var sparseSettledSQL = sparseOver("") + fmt.Sprintf(" AND pd.obs_r / m.every >= %d AND pd.missed_r * (m.every + m.reach) < (pd.obs_r / m.every) * m.every AND 2 * pd.missed_r * (pd.obs / m.every) <= pd.missed * (pd.obs_r / m.every)", metrics.SparseMinExpected)

// sparseOver is metrics.SparseCheckins over pd's sums whose column names
// end in suffix: "" the window's, "_r" its recent part's, "_e" its early
// part's.
func sparseOver(suffix string) string {
	return strings.NewReplacer("{obs}", "pd.obs"+suffix, "{stretches}", "pd.stretches"+suffix, "{missed}", "pd.missed"+suffix).Replace(
		fmt.Sprintf("m.every > 0 AND {obs} > 0 AND {obs} / m.every >= %d AND {stretches} >= %d AND {missed} * (m.every + m.reach) >= ({obs} / m.every) * m.every",
			metrics.SparseMinExpected, metrics.SparseMinStretches))
}

// intermittent is metrics.Intermittent of a device of pd (its columns
// prefixed by v: "" or "pd."): always connected, connected less than half
// of its observed time, in at least 10 pieces of down time.
func intermittent(v string) string {
	return "(" + intermittentOver(v, "") + " OR " + intermittentOver(v, "_r") + " OR " + intermittentOver(v, "_e") + ")"
}

// intermittentRecent: intermittent over the window's recent part alone
// (metrics.SparseUptime.Recent).
func intermittentRecent(v string) string {
	return alone(func(suffix string) string { return intermittentOver(v, suffix) }, "_r", "")
}

// intermittentEarly: intermittent over the window's early part, neither
// over the window nor its recent part (metrics.SparseUptime.Early).
func intermittentEarly(v string) string {
	return alone(func(suffix string) string { return intermittentOver(v, suffix) }, "_e", "", "_r")
}

// intermittentOver is metrics.Intermittent over the sums of a device of pd
// whose column names end in suffix: "" the window's, "_r" its recent
// part's, "_e" its early part's.
func intermittentOver(v, suffix string) string {
	return fmt.Sprintf("%[1]severy = 0 AND %[1]sobs%[3]s > 0 AND %[1]sstretches%[3]s >= %[2]d AND 2 * %[1]sconn%[3]s < %[1]sobs%[3]s", v, metrics.SparseMinStretches, suffix)
}

// bucketCTEs: per bucket i of the bounds (1…cardinality−1) and device,
// its time observed (obs) and connected (conn), whether it was active in
// it (a connected piece, a connect event or an activity row) and its rows
// counted: the walk's sums (pdb) and the leading pieces' (lpb).
func bucketCTEs() string {
	return `bk AS (
  SELECT i, device_id, bobs AS obs, bconn AS conn, bact AS active, brows AS rows FROM pdb WHERE i >= 1 AND (bobs > 0 OR bact OR brows > 0)
  UNION ALL
  SELECT i, device_id, len, len, true, 0 FROM lpb
)`
}

// madParts: monthly active devices in the window (row i = 0), and the
// month series (rows 1…12): the CTEs beyond the base ones, and the select.
func (p *plan) madParts() ([]string, string) {
	return []string{`months AS (
  SELECT i FROM generate_series(1, cardinality(@bounds::bigint[]) - 1) AS i
)`, `actw AS (
  SELECT device_id, wev OR (conn > 0 AND every = 0) AS conn FROM pda WHERE wev OR conn > 0 OR wact
)`, bucketCTEs(), `mb AS (
  SELECT i, count(DISTINCT device_id) FILTER (WHERE active) AS active, sum(rows)::bigint AS rows, sum(obs)::bigint AS obs, sum(conn)::bigint AS conn
  FROM bk GROUP BY i
)`}, `SELECT 0 AS i,
  (SELECT count(*) FROM actw) AS active,
  (SELECT count(*) FROM actw WHERE conn) AS by_connection,
  coalesce((SELECT sum(wrows) FROM pda), 0)::bigint AS rows,
  coalesce((SELECT sum(obs) FROM pd), 0)::bigint AS obs,
  0::bigint AS conn,
  (SELECT count(*) FROM pda WHERE n > 0 OR na > 0) AS in_input
UNION ALL
SELECT m.i, coalesce(mb.active, 0), 0, coalesce(mb.rows, 0), coalesce(mb.obs, 0), coalesce(mb.conn, 0), 0
FROM months m LEFT JOIN mb USING (i)
ORDER BY i`
}

// activationSQL: devices shipped per ship month (UTC) and profile (NULL:
// the model names none) and in the window, how many of them were
// activated (a connect event or an activity row in [shipped, shipped +
// A), not after H), and how many of those within ShippingHour of shipped
// (metrics.Activation.AtShipping: the first such row's time per device),
// and how many of the window's shipped after H (metrics.Activation.
// AfterHorizon). The units whose window ends by @data_start (the fleet's
// first row) are only counted apart, per month and in the window
// (metrics.Cohort.BeforeData); so, besides, are the units not activated
// whose window begins before it and ends after (Cohort.Straddling).
func (p *plan) activationSQL() string {
	ctes := append([]string{p.devCTE(), mdCTE}, p.activatedCTEs("")...)
	return with(ctes...) + fmt.Sprintf(`SELECT to_char(to_timestamp(d.shipped / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
  m.profile,
  count(*) FILTER (WHERE d.shipped + @activation > @data_start) AS shipped,
  count(a.device_id) FILTER (WHERE d.shipped + @activation > @data_start) AS activated,
  count(*) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND d.shipped + @activation > @data_start) AS window_shipped,
  count(a.device_id) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND d.shipped + @activation > @data_start) AS window_activated,
  count(a.device_id) FILTER (WHERE a.first < d.shipped + %[1]d AND d.shipped + @activation > @data_start) AS at_shipping,
  count(*) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND d.shipped > @horizon) AS window_after,
  count(*) FILTER (WHERE d.shipped + @activation <= @data_start) AS before_data,
  count(*) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND d.shipped + @activation <= @data_start) AS window_before_data,
  count(*) FILTER (WHERE a.device_id IS NULL AND d.shipped < @data_start AND d.shipped + @activation > @data_start) AS straddling,
  count(*) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND a.device_id IS NULL AND d.shipped < @data_start AND d.shipped + @activation > @data_start) AS window_straddling,
  count(a.device_id) FILTER (WHERE d.shipped >= @from AND d.shipped < @to AND a.first < d.shipped + %[1]d AND d.shipped + @activation > @data_start) AS window_at_shipping
FROM dev d LEFT JOIN activated a USING (device_id) LEFT JOIN md m ON m.model = d.model
GROUP BY 1, 2 ORDER BY 1, 2`, metrics.ShippingHour)
}

// activatedCTEs: activated (device_id, first), each device's activation —
// its first connect or activity row in [shipped, min(shipped + @activation,
// H + 1)) — for the devices of dev (which the caller makes) that the
// condition on d (dev's row; "" for all) keeps. With neither events nor
// activity there is none, and activated is empty.
func (p *plan) activatedCTEs(devWhere string) []string {
	if devWhere != "" {
		devWhere = " AND " + devWhere
	}
	var ctes, src []string
	if p.has(planfile.KindEvents) {
		// by time, whether a connect exists needs no duplicate removed:
		// the rows as read (ev0, read once), not the sorted ev
		rows, evs := "ev", p.evCTEs()
		if !p.sequenced() {
			rows, evs = "ev0", p.ev0CTE()
		}
		ctes = append(ctes, evs)
		src = append(src, "SELECT x.device_id, x.t FROM "+rows+" x JOIN dev d USING (device_id) WHERE x.s = 1 AND x.t >= d.shipped AND x.t < least(d.shipped + @activation, @horizon + 1)"+devWhere)
	}
	if p.has(planfile.KindActivity) {
		ctes = append(ctes, p.actCTE())
		src = append(src, "SELECT y.device_id, y.t FROM act y JOIN dev d USING (device_id) WHERE y.t >= d.shipped AND y.t < least(d.shipped + @activation, @horizon + 1)"+devWhere)
	}
	if len(src) == 0 {
		return append(ctes, "activated AS (\n  SELECT "+p.idNull()+" AS device_id, NULL::bigint AS first WHERE false\n)")
	}
	return append(ctes, "activated AS (\n  SELECT device_id, min(t) AS first FROM (\n  "+strings.Join(src, "\n  UNION ALL\n  ")+"\n  ) u GROUP BY device_id\n)")
}

// setupJoinSQL: the units the setup funnel's join reads
// (metrics.JoinUnit) — every unit of the devices input shipped in the
// window, with its activation, and every listed unit whose id, as text,
// is one of @setup_ids (the device ids of the onboarding rows, a file).
// The funnel itself is computed from the file; only these units come
// back, not the fleet.
func (p *plan) setupJoinSQL() string {
	inWindow := "d.shipped >= @from AND d.shipped < @to"
	ctes := append([]string{p.devCTE()}, p.activatedCTEs(inWindow)...)
	return with(ctes...) + fmt.Sprintf(`SELECT %s AS device_id, d.shipped, a.first
FROM dev d LEFT JOIN activated a USING (device_id)
WHERE (%s) OR %s = ANY(@setup_ids)
ORDER BY 1`, p.idText("d.device_id"), inWindow, p.idText("d.device_id"))
}

// otaSQL: units (device, job) by final status — the latest row at or
// before H (at equal times a terminal status over a pending one, then the
// lowest class) — whose final row is in the window, per job and the
// profile of the unit's device (NULL: its model names none, or it is not
// in the devices input).
func (p *plan) otaSQL() string {
	t := p.tables[planfile.KindOTA]
	// each unit's profile: the devices input's model, named by md
	prof := "SELECT " + p.idNull() + " AS device_id, NULL::text AS profile WHERE false"
	ctes := []string{}
	if p.has(planfile.KindDevices) {
		prof = "SELECT d.device_id, m.profile FROM dev d JOIN md m ON m.model = d.model"
		ctes = append(ctes, p.devCTE(), mdCTE)
	}
	unitProfile := "pr.profile"
	if p.unlistedModel() {
		// every unit's device is of the profile metrics.unmodelled names
		unitProfile = "(SELECT m.profile FROM md m WHERE m.model = @unmodelled)"
		ctes = append(ctes, mdCTE)
	}
	ctes = append(ctes, "prof AS (\n  "+prof+"\n)")
	count := `SELECT f.job, ` + unitProfile + ` AS profile,
  count(*) FILTER (WHERE c = 0) AS success,
  count(*) FILTER (WHERE c = 1) AS failure,
  count(*) FILTER (WHERE c = 2) AS excluded,
  count(*) FILTER (WHERE c = 3) AS pending
FROM fin f LEFT JOIN prof pr USING (device_id)`
	if t.Snapshot {
		// final states as the table is now, counted in any window (account
		// refuses a job execution with rows of different states)
		ctes = append(ctes, fmt.Sprintf(`fin AS (
  SELECT DISTINCT %s AS device_id, %s AS job, %s AS c FROM %s
)`, p.idExpr(t.cols["device_id"]), textExpr(t.cols["job_id"]), classExpr(t.cols["status"]), p.from(planfile.KindOTA)))
		return with(ctes...) + count + `
WHERE c IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2`
	}
	ts := t.cols["timestamp"]
	// a unit whose final row is in the window has all its rows from there
	// to H in [from, H]: earlier ones never decide it (rows from the
	// window's start on only, by the time column itself)
	ctes = append(ctes, fmt.Sprintf(`ota AS (
  SELECT %s AS device_id, %s AS job, %s AS t, %s AS c FROM %s WHERE %s
)`, p.idExpr(t.cols["device_id"]), textExpr(t.cols["job_id"]), ts.timeExpr(ts.quoted), classExpr(t.cols["status"]), p.from(planfile.KindOTA),
		ts.between("@from", "@horizon")), `fin AS (
  SELECT DISTINCT ON (device_id, job) device_id, job, t, c FROM ota
  WHERE t <= @horizon AND c IS NOT NULL
  ORDER BY device_id, job, t DESC, (c = 3), c
)`)
	return with(ctes...) + count + `
WHERE t >= @from AND t < @to
GROUP BY 1, 2 ORDER BY 1, 2`
}

// healthParts: per customer, its devices in the window's fleet, how many
// used a feature in the window, its tickets in the window and its uptime
// sums: the CTEs beyond the base ones, and the select.
func (p *plan) healthParts() ([]string, string) {
	var ctes []string
	usedDev := "SELECT " + p.idNull() + " AS device_id WHERE false"
	if p.has(planfile.KindUsage) {
		t := p.tables[planfile.KindUsage]
		ts := t.cols["timestamp"]
		usedDev = fmt.Sprintf("SELECT DISTINCT %s AS device_id FROM %s WHERE %s AND %s >= @from AND %[4]s < @to AND %[4]s <= @horizon",
			p.idExpr(t.cols["device_id"]), p.from(planfile.KindUsage), ts.between("@from", "@to"), ts.timeExpr(ts.quoted))
	}
	tk := "SELECT NULL::text AS customer_id, 0::bigint AS n WHERE false"
	tkAll := "SELECT NULL::text AS customer_id WHERE false"
	if p.has(planfile.KindTickets) {
		t := p.tables[planfile.KindTickets]
		c := t.cols["created_at"]
		id := textExpr(t.cols["customer_id"])
		tk = fmt.Sprintf("SELECT %s AS customer_id, count(*) AS n FROM %s WHERE %s AND %s >= @from AND %[4]s < @to AND %[4]s <= @horizon GROUP BY 1",
			id, p.from(planfile.KindTickets), c.between("@from", "@to"), c.timeExpr(c.quoted))
		if tid, ok := t.cols["ticket_id"]; ok {
			// the rows of one customer's ticket id are one ticket, created
			// at the earliest of their times (metrics.Data.AddTicketRow);
			// a row without an id is a ticket of its own. Grouped by the
			// customer first, so that a table distributed by it groups on
			// its workers.
			in := func(x string) string { return fmt.Sprintf("%s >= @from AND %[1]s < @to AND %[1]s <= @horizon", x) }
			tk = fmt.Sprintf(`SELECT customer_id, sum(n)::bigint AS n FROM (
    SELECT customer_id, CASE WHEN tid IS NULL THEN count(*) FILTER (WHERE %s) ELSE (%s)::int END AS n
    FROM (SELECT %s AS customer_id, %s AS tid, %s AS t FROM %s) r
    GROUP BY customer_id, tid
  ) x GROUP BY 1`, in("t"), in("min(t)"), id, ticketIDExpr(tid), c.timeExpr(c.quoted), p.from(planfile.KindTickets))
		}
		tkAll = fmt.Sprintf("SELECT DISTINCT %s AS customer_id FROM %s", id, p.from(planfile.KindTickets))
	}
	ctes = append(ctes, "used AS (\n  "+usedDev+"\n)", "tk AS (\n  "+tk+"\n)", `fleet AS (
  SELECT d.customer_id, count(*) AS n, count(u.device_id) AS used
  FROM dev d LEFT JOIN used u USING (device_id)
  WHERE d.customer_id IS NOT NULL AND d.shipped < @to AND (d.retired IS NULL OR d.retired >= @from)
  GROUP BY d.customer_id
)`, fmt.Sprintf(`up AS (
  SELECT d.customer_id, sum(pd.conn)::bigint AS conn, sum(pd.obs)::bigint AS obs,
         count(*) FILTER (WHERE %[1]s) AS sparse, coalesce(sum(pd.conn) FILTER (WHERE %[1]s), 0)::bigint AS sparse_conn,
         coalesce(sum(pd.obs) FILTER (WHERE %[1]s), 0)::bigint AS sparse_obs, min(%[2]s COLLATE "C") FILTER (WHERE %[1]s) AS sparse_example,
         count(*) FILTER (WHERE %[3]s) AS sparse_recent, count(*) FILTER (WHERE %[5]s) AS sparse_early, count(*) FILTER (WHERE %[1]s AND %[4]s) AS sparse_daily,
         count(*) FILTER (WHERE %[6]s) AS sparse_settled
  FROM pd JOIN dev d USING (device_id) LEFT JOIN dm m USING (device_id) WHERE d.customer_id IS NOT NULL GROUP BY d.customer_id
)`, "("+sparseSQL+" OR "+intermittent("pd.")+")", p.idText("pd.device_id"), "("+sparseRecentSQL+" OR "+intermittentRecent("pd.")+")", dailyDown("pd."), "("+sparseEarlySQL+" OR "+intermittentEarly("pd.")+")", sparseSettledSQL), "cust AS (\n  SELECT customer_id FROM dev WHERE customer_id IS NOT NULL UNION "+tkAll+"\n)")
	return ctes, `SELECT c.customer_id, coalesce(f.n, 0) AS devices, coalesce(f.used, 0) AS used, coalesce(tk.n, 0) AS tickets,
  coalesce(up.conn, 0) AS connected_us, coalesce(up.obs, 0) AS observed_us,
  coalesce(up.sparse, 0) AS sparse, coalesce(up.sparse_conn, 0) AS sparse_conn, coalesce(up.sparse_obs, 0) AS sparse_obs, up.sparse_example,
  coalesce(up.sparse_recent, 0) AS sparse_recent, coalesce(up.sparse_early, 0) AS sparse_early, coalesce(up.sparse_daily, 0) AS sparse_daily,
  coalesce(up.sparse_settled, 0) AS sparse_settled
FROM cust c LEFT JOIN fleet f USING (customer_id) LEFT JOIN tk USING (customer_id) LEFT JOIN up USING (customer_id)
ORDER BY c.customer_id`
}

// deviceSQL is one statement for the metrics that walk each device's
// events — uptime, MAD with its series, and the health counts — so the
// walk (the costly part: the events sorted by device and time, cut into
// pieces) is built once and shared; each metric comes back as JSON.
func (p *plan) deviceSQL(uptime, mad, health bool) string {
	ctes := p.baseCTEs("@bounds::bigint[]")
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
	dev := "(SELECT " + p.idNull() + " AS device_id, NULL::text AS firmware, NULL::text AS model WHERE false)"
	if p.has(planfile.KindDevices) {
		dev = "dev"
	}
	ctes = append(ctes, fmt.Sprintf(`fwa AS (
  SELECT a.device_id,
         CASE WHEN o.device_id IS NOT NULL THEN o.version WHEN @fw_at = @horizon THEN d.firmware END AS version,
         coalesce(%s = ANY(@noota_models::text[]), false) AS noota
  FROM (SELECT DISTINCT device_id FROM actw) a LEFT JOIN fwo o USING (device_id) LEFT JOIN %s d USING (device_id)
)`, p.modelOf("d"), dev))
	return ctes, `SELECT version, noota, count(*) AS n,
  (SELECT count(*) FROM fwo WHERE ambiguous) AS ambiguous,
  (SELECT min(` + p.idText("device_id") + ` COLLATE "C") FROM fwo WHERE ambiguous) AS ambiguous_device
FROM fwa GROUP BY 1, 2`
}

// fwoCTEs: fwo, each device's version from the latest of its succeeded
// OTA rows at or before the instant @at (NULL when none names one, or
// when rows at that instant name different versions: ambiguous).
func (p *plan) fwoCTEs(at string) []string {
	t, ok := p.tables[planfile.KindOTA]
	if !ok || t.Snapshot {
		// a snapshot's rows have no time: none says what ran at H (as
		// in files, where they are not OTA rows with times)
		return []string{"fwo AS (SELECT " + p.idNull() + " AS device_id, NULL::text AS version, false AS ambiguous WHERE false)"}
	}
	ts, version := t.cols["timestamp"], "NULL::text"
	if c, ok := t.cols["version"]; ok {
		version = fmt.Sprintf("NULLIF(btrim((%s)::text, E' \\t'), '')", c.quoted)
	}
	// one chain per device (the latest instant's rows by a window, then
	// grouped): on Citus it runs in the workers, only a version per
	// device comes out
	return []string{fmt.Sprintf(`fwo AS (
  SELECT device_id, CASE WHEN count(DISTINCT coalesce(version, '')) = 1 THEN max(version) END AS version,
         count(DISTINCT coalesce(version, '')) > 1 AS ambiguous
  FROM (
    SELECT device_id, t, version, max(t) OVER (PARTITION BY device_id) AS latest FROM (
      SELECT %s AS device_id, %s AS t, %s AS c, %s AS version FROM %s WHERE %s
    ) r WHERE c = 0 AND t <= @%s
  ) x WHERE t = latest
  GROUP BY device_id
)`, p.idExpr(t.cols["device_id"]), ts.timeExpr(ts.quoted), classExpr(t.cols["status"]), version, p.from(planfile.KindOTA), ts.between("", "@"+at), at)}
}

// fleetDaysSQL: every device with observed time in the lookback's whole
// UTC days (@lookback_days before H's day), its observed and online days — online by the
// monthly-active definition applied to the day: connected (reachable)
// time in it, a connect event or an activity row — its version at H
// (fwo at @horizon, else the devices input's firmware), its model (the
// profile, else the value) and whether it takes no OTA update, as
// metrics.Data.FleetDays defines them.
func (p *plan) fleetDaysSQL() string {
	// the lookback's day bounds from H, in SQL, so that the psql script
	// (whose H comes from \gset) runs the same statement; the walk is
	// summed by day
	ctes := []string{`dayb AS (
  SELECT ARRAY(SELECT (floor(@horizon::numeric / 86400000000)::bigint - @lookback_days + k) * 86400000000
               FROM generate_series(0, @lookback_days) AS k ORDER BY k) AS b
)`}
	ctes = append(ctes, p.baseCTEs("(SELECT b FROM dayb)")...)
	ctes = append(ctes, p.fwoCTEs("horizon")...)
	ctes = append(ctes, bucketCTEs(), `fd AS (
  SELECT device_id, count(*) AS observed, count(*) FILTER (WHERE active) AS online
  FROM (SELECT device_id, i, bool_or(active) AS active FROM bk GROUP BY device_id, i HAVING sum(obs) > 0) x
  GROUP BY device_id
)`)
	dev := "(SELECT " + p.idNull() + " AS device_id, NULL::text AS firmware, NULL::text AS model WHERE false)"
	if p.has(planfile.KindDevices) {
		dev = "dev"
	}
	id := p.idText("fd.device_id")
	return with(ctes...) + fmt.Sprintf(`SELECT %[2]s AS device_id, fd.observed, fd.online,
  CASE WHEN fo.device_id IS NOT NULL THEN fo.version ELSE d.firmware END AS version,
  coalesce(dm.profile, d.model) AS model,
  coalesce(%[3]s = ANY(@noota_models::text[]), false) AS noota
FROM fd LEFT JOIN fwo fo USING (device_id) LEFT JOIN %[1]s d USING (device_id) LEFT JOIN dm USING (device_id)
ORDER BY %[2]s COLLATE "C"`, dev, id, p.modelOf("d"))
}
