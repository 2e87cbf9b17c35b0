package fleetmetrics

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// inputFromConfig turns one metrics.inputs entry of iotpm.yaml into an
// input to read.
func inputFromConfig(kind planfile.InputKind, in planfile.InputSpec) export.Input {
	out := export.Input{Kind: kind, Path: in.Path, Format: in.Format, Map: in.Map, Order: in.Order, Files: in.Files}
	if in.TZ != nil {
		out.Zone, out.ZoneName = in.TZ.Location, in.TZ.Name
	}
	return out
}

// RepoFormats compiles iotpm.yaml's own formats and adds the built-in ones.
func RepoFormats(cfg *planfile.Config) (*export.Formats, error) {
	if cfg == nil || len(cfg.Formats) == 0 {
		return export.NewFormats(nil), nil
	}
	own, diags := export.CompileFormats(cfg.File, cfg.Formats, export.Builtins())
	if diags.HasErrors() {
		return nil, &failure.InvalidInputError{Diagnostics: diags}
	}
	return export.NewFormats(own), nil
}

// applyFormatFlags applies --format and --tz over the job's inputs.
func (o *Flags) applyFormatFlags(job *Job) error {
	parse := func(flag, value string) (planfile.InputKind, string, error) {
		name, v, ok := strings.Cut(value, "=")
		if !ok || v == "" {
			return "", "", failure.UsageErrorf("--%s %q: write KIND=VALUE, e.g. events=%s", flag, clipID(value), map[string]string{"format": "particle-events", "tz": "Europe/Berlin"}[flag])
		}
		kind, known := planfile.ParseInputKind(name)
		if !known {
			return "", "", failure.UsageErrorf("--%s %q: unknown input %q (use %s)", flag, clipID(value), clipID(name), strings.Join(planfile.InputKindNames(), ", "))
		}
		if _, ok := job.inputs[kind]; !ok {
			return "", "", failure.UsageErrorf("--%s names %s, which is not an input", flag, kind)
		}
		return kind, v, nil
	}
	// a kind given twice with other values is a choice iotpm will not make
	// (the last would win: --tz events=UTC --tz events=Europe/Berlin)
	seen := map[string]string{}
	twice := func(flag string, kind planfile.InputKind, v string) error {
		key := flag + "\x00" + string(kind)
		if prev, ok := seen[key]; ok && prev != v {
			return failure.UsageErrorf("--%s names %s twice (%s, then %s): give one", flag, kind, clipID(prev), clipID(v))
		}
		seen[key] = v
		return nil
	}
	for _, value := range o.Formats {
		kind, name, err := parse("format", value)
		if err != nil {
			return err
		}
		if err := twice("format", kind, name); err != nil {
			return err
		}
		if _, err := job.formats.Lookup(kind, name); err != nil {
			return failure.UsageErrorf("--format %s: %v", clipID(value), err)
		}
		in := job.inputs[kind]
		in.Format = name
		job.inputs[kind] = in
	}
	for _, value := range o.Zones {
		kind, zone, err := parse("tz", value)
		if err != nil {
			return err
		}
		if err := twice("tz", kind, zone); err != nil {
			return err
		}
		loc, err := planfile.LoadZone(zone)
		if err != nil {
			return failure.UsageErrorf("--tz %s: %v", clipID(value), err)
		}
		in := job.inputs[kind]
		in.Zone, in.ZoneName = loc, zone
		job.inputs[kind] = in
		if c := planfile.ZoneCaution(zone); c != "" {
			job.cautions = append(job.cautions, flagCaution{kind, "--tz " + clipID(value) + ": " + c})
		}
	}
	return nil
}

// flagCaution is a warning about a flag for an input.
type flagCaution struct {
	kind    planfile.InputKind
	message string
}

// warnCautions reports the flags' cautions at their inputs' paths.
func warnCautions(job *Job, out *Outcome) {
	for _, c := range job.cautions {
		out.Problems.Warnf(diag.Schema, job.inputs[c.kind].Path, 0, 0, "%s", c.message)
	}
}

// checkJoins freezes the data (so duplicates are known), records
// duplicates and unknown device ids in the accounting, and stops the run
// when none of an input's device ids is in the devices input: the device
// column is then almost certainly the wrong one.
func checkJoins(data *metrics.Data, out *Outcome) {
	data.Freeze()
	byKind := map[planfile.InputKind]*export.Stats{}
	for _, st := range out.stats {
		byKind[st.Kind] = st
	}
	if st := byKind[planfile.KindEvents]; st != nil {
		st.Duplicates = data.DuplicateEvents
		st.StaleDisconnects = data.StaleDisconnects
		sessionWarning(data, st, out)
		st.SequenceFollowing, st.SequenceBack = data.SequenceFollowing, data.SequenceBack
		if data.SequenceBack > 0 {
			st.SequenceBackExample = fmt.Sprintf("%q at %s, after %s", clipID(data.SequenceBackDevice), isoMicro(data.SequenceBackAt), isoMicro(data.SequenceBackAfter))
		}
		sequenceWarning(st, func(format string, args ...any) { out.Problems.Warnf(diag.Row, st.Path, 0, 0, format, args...) })
		st.SameInstant = data.SameInstant
		if data.SameInstant > 0 {
			st.SameInstantExample = fmt.Sprintf("%q at %s", clipID(data.SameInstantDevice), isoMicro(data.SameInstantAt))
		}
	}
	for _, st := range out.stats {
		fileTimeChecks(st, out)
	}
	devices := byKind[planfile.KindDevices]
	if devices != nil {
		devices.Duplicates = data.DuplicateDevices
	}
	if tickets := byKind[planfile.KindTickets]; tickets != nil {
		tickets.Duplicates = data.DuplicateTickets
	}
	for _, j := range data.Joins() {
		joinWarning(out, byKind[j.Input], devices, j)
	}
}

