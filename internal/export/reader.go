// Package export reads the CSV exports of device platforms (AWS IoT, Azure
// IoT Hub, Particle, …) as they come: UTF-8 byte-order mark, CRLF, quoted
// fields, ',' ';' tab or '|' delimiters, gzip, header aliases and value
// aliases. It is built for exports of millions of rows: rows are returned as
// byte slices into a reused buffer, and only quoted fields are copied.
package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/klauspost/compress/gzip"

	"github.com/iotpm/iotpm/internal/infile"
)

// Reader streams the rows of one CSV export.
type Reader struct {
	Path   string
	Header []string
	Delim  byte

	br      *bufio.Reader
	closers []io.Closer
	line    int // line number of the row last returned (its first line)
	next    int // line number of the next physical line
	fields  [][]byte
	scratch []byte // the joined lines of a quoted field spanning lines
	// quoteWork counts the bytes examined to find where quoted fields
	// end: linear in the input, whatever the quotes (a test holds it to
	// that, where a time would depend on the machine's load).
	quoteWork int
	pending   []byte // a line read ahead while sniffing
	// replay holds the lines after the start of a quoted field that was
	// never closed: reading goes on with them.
	replay  [][]byte
	size    int64
	counter *countingReader
	// isize is the uncompressed size a .gz records (modulo 4 GiB; 0:
	// unknown), for estimating its rows.
	isize int64
	limit *expansionLimit

	// Comment, when set, marks data lines to skip (a format's comment).
	Comment []byte
	// Tables: a blank line ends a table; the next line is a new header,
	// which Read reports with ErrNewTable.
	Tables   bool
	newTable bool
	// Preamble counts lines skipped before the header or as comments.
	Preamble int
	// JSON: the file is a JSON export, read as the CSV it flattens to
	// (jsonrows.go); its rows are read in order, never split, unless it
	// is JSON Lines (jsonLines: its keys), which the parallel reader
	// splits as it splits a CSV file.
	JSON      bool
	jsonLines []string
}

// ErrNewTable is returned by Read when a new table begins (Tables): the
// Header has been replaced by the table's own.
var ErrNewTable = errors.New("a new table with its own header")

// RowProblem is what makes a row unusable.
type RowProblem int

// The problems a row can have. FileProblem is a problem with the whole
// file, not one row.
const (
	FileProblem     RowProblem = iota
	WrongFieldCount            // not as many fields as the header has columns
	UnclosedQuote              // a quoted field that does not end on its line
	EmptyValue                 // an empty id, sequence or job
	BadTimestamp               // a time that does not parse, or does not exist in its zone
	UnknownValue               // an event or status the format's vocabulary does not have
	ExcelNumber                // an id Excel re-formatted as a number (3.56938E+14)
	BadJSON                    // a JSON column whose value is not a JSON object
	FutureTimestamp            // a time later than the clock (plus a day)
	Conflict                   // a device listed again with other values (devices input)
	PastTimestamp              // a time before 2001: a clock never set (1970, 1980, 2000)
	RepeatedHeader             // a row that is the header again: exports joined into one file
)

// NotBefore is the earliest time a row may have, 2001-01-01T00:00:00Z (µs):
// an earlier one is a device clock that was never set — 1970, 1980 (GPS)
// and 2000 are the usual defaults — and would otherwise pass for the
// fleet's data start and a device's service start, moving every number.
const NotBefore int64 = 978_307_200_000_000

// RowKind is a bad row's problem and the role of the column it is in (none
// for WrongFieldCount and UnclosedQuote); bad rows are counted by kind.
type RowKind struct {
	Problem RowProblem
	Role    string
}

