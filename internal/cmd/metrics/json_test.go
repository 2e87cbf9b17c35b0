package metrics_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// jsonRecords writes the rows of a CSV file as JSON objects, a column
// named with dots nested (data.deviceId → {"data": {"deviceId": …}}), the
// values that are all digits as numbers: the JSON a platform delivers
// for the export the CSV flattens.
func jsonRecords(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	digits := regexp.MustCompile(`^[1-9][0-9]*$`)
	var out []string
	for _, row := range rows[1:] {
		// an ordered tree of the row's columns
		type node struct {
			keys []string
			kids map[string]*node
			val  map[string]string
		}
		root := &node{kids: map[string]*node{}, val: map[string]string{}}
		for i, name := range header {
			n, parts := root, strings.Split(name, ".")
			for _, p := range parts[:len(parts)-1] {
				if n.kids[p] == nil {
					n.kids[p] = &node{kids: map[string]*node{}, val: map[string]string{}}
					n.keys = append(n.keys, p)
				}
				n = n.kids[p]
			}
			leaf := parts[len(parts)-1]
			n.keys = append(n.keys, leaf)
			n.val[leaf] = row[i]
		}
		var write func(n *node) string
		write = func(n *node) string {
			var b strings.Builder
			b.WriteString("{")
			for i, k := range n.keys {
				if i > 0 {
					b.WriteString(", ")
				}
				kj, _ := json.Marshal(k)
				b.Write(kj)
				b.WriteString(": ")
				if kid := n.kids[k]; kid != nil {
					b.WriteString(write(kid))
				} else if v := n.val[k]; digits.MatchString(v) {
					b.WriteString(v)
				} else {
					vj, _ := json.Marshal(v)
					b.Write(vj)
				}
			}
			b.WriteString("}")
			return b.String()
		}
		out = append(out, write(root))
	}
	return out
}

// pathless is a metrics -o json document without the inputs' paths.
func pathless(doc string) string {
	return regexp.MustCompile(`"path": "[^"]*"`).ReplaceAllString(doc, `"path": ""`)
}

// A JSON export gives the numbers its CSV gives: the example's lifecycle
// events as JSON Lines (Firehose → S3 with a newline delimiter) give the
// example's metrics, byte for byte but the path; the Event Grid sample as
// an array of nested events (Event Grid's delivery) is detected as
// azure-eventgrid and gives the sample's uptime, back to back or
// pretty-printed.
func TestJSONExportsReadAsTheirCSV(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	want, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := jsonRecords(t, filepath.Join(dir, "exports", "lifecycle.csv"))
	cmdtest.WriteFile(t, dir, "exports/lifecycle.jsonl", strings.Join(recs, "\n")+"\n")
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "path: exports/lifecycle.csv", "path: exports/lifecycle.jsonl")
	got, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if pathless(got) != pathless(want) {
		t.Errorf("JSON Lines differ from the CSV:\n%s", got)
	}

	sample := filepath.Join("..", "..", "export", "testdata", "formats", "azure-eventgrid.csv")
	want, stderr, code = cmdtest.Run(t, nil, append([]string{"metrics", "--events", sample, "-o", "json"}, hours...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs = jsonRecords(t, sample)
	for name, content := range map[string]string{
		"array":  "[" + strings.Join(recs, ",") + "]",
		"pretty": "[\n  " + strings.Join(recs, ",\n  ") + "\n]\n",
	} {
		d := t.TempDir()
		cmdtest.WriteFile(t, d, "eventgrid.json", content)
		got, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "--events", filepath.Join(d, "eventgrid.json"), "-o", "json"}, hours...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if !strings.Contains(got, `"format": "azure-eventgrid"`) || pathless(got) != pathless(want) {
			t.Errorf("%s: the Event Grid array differs from its CSV:\n%s", name, got)
		}
	}
}