// joinWarning accounts in an input's stats how its ids match the devices
// input's (j, from either engine) and says what is wrong with it: ids that
// are the devices input's but for letter case or form, ids it does not
// list, none it lists.
func joinWarning(out *Outcome, st, devices *export.Stats, j metrics.Join) {
	if st == nil || devices == nil {
		return
	}
	st.Join = export.JoinNotes{JoinIDs: j.IDs, UnknownSample: j.SampleUnknown, CaseOnly: j.CaseOnly, CaseSample: j.CaseSample, FormOnly: j.FormOnly, FormSample: j.FormSample}
	caseWarning(st, devices.Path, func(format string, args ...any) { out.Problems.Warnf(diag.Row, st.Path, 0, 0, format, args...) })
	st.UnknownDevices = j.Unknown
	what, col, devCol := "device ids", st.Columns["device_id"], devices.Columns["device_id"]
	if j.Input == planfile.KindTickets {
		what, col, devCol = "customer ids", st.Columns["customer_id"], devices.Columns["customer_id"]
	}
	switch {
	case j.IDs == 0 || j.Unknown == 0:
	case devices.Used == 0:
		// no id can match a devices input whose every row was bad or
		// left out: those rows are the problem, and are reported
	case j.Input == planfile.KindOnboarding:
		// the join is a section of the funnel, which stands without it
		// (the section says so when nothing matched)
		out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the %s device ids the onboarding rows name are not in the devices input %s (column %s here, %s there): e.g. %q here, %q there; the funnel's join to shipped units counts only those that are",
			render.Number(float64(j.Unknown), 0), render.Number(float64(j.IDs), 0), devices.Path, col, devCol, clipID(j.SampleUnknown), clipID(j.SampleKnown))
	case j.Unknown == j.IDs:
		out.Problems.Errorf(diag.Row, st.Path, 0, 0, "none of the %s %s of %s (column %s, format %s) is in the devices input %s (column %s): e.g. %q here, %q there; "+
			"if the column is the wrong one, name it with --map %s.%s=COLUMN or the export's format with --format %s=NAME (see --list-formats)",
			render.Number(float64(j.IDs), 0), what, j.Input, col, st.Format, devices.Path, devCol, clipID(j.SampleUnknown), clipID(j.SampleKnown),
			j.Input, strings.ReplaceAll(strings.TrimSuffix(what, "s"), " ", "_"), j.Input)
	default:
		out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the %s %s of %s are not in the devices input %s (e.g. %q); they count in fleet metrics, not in activation or customer health",
			render.Number(float64(j.Unknown), 0), render.Number(float64(j.IDs), 0), what, j.Input, devices.Path, clipID(j.SampleUnknown))
	}
}

// fileTimeChecks reports what the reading of a file's times left to say:
// zone-less times (an error) and events whose order the file does not
// decide. Every file input goes through it, the one beside a database's
// tables (the app's onboarding export) too.
func fileTimeChecks(st *export.Stats, out *Outcome) {
	if st.ZonelessUTC > 0 {
		// Local times read as UTC are off by hours without any other
		// sign; only the user knows the zone, so the run stops.
		out.Problems.Errorf(diag.Row, st.Path, 0, 0, "%s timestamps of %s have no zone (e.g. %q, column %s, format %s), and which zone they are in decides every time-based number: name it with tz: on the input in iotpm.yaml (metrics.inputs.%s.tz: Europe/Berlin, or UTC) or --tz %s=ZONE",
			render.Number(float64(st.ZonelessUTC), 0), st.Kind, st.ZonelessExample, st.Columns[export.TimeRole(st.Kind)], st.Format, st.Kind, st.Kind)
	}
	orderWarnings(st, func(format string, args ...any) { out.Problems.Warnf(diag.Row, st.Path, 0, 0, format, args...) },
		"if the file's row order is the order they happened, set order: file on the input (metrics.inputs.events in iotpm.yaml) or its format; if the export has a sequence or session column, map it",
		"export the times with their offset, or in UTC, to be exact")
}

