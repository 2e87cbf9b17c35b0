package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// Input is one export to read: its kind, path, format (detected when
// empty), the zone of its zone-less timestamps and an explicit column
// mapping (role → header name).
type Input struct {
	Kind   planfile.InputKind
	Path   string
	Format string
	Zone   *time.Location
	// ZoneName is the zone as the user wrote it, for messages.
	ZoneName string
	Map      map[string]string
	// Order overrides the format's order: "file" (the file's row order
	// decides between events at the same time), "time", or "" (the
	// format's).
	Order string
	// Files, when set, are the files of a Path that is a directory or a
	// glob, listed (and checked) once by the caller: read instead of
	// listing the path again.
	Files []string
}

// FileCopy is a file left out as a copy of another, Of, read in its
// place (copiesOf says which of the same bytes is read).
type FileCopy struct{ Path, Of string }

// FileRead is the count of rows read from one file of an input.
type FileRead struct {
	Path string
	Read int
	// Earliest and Latest bound the file's row times (metrics.NoTime when
	// none): a file missing from an export's directory leaves a gap
	// between its neighbours' spans.
	Earliest, Latest int64
}

// Stats accounts for every row of one input: used, skipped (with reason),
// ignored (rows the format leaves out: other event names, values that
// mean neither state) or outside the span any metric looks at.
type Stats struct {
	Kind planfile.InputKind
	Path string
	// Files is the number of files of an input that is a directory or a
	// glob (0: a file); EmptyFiles those of them left out for having no
	// byte at all.
	Files, EmptyFiles int
	// FileReads are the rows read from each file of a many-file input, in
	// order: a cap (a spreadsheet's, a console's) cuts a file, not the sum.
	FileReads []FileRead
	// CopyFiles are the files of a many-file input left out for holding
	// the same bytes as another (a second download of one export):
	// read twice, every row would count twice.
	CopyFiles []FileCopy
	// Format is the format the input was read with; Detected is false when
	// it was named (flag or iotpm.yaml) or the generic fallback was used.
	Format   string
	Detected bool
	// Columns names the header column each role was read from;
	// ColumnFiles, for a many-file input, how many of its files have the
	// column of a role that some lack (the others' rows have no value for
	// it).
	Columns     map[string]string
	ColumnFiles map[string]int
	Read        int
	Used        int
	Outside     int
	Skipped     map[RowKind]int
	Ignored     map[string]int
	Preamble    int
	// Duplicates counts rows used once; UnknownDevices the distinct device
	// ids (tickets: customer ids) that the devices input does not list.
	Duplicates     int
	UnknownDevices int
	// Join is how the input's ids matched the devices input (either
	// engine), for the warnings: UnknownDevices of JoinIDs are not listed.
	Join JoinNotes
	// Earliest and Latest bound the timestamps of the rows read (metrics.
	// NoTime when none: a devices input, a snapshot).
	Earliest, Latest int64
	// Busy marks the stretches of the window that hold a row (the gap
	// warning).
	Busy Busy
	// Status counts a devices input's units whose status column says they
	// are out of service, without a retirement date (status.go).
	Status StatusNote
	// Errors holds the first bad rows, for reporting.
	Errors []*RowError
	TimeNotes
	// SameInstant counts, for events without a sequence or file order,
	// the connect/disconnect pairs of one device at the same instant, whose
	// order the data does not say (metrics takes the disconnect first);
	// SameInstantExample names the first: `"DEVICE" at TIME`.
	SameInstant        int
	SameInstantExample string
	// StaleDisconnects counts disconnects of a session other than the
	// device's current one, which end nothing.
	StaleDisconnects int
	// SequenceFollowing counts the events a sequence puts after another of
	// their device, SequenceBack those of them stamped more than
	// metrics.SequenceTolerance before an event it puts earlier;
	// SequenceBackExample names the earliest such event: `"DEVICE" at TIME,
	// after TIME`.
	SequenceFollowing, SequenceBack int
	SequenceBackExample             string
}

// SkippedTotal is the number of skipped rows.
func (s *Stats) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// IgnoredTotal is the number of ignored rows.
func (s *Stats) IgnoredTotal() int {
	n := 0
	for _, c := range s.Ignored {
		n += c
	}
	return n
}

