package fleetmetrics

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// The warnings a run adds after computing: what the numbers alone would
// not say (a suffix read as a pre-release, devices that sleep by design,
// a factory time as shipped_at, a check-in interval shorter than the
// field's, a window the data has moved past).

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
	out.Problems.Warnf(diag.Row, cmp.Or(job.configFile, "iotpm"), 0, 0, "the data ends %s, %s before %s: counts over the window (monthly active devices, tickets per 100 devices, usage) cover %s of it and read low; pick a window the data covers, refresh the exports, or gate data_age to fail on it",
		isoMicro(h), days(float64(end-h)/86_400e6), endWhat, render.Percent(covered, 0))
}

// lateStartWarning says when the fleet's rows (events and activity)
// begin more than a day after the window's start: an export cut at a
// retention limit or a query's time range leaves the counts over the
// window (MAD, tickets per device, usage) low and each device's uptime
// measured from its first row in the data, while looking like the
// window's. A fleet whose first units went out then reads the same, so
// the warning says both. A fleet that checks in less often than daily
// may start its rows a check-in's reach into the window: that much is
// not warned of either.
func lateStartWarning(job *Job, out *Outcome) {
	w := job.window
	slack := int64(86_400e6)
	for _, m := range job.models {
		slack = max(slack, m.Reach())
	}
	start, path := fleetStart(out)
	if start == math.MaxInt64 || start-w.From <= slack || start >= w.To {
		return
	}
	activation := ""
	if statsOf(out, planfile.KindDevices) != nil {
		// the units whose window ends by then are left out of the cohorts
		// (beforeDataWarning); the others' rows before it are missing too
		activation = ", a unit shipped before it counts as activated only by a row from it on"
	}
	out.Problems.Warnf(diag.Row, path, 0, 0, "the fleet's rows start %s, %s after the window's start %s: counts over the window (monthly active devices, tickets per 100 devices, usage) cover %s of it and read low, and each device's uptime is measured from its first row in the data%s; if the export was cut there (a retention limit, a query's time range), export the whole window; if the fleet's first units went out then, nothing is wrong",
		isoMicro(start), days(float64(start-w.From)/86_400e6), isoMicro(w.From), render.Percent(float64(w.To-start)/float64(w.To-w.From), 0), activation)
}

// spanKinds are the inputs whose rows should reach the window's end, or
// the data's horizon when that is sooner: when one stops short of the
// others, a count over the window reads low, or a device's last state
// stands in for what came after, while looking like the window's. start
// says whether its start matters too: the fleet's rows (events, activity)
// begin with its history, and lateStartWarning speaks of them as a whole.
var spanKinds = []struct {
	kind  planfile.InputKind
	start bool
	what  string
	// outside: what an input none of whose rows reaches into the window
	// does, when not what ("": the same)
	outside string
}{
	{planfile.KindEvents, false, "uptime holds each device's last state from there on, and monthly active devices and activations miss what came after", ""},
	{planfile.KindActivity, false, "the devices that check in miss every check-in after it (down time), and monthly active devices and activations miss what came after", ""},
	{planfile.KindUsage, true, "the usage shares of customer health read low", "customer health leaves its usage share out"},
	{planfile.KindTickets, true, "tickets per 100 devices read low, and customer health better than it is", "customer health leaves its tickets out, and iotpm economics does not measure tickets per device-month from it"},
	{planfile.KindOnboarding, true, "the setup funnel's attempts and users read low (its shares and times are of the part covered), and its join to the fleet misses those units' setup", ""},
}

// spanRows is how many rows an input's own rate must put in a gap before
// the gap is warned of: at a Poisson rate of 20 the chance of none is
// e^−20 (2·10^−9), so a gap that size is an export cut there, not a quiet
// week; a sparse input (a few tickets a week) is never warned of by
// chance. The rate is over the input's whole span, which for a growing
// fleet is lower than the window's: the test errs towards silence.
const spanRows = 20

// inputSpanWarnings says when an input's rows end more than a day before
// the window's end (or now, or the other inputs' last row, when sooner)
// or start more than a day after its start (or the fleet's first row),
// where the input's own rate puts at least spanRows rows and so does its
// occupancy (export.Busy.Occupancy: a burst of rows counts once), by more
// than gapFactor times the input's typical spacing (export.Busy.Gaps),
// and the same stretch a day or a week earlier has rows (export.Busy.
// Rhythmic: a weekday fleet's export ends on Friday): an export pulled
// over a shorter range than the others.
func inputSpanWarnings(job *Job, out *Outcome, end int64) {
	const day = int64(86_400e6)
	w := job.window
	horizon := int64(math.MinInt64)
	for _, st := range out.stats {
		if st.Latest != metrics.NoTime {
			horizon = max(horizon, st.Latest)
		}
	}
	if job.asOf != 0 {
		horizon = job.asOf
	}
	to, toWhat := end, "the window's end"
	switch {
	case horizon < end && job.asOf != 0:
		to, toWhat = horizon, "as_of "+isoMicro(horizon)
	case horizon < end:
		to, toWhat = horizon, "the other inputs' last row"
	case end < w.To:
		toWhat = "now"
	}
	from, fromWhat := w.From, "the window's start"
	if start, _ := fleetStart(out); start != math.MaxInt64 && start > from {
		from, fromWhat = start, "the fleet's first row"
	}
	for _, k := range spanKinds {
		st := statsOf(out, k.kind)
		if st == nil || st.Earliest == metrics.NoTime {
			continue
		}
		if (st.Latest < w.From || st.Earliest >= w.To) && othersInWindow(out, st, w) {
			// none of its rows in the window while another input's are:
			// whatever its rate, what it counts reads as none
			where := fmt.Sprintf("end %s, before the window's start %s", isoMicro(st.Latest), isoMicro(w.From))
			if st.Earliest >= w.To {
				where = fmt.Sprintf("start %s, after the window's end %s", isoMicro(st.Earliest), isoMicro(w.To))
			}
			what := k.what
			if k.outside != "" {
				what = k.outside
			}
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "the %s input's rows %s, while other inputs' rows reach into it: none of them counts in the window, so %s; export the window's rows; if there were none, nothing is wrong",
				k.kind, where, what)
			continue
		}
		if st.Latest <= st.Earliest || st.Latest <= w.From {
			continue
		}
		perDay := rowsPerDay(st)
		rate := fmt.Sprintf("%s rows a day from %s to %s", render.Number(perDay, 1), isoMicro(st.Earliest), isoMicro(st.Latest))
		// devices that all report weekly end up to a week short of the
		// others' last row by their own rhythm; rows in bursts (usage on
		// a few evenings) overstate what a quiet stretch should hold
		_, typical := st.Busy.Gaps()
		occupancy, _ := st.Busy.Occupancy()
		// or, for a fleet that reports at the same minute every day (a
		// burst or two a day, whose occupancy says little), its rows at
		// that time on the two days on the near side; every week, the
		// week on the near side (export.Busy.RhythmMiss)
		beyond := func(g export.Gap, days, weeks []int64) bool {
			gap := g.To - g.From
			if float64(gap) <= gapFactor*float64(typical) {
				return false
			}
			if !st.Busy.Tracked() || occupancy*float64(gap/export.BusyWidth) >= spanRows {
				return true
			}
			if daily, _ := st.Busy.RhythmMiss(g, days); daily >= spanRows {
				return true
			}
			weekly, _ := st.Busy.RhythmMiss(g, weeks)
			return weekly >= spanRows
		}
		if gap := to - st.Latest; gap > day && perDay*float64(gap)/float64(day) >= spanRows && beyond(export.Gap{From: st.Latest, To: to}, export.BeforeDays, export.BeforeWeeks) && !st.Busy.Rhythmic(st.Latest, to) {
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "the %s input's rows end %s, %s before %s, where their rate (%s) puts some %s more: %s; if the export was cut there (a time range, a retention limit), export up to the window's end; if it is whole, nothing is wrong",
				k.kind, isoMicro(st.Latest), days(float64(gap)/float64(day)), toWhat, rate, render.Number(perDay*float64(gap)/float64(day), 0), k.what)
		}
		if gap := st.Earliest - from; k.start && gap > day && perDay*float64(gap)/float64(day) >= spanRows && beyond(export.Gap{From: from, To: st.Earliest}, export.AfterDays, export.AfterWeeks) && !st.Busy.Rhythmic(from, st.Earliest) {
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "the %s input's rows start %s, %s after %s, where their rate (%s) puts some %s more: %s; if the export was cut there (a time range, a retention limit), export from the window's start; if they began then, nothing is wrong",
				k.kind, isoMicro(st.Earliest), days(float64(gap)/float64(day)), fromWhat, rate, render.Number(perDay*float64(gap)/float64(day), 0), k.what)
		}
	}
}

