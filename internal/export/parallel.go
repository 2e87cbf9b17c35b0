package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotpm/iotpm/internal/hugemem"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// The events and activity exports are the big ones (millions of rows), and
// the order of their rows does not matter: iotpm sorts them by device and
// time. So an uncompressed one is split at line boundaries into one chunk
// per CPU, parsed in parallel with worker-local device tables, and merged
// (with one CPU, one chunk).
// A quoted field that spans lines makes the split unsafe; a worker that
// meets one gives up and the file is read again sequentially.

var errSplitUnsafe = errors.New("a quoted field spans lines")

// parallelMinSize is the size from which a file is read in parallel
// chunks: a smaller one reads in a few milliseconds anyway.
const parallelMinSize = 8 << 20

type chunk struct {
	start, end int64
	lines      int          // physical lines in the chunk
	scanned    atomic.Int64 // bytes of the chunk read so far, for progress

	ids      metrics.Interner // the chunk's own device numbers
	backOff  int              // where devs and vals start in the shared backing arrays
	devs     []int32
	vals     []int64
	earliest int64
	latest   int64
	busy     Busy // the chunk's own, or'ed into the input's

	read, used, outside int
	notes               TimeNotes
	skipped             map[RowKind]int
	ignored             map[string]int
	errs                []*RowError // line numbers relative to the chunk (the file's, streamed)
	err                 error
	// firstSeen is the line where each of ids first appeared (streamed).
	firstSeen []int
	// setup holds an onboarding chunk's rows (nil for the other kinds).
	setup *metrics.Data
	// ordered holds the events of an input whose events are ordered by a
	// sequence, sessions or the file's order (nil otherwise).
	ordered *metrics.Data
}

// count adds the chunk's accounting (not its listed errors, whose lines
// each reader numbers its own way) to st.
func (c *chunk) count(st *Stats) {
	st.Read += c.read
	st.Used += c.used
	st.Outside += c.outside
	st.merge(c.notes)
	for k, v := range c.skipped {
		st.Skipped[k] += v
	}
	for k, v := range c.ignored {
		st.Ignored[k] += v
	}
	if c.used+c.outside > 0 {
		st.widen(c.earliest, c.latest)
	}
	st.Busy.or(c.busy)
}

// numbering maps the chunk's own device numbers to d's, adding the
// devices d does not know yet in the chunk's order; nil when they are
// already d's (the first chunk into an empty d).
func (c *chunk) numbering(d *metrics.Data) []int32 {
	global := d.DevicesFrom(&c.ids)
	same := true
	for i, g := range global {
		same = same && g == int32(i)
	}
	if same {
		return nil
	}
	return global
}

// renumber applies a numbering to the chunk's rows.
func (c *chunk) renumber(global []int32) {
	for j, dv := range c.devs {
		c.devs[j] = global[dv]
	}
}