// String is the kind's key in the output (skipped_by_reason): "empty
// device_id", "unparseable timestamp", "unknown event value"… Scripts read
// these keys, so they do not change.
func (k RowKind) String() string {
	switch k.Problem {
	case WrongFieldCount:
		return "wrong field count"
	case UnclosedQuote:
		return "unclosed quote"
	case EmptyValue:
		return "empty " + k.Role
	case BadTimestamp:
		return "unparseable timestamp"
	case UnknownValue:
		return "unknown " + k.Role + " value"
	case ExcelNumber:
		return k.Role + " re-formatted by Excel"
	case BadJSON:
		return "unparseable JSON"
	case FutureTimestamp:
		return "timestamp in the future"
	case Conflict:
		return "conflicting duplicate " + k.Role
	case PastTimestamp:
		return k.Role + " before 2001"
	case RepeatedHeader:
		return "repeated header"
	}
	return "unreadable file"
}

// RowError is a row that cannot be used, with its line, or a problem with
// the whole file (Line 0, or a stream error; Kind.Problem FileProblem).
type RowError struct {
	Path   string
	Line   int
	Kind   RowKind
	Reason string
	// Skippable: only this row is bad; the reader can go on.
	Skippable bool
}

func (e *RowError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Reason)
}

// countingReader counts the bytes read from a file; atomically, because a
// progress reporter reads the count while a reader goroutine adds to it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// DefaultMaxExpansion bounds what a .csv.gz may expand to: this many times
// its compressed size (and at least 64 MiB). CSV exports compress 5–20×; a
// file that expands further is a decompression bomb, not an export.
const DefaultMaxExpansion = 100

// expansionLimit stops a decompressed stream past a limit, with a message
// that says what to do.
type expansionLimit struct {
	r     io.Reader
	left  int64
	path  string
	ratio int
}

func (e *expansionLimit) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, &RowError{Path: e.path, Reason: fmt.Sprintf("expands to more than %d× its compressed size: not a CSV export, or a decompression bomb (a real export this compressible: raise --max-expansion)", e.ratio)}
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &RowError{Path: e.path, Reason: fmt.Sprintf("the gzip stream is truncated or corrupt (%v); export it again", err)}
	}
	return n, err
}

// Open opens a CSV export (gzip when the name ends in .gz), strips a UTF-8
// byte-order mark, sniffs the delimiter from the header line and reads the
// header. delim 0 means sniff.
func Open(path string, delim byte) (*Reader, error) {
	return OpenLimited(path, delim, DefaultMaxExpansion)
}