// sessionWarning says when the disconnects that a session decides name,
// often, a session none of their device's connects names: each is then
// taken for an old session's and ends nothing, so the devices count as
// connected through their disconnects and uptime reads high with no other
// sign. A real old session's close (a takeover) names a session the
// device connected with; a lost connect row leaves a few that do not,
// a column that does not name connections (a message or request id) all.
// A tenth of the disconnects compared is the bar: above any loss of rows
// a delivery at least once leaves, far below a column that is wrong.
func sessionWarning(data *metrics.Data, st *export.Stats, out *Outcome) {
	n, of := data.OrphanDisconnects, data.SessionChecked
	if n == 0 || n*10 < of {
		return
	}
	out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the %s disconnects of events checked against their device's session (column %s) name a session that none of its connects names (e.g. the disconnect of %q at %s): each is taken for the close of an old session and ends nothing, so the device counts as connected through it and uptime reads high. "+
		"A connect and the disconnect that ends it carry the same session value (AWS's sessionIdentifier does); if this column does not, read the events without sessions: a format of your own without session: (formats: in iotpm.yaml, iotpm help formats), or --format events=generic",
		render.Number(float64(n), 0), render.Number(float64(of), 0), st.Columns["session"], clipID(data.OrphanDevice), isoMicro(data.OrphanAt))
}

// sequenceWarning says when a sequence orders many events before the
// times of events it puts earlier: AWS's versionNumber and Azure's
// sequenceNumber follow the events' times but for seconds, so a column
// that does not (an event or message id) orders each device's events at
// random, and every duration between them — uptime — with them, with no
// other sign. A tenth of the events that follow another is the bar.
// Either engine: the counts are in st.
func sequenceWarning(st *export.Stats, warn func(string, ...any)) {
	n, of := st.SequenceBack, st.SequenceFollowing
	if n == 0 || n*10 < of {
		return
	}
	warn("%s of the %s events of events that their sequence (column %s) puts after another of their device are stamped more than a minute before an event it puts earlier (e.g. %s): a sequence orders a device's events as they happened (AWS's versionNumber, Azure's sequenceNumber), so this column may not be one; "+
		"each is taken at the time of the event before it, which moves every time-based number. If the column is not a sequence, read the events without it: a format of your own without sequence: (formats: in iotpm.yaml, iotpm help formats), or map another column as the sequence",
		render.Number(float64(n), 0), render.Number(float64(of), 0), st.Columns["sequence"], st.SequenceBackExample)
}

// caseWarning says when ids of an input are the devices input's but for
// letter case (either engine): one device (or customer) split in two, which
// the count of unknown ids alone does not show.
func caseWarning(st *export.Stats, devices string, warn func(string, ...any)) {
	if j := st.Join; j.CaseOnly > 0 {
		what := "device"
		if st.Kind == planfile.KindTickets {
			what = "customer" // tickets join the devices input by customer id
		}
		warn("%s of the ids of %s not in the devices input %s are one of its ids but for letter case (e.g. %q here, %q there): ids compare exactly, so each counts as a %s of its own; export the ids in one case",
			render.Number(float64(j.CaseOnly), 0), st.Kind, devices, clipID(j.CaseSample[0]), clipID(j.CaseSample[1]), what)
	}
	if j := st.Join; j.FormOnly > 0 {
		warn("%s of the ids of %s not in the devices input %s are one of its ids written otherwise (e.g. %q here, %q there: letter case, separators or an \"eui-\" prefix aside, the same): ids compare exactly, so each counts apart; %s",
			render.Number(float64(j.FormOnly), 0), st.Kind, devices, clipID(j.FormSample[0]), clipID(j.FormSample[1]), formFix(j.FormSample[0], st.Kind))
	}
}

// formFix says how to make an input's ids the devices input's: map a
// column that writes them so (The Things Stack names a device eui-… and
// has its DevEUI in end_device_ids.dev_eui), or export them so.
func formFix(id string, kind planfile.InputKind) string {
	if strings.HasPrefix(strings.ToLower(id), "eui-") {
		return fmt.Sprintf("map a column that writes them as the devices input does (The Things Stack's DevEUI is end_device_ids.dev_eui: --map %s.device_id=end_device_ids.dev_eui, or map: on the input), or export the devices input's ids so", kind)
	}
	return fmt.Sprintf("map a column that writes them as the devices input does (--map %s.device_id=COLUMN, or map: on the input), or export both in one form", kind)
}

// orderWarnings says what an input's times leave open (either engine):
// connect/disconnect pairs at the same instant, local times in the hour
// repeated when daylight saving time ends. fix is how the input can say
// the order, exact how the times can be exact.
func orderWarnings(st *export.Stats, warn func(string, ...any), fix, exact string) {
	if st.SameInstant > 0 {
		warn("%s times a device connects and disconnects at the same instant (e.g. %s), and the data does not say in which order: the disconnect is taken first, so the device counts as connected until its next event; %s",
			render.Number(float64(st.SameInstant), 0), st.SameInstantExample, fix)
	}
	if st.RepeatedHour > 0 {
		// a wall time of that hour is two instants an hour apart; the
		// export does not say which, and the rows' order may be off
		warn("%s local times of %s fall in the hour repeated when daylight saving time ends (e.g. %s): each is read as the first of its two instants (daylight saving time), so rows from the second pass of that hour may be out of order by up to an hour; %s",
			render.Number(float64(st.RepeatedHour), 0), st.Kind, st.RepeatedHourExample, exact)
	}
}

func clipID(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
