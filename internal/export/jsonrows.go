package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// A device platform's own delivery is often JSON, not CSV: AWS IoT rule →
// Firehose → S3 writes one JSON object per event (JSON Lines, or the
// objects back to back without a newline), Azure Event Grid delivers
// arrays of events, Amplitude's and Mixpanel's export APIs write JSON
// Lines. Such a file is read as the CSV export it flattens to: each object
// a row, a nested object's keys joined with dots (data.deviceId, as the
// flattened CSV exports name them), the header the keys in the order they
// first appear in the file (a key some objects lack is empty in theirs:
// AWS writes disconnectReason on disconnects only). So every format and
// its signature applies to both. Values keep their JSON text — an epoch in
// milliseconds stays the 13 digits it was, never a float — strings
// unquoted, null empty, an array (or an object given as a value) its
// compact JSON.
//
// The header needs every object's keys before the first row, so the file
// is read twice: once for the keys, once for the rows. A row is reported
// at the line its object starts on (JSON Lines: its line); objects that
// share a line (Firehose's back-to-back objects) are numbered on from it.
//
// The records are delimited and flattened by a scanner of their own
// (each record checked by validJSON first, so the scanner only ever
// walks valid JSON): encoding/json's Decoder took 12 s for a million
// events that the CSV reader reads in 0.1 s.

// jsonStart reports whether an export's first byte that is not white
// space opens a JSON object or array.
func jsonStart(br *bufio.Reader) bool {
	for n := 1; n <= 4096; n++ {
		b, _ := br.Peek(n)
		if len(b) < n {
			return false
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		default:
			return false
		}
	}
	return false
}

// jsonKeys reads every record of a JSON export and returns the flattened
// keys in the order they first appear.
func jsonKeys(path string, src io.Reader) ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	recs := newJSONRecords(path, src)
	key := make([]byte, 0, 256) // flattenJSON's scratch
	var first []byte
	n := 0
	for {
		_, rec, err := recs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n++; n == 1 {
			first = append(first, rec...)
		}
		flattenJSON(rec, key[:0], func(k, _ []byte) {
			if !seen[string(k)] {
				seen[string(k)] = true
				keys = append(keys, string(k))
			}
		})
	}
	if len(keys) == 0 {
		return nil, &RowError{Path: path, Line: 1, Reason: "a JSON export without a key: expected objects, one a row"}
	}
	if n == 1 {
		if name, _ := jsonEnvelope(first); name == "tables" && bytes.Contains(first, []byte(`"columns"`)) && bytes.Contains(first, []byte(`"rows"`)) {
			// Log Analytics' query API: each table's rows are arrays of
			// values, named by its columns
			return nil, &RowError{Path: path, Line: 1, Reason: "a Log Analytics query API response (tables of columns and rows): iotpm reads one object a row; export the query with az monitor log-analytics query (an array of rows) or the portal's Export to CSV"}
		}
		if name, count := jsonEnvelope(first); name != "" {
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("one JSON object whose %q holds the %d records (an API's or a CLI's response): iotpm reads a file of records, one object a row; write them out first, jq -c '.%s[]' FILE > records.jsonl, adding what they lack (list-job-executions-for-job leaves out the job: jq -c --arg job JOB '.%s[] | . + {jobId: $job}')",
				name, count, name, name)}
		}
	}
	return keys, nil
}

// jsonEnvelope reports whether a file's one object is a response that
// wraps the records: one key holds an array of objects, and any other is
// a page's token or count. It returns the key and the array's length.
func jsonEnvelope(obj []byte) (string, int) {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return "", 0
	}
	name, count := "", 0
	for k, v := range m {
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) == nil && len(arr) > 0 && len(bytes.TrimSpace(arr[0])) > 0 && bytes.TrimSpace(arr[0])[0] == '{' {
			if name != "" {
				return "", 0 // two arrays of objects: not one list of records
			}
			name, count = k, len(arr)
			continue
		}
		switch strings.ToLower(k) {
		case "nexttoken", "next_token", "nextlink", "@odata.nextlink", "next", "cursor", "count", "total", "page", "per_page", "pagesize", "page_size":
		default:
			return "", 0
		}
	}
	return name, count
}

// jsonCSV is a JSON export as CSV text: the header (line 0 for the
// Reader, whose first data line is the first object's), then one line a
// record, after blank lines (which the Reader counts and skips) that put
// it on the line its object starts on.
type jsonCSV struct {
	recs *jsonRecords
	out  []byte // CSV text not yet read
	keys map[string]int
	row  [][]byte
	key  []byte
	line int // the line the CSV text written so far ends on
	done bool
	err  error
}

