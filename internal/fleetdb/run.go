package fleetdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// Job is one computation: the inputs, the settings the local engine would
// get, and how long the queries may take.
type Job struct {
	Inputs map[planfile.InputKind]Input
	// Allow limits the tables the inputs may name (nil: any the role may
	// read), from outside the repository: --allow-tables or
	// IOTPM_DB_ALLOW_TABLES.
	Allow   AllowList
	Options metrics.Options
	// UseUntil bounds the event and activity times any metric looks at, for
	// the ROWS accounting (as export.Ingest's).
	UseUntil int64
	// Now is the clock (µs; 0: no bound): a row time later than it plus a
	// day is a bad row, as export.Ingest's Now.
	Now int64
	// MaxBadRows is how many bad rows all inputs together may have: they
	// are skipped, as the file reader skips them (0: any stops the run).
	MaxBadRows int
	// SetupDevices are the device ids of the onboarding rows (the app's
	// export, a file); non-nil asks for the units the setup funnel's join
	// reads (Result.SetupUnits), when the devices input is a table.
	SetupDevices []string
	// Stage, when set, is told each stage before its query runs ("horizon",
	// "checking events", "device_metrics"…), for a progress line.
	Stage func(stage string)
}

func (j *Job) stage(s string) {
	if j.Stage != nil {
		j.Stage(s)
	}
}

// Result is what the local engine produces from files: the report and
// the accounting of every input.
type Result struct {
	Report metrics.Report
	Stats  []*export.Stats
	// Fleet are the devices' online days when Options.FleetLookbackDays
	// asks for them (metrics.Data.FleetDays).
	Fleet []metrics.FleetDevice
	// MissingIndexes are the indexes the statements read the inputs by that
	// the database lacks (the run is right without them, only slower).
	MissingIndexes []Index
	// SetupUnits are the units the setup funnel's join reads, when
	// Job.SetupDevices asks (metrics.Data.AddJoinUnits); nil otherwise.
	SetupUnits []metrics.JoinUnit
	// SetupJoin is how Job.SetupDevices match the devices input's ids (as
	// metrics.Data.Joins tells it of files), when asked.
	SetupJoin *metrics.Join
}

// Query is one statement of a run, for --print-sql and for EXPLAIN.
type Query struct {
	Name   string
	SQL    string // with @name parameters
	Params Params
}

func (j *Job) params(horizon int64) Params {
	o := j.Options
	bounds, _ := metrics.MonthBounds(o.Window.To-1, max(o.SeriesMonths, 1))
	words := func(vocab map[string]int, class int) []string {
		var out []string
		for w, c := range vocab {
			if c == class {
				out = append(out, w)
			}
		}
		slices.Sort(out)
		return out
	}
	p := Params{
		"from": o.Window.From, "to": o.Window.To, "horizon": horizon, "dormant": o.DormantAfter,
		"activation": o.ActivationWindow, "slo": o.SLO, "bounds": bounds, "use_until": j.UseUntil,
		"connect": words(export.EventWords, metrics.Connected), "disconnect": words(export.EventWords, metrics.Disconnected),
		"success": words(export.OTAWords, metrics.OTASuccess), "failure": words(export.OTAWords, metrics.OTAFailure),
		"excluded": words(export.OTAWords, metrics.OTAExcluded), "pending": words(export.OTAWords, metrics.OTAPending),
		"not_before": export.NotBefore,
		// the fleet's data start F: none until the checks have counted the
		// rows (Run sets it from them; the script reads it with \gset)
		"data_start": int64(metrics.NoTime),
	}
	if t, ok := j.Inputs[planfile.KindEvents]; ok && t.SequenceReset > 0 {
		p["reset"] = t.SequenceReset
	}
	if j.Now != 0 {
		p["not_after"] = j.Now + 86_400_000_000
	}
	values, profiles, every, reach := []string{}, []string{}, []int64{}, []int64{}
	for _, v := range slices.Sorted(maps.Keys(o.Models)) {
		m := o.Models[v]
		values, profiles, every, reach = append(values, v), append(profiles, m.Profile), append(every, m.Every), append(reach, m.Reach())
	}
	p["model_values"], p["model_profiles"], p["model_every"], p["model_reach"] = values, profiles, every, reach
	if o.Unmodelled != "" {
		p["unmodelled"] = o.Unmodelled
	}
	noOTA := []string{}
	for _, v := range slices.Sorted(maps.Keys(o.Models)) {
		if o.Models[v].NoOTA {
			noOTA = append(noOTA, v)
		}
	}
	p["noota_models"], p["fw_at"], p["lookback_days"] = noOTA, min(o.Window.To, horizon), int64(o.FleetLookbackDays)
	if j.SetupDevices != nil {
		p["setup_ids"] = j.SetupDevices
	}
	return p
}

// only keeps the parameters sql refers to.
func (p Params) only(sql string) Params {
	out := Params{}
	for _, m := range paramRE.FindAllStringSubmatch(sql, -1) {
		if v, ok := p[m[1]]; ok {
			out[m[1]] = v
		}
	}
	return out
}

// metricQueries are the metric statements a job runs, in order.
func (j *Job) metricQueries(p *plan, params Params) []Query {
	var qs []Query
	add := func(name, sql string) { qs = append(qs, Query{name, sql, params.only(sql)}) }
	ev, act, dev := p.has(planfile.KindEvents), p.has(planfile.KindActivity), p.has(planfile.KindDevices)
	health := dev && (ev || act || p.has(planfile.KindUsage) || p.has(planfile.KindTickets))
	if ev || act || health {
		// uptime from events, or from activity alone: the check-in
		// devices', as in files (metrics.Uptime.ActivityOnly)
		add("device_metrics", p.deviceSQL(ev || act, ev || act, health))
	}
	if dev && (ev || act) {
		add("activation_rate", p.activationSQL())
	}
	if p.has(planfile.KindOTA) {
		add("ota_success_rate", p.otaSQL())
	}
	if j.Options.FleetLookbackDays > 0 && (ev || act) {
		add("fleet_days", p.fleetDaysSQL())
	}
	if j.SetupDevices != nil && dev {
		add("setup_join", p.setupJoinSQL())
	}
	return qs
}

