package fleetmetrics

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/runenv"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// Outcome is a computation's result; problems are bad rows and
// unreadable inputs, as diagnostics.
type Outcome struct {
	report metrics.Report
	stats  []*export.Stats
	// fleet are the devices' online days, when the job asks for them.
	fleet []metrics.FleetDevice
	// ageDays is min(to, now) − H in days; nil when no input has a row.
	// ageAtWindowEnd: the window had ended, so the age is counted at its
	// end, not now.
	ageDays        *float64
	ageAtWindowEnd bool
	// dormantDays is D, as the job resolved it.
	dormantDays float64
	badRows     int
	Problems    diag.List
}

// Report is the computed metrics.
func (o *Outcome) Report() metrics.Report { return o.report }

// Fleet are the devices' online days in the lookback the job asked for
// (SetFleetLookback), from either engine.
func (o *Outcome) Fleet() []metrics.FleetDevice { return o.fleet }

// SetFleetLookback asks the job for each device's online days over that
// many whole UTC days before the horizon's day (a rollout's input).
func (j *Job) SetFleetLookback(days int) { j.fleetLookback = days }

// FleetLookback is the lookback SetFleetLookback asked for (0: none).
func (j *Job) FleetLookback() int { return j.fleetLookback }

// Options are the metrics settings the job computes with.
func (j *Job) Options() metrics.Options { return j.options() }

// RunJob reads the inputs and computes the metrics. Its error is
// the context's, when it is cancelled; problems with the inputs are in the
// outcome.
func RunJob(env runenv.Env, job *Job) (*Outcome, error) {
	// Event logs are a few large pointer-free arrays: collecting garbage
	// sooner costs little CPU and keeps peak memory near the live set
	// (the default lets the heap grow to twice it). GOGC still wins.
	if env.Lookup("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(20))
	}
	out := &Outcome{}
	warnCautions(job, out)
	if job.db != nil {
		if err := checkMapping(job, out); err != nil {
			return nil, err
		}
		if out.Problems.HasErrors() {
			return out, nil
		}
		// the app's export before the tables: its device ids are what the
		// database is asked about for the funnel's join
		setup, err := dbSetupRows(env, job, out)
		if err != nil {
			return nil, err
		}
		if out.Problems.HasErrors() {
			return out, nil
		}
		var setupIDs []string
		if setup != nil {
			setupIDs = setup.SetupDeviceIDs()
		}
		units, join, err := runDBJob(env, job, out, setupIDs)
		if err != nil {
			return nil, err
		}
		if setup != nil && !out.Problems.HasErrors() {
			dbFunnel(job, out, setup, units, join)
		}
		if !out.Problems.HasErrors() {
			finishMetrics(env, job, out)
		}
		return out, nil
	}
	w := job.window
	act := job.activation.Microseconds()
	data := metrics.NewData()
	useUntil := w.To
	if _, ok := job.inputs[planfile.KindDevices]; ok {
		useUntil = w.To + act
	}
	ing := &export.Ingest{Data: data, Window: w, UseUntil: useUntil, Formats: job.formats, MaxExpansion: job.expansion}
	if job.unmodelled != "" {
		ing.Unmodelled = []byte(job.unmodelled)
	}
	ing.Funnel = job.funnel
	if job.asOf == 0 {
		// the horizon is the latest row: one from the future (9999-12-31,
		// a clock error) would make a stale export look fresh. With
		// --as-of, rows after it are ignored anyway.
		ing.Now = job.clock(env).UnixMicro()
	}
	if err := readFiles(env, job, ing, out); err != nil {
		return nil, err
	}
	if out.Problems.HasErrors() {
		return out, nil
	}
	if !out.Problems.HasErrors() {
		checkJoins(data, out)
	}
	if _, ok := job.inputs[planfile.KindDevices]; !ok && job.unmodelled != "" {
		// no devices input: no device has a model value, and
		// metrics.unmodelled says what they are
		data.SetUnlistedModel([]byte(job.unmodelled))
	}
	if out.badRows > job.maxBadRows {
		badRowErrors(out)
	}
	if out.Problems.HasErrors() {
		return out, nil
	}
	out.report = metrics.Compute(data, job.optionsRead(out))
	if job.fleetLookback > 0 {
		out.fleet = data.FleetDays(job.options(), job.fleetLookback)
	}
	finishMetrics(env, job, out)
	return out, nil
}