// newJSONCSV reads the records of src with the keys jsonKeys found.
func newJSONCSV(path string, src io.Reader, keys []string) *jsonCSV {
	j := &jsonCSV{recs: newJSONRecords(path, src), keys: map[string]int{}, row: make([][]byte, len(keys)), key: make([]byte, 0, 256)}
	for i, k := range keys {
		j.keys[k] = i
		j.row[i] = []byte(k)
	}
	j.writeRow()
	return j
}

// writeRow appends the row as a CSV line.
func (j *jsonCSV) writeRow() {
	for i, v := range j.row {
		if i > 0 {
			j.out = append(j.out, ',')
		}
		j.out = appendCSVField(j.out, v)
	}
	j.out = append(j.out, '\n')
}

// appendCSVField appends v, quoted when it holds a comma, a quote, a line
// break or leading or trailing space (RFC 4180).
func appendCSVField(out, v []byte) []byte {
	if len(v) > 0 && !bytes.ContainsAny(v, ",\"\r\n") && v[0] != ' ' && v[len(v)-1] != ' ' {
		return append(out, v...)
	}
	if len(v) == 0 {
		return out
	}
	out = append(out, '"')
	for _, c := range v {
		if c == '"' {
			out = append(out, '"')
		}
		out = append(out, c)
	}
	return append(out, '"')
}

// Read implements io.Reader.
func (j *jsonCSV) Read(p []byte) (int, error) {
	for len(j.out) < len(p) && !j.done {
		line, rec, err := j.recs.next()
		if err != nil {
			j.done = true
			if !errors.Is(err, io.EOF) {
				j.err = err
			}
			break
		}
		for i := range j.row {
			j.row[i] = nil
		}
		flattenJSON(rec, j.key[:0], func(k, v []byte) {
			if i, ok := j.keys[string(k)]; ok {
				j.row[i] = v // a key given twice: the last, as encoding/json and JavaScript take it
			}
		})
		for ; j.line+1 < line; j.line++ {
			j.out = append(j.out, '\n')
		}
		before := len(j.out)
		j.writeRow()
		j.line += bytes.Count(j.out[before:], []byte{'\n'})
	}
	if len(j.out) == 0 {
		if j.err != nil {
			return 0, j.err
		}
		return 0, io.EOF
	}
	n := copy(p, j.out)
	j.out = j.out[:copy(j.out, j.out[n:])]
	return n, nil
}

// jsonRecords reads the records of a JSON export — the objects of a
// stream of objects and of arrays of objects — with the line each object
// starts on.
type jsonRecords struct {
	path    string
	br      *bufio.Reader
	line    int // the line of the next byte
	inArray bool
	// in an array: an element was read last (a ',' or the ']' comes
	// next), or a ',' (an element comes next)
	afterElem, afterComma bool
	rec                   []byte
}

func newJSONRecords(path string, src io.Reader) *jsonRecords {
	return &jsonRecords{path: path, br: bufio.NewReaderSize(src, 1<<16), line: 1}
}

func (r *jsonRecords) fail(line int, format string, args ...any) error {
	return &RowError{Path: r.path, Line: line, Reason: "not a JSON export iotpm reads (JSON Lines, or arrays of objects): " + fmt.Sprintf(format, args...)}
}

// skipSpace reads past white space and returns the next byte, unread;
// io.EOF at the end.
func (r *jsonRecords) skipSpace() (byte, error) {
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			r.line++
		case ' ', '\t', '\r':
		default:
			r.br.UnreadByte()
			return c, nil
		}
	}
}