// fileGapWarnings says when the files of a many-file input (a delivery's
// hourly or daily objects, daily exports) leave a gap of more than a day
// inside the window between one file's last row and the next file's first,
// where the input's own rate puts at least spanRows rows: a file missing
// from the directory (a failed delivery, a part not copied) reads as a
// quiet day — counts over the window miss it, and each device's state
// before it holds through it. The largest gap is named, with how many
// there are. Files only: a table has no files.
func fileGapWarnings(job *Job, out *Outcome) (warned map[planfile.InputKind]bool) {
	const day = int64(86_400e6)
	w := job.window
	warned = map[planfile.InputKind]bool{}
	for _, k := range spanKinds {
		if st := statsOf(out, k.kind); st != nil && len(st.FileReads) >= 2 && st.Latest > st.Earliest {
			var files []export.FileRead
			for _, f := range st.FileReads {
				if f.Earliest != metrics.NoTime {
					files = append(files, f)
				}
			}
			slices.SortStableFunc(files, func(a, b export.FileRead) int { return cmp.Compare(a.Earliest, b.Earliest) })
			perDay := rowsPerDay(st)
			gaps, widest, before, after := 0, int64(0), export.FileRead{}, export.FileRead{}
			reach, last := int64(math.MinInt64), export.FileRead{}
			for _, f := range files {
				// the gap as far as it lies in the window
				from, to := max(reach, w.From), min(f.Earliest, w.To)
				if reach != math.MinInt64 && to-from > day && perDay*float64(to-from)/float64(day) >= spanRows {
					gaps++
					if to-from > widest {
						widest, before, after = to-from, last, f
					}
				}
				if f.Latest > reach {
					reach, last = f.Latest, f
				}
			}
			if gaps == 0 {
				continue
			}
			warned[k.kind] = true
			more := ""
			if gaps > 1 {
				more = fmt.Sprintf(" (the widest of %d such gaps)", gaps)
			}
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "the files of the %s input have no row from %s (the last of %s) to %s (the first of %s)%s, %s in the window, where their rate (%s rows a day) puts some %s: a file missing from the export (a failed delivery, a part not copied) reads as a quiet stretch — counts over the window miss it, and each device's state before it holds through it; add the missing files, or if nothing happened then, nothing is wrong",
				k.kind, isoMicro(before.Latest), filepath.Base(before.Path), isoMicro(after.Earliest), filepath.Base(after.Path), more, days(float64(widest)/float64(day)),
				render.Number(perDay, 1), render.Number(perDay*float64(widest)/float64(day), 0))
		}
	}
	return warned
}

// gapKinds are the inputs whose rows come around the clock, every day: a
// stretch of the window without a row between rows is one missing from
// the export. Tickets are not (a support desk closed at weekends).
var gapKinds = []planfile.InputKind{planfile.KindEvents, planfile.KindActivity, planfile.KindUsage, planfile.KindOnboarding}

// gapFactor: a stretch without rows is the export's, not the input's own
// rhythm, when it is more than this many times the input's typical
// spacing (export.Busy.Gaps) — devices that all report every 14 days have
// 14 days between their rows, and a report missing makes 28 — and the
// same stretch a day or a week away has rows (export.Busy.Rhythmic: a
// fleet switched off at weekends).
const gapFactor = 1.5

// dataGapWarnings says when an input has no row over a stretch of a day
// or more inside the window, between rows (found in export.BusyWidth
// stretches: a run of them at least a day less two long, so that any
// whole day missing is found), where its occupancy (the share of its
// stretches that hold rows: a burst counts once) would put rows in at
// least spanRows of the run's stretches — by chance none would, 2·10^−9 —,
// the stretch is more than gapFactor times its typical spacing and
// the same stretch a day or a week away has rows (export.Busy.Rhythmic):
// rows missing from the middle of an export (a pipeline's outage, a lost
// partition, rows deleted in a spreadsheet) read as a quiet stretch. Both
// engines: the file reader and the database source mark the stretches
// that hold rows alike. An input the file gap warning spoke of (warned)
// is not spoken of again.
func dataGapWarnings(out *Outcome, warned map[planfile.InputKind]bool) {
	const day = int64(86_400e6)
	for _, kind := range gapKinds {
		st := statsOf(out, kind)
		if st == nil || warned[kind] || st.Latest <= st.Earliest {
			continue
		}
		gaps, typical := st.Busy.Gaps()
		// at the window's ends too, where the input has rows beyond them
		gaps = append(gaps, st.Busy.EdgeGaps(st.Earliest < st.Busy.From, st.Latest >= st.Busy.To)...)
		occupancy, span := st.Busy.Occupancy()
		expect := func(g export.Gap) float64 { return occupancy * float64((g.To-g.From)/export.BusyWidth) }
		n, widest, why := 0, export.Gap{}, ""
		for _, g := range gaps {
			length := g.To - g.From
			if length < day-2*export.BusyWidth || float64(length) <= gapFactor*float64(typical) || st.Busy.Rhythmic(g.From, g.To) {
				continue
			}
			because := ""
			if e := expect(g); e >= spanRows {
				because = fmt.Sprintf("where its rows fall in %s of the %s 4.47-minute stretches from its first in the window to its last, which puts rows in some %s of this one's %s",
					render.Percent(occupancy, 1), render.Number(float64(span), 0), render.Number(e, 0), render.Number(float64(length/export.BusyWidth), 0))
			} else if rows, at, shifted := st.Busy.RhythmMissShifted(g, export.AroundDays); rows >= spanRows {
				// a fleet that reports at the same minute every day: a
				// burst or two a day, whose occupancy says little
				because = fmt.Sprintf("while the two days before it and the two after each have at least %s rows in the 13 minutes around %s UTC%s, the time of day it misses",
					render.Number(float64(rows), 0), time.UnixMicro(at+export.BusyWidth/2).UTC().Format("15:04"), hourOff(shifted))
			} else if rows, at, shifted := st.Busy.RhythmMissShifted(g, export.AroundWeeks); rows >= spanRows {
				// or at the same minute every week (a burst a week)
				because = fmt.Sprintf("while the week before it and the week after each have at least %s rows in the 13 minutes around %s UTC%s, the time of the week it misses",
					render.Number(float64(rows), 0), time.UnixMicro(at+export.BusyWidth/2).UTC().Format("Monday 15:04"), hourOff(shifted))
			}
			if because == "" {
				continue
			}
			n++
			if length > widest.To-widest.From {
				widest, why = g, because
			}
		}
		if n == 0 {
			continue
		}
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (the widest of %d such stretches)", n)
		}
		length := float64(widest.To-widest.From) / float64(day)
		// the stretch's ends to whole seconds, within it: no row between
		from, to := (widest.From+999_999)/1_000_000*1_000_000, widest.To/1_000_000*1_000_000
		out.Problems.Warnf(diag.Row, st.Path, 0, 0, "the %s input has no row from %s to %s%s, %s between its rows, %s: rows missing from the export (a pipeline's outage, a lost partition, rows deleted) read as a quiet stretch — counts over the window miss it, and each device's state before it holds through it; export those rows, or if nothing happened then (the whole fleet silent), nothing is wrong",
			kind, isoMicro(from), isoMicro(to), more, days(length), why)
	}
}

// hourOff words a rhythm whose copies were read an hour off on some days
// (export.Busy.RhythmMissShifted): the time named is theirs on the others.
func hourOff(shifted bool) string {
	if shifted {
		return " (an hour off that on some of them: daylight saving time began or ended)"
	}
	return ""
}

// rowsPerDay is an input's rows over its span, a day at a time (its rate:
// how many rows a stretch of its time should hold).
func rowsPerDay(st *export.Stats) float64 {
	return float64(st.Read) / (float64(st.Latest-st.Earliest) / 86_400e6)
}

// othersInWindow says whether an input other than st has rows that span
// into the window w (its earliest before w's end, its latest at or after
// its start).
func othersInWindow(out *Outcome, st *export.Stats, w metrics.Window) bool {
	for _, o := range out.stats {
		if o != st && o.Earliest != metrics.NoTime && o.Earliest < w.To && o.Latest >= w.From {
			return true
		}
	}
	return false
}