// OpenLimited is Open with a bound on gzip expansion (maxExpansion times the
// compressed size, at least 64 MiB; 0: DefaultMaxExpansion).
func OpenLimited(path string, delim byte, maxExpansion int) (*Reader, error) {
	if maxExpansion <= 0 {
		maxExpansion = DefaultMaxExpansion
	}
	f, info, err := infile.Open(path)
	if errors.Is(err, infile.ErrNotRegular) {
		return nil, &RowError{Path: path, Reason: fmt.Sprintf("is %v; an export is a CSV file", err)}
	}
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		f.Close()
		return nil, &RowError{Path: path, Reason: "is a directory, not a CSV file"}
	}
	r := &Reader{Path: path, closers: []io.Closer{f}, size: info.Size(), next: 1}
	r.counter = &countingReader{r: f}
	var src io.Reader = r.counter
	// a small file needs no 1 MiB buffer (zeroing it dominated reading
	// many small files); one larger than the file reads it in one go
	bufSize := int(min(max(info.Size()+1, 4<<10), 1<<20))
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(bufio.NewReaderSize(r.counter, 1<<16))
		if err != nil {
			f.Close()
			return nil, &RowError{Path: path, Reason: fmt.Sprintf("not a gzip file (%v); a plain CSV must not end in .gz", err)}
		}
		r.closers = append(r.closers, gz)
		var trailer [4]byte
		if info.Size() > 18 {
			if _, err := f.ReadAt(trailer[:], info.Size()-4); err == nil {
				r.isize = int64(binary.LittleEndian.Uint32(trailer[:]))
			}
		}
		r.limit = &expansionLimit{r: gz, left: max(64<<20, int64(maxExpansion)*info.Size()), path: path, ratio: maxExpansion}
		src = r.limit
		bufSize = 1 << 20
	}
	br := bufio.NewReaderSize(src, bufSize)
	if bytes.HasPrefix(peekBytes(br, 3), []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	src = br
	if jsonStart(br) {
		keys, lines, err := keysOfJSON(path, maxExpansion)
		if err != nil {
			r.Close()
			return nil, err
		}
		src, r.JSON, r.next, delim, bufSize = newJSONCSV(path, br, keys), true, 0, ',', 64<<10
		if lines {
			r.jsonLines = keys
		}
	}
	if err := r.init(src, delim, bufSize); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func peekBytes(br *bufio.Reader, n int) []byte {
	b, _ := br.Peek(n)
	return b
}

// keysOfJSON opens a JSON export again and reads its keys (jsonKeys);
// lines says the file is JSON Lines whose chunks were read in parallel
// (jsonLinesKeys), as its rows can be.
func keysOfJSON(path string, maxExpansion int) (keys []string, lines bool, err error) {
	f, info, err := infile.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	gz := strings.HasSuffix(strings.ToLower(path), ".gz")
	if workers := max(runtime.GOMAXPROCS(0), 1); !gz && info.Size() >= parallelMinSize {
		if keys, ok, err := jsonLinesKeys(context.Background(), f, info.Size(), workers); ok || err != nil {
			return keys, ok, err
		}
	}
	if workers := max(runtime.GOMAXPROCS(0), 1); gz {
		s, err := openGzipStream(path, maxExpansion)
		if err != nil {
			return nil, false, err
		}
		keys, ok, err := jsonLinesKeysStream(context.Background(), s.br, workers)
		s.close()
		if ok || err != nil {
			return keys, ok, err
		}
	}
	keys, err = jsonKeysOf(path, f, info.Size(), gz, maxExpansion)
	return keys, false, err
}

// gzipStream is a .gz export opened again from its start, for a reader
// of its own: the decompressed bytes after a byte-order mark, buffered a
// MiB at a time.
type gzipStream struct {
	br      *bufio.Reader
	counter *countingReader // the compressed bytes read so far
	size    int64           // the compressed size
	isize   int64           // the decompressed size gzip records (mod 4 GiB)
	left    int64           // the expansion bound
	close   func()
}

func openGzipStream(path string, maxExpansion int) (*gzipStream, error) {
	if maxExpansion <= 0 {
		maxExpansion = DefaultMaxExpansion
	}
	f, info, err := infile.Open(path)
	if err != nil {
		return nil, err
	}
	s := &gzipStream{counter: &countingReader{r: f}, size: info.Size()}
	zr, err := gzip.NewReader(bufio.NewReaderSize(s.counter, 1<<16))
	if err != nil {
		f.Close()
		return nil, &RowError{Path: path, Reason: fmt.Sprintf("not a gzip file (%v); a plain file must not end in .gz", err)}
	}
	var trailer [4]byte
	if info.Size() > 18 {
		if _, err := f.ReadAt(trailer[:], info.Size()-4); err == nil {
			s.isize = int64(binary.LittleEndian.Uint32(trailer[:]))
		}
	}
	s.left = max(64<<20, int64(maxExpansion)*info.Size())
	s.br = bufio.NewReaderSize(&expansionLimit{r: zr, left: s.left, path: path, ratio: maxExpansion}, 1<<20)
	if bytes.HasPrefix(peekBytes(s.br, 3), []byte{0xEF, 0xBB, 0xBF}) {
		s.br.Discard(3)
	}
	s.close = func() { zr.Close(); f.Close() }
	return s, nil
}

// rows guesses the stream's rows from the size gzip records and the lines
// buffered (as Reader.estimateRows does; 0 when it cannot tell).
func (s *gzipStream) rows() int {
	if s.isize == 0 || s.isize < s.size {
		return 0
	}
	buf, _ := s.br.Peek(s.br.Size())
	rows := bytes.Count(buf, []byte{'\n'})
	if rows < 10 {
		return 0
	}
	return int(min(s.isize, s.left) / int64(max(len(buf)/rows, 20)))
}

// progress is the compressed bytes read so far and the file's size.
func (s *gzipStream) progress() (int64, int64) { return s.counter.n.Load(), s.size }

// jsonKeysOf reads the keys of a JSON export from its start, one record
// after another.
func jsonKeysOf(path string, f *os.File, size int64, gz bool, maxExpansion int) ([]string, error) {
	var src io.Reader = bufio.NewReaderSize(f, 1<<16)
	if gz {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		src = &expansionLimit{r: zr, left: max(64<<20, int64(maxExpansion)*size), path: path, ratio: maxExpansion}
	}
	br := bufio.NewReader(src)
	if bytes.HasPrefix(peekBytes(br, 3), []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	if why := utf16Problem(peekBytes(br, 4)); why != "" {
		return nil, &RowError{Path: path, Reason: why}
	}
	return jsonKeys(path, br)
}

// binaryFile names the kind of file a binary export is by its first
// bytes, with what to do: the files a user exports from a spreadsheet, a
// data lake or a platform's storage routing instead of CSV. "" for text.
func binaryFile(br *bufio.Reader) string {
	head, _ := br.Peek(64)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		// a zip's first entry: its name's length at 26, the name at 30
		if len(head) >= 30 {
			n := int(binary.LittleEndian.Uint16(head[26:]))
			name, _ := br.Peek(30 + n)
			entry := []byte{}
			if len(name) == 30+n {
				entry = name[30:]
			}
			switch {
			case bytes.Equal(entry, []byte("[Content_Types].xml")) || bytes.HasPrefix(entry, []byte("xl/")) || bytes.HasPrefix(entry, []byte("docProps/")) || bytes.HasPrefix(entry, []byte("_rels/")):
				// an Office Open XML package: Excel's, Google Sheets' or
				// LibreOffice's .xlsx (their first entries differ)
				return "an Excel workbook (.xlsx), not CSV: save the sheet as CSV UTF-8 (Excel: File → Save As → CSV UTF-8), or export the data again as CSV"
			case bytes.Equal(entry, []byte("mimetype")):
				// OpenDocument: a stored first entry "mimetype" holding the
				// document's type
				if rest, _ := br.Peek(30 + n + 64); bytes.Contains(rest, []byte("opendocument.spreadsheet")) {
					return "an OpenDocument spreadsheet (.ods), not CSV: save the sheet as CSV, UTF-8 (LibreOffice: File → Save a Copy → Text CSV)"
				}
			case bytes.HasPrefix(entry, []byte("Index/")) || bytes.HasPrefix(entry, []byte("Metadata/")):
				return "an Apple Numbers document, not CSV: export the sheet as CSV (Numbers: File → Export To → CSV, Unicode (UTF-8))"
			}
		}
		return "a zip archive, not CSV: unzip it and name the CSV or JSON file inside (a .gz file is read as it is)"
	case bytes.HasPrefix(head, []byte{0x28, 0xB5, 0x2F, 0xFD}):
		return compressedHint("a Zstandard", "zstd -d")
	case bytes.HasPrefix(head, []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}):
		return compressedHint("an xz", "xz -d")
	case len(head) >= 4 && bytes.HasPrefix(head, []byte("BZh")) && '1' <= head[3] && head[3] <= '9':
		return compressedHint("a bzip2", "bzip2 -d")
	case bytes.HasPrefix(head, []byte{0x04, 0x22, 0x4D, 0x18}):
		return compressedHint("an LZ4", "lz4 -d")
	case bytes.HasPrefix(head, []byte("\xff\x06\x00\x00sNaPpY")):
		return compressedHint("a Snappy", "a Snappy tool; or set the Firehose stream's compression to GZIP")
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "an Excel 97-2003 workbook (.xls), not CSV: save the sheet as CSV UTF-8, or export the data again as CSV"
	case bytes.HasPrefix(head, []byte("PAR1")):
		return "a Parquet file, not CSV: export the query as CSV instead (Athena: UNLOAD ... WITH (format = 'TEXTFILE', field_delimiter = ','); BigQuery: EXPORT DATA ... format = 'CSV')"
	case bytes.HasPrefix(head, []byte("Obj\x01")):
		return "an Avro file (IoT Hub message routing and Event Hubs Capture write Avro by default), not CSV: set the storage endpoint's encoding to JSON, or convert the file to CSV or JSON Lines"
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return "a SQLite database, not CSV: export the table as CSV (sqlite3 -header -csv FILE 'SELECT * FROM TABLE')"
	}
	return ""
}

