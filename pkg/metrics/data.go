// Package metrics computes a connected product's core fleet metrics —
// connectivity uptime, monthly active devices, activation rate, OTA success
// rate and customer health — from the rows of device-platform exports, with
// the exact definitions docs/metrics-definitions.md states.
//
// Timestamps are microseconds since the Unix epoch, UTC. Connection events
// are stored per device as packed keys ts·2 + state (disconnected 0,
// connected 1): eight bytes an event, and sorting the keys orders events by
// time with a disconnect before a connect at the same instant, as the
// uptime definition requires.
//
// The package is pure: rows in, typed results out.
package metrics

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// NoTime marks a missing timestamp.
const NoTime = math.MinInt64

// State of a connection event.
const (
	Disconnected = 0
	Connected    = 1
)

// OTA status classes of a job execution.
const (
	OTASuccess = iota
	OTAFailure
	OTAExcluded
	OTAPending
)

// Ticket is a support ticket of a customer.
type Ticket struct {
	Customer int32
	Created  int64
}

type otaKey struct{ device, job int32 }

// otaState is a job execution's state; version sits in the padding after
// class, so a row stays 24 bytes (otaRows holds every row of the export).
type otaState struct {
	ts    int64
	class int32
	// version is the job's target firmware on this row (an index into
	// Data.versions; -1: the row gives none). Only otaRows use it.
	version int32
}

type otaRow struct {
	key otaKey
	otaState
}

// Data is everything read from the exports, indexed by device. Build it
// with the Add methods, in file order.
type Data struct {
	devices  Interner
	events   [][]int64 // per device, built from the staging arrays by build
	activity [][]int64
	// Staging: rows are appended here in file order — sequential writes,
	// no per-device cache misses — and grouped by device in one pass.
	evDev  []int32
	evKey  []int64
	actDev []int32
	actTS  []int64
	// Bulk segments, kept by reference (no copy).
	evSegs   []segment
	actSegs  []segment
	usage    [][]int64
	shipped  []int64
	retired  []int64 // NoTime: in service
	customer []int32
	// model is each device's model value (an index into models; -1: none)
	model  []int32
	models Interner
	// firmware is each device's firmware as the devices input (a snapshot
	// taken at H) gives it: an index into versions; -1: none.
	firmware []int32
	versions Interner

	customers Interner
	tickets   []Ticket
	ticketAt  map[ticketKey]int // a ticket with an id: its index in tickets
	// DuplicateTickets counts the rows of a ticket id after its first
	// (AddTicketRow).
	DuplicateTickets int

	jobs Interner
	ota  map[otaKey]otaState
	// otaRows keeps every row in file order, for a horizon before the
	// latest row (the final state then is the latest row at or before it).
	otaRows []otaRow

	// seqEvents are the events of an input with a sequence column, ordered
	// by it when the data is frozen; ordered marks the devices whose events
	// are in sequence order already.
	seqEvents []seqEvent
	// orderedBack is the array of OrderedChunks' windows, orderedWindow a
	// chunk's window in it.
	orderedBack, orderedWindow []seqEvent
	evBytes                    []byte // the sequence values of seqEvents that are not digits only
	sessSeed                   maphash.Seed
	seqReset                   int64
	// lineBase is added to the line of an event that the file's order
	// orders: the file's place among an input's files (StartFile).
	lineBase int64
	ordered  []bool
	// listed marks the devices of the devices input.
	listed []bool
	// DuplicateEvents and DuplicateDevices count rows used once (Freeze
	// sets the first).
	DuplicateEvents, DuplicateDevices int
	// StaleDisconnects counts disconnects of a session other than the
	// device's current one, which end nothing (Freeze sets it).
	StaleDisconnects int
	// SessionChecked counts the disconnects compared with a current
	// session (they name one, and the device has one): the stale ones and
	// those that end it. OrphanDisconnects counts the stale ones whose
	// session no connect of the device names — an old session's close
	// names a session the device connected with, so these say the column
	// does not name connections; OrphanDevice and OrphanAt are the
	// first's device and time. Freeze sets them.
	SessionChecked, OrphanDisconnects int
	OrphanDevice                      string
	OrphanAt                          int64
	// SequenceFollowing counts the events a sequence puts after another
	// of their device; SequenceBack those of them stamped more than
	// SequenceTolerance before an event the sequence put earlier — a
	// sequence orders events as they happened, so many say the column is
	// not one. SequenceBack* are the earliest such event's device, time
	// and the latest time before it (earlierBack). Freeze sets them.
	SequenceFollowing, SequenceBack int
	SequenceBackDevice              string
	SequenceBackAt                  int64
	SequenceBackAfter               int64
	// SameInstant counts, among events ordered by time alone, a device's
	// connect and disconnect at the same instant: the data does not say
	// which came first (the disconnect is taken first). SameInstantDevice
	// and SameInstantAt are the first such pair's. Freeze sets them.
	SameInstant       int
	SameInstantDevice string
	SameInstantAt     int64
	// otaSnapshot marks job executions from a snapshot export: final states
	// as the export was taken, counted in any window.
	otaSnapshot map[otaKey]bool

	// Has records which inputs were given.
	Has struct{ Devices, Events, Activity, OTA, Tickets, Usage, Onboarding bool }

	// The onboarding input's rows (the setup funnel), with their own
	// interners: a setup row's device is joined to the fleet by id, never
	// added to it. HasSetupDevices: the rows have a device column.
	setup                                               []setupRow
	setupUsers, setupSteps, setupDevices, setupSegments Interner
	setupLatest                                         int64
	// setupUserDevice is each user's last device (-1: none yet).
	setupUserDevice []userDevice
	setupSink       uint8 // AddSetupRows' slot reads land here, so that they are kept
	// setupExpect is how many rows the reader expects to add (0: unknown,
	// or the id tables already sized from it; ExpectSetupRows).
	setupExpect int
	// setupFunnel, when set (SetFunnel), is the funnel the rows are read
	// for; setupIsStep says of each event name whether it is one of its
	// steps, setupMatch the folded names that are.
	setupFunnel     *Funnel
	setupIsStep     []bool
	setupMatch      map[string]bool
	HasSetupDevices bool
	// HasVersions: some OTA row names its target version; HasFirmware:
	// some device row names its firmware.
	HasVersions, HasFirmware bool
	// Earliest and Latest are the extreme timestamps seen in any input.
	Earliest, Latest int64

	// mu guards the one-time grouping and ordering (sort), so that
	// concurrent Compute calls on the same Data are safe: after it, Compute
	// only reads.
	mu     sync.Mutex
	sorted bool
}

// NewData returns an empty Data.
func NewData() *Data {
	return &Data{ota: map[otaKey]otaState{}, Earliest: math.MaxInt64, Latest: math.MinInt64, setupLatest: math.MinInt64}
}