// days words a number of days to a tenth: "1 day", "2.5 days".
func days(n float64) string {
	if t := render.Number(n, 1); t != "1" {
		return t + " days"
	}
	return "1 day"
}

// fleetStart is the fleet's first row (events and activity) and its
// input's path; math.MaxInt64 without one.
func fleetStart(out *Outcome) (start int64, path string) {
	if start, path = export.FleetStart(out.stats); start == metrics.NoTime {
		return math.MaxInt64, ""
	}
	return start, path
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

// quoteList quotes the first n values, and says how many more there are.
func quoteList(v []string, n int) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = fmt.Sprintf("%q", clipID(s))
	}
	return render.Few(q, n, ", ")
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

// sparseWarning warns of the devices of a check-in profile that each
// missed at least 1/(g+1) of the check-ins P expects, over at least 10
// unreachable stretches (metrics.SparseCheckins), when the profile as a
// whole does not (checkinWarnings) and leaving them out would raise the
// profile's uptime by 0.1 points or more. A firmware whose heartbeat is
// longer than P on part of the fleet — a new interval rolling out, the
// canary wave of a feature such as the example's adaptive heartbeat —
// reads so: two of six LoRaWAN sensors checking in every 2 h instead of
// every 15 min took their profile from 96.4% to 66.5% without a word,
// since the profile's share of missed check-ins (37%) stayed below 40%.
// Both engines give the sums it reads.
func sparseWarning(out *Outcome, at diag.Diagnostic, p metrics.ProfileUptime, m metrics.Mode, events bool) {
	without, ok := sparseShare(p.ModeUptime)
	if !ok {
		return
	}
	sp := p.Sparse
	// reachable under a tenth of the time, with connection events: hubs
	// on mains that hold a connection for days between their events read
	// so when modelled as checking in
	held := ""
	if events && sp.ConnectedUS*10 < sp.ObservedUS {
		held = "; if instead they hold a connection between their events (a connect, then a disconnect hours or days later: a hub, a device on mains), they do not check in: give them a profile without checkin:"
		if sp.Devices == 1 {
			held = "; if instead it holds a connection between its events (a connect, then a disconnect hours or days later: a hub, a device on mains), it does not check in: give it a profile without checkin:"
		}
	}
	every := quantity.FormatDuration(float64(m.Every) / 1e6)
	each, them, their, they, do := "each ", "them", "their", "they", "do"
	if sp.Devices == 1 {
		each, them, their, they, do = "", "it", "its", "it", "does"
	}
	advice := fmt.Sprintf("firmware that checks in less often than every %s reads so (a longer heartbeat on part of the fleet, such as a planned variant with feature: shipped to some devices); give such devices a model of their own whose devices.yaml profile has the interval they run (the devices input's model column, metrics.models)", every)
	if sp.Early+sp.Settled == sp.Devices {
		// all of them so before a change to P: the profile is right now
		advice = fmt.Sprintf("if %s interval changed to every %s, the window's days before the change measure the old one against it: take a window from the change on (--from, metrics.from)", their, every)
	}
	out.Problems.Warnf(diag.Row, at.File, at.Line, at.Col, "%s: %s of its %s devices (e.g. %q) %smissed at least %s of the check-ins its interval in devices.yaml (every %s) expects, in %d or more unreachable stretches%s, and uptime counts %s down between %s check-ins (%s uptime %s; the profile's %s%s): %s; if %s %s check in every %s, %s lost that many check-ins (coverage, a gateway)%s",
		p.Profile, render.Number(float64(sp.Devices), 0), render.Number(float64(p.Devices), 0), clipID(sp.Example), each, render.Percent(float64(m.Every)/float64(m.Every+m.Reach()), 0), every, metrics.SparseMinStretches,
		partsPhrase(sp, out.report, every), them, their, their, render.Percent(float64(sp.ConnectedUS)/float64(sp.ObservedUS), 2), render.Percent(p.Value, 2), without, advice, they, do, every, they, held+dailyToo(p.ModeUptime, sp.Daily, sp.Devices, every))
}

// changedTo is what the profile-wide warning adds when the profile's
// devices missed few of their check-ins over the window's recent part
// (metrics.SettledCheckins over its sums). Their interval most likely changed to P inside the
// window, and the advice to set the profile's interval to the field's
// was the wrong one: the example's sensors hourly until Oct 25 and every
// 15 min after missed 47% of the month's check-ins and 2% of the last
// week's. "" otherwise.
func changedTo(p metrics.ProfileUptime, m metrics.Mode, r metrics.Report, every string) string {
	if !metrics.SettledCheckins(p.ObservedUS, p.Missed, p.RecentObservedUS, p.RecentMissed, m.Every, m.Reach()) {
		return ""
	}
	recent := p.RecentObservedUS / m.Every
	days, span := recentSpan(r)
	return fmt.Sprintf("; over the window's last %s days of data (%s) they missed only %s of the %s expected (%s): if their interval changed to every %s inside the window (a firmware rollout), it is the field's now, and the days before the change measure the old one against it: take a window from the change on (--from, metrics.from) rather than another interval",
		days, span, render.Number(float64(p.RecentMissed), 0), render.Number(float64(recent), 0), render.Percent(float64(p.RecentMissed)/float64(recent), 1), every)
}

// partOf words n devices of total ones as a warning's subject: "3 of
// them were", "they were", "1 of them was", "it was" (who, was), and
// their pronoun and present tense after (they, are).
func partOf(n, total int) (who, was, they, are string) {
	who, was, they, are = render.Number(float64(n), 0)+" of them", "were", "they", "are"
	if n == 1 {
		was, they, are = "was", "it", "is"
	}
	if n == total {
		who = they
	}
	return who, was, they, are
}

// dailyToo is what a warning of devices that miss check-ins (or of a
// whole profile's) adds when n of its total devices were also down at one
// time of day, day after day (metrics.SparseUptime.Daily) and m's daily
// warning is given (dailyFiguresOf): sensors with no check-in from 01:00
// to 10:00 each day and checking in hourly the rest of it miss 42% of
// their check-ins, and the advice to give them a longer interval was the wrong
// one — a profile every 12h would count the hours they are silent as
// reachable. "" otherwise.
func dailyToo(m metrics.ModeUptime, n, total int, every string) string {
	if _, warned := dailyFiguresOf(m); n == 0 || !warned {
		return ""
	}
	who, was, they, are := partOf(n, total)
	check := "check"
	if n == 1 {
		check = "checks"
	}
	return fmt.Sprintf("; %s %s also unreachable at one time of day, day after day (the other warning at this line): if so because %s %s silent for hours each day and %s in every %s the rest of it, those hours are the cause, not the interval, and a longer interval would count them as reachable", who, was, they, are, check, every)
}

// sparseAmong is what the profile-wide warning adds when some of the
// profile's devices, not all, are sparse and leaving them out raises its
// uptime by 0.1 points or more: the profile's interval may be right for
// the others, and those few run a longer one (the fleet's share of
// missed check-ins crossed 1/(g+1) with a gap of a day on every device
// and two sensors on a 2 h heartbeat: the advice to change the profile's
// interval was the wrong one for four sensors of six). "" otherwise.
func sparseAmong(p metrics.ProfileUptime, r metrics.Report, every string) string {
	sp := p.Sparse
	without, ok := sparseShare(p.ModeUptime)
	if !ok || without == "" {
		return ""
	}
	each, their, check, them := "each ", "their", "they check", "them"
	if sp.Devices == 1 {
		each, their, check, them = "", "its", "it checks", "it"
	}
	return fmt.Sprintf("; %s of its %s devices (e.g. %q) %smissed at least that share in %d or more unreachable stretches%s (%s uptime %s; the profile's %s%s): if only %s in less often, give %s a model of %s own whose profile has %s interval, and keep this one",
		render.Number(float64(sp.Devices), 0), render.Number(float64(p.Devices), 0), clipID(sp.Example), each, metrics.SparseMinStretches,
		partsPhrase(sp, r, every), their, render.Percent(float64(sp.ConnectedUS)/float64(sp.ObservedUS), 2), render.Percent(p.Value, 2), without, check, them, their, their)
}