// utf16Problem says what to do with a file in UTF-16, known by its first
// four bytes: a byte-order mark, or two ASCII characters each beside a
// zero byte (a tool that drops the mark), which no CSV or JSON export
// has at its start. Empty for any other file.
func utf16Problem(head []byte) string {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return "UTF-16 text (Excel's \"Unicode text\", Windows PowerShell's default encoding); save it as UTF-8 (in Excel: CSV UTF-8)"
	}
	if len(head) < 4 {
		return ""
	}
	ascii := func(c byte) bool { return c != 0 && c < 0x80 }
	order := ""
	switch {
	case ascii(head[0]) && head[1] == 0 && ascii(head[2]) && head[3] == 0:
		order = "UTF-16LE"
	case head[0] == 0 && ascii(head[1]) && head[2] == 0 && ascii(head[3]):
		order = "UTF-16BE"
	default:
		return ""
	}
	return "UTF-16 text without a byte-order mark (a zero byte beside every character); save it as UTF-8 (iconv -f " + order + " -t UTF-8)"
}

// compressedHint words a file compressed other than by gzip: iotpm reads
// .gz as it is, and no other compression.
func compressedHint(kind, tool string) string {
	return kind + "-compressed file, not CSV: decompress it (" + tool + ") or compress the export with gzip (a .gz file is read as it is)"
}