// readParallel reads an events, activity or onboarding export in parallel
// into st: a CSV file, or a JSON Lines file whose keys (json) a first pass
// found. ok is false when the file cannot be split safely; the caller then
// reads it sequentially.
func (g *Ingest) readParallel(ctx context.Context, path string, b *Binding, delim byte, json []string, st *Stats) (bool, error) {
	kind := b.Format.Kind
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, err
	}
	size := info.Size()
	// one core (a CI container limited to one CPU) reads it in one
	// chunk the same way: whole blocks parsed in place read 15–35% faster
	// than the line reader, which copies each line, and hold no second
	// copy of the rows (BenchmarkIngestPerRow, procs=1)
	workers := max(runtime.GOMAXPROCS(0), 1)
	if size < parallelMinSize {
		return false, nil
	}
	bounds, avg, ok, err := splitFile(f, size, workers, json == nil)
	if !ok || err != nil {
		return false, err
	}

	// Every chunk appends into its own window of one backing array, so
	// that after parsing the rows can be made contiguous in place and
	// grouped by device in place (no second copy of 10M events).
	chunks := make([]*chunk, workers)
	ests := make([]int, workers)
	total := 0
	for w := range workers {
		ests[w] = int(float64(bounds[w+1]-bounds[w])/avg*1.02) + 1024
		total += ests[w]
	}
	setup, rows := kind == planfile.KindOnboarding, total
	ordered := kind == planfile.KindEvents && b.orderedEvents()
	if setup || ordered {
		total = 0 // rows go to each chunk's own Data
	}
	var orderedChunks []*metrics.Data
	if ordered {
		orderedChunks = g.Data.OrderedChunks(ests)
	}
	backDevs, backVals := make([]int32, total), make([]int64, total)
	hugemem.Advise(backDevs)
	hugemem.Advise(backVals)
	var wg sync.WaitGroup
	off := 0
	for w := range workers {
		c := &chunk{start: bounds[w], end: bounds[w+1], skipped: map[RowKind]int{}, ignored: map[string]int{},
			earliest: math.MaxInt64, latest: math.MinInt64, busy: st.Busy.fresh()}
		est, grow := ests[w], 0
		if setup {
			c.setup = metrics.NewData()
			c.setup.SetFunnel(g.Funnel)
			c.setup.ExpectSetupRows(est)
			grow = est
			if w == 0 {
				// the merge takes the first chunk's rows whole and appends
				// the others' after them: room for all of them here, so
				// that the merge never copies the first chunk's rows
				grow = rows
			}
			est = 0
		}
		if ordered {
			c.ordered, est = orderedChunks[w], 0
		}
		c.devs, c.vals = backDevs[off:off:off+est], backVals[off:off:off+est]
		c.backOff = off
		off += est
		chunks[w] = c
		wg.Go(func() {
			if grow > 0 {
				c.setup.GrowSetup(grow) // in the worker: clearing the room takes time too
			}
			c.err = g.parseChunk(ctx, f, c, b, delim, json)
		})
	}
	stop := g.watchProgress(kind, func() (int64, int64) {
		var n int64
		for _, c := range chunks {
			n += c.scanned.Load()
		}
		return n, size
	})
	wg.Wait()
	stop()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	for _, c := range chunks {
		if errors.Is(c.err, errSplitUnsafe) {
			return false, nil
		}
		if c.err != nil {
			return false, c.err
		}
	}

	first := 2 // the first data line, after the header
	if json != nil {
		first = 1
	}
	g.mergeChunks(chunks, st, kind, first, backDevs, backVals)
	return true, nil
}

// splitFile cuts a file into one chunk a worker at line boundaries after
// the header (JSON Lines, which has none: from the first byte, after a
// byte-order mark): the chunks' bounds, and the mean line length of the
// first MiB to size them. ok is false when it cannot be cut safely (no
// newline in reach, a quote in the header).
func splitFile(f *os.File, size int64, workers int, header bool) (bounds []int64, avg float64, ok bool, err error) {
	head := make([]byte, min(size, 1<<20))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, false, err
	}
	var dataStart int64
	if header {
		// the data starts after the header's first newline (after a BOM)
		nl := bytes.IndexByte(head, '\n')
		if nl < 0 || bytes.IndexByte(head[:nl], '"') >= 0 {
			return nil, 0, false, nil
		}
		dataStart = int64(nl + 1)
	} else if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		dataStart = 3
	}
	bounds = []int64{dataStart}
	buf := make([]byte, 1<<16)
	for w := 1; w < workers; w++ {
		at := dataStart + (size-dataStart)*int64(w)/int64(workers)
		n, _ := f.ReadAt(buf, at)
		k := bytes.IndexByte(buf[:n], '\n')
		if k < 0 {
			return nil, 0, false, nil
		}
		bounds = append(bounds, at+int64(k)+1)
	}
	bounds = append(bounds, size)
	body := head[dataStart:]
	avg = max(float64(dataStart), 16)
	if k := bytes.Count(body, []byte{'\n'}); k > 10 {
		avg = float64(len(body)) / float64(k)
	}
	return bounds, avg, true, nil
}