// partsPhrase says which of the sparse devices sp are so over the
// window's recent part alone (metrics.Window.RecentFrom: its last 7 days
// that the data reaches), not over all of it: their interval changed
// inside the window, as a firmware rollout that lengthens the heartbeat
// changes it. A week of a month at four times the interval misses under
// a quarter of the month's check-ins, under the 40% the window's sums are
// held to, and the profile's uptime fell without a word. It says too
// which are so over the window's early part alone (metrics.Window.EarlyTo:
// the first half of its data), the other way round: a heartbeat
// shortened to the profile's P inside the window, whose days before
// count the old interval's gaps as down. "" when there are none.
func partsPhrase(sp metrics.SparseUptime, r metrics.Report, every string) string {
	var alone []string
	all := ""
	if sp.Recent > 0 {
		days, span := recentSpan(r)
		const why = "an interval that changed inside the window, as a firmware rollout changes it, or losses that grew"
		if sp.Recent == sp.Devices {
			all = fmt.Sprintf(" over the window's last %s days of data (%s; not over all of it: %s)", days, span, why)
		}
		alone = append(alone, fmt.Sprintf("%s of them over the window's last %s days of data alone, %s: %s", render.Number(float64(sp.Recent), 0), days, span, why))
	}
	if sp.Early > 0 {
		span := spanOf(r.Window.From, r.Window.EarlyTo(r.Horizon))
		why := fmt.Sprintf("an interval that changed to every %s inside the window, as a firmware rollout changes it, or losses that fell", every)
		if sp.Early == sp.Devices {
			all = fmt.Sprintf(" over the window's first half of data (%s; not over all of it nor its last 7 days: %s)", span, why)
		}
		alone = append(alone, fmt.Sprintf("%s of them over the window's first half of data alone, %s: %s; the days before such a change measure the old interval against this one, and a window from the change on does not", render.Number(float64(sp.Early), 0), span, why))
	}
	if sp.Settled > 0 {
		days, span := recentSpan(r)
		why := fmt.Sprintf("an interval that changed to every %s inside the window, as a firmware rollout changes it, or losses that fell", every)
		if sp.Settled == sp.Devices {
			_, _, they, _ := partOf(sp.Settled, sp.Devices)
			all = fmt.Sprintf(" over the window, not over its last %s days of data (%s), where %s missed few: %s", days, span, they, why)
		}
		alone = append(alone, fmt.Sprintf("%s of them missed few over the window's last %s days of data, %s: %s; the days before such a change measure the old interval against this one, and a window from the change on does not", render.Number(float64(sp.Settled), 0), days, span, why))
	}
	if all != "" || len(alone) == 0 {
		return all
	}
	return " (" + strings.Join(alone, "; ") + ")"
}

// recentSpan is the length of the window's recent part in days and its
// dates (metrics.Window.RecentFrom, to min(W's end, H)).
func recentSpan(r metrics.Report) (days, span string) {
	from, to := r.Window.RecentFrom(r.Horizon), r.Window.DataEnd(r.Horizon)
	return render.Number(float64(to-from)/86_400e6, 1), spanOf(from, to)
}

// spanOf writes [from, to) as its dates ("2026-10-01 to 2026-10-16"), or
// its times where one is not a midnight.
func spanOf(from, to int64) string {
	day := func(us int64) string {
		if t := time.UnixMicro(us).UTC(); t.Equal(t.Truncate(24 * time.Hour)) {
			return t.Format(time.DateOnly)
		}
		return isoMicro(us)
	}
	return day(from) + " to " + day(to)
}

// frequentWarning warns of a check-in profile whose devices checked in at
// least twice as often as its interval expects over their observed time
// (Checkins ≥ 2·⌊observed / P⌋, with 20 expected): uptime does not mind
// (a check-in sooner only keeps the device reachable), but the interval
// is the battery's too when it is a wake event's (checkin: {event:
// heartbeat}), and iotpm battery then computes the life of a device that
// wakes less often than the fleet's does. The example's LoRaWAN sensors
// modelled with an hourly heartbeat while they send every 15 min read
// 100% uptime and a battery life of the hourly heartbeat, without a word.
// Several messages a wake (a data and a status uplink) read so too, and
// each costs the radio's energy. Both engines give the sums it reads.
func frequentWarning(out *Outcome, at diag.Diagnostic, p metrics.ProfileUptime, expected int64, every, event string, sends bool) {
	if expected < metrics.SparseMinExpected || int64(p.Checkins) < 2*expected {
		return
	}
	battery := eventUses(p.Profile, event, every, sends, "low")
	out.Problems.Warnf(diag.Row, at.File, at.Line, at.Col, "%s: its devices checked in %s times over their observed time in the window, %s times the %s its interval in devices.yaml (every %s) expects: every %s on average. Uptime is not affected (a check-in sooner only keeps a device reachable), but %s: if the firmware wakes that often, give the profile the field's interval (a planned one belongs in a variant with feature:); if each wake sends several messages (a data and a status uplink, a retry), each costs the radio's energy too: give the event a phase for each",
		p.Profile, render.Number(float64(p.Checkins), 0), render.Number(float64(p.Checkins)/float64(expected), 1), render.Number(float64(expected), 0), every,
		render.Seconds(float64(p.ObservedUS)/float64(p.Checkins)/1e6), battery)
}

// longIntervalWarning warns of a check-in profile whose devices check in
// at an interval at least LongIntervalFactor times its P
// (metrics.CheckinInterval), with 20 check-ins expected, when the
// profile as a whole is not warned of as missing 1/(g+1) of them: a
// field interval F between P and g·P misses under that share. The
// example's sensors (every 15 min) with devices.yaml's heartbeat set to
// a planned 10 min read 94.11%, 5,086 check-ins missed (the ones that
// came past 15 min by a few seconds) and the check-in gate failed, while
// the battery's life was computed every 10 min, without a word of why.
// Both engines give the sums it reads.
func longIntervalWarning(out *Outcome, at diag.Diagnostic, p metrics.ProfileUptime, m metrics.Mode, expected int64, every, event string, sends bool) {
	f, ok := metrics.CheckinInterval(p.ModeUptime, m.Reach())
	if !ok || expected < metrics.SparseMinExpected || f < metrics.LongIntervalFactor*float64(m.Every) {
		return
	}
	battery := eventUses(p.Profile, event, every, sends, "high")
	missed := ""
	if p.Missed > 0 {
		missed = fmt.Sprintf(" (the ones further apart count as down: %s missed, %s of the %s expected)",
			render.Number(float64(p.Missed), 0), render.Percent(float64(p.Missed)/float64(expected), 1), render.Number(float64(expected), 0))
	}
	out.Problems.Warnf(diag.Row, at.File, at.Line, at.Col, "%s: its devices check in about every %s, %s times its interval in devices.yaml (every %s): the mean reachable time of a check-in not followed by an unreachable stretch, which is about %s for devices that check in every %s however many check-ins they lose. Uptime counts check-ins up to %g × %s apart as on time, so it hides most of this%s, and %s: if the firmware in the field checks in that seldom, give the profile the field's interval (a planned one belongs in a variant with feature:)",
		p.Profile, render.Seconds(math.Round(f/1e6)), render.Number(f/float64(m.Every), 2), every, every, every, m.Grace, every, missed, battery)
}

// eventUses says what else reads a profile's check-in interval when the
// field's differs from it: iotpm battery the life, with the check-in
// event's every, and, when the event sends a message each wake, iotpm
// economics its messages and megabytes (with the roadmap's scheduled
// features shipped: a variant that replaces the event counts instead) —
// a data plan or a cloud priced per message or per MB then reads low
// (way) when the field checks in more often, high when less.
func eventUses(profile, event, every string, sends bool, way string) string {
	if event == "" {
		return "devices.yaml's checkin: every is not the interval the field runs"
	}
	uses := fmt.Sprintf("iotpm battery computes %s's life with its %s event every %s", profile, event, every)
	if sends {
		uses += fmt.Sprintf(", and iotpm economics counts its messages and megabytes at that interval where no scheduled variant replaces it (what a price per message or per MB comes to reads %s)", way)
	}
	return uses
}

