package export

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

func readAll(t *testing.T, r *Reader) [][]string {
	t.Helper()
	var rows [][]string
	for {
		f, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(f))
		for i, x := range f {
			row[i] = string(x)
		}
		rows = append(rows, row)
	}
}

func TestReaderShapes(t *testing.T) {
	want := [][]string{{"d1", "2026-10-01T00:00:00Z", "connected"}, {"d,2", "say \"hi\"\nthere", ""}}
	tests := []struct{ name, in string }{
		{"plain", "id,ts,ev\nd1,2026-10-01T00:00:00Z,connected\n\"d,2\",\"say \"\"hi\"\"\nthere\",\n"},
		{"bom and crlf", "\xEF\xBB\xBFid,ts,ev\r\nd1,2026-10-01T00:00:00Z,connected\r\n\"d,2\",\"say \"\"hi\"\"\nthere\",\r\n"},
		{"semicolon", "id;ts;ev\nd1;2026-10-01T00:00:00Z;connected\n\"d,2\";\"say \"\"hi\"\"\nthere\";\n"},
		{"tab", "id\tts\tev\nd1\t2026-10-01T00:00:00Z\tconnected\n\"d,2\"\t\"say \"\"hi\"\"\nthere\"\t\n"},
		{"pipe, blank lines, no final newline", "id|ts|ev\n\nd1|2026-10-01T00:00:00Z|connected\n\n\"d,2\"|\"say \"\"hi\"\"\nthere\"|"},
		{"quoted header", "\"id\",\"ts\",\"ev\"\n\"d1\",\"2026-10-01T00:00:00Z\",\"connected\"\n\"d,2\",\"say \"\"hi\"\"\nthere\",\"\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader("x.csv", strings.NewReader(tt.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Header, []string{"id", "ts", "ev"}) {
				t.Errorf("header %q", r.Header)
			}
			got := readAll(t, r)
			if len(got) != 2 || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
				t.Errorf("rows %q", got)
			}
		})
	}
}

func TestReaderRefusals(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "empty: expected a header line",
		"\xFF\xFEi\x00d\x00": "UTF-16 text (Excel's \"Unicode text\"",
		// PowerShell's or a converter's UTF-16 without the mark: the
		// header read as bytes was d\x00e\x00v\x00..., a missing column
		"i\x00d\x00,\x00t\x00s\x00": "UTF-16 text without a byte-order mark (a zero byte beside every character); save it as UTF-8 (iconv -f UTF-16LE -t UTF-8)",
		"\x00i\x00d\x00,\x00t\x00s": "(iconv -f UTF-16BE -t UTF-8)",
		"{\"clientId\": \"a\"}\n":   "looks like JSON",
		"\x1F\x8B\x08\x00":          "gzip-compressed",
		// a workbook: a zip whose first entry is [Content_Types].xml
		"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x13\x00\x00\x00[Content_Types].xml": "an Excel workbook (.xlsx), not CSV: save the sheet as CSV UTF-8",
		"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00hours.csv":           "a zip archive, not CSV: unzip it",
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00": "an Excel 97-2003 workbook (.xls)",
		"PAR1\x15\x04":                         "a Parquet file, not CSV",
		"Obj\x01\x04\x14avro":                  "an Avro file",
		"SQLite format 3\x00\x10":              "a SQLite database",
		// LibreOffice's .xlsx begins with its package's relationships
		"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0b\x00\x00\x00_rels/.rels":                                            "an Excel workbook (.xlsx)",
		"PK\x03\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
		"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x12\x00\x00\x00Index/Document.iwa":                                     "an Apple Numbers document",
		"\x28\xB5\x2F\xFD\x24\x00":   "a Zstandard-compressed file, not CSV",
		"\xFD7zXZ\x00\x00\x04":       "an xz-compressed file",
		"BZh91AY&SY":                 "a bzip2-compressed file",
		"\x04\x22\x4D\x18\x64\x40":   "an LZ4-compressed file",
		"\xff\x06\x00\x00sNaPpY\x00": "a Snappy-compressed file",
	} {
		if _, err := NewReader("x.csv", strings.NewReader(in), 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestOpenGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.csv.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("clientId,timestamp,eventType\nd1,1573002230757,connected\n"))
	zw.Close()
	os.WriteFile(path, buf.Bytes(), 0o644)
	r, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if rows := readAll(t, r); len(rows) != 1 || rows[0][2] != "connected" {
		t.Errorf("rows %q", rows)
	}
}