// FleetStart is the fleet's data start: the earliest row of the events
// and activity inputs, and that input's path (NoTime and "" without
// one). Before it the exports say nothing of the fleet: a unit shipped
// earlier may have activated where no row shows it
// (metrics.Options.DataStart), and an export cut at a retention limit
// starts its counts there.
func FleetStart(stats []*Stats) (start int64, path string) {
	start = metrics.NoTime
	for _, st := range stats {
		if (st.Kind == planfile.KindEvents || st.Kind == planfile.KindActivity) && st.Earliest != metrics.NoTime && (start == metrics.NoTime || st.Earliest < start) {
			start, path = st.Earliest, st.Path
		}
	}
	return start, path
}

// HealthOutside says which of the inputs customer health reads (usage,
// tickets) have rows and none that reach into the window w: every row
// before its start or after its end. Such an input says nothing of the
// window, and scored as 0 uses or 0 tickets it would make each customer
// look worse or better than the data shows (metrics.Options.HealthOutside).
func HealthOutside(stats []*Stats, w metrics.Window) metrics.HealthInputs {
	outside := func(kind planfile.InputKind) bool {
		seen := false
		for _, st := range stats {
			if st.Kind != kind || st.Earliest == metrics.NoTime {
				continue
			}
			if st.Earliest < w.To && st.Latest >= w.From {
				return false
			}
			seen = true
		}
		return seen
	}
	return metrics.HealthInputs{Usage: outside(planfile.KindUsage), Tickets: outside(planfile.KindTickets)}
}

// MaxListedErrors is how many bad rows are kept for the error listing.
const MaxListedErrors = 20

// Ingest reads exports into metrics.Data.
type Ingest struct {
	Data   *metrics.Data
	Window metrics.Window
	// Formats are the formats inputs may have; nil means the built-in ones.
	Formats *Formats
	// UseUntil bounds the timestamps of events and activity that any metric
	// looks at (the window's end, or later when activation looks past it).
	UseUntil int64
	// MaxExpansion bounds a .csv.gz's expansion (times its compressed size;
	// 0: DefaultMaxExpansion).
	MaxExpansion int
	// Progress, when set, is called now and then with bytes read and size.
	Progress func(kind planfile.InputKind, read, size int64)
	// began is when the read that progress is reported for began: the
	// first file of a many-file input (zero: the read of one file).
	began time.Time
	// files is the path of the many-file input being read ("" for a
	// file), for messages that depend on it.
	files string
	// Funnel is the setup funnel the onboarding rows are read for (nil:
	// none): rows within its attempt window (Within) of the window count
	// as used, and rows of other app events are kept as name and time
	// only (metrics.Data.SetFunnel).
	Funnel *metrics.Funnel
	// Now is the clock (µs; 0: no bound): a row time of a dated input
	// later than Now plus a day is a bad row (a devices row's shipped_at
	// is not bounded: a planned shipment may be dated ahead).
	Now int64
	// Unmodelled is the model value of a devices row without one
	// (metrics.unmodelled naming a profile; nil: none).
	Unmodelled []byte
	// lineReader reads every file with the line reader alone (readRows):
	// the reference the tests compare the block and stream readers with.
	lineReader bool
}

// bound sets b's future bound from the clock.
func (g *Ingest) bound(b *Binding, kind planfile.InputKind) {
	if g.Now == 0 || kind == planfile.KindDevices {
		return
	}
	b.notAfter = g.Now + 86_400_000_000
	b.clock = time.UnixMicro(g.Now).UTC().Format(time.RFC3339)
}

// Read reads one input and records in Data that it was given. A file,
// format or header problem is an error; bad rows are counted in Stats and
// do not stop the reading.
func (g *Ingest) Read(in Input) (*Stats, error) {
	return g.ReadContext(context.Background(), in)
}