// dailyWarning warns of a check-in profile's devices unreachable at one
// time of day, day after day (metrics.DailyDown), when leaving them out
// raises the profile's uptime by 0.1 points or more: the profile's
// interval holds around the clock, so quiet hours in the firmware or a
// gateway off at night count as down time every day. The example's six
// LoRaWAN sensors silent from 00:00 to 05:00 UTC each day took drip-lora
// from 96.36% to 77.73% and the check-in gate to a failure; only one
// sensor, whose last week's losses crossed 40%, was warned of, as sparse.
// Both engines give the sums it reads.
func dailyWarning(out *Outcome, at diag.Diagnostic, p metrics.ProfileUptime, every string) {
	f, ok := dailyFiguresOf(p.ModeUptime)
	if !ok {
		return
	}
	out.Problems.Warnf(diag.Row, at.File, at.Line, at.Col, "%s: %s of its %s devices (e.g. %q) %s unreachable at one time of day, day after day: %d or more stretches%s longer than the interval (every %s), %s on average, that begin around %s UTC (%s uptime %s; the profile's %s%s); devices.yaml's checkin: expects a check-in every %s around the clock, so quiet hours in the firmware, or a gateway or network that stops at that hour (solar power, nightly maintenance), count as down time each day; if %s then by design, the profile's uptime and its gate measure that schedule; if not, look at what stops at that hour",
		p.Profile, f.devices, render.Number(float64(p.Devices), 0), f.example, f.were, metrics.DailyMinStretches, f.each, every, f.length,
		f.begins, f.their, f.uptime, render.Percent(p.Value, 2), f.without, every, f.they+" "+f.sleep)
}

// dailyFigures are what the warnings of devices down at one time of day
// say of them (metrics.ModeUptime.Daily), in words of their number.
type dailyFigures struct {
	devices, example, uptime, without, begins, length string
	each, their, were, they, sleep                    string
}

// dailyFiguresOf gives the figures of m's devices down at one time of
// day, when they are worth a warning (shareWithout).
func dailyFiguresOf(m metrics.ModeUptime) (dailyFigures, bool) {
	dl := m.Daily
	without, ok := shareWithout(m, dl.SparseUptime)
	if !ok {
		return dailyFigures{}, false
	}
	turn := math.Atan2(dl.Sin, dl.Cos) / (2 * math.Pi) // the direction of the weighted start angles
	minutes := int(math.Round((turn-math.Floor(turn))*1440)) % 1440
	f := dailyFigures{devices: render.Number(float64(dl.Devices), 0), example: clipID(dl.Example),
		uptime: render.Percent(float64(dl.ConnectedUS)/float64(dl.ObservedUS), 2), without: without,
		begins: fmt.Sprintf("%02d:%02d", minutes/60, minutes%60),
		// the mean length, to the minute (not the weights, which
		// metrics.DailyDown caps at 12 h: off 14 h a day read 12h)
		length: render.Seconds(math.Round(float64(dl.Length)/float64(max(dl.Stretches, 1))/60e6) * 60),
		each:   " each", their: "their", were: "were", they: "they", sleep: "sleep"}
	if dl.Devices == 1 {
		f.each, f.their, f.were, f.they, f.sleep = "", "its", "was", "it", "sleeps"
	}
	return f, true
}

// alwaysDailyWarning warns of the devices counted as always connected that
// were disconnected at one time of day, day after day (metrics.DailyDown,
// stretches over 15 min), when leaving them out raises the mode's uptime
// by 0.1 points or more: a device on a switched outlet or a timer, behind
// a router that restarts at night, or a battery device that sleeps at
// night counted as always connected. Three of the example's first-batch
// units connected from 06:00 to 22:00 each day read 66.67% while the
// intermittent rule (less than half connected) did not see them. Both engines give the
// sums it reads.
func alwaysDailyWarning(out *Outcome) {
	u := out.report.Uptime
	f, ok := dailyFiguresOf(u.Always)
	if !ok {
		return
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindEvents), 0, 0, "%s of the %s devices counted as always connected (e.g. %q) %s disconnected at one time of day, day after day: %d or more stretches%s over 15m, %s on average, that begin around %s UTC (%s uptime %s; always connected: %s%s); uptime counts every such hour as down: a schedule reads so — a switched outlet or a timer, a router that restarts at night, or a battery device that sleeps then, counted as always connected (give it its profile with checkin:); if %s %s meant to stay connected, look at what stops at that hour",
		f.devices, render.Number(float64(u.Always.Devices), 0), f.example, f.were, metrics.DailyMinStretches, f.each, f.length, f.begins,
		f.their, f.uptime, render.Percent(u.Always.Value, 2), f.without, f.they, f.were)
}

// sparseShare says whether the sparse devices of m (ModeUptime.Sparse)
// are worth a warning — there are some, and leaving them out raises m's
// uptime by 0.1 points or more (or they are all of m) — and gives the
// uptime without them (", 95.25% without them"; "" when they are all).
func sparseShare(m metrics.ModeUptime) (without string, ok bool) {
	return shareWithout(m, m.Sparse)
}

// shareWithout is sparseShare for any part sp of m's devices.
func shareWithout(m metrics.ModeUptime, sp metrics.SparseUptime) (without string, ok bool) {
	switch {
	case sp.Devices == 0:
		return "", false
	case sp.ObservedUS >= m.ObservedUS:
		return "", true
	}
	w := float64(m.ConnectedUS-sp.ConnectedUS) / float64(m.ObservedUS-sp.ObservedUS)
	if w-m.Value < 0.001 {
		return "", false
	}
	return fmt.Sprintf(", %s without them", render.Percent(w, 2)), true
}

// intermittentWarning warns of the devices counted as always connected
// that each were connected less than half of their observed time, in at
// least 10 pieces after a disconnect (metrics.Intermittent), when the
// mode as a whole is not (sleepWarning) and leaving them out raises its
// uptime by 0.1 points or more. A few battery devices among mains ones
// read so — three of the example's Wi-Fi valves, which connect for 0.8 s
// each hour, without a model value beside metrics.unmodelled: always took
// the always-connected uptime from 98.55% to 97.32% and failed its gate
// without a word. Both engines give the sums it reads.
func intermittentWarning(out *Outcome) {
	u := out.report.Uptime
	without, ok := sparseShare(u.Always)
	if !ok {
		return
	}
	sp := u.Always.Sparse
	were, their, they := "were each", "their", "they were"
	if sp.Devices == 1 {
		were, their, they = "was", "its", "it was"
	}
	// devices so over the window's recent part alone: since a change
	recent := ""
	if sp.Recent > 0 {
		days, span := recentSpan(out.report)
		who := render.Number(float64(sp.Recent), 0) + " of them were"
		switch {
		case sp.Recent == sp.Devices && sp.Devices == 1:
			who = "it was"
		case sp.Recent == sp.Devices:
			who = "they were"
		}
		recent = fmt.Sprintf("; %s so over the window's last %s days of data alone (%s), not over all of it: a change inside the window, as a firmware release that drops the connection, or a network that got worse", who, days, span)
	}
	// so over the early part alone: the other way round
	if sp.Early > 0 {
		who, was, _, _ := partOf(sp.Early, sp.Devices)
		recent += fmt.Sprintf("; %s %s so over the window's first half of data alone (%s), not over all of it nor its last 7 days: a change inside the window, as a firmware release that stopped the drops, or a network that got better (a window from the change on measures the devices as they are)",
			who, was, spanOf(out.report.Window.From, out.report.Window.EarlyTo(out.report.Horizon)))
	}
	// devices also off at one time of day: a timer, not a check-in
	if _, warned := dailyFiguresOf(u.Always); sp.Daily > 0 && warned {
		who, was, they, are := partOf(sp.Daily, sp.Devices)
		recent += fmt.Sprintf("; %s %s also disconnected at one time of day, day after day (the other warning at this input): if so because %s %s off for hours each day (a timer, a router that restarts at night) and connected the rest of it, those hours are the cause, and a check-in profile would count them as reachable after each connect", who, was, they, are)
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindEvents), 0, 0, "%s of the %s devices counted as always connected (e.g. %q) %s connected less than half of %s observed time, in %d or more pieces after a disconnect (%s uptime %s; always connected: %s%s): a device that sleeps by design and connects to report reads so: give such devices their check-in profile in the devices input's model column (a devices.yaml profile with checkin:, or a value metrics.models maps to one); if %s meant to stay connected, %s down that much%s",
		render.Number(float64(sp.Devices), 0), render.Number(float64(u.Always.Devices), 0), clipID(sp.Example), were, their, metrics.SparseMinStretches,
		their, render.Percent(float64(sp.ConnectedUS)/float64(sp.ObservedUS), 2), render.Percent(u.Always.Value, 2), without, they, they, recent)
}