// DeviceIndex returns the index of a device id, adding it when new.
func (d *Data) DeviceIndex(b []byte) int32 { return d.device(b) }

// AdoptDevices makes a reader's own device table d's, when d has no
// devices yet: the ids keep the numbers they have there, and the table is
// not built a second time (for 100,000 devices, 100,000 lookups and a few
// MB less at the read's peak). It reports whether it did; in is left
// empty when it did.
func (d *Data) AdoptDevices(in *Interner) bool {
	if d.devices.Len() > 0 {
		return false
	}
	d.devices, *in = *in, Interner{}
	d.addDevices(d.devices.Len())
	return true
}

// device returns the index of a device id, adding it when new. Looking up
// with string(b) does not allocate; only a new id is copied.
func (d *Data) device(b []byte) int32 {
	i, added := d.devices.Index(b)
	if added {
		d.addDevices(1)
	}
	return i
}

// DevicesFrom adds a reader's own device table to d's (as DeviceIndex
// would, name by name, with the lookups batched) and returns each of its
// devices' number in d.
func (d *Data) DevicesFrom(in *Interner) []int32 {
	m := d.devices.Renumber(in)
	d.addDevices(d.devices.Len() - len(d.events))
	return m
}

// addDevices gives n new devices their place, with the defaults, in
// every per-device slice; a table's worth at once (a reader's merge) grows
// each slice once instead of doubling it step by step, each step a fresh
// array to fault in.
func (d *Data) addDevices(n int) {
	d.events = appendN(d.events, n, nil)
	d.activity = appendN(d.activity, n, nil)
	d.usage = appendN(d.usage, n, nil)
	d.shipped = appendN(d.shipped, n, NoTime)
	d.retired = appendN(d.retired, n, NoTime)
	d.customer = appendN(d.customer, n, -1)
	d.model = appendN(d.model, n, -1)
	d.firmware = appendN(d.firmware, n, -1)
	d.listed = appendN(d.listed, n, false)
}

// appendN appends n copies of v (slices.Grow's growth is amortised, so
// one at a time costs what append does).
func appendN[T any](s []T, n int, v T) []T {
	s = slices.Grow(s, n)
	for range n {
		s = append(s, v)
	}
	return s
}

func (d *Data) seen(ts int64) {
	d.Earliest = min(d.Earliest, ts)
	d.Latest = max(d.Latest, ts)
}

// AddDevice records a row of devices.csv; customer may be empty.
func (d *Data) AddDevice(id []byte, shipped int64, customer []byte) {
	d.AddDeviceRetired(id, shipped, NoTime, customer)
}

// AddDeviceRetired records a row of devices.csv with the time the device
// left service (retired, decommissioned, returned; NoTime: in service).
func (d *Data) AddDeviceRetired(id []byte, shipped, retired int64, customer []byte) {
	i := d.device(id)
	d.retired[i] = retired
	if d.listed[i] {
		d.DuplicateDevices++
	}
	d.listed[i] = true
	d.shipped[i] = shipped
	if len(customer) > 0 {
		d.customer[i], _ = d.customers.Index(customer)
	}
}

// DeviceRow is what a row of the devices input says of a device.
type DeviceRow struct {
	Shipped, Retired int64 // Retired NoTime: in service
	// Customer, Model and Firmware are "" when not given.
	Customer, Model, Firmware string
}

// ListedDevice returns what the devices input's rows so far say of id;
// ok is false when none lists it. A reader compares a later row of the
// same id with it: a copy is used once, a row that differs is a conflict
// (which one holds is not for iotpm to guess).
func (d *Data) ListedDevice(id []byte) (row DeviceRow, ok bool) {
	i, found := d.devices.Lookup(string(id))
	if !found || !d.listed[i] {
		return row, false
	}
	row = DeviceRow{Shipped: d.shipped[i], Retired: d.retired[i]}
	if c := d.customer[i]; c >= 0 {
		row.Customer = d.customers.Names[c]
	}
	if m := d.model[i]; m >= 0 {
		row.Model = d.models.Names[m]
	}
	if f := d.firmware[i]; f >= 0 {
		row.Firmware = d.versions.Names[f]
	}
	return row, true
}

// SetModel records a device's model value (the devices input's model
// column, e.g. a thing type or SKU); empty: none.
func (d *Data) SetModel(id, model []byte) {
	i := d.device(id)
	if len(model) == 0 {
		d.model[i] = -1
		return
	}
	d.model[i], _ = d.models.Index(model)
}

// SetUnlistedModel gives every device the devices input does not list
// the model value model: with no devices input, metrics.unmodelled names
// what all of the fleet's devices are (a LoRaWAN network server's uplinks
// alone, every sensor the profile that checks in). Call it after the
// last row is added.
func (d *Data) SetUnlistedModel(model []byte) {
	m, _ := d.models.Index(model)
	for i, listed := range d.listed {
		if !listed {
			d.model[i] = m
		}
	}
}

type segment struct {
	devs []int32
	vals []int64
}

// Reserve makes room for about n more events and m more activity rows, so
// appending millions of rows does not copy them over and over.
func (d *Data) Reserve(events, activity int) {
	d.evDev = slices.Grow(d.evDev, events)
	d.evKey = slices.Grow(d.evKey, events)
	d.actDev = slices.Grow(d.actDev, activity)
	d.actTS = slices.Grow(d.actTS, activity)
}

// ReserveOrdered makes room for n events that a sequence, sessions or the
// file's order orders (AddSequencedEvent, AddOrderedEvent), so that adding
// them does not copy them over and over as they grow.
func (d *Data) ReserveOrdered(n int) { d.seqEvents = slices.Grow(d.seqEvents, n) }

// OrderedChunks returns a Data for each chunk of an export read in
// parallel, for the chunk's ordered events (its own device numbers, d's
// session hashes): the k-th has room for sizes[k] events in a window of
// one array that d keeps, so that MergeOrdered, called in the chunks'
// order, moves them into place in that array — 10M events need no second
// array of 560 MB.
func (d *Data) OrderedChunks(sizes []int) []*Data {
	if d.sessSeed == (maphash.Seed{}) {
		d.sessSeed = maphash.MakeSeed()
	}
	total := 0
	for _, n := range sizes {
		total += n
	}
	var back []seqEvent
	if len(d.seqEvents) == 0 {
		back = make([]seqEvent, 0, total)
		d.seqEvents, d.orderedBack = back, back
	} else {
		// d has events (an earlier file's): the windows are arrays of
		// their own, and MergeOrdered appends them to d's; an array of
		// earlier windows is no longer where these go
		d.orderedBack = nil
	}
	out := make([]*Data, len(sizes))
	off := 0
	for k, n := range sizes {
		o := NewData()
		o.sessSeed = d.sessSeed
		if back != nil {
			o.orderedWindow = back[off : off : off+n]
		} else {
			o.orderedWindow = make([]seqEvent, 0, n)
		}
		o.seqEvents = o.orderedWindow
		off += n
		out[k] = o
	}
	return out
}