// ReadContext is Read that stops when ctx is done (within 64K rows, or one
// 4 MiB block per worker), returning ctx's error; Data is then partial and
// must not be used.
func (g *Ingest) ReadContext(ctx context.Context, in Input) (*Stats, error) {
	files, err := inputFiles(in)
	if err != nil {
		return nil, err
	}
	var st *Stats
	if files != nil {
		st, err = g.readFiles(ctx, in, files)
	} else {
		st, err = g.read(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	has := &g.Data.Has
	switch in.Kind {
	case planfile.KindDevices:
		has.Devices = true
	case planfile.KindEvents:
		has.Events = true
	case planfile.KindOTA:
		has.OTA = true
	case planfile.KindActivity:
		has.Activity = true
	case planfile.KindTickets:
		has.Tickets = true
	case planfile.KindUsage:
		has.Usage = true
	case planfile.KindOnboarding:
		has.Onboarding = true
	}
	return st, nil
}

func (g *Ingest) read(ctx context.Context, in Input) (*Stats, error) {
	if _, ok := kindRoles[in.Kind]; !ok {
		return nil, fmt.Errorf("unknown input kind %q", in.Kind)
	}
	r, format, detected, b, err := g.open(in)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	st := &Stats{Kind: in.Kind, Path: in.Path, Format: format.Name, Detected: detected, Skipped: map[RowKind]int{}, Ignored: map[string]int{},
		Earliest: metrics.NoTime, Latest: metrics.NoTime}
	st.Columns = b.columns()
	if in.Kind != planfile.KindDevices {
		st.Busy = NewBusy(g.Window)
	}
	if in.Kind == planfile.KindOnboarding {
		g.Data.SetFunnel(g.Funnel)
	}

	parallelOK := !g.lineReader && (in.Kind == planfile.KindEvents || in.Kind == planfile.KindActivity || in.Kind == planfile.KindOnboarding) && r.counter != nil && len(r.closers) == 1 && (!r.JSON || r.jsonLines != nil) &&
		!format.tables && format.comment == "" && r.Preamble == 0
	// a .gz is cut into blocks as it is decompressed and parsed by a
	// worker a core (on one core: one worker beside the decompression,
	// whose arrays grow by blocks, not by doubling the line reader's)
	streamOK := !g.lineReader && (in.Kind == planfile.KindEvents || in.Kind == planfile.KindActivity) && len(r.closers) == 2 && (!r.JSON || r.jsonLines != nil) &&
		!format.tables && format.comment == "" && r.Preamble == 0
	if streamOK {
		ok, err := g.readStream(ctx, r, b, st)
		if err != nil {
			return nil, err
		}
		if ok {
			st.Preamble += r.Preamble
			return st, nil
		}
		// a quoted field spans lines: read the file again, sequentially
		r.Close()
		if r, err = OpenLimited(in.Path, r.Delim, g.MaxExpansion); err != nil {
			return nil, err
		}
		defer r.Close()
		r.Comment, r.Tables = nil, false
	}
	if parallelOK {
		ok, err := g.readParallel(ctx, in.Path, b, r.Delim, r.jsonLines, st)
		if err != nil {
			return nil, err
		}
		if ok {
			return st, nil
		}
		// not safely splittable: read sequentially, with room reserved
		switch in.Kind {
		case planfile.KindEvents:
			g.Data.Reserve(int(r.size/32), 0)
		case planfile.KindOnboarding:
			g.Data.GrowSetup(r.roughRows())
		default:
			g.Data.Reserve(0, int(r.size/32))
		}
	} else if in.Kind == planfile.KindOnboarding {
		g.Data.GrowSetup(r.roughRows()) // a .gz, read sequentially
	} else if b.orderedEvents() && !r.JSON {
		// events ordered by a sequence, sessions or the file (AWS's
		// lifecycle export whole): read sequentially, with room for them
		g.Data.ReserveOrdered(r.roughRows())
	}
	return g.readRows(ctx, r, b, format, in, st)
}

// open opens an input and binds its header to a format: the one named,
// else the one detected (detected says so).
func (g *Ingest) open(in Input) (r *Reader, format *Format, detected bool, b *Binding, err error) {
	formats := g.Formats
	if formats == nil {
		formats = NewFormats(nil)
	}
	if in.Format != "" {
		f, err := formats.Lookup(in.Kind, in.Format)
		if err != nil {
			return nil, nil, false, nil, &RowError{Path: in.Path, Reason: err.Error()}
		}
		format = f
	}
	r, err = OpenLimited(in.Path, 0, g.MaxExpansion)
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return nil, nil, false, nil, re
		}
		reason := err.Error()
		if errors.Is(err, os.ErrNotExist) {
			reason = "no such file"
		}
		return nil, nil, false, nil, &RowError{Path: in.Path, Reason: strings.TrimPrefix(reason, in.Path+" ")}
	}
	if format == nil {
		format, detected = formats.Detect(in.Kind, r.Header)
		if format == nil {
			r.Close()
			return nil, nil, false, nil, &RowError{Path: in.Path, Line: 1, Reason: fmt.Sprintf("no %s format matches the header (%s); name one with --format %s=NAME", in.Kind, clip(strings.Join(r.Header, ", "), 200), in.Kind)}
		}
	}
	if format.comment != "" {
		r.Comment = []byte(format.comment)
	}
	r.Tables = format.tables
	b, err = Bind(format, in.Path, r.Header, in.Map, in.Zone, in.ZoneName)
	if err == nil {
		b.setOrder(in.Order)
		g.bound(b, in.Kind)
	}

	if err != nil {
		var re *RowError
		if errors.As(err, &re) && in.Format == "" && !detected {
			re.Reason = strings.Replace(re.Reason, "(format generic;", "(no format's signature matched, read as generic;", 1)
		}
		r.Close()
		return nil, nil, false, nil, err
	}
	return r, format, detected, b, nil
}

