package export

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// A JSON export reads as the CSV it flattens to, in every shape a
// platform delivers: JSON Lines (Firehose with a newline delimiter),
// objects back to back (Firehose without one), an array of events (Event
// Grid), pretty-printed, gzip-compressed. The header is the keys in the
// order they first appear, nested keys joined with dots; a key an object
// lacks is empty in its row; numbers keep their text.
func TestJSONShapes(t *testing.T) {
	header := []string{"clientId", "timestamp", "eventType", "data.deviceId", "data.info.seq", "tags", "clientInitiatedDisconnect"}
	rows := [][]string{
		{"d1", "1790812800000", "connected", "", "", "", ""},
		{"d1", "1790816400000", "disconnected", "x", "0001", `["a",1]`, "false"},
	}
	recs := []string{
		`{"clientId":"d1","timestamp":1790812800000,"eventType":"connected"}`,
		`{"clientId":"d1","timestamp":1790816400000,"eventType":"disconnected","data":{"deviceId":"x","info":{"seq":"0001"}},"tags":["a", 1],"clientInitiatedDisconnect":false}`,
	}
	for name, content := range map[string]string{
		"json lines":    recs[0] + "\n" + recs[1] + "\n",
		"back to back":  recs[0] + recs[1],
		"an array":      "[" + recs[0] + ",\n" + recs[1] + "]\n",
		"two arrays":    "[" + recs[0] + "]\n[" + recs[1] + "]",
		"pretty":        "[\n  " + strings.ReplaceAll(recs[0], ",", ",\n    ") + ",\n  " + recs[1] + "\n]\n",
		"with null":     recs[0][:len(recs[0])-1] + `,"tags":null}` + "\n" + recs[1],
		"CRLF, BOM":     "\ufeff" + recs[0] + "\r\n" + recs[1] + "\r\n",
		"leading space": "\n\n  " + recs[0] + "\n" + recs[1],
	} {
		for _, gz := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "events.json")
			data := []byte(content)
			if gz {
				path += ".gz"
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(data)
				zw.Close()
				data = buf.Bytes()
			}
			os.WriteFile(path, data, 0o644)
			r, err := Open(path, 0)
			if err != nil {
				t.Fatalf("%s (gzip %v): %v", name, gz, err)
			}
			want := header
			if name == "with null" {
				want = []string{"clientId", "timestamp", "eventType", "tags", "data.deviceId", "data.info.seq", "clientInitiatedDisconnect"}
			}
			got := readAll(t, r)
			r.Close()
			if !slices.Equal(r.Header, want) {
				t.Errorf("%s (gzip %v): header %q, want %q", name, gz, r.Header, want)
				continue
			}
			for i, row := range rows {
				w := row
				if name == "with null" {
					w = []string{row[0], row[1], row[2], row[5], row[3], row[4], row[6]}
				}
				if i >= len(got) || !slices.Equal(got[i], w) {
					t.Errorf("%s (gzip %v): rows %q, want %q", name, gz, got, rows)
					break
				}
			}
		}
	}
}

