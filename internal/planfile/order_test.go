package planfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// order: file orders a file's rows; a table has no row order, and order
// means nothing for inputs other than events: both are refused at their
// line.
func TestInputOrder(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"metrics:\n  inputs:\n    events: {path: ev.csv, order: file}\n", ""},
		{"metrics:\n  inputs:\n    ota: {path: ota.csv, order: file}\n", "iotpm.yaml:3:10: metrics.inputs.ota: order applies to connection events only"},
		{"metrics:\n  source: {driver: postgres}\n  inputs:\n    events: {table: ev, columns: {device_id: d, timestamp: t, event: e}, order: file}\n",
			"iotpm.yaml:4:13: metrics.inputs.events: order: file orders a file's rows by their lines; a table's rows have no order"},
		{"metrics:\n  inputs:\n    events: {path: ev.csv, order: lines}\n", "order must be one of file, time"},
		// a table's tz names the zone of its timestamp columns; format
		// and map describe files only
		{"metrics:\n  source: {driver: postgres}\n  inputs:\n    events: {table: ev, tz: Europe/Berlin, columns: {device_id: d, timestamp: t, event: e}, order: file}\n",
			"iotpm.yaml:4:13: metrics.inputs.events: order: file orders a file's rows by their lines"},
		{"metrics:\n  source: {driver: postgres}\n  inputs:\n    events: {table: ev, format: generic, columns: {device_id: d, timestamp: t, event: e}}\n",
			"iotpm.yaml:4:13: metrics.inputs.events: format and map describe a file; a table's roles are mapped with columns: (tz: names the zone"},
		// snapshot: an ota table of final states; a file's snapshot is
		// its format's
		{"metrics:\n  source: {driver: postgres}\n  inputs:\n    events: {table: ev, snapshot: true, columns: {device_id: d, timestamp: t, event: e}}\n",
			"iotpm.yaml:4:13: metrics.inputs.events: snapshot: applies to an ota table"},
		{"metrics:\n  inputs:\n    ota: {path: adu.csv, snapshot: true}\n",
			"iotpm.yaml:3:10: metrics.inputs.ota: columns, sequence_reset and snapshot describe a table"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(tt.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := LoadConfig(dir)
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.String())
		}
		got := strings.Join(msgs, "\n")
		switch {
		case tt.want == "" && (diags.HasErrors() || cfg.Inputs[KindEvents].Order != "file"):
			t.Errorf("%s: %s", tt.yaml, got)
		case len(diags) > 1:
			t.Errorf("%s: more than one problem:\n%s", tt.yaml, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("%s: got\n%s\nwant %q", tt.yaml, got, tt.want)
		}
	}
}
