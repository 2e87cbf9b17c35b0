package metrics_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	metricscmd "github.com/iotpm/iotpm/internal/cmd/metrics"
	"github.com/iotpm/iotpm/internal/fleetmetrics"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
)

func TestMetricsGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"table.golden", nil},
		{"json.golden", []string{"-o", "json"}},
		{"yaml.golden", []string{"-o", "yaml"}},
		{"csv.golden", []string{"-o", "csv"}},
		{"markdown.golden", []string{"-o", "markdown"}},
		{"gates.golden", []string{"--min-uptime", "75%", "--min-ota", "95%", "--min-mad", "150", "--min-activation", "0.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"metrics", "-C", cmdtest.ExampleRepo}, cmdtest.ExampleInputs...), tt.args...)
			stdout, stderr, code := cmdtest.Run(t, nil, args...)
			if code != cmdutil.ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			cmdtest.Golden(t, tt.name, stdout)
		})
	}
}

// An AWS IoT lifecycle export (clientId,timestamp,eventType, epoch ms) is
// read as it is, and only the metrics whose inputs were given appear.
func TestMetricsAWSExportWithoutMapping(t *testing.T) {
	events, _ := filepath.Abs(filepath.Join(cmdtest.ExampleRepo, "exports", "lifecycle.csv"))
	stdout, _, code := cmdtest.Run(t, nil, "metrics", "-C", t.TempDir(), "--events", events, "--month", "2026-10", "-o", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"window", "connectivity_uptime", "monthly_active_devices", "rows"} {
		if _, ok := doc[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	for _, absent := range []string{"activation_rate", "ota_success_rate", "customers"} {
		if _, ok := doc[absent]; ok {
			t.Errorf("%s present without its inputs", absent)
		}
	}
}

func TestMetricsBadRows(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "events.csv", "clientId,timestamp,eventType\n"+
		"d1,1790812800000,connected\n"+
		"d1,soon,connected\n"+
		"d2,1790812800000,rebooting\n"+
		"d3,1790812800000,connected\n")
	path := filepath.Join(dir, "events.csv")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10")
	if code != cmdutil.ExitInvalid || stdout != "" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	for _, want := range []string{
		path + `:3: unparseable timestamp "soon" (format generic): expected ISO 8601 or epoch s/ms/µs/ns`,
		path + `:4: unknown event value "rebooting" in column eventType (format generic: connected/online, disconnected/offline, …); to read it, name it in a repo format's values: (formats: in iotpm.yaml; see the format reference)`,
		"iotpm: 2 bad rows (fix them, or tolerate them with --max-bad-rows N); nothing was computed",
	} {
		if !strings.Contains(stderr, want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", "--max-bad-rows", "2", "-o", "json")
	if code != 0 || !strings.Contains(stderr, "skipped 2 bad rows") {
		t.Fatalf("tolerated: exit %d stderr %s", code, stderr)
	}
	var doc struct {
		Rows map[string]fleetmetrics.Rows `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Rows["events"]
	if r.Read != 4 || r.Used != 2 || r.Skipped != 2 || r.SkippedByReason["unparseable timestamp"] != 1 || r.SkippedByReason["unknown event value"] != 1 {
		t.Errorf("rows %+v", r)
	}
	if _, _, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10", "--max-bad-rows", "1"); code != cmdutil.ExitInvalid {
		t.Errorf("2 bad rows over --max-bad-rows 1: exit %d", code)
	}
}

func TestMetricsGates(t *testing.T) {
	args := append([]string{"metrics", "-C", cmdtest.ExampleRepo}, cmdtest.ExampleInputs...)
	stdout, stderr, code := cmdtest.Run(t, nil, append(args, "--min-uptime", "99%", "--min-mad", "100")...)
	if code != cmdutil.ExitGate {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "gate failed: connectivity uptime is 98.51%, not >= 99% (--min-uptime)") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if strings.Contains(stderr, "monthly active devices is") {
		t.Errorf("the MAD gate passes (202 ≥ 100):\n%s", stderr)
	}
	if !strings.Contains(stdout, "FAIL") || !strings.Contains(stdout, "pass") {
		t.Errorf("the table shows each gate:\n%s", stdout)
	}
}

func TestMetricsUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--month", "2026-10", "-C", "$EMPTY"}, "give at least one input"},
		{[]string{"--events", "$EXAMPLE/exports/lifecycle.csv", "-C", "$EMPTY"}, "give the window: --month YYYY-MM, or --from and --to"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "October"}, `--month "October": write YYYY-MM`},
		{[]string{"--events", "exports/lifecycle.csv", "--from", "2026-10-05", "--to", "2026-10-01"}, "--to 2026-10-01 must be after --from 2026-10-05"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--min-uptime", "98"}, "is ambiguous: write 98% or 0.98"},
		{[]string{"--events", "$EXAMPLE/exports/lifecycle.csv", "--month", "2026-10", "--min-ota", "95%", "-C", "$EMPTY"}, "--min-ota needs --ota"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--map", "events.serial=x"}, `events has no column "serial"`},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--map", "nope"}, "write KIND.COLUMN=Header"},
		{[]string{"--events", "exports/nope.csv", "--month", "2026-10"}, "no such file"},
		{[]string{"--events", "exports/devices.csv", "--month", "2026-10"}, "no timestamp column"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--health", "red=80,yellow=60"}, "red must be below yellow"},
		// m is minutes: a month meant, a minute read (uptime 99.98%, or an activation rate near 0)
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--dormant-after", "1m"}, `--dormant-after "1m": 1 minute is shorter than an hour (m is minutes, not months)`},
		{[]string{"--devices", "exports/devices.csv", "--events", "exports/lifecycle.csv", "--month", "2026-10", "--activation-window", "1m"}, `--activation-window "1m": 1 minute is shorter than a day`},
		// a zone, format or column given twice for one input: the last won
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--tz", "events=UTC", "--tz", "events=Europe/Berlin"}, "--tz names events twice (UTC, then Europe/Berlin): give one"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--format", "events=generic", "--format", "events=aws-iot-lifecycle"}, "--format names events twice (generic, then aws-iot-lifecycle): give one"},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "--map", "events.device_id=thingName", "--map", "events.device_id=clientId"}, "--map maps events.device_id twice (thingName, then clientId): give one"},
		// a second file for an input replaced the first without a word
		{[]string{"--events", "exports/lifecycle.csv", "--events", "exports/uplinks.csv", "--month", "2026-10"}, `"--events" flag: given twice ("exports/lifecycle.csv", then "exports/uplinks.csv"): an input is one path: to read several files as one input, name their directory, or a pattern in quotes that matches them (--events 'exports/part-*.csv')`},
		// an unquoted pattern the shell expanded: the flag took the first
		// file, and the run read one file of several (it stopped on
		// "unknown command")
		{[]string{"--events", "$EXAMPLE/exports/lifecycle.csv", "$EXAMPLE/exports/uplinks.csv", "$EXAMPLE/exports/usage.csv", "--month", "2026-10"},
			`is left over after --events "$EXAMPLE/exports/lifecycle.csv": the shell expanded an unquoted pattern into 3 files, and an input flag takes one path; quote the pattern so that iotpm reads them all as one input (e.g. --events '$EXAMPLE/exports/*.csv'), or name their directory (--events $EXAMPLE/exports)`},
		{[]string{"--events", "exports/lifecycle.csv", "--month", "2026-10", "stray"}, `unexpected argument "stray": metrics takes its inputs as flags`},
		// a file before the flag's, in the same directory: no shell's
		// expansion (it lists them sorted), a stray argument
		{[]string{"$EXAMPLE/exports/lifecycle.csv", "--events", "$EXAMPLE/exports/uplinks.csv", "--month", "2026-10"}, `unexpected argument "$EXAMPLE/exports/lifecycle.csv"`},
	}
	empty := t.TempDir() // a repo without iotpm.yaml
	example, _ := filepath.Abs(cmdtest.ExampleRepo)
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := []string{"metrics", "-C", cmdtest.ExampleRepo}
			for _, a := range tt.args {
				args = append(args, strings.NewReplacer("$EMPTY", empty, "$EXAMPLE", example).Replace(a))
			}
			stdout, stderr, code := cmdtest.Run(t, nil, args...)
			want := strings.NewReplacer("$EMPTY", empty, "$EXAMPLE", example).Replace(tt.want)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, want) {
				t.Fatalf("exit %d stdout %q stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestMetricsMapColumn(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "conn.csv", "serial_no;when;what\nd1;2026-10-01T00:00:00Z;online\nd1;2026-10-16T12:00:00Z;offline\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--events", "conn.csv", "--month", "2026-10", "-o", "json", "--as-of", "2026-11-01",
		"--map", "events.device_id=serial_no", "--map", "events.timestamp=when", "--map", "events.event=what")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Uptime fleetmetrics.Uptime `json:"connectivity_uptime"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// connected from the 1st to the 16th at noon: 15.5 of 31 days
	if doc.Uptime.Value == nil || *doc.Uptime.Value != 15.5/31 {
		t.Errorf("uptime %v", doc.Uptime.Value)
	}
}

// A flag replaces its own input only: the others come from iotpm.yaml.
func TestMetricsFlagOverridesOnlyItsInput(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	ota, err := os.ReadFile(filepath.Join(dir, "exports", "ota.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(ota), "\n")
	if err := os.WriteFile(filepath.Join(dir, "ota-head.csv"), []byte(strings.Join(lines[:101], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--ota", "ota-head.csv", "-o", "json")
	// an input given by a flag: the repo's gates are not applied (its OTA
	// gate would fail, the head of the export ending before the window)
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Rows map[string]struct {
			Read int `json:"read"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	read := map[string]int{}
	for input, r := range doc.Rows {
		read[input] = r.Read
	}
	if len(read) != 7 || read["ota"] != 100 || read["devices"] != 252 {
		t.Errorf("inputs read: %v; want all seven from iotpm.yaml, ota from the flag (100 rows)", read)
	}
}

// -o csv writes every table, each after a "# table: NAME" line; --table
// picks one as plain CSV, whose rows are the same.
func TestMetricsCSVTables(t *testing.T) {
	all, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", cmdtest.ExampleRepo, "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sections := strings.Split(all, "\n\n")
	// the example's modelled devices have no OTA unit in the window: that
	// table has its header only, and -o csv leaves it out
	empty := map[string]bool{"ota_by_model": true}
	if len(sections) != len(metricscmd.CSVTables)-len(empty) {
		t.Fatalf("%d sections, want %d:\n%s", len(sections), len(metricscmd.CSVTables)-len(empty), all)
	}
	i := -1
	for _, name := range metricscmd.CSVTables {
		one, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", cmdtest.ExampleRepo, "-o", "csv", "--table", name)
		if code != 0 {
			t.Fatalf("--table %s: exit %d: %s", name, code, stderr)
		}
		if empty[name] {
			if r, err := csv.NewReader(strings.NewReader(one)).ReadAll(); err != nil || len(r) != 1 || strings.Contains(all, "# table: "+name) {
				t.Errorf("--table %s: %v %v, want the header only, and no section in -o csv", name, r, err)
			}
			continue
		}
		i++
		want := "# table: " + name + "\n" + one
		if got := sections[i] + "\n"; i == len(sections)-1 {
			got = sections[i]
			if got != want {
				t.Errorf("section %d:\n%s\nwant:\n%s", i, got, want)
			}
		} else if got != want {
			t.Errorf("section %d:\n%s\nwant:\n%s", i, got, want)
		}
		if r, err := csv.NewReader(strings.NewReader(one)).ReadAll(); err != nil || len(r) < 2 {
			t.Errorf("--table %s is not a CSV with rows: %v %v", name, r, err)
		}
	}
	if _, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", cmdtest.ExampleRepo, "--table", "months"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "add -o csv") {
		t.Errorf("--table without -o csv: exit %d: %s", code, stderr)
	}
}

// Counts in the human table carry thousands separators, notes included.
func TestMetricsTableSeparators(t *testing.T) {
	v, med := 0.985, 0.991
	doc := fleetmetrics.Result{Uptime: &fleetmetrics.Uptime{Value: &v, Median: &med, ConnectedHours: 1234567, ObservedHours: 1250000, Devices: 100000, BelowSLO: 45961, LeftOut: 1200, SLO: 0.99}}
	var b strings.Builder
	if err := metricscmd.SummaryTable(doc).Text(&b, render.Term{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1,234,567 h", "1,250,000 h", "100,000 devices", "45,961 below 99% SLO", "1,200 left out"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// Missing inputs are all reported before any input is read.
func TestMetricsMissingInputsFirst(t *testing.T) {
	events, _ := filepath.Abs(filepath.Join(cmdtest.ExampleRepo, "exports", "lifecycle.csv"))
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", t.TempDir(), "--month", "2026-10", "--events", events, "--ota", "nope.csv", "--usage", "nope2.csv")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "nope.csv: no such file") || !strings.Contains(stderr, "nope2.csv: no such file") || !strings.Contains(stderr, "2 problems") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// Without metrics.month in iotpm.yaml the window comes from --month, and
// every other setting and input of iotpm.yaml still holds: the run is the
// one of the repo that names the month. (iotpm.yaml's inputs were dropped
// for the defaults, or the run refused --month as no window at all.)
func TestMetricsWindowFlagKeepsConfig(t *testing.T) {
	with, without := cmdtest.CopyExample(t), cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(without, "iotpm.yaml"), "  month: 2026-10\n", "")
	for _, extra := range [][]string{nil, {"--events", "exports/lifecycle.csv"}} {
		args := append([]string{"--month", "2026-10", "-o", "json"}, extra...)
		want, _, wantCode := cmdtest.Run(t, nil, append([]string{"metrics", "-C", with}, args...)...)
		got, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", without}, args...)...)
		// the inputs' paths name each copy
		want, got = strings.ReplaceAll(want, with, "REPO"), strings.ReplaceAll(got, without, "REPO")
		if code != wantCode || got != want || !strings.Contains(got, `"activation_rate"`) {
			t.Errorf("%v: exit %d (want %d), stdout equal to the run with metrics.month: %v; stderr:\n%s", args, code, wantCode, got == want, stderr)
		}
	}
}

// iotpm.yaml's metrics settings hold for inputs the flags give, when it
// names no inputs itself: dormant_after 0 turns dormancy off as
// --dormant-after 0 does. d1 is down from 09-10 on, d2 up throughout:
// without dormancy October is 31 down and 62 observed days, 0.5; with the
// default 30 days d1 is dormant from 10-10 on, and the value is 31/40.
func TestMetricsConfigSettingsWithoutInputs(t *testing.T) {
	events := "clientId,timestamp,eventType\nd1,2026-09-01T00:00:00Z,connected\nd1,2026-09-10T00:00:00Z,disconnected\nd2,2026-09-01T00:00:00Z,connected\n"
	uptime := func(t *testing.T, yaml string, flags ...string) float64 {
		t.Helper()
		dir := t.TempDir()
		cmdtest.WriteFile(t, dir, "ev.csv", events)
		if yaml != "" {
			cmdtest.WriteFile(t, dir, "iotpm.yaml", yaml)
		}
		args := append([]string{"metrics", "-C", dir, "--events", "ev.csv", "--month", "2026-10", "--as-of", "2026-11-01", "-o", "json"}, flags...)
		stdout, stderr, code := cmdtest.Run(t, nil, args...)
		if code != cmdutil.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Uptime fleetmetrics.Uptime `json:"connectivity_uptime"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Uptime.Value == nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return *doc.Uptime.Value
	}
	if got := uptime(t, "metrics:\n  dormant_after: 0d\n"); got != 0.5 {
		t.Errorf("iotpm.yaml dormant_after 0: uptime %v, want 0.5", got)
	}
	if got := uptime(t, "", "--dormant-after", "0d"); got != 0.5 {
		t.Errorf("--dormant-after 0: uptime %v, want 0.5", got)
	}
	if got := uptime(t, ""); got != 31.0/40 {
		t.Errorf("default dormancy: uptime %v, want 31/40", got)
	}
}

// A table mapping's own problem is said at its line of iotpm.yaml before
// anything needs the database: by --print-sql (it said only "1 problem in
// iotpm.yaml"), and by a run without the DSN variable set or with a
// server that does not answer (they said that first).
func TestTableMappingProblemFirst(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  month: 2026-10\n  source: {driver: postgres}\n  inputs:\n    events: {table: device_events, columns: {device_id: client_id, timestamp: ts}}\n")
	want := dir + "/iotpm.yaml:5:13: metrics.inputs.events: columns: missing event, which events needs"
	for _, env := range []map[string]string{nil, {"IOTPM_DSN": "postgres://nobody@127.0.0.1:1/x?connect_timeout=1"}} {
		for _, args := range [][]string{{"--print-sql"}, nil} {
			stdout, stderr, code := cmdtest.Run(t, env, append([]string{"metrics", "-C", dir}, args...)...)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, want) || strings.Contains(stderr, "connect") {
				t.Errorf("%v %v: exit %d, stderr:\n%s", env, args, code, stderr)
			}
		}
	}
	// before the onboarding file beside the tables is read (its bad row
	// was said instead)
	cmdtest.WriteFile(t, dir, "setup.csv", "user,step,timestamp\nu1,a,2026-10-40T00:00:00Z\n")
	cmdtest.WriteFile(t, dir, "iotpm.yaml", "onboarding: {steps: [a, b], within: 1h}\nmetrics:\n  month: 2026-10\n  source: {driver: postgres}\n  inputs:\n    events: {table: device_events, columns: {device_id: client_id, timestamp: ts}}\n    onboarding: setup.csv\n")
	_, stderr, code := cmdtest.Run(t, map[string]string{"IOTPM_DSN": "postgres://nobody@127.0.0.1:1/x?connect_timeout=1"}, "metrics", "-C", dir)
	if want := dir + "/iotpm.yaml:6:13: metrics.inputs.events: columns: missing event"; code != cmdutil.ExitInvalid || !strings.Contains(stderr, want) || strings.Contains(stderr, "2026-10-40") {
		t.Errorf("with an onboarding file: exit %d, stderr:\n%s", code, stderr)
	}
}

// Event rows whose device ids are the devices input's but in capitals
// count as devices of their own (monthly active devices counts one device
// twice): the run says which ids differ only by case.
func TestMetricsIdsThatDifferByCase(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	path := filepath.Join(dir, "exports", "lifecycle.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "drip-000201,") {
			lines[i] = "DRIP" + strings.TrimPrefix(l, "drip")
		}
		if strings.HasPrefix(l, "drip-000202,") {
			lines[i] = "drip_" + strings.TrimPrefix(l, "drip-")
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", dir, "--now=2026-11-11T00:00:00Z", "-o", "json")
	want := `/exports/lifecycle.csv: warning: 1 of the ids of events not in the devices input ` + filepath.Join(dir, "exports", "devices.csv") + ` are one of its ids but for letter case (e.g. "DRIP-000201" here, "drip-000201" there)`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	// another written otherwise: its own warning, with the fix
	want = `/exports/lifecycle.csv: warning: 1 of the ids of events not in the devices input ` + filepath.Join(dir, "exports", "devices.csv") + ` are one of its ids written otherwise (e.g. "drip_000202" here, "drip-000202" there: letter case, separators or an "eui-" prefix aside, the same): ids compare exactly, so each counts apart; map a column that writes them as the devices input does (--map events.device_id=COLUMN, or map: on the input), or export both in one form`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if !strings.Contains(stdout, `"unknown_case_only": 1`) || !strings.Contains(stdout, `"unknown_form_only": 1`) {
		t.Errorf("JSON rows lack unknown_case_only 1:\n%.2000s", stdout)
	}
	// tickets join by customer id: a customer, not a device, splits in two
	cmdtest.EditFile(t, filepath.Join(dir, "exports", "tickets.csv"), "T-00001,aqua-homes,", "T-00001,Aqua-Homes,")
	_, stderr, _ = cmdtest.Run(t, nil, "metrics", "-C", dir, "--now=2026-11-11T00:00:00Z", "-o", "json")
	if want := `(e.g. "Aqua-Homes" here, "aqua-homes" there): ids compare exactly, so each counts as a customer of its own`; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// Per-model rate gates show as rows under their metric, with the model's
// value and the gate's detail; a failing one fails the run.
func TestModelGateRows(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `  activation_rate: ">= 70%"`, `  activation_rate: {fleet: ">= 70%", models: {drip-valve: ">= 80%"}}`)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `  ota_success_rate: ">= 95%"`, `  ota_success_rate: {fleet: ">= 95%", models: {drip-lora: ">= 90%"}}`)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "ota_success_rate.drip-lora has no value") {
		t.Errorf("exit %d, want 1 naming the OTA gate: %s", code, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  model drip-valve +100% +6 of 6 units; immature cohort +>= 80% +pass$`),
		regexp.MustCompile(`(?m)^  model drip-lora +- +no value: no drip-lora unit succeeded or failed in the window.* +>= 90% +FAIL$`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("no row %s:\n%s", want, stdout)
		}
	}
}

// A fleet whose platform logs no connection events — a LoRaWAN network
// server's uplinks — gets uptime from its check-ins: the example without
// its events input measures the check-in devices from their uplinks alone
// (it said "its inputs were not given"). Without a devices input, no
// device has a profile, so none is observed: the reason says what makes a
// device check in.
func TestMetricsUptimeFromActivityAlone(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "    events: {path: exports/lifecycle.csv, format: aws-iot-lifecycle}\n", "")
	type uptime struct {
		Value  *float64                     `json:"value"`
		Reason string                       `json:"reason"`
		ByMode map[string]fleetmetrics.Mode `json:"by_mode"`
	}
	read := func(args ...string) uptime {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir, "-o", "json"}, args...)...)
		if code != cmdutil.ExitOK && code != cmdutil.ExitGate { // (the example's other gates fail on the shorter inputs)
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Uptime *uptime `json:"connectivity_uptime"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Uptime == nil {
			t.Fatalf("%v: no uptime in %s", err, stdout)
		}
		return *doc.Uptime
	}
	u := read()
	if u.Value == nil || u.ByMode["checkin"].Devices == 0 || u.ByMode["always"].Devices != 0 || *u.Value != *u.ByMode["checkin"].Value {
		t.Errorf("activity alone: %+v", u)
	}
	// the uptime gates of iotpm.yaml are evaluated (they were left out
	// without an events input), and --min-uptime is taken
	stdout, _, _ := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json", "--min-uptime", "90%")
	var doc struct {
		Gates []struct {
			Name   string   `json:"name"`
			Value  *float64 `json:"value"`
			Passed bool     `json:"passed"`
		} `json:"gates"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	gates := map[string]bool{}
	for _, g := range doc.Gates {
		gates[g.Name] = g.Value != nil && *g.Value == *u.ByMode["checkin"].Value
	}
	if !gates["connectivity_uptime.checkin"] || !gates["connectivity_uptime"] {
		t.Errorf("uptime gates from activity alone: %+v", doc.Gates)
	}
	// an interval shorter than the field's is warned of at the profile's
	// checkin: in devices.yaml, the interval it is about (it was the
	// events' path, with none; then the activity input's)
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "checkin: {event: heartbeat}", "checkin: {every: 5m}")
	_, stderr, _ := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if want := filepath.Join(dir, "devices.yaml") + ":13:14: warning: drip-lora: its devices missed"; !strings.Contains(stderr, want) {
		t.Errorf("stderr:\n%s\nwant %s", stderr, want)
	}
	// the same uplinks without the devices input: no device has a model
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "    devices: exports/devices.csv\n", "")
	u = read()
	if u.Value != nil || !strings.Contains(u.Reason, "with activity rows and no events, a device is observed through its check-ins, and none checked in in the window; a device checks in when its model") {
		t.Errorf("activity alone, no models: %+v", u)
	}
}

// One bad row is "1 bad row" (it read "1 bad rows"), stopped or skipped.
func TestMetricsOneBadRowSaysRow(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "events.csv", "device_id,timestamp,event\nd1,2026-10-02T00:00:00Z,connected\nd1,2026-10-40T00:00:00Z,disconnected\n")
	for _, c := range []struct {
		extra []string
		want  string
	}{
		{nil, "iotpm: 1 bad row (fix them, or tolerate them with --max-bad-rows N); nothing was computed"},
		{[]string{"--max-bad-rows", "1"}, "iotpm: skipped 1 bad row (within --max-bad-rows 1)"},
	} {
		_, stderr, _ := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir, "--events", "events.csv", "--month", "2026-10"}, c.extra...)...)
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%v: want %q in:\n%s", c.extra, c.want, stderr)
		}
	}
}