// A bad row of a JSON export is reported at the line its object starts
// on; a file that is not JSON enough is refused at the line of the fault.
func TestJSONLines(t *testing.T) {
	for _, c := range []struct {
		name, content string
		want          []string // errors, after the path
	}{
		{"json lines", `{"clientId":"d1","timestamp":1790812800000,"eventType":"connected"}
{"clientId":"d1","timestamp":"yesterday","eventType":"connected"}

{"clientId":"d2","timestamp":1790812800000,"eventType":"rebooting"}
`, []string{`:2: unparseable timestamp "yesterday"`, `:4: unknown event value "rebooting"`}},
		{"pretty array", `[
  {"clientId": "d1",
   "timestamp": 1790812800000,
   "eventType": "connected"},
  {"clientId": "",
   "timestamp": 1790812800000,
   "eventType": "connected"}
]`, []string{`:5: empty device_id (clientId)`}},
	} {
		path := filepath.Join(t.TempDir(), "events.jsonl")
		os.WriteFile(path, []byte(c.content), 0o644)
		st, _, err := ingestFile(t, planfile.KindEvents, path, nil, "", "", "")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(st.Errors) != len(c.want) {
			t.Fatalf("%s: errors %v, want %q", c.name, st.Errors, c.want)
		}
		for i, e := range st.Errors {
			if !strings.HasPrefix(e.Error(), path+c.want[i]) {
				t.Errorf("%s: %q, want %q", c.name, e.Error(), path+c.want[i])
			}
		}
	}
	for _, c := range []struct{ name, content, want string }{
		{"broken", "{\"clientId\":\"d1\"}\n{\"clientId\":\n\"d2\",}\n", `:3: not a JSON export iotpm reads (JSON Lines, or arrays of objects): invalid character '}'`},
		{"not an object", "[{\"clientId\":\"d1\"},\n 42]\n", `:2: a JSON record that is not an object (42)`},
		{"no key", "{}\n[]\n", `:1: a JSON export without a key`},
		{"stray close", "{\"clientId\":\"d1\"}\n]\n", `:2: not a JSON export iotpm reads`},
		// an array's elements are separated by one comma
		{"missing comma", "[{\"clientId\":\"d1\"}\n{\"clientId\":\"d2\"}]\n", `:2: not a JSON export iotpm reads (JSON Lines, or arrays of objects): a ',' missing between two objects of an array`},
		{"trailing comma", "[{\"clientId\":\"d1\"},\n]\n", `:2: not a JSON export iotpm reads (JSON Lines, or arrays of objects): a ']' out of place`},
		{"leading comma", "[,{\"clientId\":\"d1\"}]\n", `:1: not a JSON export iotpm reads (JSON Lines, or arrays of objects): a ',' out of place`},
		// the AWS CLI's list-job-executions-for-job response
		{"envelope", `{"executionSummaries": [{"thingArn": "arn:aws:iot:eu-west-1:1:thing/d1", "jobExecutionSummary": {"status": "SUCCEEDED"}},
  {"thingArn": "arn:aws:iot:eu-west-1:1:thing/d2", "jobExecutionSummary": {"status": "FAILED"}}], "nextToken": "abc"}`,
			`:1: one JSON object whose "executionSummaries" holds the 2 records (an API's or a CLI's response): iotpm reads a file of records, one object a row; write them out first, jq -c '.executionSummaries[]' FILE > records.jsonl`},
		// Windows PowerShell's Out-File writes UTF-16 (with its mark, or
		// without it after a tool drops it)
		{"utf-16", "\xFF\xFE{\x00\"\x00a\x00\"\x00:\x001\x00}\x00", `: UTF-16 text (Excel's "Unicode text", Windows PowerShell's default encoding); save it as UTF-8`},
		{"utf-16 unmarked", "{\x00\"\x00a\x00\"\x00:\x001\x00}\x00", `: UTF-16 text without a byte-order mark (a zero byte beside every character); save it as UTF-8 (iconv -f UTF-16LE -t UTF-8)`},
		// Log Analytics' query API: columns and rows, not records
		{"columnar", `{"tables": [{"name": "PrimaryResult", "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "DeviceId", "type": "string"}],
  "rows": [["2026-10-10T11:00:00Z", "drip-000301"]]}]}`,
			`:1: a Log Analytics query API response (tables of columns and rows): iotpm reads one object a row; export the query with az monitor log-analytics query`},
	} {
		path := filepath.Join(t.TempDir(), "events.json")
		os.WriteFile(path, []byte(c.content), 0o644)
		_, _, err := ingestFile(t, planfile.KindEvents, path, nil, "", "", "")
		if err == nil || !strings.HasPrefix(err.Error(), path+c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, path+c.want)
		}
	}
}

