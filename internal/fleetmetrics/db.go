package fleetmetrics

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetdb"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/runenv"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// The database source of iotpm metrics and check: the inputs are tables of
// a PostgreSQL database (metrics.source in iotpm.yaml), the definitions run
// there as SQL (internal/fleetdb), and only aggregates come back.

// Defaults of the database source: the variable that holds the
// connection string, and how long the queries may run.
const (
	DefaultDSNEnv    = "IOTPM_DSN"
	DefaultDBTimeout = 10 * time.Minute
)

// dbSource is where a job's inputs are when they are tables.
type dbSource struct {
	driver  string
	dsnEnv  string
	timeout time.Duration
	tables  map[planfile.InputKind]fleetdb.Input
	// allow is --allow-tables (nil: IOTPM_DB_ALLOW_TABLES, else any).
	allow fleetdb.AllowList
}

// Has reports whether the job has an input of kind, file or table.
func (j *Job) Has(kind planfile.InputKind) bool {
	if _, ok := j.inputs[kind]; ok {
		return true
	}
	if j.db != nil {
		_, ok := j.db.tables[kind]
		return ok
	}
	return false
}

func (j *Job) hasAny() bool {
	for _, k := range planfile.InputKinds {
		if j.Has(k) {
			return true
		}
	}
	return false
}

// dbFromConfig reads metrics.source and the table inputs of iotpm.yaml.
func dbFromConfig(cfg *planfile.Config) *dbSource {
	m := cfg.Metrics
	if m == nil || m.Source == nil || m.Source.Driver != "postgres" {
		return nil
	}
	db := &dbSource{driver: m.Source.Driver, dsnEnv: m.Source.DSNEnv, timeout: DefaultDBTimeout, tables: map[planfile.InputKind]fleetdb.Input{}}
	if db.dsnEnv == "" {
		db.dsnEnv = DefaultDSNEnv
	}
	if m.Source.Timeout != nil {
		db.timeout = time.Duration(float64(*m.Source.Timeout) * float64(time.Second))
	}
	for kind, in := range cfg.Inputs {
		if in.Table == "" {
			continue
		}
		t := fleetdb.Input{Kind: kind, Table: in.Table, Columns: in.Columns, Snapshot: in.Snapshot, File: cfg.File, Pos: in.Pos}
		if in.TZ != nil {
			t.Zone = in.TZ.Name
		}
		if in.SequenceReset != nil {
			t.SequenceReset = int64(float64(*in.SequenceReset) * 1e6)
		}
		db.tables[kind] = t
	}
	return db
}

// applySourceFlags applies --source, --dsn-env and --timeout.
func (o *Flags) applySourceFlags(job *Job, cfgDB *dbSource, flagInputs bool) error {
	switch o.Source {
	case "":
	case "files":
		job.db = nil
	case "postgres":
		if job.db == nil {
			if cfgDB == nil {
				return failure.UsageErrorf("--source postgres reads the tables metrics.inputs names in iotpm.yaml (table: and columns:, with metrics.source: {driver: postgres}); none are there")
			}
			job.db = cfgDB
		}
	default:
		return failure.UsageErrorf("--source %q: use files or postgres", o.Source)
	}
	if job.db == nil {
		for _, flag := range []string{"dsn-env", "timeout", "print-sql", "allow-tables"} {
			if o.Given(flag) {
				return failure.UsageErrorf("--%s applies to the database source: add --source postgres, or metrics.source in iotpm.yaml", flag)
			}
		}
		return nil
	}
	if flagInputs {
		return failure.UsageErrorf("the postgres source reads the tables of metrics.inputs in iotpm.yaml; to read files instead, add --source files")
	}
	// they describe files: the app's onboarding export, the one file
	// beside the tables, may be named (its errors suggest --tz onboarding=)
	for _, values := range [][]string{o.Formats, o.Zones, o.Maps} {
		for _, v := range values {
			if kind, _, _ := strings.Cut(v, "="); strings.Split(kind, ".")[0] != string(planfile.KindOnboarding) {
				return failure.UsageErrorf("--format, --tz and --map describe files; a table's columns are mapped in iotpm.yaml (metrics.inputs.KIND.columns), and with metrics.source only the onboarding export is a file (--tz onboarding=ZONE)")
			}
		}
	}
	if o.Given("dsn-env") {
		job.db.dsnEnv = o.DSNEnv
	}
	if o.Given("allow-tables") {
		allow, err := fleetdb.ParseAllowList(o.AllowTables)
		if err != nil {
			return failure.UsageErrorf("--allow-tables: %v", err)
		}
		job.db.allow = allow
	}
	if o.Given("timeout") {
		d, err := time.ParseDuration(o.Timeout)
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return failure.UsageErrorf("--timeout %q: give a duration from 1s to 168h, such as 10m or 90s", o.Timeout)
		}
		job.db.timeout = d
	}
	// every input is a table, but the app's analytics (a file beside them)
	inputs := map[planfile.InputKind]export.Input{}
	if in, ok := job.inputs[planfile.KindOnboarding]; ok {
		inputs[planfile.KindOnboarding] = in
	}
	job.inputs = inputs
	return nil
}