// readRows reads the rows sequentially (an input that cannot be split or
// streamed in parallel): a new table rebinds the header, a bad row is
// counted, the context is checked and progress reported every 65,536 rows.
func (g *Ingest) readRows(ctx context.Context, r *Reader, b *Binding, format *Format, in Input, st *Stats) (*Stats, error) {
	line := 0
	bad := func(kind RowKind, reason string) {
		st.Skipped[kind]++
		if len(st.Errors) < MaxListedErrors {
			st.Errors = append(st.Errors, &RowError{Path: r.Path, Line: line, Kind: kind, Reason: reason})
		}
	}
	start := g.progressStart()
	// onboarding rows are added lookupBatch at a time, as copies: the
	// reader reuses its line buffer
	setup := &setupBatch{copy: true}
	defer setup.flush(g.Data)
	next := func() ([][]byte, error) {
		fields, err := r.Read()
		line = r.Line()
		return fields, err
	}
	for {
		fields, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrNewTable) {
			st.Preamble++
			if b, err = Bind(format, in.Path, r.Header, in.Map, in.Zone, in.ZoneName); err != nil {
				var re *RowError
				if errors.As(err, &re) {
					re.Line = r.Line()
				}
				return nil, err
			}
			b.setOrder(in.Order)
			g.bound(b, in.Kind)
			continue
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) && re.Skippable {
				st.Read++
				bad(re.Kind, re.Reason)
				continue // the reader goes on with the next line
			}
			return nil, err
		}
		st.Read++
		if st.Read&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if g.Progress != nil && time.Since(start) >= progressAfter {
				read, size := r.Progress()
				g.Progress(in.Kind, read, size)
			}
		}
		g.row(b, st, fields, line, bad, setup)
	}
	st.Preamble += r.Preamble
	if g.Progress != nil && time.Since(start) >= progressAfter {
		read, size := r.Progress()
		g.Progress(in.Kind, read, size)
	}
	return st, nil
}

