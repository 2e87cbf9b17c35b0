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

// A directory or glob input is listed once, by the loader that checks
// where its files lead: Files is that list (what is read), nil for a file.
func TestInputFilesListedOnce(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"exports/fh/2026/10/01/a.json", "exports/fh/2026/10/02/b.json", "exports/fh/_SUCCESS", "exports/usage-1.csv", "exports/usage-2.csv", "exports/ota.csv"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x\n"), 0o644)
	}
	yaml := "metrics:\n  inputs:\n    events: exports/fh\n    usage: exports/usage-*.csv\n    ota: exports/ota.csv\n"
	if err := os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := LoadConfig(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for kind, want := range map[InputKind][]string{
		KindEvents: {"exports/fh/2026/10/01/a.json", "exports/fh/2026/10/02/b.json"},
		KindUsage:  {"exports/usage-1.csv", "exports/usage-2.csv"},
		KindOTA:    nil,
	} {
		var got []string
		for _, f := range cfg.Inputs[kind].Files {
			rel, _ := filepath.Rel(dir, f)
			got = append(got, filepath.ToSlash(rel))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || (want == nil) != (cfg.Inputs[kind].Files == nil) {
			t.Errorf("%s: %q, want %q", kind, got, want)
		}
	}
}

// A recursive ** (a shell's, a gitignore's) is two *s for filepath.Match:
// files at other depths would be left out unsaid, so it is refused at its
// line in iotpm.yaml.
func TestInputRecursiveGlobRefused(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "exports", "fh", "2026", "10"), 0o755)
	os.WriteFile(filepath.Join(dir, "exports", "fh", "2026", "10", "a.json"), []byte("{}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte("metrics:\n  inputs:\n    events: exports/fh/**/*.json\n"), 0o644)
	_, diags := LoadConfig(dir)
	if len(diags) != 1 || !strings.Contains(diags[0].String(), `iotpm.yaml:3:13: metrics.inputs.events: pattern "exports/fh/**/*.json": ** is not recursive here`) {
		t.Errorf("%v", diags)
	}
}

// A funnel setting that does not parse is one problem, said once: the
// check that target fits within does not compare with the 0 it left.
// A duration written as a sum (Go's 1h30m) is answered with the sum.
func TestOnboardingDurationProblemsSaidOnce(t *testing.T) {
	for within, want := range map[string]string{
		"90":    `iotpm.yaml:3:11: onboarding.within: "90" needs a unit`,
		"1h30m": `iotpm.yaml:3:11: onboarding.within: "1h30m" is 90m written as a sum; write 90m (a duration is one number and one unit)`,
		"0s":    `iotpm.yaml:3:11: onboarding.within must be greater than 0; got 0s`,
		"90s":   `iotpm.yaml:2:3: onboarding.target 180s is longer than within 90s, the longest an attempt lasts`,
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "iotpm.yaml"), []byte("onboarding:\n  steps: [a, b]\n  within: "+within+"\n"), 0o644)
		_, diags := LoadConfig(dir)
		if len(diags) != 1 || !strings.Contains(diags[0].String(), want) {
			t.Errorf("within %s: %v", within, diags)
		}
	}
}
