package export

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// A compressed export cannot be split by offset, but its decompressed
// stream can be cut into blocks of whole lines as it is read: one goroutine
// decompresses and cuts, every core parses blocks as they come, so
// decompression overlaps parsing. Device numbers are given in order of
// first appearance in the file, as the other readers give them, whatever
// the order in which workers took the blocks.

const streamBlock = 4 << 20

type streamBlockData struct {
	data  []byte
	first int // line number of its first line
	seq   int // its place among the blocks
	buf   []byte
}

// readStream reads the rest of r in parallel into st; a JSON Lines file
// (r.jsonLines), from its start again, each line flattened into its row.
// ok is false when a quoted field spans lines or a line is not one JSON
// object (the caller reads the file again sequentially).
func (g *Ingest) readStream(ctx context.Context, r *Reader, b *Binding, st *Stats) (ok bool, err error) {
	src, firstLine, can := r.rest()
	progress := r.Progress
	// room for each worker's rows, from the size gzip records and the
	// lines buffered so far (before the stream is handed to the cutter),
	// so appends do not copy 10M rows over and over
	rows := r.estimateRows()
	if r.jsonLines != nil {
		s, err := openGzipStream(r.Path, g.MaxExpansion)
		if err != nil {
			return false, err
		}
		defer s.close()
		src, firstLine, can, progress, rows = s.br, 1, true, s.progress, s.rows()
	}
	if !can {
		return false, nil
	}
	workers := runtime.GOMAXPROCS(0)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	perWorker := 0
	if rows > 0 {
		perWorker = int(float64(rows)*1.05)/workers + 1024
	}
	// events ordered by a sequence, sessions or the file's order: each
	// block's go to a Data of its own, merged into ordered's stage in the
	// blocks' order as they are done, and the stage into the Data at the
	// end (a stream that falls back to the sequential reader leaves the
	// Data without them)
	var ordered *orderedBlocks
	if b.orderedEvents() {
		ordered = &orderedBlocks{stage: g.Data.OrderedChunks([]int{rows * 21 / 20})[0], done: map[int]*metrics.Data{}}
		perWorker = 0
	}
	stream := startBlocks(ctx, src, firstLine, workers)

	chunks := make([]*chunk, workers)
	var wg sync.WaitGroup
	for w := range workers {
		c := &chunk{skipped: map[RowKind]int{}, ignored: map[string]int{}, earliest: math.MaxInt64, latest: math.MinInt64, firstSeen: []int{}, busy: st.Busy.fresh(),
			devs: make([]int32, 0, perWorker), vals: make([]int64, 0, perWorker)}
		chunks[w] = c
		p := newLineParser(g, c, b, r.Delim, r.Path)
		p.firstSeen = &c.firstSeen
		if r.jsonLines != nil {
			p.json = newJSONLine(r.jsonLines)
		}
		wg.Go(func() {
			for blk := range stream.blocks {
				if c.err == nil {
					if ordered != nil {
						c.ordered = ordered.stage.OrderedPart(bytes.Count(blk.data, []byte{'\n'}) + 1)
					}
					if err := ctx.Err(); err != nil {
						c.err = err
					} else if err := p.lines(blk.data, blk.first); err != nil {
						c.err = err
						cancel() // the others stop too
					} else if ordered != nil {
						ordered.add(blk.seq, c.ordered)
					}
				}
				stream.done(blk)
			}
		})
	}
	stop := g.watchProgress(b.Format.Kind, progress)
	wg.Wait()
	stop()
	if err := parent.Err(); err != nil {
		return false, err
	}
	for _, c := range chunks {
		if errors.Is(c.err, errSplitUnsafe) {
			return false, nil
		}
	}
	if stream.err != nil {
		return false, stream.err
	}
	for _, c := range chunks {
		if c.err != nil {
			return false, c.err
		}
	}

	if ordered != nil {
		g.Data.MergeOrdered(ordered.stage, 0) // lines are the file's already
	}
	g.mergeStream(chunks, b.Format.Kind, ordered != nil, st)
	return true, nil
}

// orderedBlocks merges the blocks' ordered events into stage in the
// blocks' order, each as soon as those before it are in.
type orderedBlocks struct {
	mu    sync.Mutex
	stage *metrics.Data
	next  int
	done  map[int]*metrics.Data
}

