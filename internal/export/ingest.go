package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// Input is one export to read: its kind, path and explicit column mapping
// (canonical name → header name).
type Input struct {
	Kind string
	Path string
	Map  map[string]string
}

// Stats accounts for every row of one input: used, skipped (with reason)
// or outside the span any metric looks at.
type Stats struct {
	Kind    string
	Path    string
	Read    int
	Used    int
	Outside int
	Skipped map[string]int
	// Errors holds the first bad rows, for reporting.
	Errors []*RowError
}

// SkippedTotal is the number of skipped rows.
func (s *Stats) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// SkipReasons lists the reasons, sorted.
func (s *Stats) SkipReasons() []string {
	var out []string
	for r := range s.Skipped {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// MaxListedErrors is how many bad rows are kept for the error listing.
const MaxListedErrors = 20

// Ingest reads exports into metrics.Data.
type Ingest struct {
	Data   *metrics.Data
	Window metrics.Window
	// UseUntil bounds the timestamps of events and activity that any metric
	// looks at (the window's end, or later when activation looks past it).
	UseUntil int64
	// Progress, when set, is called now and then with bytes read and size.
	Progress func(kind string, read, size int64)
}

// Schemas by input kind.
var Schemas = map[string]Schema{
	"devices": DevicesSchema, "events": EventsSchema, "ota": OTASchema,
	"activity": ActivitySchema, "tickets": TicketsSchema, "usage": UsageSchema,
}

// Read reads one input and records in Data that it was given. A file or
// header problem is an error; bad rows are counted in Stats and do not stop
// the reading.
func (g *Ingest) Read(in Input) (*Stats, error) {
	st, err := g.read(in)
	if err != nil {
		return nil, err
	}
	has := &g.Data.Has
	switch in.Kind {
	case "devices":
		has.Devices = true
	case "events":
		has.Events = true
	case "ota":
		has.OTA = true
	case "activity":
		has.Activity = true
	case "tickets":
		has.Tickets = true
	case "usage":
		has.Usage = true
	}
	return st, nil
}

func (g *Ingest) read(in Input) (*Stats, error) {
	schema, ok := Schemas[in.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown input kind %q", in.Kind)
	}
	r, err := Open(in.Path, 0)
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return nil, re
		}
		reason := err.Error()
		if errors.Is(err, os.ErrNotExist) {
			reason = "no such file"
		}
		return nil, &RowError{Path: in.Path, Reason: strings.TrimPrefix(reason, in.Path+" ")}
	}
	defer r.Close()
	idx, err := r.Resolve(schema, in.Map)
	if err != nil {
		return nil, err
	}
	if (in.Kind == "events" || in.Kind == "activity") && r.counter != nil && len(r.closers) == 1 {
		st, ok, err := g.readParallel(in.Path, r.Header, r.Delim, idx, in.Kind)
		if err != nil {
			return nil, err
		}
		if ok {
			return st, nil
		}
		// not safely splittable: read sequentially, with room reserved
		if in.Kind == "events" {
			g.Data.Reserve(int(r.size/32), 0)
		} else {
			g.Data.Reserve(0, int(r.size/32))
		}
	}
	st := &Stats{Kind: in.Kind, Path: in.Path, Skipped: map[string]int{}}
	bad := func(key, format string, args ...any) {
		st.Skipped[key]++
		if len(st.Errors) < MaxListedErrors {
			st.Errors = append(st.Errors, &RowError{Path: r.Path, Line: r.Line(), Reason: fmt.Sprintf(format, args...)})
		}
	}
	d, w := g.Data, g.Window
	ncols := len(r.Header)
	col := func(fields [][]byte, c int) []byte {
		if idx[c] < 0 {
			return nil
		}
		return fields[idx[c]]
	}
	start := time.Now()
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				st.Read++
				bad("unclosed quote", "%s", re.Reason)
				break
			}
			return nil, err
		}
		st.Read++
		if g.Progress != nil && st.Read&0xFFFF == 0 && time.Since(start) > time.Second {
			read, size := r.Progress()
			g.Progress(in.Kind, read, size)
		}
		if len(fields) != ncols {
			bad("wrong field count", "%s", fieldCountReason(len(fields), ncols))
			continue
		}
		id := col(fields, 0)
		if len(id) == 0 {
			bad("empty "+schema.Columns[0].Name, "empty %s", schema.Columns[0].Name)
			continue
		}
		switch in.Kind {
		case "devices":
			ts, err := ParseTimestamp(col(fields, 1))
			if err != nil {
				bad("unparseable timestamp", "unparseable shipped_at %q", col(fields, 1))
				continue
			}
			d.AddDevice(id, ts, trimSpace(col(fields, 2)))
			st.Used++
		case "events":
			ts, err := ParseTimestamp(fields[idx[1]])
			if err != nil {
				bad("unparseable timestamp", "unparseable timestamp %q", fields[idx[1]])
				continue
			}
			ev, ok := eventValue(fields[idx[2]])
			if !ok {
				bad("unknown event value", "unknown event value %q (expected connected or disconnected)", fields[idx[2]])
				continue
			}
			d.AddEvent(id, ts, ev)
			g.count(st, ts < g.UseUntil)
		case "activity":
			ts, err := ParseTimestamp(fields[idx[1]])
			if err != nil {
				bad("unparseable timestamp", "unparseable timestamp %q", fields[idx[1]])
				continue
			}
			d.AddActivity(id, ts)
			g.count(st, ts < g.UseUntil)
		case "usage":
			ts, err := ParseTimestamp(fields[idx[2]])
			if err != nil {
				bad("unparseable timestamp", "unparseable timestamp %q", fields[idx[2]])
				continue
			}
			d.AddUsage(id, ts)
			g.count(st, ts >= w.From && ts < w.To)
		case "tickets":
			ts, err := ParseTimestamp(fields[idx[1]])
			if err != nil {
				bad("unparseable timestamp", "unparseable created_at %q", fields[idx[1]])
				continue
			}
			d.AddTicket(id, ts)
			g.count(st, ts >= w.From && ts < w.To)
		case "ota":
			ts, err := ParseTimestamp(fields[idx[3]])
			if err != nil {
				bad("unparseable timestamp", "unparseable timestamp %q", fields[idx[3]])
				continue
			}
			class, ok := ParseOTAStatus(fields[idx[2]])
			if !ok {
				bad("unknown status value", "unknown status %q (expected SUCCEEDED, FAILED, TIMED_OUT, REJECTED, CANCELED, REMOVED, QUEUED or IN_PROGRESS)", fields[idx[2]])
				continue
			}
			job := fields[idx[1]]
			if len(job) == 0 {
				bad("empty job_id", "empty job_id")
				continue
			}
			d.AddOTA(id, job, class, ts)
			g.count(st, ts >= w.From && ts < w.To)
		}
	}
	if g.Progress != nil && time.Since(start) > time.Second {
		read, size := r.Progress()
		g.Progress(in.Kind, read, size)
	}
	return st, nil
}

func (g *Ingest) count(st *Stats, used bool) {
	if used {
		st.Used++
	} else {
		st.Outside++
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