// customerSparseWarning warns of the customers whose health band its
// sparse devices decide (metrics.CustomerHealth.Sparse: checking in less
// often than their profile says, or connected only briefly while counted
// as always connected): scored without them, the customer would be in
// another band. A customer's few devices can turn it red while the
// fleet's and the profile's uptime hardly move (the warnings above need
// 0.1 points of those), and a red customer is a call a customer success
// manager makes. Both engines give the sums it reads.
func customerSparseWarning(job *Job, out *Outcome) {
	var names []string
	// of their devices, those also down at one time of day, those so
	// over a part of the window alone
	daily, part := 0, 0
	for _, c := range out.report.Customers {
		score, band, ok := job.health.WithoutSparse(c)
		if !ok || band == c.Band {
			continue
		}
		sp := c.Sparse
		daily += sp.Daily
		part += sp.Recent + sp.Early
		eg := "e.g. "
		if sp.Devices == 1 {
			eg = ""
		}
		if band == "none" {
			// all of its observed time theirs, and no other component
			them := "them"
			if sp.Devices == 1 {
				them = "it"
			}
			names = append(names, fmt.Sprintf("%q is %s (%s) on %s alone (%s%q), unscored without %s", c.Customer, c.Band, render.Number(c.Score, 1), render.Plural(sp.Devices, "such device"), eg, clipID(sp.Example), them))
			continue
		}
		names = append(names, fmt.Sprintf("%q is %s (%s), %s (%s) without %s (%s%q)", c.Customer, c.Band, render.Number(c.Score, 1), band, render.Number(score, 1), render.Plural(sp.Devices, "such device"), eg, clipID(sp.Example)))
	}
	if len(names) == 0 {
		return
	}
	also := ""
	if part > 0 {
		_, was, _, _ := partOf(part, 0)
		also = fmt.Sprintf("; %s of those devices %s so over a part of the window alone (its first half or its last 7 days of data): an interval or a connection that changed inside the window", render.Number(float64(part), 0), was)
	}
	if daily > 0 {
		_, was, _, _ := partOf(daily, 0)
		also += fmt.Sprintf("; %s of those devices %s also unreachable at one time of day, day after day: if so because they are silent or off for hours each day, those hours are the cause, not their profile", render.Number(float64(daily), 0), was)
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "customer health: the band of %s is decided by devices that check in less often than their devices.yaml profile says, or that are counted as always connected but connect only briefly: %s; give those devices their profile (the devices input's model column, metrics.models); if they do run as modelled, they were unreachable that much%s",
		render.Plural(len(names), "customer"), render.Few(names, 3, "; "), also)
}

// sleepWarning warns when the devices counted as always connected (at
// least 10) were connected less than half of their observed time: a
// battery device that connects, reports and disconnects reads so, and
// uptime counts its sleep as down time until its profile says it checks
// in. A fleet meant to stay connected that was offline most of the
// window is worth the same line. Both engines give the sums it reads.
func sleepWarning(out *Outcome) {
	u := out.report.Uptime
	if u == nil {
		return
	}
	alwaysDailyWarning(out)
	if u.Always.Devices < 10 || u.Always.ConnectedUS*2 >= u.Always.ObservedUS {
		intermittentWarning(out)
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

// noDisconnectWarning warns when the always-connected devices with
// observed time have not one disconnect among their events that count:
// each is then connected from its first connect to the end, and uptime
// reads 100% — what an export of connects alone (a rule or a query that
// keeps one event type) gives whatever the fleet did. Both engines give
// the count it reads.
func noDisconnectWarning(out *Outcome) {
	u := out.report.Uptime
	if u == nil || u.Always.Devices == 0 || u.Disconnects > 0 {
		return
	}
	who := render.Number(float64(u.Always.Devices), 0) + " devices counted as always connected have no disconnect among their events: each is connected from its first connect to the end, so their"
	if u.Always.Devices == 1 {
		who = "1 device counted as always connected has no disconnect among its events: it is connected from its first connect to the end, so its"
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindEvents), 0, 0, "%s uptime reads %s; if the export leaves disconnects out (a rule, query or filter that keeps connects alone), export them too; if the devices did stay connected, nothing is wrong",
		who, render.Percent(u.Always.Value, 1))
}

// singleEventWarning says when nearly every device id of the events has
// one event: a device's connection events repeat (a connect and its
// disconnect, again and again), so a column of ids each on one row names
// rows — a message or event id — not devices, and each counts as a device
// of its own: monthly active devices as high as the rows, uptime from one
// event each. Nine in ten of at least 100 ids, over events spanning a
// week or more (a day's export of loggers that connect daily has one
// each). Both engines give the counts it reads.
func singleEventWarning(out *Outcome) {
	u, st := out.report.Uptime, statsOf(out, planfile.KindEvents)
	if u == nil || !mostlySingle(st, u.EventDevices, u.SingleEventDevices) {
		return
	}
	out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the %s device ids of events (column %s) have one event each over %s days: a device's connection events repeat, so the column may name rows (a message or event id), not devices, and each counts as a device of its own (monthly active devices, uptime); else name the column: --map events.device_id=COLUMN (or map: on the input in iotpm.yaml). A snapshot of each device's state (AWS fleet indexing's connectivity, a last-seen list) is not a history of its connections: uptime needs the events. If the ids are devices and the events their history, nothing is wrong",
		render.Number(float64(u.SingleEventDevices), 0), render.Number(float64(u.EventDevices), 0), st.Columns["device_id"], render.Number(float64(st.Latest-st.Earliest)/86_400e6, 0))
}

// singleActivityWarning says when nearly every device id of the activity
// rows has one row: a device is heard again and again, so one row an id
// is a last-seen list (Particle's last_heard, a registry's
// lastActivityTime), not a history. Monthly active devices then count the
// devices last heard in the window, not those heard in it, and a device
// that checks in has one check-in. The events' thresholds (nine in ten of
// at least 100 ids, rows spanning a week or more); both engines give the
// counts.
func singleActivityWarning(out *Outcome) {
	u, st := out.report.Uptime, statsOf(out, planfile.KindActivity)
	if u == nil || !mostlySingle(st, u.ActivityDevices, u.SingleActivityDevices) {
		return
	}
	out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the %s device ids of activity (column %s) have one row each over %s: activity is a row each time a device is heard, so one row a device is a last-seen list (a last_heard or lastActivityTime column), not a history: monthly active devices count the devices last heard in the window rather than those heard in it, and a device that checks in has one check-in; export the messages or uplinks themselves; if the column names rows rather than devices, name it: --map activity.device_id=COLUMN; if each device was heard once, nothing is wrong",
		render.Number(float64(u.SingleActivityDevices), 0), render.Number(float64(u.ActivityDevices), 0), st.Columns["device_id"], days(float64(st.Latest-st.Earliest)/86_400e6))
}

// mostlySingle says whether nine in ten of at least 100 ids of an input
// have one row each, over rows spanning a week or more (a day's export of
// loggers that connect daily has one each).
func mostlySingle(st *export.Stats, ids, single int) bool {
	return st != nil && ids >= 100 && single*10 >= ids*9 && st.Earliest != metrics.NoTime && st.Latest-st.Earliest >= 7*86_400e6
}

// statsOf is the stats of the input of kind k, nil when not read.
func statsOf(out *Outcome, k planfile.InputKind) *export.Stats {
	for _, st := range out.stats {
		if st.Kind == k {
			return st
		}
	}
	return nil
}

// rowCapWarnings warns of an export file whose row count is a cap
// rather than the data's: a spreadsheet keeps at most 1,048,576 rows
// (an .xls workbook 65,536), the header one of them, and drops the rest
// of a longer export unasked; a query's LIMIT or a console's export cap
// leaves a round number (30,000, 50,000, 500,000; not taken for a cap
// in the devices export, as fleets ship in round lots). Either way every
// count from the input reads low, and the dropped rows are most often the
// latest or the earliest. A round count can be the data's own: the
// warning says so. Files only: a table holds what it holds. An input of
// many files is checked file by file — parts exported one at a time are
// cut one at a time, and two capped parts of three need not sum to a
// round number — and as a whole (a LIMIT over the query whose result was
// written in parts), at most maxCapWarnings files named.
func rowCapWarnings(out *Outcome, files []*export.Stats) {
	for _, st := range files {
		round := st.Kind != planfile.KindDevices
		warned := 0
		for _, f := range st.FileReads {
			limit, fix := rowCap(f.Read, round)
			if limit == "" {
				continue
			}
			if warned++; warned <= maxCapWarnings {
				out.Problems.Warnf(diag.Row, f.Path, 0, 0, "%s rows, %s: the rows past it were likely dropped, and every count from %s reads low; %s; if this is all of the file's data, nothing is wrong",
					render.Number(float64(f.Read), 0), limit, st.Path, fix)
			}
		}
		if warned > maxCapWarnings {
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%d more files of it have as many rows as a cap leaves", warned-maxCapWarnings)
		}
		if limit, fix := rowCap(st.Read, round); limit != "" && warned == 0 {
			out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s rows, %s: the rows past it were likely dropped, and every count from this input reads low; %s; if this is all of the data, nothing is wrong",
				render.Number(float64(st.Read), 0), limit, fix)
		}
	}
}