// NewReader reads a CSV export from src, for tests and stdin.
func NewReader(path string, src io.Reader, delim byte) (*Reader, error) {
	r := &Reader{Path: path, next: 1}
	return r, r.init(src, delim, 1<<20)
}

func (r *Reader) init(src io.Reader, delim byte, bufSize int) error {
	r.br = bufio.NewReaderSize(src, bufSize)
	head, _ := r.br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		r.br.Discard(3)
	case utf16Problem(head) != "":
		return &RowError{Path: r.Path, Reason: utf16Problem(head)}
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return &RowError{Path: r.Path, Reason: "gzip-compressed; name it with a .gz suffix"}
	}
	if what := binaryFile(r.br); what != "" {
		return &RowError{Path: r.Path, Reason: what}
	}
	first, err := r.physicalLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &RowError{Path: r.Path, Reason: "empty: expected a header line"}
		}
		return err
	}
	trimmed := bytes.TrimSpace(first)
	if !r.JSON && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') { // (a JSON file's own header: keys, which may start so)
		return &RowError{Path: r.Path, Line: 1, Reason: "looks like JSON, not CSV: iotpm reads a JSON export (JSON Lines, or arrays of objects) from a file, not from standard input"}
	}
	// Excel's "sep=;" line names the delimiter; InfluxDB's annotation rows
	// (#group, #datatype, #default) precede the header.
	for {
		if len(first) == 5 && bytes.HasPrefix(first, []byte("sep=")) && delim == 0 {
			delim = first[4]
		} else if !isAnnotation(first) {
			break
		}
		r.Preamble++
		if first, err = r.physicalLine(); err != nil {
			if errors.Is(err, io.EOF) {
				return &RowError{Path: r.Path, Reason: "no header line after the preamble"}
			}
			return err
		}
	}
	r.Delim = delim
	if r.Delim == 0 {
		r.Delim = sniff(first)
	}
	r.pending = first
	fields, err := r.Read()
	if err != nil {
		return err
	}
	r.setHeader(fields)
	return nil
}

func (r *Reader) setHeader(fields [][]byte) {
	r.Header = r.Header[:0:0]
	for _, f := range fields {
		r.Header = append(r.Header, strings.TrimSpace(string(f)))
	}
}

func isAnnotation(line []byte) bool {
	return bytes.HasPrefix(line, []byte("#group")) || bytes.HasPrefix(line, []byte("#datatype")) || bytes.HasPrefix(line, []byte("#default"))
}