// FuzzJSONRecords: any input either reads as records that flatten, or is
// refused with a row error; it never panics or loops.
func FuzzJSONRecords(f *testing.F) {
	f.Add(`{"a":1}` + "\n" + `{"a":{"b":[1,2]},"c":null}`)
	f.Add(`[{"a":"x"},{"b":true}]`)
	f.Add(`{"a":1}{"a":2}`)
	f.Add(`[{"a":1}]]`)
	f.Add(`{"a":"x\r\ny"}`)
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := jsonKeys("f.json", strings.NewReader(s))
		if err != nil {
			if _, ok := err.(*RowError); !ok {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		r := newJSONCSV("f.json", strings.NewReader(s), keys)
		var out bytes.Buffer
		if _, err := out.ReadFrom(r); err != nil {
			t.Fatalf("keys read, rows not: %v", err)
		}
		// every top-level string and number is what encoding/json reads
		recs := newJSONRecords("f.json", strings.NewReader(s))
		for {
			_, rec, err := recs.next()
			if err != nil {
				break
			}
			var m map[string]any
			dec := json.NewDecoder(bytes.NewReader(rec))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("%q: a record encoding/json refuses: %v", rec, err)
			}
			got := map[string]string{}
			flattenJSON(rec, nil, func(k, v []byte) {
				got[string(k)] = string(v) // the last of a key given twice
			})
			for k, v := range m {
				if strings.ContainsRune(k, utf8.RuneError) {
					continue // a key of invalid UTF-8: encoding/json replaces it, iotpm keeps its bytes
				}
				switch v := v.(type) {
				case string:
					// invalid UTF-8 is kept as it is, as a CSV's bytes are
					// (an escaped CRLF reads as LF, as a CSV's quoted one does)
					if g, ok := got[k]; ok && g != strings.ReplaceAll(v, "\r\n", "\n") && !strings.Contains(k, ".") && utf8.ValidString(g) {
						t.Errorf("%q: %s = %q, encoding/json %q", rec, k, g, v)
					}
				case json.Number:
					if g := got[k]; g != string(v) && !strings.Contains(k, ".") {
						t.Errorf("%q: %s = %q, encoding/json %q", rec, k, g, v)
					}
				}
			}
		}
	})
}

// One record with an array of objects among its values is a record (an
// uplink with its gateways), not a response wrapping records.
func TestJSONOneRecordWithAnArray(t *testing.T) {
	keys, err := jsonKeys("up.json", strings.NewReader(`{"devEui": "0004a30b001c2f01", "time": "2026-10-10T11:00:00Z", "rxInfo": [{"gatewayId": "g1", "rssi": -80}]}`))
	if err != nil || !slices.Equal(keys, []string{"devEui", "time", "rxInfo"}) {
		t.Errorf("keys %q, %v", keys, err)
	}
}

// awsJSONLines writes AWS's lifecycle events as Firehose delivers them,
// one object a line (a key an event lacks left out, as AWS leaves
// disconnectReason out of a connect), with what a reader must keep
// straight: a BOM, blank and white-space lines, escaped strings, a nested
// object, a key of the file's first half only and one first seen in its
// second half, a bad timestamp and an empty or missing sequence (bad
// rows, at their lines), exact duplicates.
func awsJSONLines(rows, devices int) string {
	var b strings.Builder
	b.WriteString("\ufeff")
	version := make([]int, devices)
	for i := range rows {
		dev := (i * 7919) % devices
		ts := 1790812800000 + int64(i)*9_000
		state := []string{"connected", "disconnected"}[(i/devices)%2]
		if state == "connected" {
			if version[dev]++; i%(devices*40) < devices {
				version[dev] = 0
			}
		}
		obj := map[string]any{"clientId": fmt.Sprintf("dev-%d", dev), "timestamp": ts, "eventType": state,
			"sessionIdentifier": fmt.Sprintf("%08x-0000-4000-8000-%012d", dev, version[dev]), "versionNumber": version[dev],
			"principalIdentifier": `p\"q`, "meta": map[string]any{"region": "eu-west-1", "hops": []int{1, 2}}}
		if state == "disconnected" {
			obj["disconnectReason"] = "MQTT_KEEP_ALIVE_TIMEOUT"
		}
		switch {
		case i == rows/4:
			obj["firmware"] = "2.4.1" // a key of the first half only
		case i == rows*3/4:
			obj["ipAddress"] = "192.0.2.1" // a key first seen late
		case i%70_003 == 9:
			delete(obj, "versionNumber") // no sequence: a bad row
		case i%97_001 == 11:
			obj["versionNumber"] = "" // an empty sequence: a bad row
		case i%50_021 == 7:
			obj["timestamp"] = "yesterday" // a bad row
		case i%20_011 == 5:
			b.WriteString("   \n\n") // blank lines, one of white space
		}
		line, _ := json.Marshal(obj)
		b.Write(line)
		b.WriteByte('\n')
		if i%10_007 == 3 {
			b.Write(line) // an exact duplicate
			b.WriteString(" \r\n")
		}
	}
	return b.String()
}