// readFiles reads the job's file inputs into the ingest's data, in
// reading order; problems go to the outcome, the error is the context's.
func readFiles(env runenv.Env, job *Job, ing *export.Ingest, out *Outcome) error {
	ctx := env.Context()
	// a progress line on a terminal for an input that takes more than a
	// second to read
	progress := env.Start("reading")
	ing.Progress = func(kind planfile.InputKind, read, size int64) { progress.Bytes(string(kind), read, size) }
	// every input there before reading any: a missing ota.csv should not
	// cost the read of a 10M-row event log first
	listed := map[planfile.InputKind][]string{} // a directory or glob a flag names: listed once
	for _, kind := range planfile.InputKinds {
		if in, ok := job.inputs[kind]; ok && in.Files == nil {
			files, err := infile.Expand(in.Path)
			if err == nil && (len(files) > 1 || files[0] != in.Path) {
				listed[kind] = files
			}
			if errors.Is(err, os.ErrNotExist) {
				why := planfile.NoSuchFile(in.Path)
				if infile.IsPattern(in.Path) {
					why = "the pattern matches no file" + infile.BraceHint(in.Path)
				}
				if d, ok := job.declared[kind]; ok {
					out.Problems.Errorf(diag.File, job.configFile, d.pos.Line, d.pos.Col, "metrics.inputs.%s: %q: %s", kind, d.written, why)
				} else {
					out.Problems.Errorf(diag.File, in.Path, 0, 0, "%s", why)
				}
			}
		}
	}
	if out.Problems.HasErrors() {
		return nil
	}
	for _, kind := range planfile.InputKinds {
		in, ok := job.inputs[kind]
		if !ok {
			continue
		}
		if files, ok := listed[kind]; ok {
			in.Files = files
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := ing.ReadContext(ctx, in)
		progress.Done()
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		if err != nil {
			var re *export.RowError
			if errors.As(err, &re) {
				out.Problems.Errorf(re.DiagKind(), re.Path, re.Line, 0, "%s", re.Reason)
			} else {
				out.Problems.Errorf(diag.File, in.Path, 0, 0, "%v", err)
			}
			continue
		}
		out.stats = append(out.stats, st)
		out.badRows += st.SkippedTotal()
	}
	return nil
}

// dbSetupRows reads the onboarding file of a database job (app analytics
// are an export, not a fleet table) for its setup funnel; nil when the job
// has none.
func dbSetupRows(env runenv.Env, job *Job, out *Outcome) (*metrics.Data, error) {
	if _, ok := job.inputs[planfile.KindOnboarding]; !ok || job.funnel == nil {
		return nil, nil
	}
	data := metrics.NewData()
	ing := &export.Ingest{Data: data, Window: job.window, UseUntil: job.window.To, Funnel: job.funnel, Formats: job.formats, MaxExpansion: job.expansion}
	if job.asOf == 0 {
		ing.Now = job.clock(env).UnixMicro()
	}
	if err := readFiles(env, job, ing, out); err != nil {
		return nil, err
	}
	for _, st := range out.stats {
		fileTimeChecks(st, out)
	}
	// its bad rows count against --max-bad-rows with the tables' (the
	// database job is given what is left of it)
	if out.badRows > job.maxBadRows {
		badRowErrors(out)
	}
	return data, nil
}

// badRowErrors reports the bad rows of the files read, when there are
// more than --max-bad-rows allows.
func badRowErrors(out *Outcome) {
	for _, st := range out.stats {
		for _, e := range st.Errors {
			out.Problems.Errorf(diag.Row, e.Path, e.Line, 0, "%s", e.Reason)
		}
	}
}

// dbFunnel computes the setup funnel of a database job from its onboarding
// rows, joined to the units the database gave for their device ids (nil:
// the job has no devices table), and warns of the ids as the files' run
// does (join: how they match the devices table).
func dbFunnel(job *Job, out *Outcome, setup *metrics.Data, units []metrics.JoinUnit, join *metrics.Join) {
	if _, ok := job.db.tables[planfile.KindDevices]; ok {
		if join != nil {
			joinWarning(out, statsOf(out, planfile.KindOnboarding), statsOf(out, planfile.KindDevices), *join)
		}
		setup.AddJoinUnits(units)
	}
	out.report.Onboarding = setup.SetupFunnel(job.optionsRead(out), out.report.Horizon)
}

// devicesHave is "1 device has" or "N devices have", N with separators.
func devicesHave(n int) string {
	if n == 1 {
		return "1 device has"
	}
	return render.Number(float64(n), 0) + " devices have"
}

// statPath is the path of the input of kind k ("" when not read).
func statPath(out *Outcome, k planfile.InputKind) string {
	if st := statsOf(out, k); st != nil {
		return st.Path
	}
	return ""
}

// finishMetrics adds what the command knows to a report: the data's age
// and the dormancy setting.
func finishMetrics(env runenv.Env, job *Job, out *Outcome) {
	w := job.window
	if u := out.report.Uptime; u != nil && u.UnknownModels > 0 && !job.profilesUnread {
		v := u.UnknownModelValues
		fix := "add the profiles to devices.yaml (each device's checkin: says how it connects)"
		if len(job.profiles) > 0 {
			fix = fmt.Sprintf("map them in iotpm.yaml, metrics.models: {%s: PROFILE}, PROFILE one of %s%s", yamlKey(v[0]), strings.Join(job.profiles, ", "), planfile.DidYouMeanText(v[0], job.profiles))
			if value, named, profile, ok := job.caseOnlyModel(v); ok {
				fix = fmt.Sprintf("the export writes %q where iotpm.yaml or devices.yaml names %q: model values match exactly, letter case too; map it in iotpm.yaml, metrics.models: {%s: %s}", clipID(value), named, yamlKey(value), profile)
			}
		}
		out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s a model value that names no devices.yaml profile (%s): they count as always connected; %s",
			devicesHave(u.UnknownModels), quoteList(v, 5), fix)
	}
	if u := out.report.Uptime; u != nil && u.NoModel > 0 && !job.unmodelledAlways {
		if checkin := job.checkinProfiles(); len(checkin) > 0 {
			out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s no model value: they count as always connected (down whenever disconnected), while devices.yaml has profiles that sleep by design (%s); if some of them are such devices, give them their profile in the devices input's model column (all of them: metrics.unmodelled: PROFILE in iotpm.yaml), else say so with metrics.unmodelled: always",
				devicesHave(u.NoModel), strings.Join(checkin, ", "))
		}
	}
	checkinWarnings(job, out)
	sleepWarning(out)
	customerSparseWarning(job, out)
	noDisconnectWarning(out)
	singleEventWarning(out)
	singleActivityWarning(out)
	files := fileStats(job, out)
	rowCapWarnings(out, files)
	copyWarnings(out, files)
	shippingWarning(out)
	afterHorizonWarning(out)
	beforeDataWarning(out)
	straddleWarning(out)
	beforeShippingWarning(out)
	statusWarning(out)
	if fw := out.report.Firmware; fw != nil && fw.Ambiguous > 0 {
		path := statPath(out, planfile.KindOTA)
		out.Problems.Warnf(diag.Row, path, 0, 0, "%s succeeded OTA rows at the same instant naming different versions (the first: %q): the data does not say which runs, so they count as unknown firmware; give each job execution its own time",
			devicesHave(fw.Ambiguous), clipID(fw.AmbiguousDevice))
	}
	if fw := out.report.Firmware; fw != nil {
		firmwareOrderWarning(job, fw, out)
		firmwareSuffixWarning(job, fw, out)
	}
	end := min(w.To, job.clock(env).UnixMicro())
	if o := out.report.Onboarding; o != nil {
		onboardingWarnings(job, o, out)
	}
	inputSpanWarnings(job, out, end)
	dataGapWarnings(out, fileGapWarnings(job, out))
	out.dormantDays = job.dormant.Seconds() / 86400
	if h := out.report.Horizon; h != metrics.NoTime {
		age := max(0, float64(end-h)/86_400e6) // data past the window is not stale
		out.ageDays, out.ageAtWindowEnd = &age, end == w.To
		if age > 1 && job.asOf == 0 && h > w.From {
			uncoveredWarning(job, out, h, end)
		}
		if job.asOf == 0 {
			pinnedMonthWarning(job, out, h)
		}
	}
	lateStartWarning(job, out)
}