// next returns the next record and the line it starts on; io.EOF at the
// end. The record is valid until the next call.
func (r *jsonRecords) next() (int, []byte, error) {
	for {
		c, err := r.skipSpace()
		if errors.Is(err, io.EOF) {
			if r.inArray {
				return 0, nil, r.fail(r.line, "an array without its closing ]")
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, err
		}
		switch {
		case r.inArray && c == ']' && !r.afterComma:
			r.br.ReadByte()
			r.inArray = false
			continue
		case r.inArray && c == ',' && r.afterElem:
			r.br.ReadByte()
			r.afterElem, r.afterComma = false, true
			continue
		case !r.inArray && c == '[':
			r.br.ReadByte()
			r.inArray, r.afterElem, r.afterComma = true, false, false
			continue
		case r.inArray && c == '{' && r.afterElem:
			return 0, nil, r.fail(r.line, "a ',' missing between two objects of an array")
		case c != '{':
			start := r.line
			v, _ := r.br.Peek(40)
			if i := bytes.IndexAny(v, ",]}\r\n"); i > 0 {
				v = v[:i]
			}
			if c == ']' || c == '}' || c == ',' {
				return 0, nil, r.fail(start, "a %q out of place", c)
			}
			return 0, nil, &RowError{Path: r.path, Line: start, Reason: fmt.Sprintf("a JSON record that is not an object (%s): a row is an object of named values", clip(string(v), 40))}
		}
		r.afterElem, r.afterComma = r.inArray, false
		return r.object()
	}
}

// object reads one object, whose '{' is next, and checks it is valid
// JSON. It scans the reader's buffer in place and discards what it took.
func (r *jsonRecords) object() (int, []byte, error) {
	start := r.line
	r.rec = r.rec[:0]
	depth, inString, escaped := 0, false, false
	for depth > 0 || len(r.rec) == 0 {
		if r.br.Buffered() == 0 {
			if _, err := r.br.Peek(1); err != nil {
				if errors.Is(err, io.EOF) {
					return 0, nil, r.fail(start, "an object without its end")
				}
				return 0, nil, err
			}
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		i := 0
		for ; i < len(buf); i++ {
			c := buf[i]
			switch {
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
				}
				continue
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
			if depth == 0 {
				i++
				break
			}
		}
		r.rec = append(r.rec, buf[:i]...)
		r.line += bytes.Count(buf[:i], []byte{'\n'})
		r.br.Discard(i)
		if len(r.rec) > 64<<20 {
			return 0, nil, r.fail(start, "an object over 64 MiB")
		}
	}
	if !validJSON(r.rec) {
		var v any
		err := json.Unmarshal(r.rec, &v)
		line := start
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line += bytes.Count(r.rec[:min(int(se.Offset), len(r.rec))], []byte{'\n'})
		}
		return 0, nil, r.fail(line, "%v", err)
	}
	return start, r.rec, nil
}

// flattenJSON calls emit with each value of a valid JSON object, a nested
// object's keys joined to their parent's with a dot (key holds the prefix
// and is used as scratch). The slices are valid until emit returns.
func flattenJSON(obj []byte, key []byte, emit func(key, value []byte)) int {
	i := 1 // past {
	for {
		i = skipJSONSpace(obj, i)
		if obj[i] == '}' {
			return i + 1
		}
		if obj[i] == ',' {
			i = skipJSONSpace(obj, i+1)
		}
		end := jsonStringEnd(obj, i)
		k := key
		if bytes.IndexByte(obj[i:end], '\\') >= 0 {
			var s string
			json.Unmarshal(obj[i:end], &s)
			k = append(k, s...)
		} else {
			k = append(k, obj[i+1:end-1]...)
		}
		i = skipJSONSpace(obj, end)
		i = skipJSONSpace(obj, i+1) // past :
		switch c := obj[i]; {
		case c == '{':
			i += flattenJSON(obj[i:], append(k, '.'), emit)
		case c == '"':
			end := jsonStringEnd(obj, i)
			v := obj[i+1 : end-1]
			if bytes.IndexByte(v, '\\') >= 0 {
				var s string
				json.Unmarshal(obj[i:end], &s)
				// an escaped CRLF reads as LF, as a CSV's quoted CRLF does
				// (and as jsonCSV's text gave it): the same rows whichever
				// reader reads the line
				v = []byte(strings.ReplaceAll(s, "\r\n", "\n"))
			}
			emit(k, v)
			i = end
		case c == '[':
			end := jsonValueEnd(obj, i)
			var b bytes.Buffer
			json.Compact(&b, obj[i:end])
			emit(k, b.Bytes())
			i = end
		default: // a number, true, false, null
			end := i
			for end < len(obj) && !jsonValueStop(obj[end]) {
				end++
			}
			v := obj[i:end]
			if string(v) == "null" {
				v = v[:0]
			}
			emit(k, v)
			i = end
		}
	}
}

// jsonValueStop reports whether c ends a number or a literal.
func jsonValueStop(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// jsonStringEnd is the index after the closing quote of the string
// whose opening quote is at i.
func jsonStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		if j = jsonPlainRun(b, j); j == len(b) {
			break
		}
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// jsonValueEnd is the index after the array or object starting at i.
func jsonValueEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			j = jsonStringEnd(b, j) - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(b)
}

// JSON Lines — one object a line, the shape of Firehose's and the
// analytics APIs' exports — is read in parallel as a CSV export is: the
// keys in chunks (jsonLinesKeys), then the rows, each line flattened
// straight into the fields of the columns the keys make (jsonLine), not
// through CSV text. A line that is not one valid object (a pretty-printed
// object, an array, objects back to back) stops it: the file is read
// sequentially, whose reader says what is wrong with it at its line.

// jsonLinesKeys is jsonKeys for a JSON Lines file, its chunks read in
// parallel: the keys in the order they first appear in the file. ok is
// false when the file is not JSON Lines of at least two records with a
// key, or cannot be split; jsonKeys then reads it.
func jsonLinesKeys(ctx context.Context, f *os.File, size int64, workers int) (keys []string, ok bool, err error) {
	bounds, _, ok, err := splitFile(f, size, workers, false)
	if !ok || err != nil {
		return nil, false, err
	}
	parts := make([]*lineKeys, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		parts[w] = newLineKeys()
		wg.Go(func() {
			var scanned atomic.Int64
			errs[w] = eachBlock(ctx, f, bounds[w], bounds[w+1], &scanned, parts[w].scan)
		})
	}
	wg.Wait()
	return mergeLineKeys(parts, errs)
}

// jsonLinesKeysStream is jsonLinesKeys for a compressed file: its
// decompressed stream cut into blocks of lines, read on every core as
// they come.
func jsonLinesKeysStream(ctx context.Context, src io.Reader, workers int) (keys []string, ok bool, err error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := startBlocks(ctx, src, 1, workers)
	var mu sync.Mutex
	var parts []*lineKeys
	var errs []error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for blk := range stream.blocks {
				if ctx.Err() != nil {
					continue // stopped: the blocks left are drained
				}
				k := newLineKeys()
				err := k.scan(blk.data)
				if err != nil {
					cancel() // the others stop too
				}
				mu.Lock()
				for len(parts) <= blk.seq {
					parts, errs = append(parts, nil), append(errs, nil)
				}
				parts[blk.seq], errs[blk.seq] = k, err
				mu.Unlock()
				stream.done(blk)
			}
		})
	}
	wg.Wait()
	if err := parent.Err(); err != nil {
		return nil, false, err
	}
	if stream.err != nil {
		return nil, false, stream.err
	}
	return mergeLineKeys(parts, errs)
}