// sniff picks the delimiter that occurs most often outside quotes in the
// header line; ',' when there is none.
func sniff(line []byte) byte {
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best, n := byte(','), 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return best
}

// physicalLine returns the next line without its line ending (LF or CRLF).
func (r *Reader) physicalLine() ([]byte, error) {
	if len(r.replay) > 0 {
		line := r.replay[0]
		r.replay = r.replay[1:]
		r.next++
		return line, nil
	}
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull { // ReadSlice returns it unwrapped; errors.Is costs a call a line
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			long = append(long, line...)
			if len(long) > 64<<20 {
				return nil, fmt.Errorf("%s:%d: a line over 64 MiB: not a CSV export", r.Path, r.next)
			}
		}
		line = long
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	r.next++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// Line is the line number of the row last returned.
func (r *Reader) Line() int { return r.line }

// Progress returns the bytes read from the file so far and its size.
func (r *Reader) Progress() (read, size int64) {
	if r.counter == nil {
		return 0, 0
	}
	return r.counter.n.Load(), r.size
}

// Read returns the next row's fields, valid until the next call, skipping
// blank lines. It returns io.EOF at the end.
func (r *Reader) Read() ([][]byte, error) {
	for {
		var line []byte
		if r.pending != nil {
			line, r.pending = r.pending, nil
			r.line = r.next - 1
		} else {
			var err error
			r.line = r.next
			if line, err = r.physicalLine(); err != nil {
				return nil, err
			}
		}
		if len(line) == 0 {
			r.newTable = r.Tables
			continue
		}
		if r.Comment != nil && bytes.HasPrefix(line, r.Comment) {
			r.Preamble++
			continue
		}
		if r.newTable {
			r.newTable = false
			fields, err := r.split(line)
			if err != nil {
				return nil, err
			}
			r.setHeader(fields)
			return nil, ErrNewTable
		}
		return r.split(line)
	}
}

// split splits one line into fields.
func (r *Reader) split(line []byte) ([][]byte, error) {
	if fields, ok := splitPlain(line, r.Delim, r.fields[:0]); ok {
		r.fields = fields
		return fields, nil
	}
	return r.quoted(line)
}

// splitPlain splits a line without quotes at delim, appending the fields
// to fields; ok is false when the line has a quote (splitQuoted's work).
// It looks for the delimiter and the quote in one pass, eight bytes at a
// time: a wide row (an analytics export's eight or more short fields)
// would otherwise cost a scan for the quote and one IndexByte call a
// field, each with its own start-up.
func splitPlain(line []byte, delim byte, fields [][]byte) (_ [][]byte, ok bool) {
	const ones, low7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	dm, qm := ones*uint64(delim), ones*uint64('"')
	// zero has the high bit of each byte of x that is zero, and no other
	// bit (exact: no carry from one byte into the next)
	zero := func(x uint64) uint64 { return ^((x&low7 + low7) | x | low7) }
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64(line[i:])
		if zero(w^qm) != 0 {
			return fields, false
		}
		for m := zero(w ^ dm); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, line[start:j])
			start = j + 1
		}
	}
	for ; i < len(line); i++ {
		switch line[i] {
		case '"':
			return fields, false
		case delim:
			fields = append(fields, line[start:i])
			start = i + 1
		}
	}
	return append(fields, line[start:]), true
}

// MaxQuotedField bounds a quoted field that spans lines: an unclosed quote
// would otherwise swallow the rest of the file as one row.
const MaxQuotedField = 1 << 20