// Connect opens a connection from a DSN (URL or key=value); its errors
// name the host and database, never the password.
func Connect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	return ConnectTimeout(ctx, dsn, 0)
}

// ConnectTimeout is Connect whose statements the server itself cancels
// after timeout (statement_timeout; 0: the server's setting), so that a
// query outlives neither a client that gave up nor a timeout. When ctx is
// cancelled (Ctrl-C, the timeout) the running query is cancelled on the
// server at once, not only abandoned by the client.
func ConnectTimeout(ctx context.Context, dsn string, timeout time.Duration) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("the DSN does not parse: write postgres://USER@HOST:5432/DB or host=… dbname=… (the password belongs in PGPASSWORD or ~/.pgpass)")
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "iotpm"
	}
	if timeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(max(1, timeout.Milliseconds()), 10)
	}
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: time.Second}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(&cfg.Config, err)
	}
	watchClient(ctx, conn)
	return conn, nil
}

// clientCheckInterval is how often the server checks, while a query runs,
// that iotpm is still connected (client_connection_check_interval, ms).
const clientCheckInterval = 1000

// watchClient asks the server to end a running query whose client has
// gone. The cancel request on Ctrl-C is sent from a new connection, which
// a loaded machine may not open within the grace the process gives it
// (root.InterruptGrace) before it exits; the server then noticed nothing
// until its query's end, and a 10-minute scan ran on with no one to read
// it. PostgreSQL before 14 has no such setting, and a pooler may refuse
// it: the run goes on without (the cancel request still covers most
// interrupts).
func watchClient(ctx context.Context, conn *pgx.Conn) {
	if serverMajor(conn.PgConn().ParameterStatus("server_version")) < 14 {
		return
	}
	_, _ = conn.Exec(ctx, "SET client_connection_check_interval = "+strconv.Itoa(clientCheckInterval))
}

// serverMajor is the major version in a server_version ("15.10 (Debian
// 15.10-0+deb12u1)", "17beta1", "9.6.24"); 0 when it has none.
func serverMajor(version string) int {
	end := 0
	for end < len(version) && version[end] >= '0' && version[end] <= '9' {
		end++
	}
	major, _ := strconv.Atoi(version[:end])
	return major
}

// Resolve checks every input against the database's catalog.
func Resolve(ctx context.Context, conn *pgx.Conn, inputs map[planfile.InputKind]Input, allow AllowList) (*plan, error) {
	p := &plan{tables: map[planfile.InputKind]*table{}}
	for _, kind := range planfile.InputKinds {
		in, ok := inputs[kind]
		if !ok {
			continue
		}
		if err := in.Check(); err != nil {
			return nil, err
		}
		if err := allowed(ctx, conn, in, allow); err != nil {
			return nil, err
		}
		t, err := resolve(ctx, conn, in)
		if err != nil {
			return nil, err
		}
		p.tables[kind] = t
	}
	p.setIDType()
	return p, nil
}

// sessionSettings are set on the connection before the statements run.
// jit off: the walk is one statement of a few hundred small expressions,
// whose row estimates (a bucket series per piece) put its cost above the
// JIT thresholds even on a small table; LLVM then spends seconds
// compiling them (1.9 s of a 2.1 s statement on a 15,000-event fleet)
// and saves less than that on a large one (measured: docs/databases.md).
const sessionSettings = "SET jit = off"