// row decodes one row of any kind into Data, or counts it as skipped or
// ignored.
func (g *Ingest) row(b *Binding, st *Stats, fields [][]byte, line int, bad func(kind RowKind, reason string), setup *setupBatch) {
	var r decoded
	status, kind, key := b.decode(fields, &r)
	switch status {
	case rowIgnored:
		st.Ignored[key]++
		return
	case rowBad:
		bad(b.badKind(fields, kind, key))
		return
	}
	if r.note != noteNone {
		st.add(r.note, r.fields[b.cols[tsRoleOf(b.Format.Kind)][0]], b.zoneName)
	}
	d, w := g.Data, g.Window
	fields, id, ts, value := r.fields, r.id, r.ts, r.value
	switch b.Format.Kind {
	case planfile.KindDevices:
		retired := int64(metrics.NoTime)
		if v := trimSpace(b.field(fields, roleRetired)); len(v) > 0 {
			var err error
			if retired, err = b.timestamp(v); err != nil {
				bad(RowKind{BadTimestamp, "retired_at"}, optionalTimestampProblem("retired_at", b.Column("retired_at"), b.Format.Name, v, err))
				return
			}
			if retired < NotBefore {
				bad(RowKind{PastTimestamp, "retired_at"}, pastProblem("retired_at", v, b.Column("retired_at"), b.Format.Name))
				return
			}
		}
		customer := trimSpace(b.field(fields, roleCustomer))
		if excelID(customer) {
			bad(RowKind{ExcelNumber, "customer_id"}, excelIDProblem("customer_id", customer, b.Column("customer_id"), b.Format.Name))
			return
		}
		model, fw := trimSpace(b.field(fields, roleModel)), trimSpace(b.field(fields, roleFirmware))
		if len(model) == 0 {
			// the user's word for the rows without one: as if the column
			// said so (a repeated row with the value written agrees)
			model = g.Unmodelled
		}
		if prev, listed := d.ListedDevice(id); listed {
			row := metrics.DeviceRow{Shipped: ts, Retired: retired, Customer: string(customer), Model: string(model), Firmware: string(fw)}
			if what := deviceConflict(prev, row); what != "" {
				hint := ""
				if g.files != "" {
					hint = " (the files of " + g.files + " are read as one export: registry snapshots taken at different times are not one, so name the latest file as the input)"
				}
				bad(RowKind{Conflict, "device_id"}, fmt.Sprintf("device %q is listed again with %s: a device has one ship date, customer, retirement, model and firmware, and which row holds is not for iotpm to guess; keep one row per device%s", clip(string(id), 60), what, hint))
				return
			}
		}
		if retired == metrics.NoTime {
			b.noteStatus(st, fields)
		}
		d.AddDeviceRetired(id, ts, retired, customer)
		if len(model) > 0 {
			d.SetModel(id, model)
		}
		if len(b.cols[roleFirmware]) > 0 {
			d.HasFirmware = true // the column is there: firmware is asked for, even when empty
			if len(fw) > 0 {
				d.SetFirmware(id, fw)
			}
		}
		st.Used++
	case planfile.KindEvents:
		if !addEvent(b, d, fields, id, ts, value, int64(line), bad) {
			return
		}
		g.count(st, ts, ts < g.UseUntil)
	case planfile.KindActivity:
		d.AddActivity(id, ts)
		g.count(st, ts, ts < g.UseUntil)
	case planfile.KindUsage:
		d.AddUsage(id, ts)
		g.count(st, ts, ts >= w.From && ts < w.To)
	case planfile.KindTickets:
		ticket := trimSpace(b.field(fields, roleTicket))
		if excelID(ticket) {
			// several tickets would count as one
			bad(RowKind{ExcelNumber, "ticket_id"}, excelIDProblem("ticket_id", ticket, b.Column("ticket_id"), b.Format.Name))
			return
		}
		d.AddTicketRow(id, ticket, ts)
		g.count(st, ts, ts >= w.From && ts < w.To)
	case planfile.KindOnboarding:
		if row, ok := setupRowOf(b, d, fields, id, ts, bad); ok {
			setup.add(d, row)
			g.count(st, ts, g.setupUsed(ts))
		}
	case planfile.KindOTA:
		job := b.job
		if len(b.cols[roleJob]) > 0 {
			job = b.field(fields, roleJob)
		}
		if len(job) == 0 {
			bad(RowKind{EmptyValue, "job_id"}, "empty job_id ("+b.Column("job_id")+")")
			return
		}
		if len(b.cols[roleTimestamp]) == 0 {
			d.AddOTASnapshot(id, job, value)
			st.Used++
			return
		}
		var version []byte
		if len(b.cols[roleVersion]) > 0 {
			version = trimSpace(b.field(fields, roleVersion))
			d.HasVersions = true
		}
		d.AddOTAVersion(id, job, value, ts, version)
		g.count(st, ts, ts >= w.From && ts < w.To)
	}
}

// deviceConflict says how a devices row differs from the row listed
// before for its device ("" when it is a copy): the first field that
// differs, with both values.
func deviceConflict(prev, row metrics.DeviceRow) string {
	at := func(us int64) string {
		if us == metrics.NoTime {
			return "none"
		}
		return time.UnixMicro(us).UTC().Format(time.RFC3339Nano) // a fraction may be the difference
	}
	text := func(s string) string {
		if s == "" {
			return "none"
		}
		return strconv.Quote(clip(s, 60))
	}
	switch {
	case prev.Shipped != row.Shipped:
		return fmt.Sprintf("another shipped_at (%s; the earlier row: %s)", at(row.Shipped), at(prev.Shipped))
	case prev.Customer != row.Customer:
		return fmt.Sprintf("another customer_id (%s; the earlier row: %s)", text(row.Customer), text(prev.Customer))
	case prev.Retired != row.Retired:
		return fmt.Sprintf("another retired_at (%s; the earlier row: %s)", at(row.Retired), at(prev.Retired))
	case prev.Model != row.Model:
		return fmt.Sprintf("another model (%s; the earlier row: %s)", text(row.Model), text(prev.Model))
	case prev.Firmware != row.Firmware:
		return fmt.Sprintf("another firmware (%s; the earlier row: %s)", text(row.Firmware), text(prev.Firmware))
	}
	return ""
}