// OrderedPart returns a Data for the ordered events of one part of an
// export read in parallel in parts of unknown number (a compressed
// stream's blocks), with room for n: its own device numbers, d's session
// hashes (d is one of OrderedChunks', or has had its sessions seeded by
// it). MergeOrdered, called in the parts' order, appends them to d's. It
// only reads d: workers may call it at once.
func (d *Data) OrderedPart(n int) *Data {
	o := NewData()
	o.sessSeed = d.sessSeed
	o.seqEvents = make([]seqEvent, 0, n)
	return o
}

// MergeOrdered appends the ordered events of o (one of OrderedChunks' or
// OrderedPart's) after
// d's, renumbering its devices into d's; line is added to their line
// numbers (the chunk's are its own, from 1). Chunks merged in the file's
// order keep the order the events came in.
func (d *Data) MergeOrdered(o *Data, line int64) {
	src := o.seqEvents
	if len(src) == 0 {
		*o = Data{}
		return
	}
	m := d.DevicesFrom(&o.devices)
	n := len(d.seqEvents)
	// in place when the chunk's events are still in their window (a chunk
	// that outgrew it was moved by append) and d's are in the array of
	// the windows: the window starts at or after n, so each event is
	// read before anything is written over it
	inWindow := len(src) <= cap(o.orderedWindow) && cap(o.orderedWindow) > 0 && &src[0] == &o.orderedWindow[:1][0]
	shared := cap(d.orderedBack) > 0 && cap(d.seqEvents) == cap(d.orderedBack) && &d.seqEvents[:1][0] == &d.orderedBack[:1][0]
	var dst []seqEvent
	switch {
	case inWindow && shared:
		dst = d.seqEvents[:n+len(src)]
	case shared:
		// a chunk that outgrew its window: the windows after d's
		// events are the other chunks', not room to grow into
		dst = make([]seqEvent, n+len(src))
		copy(dst, d.seqEvents)
		d.orderedBack = nil
	default:
		// d's own array (or one of OrderedChunks' windows, merging
		// OrderedPart's): appended to, room doubling as it fills
		dst = slices.Grow(d.seqEvents, len(src))[:n+len(src)]
	}
	off := len(d.evBytes)
	for i, e := range src {
		e.dev = m[e.dev]
		e.off += off
		if e.line > 0 {
			e.line += line + d.lineBase
		}
		dst[n+i] = e
	}
	d.seqEvents = dst
	d.evBytes = append(d.evBytes, o.evBytes...)
	d.seqReset = max(d.seqReset, o.seqReset)
	d.seen(o.Earliest)
	d.seen(o.Latest)
	d.sorted = false
	*o = Data{}
}

// StartFile says that the rows added next come from the i-th file (0 the
// first) of an input read as many files: where the file's order decides
// between events at the same time, every event of a later file comes
// after those of an earlier one, as if the files were one (each file's
// lines are numbered from 1, below 2^40).
func (d *Data) StartFile(i int) { d.lineBase = int64(i) << 40 }

// EventKey packs a connection event as stored: ts·2 + state.
func EventKey(ts int64, state int) int64 { return ts*2 + int64(state&1) }

// AddEvent records a connection event.
func (d *Data) AddEvent(id []byte, ts int64, state int) {
	d.evDev = append(d.evDev, d.device(id))
	d.evKey = append(d.evKey, EventKey(ts, state))
	d.seen(ts)
	d.sorted = false
}

// AppendEvents records events in bulk: devs are indexes from DeviceIndex,
// keys come from EventKey, earliest and latest bound their timestamps. The
// slices are kept, not copied: the caller must not reuse them.
func (d *Data) AppendEvents(devs []int32, keys []int64, earliest, latest int64) {
	d.evSegs = append(d.evSegs, segment{devs, keys})
	if len(keys) > 0 {
		d.seen(earliest)
		d.seen(latest)
	}
	d.sorted = false
}

// seqEvent is a connection event with its sequence value (AWS
// versionNumber, Azure sequenceNumber) or its session. It holds no
// pointer, nor its session: AWS's are UUIDs, one a connection (half a
// million for a million events), which as strings or interned cost more
// than the events themselves and the garbage collector's time. A session
// is its 64-bit hash: two sessions of one device taken for one by a
// collision (about 1 in 10^17 for a device with a hundred) is a risk far
// below a lost row's. A sequence value of digits only is its number and
// length (which give its bytes back); another is in Data.evBytes.
type seqEvent struct {
	dev int32
	// seqLen is its sequence value's length; when it is not digits only,
	// its bytes are Data.evBytes[off:off+seqLen].
	seqLen uint32
	ts     int64
	// line is the row's line in its file (file order).
	line int64
	off  int
	// sessHash is its session's hash; 0: it names none.
	sessHash uint64
	// num is its sequence value as a number when digits says it is digits
	// only and fits 64 bits: read as the row is added, so that ordering
	// a device's events need not fetch their bytes.
	num    uint64
	digits bool
	state  int8
	// hasSeq: ordered by seq; else by time, ties by line (file order) or
	// disconnect first.
	hasSeq bool
}

// appendSeq appends e's sequence value to b.
func (e *seqEvent) appendSeq(b, evBytes []byte) []byte {
	if !e.digits {
		return append(b, evBytes[e.off:e.off+int(e.seqLen)]...)
	}
	var tmp [20]byte
	digits := strconv.AppendUint(tmp[:0], e.num, 10)
	for range int(e.seqLen) - len(digits) {
		b = append(b, '0') // its leading zeros
	}
	return append(b, digits...)
}

// sameSession reports whether a and b name the same session (or both none).
func sameSession(a, b *seqEvent) bool { return a.sessHash == b.sessHash }

// AddSequencedEvent records a connection event of an input with a sequence
// column; a device's events are ordered by sequence, not time (see Freeze).
// reset, when positive, is how long after the previous event a numeric
// sequence that drops starts over (AWS resets versionNumber to 0 after
// about an hour disconnected).
func (d *Data) AddSequencedEvent(id []byte, ts int64, state int, seq []byte, reset int64) {
	d.AddSequencedSessionEvent(id, ts, state, seq, reset, nil)
}

// AddSequencedSessionEvent is AddSequencedEvent for an event that names
// its session (nil: none); see AddOrderedEvent for what a session does.
func (d *Data) AddSequencedSessionEvent(id []byte, ts int64, state int, seq []byte, reset int64, session []byte) {
	d.AddSequencedSessionEventAt(d.device(id), ts, state, seq, reset, session)
}