func TestBindDetectsAndResolves(t *testing.T) {
	tests := []struct {
		header  string
		kind    planfile.InputKind
		mapping map[string]string
		format  string
		want    map[string]string // role → column(s)
		err     string
	}{
		// names any export may have: generic, not AWS's format
		{"clientId,timestamp,eventType", "events", nil, "generic", map[string]string{"device_id": "clientId", "timestamp": "timestamp", "event": "eventType"}, ""},
		// thingName first, clientId where it is empty, row by row
		{"thingName,clientId,timestamp,eventType,sessionIdentifier", "events", nil, "aws-iot-lifecycle", map[string]string{"device_id": "thingName|clientId"}, ""},
		{"eventTime,deviceId,eventType", "events", nil, "generic", map[string]string{"device_id": "deviceId", "timestamp": "eventTime", "event": "eventType"}, ""},
		{"name,data,published_at,coreid", "events", nil, "particle-events", map[string]string{"device_id": "coreid", "timestamp": "published_at", "event": "data"}, ""},
		{"Device ID, Time Stamp ,Event", "events", nil, "generic", map[string]string{"device_id": "Device ID", "timestamp": "Time Stamp", "event": "Event"}, ""},
		{"serial_no,when,what", "events", map[string]string{"device_id": "serial_no", "timestamp": "when", "event": "what"}, "generic", map[string]string{"device_id": "serial_no"}, ""},
		{"thingName,jobId,status,lastUpdatedAt", "ota", nil, "aws-iot-jobs", map[string]string{"device_id": "thingName", "job_id": "jobId", "status": "status", "timestamp": "lastUpdatedAt"}, ""},
		// generic names are the last resort: id only when nothing better
		{"id,device_id,timestamp,event", "events", nil, "generic", map[string]string{"device_id": "device_id"}, ""},
		{"id,timestamp,event", "events", nil, "generic", map[string]string{"device_id": "id"}, ""},
		{"clientId,ts", "events", nil, "", nil, "no event column"},
		{"serial_no,when,what", "events", map[string]string{"device_id": "serial"}, "", nil, "no column \"serial\""},
		{"id,time,status", "events", map[string]string{"event": "time"}, "", nil, "would be both timestamp and event"},
		{"clientId,ts,event", "events", map[string]string{"job_id": "x"}, "", nil, "an events input has no job_id column"},
	}
	fs := NewFormats(nil)
	for _, tt := range tests {
		r, err := NewReader("x.csv", strings.NewReader(tt.header+"\n"), 0)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := fs.Detect(tt.kind, r.Header)
		b, err := Bind(f, "x.csv", r.Header, tt.mapping, nil, "")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.header, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.header, err)
			continue
		}
		if f.Name != tt.format {
			t.Errorf("%s: format %s, want %s", tt.header, f.Name, tt.format)
		}
		for role, want := range tt.want {
			if got := b.Column(role); got != want {
				t.Errorf("%s: %s = %q, want %q", tt.header, role, got, want)
			}
		}
	}
}

func TestValueAliases(t *testing.T) {
	for in, want := range map[string]int{"connected": Connected, "Online": Connected, " offline ": Disconnected,
		"Microsoft.Devices.DeviceConnected": Connected, "DISCONNECTED": Disconnected} {
		if got, ok := ParseEvent([]byte(in)); !ok || got != want {
			t.Errorf("event %q = %d %v", in, got, ok)
		}
	}
	if _, ok := ParseEvent([]byte("auto-update")); ok {
		t.Error("auto-update is not a connection state")
	}
	for in, want := range map[string]int{"SUCCEEDED": OTASuccess, "Succeeded": OTASuccess, "success ": OTASuccess, "TIMED_OUT": OTAFailure,
		"REJECTED": OTAFailure, "CANCELED": OTAExcluded, "REMOVED": OTAExcluded, "IN_PROGRESS": OTAPending, "QUEUED": OTAPending, "InProgress": OTAPending} {
		if got, ok := ParseOTAStatus([]byte(in)); !ok || got != want {
			t.Errorf("status %q = %d %v", in, got, ok)
		}
	}
}

func ingest(t *testing.T, kind planfile.InputKind, content string) (*Stats, *metrics.Data) {
	t.Helper()
	return ingestInput(t, Input{Kind: kind}, content)
}

// ingestInput reads content as the input in describes (its kind, zone,
// format...), from a file of its own.
// gzipped is data compressed as a .gz export is.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func ingestInput(t *testing.T, in Input, content string) (*Stats, *metrics.Data) {
	t.Helper()
	return readInput(t, writeInput(t, in, content))
}

// writeInput writes content to a file named for in (a .gz compressed)
// and returns in with its path.
func writeInput(t *testing.T, in Input, content string) Input {
	t.Helper()
	name := string(in.Kind) + ".csv"
	if in.Path != "" {
		name = in.Path // the file's name: a .gz is written compressed
	}
	in.Path = filepath.Join(t.TempDir(), name)
	if strings.HasSuffix(name, ".gz") {
		content = string(gzipped([]byte(content)))
	}
	os.WriteFile(in.Path, []byte(content), 0o644)
	return in
}

// readInput reads in (its files written) over all time into a new Data.
func readInput(t *testing.T, in Input) (*Stats, *metrics.Data) {
	t.Helper()
	return readInputWith(t, in, false)
}

// readInputWith is readInput, with the line reader alone when lineReader
// is set.
func readInputWith(t *testing.T, in Input, lineReader bool) (*Stats, *metrics.Data) {
	t.Helper()
	d := metrics.NewData()
	g := &Ingest{Data: d, Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4, lineReader: lineReader}
	st, err := g.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	return st, d
}