// addSetup reads an onboarding row's step, device and segment into d (the
// sequential reader's Data or a chunk's); false when the row is bad.
// setupBatch holds onboarding rows back to add them lookupBatch at a
// time (metrics.Data.AddSetupRows: their table lookups' cache misses
// overlap). With copy set it keeps copies of the rows' bytes, for a
// reader whose rows point into a buffer it reuses; without, the rows'
// bytes must stay valid until the next flush.
type setupBatch struct {
	rows []metrics.SetupRow
	buf  []byte
	copy bool
}

func (s *setupBatch) add(d *metrics.Data, row metrics.SetupRow) {
	if s.copy {
		// a grown buf leaves the rows before in the old array, intact
		n := len(s.buf)
		s.buf = append(append(append(s.buf, row.User...), row.Device...), row.Segment...)
		k := n + len(row.User)
		row.User, row.Device, row.Segment = s.buf[n:k:k], s.buf[k:k+len(row.Device):k+len(row.Device)], s.buf[k+len(row.Device):len(s.buf):len(s.buf)]
	}
	s.rows = append(s.rows, row)
	if len(s.rows) == lookupBatch {
		s.flush(d)
	}
}

// flush adds the rows held.
func (s *setupBatch) flush(d *metrics.Data) {
	if len(s.rows) > 0 {
		d.AddSetupRows(s.rows)
	}
	s.rows, s.buf = s.rows[:0], s.buf[:0]
}

// setupRowOf reads an onboarding row's step, device and segment (the user
// and time decode has read); ok is false for a bad row, reported.
func setupRowOf(b *Binding, d *metrics.Data, fields [][]byte, id []byte, ts int64, bad func(kind RowKind, reason string)) (row metrics.SetupRow, ok bool) {
	name := trimSpace(b.field(fields, roleStep))
	if len(name) == 0 {
		bad(RowKind{EmptyValue, "step"}, "empty step ("+b.Column("step")+"): the event name says which setup step the row is")
		return row, false
	}
	if len(b.cols[roleDevice]) > 0 {
		d.HasSetupDevices = true // the column is there: the join is asked for
	}
	row = metrics.SetupRow{Step: d.SetupStep(name), TS: ts}
	if !row.Step.Kept() {
		// another app event: its user, device and segment are never read
		// (nor copied by the sequential reader's batch), so an empty one
		// is no bad row
		return row, true
	}
	if kind, reason := b.idProblem(roleUser, id); reason != "" {
		bad(kind, reason)
		return row, false
	}
	row.User = id
	if len(b.cols[roleDevice]) > 0 {
		row.Device = trimSpace(b.field(fields, roleDevice))
		if excelID(row.Device) {
			bad(RowKind{ExcelNumber, "device_id"}, excelIDProblem("device_id", row.Device, b.Column("device_id"), b.Format.Name))
			return row, false
		}
	}
	if len(b.cols[roleSegment]) > 0 {
		row.Segment = trimSpace(b.field(fields, roleSegment))
	}
	return row, true
}

// addEvent adds a connection event to d: ordered by its sequence, its
// session or its line where the input has them; false when the row is
// bad (reported).
func addEvent(b *Binding, d *metrics.Data, fields [][]byte, id []byte, ts int64, value int, line int64, bad func(kind RowKind, reason string)) bool {
	seq, session, ok := eventOrder(b, fields, bad)
	if !ok {
		return false
	}
	if !b.HasSequence() && !b.orderedEvents() {
		d.AddEvent(id, ts, value)
		return true
	}
	addOrderedAt(b, d, d.DeviceIndex(id), ts, value, line, seq, session)
	return true
}

// eventOrder reads what orders an event row: its sequence (nil without
// the column) and its session (nil: none); ok is false when the row is
// bad (reported).
func eventOrder(b *Binding, fields [][]byte, bad func(kind RowKind, reason string)) (seq, session []byte, ok bool) {
	if b.hasSession() {
		session = trimSpace(b.field(fields, roleSession))
	}
	if b.HasSequence() {
		if seq = trimSpace(b.field(fields, roleSequence)); len(seq) == 0 {
			bad(RowKind{EmptyValue, "sequence"}, "empty sequence ("+b.Column("sequence")+"): the events are ordered by it")
			return nil, nil, false
		}
	}
	return seq, session, true
}