func (o *orderedBlocks) add(seq int, d *metrics.Data) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[seq] = d
	for {
		d, ok := o.done[o.next]
		if !ok {
			return
		}
		delete(o.done, o.next)
		o.stage.MergeOrdered(d, 0)
		o.next++
	}
}

// blockStream cuts a stream into blocks of whole lines in a goroutine of
// its own, for workers that range over blocks and hand each block back
// with done; err, read once the workers are done, is the cutter's.
type blockStream struct {
	blocks chan streamBlockData
	free   chan []byte
	err    error
}

// startBlocks starts cutting src, whose first line is firstLine, for
// workers: a few blocks' buffers, reused as the workers are done with them.
func startBlocks(ctx context.Context, src io.Reader, firstLine, workers int) *blockStream {
	s := &blockStream{blocks: make(chan streamBlockData, 2*workers), free: make(chan []byte, 2*workers+2)}
	for range cap(s.free) {
		s.free <- make([]byte, streamBlock)
	}
	go func() {
		defer close(s.blocks) // after err is set: the workers see it once blocks ends
		s.err = cutBlocks(ctx, src, firstLine, s.free, s.blocks)
	}()
	return s
}

// done hands a block's buffer back for the cutter to reuse.
func (s *blockStream) done(blk streamBlockData) {
	select {
	case s.free <- blk.buf:
	default:
	}
}

// cutBlocks reads the stream into blocks of whole lines (the bytes after a
// block's last newline carried to the next), each numbered by its first
// line, until the end, an error or the context's end.
func cutBlocks(ctx context.Context, src io.Reader, line int, free chan []byte, blocks chan<- streamBlockData) error {
	var carry []byte
	seq := 0
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			return nil
		}
		if len(carry) >= cap(buf) {
			buf = make([]byte, 2*len(carry)) // a line longer than a block
		}
		buf = buf[:cap(buf)]
		n := copy(buf, carry)
		m, err := io.ReadFull(src, buf[n:])
		data := buf[:n+m]
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return err
		}
		carry = carry[:0]
		if !eof {
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 {
				carry = append(carry, data...)
				free <- buf
				continue
			}
			carry = append(carry, data[k+1:]...)
			data = data[:k+1]
		}
		select {
		case blocks <- streamBlockData{data: data, first: line, seq: seq, buf: buf}:
		case <-ctx.Done():
			return nil
		}
		seq++
		line += bytes.Count(data, []byte{'\n'})
		if eof {
			return nil
		}
	}
}

// mergeStream hands the workers' rows to Data: devices numbered in order of
// first appearance in the file, whatever worker saw them, then each
// worker's rows and counts; errors in line order. With ordered, the
// events are in Data already: only the counts and errors are left.
func (g *Ingest) mergeStream(chunks []*chunk, kind planfile.InputKind, ordered bool, st *Stats) {
	if ordered {
		var errs []*RowError
		for _, c := range chunks {
			c.count(st)
			errs = append(errs, c.errs...)
		}
		g.listErrors(st, errs)
		return
	}
	// device numbers in order of first appearance in the file
	first := map[string]int{}
	for _, c := range chunks {
		for i, name := range c.ids.Names {
			if l, seen := first[name]; !seen || c.firstSeen[i] < l {
				first[name] = c.firstSeen[i]
			}
		}
	}
	names := make([]string, 0, len(first))
	for name := range first {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return first[a] - first[b] })
	d := g.Data
	for _, name := range names {
		d.DeviceIndex([]byte(name))
	}
	var errs []*RowError
	for _, c := range chunks {
		c.count(st)
		errs = append(errs, c.errs...)
		if global := c.numbering(d); global != nil { // every name is known by now: no new numbers
			c.renumber(global)
		}
		if kind == planfile.KindEvents {
			d.AppendEvents(c.devs, c.vals, c.earliest, c.latest)
		} else {
			d.AppendActivity(c.devs, c.vals, c.earliest, c.latest)
		}
	}
	g.listErrors(st, errs)
}

// listErrors lists the workers' errors in line order, as many as st has
// room for.
func (g *Ingest) listErrors(st *Stats, errs []*RowError) {
	slices.SortFunc(errs, func(a, b *RowError) int { return a.Line - b.Line })
	st.Errors = append(st.Errors, errs[:min(len(errs), MaxListedErrors-len(st.Errors))]...)
}