// copyWarnings names the files of an input left out as copies of
// another (export.Ingest leaves them out: read twice, every ticket,
// usage day and setup attempt in them would count twice), at most
// maxCapWarnings of them.
func copyWarnings(out *Outcome, files []*export.Stats) {
	for _, st := range files {
		for i, c := range st.CopyFiles {
			if i == maxCapWarnings {
				out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%d more files of it are copies of others, left out", len(st.CopyFiles)-i)
				break
			}
			out.Problems.Warnf(diag.Row, c.Path, 0, 0, "has the same bytes as %s, so it is left out: read twice, its rows would count twice (a second download of one export?); keep one of the two files", c.Of)
		}
	}
}

// fileStats are the accounting of the inputs read from files: every
// input, or with a database source the app's onboarding export beside its
// tables.
func fileStats(job *Job, out *Outcome) []*export.Stats {
	var files []*export.Stats
	for _, st := range out.stats {
		if _, ok := job.inputs[st.Kind]; ok {
			files = append(files, st)
		}
	}
	return files
}

// maxCapWarnings bounds the files of one input named as cut at a cap.
const maxCapWarnings = 5

// rowCap says which row limit a file of n data rows (a header besides)
// has reached, and what to do; "" when none. round: a round count is
// taken for a cap (not for the devices, which are shipped in round lots).
func rowCap(n int, round bool) (limit, fix string) {
	const resave = "export the data again and read the file as exported, not as a spreadsheet saved it"
	switch n + 1 {
	case 1 << 20:
		return "1,048,576 with the header: the most rows an Excel sheet holds, so a spreadsheet that opened a longer export kept these", resave
	case 1 << 16:
		return "65,536 with the header: the most rows an .xls sheet holds, so a spreadsheet that opened a longer export kept these", resave
	}
	if !round || n < 10_000 {
		return "", ""
	}
	m := n
	for m%10 == 0 {
		m /= 10
	}
	if m >= 100 {
		return "", ""
	}
	return "a round number, as a query's LIMIT or a console's export cap leaves", "export the data again whole (in parts by time, where the platform caps an export)"
}

// statusWarning says when the devices input's status column (which iotpm
// does not read) says some units are out of service and gives no
// retirement date: they count as in service — in the activation cohort,
// and as never activated or down in uptime — so a registry's disabled or
// decommissioned units pull both down while looking like the fleet's.
func statusWarning(out *Outcome) {
	for _, st := range out.stats {
		if st.Kind != planfile.KindDevices || st.Status.Rows == 0 {
			continue
		}
		out.Problems.Warnf(diag.Row, st.Path, 0, 0, "%s of the devices input say in column %q that the unit is out of service (e.g. %q), with no retirement date: iotpm reads no status, so they count as in service — in the activation cohort when shipped in the window, and in uptime as never activated or down; give each its retirement date in a retired_at column (or map: {retired_at: COLUMN}), or leave them out of the export; if the status means something else (not connected now), nothing is wrong",
			render.Plural(st.Status.Rows, "row"), st.Status.Column, clipID(st.Status.Example))
	}
}

// mostOf reports whether n of some units are at least 10 and more than
// half of all: the rule of the shipping warnings, for the fleet and for
// each ship month.
func mostOf(n, all int) bool { return n >= 10 && 2*n > all }

// cohortShippingWarning warns of the ship months in which most activated
// units (at least 10) were activated within an hour of their shipped_at,
// when the fleet as a whole is not (shippingWarning): a month whose
// shipped_at came from the factory (a registry's creation date, a batch
// imported another way) reads near 100%. The example's October units
// given their first connect less 10 minutes as shipped_at read 100% (21
// of 21) against 87.5%, and passed the activation gate, with no word.
// Both engines give the counts it reads.
func cohortShippingWarning(out *Outcome, column string) {
	a := out.report.Activation
	var months []string
	// most of at least 10 activated units activated within the hour
	factory := func(c metrics.Cohort) bool { return mostOf(c.AtShipping, c.Activated) }
	for _, c := range a.ByMonth {
		if factory(c) {
			months = append(months, fmt.Sprintf("%s (%s of %s)", c.Label, render.Number(float64(c.AtShipping), 0), render.Number(float64(c.Activated), 0)))
		}
	}
	if len(months) == 0 {
		return
	}
	window := factory(a.Cohort)
	month, rate := "ship month", "the month's activation rate counts"
	if len(months) > 1 {
		month, rate = "ship months", "those months' activation rates count"
	}
	if window {
		rate += " the end-of-line test, the window's rate too"
	} else {
		rate += " the end-of-line test"
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "most activated units of %s %s were activated (a connect or an activity row) within an hour of their shipped_at (column %s): units reach customers days after they ship, so these shipped_at values look like the factory's provisioning or test time (a registry's creation date), and %s; map shipped_at to the date units leave the warehouse or are sold, for every unit",
		month, render.Few(months, 3, ", "), column, rate)
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
	column := "shipped_at"
	for _, st := range out.stats {
		if c := st.Columns["shipped_at"]; st.Kind == planfile.KindDevices && c != "" {
			column = c
		}
	}
	if !mostOf(a.AtShipping, activated) {
		cohortShippingWarning(out, column)
		return
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s of the %s activated devices were activated (a connect or an activity row) within an hour of their shipped_at (column %s): units reach customers days after they ship, so these times look like the factory's provisioning or test (a registry's creation date), and the activation rate counts the end-of-line test; map shipped_at to the date units leave the warehouse or are sold",
		render.Number(float64(a.AtShipping), 0), render.Number(float64(activated), 0), column)
}

// afterHorizonWarning says when devices of the window's activation cohort
// were shipped after the data's horizon H (the fleet's last row, or
// as_of): no row can show them activated, so the rate counts them as not
// — a devices export newer than the fleet's rows, or shipments planned
// ahead — when they are at least 1% of the cohort (a devices export
// pulled minutes after the events holds a unit or two shipped between:
// not worth a word). The cohort is immature then too, which its note
// says; this says by how much it is held down. Both engines give the
// count it reads.
func afterHorizonWarning(out *Outcome) {
	a := out.report.Activation
	if a == nil || a.AfterHorizon == 0 || a.AfterHorizon*100 < a.Shipped {
		return
	}
	without := "no unit shipped before it"
	if before := a.Shipped - a.AfterHorizon; before > 0 {
		without = render.Percent(float64(a.Activated)/float64(before), 1) + " of those shipped before it"
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s of the %s units shipped in the window have a shipped_at after the data's horizon %s: no row can show them activated, so the activation rate counts them as not (it reads %s; %s); if the devices export is newer than the fleet's rows, export those to the same day; if these are shipments planned ahead, nothing is wrong but the rate, which grows as they ship and connect",
		render.Number(float64(a.AfterHorizon), 0), render.Number(float64(a.Shipped), 0), isoMicro(out.report.Horizon), render.Percent(a.Rate, 1), without)
}