// A JSON Lines file is read in parallel chunks as a CSV file is, each
// line flattened straight into its fields: the keys in the order they
// first appear, the accounting, the bad rows at their lines, every
// device's events and what ordering them found must be the sequential
// reader's (one record after another, through the CSV text).
func TestParallelJSONLinesMatchSequential(t *testing.T) {
	const rows, devices = 60_000, 600
	content := awsJSONLines(rows, devices)
	if len(content) < parallelMinSize {
		t.Fatalf("the file must exceed the parallel threshold: %d bytes", len(content))
	}
	// plain: split by offset; compressed: blocks cut as it is decompressed
	for _, name := range []string{"life.jsonl", "life.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			gz := strings.HasSuffix(name, ".gz")
			path := filepath.Join(t.TempDir(), name)
			data := []byte(content)
			if gz {
				data = gzipped(data)
			}
			os.WriteFile(path, data, 0o644)
			keys, lines, err := keysOfJSON(path, 0)
			if err != nil || !lines {
				t.Fatalf("keysOfJSON: JSON Lines %v, %v: the file was not read in parallel", lines, err)
			}
			f, _ := os.Open(path)
			defer f.Close()
			seqKeys, err := jsonKeysOf(path, f, int64(len(data)), gz, 0)
			if err != nil || !slices.Equal(keys, seqKeys) || slices.Index(keys, "firmware") > slices.Index(keys, "ipAddress") || !slices.Contains(keys, "meta.hops") {
				t.Fatalf("keys in parallel %q\nin sequence %q (%v)", keys, seqKeys, err)
			}
			par, dp, seq, ds := ingestInputBothWays(t, Input{Kind: "events", Format: "aws-iot-lifecycle", Path: name}, content)
			sameRead(t, par, dp, seq, ds, rows, devices)
		})
	}
}

// sameRead fails t unless a parallel read (par, dp) gave what the
// sequential one did (seq, ds), and the export had bad rows and
// duplicates to keep straight.
func sameRead(t *testing.T, par *Stats, dp *metrics.Data, seq *Stats, ds *metrics.Data, rows, devices int) {
	t.Helper()
	if par.Read != seq.Read || par.Used != seq.Used || par.SkippedTotal() != seq.SkippedTotal() || len(par.Errors) != len(seq.Errors) ||
		!maps.Equal(par.Skipped, seq.Skipped) || par.Earliest != seq.Earliest || par.Latest != seq.Latest {
		t.Fatalf("parallel %+v\nsequential %+v", par, seq)
	}
	if par.Read < rows || len(seq.Errors) < 2 {
		t.Fatalf("%d rows read, %d bad: the file lacks a case", par.Read, len(seq.Errors))
	}
	for i := range par.Errors {
		if par.Errors[i].Line != seq.Errors[i].Line || par.Errors[i].Reason != seq.Errors[i].Reason {
			t.Errorf("error %d: %v vs %v", i, par.Errors[i], seq.Errors[i])
		}
	}
	dp.Freeze()
	ds.Freeze()
	if dp.DuplicateEvents != ds.DuplicateEvents || ds.DuplicateEvents == 0 || dp.SequenceFollowing != ds.SequenceFollowing || dp.Devices() != ds.Devices() {
		t.Errorf("parallel %d duplicates, %d following, %d devices; sequential %d, %d, %d",
			dp.DuplicateEvents, dp.SequenceFollowing, dp.Devices(), ds.DuplicateEvents, ds.SequenceFollowing, ds.Devices())
	}
	for dev := range devices {
		id := fmt.Sprintf("dev-%d", dev)
		if a, b := dp.DeviceEvents(id), ds.DeviceEvents(id); !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("%s: parallel %v\nsequential %v", id, a, b)
		}
	}
}