// lineKeys are the keys of the JSON Lines of one part of a file, in the
// order they first appear, and its count of records.
type lineKeys struct {
	keys    []string
	seen    map[string]bool
	key     []byte // flattenJSON's scratch
	records int
}

func newLineKeys() *lineKeys {
	return &lineKeys{seen: map[string]bool{}, key: make([]byte, 0, 256)}
}

// scan reads a block of whole lines; errSplitUnsafe at a line that is
// not one valid JSON object (or white space).
func (k *lineKeys) scan(block []byte) error {
	for len(block) > 0 {
		line := block
		if i := bytes.IndexByte(block, '\n'); i >= 0 {
			line, block = block[:i], block[i+1:]
		} else {
			block = nil
		}
		if line = bytes.Trim(line, " \t\r"); len(line) == 0 {
			continue
		}
		if line[0] != '{' || !validJSON(line) {
			return errSplitUnsafe
		}
		k.records++
		flattenJSON(line, k.key[:0], func(key, _ []byte) {
			if !k.seen[string(key)] {
				k.seen[string(key)] = true
				k.keys = append(k.keys, string(key))
			}
		})
	}
	return nil
}

// mergeLineKeys joins the parts' keys in the parts' order (a part a
// stream never gave is nil); ok is false when a part was not JSON Lines,
// or the file has fewer than two records or no key: a file of one
// record may be an API's response wrapping the records, which jsonKeys
// recognises.
func mergeLineKeys(parts []*lineKeys, errs []error) (keys []string, ok bool, err error) {
	for _, e := range errs {
		if errors.Is(e, errSplitUnsafe) {
			return nil, false, nil
		}
		if e != nil {
			return nil, false, e
		}
	}
	seen, records := map[string]bool{}, 0
	for _, p := range parts {
		if p == nil {
			continue
		}
		records += p.records
		for _, k := range p.keys {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if records < 2 || len(keys) == 0 {
		return nil, false, nil
	}
	return keys, true, nil
}

// jsonLine flattens one line's object into the fields of the columns
// the keys make (a key some objects lack is empty in theirs).
type jsonLine struct {
	index  map[string]int
	fields [][]byte
	key    []byte
}

func newJSONLine(keys []string) *jsonLine {
	j := &jsonLine{index: make(map[string]int, len(keys)), fields: make([][]byte, len(keys)), key: make([]byte, 0, 256)}
	for i, k := range keys {
		j.index[k] = i
	}
	return j
}

// row returns a line's object as fields, valid until the next call;
// ok is false when the line is not one valid JSON object or has a key
// the keys do not (the file changed since they were read).
func (j *jsonLine) row(line []byte) (fields [][]byte, ok bool) {
	if line[0] != '{' || !validJSON(line) {
		return nil, false
	}
	clear(j.fields)
	ok = true
	flattenJSON(line, j.key[:0], func(k, v []byte) {
		i, known := j.index[string(k)]
		if !known {
			ok = false
			return
		}
		j.fields[i] = v // a key given twice: the last, as jsonCSV takes it
	})
	return j.fields, ok
}