// beforeDataWarning says when units were shipped more than the
// activation window before the fleet's data start F (its first events or
// activity row): the rows that would show them activated precede the
// exports, so the activation rates leave them out (metrics.Cohort.
// BeforeData) — an export cut at a retention
// limit or a query's time range beside a devices export of every unit
// ever shipped. Counted as not activated they would make every older
// ship month read near 0%, and iotpm economics pool them. A fleet whose
// rows do begin with its first shipments has its first units here too:
// the warning says both. Both engines give the counts it reads.
func beforeDataWarning(out *Outcome) {
	a := out.report.Activation
	if a == nil {
		return
	}
	n, months := 0, []string{}
	for _, c := range a.ByMonth {
		if c.BeforeData > 0 {
			n += c.BeforeData
			months = append(months, c.Label)
		}
	}
	if n == 0 {
		return
	}
	start, path := export.FleetStart(out.stats)
	inWindow := ""
	if a.BeforeData > 0 {
		inWindow = fmt.Sprintf(", %s of them in the window's cohort", render.Number(float64(a.BeforeData), 0))
	}
	what := "ship month " + months[0]
	if len(months) > 1 {
		what = "ship months " + months[0] + " to " + months[len(months)-1]
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s shipped more than the activation window (%s days) before the fleet's first row (%s, %s; %s%s): no row of the data falls in their activation window, so the activation rates leave them out (a ship month of only such units has no rate); if the fleet's exports were cut there (a retention limit, a query's time range), export the rows from those units' shipping on; if the fleet's rows do begin there, these units never activated",
		render.Plural(n, "unit"), render.Number(a.WindowDays, 1), isoMicro(start), path, what, inWindow)
}

// straddleWarning says when units not activated had their activation
// window begin before the fleet's data start F and end after it
// (metrics.Cohort.Straddling) while other units shipped wholly before F
// (Cohort.BeforeData): a devices export that reaches further back than
// the fleet's rows says those rows were cut at F, and then an activation
// before F is not in them. Such units count as not activated, and their
// ship months read low with no other sign (iotpm economics pools the
// mature months). Without units before the data the rows may well begin
// with the fleet, and the counts are only shown (the COHORT column).
// Both engines give the counts it reads.
func straddleWarning(out *Outcome) {
	a := out.report.Activation
	if a == nil {
		return
	}
	n, before, months := 0, 0, []string{}
	for _, c := range a.ByMonth {
		before += c.BeforeData
		if c.Straddling > 0 {
			n += c.Straddling
			months = append(months, c.Label)
		}
	}
	if n == 0 || before == 0 {
		return
	}
	start, path := export.FleetStart(out.stats)
	what := "ship month " + months[0]
	if len(months) > 1 {
		what = "ship months " + months[0] + " to " + months[len(months)-1]
	}
	show, they := "show", "they count"
	if n == 1 {
		show, they = "shows", "it counts"
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s shipped less than the activation window (%s days) before the fleet's first row (%s, %s; %s) and %s no activation from it, so %s as not activated; an activation before that row is not in the data, and with %s shipped wholly before it the fleet's exports look cut there (a retention limit, a query's time range): the rates of those ship months may read low; export the rows from those units' shipping on",
		render.Plural(n, "unit"), render.Number(a.WindowDays, 1), isoMicro(start), path, what, show, they, render.Plural(before, "unit"))
}

// monthBeforeShippingWarning warns of the ship months in which most
// units with a shipped_at and rows (at least 10) have every row before
// their shipped_at, when the fleet as a whole is not (beforeShippingWarning):
// one batch whose shipped_at is a later date than shipping (its invoices,
// a distributor's sale) is never in service, and its month's activation
// reads near 0% beside months that do not. Both engines give the counts
// it reads.
func monthBeforeShippingWarning(out *Outcome) {
	var months []string
	for _, m := range out.report.Uptime.BeforeShippingByMonth {
		if mostOf(m.BeforeShipping, m.WithRows) {
			months = append(months, fmt.Sprintf("%s (%s of %s)", m.Label, render.Number(float64(m.BeforeShipping), 0), render.Number(float64(m.WithRows), 0)))
		}
	}
	if len(months) == 0 {
		return
	}
	month := "ship month"
	if len(months) > 1 {
		month = "ship months"
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "most units with a shipped_at and connection rows of %s %s have every row before their shipped_at: rows before shipping count as factory tests, so these units are never in service (no uptime, not monthly active, not activated: their ship month's activation rate reads low); if those units' shipped_at holds a later date than shipping (an invoice, a distributor's sale, a cloud claim), map the column that holds the shipping date (shipped_at) for every unit; if these units were tested and never heard from again, nothing is wrong",
		month, render.Few(months, 3, ", "))
}

// beforeShippingWarning says when most of the devices input's units with
// rows (at least 10, more than half) have every row before their
// shipped_at: rows before shipping are factory tests, so those units are
// never in service — no uptime, not active, not activated — which says
// shipped_at holds a later date than shipping (billing, a cloud claim, a
// registry's update) rather than that most of a fleet never ran (the
// units that never activate after a factory test are a minority). Both
// engines give the counts it reads.
func beforeShippingWarning(out *Outcome) {
	u := out.report.Uptime
	if u == nil || u.RowsBeforeShipping < 10 {
		return
	}
	if !mostOf(u.RowsBeforeShipping, u.ShippedWithRows) {
		monthBeforeShippingWarning(out)
		return
	}
	out.Problems.Warnf(diag.Row, statPath(out, planfile.KindDevices), 0, 0, "%s of the %s units with a shipped_at and connection rows have every row before their shipped_at: rows before shipping count as factory tests, so these units are never in service (no uptime, not monthly active, not activated); if shipped_at holds a later date than shipping (billing, a cloud claim, a registry's update), map the column that holds the shipping date (shipped_at); if these units were tested and never heard from again, nothing is wrong",
		render.Number(float64(u.RowsBeforeShipping), 0), render.Number(float64(u.ShippedWithRows), 0))
}

// checkinWarnings warns of a check-in profile whose devices missed at
// least 1/(g+1) of the check-ins its interval P expects over their
// observed time (40% at g = 1.5): uptime counts each missed one as down
// time, so an interval shorter than the firmware's in the field (a planned
// interval written as today's) reads as an unreachable fleet. Devices
// checking in regularly every F > g·P miss ⌈(F − g·P)/P⌉ of every F/P
// expected, never less than 1/(g+1) of them (F = (g+1)·P, the least), so
// every such F is warned of; a fleet checking in every P misses that many
// only when it loses about two in five. Both engines give the sums it
// reads.
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
		every := quantity.FormatDuration(float64(m.Every) / 1e6)
		// at the profile's checkin: in devices.yaml, the interval the
		// warning is about (its check-ins may be the events' connects or
		// the activity input's rows, or both)
		at := diag.Diagnostic{File: statPath(out, planfile.KindEvents)}
		if u.ActivityOnly {
			at.File = statPath(out, planfile.KindActivity) // (their check-ins are its rows)
		}
		if ci, ok := job.checkins[p.Profile]; ok && job.devicesFile != "" {
			at = diag.Diagnostic{File: job.devicesFile, Line: ci.Pos.Line, Col: ci.Pos.Col}
		}
		dailyWarning(out, at, p, every)
		frequentWarning(out, at, p, expected, every, job.checkins[p.Profile].Event, job.checkinSends[p.Profile])
		// missed/expected ≥ P/(P + g·P), in the µs both engines use
		if expected < 20 || float64(p.Missed)*float64(m.Every+m.Reach()) < float64(expected)*float64(m.Every) {
			longIntervalWarning(out, at, p, m, expected, every, job.checkins[p.Profile].Event, job.checkinSends[p.Profile])
			sparseWarning(out, at, p, m, !u.ActivityOnly)
			continue
		}
		// nearly every check-in missed, with connection events: devices
		// that hold a connection for hours or days between their events
		// (a hub on mains) read so when modelled as checking in
		held := sparseAmong(p, out.report, every) + dailyToo(p.ModeUptime, p.Daily.Devices, p.Devices, every) + changedTo(p, m, out.report, every)
		if !u.ActivityOnly && int64(p.Missed)*10 >= expected*9 {
			held += "; if instead they hold a connection between their events (a connect, then a disconnect hours or days later: a hub, a device on mains), they do not check in: model them as always connected (a devices.yaml profile without checkin:, or metrics.unmodelled: always for the devices without a model value), and uptime counts them connected between their events"
		}
		out.Problems.Warnf(diag.Row, at.File, at.Line, at.Col, "%s: its devices missed %s of the %s check-ins its interval in devices.yaml (every %s) expects over their observed time (%s), and uptime counts each as down time: if the firmware in the field checks in less often than that, set the profile's checkin: {every: ...} to the field's interval (a planned interval belongs in a variant with feature:); any interval in the field longer than %g × %s (the grace) misses at least %s of them; if it does check in every %s, the devices missed that many of their check-ins%s",
			p.Profile, render.Number(float64(p.Missed), 0), render.Number(float64(expected), 0), every, render.Percent(float64(p.Missed)/float64(expected), 0), m.Grace, every, render.Percent(float64(m.Every)/float64(m.Every+m.Reach()), 0), every, held)
	}
}