// A file that is not JSON Lines throughout is read one record after
// another, whatever its size: an object printed over lines, objects back
// to back on a line; a line that is not valid JSON is the sequential
// reader's error, at its line.
func TestJSONLinesFallBack(t *testing.T) {
	content := awsJSONLines(60_000, 600)
	mid := strings.Index(content[len(content)/2:], "\n") + len(content)/2 + 1
	end := mid + strings.Index(content[mid:], "\n")
	obj := content[mid:end]
	line := strings.Count(content[:mid], "\n") + 1
	for name, c := range map[string]struct {
		content string
		err     string
	}{
		"pretty-printed": {content: content[:mid] + strings.ReplaceAll(obj, ",", ",\n  ") + content[end:]},
		"back to back":   {content: content[:mid] + obj + obj + content[end:]},
		"invalid":        {content: content[:mid] + obj[:len(obj)-1] + content[end:], err: fmt.Sprintf(":%d: not a JSON export", line)},
	} {
		for _, file := range []string{"life.jsonl", "life.jsonl.gz"} {
			t.Run(name+"/"+file, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), file)
				data := []byte(c.content)
				if strings.HasSuffix(file, ".gz") {
					data = gzipped(data)
				}
				os.WriteFile(path, data, 0o644)
				if _, lines, _ := keysOfJSON(path, 0); lines {
					t.Fatal("read as JSON Lines in parallel")
				}
				g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
				st, err := g.Read(Input{Kind: "events", Format: "aws-iot-lifecycle", Path: path})
				if c.err != "" {
					if err == nil || !strings.Contains(err.Error(), file+c.err) {
						t.Fatalf("got %v, want %q", err, file+c.err)
					}
					return
				}
				if err != nil || st.Read < 60_000 {
					t.Fatalf("%v, %+v", err, st)
				}
			})
		}
	}
}

// FuzzJSONLineMatchesCSV holds the parallel reader's rows of a JSON Lines
// file — each line flattened straight into its fields — equal to the
// sequential reader's, which writes the records as CSV text and parses it
// back: the same keys in the same order, the same fields, row by row
// (a value with a quote, a comma, a line break or edge spaces included).
func FuzzJSONLineMatchesCSV(f *testing.F) {
	f.Add(`{"a":1,"b":" x "}`, `{"b":"q\"r,s\nt","c":{"d":null}}`)
	f.Add(`{"a":[1, {"b":2}],"a":"last"}`, `{"c":"\u00e9\t"}`)
	f.Add(`{"id":"d1","ts":"","x":"\"\""}`, `{}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsAny(a+b, "\n\r") {
			return // raw line breaks: not JSON Lines
		}
		content := a + "\n" + b + "\n"
		k := newLineKeys()
		if k.scan([]byte(content)) != nil || len(k.keys) < 2 {
			return // not JSON Lines (sequential only), or one column (whose empty row is a blank CSV line)
		}
		seqKeys, err := jsonKeys("f.jsonl", strings.NewReader(content))
		if err != nil || !slices.Equal(k.keys, seqKeys) {
			t.Fatalf("keys %q, sequentially %q (%v)", k.keys, seqKeys, err)
		}
		r := &Reader{Path: "f.jsonl", JSON: true}
		if err := r.init(newJSONCSV("f.jsonl", strings.NewReader(content), seqKeys), ',', 64<<10); err != nil {
			t.Fatal(err)
		}
		j := newJSONLine(k.keys)
		for _, line := range []string{a, b} {
			if strings.Trim(line, " \t") == "" {
				continue // a blank line: no row either way
			}
			want, err := r.Read()
			if err != nil {
				t.Fatalf("the CSV text: %v", err)
			}
			got, ok := j.row(bytes.Trim([]byte(line), " \t"))
			if !ok || len(got) != len(want) {
				t.Fatalf("%q: %d fields (%v), CSV %d", line, len(got), ok, len(want))
			}
			for i := range want {
				if string(got[i]) != string(want[i]) {
					t.Errorf("%q: %s = %q, through CSV %q", line, k.keys[i], got[i], want[i])
				}
			}
		}
	})
}