// Run computes the metrics in the database. A *Problem is bad input (the
// mapping or the data); other errors are the connection's or the
// context's.
func Run(ctx context.Context, conn *pgx.Conn, job *Job) (*Result, error) {
	p, err := Resolve(ctx, conn, job.Inputs, job.Allow)
	if err != nil {
		return nil, err
	}
	p.future = job.Now != 0
	p.unmodelled = job.Options.Unmodelled != ""
	p.skip = map[planfile.InputKind]bool{}
	if _, err := conn.Exec(ctx, sessionSettings); err != nil {
		return nil, queryError(err, "settings")
	}
	o := job.Options
	res := &Result{Report: metrics.Report{Window: o.Window}}
	job.stage("indexes")
	if res.MissingIndexes, err = MissingIndexes(ctx, conn, p); err != nil {
		return nil, err
	}
	// the checks first: the horizon is the latest row that is not bad
	if err := p.account(ctx, conn, job.params(metrics.NoTime), job.Options.Window, job.MaxBadRows, res, job.stage); err != nil {
		return nil, err
	}
	if err := p.ticketDuplicates(ctx, conn, job.params(metrics.NoTime), res); err != nil {
		return nil, err
	}
	horizon := o.AsOf
	if horizon == 0 || horizon == metrics.NoTime {
		job.stage("horizon")
		var h *int64
		if err := scanOne(ctx, conn, p.horizonSQL(), job.params(metrics.NoTime), &h); err != nil {
			return nil, queryError(err, "horizon")
		}
		horizon = metrics.NoTime
		if h != nil {
			horizon = *h
		}
	}
	params := job.params(horizon)
	params["data_start"], _ = export.FleetStart(res.Stats)
	res.Report.Horizon = horizon
	for _, q := range job.metricQueries(p, params) {
		job.stage(q.Name)
		if err := p.runMetric(ctx, conn, q, job, res); err != nil {
			return nil, err
		}
	}
	if job.SetupDevices != nil && p.has(planfile.KindDevices) {
		job.stage("onboarding join")
		if res.SetupJoin, err = p.setupJoinNotes(ctx, conn, params); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// setupJoinNotes tells how the onboarding rows' device ids match the
// devices input's.
func (p *plan) setupJoinNotes(ctx context.Context, conn *pgx.Conn, params Params) (*metrics.Join, error) {
	var ids, unknown, caseOnly, formOnly int64
	var sampleUnknown, sampleKnown, caseHere, caseThere, formHere, formThere *string
	if err := scanOne(ctx, conn, p.setupJoinNotesSQL(), params, &ids, &unknown, &sampleUnknown, &sampleKnown, &caseOnly, &caseHere, &caseThere, &formOnly, &formHere, &formThere); err != nil {
		return nil, queryError(err, "onboarding join")
	}
	return &metrics.Join{Input: metrics.KindOnboarding, IDs: int(ids), Unknown: int(unknown), SampleUnknown: orEmpty(sampleUnknown), SampleKnown: orEmpty(sampleKnown),
		CaseOnly: int(caseOnly), CaseSample: [2]string{orEmpty(caseHere), orEmpty(caseThere)}, FormOnly: int(formOnly), FormSample: [2]string{orEmpty(formHere), orEmpty(formThere)}}, nil
}

func queryError(err error, what string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("the %s query failed: %s (SQLSTATE %s)", what, pgErr.Message, pgErr.Code)
	}
	return fmt.Errorf("the %s query failed: %w", what, err)
}

// query runs a statement with its parameters bound.
func query(ctx context.Context, conn *pgx.Conn, sql string, params Params) (pgx.Rows, error) {
	s, args, err := bind(sql, params.only(sql))
	if err != nil {
		return nil, err
	}
	return conn.Query(ctx, s, args...)
}

// account fills the ROWS accounting. Bad rows (badChecks) stop the run
// when there are more than maxBad in all inputs together, at the first
// input that has them, as the file reader does with --max-bad-rows;
// within the limit they are counted as skipped and every later statement
// reads the inputs without them (plan.from). Then ids that do not join
// stop it. w is the window whose stretches with rows it marks (Busy).
func (p *plan) account(ctx context.Context, conn *pgx.Conn, params Params, w metrics.Window, maxBad int, res *Result, stage func(string)) error {
	type bad struct {
		t        *table
		checks   []badCheck
		counts   []int64
		examples []*string
	}
	var firsts []bad
	total := 0
	for _, kind := range p.orderedKinds() {
		stage("checking " + string(kind))
		t := p.tables[kind]
		sql, checks := p.checkSQL(kind)
		st := &export.Stats{Kind: kind, Path: t.Table, Format: "postgres", Columns: map[string]string{},
			Skipped: map[export.RowKind]int{}, Ignored: map[string]int{}, Earliest: metrics.NoTime, Latest: metrics.NoTime}
		for role, c := range t.cols {
			st.Columns[role] = c.name
		}
		dest := make([]any, 8+2*len(checks))
		var read, used, repeated int64
		var earliest, latest *int64
		var repeatedAt *string
		var busy, busyRows []int64
		dest[0], dest[1], dest[2], dest[3], dest[4], dest[5], dest[6], dest[7] = &read, &used, &earliest, &latest, &repeated, &repeatedAt, &busy, &busyRows
		b := bad{t: t, checks: checks, counts: make([]int64, len(checks)), examples: make([]*string, len(checks))}
		for i := range checks {
			dest[8+2*i], dest[9+2*i] = &b.counts[i], &b.examples[i]
		}
		if err := scanOne(ctx, conn, sql, params, dest...); err != nil {
			return queryError(err, string(kind)+" check")
		}
		skipped := 0
		for i, c := range checks {
			if b.counts[i] > 0 {
				st.Skipped[c.kind] += int(b.counts[i])
				skipped += int(b.counts[i])
			}
		}
		if skipped > 0 {
			firsts = append(firsts, b)
			p.skip[kind] = true
		}
		total += skipped
		st.Read, st.Used, st.Outside = int(read), int(used), int(read-used)-skipped
		if earliest != nil {
			st.Earliest, st.Latest = *earliest, *latest
		}
		if kind != planfile.KindDevices {
			st.Busy = export.NewBusy(w)
			for k, i := range busy {
				st.Busy.AddRows(i, busyRows[k])
			}
		}
		if repeated > 0 && repeatedAt != nil {
			st.RepeatedHour = int(repeated)
			st.RepeatedHourExample = fmt.Sprintf("%q in %s", *repeatedAt, t.cols[rowTimeRole(kind)].zone)
		}
		if t.status != "" {
			if err := statusNote(ctx, conn, t, st); err != nil {
				return queryError(err, string(kind)+" status")
			}
		}
		res.Stats = append(res.Stats, st)
	}
	if total > maxBad {
		b := firsts[0]
		for i, c := range b.checks {
			if b.counts[i] == 0 {
				continue
			}
			ex := ""
			if b.examples[i] != nil {
				ex = fmt.Sprintf(" (for example a row of %s %q; the values are not shown)", map[bool]string{true: "customer", false: "device"}[b.t.Kind == planfile.KindTickets], clip(*b.examples[i]))
			}
			hint := "fix them at the source, select the rows that count in a view, or skip them with --max-bad-rows N"
			if maxBad > 0 {
				hint = fmt.Sprintf("%d bad rows in all inputs, more than --max-bad-rows %d; fix them at the source, or select the rows that count in a view", total, maxBad)
			}
			return b.t.problem(c.role, "%s.%s: %d rows with %s%s; %s", b.t.Table, b.t.cols[c.role].name, b.counts[i], c.what, ex, hint)
		}
	}
	for _, kind := range p.orderedKinds() {
		t := p.tables[kind]
		if kind == planfile.KindDevices {
			var n int64
			var sample *string
			if err := scanOne(ctx, conn, p.duplicateDevicesSQL(), params, &n, &sample); err != nil {
				return queryError(err, "devices duplicates")
			}
			if n > 0 {
				return t.problem("device_id", "%s.%s: %d device ids are listed more than once with different rows (for example %q): a device has one ship date and customer",
					t.Table, t.cols["device_id"].name, n, clip(*sample))
			}
		}
		if kind == planfile.KindOTA && t.Snapshot {
			var n int64
			var sample *string
			if err := scanOne(ctx, conn, p.snapshotConflictsSQL(), params, &n, &sample); err != nil {
				return queryError(err, "ota snapshot")
			}
			if n > 0 {
				return t.problem("status", "%s: %d job executions (device / job) have rows of different states (for example %q): a snapshot holds one final state per execution, and a table's rows have no order to pick the last; select one row per execution in a view",
					t.Table, n, clip(*sample))
			}
		}
		if kind != planfile.KindDevices && p.has(planfile.KindDevices) {
			if err := p.join(ctx, conn, params, kind, res); err != nil {
				return err
			}
		}
	}
	return nil
}

// join accounts how an input's ids match the devices input (tickets:
// customer ids) in its stats, and stops when none does: the column is
// then almost certainly the wrong one.
func (p *plan) join(ctx context.Context, conn *pgx.Conn, params Params, kind planfile.InputKind, res *Result) error {
	t := p.tables[kind]
	var ids, unknown, caseOnly, formOnly int64
	var sampleUnknown, sampleKnown, caseHere, caseThere, formHere, formThere *string
	if err := scanOne(ctx, conn, p.joinSQL(kind), params, &ids, &unknown, &sampleUnknown, &sampleKnown, &caseOnly, &caseHere, &caseThere, &formOnly, &formHere, &formThere); err != nil {
		return queryError(err, string(kind)+" join")
	}
	for _, st := range res.Stats {
		if st.Kind == kind {
			st.UnknownDevices = int(unknown)
			st.Join = export.JoinNotes{JoinIDs: int(ids), UnknownSample: orEmpty(sampleUnknown), CaseOnly: int(caseOnly),
				CaseSample: [2]string{orEmpty(caseHere), orEmpty(caseThere)}, FormOnly: int(formOnly), FormSample: [2]string{orEmpty(formHere), orEmpty(formThere)}}
		}
	}
	if ids == 0 || unknown != ids || sampleKnown == nil {
		return nil
	}
	role := "device_id"
	if kind == planfile.KindTickets {
		role = "customer_id"
	}
	also := ""
	if formOnly > 0 && formHere != nil && formThere != nil {
		also = fmt.Sprintf("; %d of them are its ids written otherwise (%q here, %q in devices: letter case, separators or an \"eui-\" prefix aside, the same): map a column that writes them as the devices table does, or a view that does", formOnly, clip(*formHere), clip(*formThere))
	}
	return t.problem(role, "none of the %d ids in %s.%s is in the devices input (%q there, %q in devices): is it the right column?%s",
		ids, t.Table, t.cols[role].name, clip(*sampleUnknown), clip(*sampleKnown), also)
}

// ticketDuplicates counts, where the tickets have a ticket id, the rows of
// a ticket after its first in the tickets' accounting.
func (p *plan) ticketDuplicates(ctx context.Context, conn *pgx.Conn, params Params, res *Result) error {
	t, ok := p.tables[planfile.KindTickets]
	if !ok {
		return nil
	}
	if _, ok := t.cols["ticket_id"]; !ok {
		return nil
	}
	var n int64
	if err := scanOne(ctx, conn, p.duplicateTicketsSQL(), params, &n); err != nil {
		return queryError(err, "tickets duplicates")
	}
	for _, st := range res.Stats {
		if st.Kind == planfile.KindTickets {
			st.Duplicates = int(n)
		}
	}
	return nil
}

// orEmpty is *s, or "" for a NULL.
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// statusNote counts, as the file reader does (export.StatusNote), the rows
// of a devices table whose status column says the unit is out of service
// while no retirement date is given; the example is the least such value.
// The value is folded as planfile.FoldName folds the words it is compared
// with (letters only): lower case, without blanks, _, - and .
func statusNote(ctx context.Context, conn *pgx.Conn, t *table, st *export.Stats) error {
	words := make([]string, 0, len(export.OutOfService()))
	for _, w := range export.OutOfService() {
		words = append(words, "'"+w+"'")
	}
	where := fmt.Sprintf(`lower(regexp_replace(%s::text, '[[:space:]_.-]', '', 'g')) IN (%s)`, t.status, strings.Join(words, ", "))
	if r, ok := t.cols["retired_at"]; ok {
		where += " AND " + r.quoted + " IS NULL"
	}
	var n int64
	var example *string
	if err := scanOne(ctx, conn, fmt.Sprintf(`SELECT count(*), min(btrim(%s::text) COLLATE "C") FROM %s WHERE %s`, t.status, t.quoted, where), nil, &n, &example); err != nil {
		return err
	}
	if n > 0 && example != nil {
		st.Status = export.StatusNote{Column: t.statusName, Rows: int(n), Example: *example}
	}
	return nil
}

func scanOne(ctx context.Context, conn *pgx.Conn, sql string, params Params, dest ...any) error {
	rows, err := query(ctx, conn, sql, params)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("no row")
	}
	return rows.Scan(dest...)
}