// quoted parses a row with quoted fields (RFC 4180: "" is a quote; a quoted
// field may span lines): physical lines are joined until every quoted field
// is closed, then splitQuoted, which the parallel reader shares, splits it.
// Joining is linear: the lines are appended to one buffer and split only
// when the count of quotes is even again. A field still open at the end of
// the file or past MaxQuotedField is an error at the line it starts on, and
// reading goes on at the line after it.
func (r *Reader) quoted(line []byte) ([][]byte, error) {
	r.quoteWork += len(line)
	if fields, ok := splitQuoted(line, r.Delim, r.fields[:0]); ok {
		r.fields = fields
		return fields, nil
	}
	start := r.line
	// physicalLine may reuse the buffer line points into: copy first.
	logical := append(r.scratch[:0], line...)
	ends := []int{len(logical)} // where each physical line ends in logical
	odd := bytes.Count(line, []byte{'"'})%2 == 1
	for len(logical) <= MaxQuotedField {
		next, err := r.physicalLine()
		if err != nil {
			break
		}
		logical = append(append(logical, '\n'), next...)
		ends = append(ends, len(logical))
		r.quoteWork += len(next)
		if bytes.Count(next, []byte{'"'})%2 == 1 {
			odd = !odd
		}
		if odd {
			continue
		}
		r.quoteWork += len(logical)
		if fields, ok := splitQuoted(logical, r.Delim, r.fields[:0]); ok {
			r.scratch, r.fields = logical, fields
			return fields, nil
		}
	}
	// give the lines after the first back to the reader
	r.scratch = nil
	var replay [][]byte
	for k := 1; k < len(ends); k++ {
		replay = append(replay, logical[ends[k-1]+1:ends[k]])
	}
	r.replay = append(replay, r.replay...) // lines given back earlier and not read again yet
	r.next = start + 1
	reason := "a quoted field starting on this line is never closed"
	if len(logical) > MaxQuotedField {
		reason = fmt.Sprintf("a quoted field starting on this line is not closed within %d MiB", MaxQuotedField>>20)
	}
	return nil, &RowError{Path: r.Path, Line: start, Kind: RowKind{Problem: UnclosedQuote}, Reason: reason + "; the row is skipped and reading goes on with the next line", Skippable: true}
}

// Close closes the file.
func (r *Reader) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}

// rest hands over the unread stream after the header, for a reader that
// splits it itself, with the number of its first line; ok is false when
// the reader holds lines of its own (read ahead, or to replay).
func (r *Reader) rest() (src io.Reader, firstLine int, ok bool) {
	if r.pending != nil || len(r.replay) > 0 || len(r.scratch) > 0 {
		return nil, 0, false
	}
	return r.br, r.next, true
}

// estimateRows guesses a .gz's rows from its recorded size and the rows
// buffered so far; 0 when it cannot (no size, a size that wrapped past
// 4 GiB, too few rows to tell). The size is a claim of the file, so it is
// held to the expansion bound and to rows of at least 20 bytes: a bomb
// cannot make it reserve much.
func (r *Reader) estimateRows() int {
	if r.isize == 0 || r.isize < r.size || r.limit == nil {
		return 0
	}
	buf, _ := r.br.Peek(r.br.Buffered())
	rows := 0
	for line := range bytes.Lines(buf) {
		if len(bytes.TrimSpace(line)) > 0 {
			rows++
		}
	}
	if rows < 10 {
		return 0
	}
	return int(min(r.isize, r.limit.left+int64(len(buf))) / int64(max(len(buf)/rows, 20)))
}

// roughRows guesses the rows of the whole file, to size what they are read
// into: a .gz's from estimateRows, a plain file's from its size and the
// lines buffered so far (rows of at least 20 bytes, at most 64M rows, so a
// file cannot make it reserve much more than it holds).
func (r *Reader) roughRows() int {
	if r.limit != nil {
		return r.estimateRows()
	}
	if r.size <= 0 {
		return 0
	}
	buf, _ := r.br.Peek(r.br.Buffered())
	rows := bytes.Count(buf, []byte{'\n'})
	if rows < 10 {
		return 0
	}
	return int(min(r.size/int64(max(len(buf)/rows, 20)), 64<<20))
}

// DiagKind is the kind of diagnostic the error is: a problem with the
// whole file (it cannot be opened, decompressed or recognised) or with a
// row.
func (e *RowError) DiagKind() diag.Kind {
	if e.Kind.Problem == FileProblem {
		return diag.File
	}
	return diag.Row
}