// mergeChunks hands the chunks' rows to Data in file order (line: the
// first chunk's first line): their counts
// and errors (lines renumbered), their devices renumbered, their windows
// of the backing arrays closed up into one segment (setup rows merged
// instead).
func (g *Ingest) mergeChunks(chunks []*chunk, st *Stats, kind planfile.InputKind, line int, backDevs []int32, backVals []int64) {
	setup := kind == planfile.KindOnboarding
	d := g.Data
	var renumber sync.WaitGroup
	for _, c := range chunks {
		c.count(st)
		for _, e := range c.errs {
			e.Line += line - 1
			if len(st.Errors) < MaxListedErrors {
				st.Errors = append(st.Errors, e)
			}
		}
		if c.ordered != nil {
			d.MergeOrdered(c.ordered, int64(line-1))
		}
		line += c.lines
		if setup || c.ordered != nil {
			if setup {
				d.MergeSetup(c.setup)
			}
			continue
		}
		// the numbers are d's in chunk order (the order the sequential
		// reader gives); rewriting the rows is each chunk's own. The first
		// chunk into a d without devices gives d its table.
		if d.AdoptDevices(&c.ids) {
			continue
		}
		if global := c.numbering(d); global != nil {
			renumber.Go(func() { c.renumber(global) })
		}
	}
	renumber.Wait()
	if setup || chunks[0].ordered != nil {
		return
	}
	// Close the gaps between the chunks' windows (copy is a memmove) and
	// hand over one segment; a chunk that outgrew its window was moved by
	// append, and is handed over as its own segment.
	n := 0
	var earliest, latest int64 = math.MaxInt64, math.MinInt64
	var spilled []*chunk
	for _, c := range chunks {
		if len(c.vals) > 0 && &c.vals[0] != &backVals[c.backOff] || len(c.devs) > 0 && &c.devs[0] != &backDevs[c.backOff] {
			spilled = append(spilled, c)
			continue
		}
		copy(backDevs[n:], c.devs)
		copy(backVals[n:], c.vals)
		n += len(c.vals)
		earliest, latest = min(earliest, c.earliest), max(latest, c.latest)
	}
	add := d.AppendEvents
	if kind != planfile.KindEvents {
		add = d.AppendActivity
	}
	add(backDevs[:n:n], backVals[:n:n], earliest, latest)
	for _, c := range spilled {
		add(c.devs, c.vals, c.earliest, c.latest)
	}
}

// Progress of a parallel read is reported from the first progressAfter,
// every progressEvery (variables: a test shortens them).
var progressAfter, progressEvery = time.Second, 250 * time.Millisecond