// AllowTablesEnv names the variable that limits the tables a run may read
// (schema.table or schema.*, comma-separated): set by the workflow, outside
// the repository a pull request can edit.
const AllowTablesEnv = "IOTPM_DB_ALLOW_TABLES"

// dbJob is the database computation of a metrics job.
func (j *Job) dbJob(env runenv.Env) *fleetdb.Job {
	act := j.activation.Microseconds()
	useUntil := j.window.To
	if j.Has(planfile.KindDevices) {
		useUntil += act
	}
	job := &fleetdb.Job{Inputs: j.db.tables, UseUntil: useUntil, Options: j.options(), Allow: j.db.allow, MaxBadRows: j.maxBadRows}
	if j.asOf == 0 {
		job.Now = j.clock(env).UnixMicro() // as the file reader: rows from the future are bad rows
	}
	return job
}

// options are the local engine's settings, which the database engine
// takes too.
func (j *Job) options() metrics.Options {
	return metrics.Options{Window: j.window, ActivationWindow: j.activation.Microseconds(), SLO: j.slo, Health: j.health,
		SeriesMonths: 12, AsOf: j.asOf, DormantAfter: j.dormant.Microseconds(), Models: j.models, FirmwareTarget: j.firmwareTarget, FirmwareAfter: j.firmwareAfter,
		FleetLookbackDays: j.fleetLookback, Funnel: j.funnel, Unmodelled: j.unmodelled}
}

// optionsRead are the settings with what the inputs read tell: the
// fleet's data start, from their rows (the database engine finds it in
// its own statements from the same counts).
func (j *Job) optionsRead(out *Outcome) metrics.Options {
	o := j.options()
	o.DataStart, _ = export.FleetStart(out.stats)
	o.HealthOutside = export.HealthOutside(out.stats, o.Window)
	return o
}

// checkMapping reports the table mapping's own problems at their line of
// iotpm.yaml: they need no connection, and are said first, not after a
// file read, a variable that is not set or a server that is down.
func checkMapping(job *Job, out *Outcome) error {
	for _, kind := range planfile.InputKinds {
		in, ok := job.db.tables[kind]
		if !ok {
			continue
		}
		var p *fleetdb.Problem
		if err := in.Check(); errors.As(err, &p) {
			out.Problems.Errorf(diag.Source, p.File, p.Line, p.Col, "%s", p.Message)
			return nil
		} else if err != nil {
			return err
		}
	}
	return nil
}

// runDBJob computes the metrics in the database, and the units of the
// setup funnel's join and how the ids match when setupIDs (the onboarding
// rows' device ids) has any. The DSN comes from the environment only; a problem with the
// mapping or the data is a diagnostic at its line of iotpm.yaml (exit 2).
func runDBJob(env runenv.Env, job *Job, out *Outcome, setupIDs []string) ([]metrics.JoinUnit, *metrics.Join, error) {
	dsn := env.Lookup(job.db.dsnEnv)
	if dsn == "" {
		return nil, nil, failure.UsageErrorf("%s is not set: export %s=postgres://USER@HOST:5432/DB (the password in PGPASSWORD or ~/.pgpass), or name another variable with metrics.source.dsn_env or --dsn-env",
			job.db.dsnEnv, job.db.dsnEnv)
	}
	if job.db.allow == nil {
		if env := env.Lookup(AllowTablesEnv); env != "" {
			allow, err := fleetdb.ParseAllowList(env)
			if err != nil {
				return nil, nil, failure.UsageErrorf("%s: %v", AllowTablesEnv, err)
			}
			job.db.allow = allow
		}
	}
	parent := env.Context()
	ctx, cancel := context.WithTimeout(parent, job.db.timeout)
	defer cancel()
	conn, err := fleetdb.ConnectTimeout(ctx, dsn, job.db.timeout)
	if err == nil {
		defer conn.Close(context.Background())
		var res *fleetdb.Result
		dbJob := job.dbJob(env)
		// what --max-bad-rows leaves after the onboarding file's
		dbJob.MaxBadRows = max(0, job.maxBadRows-out.badRows)
		if len(setupIDs) > 0 {
			dbJob.SetupDevices = setupIDs
		}
		stop := queryProgress(env, dbJob)
		res, err = fleetdb.Run(ctx, conn, dbJob)
		stop()
		if err == nil {
			// the tables' accounting before the onboarding file's, read first
			out.report, out.stats, out.fleet = res.Report, append(res.Stats, out.stats...), res.Fleet
			for _, st := range res.Stats {
				out.badRows += st.SkippedTotal() // within --max-bad-rows: said on stderr
			}
			indexWarnings(res.MissingIndexes, out)
			for _, st := range res.Stats {
				in := job.db.tables[st.Kind]
				pos := in.Pos
				if c, ok := in.Columns[export.TimeRole(st.Kind)]; ok && c.Pos.Line > 0 {
					pos = c.Pos
				}
				warn := func(format string, args ...any) {
					out.Problems.Warnf(diag.Source, in.File, pos.Line, pos.Col, "metrics.inputs.%s: %s: "+format, append([]any{st.Kind, in.Table}, args...)...)
				}
				orderWarnings(st, warn, "a table's rows have no order to decide it: if the table has a sequence column (AWS versionNumber, a counter), map it as sequence",
					"store the times as timestamptz, or in UTC, to be exact")
				sequenceWarning(st, warn)
				joinWarnings(job, st, in, out)
			}
			return res.SetupUnits, res.SetupJoin, nil
		}
	}
	if parent.Err() != nil {
		return nil, nil, parent.Err() // Ctrl-C: exit 130; the query was cancelled on the server
	}
	var p *fleetdb.Problem
	switch {
	case errors.As(err, &p):
		out.Problems.Errorf(diag.Source, p.File, p.Line, p.Col, "%s", p.Message)
	case timedOut(ctx) || fleetdb.StatementTimedOut(err):
		out.Problems.Errorf(diag.Source, job.db.dsnEnv, 0, 0, "the queries took longer than %s and were cancelled on the server: raise --timeout (metrics.source.timeout), or add the indexes --print-sql names (iotpm help databases)", job.db.timeout)
	default:
		out.Problems.Errorf(diag.Source, job.db.dsnEnv, 0, 0, "%s", err)
	}
	return nil, nil, nil
}