// AddSequencedSessionEventAt is AddSequencedSessionEvent for a device
// DeviceHashed numbered.
func (d *Data) AddSequencedSessionEventAt(dev int32, ts int64, state int, seq []byte, reset int64, session []byte) {
	d.addSeqEvent(seqEvent{dev: dev, state: int8(state), hasSeq: true, ts: ts}, seq, session)
	d.seqReset = reset
	d.seen(ts)
	d.sorted = false
}

// DeviceHash, TouchDevice and DeviceHashed number many device ids
// together (a reader's batch of rows): first every id's hash, then a read
// of each one's table slot — independent loads, whose cache misses
// overlap — then the numbers, in the rows' order, as DeviceIndex would
// give them one after another.
func (d *Data) DeviceHash(id []byte) uint64 { return d.devices.Hash(id) }

// TouchDevice reads the table slot of a DeviceHash (see DeviceHash); the
// result is only for the caller to keep, so that the read is not dropped.
func (d *Data) TouchDevice(h uint64) uint8 { return d.devices.Touch(h) }

// DeviceHashed is DeviceIndex for an id and its DeviceHash.
func (d *Data) DeviceHashed(id []byte, h uint64) int32 {
	i, added := d.devices.IndexHashed(id, h)
	if added {
		d.addDevices(1)
	}
	return i
}

// AddOrderedEvent records a connection event of an input without a
// sequence whose order at equal times the file decides (fileOrder: line is
// the row's line) or whose events name their session (session non-nil).
// A disconnect that names a session other than the one of the device's
// latest connect ends nothing: it is the broker closing an old session
// after the device connected again (EMQX takeover, AWS DUPLICATE_CLIENTID),
// and is counted in StaleDisconnects.
func (d *Data) AddOrderedEvent(id []byte, ts int64, state int, line int64, fileOrder bool, session []byte) {
	d.AddOrderedEventAt(d.device(id), ts, state, line, fileOrder, session)
}

// AddOrderedEventAt is AddOrderedEvent for a device DeviceHashed numbered.
func (d *Data) AddOrderedEventAt(dev int32, ts int64, state int, line int64, fileOrder bool, session []byte) {
	if !fileOrder {
		line = 0
	} else {
		line += d.lineBase
	}
	d.addSeqEvent(seqEvent{dev: dev, state: int8(state), ts: ts, line: line}, nil, session)
	d.seen(ts)
	d.sorted = false
}

// addSeqEvent appends e with its sequence value and session (either
// may be empty).
func (d *Data) addSeqEvent(e seqEvent, seq, session []byte) {
	e.off, e.seqLen = len(d.evBytes), uint32(len(seq))
	e.num, e.digits = parseDigits(seq)
	if !e.digits {
		d.evBytes = append(d.evBytes, seq...)
	}
	if len(session) > 0 {
		if d.sessSeed == (maphash.Seed{}) {
			d.sessSeed = maphash.MakeSeed()
		}
		e.sessHash = max(maphash.Bytes(d.sessSeed, session), 1) // 0: none
	}
	d.seqEvents = append(d.seqEvents, e)
}

// AddActivity records an activity row (a message, a telemetry sample).
func (d *Data) AddActivity(id []byte, ts int64) {
	d.actDev = append(d.actDev, d.device(id))
	d.actTS = append(d.actTS, ts)
	d.seen(ts)
	d.sorted = false
}

// AppendActivity records activity rows in bulk, like AppendEvents.
func (d *Data) AppendActivity(devs []int32, ts []int64, earliest, latest int64) {
	d.actSegs = append(d.actSegs, segment{devs, ts})
	if len(ts) > 0 {
		d.seen(earliest)
		d.seen(latest)
	}
	d.sorted = false
}

// AddUsage records a feature-usage row.
func (d *Data) AddUsage(id []byte, ts int64) {
	i := d.device(id)
	d.usage[i] = append(d.usage[i], ts)
	d.seen(ts)
	d.sorted = false
}

// AddTicket records a support ticket.
func (d *Data) AddTicket(customer []byte, created int64) {
	c, _ := d.customers.Index(customer)
	d.tickets = append(d.tickets, Ticket{Customer: c, Created: created})
	d.seen(created)
}

// AddTicketRow records a row of a support ticket with its id: the rows of
// one customer's ticket id are one ticket (an export of a ticket's
// updates has a row each; two exports that overlap in time have the
// ticket in both), created at the earliest of their times; the rows after
// its first are counted in DuplicateTickets. An empty id is a ticket of
// its own (AddTicket).
func (d *Data) AddTicketRow(customer, id []byte, created int64) {
	if len(id) == 0 {
		d.AddTicket(customer, created)
		return
	}
	c, _ := d.customers.Index(customer)
	d.seen(created)
	if d.ticketAt == nil {
		d.ticketAt = map[ticketKey]int{}
	}
	k := ticketKey{c, string(id)}
	if i, ok := d.ticketAt[k]; ok {
		d.tickets[i].Created = min(d.tickets[i].Created, created)
		d.DuplicateTickets++
		return
	}
	d.ticketAt[k] = len(d.tickets)
	d.tickets = append(d.tickets, Ticket{Customer: c, Created: created})
}

// ticketKey is a ticket by its customer and id.
type ticketKey struct {
	customer int32
	id       string
}

// AddOTA records a job-execution row. Rows must come in file order: the
// latest row of a (device, job) decides its final status, and at equal
// timestamps the later row in the file wins.
func (d *Data) AddOTA(id, job []byte, class int, ts int64) {
	d.AddOTAVersion(id, job, class, ts, nil)
}

// AddOTAVersion is AddOTA with the job's target firmware version as the
// row gives it (empty: none).
func (d *Data) AddOTAVersion(id, job []byte, class int, ts int64, version []byte) {
	k := d.otaKey(id, job)
	if cur, ok := d.ota[k]; !ok || ts >= cur.ts {
		d.ota[k] = otaState{class: int32(class), ts: ts}
	}
	v := int32(-1)
	if len(version) > 0 {
		v, _ = d.versions.Index(version)
		d.HasVersions = true
	}
	d.otaRows = append(d.otaRows, otaRow{k, otaState{class: int32(class), ts: ts, version: v}})
	d.seen(ts)
}

// SetFirmware records a device's firmware version as the devices input
// gives it (a snapshot taken at the horizon); empty: none.
func (d *Data) SetFirmware(id, version []byte) {
	i := d.device(id)
	if len(version) == 0 {
		d.firmware[i] = -1
		return
	}
	d.firmware[i], _ = d.versions.Index(version)
	d.HasFirmware = true
}

// otaKey returns the key of a (device, job), adding either when new.
func (d *Data) otaKey(id, job []byte) otaKey {
	i := d.device(id)
	j, _ := d.jobs.Index(job)
	return otaKey{i, j}
}

