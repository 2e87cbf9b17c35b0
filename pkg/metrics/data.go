// Package metrics computes a connected product's core fleet metrics —
// connectivity uptime, monthly active devices, activation rate, OTA success
// rate and customer health — from the rows of device-platform exports, with
// the exact definitions the README states.
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
	"math"
	"slices"
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

type otaState struct {
	class int
	ts    int64
}

// Data is everything read from the exports, indexed by device. Build it
// with the Add methods, in file order.
type Data struct {
	ids      map[string]int32
	names    []string
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
	customer []int32

	customerIDs   map[string]int32
	customerNames []string
	tickets       []Ticket

	jobIDs   map[string]int32
	jobNames []string
	ota      map[otaKey]otaState

	// Has records which inputs were given.
	Has struct{ Devices, Events, Activity, OTA, Tickets, Usage bool }
	// Earliest and Latest are the extreme timestamps seen in any input.
	Earliest, Latest int64

	sorted bool
}

// NewData returns an empty Data.
func NewData() *Data {
	return &Data{ids: map[string]int32{}, customerIDs: map[string]int32{}, jobIDs: map[string]int32{},
		ota: map[otaKey]otaState{}, Earliest: math.MaxInt64, Latest: math.MinInt64}
}

// DeviceIndex returns the index of a device id, adding it when new.
func (d *Data) DeviceIndex(b []byte) int32 { return d.device(b) }

// device returns the index of a device id, adding it when new. Looking up
// with string(b) does not allocate; only a new id is copied.
func (d *Data) device(b []byte) int32 {
	if i, ok := d.ids[string(b)]; ok {
		return i
	}
	i := int32(len(d.names))
	s := string(b)
	d.ids[s] = i
	d.names = append(d.names, s)
	d.events = append(d.events, nil)
	d.activity = append(d.activity, nil)
	d.usage = append(d.usage, nil)
	d.shipped = append(d.shipped, NoTime)
	d.customer = append(d.customer, -1)
	return i
}

func (d *Data) seen(ts int64) {
	d.Earliest = min(d.Earliest, ts)
	d.Latest = max(d.Latest, ts)
}

// AddDevice records a row of devices.csv; customer may be empty.
func (d *Data) AddDevice(id []byte, shipped int64, customer []byte) {
	i := d.device(id)
	d.shipped[i] = shipped
	if len(customer) > 0 {
		c, ok := d.customerIDs[string(customer)]
		if !ok {
			c = int32(len(d.customerNames))
			d.customerIDs[string(customer)] = c
			d.customerNames = append(d.customerNames, string(customer))
		}
		d.customer[i] = c
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
	c, ok := d.customerIDs[string(customer)]
	if !ok {
		c = int32(len(d.customerNames))
		d.customerIDs[string(customer)] = c
		d.customerNames = append(d.customerNames, string(customer))
	}
	d.tickets = append(d.tickets, Ticket{Customer: c, Created: created})
	d.seen(created)
}

// AddOTA records a job-execution row. Rows must come in file order: the
// latest row of a (device, job) decides its final status, and at equal
// timestamps the later row in the file wins.
func (d *Data) AddOTA(id, job []byte, class int, ts int64) {
	i := d.device(id)
	j, ok := d.jobIDs[string(job)]
	if !ok {
		j = int32(len(d.jobNames))
		d.jobIDs[string(job)] = j
		d.jobNames = append(d.jobNames, string(job))
	}
	k := otaKey{i, j}
	if cur, ok := d.ota[k]; !ok || ts >= cur.ts {
		d.ota[k] = otaState{class: class, ts: ts}
	}
	d.seen(ts)
}

// Devices is the number of distinct device ids seen.
func (d *Data) Devices() int { return len(d.names) }

// group moves staged rows into per-device slices that share one backing
// array (a counting sort by device), keeping rows grouped earlier.
func group(perDevice [][]int64, segs []segment) [][]int64 {
	total := 0
	for _, sg := range segs {
		total += len(sg.devs)
	}
	if total == 0 {
		return perDevice
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

// sort groups staged rows by device and orders every device's events,
// activity and usage, in parallel.
func (d *Data) sort() {
	if d.sorted {
		return
	}
	d.events = group(d.events, append(d.evSegs, segment{d.evDev, d.evKey}))
	d.evDev, d.evKey, d.evSegs = nil, nil, nil
	d.activity = group(d.activity, append(d.actSegs, segment{d.actDev, d.actTS}))
	d.actDev, d.actTS, d.actSegs = nil, nil, nil
	parallel(len(d.names), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			slices.Sort(d.events[i])
			slices.Sort(d.activity[i])
			slices.Sort(d.usage[i])
		}
	})
	d.sorted = true
}
