package metrics_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// A second download of one export beside the first ("tickets (1).csv") in
// an input directory doubled every ticket: customers' ticket rates, their
// health scores and bands moved with no change in the data. A file with
// the same bytes as an earlier one is left out and named; the figures are
// the single file's. A file of the same size and other bytes is read.
func TestCopiedFilesAreReadOnce(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	run := func() (map[string]any, string) {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		rows := doc["rows"].(map[string]any)
		delete(rows, "tickets") // its path and files differ by design
		return doc, stderr
	}
	want, _ := run()
	tickets, err := os.ReadFile(filepath.Join(dir, "exports", "tickets.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "exports", "tickets"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, dir, "exports/tickets/tickets.csv", string(tickets))
	cmdtest.WriteFile(t, dir, "exports/tickets/tickets (1).csv", string(tickets))
	// as long, other bytes: a ticket moved by a second is read
	other := strings.Replace(string(tickets), "17:47:22", "17:47:23", 1)
	if other == string(tickets) || len(other) != len(tickets) {
		t.Fatal("the example's tickets changed: pick another edit of the same length")
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "exports/tickets.csv", "exports/tickets")
	got, stderr := run()
	if !reflect.DeepEqual(got["customers"], want["customers"]) {
		t.Errorf("a copy changed the customers:\n%v\n%v", got["customers"], want["customers"])
	}
	// the one named like a second download is the one left out, though
	// "tickets (1).csv" sorts first (a space before a dot)
	copied := filepath.Join(dir, "exports", "tickets", "tickets (1).csv") + ": warning: has the same bytes as " + filepath.Join(dir, "exports", "tickets", "tickets.csv") + ", so it is left out"
	if !strings.Contains(stderr, copied) {
		t.Errorf("the copy is not named:\n%s", stderr)
	}
	cmdtest.WriteFile(t, dir, "exports/tickets/tickets-moved.csv", other)
	stdout, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	if !strings.Contains(stdout, `"read": 40`) || strings.Contains(stderr, "tickets-moved.csv: warning: has the same bytes") {
		t.Errorf("a file of the same size and other bytes was not read:\n%s", stderr)
	}
	// the CSV's rows table counts the files as JSON does: 4 listed, the
	// empty one and the copy left out
	cmdtest.WriteFile(t, dir, "exports/tickets/tickets-empty.csv", "")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "csv", "--table", "rows")
	if code != 0 || !strings.Contains(stdout, ",files,empty_files,copy_files\n") || !strings.Contains(stdout, "/exports/tickets,generic,40,") || !strings.Contains(stdout, "Z,4,1,1\n") {
		t.Errorf("exit %d, rows table:\n%s%s", code, stdout, stderr)
	}
}