func TestBadRowsWithLines(t *testing.T) {
	content := "clientId,timestamp,eventType\n" +
		"d1,1573002230757,connected\n" + // 2
		"d1,\"multi\nline\",connected\n" + // 3-4: unparseable timestamp, reported at its first line
		"d2,yesterday,connected\n" + // 5
		"d3,1573002230757,rebooting\n" + // 6
		"d4,1573002230757\n" + // 7
		",1573002230757,connected\n" + // 8
		"d5,2019-11-06T01:03:50Z,offline\n" // 9
	st, _ := ingest(t, "events", content)
	var got []string
	for _, e := range st.Errors {
		got = append(got, e.Error())
	}
	p := st.Path
	want := []string{
		p + `:3: unparseable timestamp "multi\nline" (format generic): expected ISO 8601 or epoch s/ms/µs/ns`,
		p + `:5: unparseable timestamp "yesterday" (format generic): expected ISO 8601 or epoch s/ms/µs/ns`,
		p + `:6: unknown event value "rebooting" in column eventType (format generic: connected/online, disconnected/offline, …); to read it, name it in a repo format's values: (formats: in iotpm.yaml; see the format reference)`,
		p + `:7: has 2 fields; the header has 3`,
		p + `:8: empty device_id (clientId)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n  got  %q\n  want %q", got, want)
	}
	if st.Read != 7 || st.Used != 2 || st.SkippedTotal() != 5 {
		t.Errorf("read %d used %d skipped %d", st.Read, st.Used, st.SkippedTotal())
	}
}

// A row that ends with the delimiter its header line lacks (or the
// header with one its rows lack) says so and what to do; any other count
// that differs says only the counts.
func TestFieldCountNamesATrailingDelimiter(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{"clientId,timestamp,eventType\nd1,1573002230757,connected,\n", `:2: has 4 fields; the header has 3: the last field is empty, after a delimiter at the end of the row; if the export ends every row so, end its header line with the delimiter too (an unnamed last column, ignored), or export without it`},
		{"clientId,timestamp,eventType,\nd1,1573002230757,connected\n", `:2: has 3 fields; the header has 4: the header ends with a delimiter (an unnamed last column) that this row lacks; delete it from the header line`},
		{"clientId,timestamp,eventType\nd1,1573002230757,connected,x\n", `:2: has 4 fields; the header has 3`},
	} {
		st, _ := ingest(t, "events", c.content)
		if len(st.Errors) != 1 || st.Errors[0].Error() != st.Path+c.want {
			t.Errorf("%q: %v, want %s", c.content, st.Errors, c.want)
		}
	}
	// a header that ends with the delimiter, as its rows do, reads
	st, _ := ingest(t, "events", "clientId,timestamp,eventType,\nd1,1573002230757,connected,\n")
	if len(st.Errors) != 0 || st.Used != 1 {
		t.Errorf("trailing delimiter on every line: %v, used %d", st.Errors, st.Used)
	}
}

// The parallel reader must give exactly what the sequential one gives:
// rows, accounting, bad rows with their line numbers, and the data.
func TestParallelMatchesSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	for i := range 400_000 {
		switch {
		case i%99_991 == 5:
			b.WriteString("dev-bad,notatime,connected\n")
		case i%123_457 == 7:
			b.WriteString("dev-x,1573002230757\n")
		case i%50_000 == 3:
			b.WriteString("\"dev-q,1\",1573002230757,\"connected\"\n") // quoted but on one line
		default:
			fmt.Fprintf(&b, "dev-%d,%d,%s\n", i%5000, 1573002230757+int64(i)*997, []string{"connected", "disconnected"}[i%2])
		}
	}
	content := b.String()
	if len(content) < 8<<20 {
		t.Fatalf("the file must exceed the parallel threshold: %d bytes", len(content))
	}
	par, dp, seq, ds := ingestBothWays(t, content)
	if par.Read != seq.Read || par.Used != seq.Used || par.SkippedTotal() != seq.SkippedTotal() || len(par.Errors) != len(seq.Errors) {
		t.Fatalf("parallel %+v\nsequential %+v", par, seq)
	}
	for i := range par.Errors {
		if par.Errors[i].Line != seq.Errors[i].Line || par.Errors[i].Reason != seq.Errors[i].Reason {
			t.Errorf("error %d: %v vs %v", i, par.Errors[i], seq.Errors[i])
		}
	}
	w := metrics.Window{From: 1573002230757000, To: 1573002230757000 + 400_000*997_000}
	rp := metrics.Compute(dp, metrics.Options{Window: w, SLO: 0.99})
	rs := metrics.Compute(ds, metrics.Options{Window: w, SLO: 0.99})
	if rp.Uptime.ConnectedUS != rs.Uptime.ConnectedUS || rp.Uptime.ObservedUS != rs.Uptime.ObservedUS || rp.MAD.Value != rs.MAD.Value {
		t.Errorf("parallel %+v %+v\nsequential %+v %+v", rp.Uptime, rp.MAD, rs.Uptime, rs.MAD)
	}
}

// An export grouped by device — runs of one id, some longer than a lookup
// batch, some crossing the chunks' boundaries — numbers its devices and
// keeps their events as the sequential reader does (the parallel reader
// takes a run's number from the row before, without a lookup).
func TestParallelGroupedMatchesSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	var ids []string
	for dev, i := 0, 0; b.Len() < 9<<20; dev++ {
		id := fmt.Sprintf("grouped-device-%05d", dev)
		ids = append(ids, id)
		for k := range 1 + (dev*37)%200 {
			fmt.Fprintf(&b, "%s,%d,%s\n", id, 1573002230757+int64((i*7919)%400_000)*997, []string{"connected", "disconnected"}[k%2])
			i++
		}
	}
	content := b.String()
	par, dp, seq, ds := ingestBothWays(t, content)
	if par.Read != seq.Read || par.Used != seq.Used || dp.Devices() != ds.Devices() || dp.Devices() != len(ids) {
		t.Fatalf("parallel %d rows, %d devices; sequential %d rows, %d devices; %d ids", par.Read, dp.Devices(), seq.Read, ds.Devices(), len(ids))
	}
	dp.Freeze()
	ds.Freeze()
	for _, id := range ids {
		if a, b := dp.DeviceIndex([]byte(id)), ds.DeviceIndex([]byte(id)); a != b {
			t.Fatalf("%s: number %d in parallel, %d sequentially", id, a, b)
		}
		if !reflect.DeepEqual(dp.DeviceEvents(id), ds.DeviceEvents(id)) {
			t.Fatalf("%s: events differ", id)
		}
	}
}

// A quoted field that spans lines makes a split unsafe: the reader falls
// back to a sequential read and still counts every row.
func TestParallelFallsBackOnMultilineQuotes(t *testing.T) {
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	for i := range 300_000 {
		if i == 250_000 {
			b.WriteString("\"dev\n1\",1573002230757,connected\n")
			continue
		}
		fmt.Fprintf(&b, "dev-%d,%d,connected\n", i%1000, 1573002230757+int64(i))
	}
	st, d := ingest(t, "events", b.String())
	if st.Read != 300_000 || st.Used != 300_000 || d.Devices() != 1001 {
		t.Errorf("read %d used %d devices %d", st.Read, st.Used, d.Devices())
	}
}

// FuzzReader checks that the reader never panics and, where encoding/csv
// accepts the input, returns the same records.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\r\n\"x,\"\"y\"\"\",2\r\n", "a\n\"unclosed\n", "a,b\n1\n1,2,3\n", "\xEF\xBB\xBFa,b\n1,2", "a,b\n\"q\"x,1\n", "a;b\n1;2\n",
		"sep=;\na;b\n1;2\n", "#group,false\n#datatype,string\n,result,_time\n,,2026-10-10T11:00:00Z\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := NewReader("f.csv", strings.NewReader(s), ',')
		if err != nil {
			return
		}
		var ours [][]string
		ours = append(ours, r.Header)
		for {
			fields, err := r.Read()
			if err != nil {
				break
			}
			row := make([]string, len(fields))
			for i, x := range fields {
				row[i] = string(x)
			}
			ours = append(ours, row)
		}
		if strings.HasPrefix(s, "\xEF\xBB\xBF") || strings.ContainsAny(s, "\r") {
			return // encoding/csv keeps the BOM and treats a bare CR differently
		}
		if strings.HasPrefix(s, "sep=") || strings.HasPrefix(s, "#") {
			return // Excel's sep= line and InfluxDB's annotations are a preamble here
		}
		cr := csv.NewReader(strings.NewReader(s))
		cr.FieldsPerRecord = -1
		theirs, err := cr.ReadAll()
		if err != nil || len(theirs) == 0 {
			return
		}
		for i := range theirs[0] {
			theirs[0][i] = strings.TrimSpace(theirs[0][i])
		}
		if len(theirs) != len(ours) {
			t.Fatalf("%q: %d records, encoding/csv %d\n%q\n%q", s, len(ours), len(theirs), ours, theirs)
		}
		for i := range theirs {
			if !slices.Equal(ours[i], theirs[i]) {
				t.Fatalf("%q: record %d = %q, encoding/csv %q", s, i, ours[i], theirs[i])
			}
		}
	})
}

// An unclosed quote is one bad row at the line it starts on; reading goes
// on with the next line, so the rows after it are not swallowed.
func TestUnclosedQuoteResynchronises(t *testing.T) {
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	b.WriteString("d0,\"1573002230757,connected\n") // line 2: the quote never closes
	for i := range 100 {
		fmt.Fprintf(&b, "d%d,1573002230757,connected\n", i+1)
	}
	st, d := ingest(t, "events", b.String())
	if st.Read != 101 || st.Used != 100 || st.SkippedTotal() != 1 || d.Devices() != 100 {
		t.Errorf("read %d used %d skipped %d devices %d", st.Read, st.Used, st.SkippedTotal(), d.Devices())
	}
	if len(st.Errors) != 1 || st.Errors[0].Line != 2 || !strings.Contains(st.Errors[0].Reason, "never closed") {
		t.Errorf("errors %v", st.Errors)
	}
}

// Joining the lines of an open quote is linear: reading four times the rows
// after a quote opened on the first data line examines at most about four
// times the bytes (it took 76 s for 4 MB when every line re-split the
// whole field). Counted work, not time: a loaded machine once took a
// timed version of this test past its bound.
func TestUnclosedQuoteIsLinear(t *testing.T) {
	read := func(size int) (work, rows, bad int) {
		var b strings.Builder
		b.WriteString("a,b\n\"x,1\n")
		for b.Len() < size {
			b.WriteString("plain row without quotes,2\n")
		}
		r, err := NewReader("big.csv", strings.NewReader(b.String()), 0)
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				bad++
				continue
			}
			rows++
		}
		return r.quoteWork, rows, bad
	}
	small, _, _ := read(512 << 10)
	large, rows, bad := read(2 << 20)
	if bad != 1 || rows < 75_000 {
		t.Errorf("bad %d rows %d", bad, rows)
	}
	// four times the rows: linear at most ×4 (the joined field is capped
	// at MaxQuotedField), quadratic — splitting the growing field again
	// after every line — thousands of times the input
	if small == 0 || large > 4*small+MaxQuotedField || large > 4*(2<<20) {
		t.Errorf("looking for the quote's end examined %d bytes of a 512 KiB file and %d of a 2 MiB one: not linear", small, large)
	}
}

// A .csv.gz that expands past the bound is refused quickly, streaming,
// with a message that says what to do; a truncated one says so once.
func TestGzipBounds(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.csv.gz")
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte("clientId,timestamp,eventType\n"))
	blank := bytes.Repeat([]byte("\n"), 1<<20)
	for range 300 { // 300 MiB of blank lines: about 300 KB compressed
		zw.Write(blank)
	}
	zw.Close()
	os.WriteFile(bomb, buf.Bytes(), 0o644)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g := &Ingest{Data: metrics.NewData(), UseUntil: math.MaxInt64}
	_, err := g.Read(Input{Kind: "events", Path: bomb})
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "expands to more than 100× its compressed size") {
		t.Errorf("err = %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("allocated %d MB reading a bomb", grew>>20)
	}
	// truncated
	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write([]byte("clientId,timestamp,eventType\n"))
	for i := range 20000 {
		fmt.Fprintf(zw, "d%d,%d,connected\n", i*7919%1000, 1573002230757+i*263)
	}
	zw.Close()
	trunc := filepath.Join(dir, "trunc.csv.gz")
	os.WriteFile(trunc, buf.Bytes()[:buf.Len()/2], 0o644)
	_, err = g.Read(Input{Kind: "events", Path: trunc})
	if err == nil || strings.Count(err.Error(), trunc) != 1 || !strings.Contains(err.Error(), "the gzip stream is truncated or corrupt") {
		t.Errorf("err = %v", err)
	}
}

func TestDuplicateHeaderIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.csv")
	os.WriteFile(path, []byte("device_id,timestamp,Device ID,event\nd1,2026-10-01,d2,connected\n"), 0o644)
	g := &Ingest{Data: metrics.NewData(), UseUntil: math.MaxInt64}
	_, err := g.Read(Input{Kind: "events", Path: path})
	if err == nil || !strings.Contains(err.Error(), `e.csv:1: column 3 ("Device ID") repeats column 1 ("device_id")`) {
		t.Errorf("err = %v", err)
	}
}

// A device listed twice in the devices input: a copy is used once; a row
// that says something else of it (ship date, customer, retirement, model,
// firmware) is a bad row at its line, and the earlier row holds (the last
// row won, silently). The database source refuses the same tables.
func TestDuplicateDeviceRows(t *testing.T) {
	const header = "device_id,shipped_at,customer_id,retired_at,model,firmware\n"
	const first = "d1,2026-09-01,acme,,DL-200,2.4.0\n"
	for _, c := range []struct {
		second string
		dups   int
		reason string // "": no bad row
	}{
		{first, 1, ""},
		{"d1, 2026-09-01 ,acme ,,DL-200,2.4.0\n", 1, ""}, // blanks around a value are not part of it
		{"d1,2026-09-02,acme,,DL-200,2.4.0\n", 0, `device "d1" is listed again with another shipped_at (2026-09-02T00:00:00Z; the earlier row: 2026-09-01T00:00:00Z)`},
		{"d1,2026-09-01T00:00:00.5Z,acme,,DL-200,2.4.0\n", 0, "another shipped_at (2026-09-01T00:00:00.5Z; the earlier row: 2026-09-01T00:00:00Z)"},
		{"d1,2026-09-01,,,DL-200,2.4.0\n", 0, `another customer_id (none; the earlier row: "acme")`},
		{"d1,2026-09-01,acme,2026-10-01,DL-200,2.4.0\n", 0, "another retired_at (2026-10-01T00:00:00Z; the earlier row: none)"},
		{"d1,2026-09-01,acme,,DL-300,2.4.0\n", 0, `another model ("DL-300"; the earlier row: "DL-200")`},
		{"d1,2026-09-01,acme,,DL-200,2.4.1\n", 0, `another firmware ("2.4.1"; the earlier row: "2.4.0")`},
	} {
		st, d := ingest(t, "devices", header+first+c.second+"d2,2026-09-01,acme,,DL-200,2.4.0\n")
		if d.DuplicateDevices != c.dups || st.Used != 3-st.SkippedTotal() {
			t.Errorf("%q: duplicates %d, used %d, skipped %d", c.second, d.DuplicateDevices, st.Used, st.SkippedTotal())
		}
		switch {
		case c.reason == "" && len(st.Errors) > 0:
			t.Errorf("%q: %v", c.second, st.Errors[0])
		case c.reason != "" && (len(st.Errors) != 1 || st.Errors[0].Line != 3 || st.Skipped[RowKind{Conflict, "device_id"}] != 1 || !strings.Contains(st.Errors[0].Reason, c.reason)):
			t.Errorf("%q: errors %v, want line 3: %s", c.second, st.Errors, c.reason)
		}
		// the earlier row holds
		if row, ok := d.ListedDevice([]byte("d1")); !ok || row.Shipped != 1788220800000000 || row.Customer != "acme" || row.Model != "DL-200" || row.Firmware != "2.4.0" || row.Retired != metrics.NoTime {
			t.Errorf("%q: d1 is %+v", c.second, row)
		}
	}
}

// A time before 2001 is a clock never set (1970, 1980, 2000 are what
// unset clocks say): a bad row, in any input, as a ship or retirement
// date too; 2001-01-01T00:00:00Z itself is fine. One such row made a
// fleet's data start 1970 and moved the uptime of every other device.
func TestTimesBefore2001AreBadRows(t *testing.T) {
	for _, c := range []struct {
		kind    planfile.InputKind
		content string
		role    string // "": no bad row
	}{
		{"events", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd2,1970-01-01T00:00:12Z,connected\n", "timestamp"},
		{"events", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd2,2000-12-31T23:59:59.999Z,connected\n", "timestamp"},
		{"events", "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z,connected\nd2,2001-01-01T00:00:00Z,connected\n", ""},
		{"activity", "device_id,timestamp\nd1,2026-10-01T00:00:00Z\nd2,1980-01-06T00:00:00Z\n", "timestamp"},
		{"devices", "device_id,shipped_at\nd1,2026-09-01\nd2,1970-01-01\n", "shipped_at"},
		{"devices", "device_id,shipped_at,retired_at\nd1,2026-09-01,\nd2,2026-09-01,2000-01-01\n", "retired_at"},
		{"tickets", "customer_id,created_at\nc1,2026-10-01\nc2,1999-01-01\n", "created_at"},
	} {
		st, _ := ingest(t, c.kind, c.content)
		if c.role == "" {
			if st.SkippedTotal() != 0 || st.Used != 2 {
				t.Errorf("%s %q: %+v", c.kind, c.content, st.Errors)
			}
			continue
		}
		if st.Skipped[RowKind{PastTimestamp, c.role}] != 1 || len(st.Errors) != 1 || st.Errors[0].Line != 3 || !strings.Contains(st.Errors[0].Reason, "is before 2001: a device clock that was never set") {
			t.Errorf("%s %q: skipped %v, errors %v", c.kind, c.content, st.Skipped, st.Errors)
		}
	}
}

// iotpm.yaml's max_expansion bound is the reader's default: a file may
// lower the limit, never raise it.
func TestExpansionBoundsAgree(t *testing.T) {
	if planfile.MaxExpansionInFile != DefaultMaxExpansion {
		t.Errorf("planfile allows %d in iotpm.yaml, the reader's default is %d", planfile.MaxExpansionInFile, DefaultMaxExpansion)
	}
}

// roughRows sizes what a file's rows are read into: its size over the
// buffered lines' mean length, never rows under 20 bytes, and nothing for
// a file too short to tell.
func TestRoughRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, header, row string, n int) string {
		var b strings.Builder
		b.WriteString(header + "\n")
		for range n {
			b.WriteString(row + "\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, row string
		n, lo, hi int
	}{
		{"wide.csv", "2026-10-05 12:00:00.123456,setup_started,880001,,PHONE-1,iOS,3.8.1,drip-000001", 50_000, 45_000, 55_000},
		{"narrow.csv", "a,1,x", 50_000, 12_000, 18_000}, // 6-byte rows counted as 20: under, not over
		{"short.csv", "a,b,c", 5, 0, 0},
	} {
		r, err := Open(write(c.name, "h1,h2,h3", c.row, c.n), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.roughRows(); got < c.lo || got > c.hi {
			t.Errorf("%s: %d rows estimated for %d, want %d..%d", c.name, got, c.n, c.lo, c.hi)
		}
		r.Close()
	}
}

// progressEvents shortens the progress thresholds for the test, so that a
// fast read reports at all, and returns 600,000 AWS lifecycle events to
// read (5,000 devices).
func progressEvents(t *testing.T) string {
	oldAfter, oldEvery := progressAfter, progressEvery
	progressAfter, progressEvery = 0, time.Millisecond
	t.Cleanup(func() { progressAfter, progressEvery = oldAfter, oldEvery })
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	for i := range 600_000 {
		fmt.Fprintf(&b, "dev-%d,%d,%s\n", i%5000, 1573002230757+int64(i)*997, []string{"connected", "disconnected"}[i%2])
	}
	return b.String()
}

// A parallel read reports its progress too (bytes of the chunks read so
// far, of the file's size), never past the size and never going back; the
// thresholds are shortened so that a fast read reports at all.
func TestParallelReadReportsProgress(t *testing.T) {
	content := progressEvents(t)
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reads []int64
	var size int64
	g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4,
		Progress: func(kind planfile.InputKind, read, sz int64) {
			mu.Lock()
			defer mu.Unlock()
			if kind != planfile.KindEvents {
				t.Errorf("progress of %s", kind)
			}
			reads, size = append(reads, read), sz
		}}
	if _, err := g.Read(Input{Kind: planfile.KindEvents, Path: path}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reads) == 0 || size != int64(len(content)) {
		t.Fatalf("%d reports, size %d of %d bytes", len(reads), size, len(content))
	}
	for i, r := range reads {
		if r < 0 || r > size || i > 0 && r < reads[i-1] {
			t.Errorf("report %d: %d of %d bytes (after %v)", i, r, size, reads[:i])
		}
	}
}

// splitReference is splitPlain's definition: no quote, then the fields
// between delimiters.
func splitReference(line []byte, delim byte) ([][]byte, bool) {
	if bytes.IndexByte(line, '"') >= 0 {
		return nil, false
	}
	return bytes.Split(line, []byte{delim}), true
}

// splitPlain works eight bytes at a time: delimiters and quotes at every
// place in a word and in the tail, bytes that differ from them in one bit
// (a carry between bytes would show there), and empty fields.
func TestSplitPlain(t *testing.T) {
	lines := []string{"", ",", ",,", "a", "a,b", "1234567,", "12345678,", "1234567,9", ",1234567", "abcdefgh", "abcdefghi,j,,k",
		"2026-10-05 12:00:00.123456,setup_started,880001,,PHONE-0A,iOS,3.8.1,drip-000001", "x,\"y\"", "1234567\"", "12345678\"", "-,-.,\x2d\x2c\xac\xad\xff\x00,",
		"\x2c\x2c\x2c\x2c\x2c\x2c\x2c\x2c\x2c", "\xac\xac\xac\xac\xac\xac\xac\xac,", "a;b;c", "a\tb\tc\t"}
	for _, line := range lines {
		for _, delim := range []byte{',', ';', '\t'} {
			got, ok := splitPlain([]byte(line), delim, nil)
			want, wantOK := splitReference([]byte(line), delim)
			if ok != wantOK || (ok && !slices.EqualFunc(got, want, bytes.Equal)) {
				t.Errorf("splitPlain(%q, %q) = %q %v, want %q %v", line, delim, got, ok, want, wantOK)
			}
		}
	}
}

func FuzzSplitPlain(f *testing.F) {
	for _, s := range []string{"a,b,c", "12345678,12345678\"", "\x2c\xac\x00\xff;,\t"} {
		f.Add(s, byte(','))
	}
	f.Fuzz(func(t *testing.T, line string, delim byte) {
		if delim == '"' {
			return
		}
		got, ok := splitPlain([]byte(line), delim, nil)
		want, wantOK := splitReference([]byte(line), delim)
		if ok != wantOK || (ok && !slices.EqualFunc(got, want, bytes.Equal)) {
			t.Fatalf("splitPlain(%q, %q) = %q %v, want %q %v", line, delim, got, ok, want, wantOK)
		}
	})
}

// ingestBothWays reads an events export with the block reader and with
// the line reader: the two results, to compare.
func ingestBothWays(t *testing.T, content string) (par *Stats, dp *metrics.Data, seq *Stats, ds *metrics.Data) {
	t.Helper()
	return ingestInputBothWays(t, Input{Kind: "events"}, content)
}

// ingestInputBothWays is ingestBothWays for the input in describes. The
// block read is on every core; where that is more than one, the same
// file is read again on one core (one chunk), and that read must agree
// with the line reader's on its accounting and bad rows here, and with
// the every-core read on every device's events (compared by the caller).
func ingestInputBothWays(t *testing.T, in Input, content string) (par *Stats, dp *metrics.Data, seq *Stats, ds *metrics.Data) {
	t.Helper()
	in = writeInput(t, in, content)
	par, dp = readInput(t, in)
	seq, ds = readInputWith(t, in, true)
	if runtime.GOMAXPROCS(0) > 1 {
		old := runtime.GOMAXPROCS(1)
		one, d1 := readInput(t, in)
		runtime.GOMAXPROCS(old)
		sameAccounting(t, "one core", one, "line reader", seq)
		if one.Used > 0 {
			// every device's state over the file's whole span
			o := metrics.Options{Window: metrics.Window{From: one.Earliest, To: one.Latest + 1}, SLO: 0.99}
			r1, rp := metrics.Compute(d1, o), metrics.Compute(dp, o)
			if d1.Devices() != dp.Devices() || d1.DuplicateEvents != dp.DuplicateEvents || r1.Uptime.ConnectedUS != rp.Uptime.ConnectedUS ||
				r1.Uptime.ObservedUS != rp.Uptime.ObservedUS || r1.MAD.Value != rp.MAD.Value {
				t.Fatalf("one core: %d devices, %d duplicates, %+v, %+v\nevery core: %d, %d, %+v, %+v",
					d1.Devices(), d1.DuplicateEvents, r1.Uptime, r1.MAD, dp.Devices(), dp.DuplicateEvents, rp.Uptime, rp.MAD)
			}
		}
	}
	return par, dp, seq, ds
}

// sameAccounting fails t unless two reads of one file counted its rows
// alike and listed the same bad rows at the same lines.
func sameAccounting(t *testing.T, aName string, a *Stats, bName string, b *Stats) {
	t.Helper()
	if a.Read != b.Read || a.Used != b.Used || a.Outside != b.Outside || !maps.Equal(a.Skipped, b.Skipped) || !maps.Equal(a.Ignored, b.Ignored) ||
		a.Earliest != b.Earliest || a.Latest != b.Latest || a.TimeNotes != b.TimeNotes || len(a.Errors) != len(b.Errors) {
		t.Fatalf("%s %+v\n%s %+v", aName, a, bName, b)
	}
	for i, e := range a.Errors {
		if f := b.Errors[i]; e.Path != f.Path || e.Line != f.Line || e.Kind != f.Kind || e.Reason != f.Reason {
			t.Fatalf("bad row %d: %s %v, %s %v", i, aName, e, bName, f)
		}
	}
}

// Events ordered by a sequence, sessions or the file's order are read in
// parallel chunks too: each chunk's devices and events go to a Data of
// its own, merged in the file's order. The result must be the sequential
// reader's: accounting, bad rows at their lines, every device's events,
// and what ordering them found (duplicates, stale and orphan disconnects,
// a sequence going back). AWS's whole lifecycle shape — sessions that a
// takeover leaves stale, versionNumber restarting after an hour offline,
// exact duplicates, an empty sequence — and a file whose order decides.
func TestParallelOrderedMatchesSequential(t *testing.T) {
	const rows, devices = 300_000, 3000
	aws := func() string {
		var b strings.Builder
		b.WriteString("clientId,timestamp,eventType,sessionIdentifier,principalIdentifier,versionNumber\n")
		version := make([]int, devices)
		for i := range rows {
			dev := (i * 7919) % devices
			ts := 1790812800000 + int64(i)*9_000 // ms: each device every 7.5 h
			state := []string{"connected", "disconnected"}[(i/devices)%2]
			if state == "connected" {
				version[dev]++
				if i%(devices*40) < devices { // once in a while offline over an hour: starts over
					version[dev] = 0
				}
			}
			session := fmt.Sprintf("%08x-0000-4000-8000-%012d", dev, version[dev])
			switch {
			case i%97_001 == 11:
				fmt.Fprintf(&b, "dev-%d,%d,%s,%s,p,\n", dev, ts, state, session) // empty sequence: a bad row
				continue
			case i%31_337 == 5 && state == "disconnected":
				session = "old-session" // a close of a session no connect names
			}
			fmt.Fprintf(&b, "dev-%d,%d,%s,%s,p,%d\n", dev, ts, state, session, version[dev])
			if i%10_007 == 3 {
				fmt.Fprintf(&b, "dev-%d,%d,%s,%s,p,%d\n", dev, ts, state, session, version[dev]) // an exact duplicate
			}
		}
		return b.String()
	}()
	file := func() string {
		var b strings.Builder
		b.WriteString("device_id,timestamp,event\n")
		for i := range rows {
			// a device's rows two at an instant (a connect and a
			// disconnect, one a block of 3,000 rows): the row order decides
			fmt.Fprintf(&b, "dev-%d,2026-10-01T%02d:%02d:00Z,%s\n", (i*7919)%devices, i/6000/60, i/6000%60, []string{"connected", "disconnected"}[i/devices%2])
		}
		return b.String()
	}()
	// rows longer at the start than after it: the chunks, sized from the
	// first MiB's, outgrow their room (and are moved by append)
	var spill strings.Builder
	for i, line := range strings.SplitAfter(aws, "\n") {
		if i > 0 && i < 20_000 {
			line = strings.Replace(line, ",p,", ","+strings.Repeat("p", 300)+",", 1)
		}
		spill.WriteString(line)
	}
	for _, c := range []struct {
		name    string
		in      Input
		content string
	}{
		{"aws sessions and versionNumber", Input{Kind: "events", Format: "aws-iot-lifecycle"}, aws},
		{"file order", Input{Kind: "events", Order: "file"}, file},
		{"chunks outgrowing their room", Input{Kind: "events", Format: "aws-iot-lifecycle"}, spill.String()},
		// a compressed stream, its blocks parsed in parallel as it is
		// decompressed and merged in the file's order
		{"aws, compressed", Input{Kind: "events", Format: "aws-iot-lifecycle", Path: "events.csv.gz"}, aws},
		{"file order, compressed", Input{Kind: "events", Order: "file", Path: "events.csv.gz"}, file},
		// a quoted field over two lines near the end: the stream gives up
		// after merging blocks and the file is read again sequentially —
		// into a Data the stream left without them
		{"compressed, a quoted field over lines", Input{Kind: "events", Format: "aws-iot-lifecycle", Path: "events.csv.gz"},
			aws[:len(aws)-2000] + strings.Replace(aws[len(aws)-2000:], ",p,", ",\"p\nq\",", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.content) < 8<<20 {
				t.Fatalf("the file must exceed the parallel threshold: %d bytes", len(c.content))
			}
			par, dp, seq, ds := ingestInputBothWays(t, c.in, c.content)
			if par.Read != seq.Read || par.Used != seq.Used || par.SkippedTotal() != seq.SkippedTotal() || len(par.Errors) != len(seq.Errors) {
				t.Fatalf("parallel %+v\nsequential %+v", par, seq)
			}
			for i := range par.Errors {
				if par.Errors[i].Line != seq.Errors[i].Line || par.Errors[i].Reason != seq.Errors[i].Reason {
					t.Errorf("error %d: %v vs %v", i, par.Errors[i], seq.Errors[i])
				}
			}
			dp.Freeze()
			ds.Freeze()
			type found struct {
				Dups, Stale, Checked, Orphans, Following, Back int
				OrphanDevice, BackDevice                       string
			}
			of := func(d *metrics.Data) found {
				return found{d.DuplicateEvents, d.StaleDisconnects, d.SessionChecked, d.OrphanDisconnects, d.SequenceFollowing, d.SequenceBack, d.OrphanDevice, d.SequenceBackDevice}
			}
			if of(dp) != of(ds) || dp.Devices() != ds.Devices() {
				t.Errorf("parallel %+v, %d devices\nsequential %+v, %d devices", of(dp), dp.Devices(), of(ds), ds.Devices())
			}
			if c.in.Format != "" && (ds.DuplicateEvents == 0 || ds.StaleDisconnects == 0 || ds.OrphanDisconnects == 0 || par.SkippedTotal() == 0) {
				t.Errorf("the export lacks a case: %+v, %d skipped", of(ds), par.SkippedTotal())
			}
			for dev := range devices {
				id := fmt.Sprintf("dev-%d", dev)
				if a, b := dp.DeviceEvents(id), ds.DeviceEvents(id); !slices.Equal(a, b) {
					t.Fatalf("%s: parallel %v\nsequential %v", id, a, b)
				}
				// numbered in order of first appearance, as the
				// sequential reader numbers them
				if a, b := dp.DeviceIndex([]byte(id)), ds.DeviceIndex([]byte(id)); a != b {
					t.Fatalf("%s: device number %d in parallel, %d in sequence", id, a, b)
				}
			}
		})
	}
}
