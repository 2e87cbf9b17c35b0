package fleetmetrics

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
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
	if job.db != nil {
		if err := runDBJob(env, job, out); err != nil {
			return nil, err
		}
		if err := dbFunnel(env, job, out); err != nil {
			return nil, err
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
	if out.badRows > job.maxBadRows {
		for _, st := range out.stats {
			for _, e := range st.Errors {
				out.Problems.Errorf(diag.Row, e.Path, e.Line, 0, "%s", e.Reason)
			}
		}
	}
	if out.Problems.HasErrors() {
		return out, nil
	}
	out.report = metrics.Compute(data, job.options())
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
	for _, kind := range planfile.InputKinds {
		if in, ok := job.inputs[kind]; ok {
			if _, err := os.Stat(in.Path); errors.Is(err, os.ErrNotExist) {
				if d, ok := job.declared[kind]; ok {
					out.Problems.Errorf(diag.File, job.configFile, d.pos.Line, d.pos.Col, "metrics.inputs.%s: %q: %s", kind, d.written, planfile.NoSuchFile(in.Path))
				} else {
					out.Problems.Errorf(diag.File, in.Path, 0, 0, "%s", planfile.NoSuchFile(in.Path))
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

// dbFunnel computes the setup funnel of a database job from its onboarding
// file (app analytics are an export, not a fleet table); the join to the
// shipped units is not made.
func dbFunnel(env runenv.Env, job *Job, out *Outcome) error {
	if _, ok := job.inputs[planfile.KindOnboarding]; !ok || job.funnel == nil || out.Problems.HasErrors() {
		return nil
	}
	data := metrics.NewData()
	ing := &export.Ingest{Data: data, Window: job.window, UseUntil: job.window.To, Funnel: job.funnel, Formats: job.formats, MaxExpansion: job.expansion}
	if job.asOf == 0 {
		ing.Now = job.clock(env).UnixMicro()
	}
	if err := readFiles(env, job, ing, out); err != nil || out.Problems.HasErrors() {
		return err
	}
	o := data.SetupFunnel(job.options(), out.report.Horizon)
	o.Fleet, o.FleetNote = nil, "with metrics.source postgres the funnel is not joined to the shipped units yet"
	out.report.Onboarding = o
	return nil
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
	path := ""
	for _, st := range out.stats {
		if st.Kind == k {
			path = st.Path
		}
	}
	return path
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
	shippingWarning(out)
	if fw := out.report.Firmware; fw != nil && fw.Ambiguous > 0 {
		path := statPath(out, planfile.KindOTA)
		out.Problems.Warnf(diag.Row, path, 0, 0, "%s succeeded OTA rows at the same instant naming different versions (the first: %q): the data does not say which runs, so they count as unknown firmware; give each job execution its own time",
			devicesHave(fw.Ambiguous), clipID(fw.AmbiguousDevice))
	}
	if fw := out.report.Firmware; fw != nil {
		firmwareOrderWarning(job, fw, out)
		firmwareSuffixWarning(job, fw, out)
	}
	if o := out.report.Onboarding; o != nil {
		onboardingWarnings(o, out)
	}
	out.dormantDays = job.dormant.Seconds() / 86400
	if h := out.report.Horizon; h != metrics.NoTime {
		end := min(w.To, job.clock(env).UnixMicro())
		age := max(0, float64(end-h)/86_400e6) // data past the window is not stale
		out.ageDays, out.ageAtWindowEnd = &age, end == w.To
		if age > 1 && job.asOf == 0 && h > w.From {
			uncoveredWarning(job, out, h, end)
		}
		if job.asOf == 0 {
			pinnedMonthWarning(job, out, h)
		}
	}
}

// uncoveredWarning says when the data stops more than a day before the
// window's end (or now): the counts over the window — monthly active
// devices, tickets per device-month (economics' support cost), usage —
// then cover only part of it and read low, while looking like the
// window's. A window that ends in the future (month to date) is only
// warned of when the data is also a day behind now.
func uncoveredWarning(job *Job, out *Outcome, h, end int64) {
	w := job.window
	covered := float64(h-w.From) / float64(w.To-w.From)
	endWhat := "the window's end " + isoMicro(w.To)
	if end < w.To {
		endWhat = "now"
	}
	out.Problems.Warnf(diag.Row, cmp.Or(job.configFile, "iotpm"), 0, 0, "the data ends %s, %s days before %s: counts over the window (monthly active devices, tickets per 100 devices, usage) cover %s of it and read low; pick a window the data covers, refresh the exports, or gate data_age to fail on it",
		isoMicro(h), render.Number(float64(end-h)/86_400e6, 1), endWhat, render.Percent(covered, 0))
}

// pinnedMonthWarning says when iotpm.yaml's month is older than the
// newest month the data holds whole: a month written once does not move,
// so check's gates would go on reading it while the exports are refreshed
// (data_age holds the exports to the window's end, not to today).
func pinnedMonthWarning(job *Job, out *Outcome, h int64) {
	w := job.window
	if job.windowPos.Line == 0 {
		return // a flag's window is the user's choice of this run
	}
	from, month := w.Month()
	if !month {
		return // from..to: a span chosen as such
	}
	hy, hm, _ := time.UnixMicro(h).UTC().Date()
	newest := time.Date(hy, hm-1, 1, 0, 0, 0, 0, time.UTC) // the last month the data holds whole
	if !newest.After(from) {
		return
	}
	out.Problems.Warnf(diag.Schema, job.configFile, job.windowPos.Line, job.windowPos.Col,
		"metrics.month %s: the data reaches %s, so %s is whole in it, and the gates read %s, a month the data has moved past; move month: to %s (a month written here does not move by itself)",
		from.Format("2006-01"), isoMicro(h), newest.Format("2006-01"), from.Format("2006-01"), newest.Format("2006-01"))
}

// firmwareOrderWarning says when devices count as off target only because
// their version and the target cannot be ordered (firmware_on_target would
// otherwise look measured: a target "2.4.l" gives 0% without a word).
func firmwareOrderWarning(job *Job, fw *metrics.Firmware, out *Outcome) {
	versions, devices, example := fw.Unordered()
	if devices == 0 {
		return
	}
	what := fmt.Sprintf("%s of the active devices run a version that cannot be ordered against it (%s version(s), the most common %q)",
		render.Number(float64(devices), 0), render.Number(float64(versions), 0), clipID(example))
	fix := "give those devices versions of that form, or a target equal to the version that counts"
	if !metrics.Orderable(fw.Target) {
		what = fmt.Sprintf("it is no semantic version, so only devices running exactly %q count as on target; %s run other versions (the most common %q)",
			clipID(fw.Target), render.Number(float64(devices), 0), clipID(example))
		fix = "write the target as the fleet writes its versions"
	}
	out.Problems.Warnf(diag.Schema, job.configFile, job.firmwarePos.Line, job.firmwarePos.Col,
		"metrics.firmware.target %q: %s: they count as not on target. Versions order as major.minor.patch (up to four numeric parts, a v prefix and a pre-release allowed); %s",
		clipID(fw.Target), what, fix)
}

// firmwareSuffixWarning says when devices count as off target only
// because their version is the target's release with a suffix that reads
// as a later fix (2.4.1-hotfix1) and metrics.firmware.after_release does
// not say so: semantic versioning makes it a pre-release, before 2.4.1.
// The share is given both ways, and the setting that reads the suffix as
// a fix: which one is right is the team's naming, not the data's.
func firmwareSuffixWarning(job *Job, fw *metrics.Firmware, out *Outcome) {
	versions, devices, example := fw.PostReleaseLike()
	if devices == 0 || fw.Devices == 0 {
		return
	}
	// the suffix's word: 2.4.1-hotfix1 → hotfix
	_, word, _ := strings.Cut(example, "-")
	word, _, _ = strings.Cut(word, ".")
	word = strings.TrimRight(word, "0123456789")
	out.Problems.Warnf(diag.Schema, job.configFile, job.firmwarePos.Line, job.firmwarePos.Col,
		"metrics.firmware.target %q: %s of the active devices run %s with a suffix (%s version(s), the most common %q), which semantic versioning orders before %s, as a pre-release: they count as not on target, %s on target; %s if the suffix marks a fix after %s. If it does, say so: metrics.firmware: {target: %s, after_release: [%s]}",
		clipID(fw.Target), render.Number(float64(devices), 0), clipID(fw.Target), render.Number(float64(versions), 0), clipID(example), clipID(fw.Target),
		render.Percent(fw.Value, 1), render.Percent(float64(fw.OnTarget+devices)/float64(fw.Devices), 1), clipID(fw.Target), yamlKey(fw.Target), yamlKey(word))
}

// Gate evaluates one threshold on a metric of the report: its value
// and, when it has none, why, worded against the rows that were read.
func Gate(out *Outcome, m metrics.Metric, t planfile.Threshold, flag string) gate.Gate {
	var r metrics.Report
	var stats []*export.Stats
	if out != nil {
		r, stats = out.report, out.stats
	}
	v, why := r.Value(m)
	if why != metrics.HasValue {
		return gate.Metric(string(m), unitOf(m), nil, NoValueText(m, why, stats), t, flag)
	}
	g := gate.Metric(string(m), unitOf(m), &v, "", t, flag)
	if m == metrics.ActivationRate && !r.Activation.Mature {
		g.Detail = "immature cohort"
	}
	if n := otaUnits(r); m == metrics.OTASuccessRate && n > 0 && n < MinUnits {
		// a pass on two lucky updates is no evidence: the gate says so
		g.Detail = fmt.Sprintf("on %d finished updates only: one moves it by %s points", n, render.Number(100/float64(n), 0))
	}
	return g
}

// MinUnits is the count of units under which a measured rate says how
// little it rests on, or gives way to the fleet's: the OTA success gate's
// detail here, a model's activation and OTA success in planning. At 30
// units a rate's 95% interval is still about ±15 points around 50%; with
// fewer, one unit moves it by several points (one unit of three: 33).
const MinUnits = 30

func otaUnits(r metrics.Report) int {
	if r.OTA == nil {
		return 0
	}
	return r.OTA.Success + r.OTA.Failure
}

// ModelGates evaluate a rate's gates per devices.yaml model (gates.
// activation_rate.models, gates.ota_success_rate.models), in model order:
// the model's window cohort's activation rate (as the fleet's gate, with
// its units and maturity in the detail), or its OTA units' success rate.
// A name that is no devices.yaml device, or a model without units in the
// window, has no value, which fails the gate and says why.
func ModelGates(out *Outcome, m metrics.Metric, models map[string]planfile.RateThreshold, profiles []string) []gate.Gate {
	var gates []gate.Gate
	for _, id := range slices.Sorted(maps.Keys(models)) {
		t := models[id].Threshold
		name := string(m) + "." + id
		if out == nil {
			gates = append(gates, gate.Metric(name, gate.Share, nil, "its inputs were not given", t, ""))
			continue
		}
		r := out.report
		switch {
		case profiles == nil:
			gates = append(gates, gate.Metric(name, gate.Share, nil, "the metrics have no devices input, whose model column says which units are each model", t, ""))
			continue
		case !slices.Contains(profiles, id):
			// CheckModelNames stops a run on such a name first
			gates = append(gates, gate.Metric(name, gate.Share, nil, fmt.Sprintf("gates.%s.models names %s, which is no devices.yaml device%s", m, id, planfile.DidYouMeanText(id, profiles)), t, ""))
			continue
		}
		var v *float64
		detail := ""
		switch m {
		case metrics.ActivationRate:
			detail = fmt.Sprintf("no value: no %s unit shipped in the window (the devices input's model column says which are)", id)
			if a := r.Activation; a != nil {
				for _, p := range a.ByProfile {
					if p.Profile == id && p.Shipped > 0 {
						v, detail = &p.Rate, fmt.Sprintf("%d of %d units", p.Activated, p.Shipped)
						if !p.Mature {
							detail += "; immature cohort"
						}
					}
				}
			}
		case metrics.OTASuccessRate:
			detail = fmt.Sprintf("no value: no %s unit succeeded or failed in the window (the devices input's model column says which are)", id)
			if o := r.OTA; o != nil {
				for _, p := range o.ByProfile {
					if p.Profile == id && p.Success+p.Failure > 0 {
						v, detail = &p.Rate, fmt.Sprintf("%d of %d units", p.Success, p.Success+p.Failure)
					}
				}
			}
		}
		g := gate.Metric(name, gate.Share, v, "", t, "")
		g.Detail = detail
		gates = append(gates, g)
	}
	return gates
}

// unitOf is how a metric's value reads: monthly active devices count,
// the time to pair is a duration, the others are shares.
func unitOf(m metrics.Metric) gate.Unit {
	switch m {
	case metrics.MonthlyActiveDevices:
		return gate.Count
	case metrics.OnboardingP90:
		return gate.Seconds
	}
	return gate.Share
}

// P90Gate evaluates the limit on the setup funnel's p90 time to pair
// (onboarding.p90: "<= 3m").
func P90Gate(out *Outcome, t planfile.AgeThreshold) gate.Gate {
	m := metrics.OnboardingP90
	var r metrics.Report
	var stats []*export.Stats
	if out != nil {
		r, stats = out.report, out.stats
	}
	g := gate.Gate{Name: string(m), Unit: gate.Seconds, Threshold: t.Text}
	v, why := r.Value(m)
	if why != metrics.HasValue {
		g.Detail = "no value: " + NoValueText(m, why, stats)
		return g
	}
	g.Value, g.Passed = &v, t.Holds(v)
	if o := r.Onboarding; o != nil {
		g.Detail = fmt.Sprintf("of %s completed attempts (nearest rank)", render.Number(float64(o.Completed), 0))
	}
	return g
}

// ModeGate evaluates a threshold on the uptime of one mode's devices
// (always, checkin): connectivity_uptime.always / .checkin.
func ModeGate(out *Outcome, mode string, t planfile.Threshold) gate.Gate {
	name := string(metrics.ConnectivityUptime) + "." + mode
	var u *metrics.Uptime
	if out != nil {
		u = out.report.Uptime
	}
	if u == nil {
		return gate.Metric(name, gate.Share, nil, "its inputs were not given", t, "")
	}
	m := u.Always
	if mode == "checkin" {
		m = u.Checkin
	}
	if math.IsNaN(m.Value) {
		why := "no always-connected device observed in window"
		if mode == "checkin" {
			why = "no check-in device observed in window (a devices.yaml profile with checkin:, and the devices input's model column, say which devices check in)"
		}
		return gate.Metric(name, gate.Share, nil, why, t, "")
	}
	v := m.Value
	return gate.Metric(name, gate.Share, &v, "", t, "")
}

// NoValueText words why a metric has no value; for no data in the window
// it names the latest row its inputs had, so a stale export shows.
func NoValueText(m metrics.Metric, why metrics.NoValue, stats []*export.Stats) string {
	switch why {
	case metrics.NotGiven:
		return "its inputs were not given"
	case metrics.NoneShipped:
		return "no device shipped in window"
	case metrics.NoneFinished:
		return "no succeeded or failed executions in window"
	case metrics.NoTarget:
		return "no target release: give iotpm.yaml metrics.firmware.target"
	case metrics.NoneActive:
		return "no active device that can take an OTA update in window"
	case metrics.NoAttempts:
		return "no setup attempt started in window (and closed at the onboarding horizon)"
	case metrics.NoneCompleted:
		return "no setup attempt in window completed"
	}
	if m == metrics.FirmwareOnTarget && why == metrics.NotGiven {
		return "no version is known: it needs a version column in the OTA input or a firmware column in the devices input (the database source does not compute it yet)"
	}
	for _, k := range metricInputs(m) {
		for _, st := range stats {
			if st.Kind == k && st.Latest != metrics.NoTime {
				return fmt.Sprintf("no data in window: latest %s row %s", k, isoMicro(st.Latest))
			}
		}
	}
	return "no data in window: the inputs have no rows"
}

// DataAgeGate fails when the data's horizon is older than the limit at
// the window's end (or now, when that is earlier).
func DataAgeGate(out *Outcome, t planfile.AgeThreshold, flag string) gate.Gate {
	if out == nil || out.ageDays == nil {
		return gate.DataAge(nil, "", t, flag)
	}
	g := gate.DataAge(out.ageDays, isoMicro(out.report.Horizon), t, flag)
	if out.ageAtWindowEnd {
		// "0 days" of data that ended weeks ago: the age is the data's
		// at the end of the window the gates read, not today's
		g.Detail += ", counted at the window's end " + isoMicro(out.report.Window.To)
	}
	return g
}

// metricInputs are the inputs a metric's "no data" speaks of, in the
// order to look for their latest row.
func metricInputs(m metrics.Metric) []planfile.InputKind {
	switch m {
	case metrics.ConnectivityUptime:
		return []planfile.InputKind{planfile.KindEvents}
	case metrics.MonthlyActiveDevices:
		return []planfile.InputKind{planfile.KindEvents, planfile.KindActivity}
	case metrics.ActivationRate:
		return []planfile.InputKind{planfile.KindDevices}
	case metrics.OTASuccessRate:
		return []planfile.InputKind{planfile.KindOTA}
	case metrics.FirmwareOnTarget:
		return []planfile.InputKind{planfile.KindEvents, planfile.KindActivity}
	case metrics.OnboardingCompletion, metrics.OnboardingP90, metrics.OnboardingWithinTarget:
		return []planfile.InputKind{planfile.KindOnboarding}
	}
	return nil
}

// quoteList quotes the first n values, and says how many more there are.
func quoteList(v []string, n int) string {
	var q []string
	for _, s := range v[:min(n, len(v))] {
		q = append(q, fmt.Sprintf("%q", clipID(s)))
	}
	return render.Few(append(q, v[len(q):]...), n, ", ")
}

// yamlKey quotes a value for a YAML flow mapping when it needs it.
func yamlKey(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}

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

// Latest is the latest row time of an input kind, as read (counted or
// not); false when the input was not given or had no row (or o is nil).
func (o *Outcome) Latest(kind planfile.InputKind) (int64, bool) {
	latest, ok := int64(metrics.NoTime), false
	if o == nil {
		return latest, false
	}
	for _, st := range o.stats {
		if st.Kind == kind && st.Latest != metrics.NoTime {
			latest, ok = max(latest, st.Latest), true
		}
	}
	return latest, ok
}

// BadRows is how many rows the run skipped as bad, over all inputs.
func (o *Outcome) BadRows() int { return o.badRows }

// MaxBadRows is how many bad rows the job tolerates.
func (j *Job) MaxBadRows() int { return j.maxBadRows }

// sleepWarning warns when the devices counted as always connected (at
// least 10) were connected less than half of their observed time: a
// battery device that connects, reports and disconnects reads so, and
// uptime counts its sleep as down time until its profile says it checks
// in. A fleet meant to stay connected that was offline most of the
// window is worth the same line. Both engines give the sums it reads.
func sleepWarning(out *Outcome) {
	u := out.report.Uptime
	if u == nil || u.Always.Devices < 10 || u.Always.ConnectedUS*2 >= u.Always.ObservedUS {
		return
	}
	var low []string
	for _, p := range u.ByProfile {
		if !p.Checkin && p.Devices > 0 && p.ConnectedUS*2 < p.ObservedUS {
			low = append(low, p.Profile)
		}
	}
	who := "devices without a devices.yaml profile among them"
	if len(low) > 0 {
		who = "profile " + render.Few(low, 3, ", ")
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindEvents), 0, 0, "%s counted as always connected (down whenever disconnected) were connected %s of their observed time (%s): devices that sleep by design (connect, report, disconnect) read so; if these do, give their devices.yaml profile checkin: {event: EVENT, every: INTERVAL}, so uptime counts them reachable after each check-in, and their model that profile (metrics.models, or metrics.unmodelled: PROFILE); if they are meant to stay connected, they were offline most of the window",
		render.Plural(u.Always.Devices, "device"), render.Percent(u.Always.Value, 1), who)
}

// shippingWarning warns when most activated devices (at least 10) were
// activated within an hour of their shipped_at: units reach customers
// days after they ship, so such a shipped_at is the time the factory
// provisioned or tested them (a registry's creation date), and the
// activation rate counts the end-of-line test — near 100% whatever the
// customers do. Both engines give the count it reads.
func shippingWarning(out *Outcome) {
	a := out.report.Activation
	if a == nil || a.AtShipping < 10 {
		return
	}
	activated := 0
	for _, c := range a.ByMonth {
		activated += c.Activated
	}
	if a.AtShipping*2 <= activated {
		return
	}
	column := "shipped_at"
	for _, st := range out.stats {
		if c := st.Columns["shipped_at"]; st.Kind == planfile.KindDevices && c != "" {
			column = c
		}
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s of the %s activated devices were activated (a connect or an activity row) within an hour of their shipped_at (column %s): units reach customers days after they ship, so these times look like the factory's provisioning or test (a registry's creation date), and the activation rate counts the end-of-line test; map shipped_at to the date units leave the warehouse or are sold",
		render.Number(float64(a.AtShipping), 0), render.Number(float64(activated), 0), column)
}

// checkinWarnings warns of a check-in profile whose devices missed more
// than half the check-ins its interval P expects over their observed time:
// uptime counts each missed one as down time, so an interval shorter than
// the firmware's in the field (a planned interval written as today's)
// reads as an unreachable fleet. Both engines give the sums it reads.
func checkinWarnings(job *Job, out *Outcome) {
	u := out.report.Uptime
	if u == nil {
		return
	}
	for _, p := range u.ByProfile {
		m, ok := job.models[p.Profile]
		if !p.Checkin || !ok || m.Every <= 0 {
			continue
		}
		expected := p.ObservedUS / m.Every
		if expected < 20 || int64(p.Missed)*2 <= expected {
			continue
		}
		every := quantity.FormatDuration(float64(m.Every) / 1e6)
		out.Problems.Warnf(diag.Row, statPath(out, planfile.KindEvents), 0, 0, "%s: its devices missed %s of the %s check-ins its interval in devices.yaml (every %s) expects over their observed time (%s), and uptime counts each as down time: if the firmware in the field checks in less often than that, set the profile's checkin: {every: ...} to the field's interval (a planned interval belongs in a variant with feature:); if it does check in every %s, the devices missed most of their check-ins",
			p.Profile, render.Number(float64(p.Missed), 0), render.Number(float64(expected), 0), every, render.Percent(float64(p.Missed)/float64(expected), 0), every)
	}
}