// AddOTASnapshot records a job execution's state from a snapshot export
// (no timestamp): its final state as the export was taken, counted in any
// window. A later row of the same (device, job) wins.
func (d *Data) AddOTASnapshot(id, job []byte, class int) {
	k := d.otaKey(id, job)
	d.ota[k] = otaState{class: int32(class), ts: math.MaxInt64}
	if d.otaSnapshot == nil {
		d.otaSnapshot = map[otaKey]bool{}
	}
	d.otaSnapshot[k] = true
}

// Horizon returns H: asOf when set (not 0 or NoTime), else the latest row
// timestamp of the metrics inputs (events, activity, OTA, usage, tickets;
// not shipping or retirement dates, not snapshot rows); NoTime when there
// is no row.
func (d *Data) Horizon(asOf int64) int64 {
	if asOf != 0 && asOf != NoTime {
		return asOf
	}
	if d.Latest == math.MinInt64 {
		return NoTime
	}
	return d.Latest
}

// Devices is the number of distinct device ids seen.
func (d *Data) Devices() int { return d.devices.Len() }

// group moves staged rows into per-device slices that share one backing
// array (a counting sort by device), keeping rows grouped earlier.
func group(perDevice [][]int64, segs []segment) [][]int64 {
	total := 0
	var nonEmpty []segment
	for _, sg := range segs {
		total += len(sg.devs)
		if len(sg.devs) > 0 {
			nonEmpty = append(nonEmpty, sg)
		}
	}
	if total == 0 {
		return perDevice
	}
	if len(nonEmpty) == 1 && !slices.ContainsFunc(perDevice, func(s []int64) bool { return len(s) > 0 }) {
		return groupInPlace(len(perDevice), nonEmpty[0])
	}
	n := len(perDevice)
	offsets := make([]int, n+1)
	for i, s := range perDevice {
		offsets[i+1] = len(s)
	}
	for _, sg := range segs {
		for _, dv := range sg.devs {
			offsets[dv+1]++
		}
	}
	for i := range n {
		offsets[i+1] += offsets[i]
	}
	all := make([]int64, offsets[n])
	pos := make([]int, n)
	for i, s := range perDevice {
		pos[i] = offsets[i] + copy(all[offsets[i]:], s)
	}
	for _, sg := range segs {
		for j, dv := range sg.devs {
			all[pos[dv]] = sg.vals[j]
			pos[dv]++
		}
	}
	out := make([][]int64, n)
	for i := range n {
		out[i] = all[offsets[i]:offsets[i+1]:offsets[i+1]]
	}
	return out
}

// groupInPlace groups one segment by device within its own arrays, so
// 10M events need no second 80 MB array. It is a two-level American-flag
// sort: first into at most 256 buckets of device ranges (few write heads,
// cache-friendly), then each bucket by device (a bucket's rows fit in
// cache). The result's slices share sg.vals.
func groupInPlace(n int, sg segment) [][]int64 {
	devs, vals := sg.devs, sg.vals
	offsets := make([]int, n+1)
	for _, dv := range devs {
		offsets[dv+1]++
	}
	for i := range n {
		offsets[i+1] += offsets[i]
	}
	shift := uint(0)
	for (n-1)>>shift >= 256 {
		shift++
	}
	top := (n-1)>>shift + 1
	// level 1: bucket b holds devices [b<<shift, (b+1)<<shift)
	bounds := make([]int, top+1)
	for b := range top + 1 {
		bounds[b] = offsets[min(b<<shift, n)]
	}
	flagPermute(devs, vals, bounds, 0, shift)
	// level 2: within each bucket, by device; buckets are disjoint, so
	// the workers share them out
	workers := min(runtime.GOMAXPROCS(0), top)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := top * w / workers; b < top*(w+1)/workers; b++ {
				lo := b << shift
				hi := min((b+1)<<shift, n)
				flagPermute(devs, vals, offsets[lo:hi+1], int32(lo), 0)
			}
		})
	}
	wg.Wait()
	out := make([][]int64, n)
	for i := range n {
		out[i] = vals[offsets[i]:offsets[i+1]:offsets[i+1]]
	}
	return out
}

// flagPermute moves every row in [bounds[0], bounds[len-1]) into bucket
// (dev − base) >> shift, whose rows go in [bounds[k], bounds[k+1]): each
// swap places one row for good.
func flagPermute(devs []int32, vals []int64, bounds []int, base int32, shift uint) {
	next := slices.Clone(bounds[:len(bounds)-1])
	for k := range next {
		end := bounds[k+1]
		for i := next[k]; i < end; i = next[k] {
			t := int((devs[i] - base) >> shift)
			if t == k {
				next[k]++
				continue
			}
			j := next[t]
			next[t]++
			devs[i], devs[j] = devs[j], devs[i]
			vals[i], vals[j] = vals[j], vals[i]
		}
	}
}

// Freeze groups the rows by device and orders every device's events,
// activity and usage, dropping duplicate events; Compute calls it, and a
// reader calls it once reading ends to account for duplicates.
func (d *Data) Freeze() { d.sort() }

// sort groups staged rows by device and orders every device's events,
// activity and usage, in parallel. Duplicate events (same device, state
// and time — or sequence) are used once.
func (d *Data) sort() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sorted {
		return
	}
	d.events = group(d.events, append(d.evSegs, segment{d.evDev, d.evKey}))
	d.evDev, d.evKey, d.evSegs = nil, nil, nil
	d.activity = group(d.activity, append(d.actSegs, segment{d.actDev, d.actTS}))
	d.actDev, d.actTS, d.actSegs = nil, nil, nil
	d.orderSequenced()
	dups := make([]int, d.devices.Len())
	same := make([]int, d.devices.Len())
	parallel(d.devices.Len(), func(lo, hi int) {
		var ks keySorter
		for i := lo; i < hi; i++ {
			if !d.ordered[i] {
				ks.sort(d.events[i])
				n := len(d.events[i])
				d.events[i] = slices.Compact(d.events[i])
				dups[i] += n - len(d.events[i])
				evs := d.events[i]
				for k := 1; k < len(evs); k++ {
					if evs[k]>>1 == evs[k-1]>>1 {
						same[i]++
					}
				}
			}
			ks.sort(d.activity[i])
			ks.sort(d.usage[i])
		}
	})
	for _, n := range dups {
		d.DuplicateEvents += n
	}
	for i, n := range same {
		if n > 0 && d.SameInstant == 0 {
			d.SameInstantDevice = d.devices.Names[i]
			for k := 1; k < len(d.events[i]); k++ {
				if d.events[i][k]>>1 == d.events[i][k-1]>>1 {
					d.SameInstantAt = d.events[i][k] >> 1
					break
				}
			}
		}
		d.SameInstant += n
	}
	d.sorted = true
}