// watchProgress reports a parallel read's progress to g.Progress while it
// runs (at gives the bytes read so far and the size); stop ends it and
// waits for the reporter. Without g.Progress it does nothing.
func (g *Ingest) watchProgress(kind planfile.InputKind, at func() (read, size int64)) (stop func()) {
	if g.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := g.progressStart()
	wg.Go(func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if time.Since(start) >= progressAfter {
					read, size := at()
					g.Progress(kind, read, size)
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// parseChunk parses the lines of one chunk of the file.
func (g *Ingest) parseChunk(ctx context.Context, f *os.File, c *chunk, b *Binding, delim byte, json []string) error {
	p := newLineParser(g, c, b, delim, f.Name())
	if json != nil {
		p.json = newJSONLine(json)
	}
	return eachBlock(ctx, f, c.start, c.end, &c.scanned, func(block []byte) error {
		return p.lines(block, c.lines+1)
	})
}

// eachBlock reads the bytes [start, end) of f, which begin at the start of
// a line, and calls fn with them in blocks of whole lines (the last block
// may end without a newline), adding to scanned as it reads.
func eachBlock(ctx context.Context, f *os.File, start, end int64, scanned *atomic.Int64, fn func(block []byte) error) error {
	// the buffer's first fill faults it in: in 4 KB pages 1,024 faults,
	// ~10 µs each in a virtual machine
	buf := make([]byte, 4<<20)
	hugemem.Advise(buf)
	carried := 0 // bytes of an unfinished line kept at the front of buf
	pos := start
	for pos < end || carried > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if carried == len(buf) {
			buf = append(buf, make([]byte, len(buf))...) // a line longer than the buffer
		}
		n := 0
		if pos < end {
			want := min(int64(len(buf)-carried), end-pos)
			m, err := f.ReadAt(buf[carried:carried+int(want)], pos)
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			n = m
			pos += int64(m)
			scanned.Add(int64(m))
			if m == 0 {
				pos = end
			}
		}
		data := buf[:carried+n]
		carried = 0
		if pos < end {
			// whole lines now, the unfinished one next time
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 {
				carried = len(data)
				continue
			}
			rest := data[k+1:]
			if err := fn(data[:k+1]); err != nil {
				return err
			}
			carried = copy(buf, rest)
			continue
		}
		if err := fn(data); err != nil {
			return err
		}
	}
	return nil
}

// lineParser decodes whole lines of a split export into a chunk.
type lineParser struct {
	g      *Ingest
	c      *chunk
	b      *Binding
	delim  byte
	ncols  int
	events bool
	path   string
	fields [][]byte
	rec    decoded
	line   int // the line being parsed
	// firstSeen, when set, records the line of each new device id.
	firstSeen *[]int
	// pending: the rows whose device ids are looked up together (see
	// lookup), with their lines and places in c.devs.
	pending []pendingID
	sink    uint8
	// prevID and prevDV: the last looked-up row's id and number. prevID
	// points into the data a call of lines parses: nil once it returns.
	prevID []byte
	prevDV int32
	// setup: the onboarding rows added together (they point into the data
	// a call of lines parses: flushed before it returns).
	setup setupBatch
	// ordered: the events a sequence, sessions or the file's order orders,
	// added together (addOrdered; flushed before lines returns, as they
	// point into its data).
	ordered []pendingEvent
	// json, for a JSON Lines file, flattens each line's object.
	json *jsonLine
}

// pendingID is a row waiting for its device number; same: its id is the
// row before's.
type pendingID struct {
	id        []byte
	hash      uint64
	line, pos int
	same      bool
}

// lookupBatch is how many rows' device ids are looked up together: enough
// to keep the cache misses of a large device table in flight at once.
const lookupBatch = 32

// lookup numbers the pending rows' device ids: first every id's hash and
// a read of its slot (independent loads, whose misses overlap), then the
// lookups proper, in row order — the numbers, and the lines of new ids,
// are those one lookup after another gives. A row with the row before's
// id (an export grouped by device: nearly every row) takes its number
// without a lookup.
func (p *lineParser) lookup() {
	ids := &p.c.ids
	last := p.prevID
	for i := range p.pending {
		x := &p.pending[i]
		if x.same = last != nil && string(x.id) == string(last); !x.same {
			x.hash = ids.Hash(x.id)
		}
		last = x.id
	}
	// the reads in a loop of their own, a few instructions each: the
	// processor has them all in flight at once (with the hashing between
	// them, only the few that fit in its reorder window)
	sink := p.sink
	for i := range p.pending {
		if x := &p.pending[i]; !x.same {
			sink |= ids.Touch(x.hash)
		}
	}
	p.sink = sink
	for _, x := range p.pending {
		if !x.same {
			var added bool
			p.prevDV, added = ids.IndexHashed(x.id, x.hash)
			if added && p.firstSeen != nil {
				*p.firstSeen = append(*p.firstSeen, x.line)
			}
		}
		p.c.devs[x.pos] = p.prevDV
	}
	p.prevID = last
	p.pending = p.pending[:0]
}

// pendingEvent is an ordered event waiting for its device's number.
type pendingEvent struct {
	id, seq, session []byte
	ts, line         int64
	hash             uint64
	value            int
}

// addOrdered adds the pending ordered events to the chunk's Data in their
// order, their device ids looked up together as lookup does: every hash
// and a read of its slot first, so that the cache misses of a large
// device table overlap.
func (p *lineParser) addOrdered() {
	d := p.c.ordered
	for i := range p.ordered {
		p.ordered[i].hash = d.DeviceHash(p.ordered[i].id)
	}
	sink := p.sink
	for i := range p.ordered {
		sink |= d.TouchDevice(p.ordered[i].hash)
	}
	p.sink = sink
	for i := range p.ordered {
		e := &p.ordered[i]
		addOrderedAt(p.b, d, d.DeviceHashed(e.id, e.hash), e.ts, e.value, e.line, e.seq, e.session)
	}
	p.ordered = p.ordered[:0]
}

func newLineParser(g *Ingest, c *chunk, b *Binding, delim byte, path string) *lineParser {
	b = b.forWorker()
	return &lineParser{g: g, c: c, b: b, delim: delim, ncols: len(b.Header), events: b.Format.Kind == planfile.KindEvents, path: path,
		fields: make([][]byte, 0, len(b.Header)+1)}
}

func (p *lineParser) bad(kind RowKind, reason string) {
	c := p.c
	c.skipped[kind]++
	if len(c.errs) < MaxListedErrors {
		c.errs = append(c.errs, &RowError{Path: p.path, Line: p.line, Kind: kind, Reason: reason})
	}
}

// lines parses data, whole lines (the last may lack its newline), the
// first of which is line first (numbered as the caller numbers them).
func (p *lineParser) lines(data []byte, first int) error {
	c, b, delim := p.c, p.b, p.delim
	p.line = first - 1
	for len(data) > 0 {
		k := bytes.IndexByte(data, '\n')
		if k < 0 {
			k = len(data) // the file's last line has no newline
		}
		line := data[:k]
		if k < len(data) {
			data = data[k+1:]
		} else {
			data = nil
		}
		c.lines++
		p.line++
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			continue
		}
		var fields [][]byte
		if p.json != nil {
			// JSON Lines: white space around an object is no row
			if line = bytes.Trim(line, " \t\r"); len(line) == 0 {
				continue
			}
			c.read++
			var ok bool
			if fields, ok = p.json.row(line); !ok {
				return errSplitUnsafe // jsonCSV reads it, and says what is wrong
			}
		} else {
			c.read++
			var ok bool
			if fields, ok = splitPlain(line, delim, p.fields[:0]); !ok {
				if fields, ok = splitQuoted(line, delim, fields[:0]); !ok {
					return errSplitUnsafe
				}
			}
			p.fields = fields
		}
		status, kind, key := b.decode(fields, &p.rec)
		switch status {
		case rowIgnored:
			c.ignored[key]++
			continue
		case rowBad:
			p.bad(b.badKind(fields, kind, key))
			continue
		}
		id, ts, val := p.rec.id, p.rec.ts, p.rec.ts
		if p.rec.note != noteNone {
			c.notes.add(p.rec.note, b.field(p.rec.fields, roleTimestamp), b.zoneName)
		}
		if c.setup != nil {
			if row, ok := setupRowOf(b, c.setup, p.rec.fields, id, ts, p.bad); ok {
				p.setup.add(c.setup, row)
				c.earliest, c.latest = min(c.earliest, ts), max(c.latest, ts)
				c.busy.mark(ts)
				if p.g.setupUsed(ts) {
					c.used++
				} else {
					c.outside++
				}
			}
			continue
		}
		if c.ordered != nil {
			if seq, session, ok := eventOrder(b, p.rec.fields, p.bad); ok {
				p.ordered = append(p.ordered, pendingEvent{id: id, seq: seq, session: session, ts: ts, line: int64(p.line), value: p.rec.value})
				if len(p.ordered) == lookupBatch {
					p.addOrdered()
				}
				c.earliest, c.latest = min(c.earliest, ts), max(c.latest, ts)
				c.busy.mark(ts)
				if ts < p.g.UseUntil {
					c.used++
				} else {
					c.outside++
				}
			}
			continue
		}
		if p.events {
			val = metrics.EventKey(ts, p.rec.value)
		}
		p.pending = append(p.pending, pendingID{id: id, line: p.line, pos: len(c.devs)})
		c.devs = append(c.devs, -1) // numbered by lookup
		c.vals = append(c.vals, val)
		if len(p.pending) == lookupBatch {
			p.lookup()
		}
		c.earliest = min(c.earliest, ts)
		c.latest = max(c.latest, ts)
		c.busy.mark(ts)
		if ts < p.g.UseUntil {
			c.used++
		} else {
			c.outside++
		}
	}
	p.lookup() // the ids point into data: numbered before it goes
	p.addOrdered()
	p.prevID = nil
	if c.setup != nil {
		p.setup.flush(c.setup)
	}
	return nil
}

// splitQuoted splits one line with quoted fields; ok is false when a quote
// is left open (the field continues on the next line).
func splitQuoted(line []byte, delim byte, fields [][]byte) ([][]byte, bool) {
	var out []byte
	start := 0
	var bounds []int
	i := 0
	for {
		if i < len(line) && line[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					return nil, false
				}
				out = append(out, line[i:i+j]...)
				i += j + 1
				if i < len(line) && line[i] == '"' {
					out = append(out, '"')
					i++
					continue
				}
				break
			}
			for i < len(line) && line[i] != delim {
				out = append(out, line[i])
				i++
			}
		} else {
			j := bytes.IndexByte(line[i:], delim)
			if j < 0 {
				j = len(line) - i
			}
			out = append(out, line[i:i+j]...)
			i += j
		}
		bounds = append(bounds, start, len(out))
		start = len(out)
		if i >= len(line) {
			break
		}
		i++
		if i == len(line) {
			bounds = append(bounds, start, start)
			break
		}
	}
	for k := 0; k < len(bounds); k += 2 {
		fields = append(fields, out[bounds[k]:bounds[k+1]])
	}
	return fields, true
}

func fieldCountReason(fields [][]byte, header []string) string {
	got, want := len(fields), len(header)
	reason := fmt.Sprintf("has %d fields; the header has %d", got, want)
	switch {
	case got == want+1 && len(bytes.TrimSpace(fields[got-1])) == 0:
		// a tool that ends every row with the delimiter, its header not
		reason += ": the last field is empty, after a delimiter at the end of the row; if the export ends every row so, end its header line with the delimiter too (an unnamed last column, ignored), or export without it"
	case got+1 == want && strings.TrimSpace(header[want-1]) == "":
		reason += ": the header ends with a delimiter (an unnamed last column) that this row lacks; delete it from the header line"
	}
	return reason
}