// MinUnits is the count of units under which a measured rate says how
// little it rests on, or gives way to the fleet's: the OTA success gate's
// detail here, a model's activation and OTA success in planning. At 30
// units a rate's 95% interval is still about ±15 points around 50%; with
// fewer, one unit moves it by several points (one unit of three: 33).
const MinUnits = 30

// clock is the job's clock: --now, else the factory's.
func (j *Job) clock(env runenv.Env) time.Time {
	if !j.now.IsZero() {
		return j.now
	}
	return env.Clock()
}

// DataAgeDays is how many days the data's horizon lies before the window's
// end (or now, when that is earlier); nil without data.
func (o *Outcome) DataAgeDays() *float64 { return o.ageDays }

// AgeAtWindowEnd says whether the window had ended by the run's clock, so
// that DataAgeDays is counted at its end, not now.
func (o *Outcome) AgeAtWindowEnd() bool { return o.ageAtWindowEnd }

// Span is the earliest and the latest row time of the inputs of a kind,
// as read (counted or not); false when none was given or had a row with
// a time (or o is nil).
func (o *Outcome) Span(kind planfile.InputKind) (earliest, latest int64, ok bool) {
	earliest, latest = math.MaxInt64, math.MinInt64
	if o == nil {
		return metrics.NoTime, metrics.NoTime, false
	}
	for _, st := range o.stats {
		if st.Kind == kind && st.Earliest != metrics.NoTime {
			earliest, latest, ok = min(earliest, st.Earliest), max(latest, st.Latest), true
		}
	}
	if !ok {
		return metrics.NoTime, metrics.NoTime, false
	}
	return earliest, latest, true
}

// BadRows is how many rows the run skipped as bad, over all inputs.
func (o *Outcome) BadRows() int { return o.badRows }

// MaxBadRows is how many bad rows the job tolerates.
func (j *Job) MaxBadRows() int { return j.maxBadRows }