// orderSequenced turns the sequenced events into each device's event keys
// in sequence order:
//   - with a reset gap, events are first taken in time order and a numeric
//     sequence that drops after a gap of at least the reset starts a new
//     epoch (AWS versionNumber starts over after about an hour offline);
//   - within an epoch, by sequence: numerically when every value of the
//     device is digits only, else as byte strings; at equal sequence a
//     connect before a disconnect (AWS gives a session's connect and
//     disconnect the same versionNumber), then by time;
//   - a repeat of (epoch, sequence, state) is a duplicate: the earliest
//     copy is kept;
//   - each event's effective time is the maximum of its own timestamp and
//     the previous event's effective time.
func (d *Data) orderSequenced() {
	if len(d.ordered) < d.devices.Len() {
		d.ordered = append(d.ordered, make([]bool, d.devices.Len()-len(d.ordered))...)
	}
	if len(d.seqEvents) == 0 {
		return
	}
	evs, evBytes := d.seqEvents, d.evBytes
	d.seqEvents, d.evBytes = nil, nil
	perm, bounds := groupSeqEvents(evs, d.devices.Len())
	// the devices split among the workers by their events, each part
	// ordered on its own (a device's events are its part's alone); the
	// parts' tallies added up in device order, so the examples are the
	// first device's, as one pass would find them
	workers := max(1, min(runtime.GOMAXPROCS(0), len(evs)/orderParallelMin))
	tallies := make([]seqTally, workers)
	var wg sync.WaitGroup
	from := int32(0)
	for w := range workers {
		to := int32(len(bounds) - 1)
		if w < workers-1 {
			k, _ := slices.BinarySearch(bounds, len(evs)*(w+1)/workers)
			to = max(int32(k), from)
		}
		tally, lo, hi := &tallies[w], from, to
		from = to
		wg.Go(func() {
			var sc0 orderScratch
			for dev := lo; dev < hi; dev++ {
				if bounds[dev] == bounds[dev+1] {
					continue
				}
				own := sc0.evs[:0]
				for _, i := range perm[bounds[dev]:bounds[dev+1]] {
					own = append(own, evs[i])
				}
				sc0.evs = own
				keys, dups, sc := sc0.orderDevice(own, evBytes, d.seqReset)
				d.events[dev] = append(d.events[dev], keys...)
				d.ordered[dev] = true
				tally.add(d.devices.Names, dev, dups, sc)
			}
		})
	}
	wg.Wait()
	for _, t := range tallies {
		d.DuplicateEvents += t.dups
		d.StaleDisconnects += t.stale
		d.SessionChecked += t.checked
		if t.orphan > 0 && d.OrphanDisconnects == 0 {
			d.OrphanDevice, d.OrphanAt = d.devices.Names[t.orphanDev], t.orphanAt
		}
		d.OrphanDisconnects += t.orphan
		d.SequenceFollowing += t.following
		if t.back > 0 && (d.SequenceBack == 0 || earlierBack(t.backAt, t.backAfter, d.devices.Names[t.backDev], d.SequenceBackAt, d.SequenceBackAfter, d.SequenceBackDevice)) {
			d.SequenceBackDevice, d.SequenceBackAt, d.SequenceBackAfter = d.devices.Names[t.backDev], t.backAt, t.backAfter
		}
		d.SequenceBack += t.back
	}
}

// earlierBack orders the examples of a sequence going back: by the
// event's time, the latest time before it, then the device id's bytes.
func earlierBack(at, after int64, dev string, at2, after2 int64, dev2 string) bool {
	return cmp.Or(cmp.Compare(at, at2), cmp.Compare(after, after2), strings.Compare(dev, dev2)) < 0
}

// orderParallelMin is the fewest events a worker orders: fewer are
// ordered in one pass (a variable, for the tests to split small data).
var orderParallelMin = 50_000

// seqTally adds up what ordering devices' events found: sessionCount's
// counts and duplicates, with the first example of each kind and its
// device.
type seqTally struct {
	sessionCount
	dups               int
	orphanDev, backDev int32
}

func (t *seqTally) add(names []string, dev int32, dups int, sc sessionCount) {
	t.dups += dups
	t.stale += sc.stale
	t.checked += sc.checked
	if sc.orphan > 0 && t.orphan == 0 {
		t.orphanDev, t.orphanAt = dev, sc.orphanAt
	}
	t.orphan += sc.orphan
	t.following += sc.following
	if sc.back > 0 && (t.back == 0 || earlierBack(sc.backAt, sc.backAfter, names[dev], t.backAt, t.backAfter, names[t.backDev])) {
		t.backDev, t.backAt, t.backAfter = dev, sc.backAt, sc.backAfter
	}
	t.back += sc.back
}

// groupSeqEvents groups the events' indexes by device: device k's are
// perm[b[k]:b[k+1]], in the order the events were added (a counting sort,
// stable). The events stay where they are — moving 10M of them in place
// is a random read and write each, and loses their order — and each
// device's are gathered as it is ordered.
func groupSeqEvents(evs []seqEvent, devices int) (perm []uint32, bounds []int) {
	bounds = make([]int, devices+1)
	for k := range evs {
		bounds[evs[k].dev+1]++
	}
	for k := range devices {
		bounds[k+1] += bounds[k]
	}
	next := slices.Clone(bounds[:devices])
	perm = make([]uint32, len(evs))
	for k := range evs {
		dev := evs[k].dev
		perm[next[dev]] = uint32(k)
		next[dev]++
	}
	return perm, bounds
}

// orderScratch holds orderDevice's buffers from one device to the next.
type orderScratch struct {
	evs     []seqEvent
	seqs    []byte
	items   []seqItem
	ordered []seqEvent
	keys    []int64
}

// seqItem is an event with its sequence, as a number when every value of
// the device is digits only (else its bytes), and its epoch.
type seqItem struct {
	e     seqEvent
	seq   []byte
	num   uint64
	epoch int
}