// orNoTime is a nullable time: NULL is metrics.NoTime.
func orNoTime(v *int64) int64 {
	if v == nil {
		return metrics.NoTime
	}
	return *v
}

func nan(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// runMetric runs one metric statement and puts its counts into the report.
func (p *plan) runMetric(ctx context.Context, conn *pgx.Conn, q Query, job *Job, res *Result) error {
	o := job.Options
	r := &res.Report
	rows, err := query(ctx, conn, q.SQL, q.Params)
	if err != nil {
		return queryError(err, q.Name)
	}
	defer rows.Close()
	fail := func(err error) error { return queryError(err, q.Name) }
	switch q.Name {
	case "device_metrics":
		var uptime, mad, firmware, customers []byte
		if !rows.Next() {
			return fail(rows.Err())
		}
		if err := rows.Scan(&uptime, &mad, &firmware, &customers); err != nil {
			return fail(err)
		}
		if err := p.deviceMetrics(uptime, mad, customers, o, res); err != nil {
			return fail(err)
		}
		if err := firmwareMetrics(firmware, o, res); err != nil {
			return fail(err)
		}
	case "fleet_days":
		if r.Horizon == metrics.NoTime {
			return nil // no row: no device was observed (as Data.FleetDays)
		}
		for rows.Next() {
			var fd metrics.FleetDevice
			var version, model *string
			if err := rows.Scan(&fd.Device, &fd.Observed, &fd.Online, &version, &model, &fd.NoOTA); err != nil {
				return fail(err)
			}
			if version != nil {
				fd.Version = *version
			}
			if model != nil {
				fd.Model = *model
			}
			res.Fleet = append(res.Fleet, fd)
		}
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	case "setup_join":
		res.SetupUnits = []metrics.JoinUnit{}
		for rows.Next() {
			var u metrics.JoinUnit
			var shipped, first *int64
			if err := rows.Scan(&u.ID, &shipped, &first); err != nil {
				return fail(err)
			}
			u.Shipped, u.ActivatedAt = orNoTime(shipped), orNoTime(first)
			res.SetupUnits = append(res.SetupUnits, u)
		}
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	case "activation_rate":
		a, err := scanActivation(rows)
		if err != nil {
			return fail(err)
		}
		metrics.ActivationOf(a, o, r.Horizon)
		r.Activation = a
	case "ota_success_rate":
		jobs, byProfile, err := scanOTA(rows)
		if err != nil {
			return fail(err)
		}
		r.OTA = metrics.OTAOf(jobs, byProfile, p.tables[planfile.KindOTA].Snapshot)
	}
	return nil
}

// scanActivation reads the activation statement's rows (by ship month and
// profile) into the fleet's cohorts and each profile's.
func scanActivation(rows pgx.Rows) (*metrics.Activation, error) {
	a := &metrics.Activation{}
	profile := map[string]*metrics.ProfileActivation{}
	for rows.Next() {
		var c metrics.Cohort
		var prof *string
		var shipped, activated, wShipped, wActivated, atShipping, wAfter, before, wBefore, straddling, wStraddling, wAtShipping int64
		if err := rows.Scan(&c.Label, &prof, &shipped, &activated, &wShipped, &wActivated, &atShipping, &wAfter, &before, &wBefore, &straddling, &wStraddling, &wAtShipping); err != nil {
			return nil, err
		}
		a.AtShipping += int(atShipping)
		a.AfterHorizon += int(wAfter)
		c.Shipped, c.Activated, c.BeforeData, c.Straddling, c.AtShipping = int(shipped), int(activated), int(before), int(straddling), int(atShipping)
		// rows by month, then profile: the fleet's month is their sum
		if n := len(a.ByMonth); n == 0 || a.ByMonth[n-1].Label != c.Label {
			a.ByMonth = append(a.ByMonth, metrics.Cohort{Label: c.Label})
		}
		m := &a.ByMonth[len(a.ByMonth)-1]
		m.Shipped += c.Shipped
		m.Activated += c.Activated
		m.BeforeData += c.BeforeData
		m.Straddling += c.Straddling
		m.AtShipping += c.AtShipping
		a.Shipped += int(wShipped)
		a.Activated += int(wActivated)
		a.BeforeData += int(wBefore)
		a.Straddling += int(wStraddling)
		a.Cohort.AtShipping += int(wAtShipping)
		if prof == nil {
			continue
		}
		pa, ok := profile[*prof]
		if !ok {
			pa = &metrics.ProfileActivation{Profile: *prof}
			profile[*prof] = pa
		}
		pa.Shipped += int(wShipped)
		pa.Activated += int(wActivated)
		pa.BeforeData += int(wBefore)
		pa.Straddling += int(wStraddling)
		pa.Cohort.AtShipping += int(wAtShipping)
		pa.ByMonth = append(pa.ByMonth, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, pa := range profile {
		a.ByProfile = append(a.ByProfile, *pa)
	}
	return a, nil
}

// scanOTA reads the OTA statement's rows (by job and profile) into the
// units of each job and of each profile.
func scanOTA(rows pgx.Rows) ([]metrics.OTAJob, []metrics.ProfileOTA, error) {
	// rows by job, then profile: a job's units are its profiles'
	var jobs []metrics.OTAJob
	profile := map[string]*metrics.ProfileOTA{}
	var order []string
	for rows.Next() {
		var job string
		var prof *string
		var s, f, e, pe int64
		if err := rows.Scan(&job, &prof, &s, &f, &e, &pe); err != nil {
			return nil, nil, err
		}
		if n := len(jobs); n == 0 || jobs[n-1].Job != job {
			jobs = append(jobs, metrics.OTAJob{Job: job})
		}
		add := func(j *metrics.OTAJob) {
			j.Success += int(s)
			j.Failure += int(f)
			j.Excluded += int(e)
			j.Pending += int(pe)
		}
		add(&jobs[len(jobs)-1])
		if prof == nil {
			continue
		}
		pa, ok := profile[*prof]
		if !ok {
			pa = &metrics.ProfileOTA{Profile: *prof, OTAJob: metrics.OTAJob{Job: "all"}}
			profile[*prof], order = pa, append(order, *prof)
		}
		add(&pa.OTAJob)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var byProfile []metrics.ProfileOTA
	for _, name := range order {
		byProfile = append(byProfile, *profile[name])
	}
	return jobs, byProfile, nil
}

// The JSON rows of deviceSQL.
type uptimeRow struct {
	ConnectedUS    int64    `json:"connected_us"`
	ObservedUS     int64    `json:"observed_us"`
	Devices        int      `json:"devices"`
	LeftOut        int      `json:"left_out"`
	Mean           *float64 `json:"mean"`
	Median         *float64 `json:"median"`
	BelowSLO       int      `json:"below_slo"`
	NeverActivated int      `json:"never_activated"`
	Dormant        int      `json:"dormant"`
	Retired        int      `json:"retired"`
	UsedOnce       int      `json:"events_used_once"`
	SameInstant    int      `json:"same_instant"`
	SameFirst      *struct {
		Device string `json:"device"`
		At     int64  `json:"at"`
	} `json:"same_instant_first"`
	Planned      int `json:"planned"`
	Disconnects  int `json:"disconnects"`
	EventDevices int `json:"event_devices"`
	SeqFollowing int `json:"seq_following"`
	SeqBack      int `json:"seq_back"`
	SeqBackFirst *struct {
		Device string `json:"device"`
		At     int64  `json:"at"`
		After  int64  `json:"after"`
	} `json:"seq_back_first"`
	SingleEvent  int `json:"single_event_devices"`
	ActDevices   int `json:"activity_devices"`
	SingleAct    int `json:"single_activity_devices"`
	ShippedRows  int `json:"shipped_with_rows"`
	BeforeShip   int `json:"rows_before_shipping"`
	BeforeMonths []struct {
		Month    string `json:"month"`
		WithRows int    `json:"with_rows"`
		Before   int    `json:"before"`
	} `json:"before_shipping_months"`
	UnknownModels int      `json:"unknown_models"`
	NoModel       int      `json:"no_model"`
	UnknownValues []string `json:"unknown_values"`
	Modes         []struct {
		Checkin bool `json:"checkin"`
		modeRow
	} `json:"modes"`
	Profiles []struct {
		Profile string `json:"profile"`
		Checkin bool   `json:"checkin"`
		modeRow
	} `json:"profiles"`
}

type modeRow struct {
	ConnectedUS int64 `json:"conn"`
	ObservedUS  int64 `json:"obs"`
	Devices     int   `json:"devices"`
	Missed      int   `json:"missed"`
	Stretches   int   `json:"stretches"`
	RecentObs   int64 `json:"obs_r"`
	RecentMiss  int   `json:"missed_r"`
	Checkins    int   `json:"checkins"` // profiles only
	// the sparse check-in devices' (profiles only)
	Sparse            int     `json:"sparse"`
	SparseConnectedUS int64   `json:"sparse_conn"`
	SparseObservedUS  int64   `json:"sparse_obs"`
	SparseExample     *string `json:"sparse_example"`
	SparseRecent      int     `json:"sparse_recent"`
	SparseEarly       int     `json:"sparse_early"`
	SparseSettled     int     `json:"sparse_settled"`
	SparseDaily       int     `json:"sparse_daily"`
	// the check-in devices down at one time of day (profiles only)
	Daily          int     `json:"daily"`
	DailyConn      int64   `json:"daily_conn"`
	DailyObs       int64   `json:"daily_obs"`
	DailyExample   *string `json:"daily_example"`
	DailyStretches int     `json:"daily_stretches"`
	DailyWeight    float64 `json:"daily_weight"`
	DailyLength    int64   `json:"daily_length"`
	DailyCos       float64 `json:"daily_cos"`
	DailySin       float64 `json:"daily_sin"`
}

func (m modeRow) uptime() metrics.ModeUptime {
	u := metrics.ModeUptimeOf(m.ConnectedUS, m.ObservedUS, m.Devices, m.Missed)
	u.Checkins, u.Stretches = m.Checkins, m.Stretches
	u.RecentObservedUS, u.RecentMissed = m.RecentObs, m.RecentMiss
	u.Sparse = metrics.SparseUptime{Devices: m.Sparse, ConnectedUS: m.SparseConnectedUS, ObservedUS: m.SparseObservedUS, Recent: m.SparseRecent, Early: m.SparseEarly, Settled: m.SparseSettled, Daily: m.SparseDaily}
	if m.SparseExample != nil {
		u.Sparse.Example = *m.SparseExample
	}
	u.Daily = metrics.DailyUptime{SparseUptime: metrics.SparseUptime{Devices: m.Daily, ConnectedUS: m.DailyConn, ObservedUS: m.DailyObs},
		Stretches: m.DailyStretches, Length: m.DailyLength, Weight: m.DailyWeight, Cos: m.DailyCos, Sin: m.DailySin}
	if m.DailyExample != nil {
		u.Daily.Example = *m.DailyExample
	}
	return u
}

type madRow struct {
	I            int   `json:"i"`
	Active       int   `json:"active"`
	ByConnection int   `json:"by_connection"`
	Rows         int   `json:"rows"`
	ObservedUS   int64 `json:"obs"`
	ConnectedUS  int64 `json:"conn"`
	InInput      int   `json:"in_input"`
}

type customerRow struct {
	Customer    string `json:"customer_id"`
	Devices     int    `json:"devices"`
	Used        int    `json:"used"`
	Tickets     int    `json:"tickets"`
	ConnectedUS int64  `json:"connected_us"`
	ObservedUS  int64  `json:"observed_us"`
	// the sparse devices' (metrics.CustomerCounts.Sparse)
	Sparse        int     `json:"sparse"`
	SparseConn    int64   `json:"sparse_conn"`
	SparseObs     int64   `json:"sparse_obs"`
	SparseExample *string `json:"sparse_example"`
	SparseRecent  int     `json:"sparse_recent"`
	SparseEarly   int     `json:"sparse_early"`
	SparseSettled int     `json:"sparse_settled"`
	SparseDaily   int     `json:"sparse_daily"`
}

// deviceMetrics puts deviceSQL's three JSON values (each null when the
// metric is not asked for) into the report.
func (p *plan) deviceMetrics(uptime, mad, customers []byte, o metrics.Options, res *Result) error {
	r := &res.Report
	if uptime != nil {
		var row uptimeRow
		if err := json.Unmarshal(uptime, &row); err != nil {
			return err
		}
		for _, st := range res.Stats {
			if st.Kind == planfile.KindEvents {
				st.Duplicates = st.Read - st.SkippedTotal() - row.UsedOnce // exact duplicates used once
				st.SameInstant = row.SameInstant
				if f := row.SameFirst; f != nil {
					st.SameInstantExample = fmt.Sprintf("%q at %s", clip(f.Device), time.UnixMicro(f.At).UTC().Format(time.RFC3339))
				}
				if p.sequenced() {
					st.SequenceFollowing, st.SequenceBack = row.SeqFollowing, row.SeqBack
				}
				if f := row.SeqBackFirst; f != nil {
					st.SequenceBackExample = fmt.Sprintf("%q at %s, after %s", clip(f.Device), time.UnixMicro(f.At).UTC().Format(time.RFC3339), time.UnixMicro(f.After).UTC().Format(time.RFC3339))
				}
			}
		}
		u := &metrics.Uptime{SLO: o.SLO, ConnectedUS: row.ConnectedUS, ObservedUS: row.ObservedUS, Devices: row.Devices,
			LeftOut: row.LeftOut, BelowSLO: row.BelowSLO, NeverActivated: row.NeverActivated, Dormant: row.Dormant,
			Retired: row.Retired, Value: math.NaN(), Mean: nan(row.Mean), Median: nan(row.Median)}
		if u.ObservedUS > 0 {
			u.Value = float64(u.ConnectedUS) / float64(u.ObservedUS)
		}
		u.EventDevices, u.SingleEventDevices = row.EventDevices, row.SingleEvent
		u.ActivityDevices, u.SingleActivityDevices = row.ActDevices, row.SingleAct
		u.ShippedWithRows, u.RowsBeforeShipping = row.ShippedRows, row.BeforeShip
		for _, m := range row.BeforeMonths {
			u.BeforeShippingByMonth = append(u.BeforeShippingByMonth, metrics.ShipMonthRows{Label: m.Month, WithRows: m.WithRows, BeforeShipping: m.Before})
		}
		u.ActivityOnly = !p.has(planfile.KindEvents)
		u.PlannedDisconnects, u.Disconnects, u.UnknownModels, u.UnknownModelValues, u.NoModel = row.Planned, row.Disconnects, row.UnknownModels, row.UnknownValues, row.NoModel
		u.Always.Value, u.Checkin.Value = math.NaN(), math.NaN()
		for _, m := range row.Modes {
			if m.Checkin {
				u.Checkin = m.uptime()
			} else {
				u.Always = m.uptime()
			}
		}
		for _, pr := range row.Profiles {
			u.ByProfile = append(u.ByProfile, metrics.ProfileUptime{Profile: pr.Profile, Checkin: pr.Checkin, ModeUptime: pr.uptime()})
		}
		r.Uptime = u
	}
	if mad != nil {
		var rows []madRow
		if err := json.Unmarshal(mad, &rows); err != nil {
			return err
		}
		bounds, labels := metrics.MonthBounds(o.Window.To-1, max(o.SeriesMonths, 1))
		months := make([]metrics.Month, len(labels))
		for _, row := range rows {
			if row.I == 0 {
				r.MAD = &metrics.MAD{Value: row.Active, ByConnection: row.ByConnection, ByActivity: row.Active - row.ByConnection,
					DevicesInInput: row.InInput, NoData: row.Rows == 0 && row.ObservedUS == 0}
				continue
			}
			if row.I > len(months) {
				return fmt.Errorf("month %d of %d", row.I, len(months))
			}
			m := &months[row.I-1]
			*m = metrics.Month{Label: labels[row.I-1], MAD: row.Active, ObservedUS: row.ObservedUS, Rows: row.Rows, Uptime: math.NaN()}
			if row.ObservedUS > 0 {
				m.Uptime = float64(row.ConnectedUS) / float64(row.ObservedUS)
			}
		}
		if o.SeriesMonths > 0 && r.Horizon != metrics.NoTime {
			r.Months = metrics.MonthSeries(months, bounds, r.Horizon)
		}
	}
	if customers != nil {
		var rows []customerRow
		if err := json.Unmarshal(customers, &rows); err != nil {
			return err
		}
		counts := make([]metrics.CustomerCounts, len(rows))
		for i, c := range rows {
			counts[i] = metrics.CustomerCounts{Customer: c.Customer, Devices: c.Devices, Used: c.Used, Tickets: c.Tickets,
				ConnectedUS: c.ConnectedUS, ObservedUS: c.ObservedUS,
				Sparse: metrics.SparseUptime{Devices: c.Sparse, ConnectedUS: c.SparseConn, ObservedUS: c.SparseObs, Recent: c.SparseRecent, Early: c.SparseEarly, Settled: c.SparseSettled, Daily: c.SparseDaily}}
			if c.SparseExample != nil {
				counts[i].Sparse.Example = *c.SparseExample
			}
		}
		outside := export.HealthOutside(res.Stats, o.Window)
		has := metrics.HealthInputs{Uptime: p.has(planfile.KindEvents) || p.has(planfile.KindActivity), Usage: p.has(planfile.KindUsage) && !outside.Usage, Tickets: p.has(planfile.KindTickets) && !outside.Tickets}
		stale := r.Horizon == metrics.NoTime || r.Horizon < o.Window.From
		r.Customers = metrics.ScoreCustomers(o.Health, counts, has, stale)
	}
	return nil
}

// Script is the psql script of a job's statements: the horizon into a
// psql variable (unless fixed), then each metric as a prepared statement
// executed with the job's values. No connection is needed to write it.
func Script(job *Job) (string, error) {
	p := &plan{tables: map[planfile.InputKind]*table{}}
	for kind, in := range job.Inputs {
		if err := in.Check(); err != nil {
			return "", err
		}
		t := &table{Input: in, quoted: quoteTable(in.Table), cols: map[string]column{}}
		for role, ref := range in.Columns {
			t.cols[role] = column{quoted: pgx.Identifier{ref.Column}.Sanitize(), name: ref.Column, unit: ref.Unit}
		}
		p.tables[kind] = t
	}
	var b strings.Builder
	o := job.Options
	fmt.Fprintf(&b, "-- iotpm metrics in SQL (PostgreSQL 12+; TimescaleDB, Citus), for psql.\n")
	fmt.Fprintf(&b, "-- window [%s, %s); times are µs since the epoch (UTC).\n", iso(o.Window.From), iso(o.Window.To))
	fmt.Fprintf(&b, "-- Integer epoch columns are converted by their mapped unit; timestamp (without time zone) columns in the input's tz.\n\n")
	params := job.params(0)
	p.unmodelled = o.Unmodelled != ""
	if ixs := p.indexes(); len(ixs) > 0 {
		fmt.Fprintf(&b, "-- The indexes these statements read the inputs by (iotpm metrics warns when one is missing):\n")
		for _, ix := range ixs {
			fmt.Fprintf(&b, "--   %s  -- %s: %s\n", ix.Statement(), ix.Kind, ix.Why())
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s;\n\n", sessionSettings)
	if o.AsOf != 0 && o.AsOf != metrics.NoTime {
		fmt.Fprintf(&b, "\\set horizon %d\n\n", o.AsOf)
	} else {
		fmt.Fprintf(&b, "-- the data horizon H: the latest row time of the inputs\n%s \\gset\n\n", p.horizonSQL())
	}
	if p.has(planfile.KindDevices) && (p.has(planfile.KindEvents) || p.has(planfile.KindActivity)) {
		fmt.Fprintf(&b, "-- the fleet's data start F: the earliest row time of the events and activity\n%s \\gset\n\n", p.dataStartSQL())
	}
	for _, q := range job.metricQueries(p, params) {
		s, args, err := bind(q.SQL, q.Params)
		if err != nil {
			return "", err
		}
		lits := make([]string, len(args))
		names := orderedNames(q.SQL, q.Params)
		for i, a := range args {
			lits[i] = literal(a)
			if names[i] == "horizon" || names[i] == "data_start" {
				lits[i] = ":" + names[i]
			}
		}
		fmt.Fprintf(&b, "-- %s\nPREPARE iotpm_%s AS\n%s;\nEXECUTE iotpm_%[2]s(%[4]s);\nDEALLOCATE iotpm_%[2]s;\n\n", q.Name, q.Name, s, strings.Join(lits, ", "))
	}
	return b.String(), nil
}

func orderedNames(sql string, p Params) []string {
	var names []string
	for _, m := range paramRE.FindAllStringSubmatch(sql, -1) {
		if _, ok := p[m[1]]; ok && !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func iso(us int64) string { return time.UnixMicro(us).UTC().Format(time.RFC3339) }

// fwRow is a row of firmwareParts' select.
type fwRow struct {
	Version         *string `json:"version"`
	NoOTA           bool    `json:"noota"`
	N               int     `json:"n"`
	Ambiguous       int     `json:"ambiguous"`
	AmbiguousDevice *string `json:"ambiguous_device"`
}

// firmwareMetrics builds the firmware result from firmwareParts' counts
// (null: the inputs give no versions).
func firmwareMetrics(data []byte, o metrics.Options, res *Result) error {
	if data == nil {
		return nil
	}
	var rows []fwRow
	if err := json.Unmarshal(data, &rows); err != nil {
		return err
	}
	r := &res.Report
	counts := map[metrics.FirmwareKey]int{}
	ambiguous, example := 0, ""
	for _, row := range rows {
		k := metrics.FirmwareKey{NoOTA: row.NoOTA}
		if row.Version != nil {
			k.Version = *row.Version
		}
		counts[k] += row.N
		ambiguous = row.Ambiguous
		if row.AmbiguousDevice != nil {
			example = *row.AmbiguousDevice
		}
	}
	f := metrics.NewFirmware(min(o.Window.To, r.Horizon), o.FirmwareTarget, metrics.VersionOrder{After: o.FirmwareAfter}, counts)
	f.Ambiguous, f.AmbiguousDevice = ambiguous, example
	r.Firmware = f
	return nil
}