// addOrderedAt adds an event that its sequence, session or line orders to
// d, for device dev (d's number).
func addOrderedAt(b *Binding, d *metrics.Data, dev int32, ts int64, value int, line int64, seq, session []byte) {
	if b.HasSequence() {
		d.AddSequencedSessionEventAt(dev, ts, value, seq, b.Format.seqReset, session)
		return
	}
	d.AddOrderedEventAt(dev, ts, value, line, b.fileOrder, session)
}

// setupUsed: an onboarding row counts as used when an attempt of the
// window may hold it (one starting a little before the window, or ending
// after it).
func (g *Ingest) setupUsed(ts int64) bool {
	w := g.Window
	var within int64
	if g.Funnel != nil {
		within = g.Funnel.Within
	}
	return ts >= w.From-within && ts < w.To+within
}

// JoinNotes say how an input's ids matched the devices input: JoinIDs
// distinct ids, UnknownSample one not listed; CaseOnly of the unlisted are
// a listed id but for letter case, CaseSample one such pair (the input's
// id, the devices input's).
type JoinNotes struct {
	JoinIDs       int
	UnknownSample string
	CaseOnly      int
	CaseSample    [2]string
	// FormOnly of the other unlisted are a listed id written otherwise
	// (letter case, separators, an "eui-" prefix); FormSample one pair.
	FormOnly   int
	FormSample [2]string
}

// TimeNotes counts the times of an input that are read but worth a word,
// each kind with its first example.
type TimeNotes struct {
	// ZonelessUTC counts rows whose date-time had no zone and was read as
	// UTC (no format or input named a zone); ZonelessExample is one.
	ZonelessUTC     int
	ZonelessExample string
	// RepeatedHour counts local times in the hour repeated when daylight
	// saving time ends, each read as the first of its two instants;
	// RepeatedHourExample is one, with its zone.
	RepeatedHour        int
	RepeatedHourExample string
}

// add counts a time's note; v is the value, zone the zone it was read in.
func (n *TimeNotes) add(note timeNote, v []byte, zone string) {
	switch note {
	case noteZonelessUTC:
		if n.ZonelessUTC == 0 {
			n.ZonelessExample = clip(string(v), 40)
		}
		n.ZonelessUTC++
	case noteRepeatedHour:
		if n.RepeatedHour == 0 {
			n.RepeatedHourExample = fmt.Sprintf("%q in %s", clip(string(v), 40), zone)
		}
		n.RepeatedHour++
	}
}

// merge adds another reader's notes (a later chunk's: its examples come
// after n's).
func (n *TimeNotes) merge(o TimeNotes) {
	if n.ZonelessUTC == 0 {
		n.ZonelessExample = o.ZonelessExample
	}
	if n.RepeatedHour == 0 {
		n.RepeatedHourExample = o.RepeatedHourExample
	}
	n.ZonelessUTC += o.ZonelessUTC
	n.RepeatedHour += o.RepeatedHour
}

// count accounts a row with a timestamp as used or outside the span any
// metric looks at, and widens the input's time span.
func (g *Ingest) count(st *Stats, ts int64, used bool) {
	if used {
		st.Used++
	} else {
		st.Outside++
	}
	st.widen(ts, ts)
	st.Busy.mark(ts)
}

func (st *Stats) widen(earliest, latest int64) {
	if st.Earliest == metrics.NoTime || earliest < st.Earliest {
		st.Earliest = earliest
	}
	if st.Latest == metrics.NoTime || latest > st.Latest {
		st.Latest = latest
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// eventValue is ParseEvent with a fast path for the canonical spellings,
// which cover almost every row of a real export.
func eventValue(b []byte) (int, bool) {
	switch string(b) {
	case "connected", "online":
		return Connected, true
	case "disconnected", "offline":
		return Disconnected, true
	}
	return ParseEvent(b)
}

// progressStart is when the read being reported began: progress shows
// once it has taken a second, over all the files of a many-file input.
func (g *Ingest) progressStart() time.Time {
	if g.began.IsZero() {
		return time.Now()
	}
	return g.began
}