// parseDigits reads a sequence value of digits only that fits 64 bits,
// as strconv.ParseUint(s, 10, 64) does.
func parseDigits(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// orderDevice orders one device's events (see orderSequenced); the keys
// are valid until the next call.
func (sc0 *orderScratch) orderDevice(evs []seqEvent, evBytes []byte, reset int64) (keys []int64, dups int, sc sessionCount) {
	if len(evs) > 0 && !evs[0].hasSeq {
		return sc0.orderByTime(evs)
	}
	numeric := true
	for k := range evs {
		numeric = numeric && evs[k].digits
	}
	var seqs []byte
	if !numeric {
		// every value's bytes, in one buffer that does not move
		need := 0
		for k := range evs {
			need += int(evs[k].seqLen)
		}
		seqs = slices.Grow(sc0.seqs[:0], need)
		sc0.seqs = seqs
	}
	items := sc0.items[:0]
	for _, e := range evs {
		it := seqItem{e: e, num: e.num}
		if !numeric {
			n := len(seqs)
			seqs = e.appendSeq(seqs, evBytes)
			it.seq, it.num = seqs[n:len(seqs):len(seqs)], 0
		}
		items = append(items, it)
	}
	sc0.items = items
	if numeric && reset > 0 {
		slices.SortStableFunc(items, func(a, b seqItem) int { return cmp.Compare(a.e.ts, b.e.ts) })
		epoch, maxSeq := 0, uint64(0)
		for k := range items {
			if k > 0 && items[k].num < maxSeq && items[k].e.ts-items[k-1].e.ts >= reset {
				epoch++
				maxSeq = 0
			}
			maxSeq = max(maxSeq, items[k].num)
			items[k].epoch = epoch
		}
	}
	slices.SortStableFunc(items, func(a, b seqItem) int {
		c := cmp.Compare(a.epoch, b.epoch)
		if c == 0 {
			if numeric {
				c = cmp.Compare(a.num, b.num)
			} else {
				c = bytes.Compare(a.seq, b.seq)
			}
		}
		return cmp.Or(c, cmp.Compare(b.e.state, a.e.state), cmp.Compare(a.e.ts, b.e.ts))
	})
	ordered := sc0.ordered[:0]
	for k, it := range items {
		if k > 0 {
			p := items[k-1]
			// digits only: the same number of the same length is the
			// same value ("07" is not "7")
			same := p.num == it.num && p.e.seqLen == it.e.seqLen
			if !numeric {
				same = bytes.Equal(p.seq, it.seq)
			}
			if p.epoch == it.epoch && same && p.e.state == it.e.state {
				dups++
				continue
			}
		}
		ordered = append(ordered, it.e)
	}
	sc0.ordered = ordered
	keys, sc = sessionKeys(ordered, sc0.keys[:0])
	sc0.keys = keys
	latest := int64(math.MinInt64)
	for k, e := range ordered {
		if k > 0 {
			sc.following++
			if e.ts < latest-SequenceTolerance {
				// the example: the earliest, as the database source picks it
				if sc.back == 0 || e.ts < sc.backAt || e.ts == sc.backAt && latest < sc.backAfter {
					sc.backAt, sc.backAfter = e.ts, latest
				}
				sc.back++
			}
		}
		latest = max(latest, e.ts)
	}
	return keys, dups, sc
}

// SequenceTolerance is how far a sequence may put an event before the
// time of one it orders earlier without counting as going back in time:
// a broker closing an old session stamps it seconds after the device
// connected again (AWS DUPLICATE_CLIENTID: 3 s), and clocks differ.
const SequenceTolerance = 60e6

// orderByTime orders the events of an input without a sequence: by time;
// at equal times by line when the file's order decides (line > 0), else a
// disconnect first, as for any event ordered by time. A repeat of (time,
// state, session) next to its copy is a duplicate.
func (sc0 *orderScratch) orderByTime(evs []seqEvent) (keys []int64, dups int, sc sessionCount) {
	slices.SortStableFunc(evs, func(a, b seqEvent) int {
		return cmp.Or(cmp.Compare(a.ts, b.ts), cmp.Compare(a.line, b.line), cmp.Compare(a.state, b.state))
	})
	ordered := sc0.ordered[:0]
	for k, e := range evs {
		if k > 0 {
			p := evs[k-1]
			if p.ts == e.ts && p.state == e.state && sameSession(&p, &e) {
				dups++
				continue
			}
		}
		ordered = append(ordered, e)
	}
	sc0.ordered = ordered
	keys, sc = sessionKeys(ordered, sc0.keys[:0])
	sc0.keys = keys
	return keys, dups, sc
}

// sessionCount is what sessionKeys found of a device's disconnects:
// stale ones, those compared with a current session (checked), and the
// stale ones whose session none of the device's connects names (orphan;
// orphanAt the first's time).
//
// Of a sequence, it also counts the events that follow another (following)
// and those stamped more than SequenceTolerance before the latest time
// before them (back; backAt that time, backAfter the latest).
type sessionCount struct {
	stale, checked, orphan int
	orphanAt               int64
	following, back        int
	backAt, backAfter      int64
}

// sessionKeys turns ordered events into keys, appended to keys: a
// disconnect that names a session other than the one of the device's
// latest connect ends nothing (counted stale); each event's effective
// time is the maximum of its own timestamp and the previous event's
// effective time.
func sessionKeys(evs []seqEvent, keys []int64) (_ []int64, sc sessionCount) {
	eff := int64(math.MinInt64)
	current := -1          // the latest connect that names a session
	var connected []uint64 // the hashes of the sessions the device's connects name, sorted; made at its first stale disconnect
	for k := range evs {
		e := &evs[k]
		if e.state == Connected {
			current = -1
			if e.sessHash != 0 {
				current = k
			}
		} else if e.sessHash != 0 && current >= 0 {
			sc.checked++
			if !sameSession(e, &evs[current]) {
				sc.stale++
				if connected == nil {
					connected = connectSessions(evs)
				}
				if _, found := slices.BinarySearch(connected, e.sessHash); !found {
					if sc.orphan == 0 {
						sc.orphanAt = e.ts
					}
					sc.orphan++
				}
				continue
			}
		}
		eff = max(eff, e.ts)
		keys = append(keys, EventKey(eff, int(e.state)))
	}
	return keys, sc
}

// connectSessions are the hashes of the sessions the connects of evs
// name, sorted.
func connectSessions(evs []seqEvent) []uint64 {
	out := []uint64{}
	for _, e := range evs {
		if e.state == Connected && e.sessHash != 0 {
			out = append(out, e.sessHash)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Join is how the device ids of one input match the devices input.
type Join struct {
	Input   InputKind // events, activity, ota, usage; tickets (by customer id)
	IDs     int       // distinct device (or customer) ids in the input
	Unknown int       // of those, not in the devices input
	// SampleUnknown is one id of the input not in the devices input;
	// SampleKnown one id of the devices input.
	SampleUnknown, SampleKnown string
	// CaseOnly counts the unknown ids that are a devices-input id but for
	// letter case (DRIP-000201, drip-000201): ids compare exactly, so an
	// export that changed their case splits one device in two.
	// CaseSample is one such pair: the input's id and the devices input's.
	CaseOnly   int
	CaseSample [2]string
	// FormOnly counts the other unknown ids that are a devices-input id
	// written otherwise (IDForm: case, separators, an "eui-" prefix);
	// FormSample is one such pair.
	FormOnly   int
	FormSample [2]string
}

// caseTwins finds ids that match a known id but for letter case, or but
// for how the id is written: separators, and LoRaWAN's "eui-" prefix.
type caseTwins struct {
	lower map[string]string // lower case → a known id
	form  map[string]string // IDForm → a known id
}

func newCaseTwins(known func(yield func(string) bool)) caseTwins {
	t := caseTwins{lower: map[string]string{}, form: map[string]string{}}
	for id := range known {
		if lower := strings.ToLower(id); lower != id || t.lower[lower] == "" {
			t.lower[lower] = id
		}
		if f := IDForm(id); f != "" && t.form[f] == "" {
			t.form[f] = id
		}
	}
	return t
}

// note counts id in j when it is a known id but for case, or else but
// for its form.
func (t caseTwins) note(j *Join, id string) {
	if twin, ok := t.lower[strings.ToLower(id)]; ok && twin != id {
		if j.CaseOnly == 0 {
			j.CaseSample = [2]string{id, twin}
		}
		j.CaseOnly++
		return
	}
	if f := IDForm(id); f != "" {
		if twin, ok := t.form[f]; ok && twin != id {
			if j.FormOnly == 0 {
				j.FormSample = [2]string{id, twin}
			}
			j.FormOnly++
		}
	}
}

// IDForm is an id as its ASCII letters and digits alone, in lower case
// (as internal/fleetdb's formExpr), without a
// leading "eui" before 16 hex digits (The Things Stack names a device
// eui-a8404141c1842b2f after its DevEUI A8-40-41-41-C1-84-2B-2F): two
// ids of one form are one device written two ways, most likely. "" for
// an id of fewer than 4 letters and digits, too short to say.
func IDForm(id string) string {
	b := make([]byte, 0, len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b = append(b, c)
		}
	}
	if len(b) == 19 && string(b[:3]) == "eui" && isHex(b[3:]) {
		b = b[3:]
	}
	if len(b) < 4 {
		return ""
	}
	return string(b)
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// firstListed is the first device id of the devices input ("": none).
func (d *Data) firstListed() string {
	for i, l := range d.listed {
		if l {
			return d.devices.Names[i]
		}
	}
	return ""
}

// Joins reports, for each input given besides devices, how many of its
// device ids the devices input lists (tickets: customer ids). Empty when
// the devices input was not given.
func (d *Data) Joins() []Join {
	if !d.Has.Devices {
		return nil
	}
	known := d.firstListed()
	var twins caseTwins // made when an id is unknown
	listedTwins := func() caseTwins {
		if twins.lower == nil {
			twins = newCaseTwins(func(yield func(string) bool) {
				for i, name := range d.devices.Names {
					if d.listed[i] && !yield(name) {
						return
					}
				}
			})
		}
		return twins
	}
	check := func(input InputKind, has func(i int) bool) Join {
		j := Join{Input: input, SampleKnown: known}
		for i := range d.devices.Names {
			if !has(i) {
				continue
			}
			j.IDs++
			if !d.listed[i] {
				if j.Unknown == 0 {
					j.SampleUnknown = d.devices.Names[i]
				}
				j.Unknown++
				listedTwins().note(&j, d.devices.Names[i])
			}
		}
		return j
	}
	var out []Join
	if d.Has.Events {
		d.sort()
		out = append(out, check(KindEvents, func(i int) bool { return len(d.events[i]) > 0 }))
	}
	if d.Has.Activity {
		d.sort()
		out = append(out, check(KindActivity, func(i int) bool { return len(d.activity[i]) > 0 }))
	}
	if d.Has.OTA {
		withOTA := make([]bool, d.devices.Len())
		for k := range d.ota {
			withOTA[k.device] = true
		}
		out = append(out, check(KindOTA, func(i int) bool { return withOTA[i] }))
	}
	if d.Has.Usage {
		out = append(out, check(KindUsage, func(i int) bool { return len(d.usage[i]) > 0 }))
	}
	if d.Has.Tickets {
		ofDevices := make([]bool, d.customers.Len())
		knownCustomer := ""
		for i, c := range d.customer {
			if c >= 0 && d.listed[i] {
				ofDevices[c] = true
				if knownCustomer == "" {
					knownCustomer = d.customers.Names[c]
				}
			}
		}
		inTickets := make([]bool, d.customers.Len())
		for _, t := range d.tickets {
			inTickets[t.Customer] = true
		}
		j := Join{Input: KindTickets, SampleKnown: knownCustomer}
		var customerTwins caseTwins
		for c, name := range d.customers.Names {
			if !inTickets[c] {
				continue
			}
			j.IDs++
			if !ofDevices[c] {
				if j.Unknown == 0 {
					j.SampleUnknown = name
				}
				j.Unknown++
				if customerTwins.lower == nil {
					customerTwins = newCaseTwins(func(yield func(string) bool) {
						for c, name := range d.customers.Names {
							if ofDevices[c] && !yield(name) {
								return
							}
						}
					})
				}
				customerTwins.note(&j, name)
			}
		}
		if knownCustomer != "" {
			out = append(out, j)
		}
	}
	if d.setupDevices.Len() > 0 {
		// the devices the onboarding rows name as set up
		j := Join{Input: KindOnboarding, SampleKnown: known}
		for _, name := range d.setupDevices.Names {
			j.IDs++
			if i, ok := d.devices.Lookup(name); !ok || !d.listed[i] {
				if j.Unknown == 0 {
					j.SampleUnknown = name
				}
				j.Unknown++
				listedTwins().note(&j, name)
			}
		}
		out = append(out, j)
	}
	return out
}

// Event is a connection event as the metrics use it: its effective time
// and state.
type Event struct {
	At    int64 // µs since the epoch
	State int   // Connected or Disconnected
}

// DeviceEvents returns a device's connection events in the order the
// metrics walk them (after ordering and dropping duplicates); nil for an
// unknown device.
func (d *Data) DeviceEvents(id string) []Event {
	d.sort()
	i, ok := d.devices.Lookup(id)
	if !ok {
		return nil
	}
	out := make([]Event, len(d.events[i]))
	for k, key := range d.events[i] {
		out[k] = Event{At: key >> 1, State: int(key & 1)}
	}
	return out
}

// DeviceActivity returns a device's activity times in order (µs).
func (d *Data) DeviceActivity(id string) []int64 {
	d.sort()
	i, ok := d.devices.Lookup(id)
	if !ok {
		return nil
	}
	return slices.Clone(d.activity[i])
}

// OTAState returns the final status class of a device's job execution.
func (d *Data) OTAState(id, job string) (class int, ok bool) {
	i, ok1 := d.devices.Lookup(id)
	j, ok2 := d.jobs.Lookup(job)
	if !ok1 || !ok2 {
		return 0, false
	}
	st, ok := d.ota[otaKey{i, j}]
	return int(st.class), ok
}