// queryProgress shows, on a terminal, the query running and the time so
// far (a long query says nothing else); stop clears the line.
func queryProgress(env runenv.Env, job *fleetdb.Job) (stop func()) {
	progress := env.Start("querying")
	var mu sync.Mutex
	current := "connecting"
	job.Stage = func(s string) {
		mu.Lock()
		current = s
		mu.Unlock()
		progress.Stage(s)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				mu.Lock()
				s := current
				mu.Unlock()
				progress.Stage(s)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		progress.Done()
	}
}

// indexWarnings names, at each input's line, the CREATE INDEX statements
// its table lacks: the numbers are right without them, the queries slower.
func indexWarnings(missing []fleetdb.Index, out *Outcome) {
	for _, ix := range missing {
		out.Problems.Warnf(diag.Source, ix.File, ix.Line, ix.Col, "%s has no index on (%s), by which iotpm reads %s; the numbers are right without it, the queries slower on a large table: %s",
			ix.Table, strings.Join(ix.Columns, ", "), ix.Why(), ix.Statement())
	}
}

// timedOut reports whether ctx's deadline has passed: a dial can fail on
// the deadline before the context's own timer marks it done.
func timedOut(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ctx.Err() != nil || ok && !time.Now().Before(d)
}

// Script is the psql script of a database job's queries (--print-sql); a
// problem with the mapping is invalid input at its line of iotpm.yaml.
func (j *Job) Script(env runenv.Env) (string, error) {
	script, err := fleetdb.Script(j.dbJob(env))
	var p *fleetdb.Problem
	if errors.As(err, &p) {
		var problems diag.List
		problems.Errorf(diag.Source, p.File, p.Line, p.Col, "%s", p.Message)
		return "", &failure.InvalidInputError{Diagnostics: problems}
	}
	return script, err
}

// joinWarnings says, for a table, what the files' join check says of a
// file: ids the devices table does not list (some: they count in fleet
// metrics only; none stops the run in fleetdb), and ids that are listed
// but for letter case.
func joinWarnings(job *Job, st *export.Stats, in fleetdb.Input, out *Outcome) {
	devices, ok := job.db.tables[planfile.KindDevices]
	if !ok || st.Kind == planfile.KindDevices {
		return
	}
	warn := func(format string, args ...any) {
		out.Problems.Warnf(diag.Source, in.File, in.Pos.Line, in.Pos.Col, "metrics.inputs.%s: %s: "+format, append([]any{st.Kind, in.Table}, args...)...)
	}
	if j := st.Join; st.UnknownDevices > 0 && st.UnknownDevices < j.JoinIDs {
		what := "device ids"
		if st.Kind == planfile.KindTickets {
			what = "customer ids"
		}
		warn("%s of the %s %s are not in the devices table %s (e.g. %q); they count in fleet metrics, not in activation or customer health",
			render.Number(float64(st.UnknownDevices), 0), render.Number(float64(j.JoinIDs), 0), what, devices.Table, clipID(j.UnknownSample))
	}
	caseWarning(st, devices.Table, warn)
}
