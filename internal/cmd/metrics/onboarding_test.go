package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

// setupCSV is an app export in no tool's shape (the generic format):
// u1 completes in 150 s, u2 in 240 s (over the 3 min target), u3 stops at
// "Wi-Fi Sent"; u4's only row is an event of no step.
const setupCSV = `user,step,timestamp
u1,Setup Started,2026-10-10T11:00:00Z
u1,BLE Found,2026-10-10T11:00:30Z
u1,Wi-Fi Sent,2026-10-10T11:01:00Z
u1,Cloud Connected,2026-10-10T11:02:30Z
u2,Setup Started,2026-10-10T12:00:00Z
u2,BLE Found,2026-10-10T12:01:00Z
u2,Wi-Fi Sent,2026-10-10T12:02:00Z
u2,Cloud Connected,2026-10-10T12:04:00Z
u3,Setup Started,2026-10-10T13:00:00Z
u3,BLE Found,2026-10-10T13:00:20Z
u3,Wi-Fi Sent,2026-10-10T13:00:40Z
u4,App Opened,2026-10-10T13:30:00Z
`

const setupYAML = `onboarding:
  steps: [setup_started, ble_found, wifi_sent, cloud_connected]
  within: 1h
  target: 3m
`

func setupRepo(t *testing.T, yaml string) string {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "setup.csv", setupCSV)
	cmdtest.WriteFile(t, dir, "iotpm.yaml", yaml)
	return dir
}

func setupRun(t *testing.T, dir string, extra ...string) (fleetmetrics.Onboarding, string, int) {
	t.Helper()
	args := append([]string{"metrics", "-C", dir, "--onboarding", "setup.csv", "--from", "2026-10-10", "--to", "2026-10-11", "--as-of", "2026-10-12T00:00:00Z", "-o", "json"}, extra...)
	stdout, stderr, code := cmdtest.Run(t, nil, args...)
	var doc struct {
		Onboarding *fleetmetrics.Onboarding `json:"onboarding"`
	}
	if code == 0 {
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Onboarding == nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return *doc.Onboarding, stderr, code
	}
	return fleetmetrics.Onboarding{}, stderr, code
}

// The generic format reads any user/step/timestamp export; names match
// ignoring case, blanks and '-' ("Wi-Fi Sent" is wifi_sent).
func TestOnboardingGenericExport(t *testing.T) {
	o, stderr, code := setupRun(t, setupRepo(t, setupYAML))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 3 attempts, 2 complete; times 150 s and 240 s: median the 1st, p90
	// the 2nd (⌈0.9·2⌉); one of two within 3 min
	if o.Attempts != 3 || o.Completed != 2 || math.Abs(*o.Completion-2.0/3) > 1e-12 || *o.MedianSeconds != 150 || *o.P90Seconds != 240 || *o.WithinTarget != 0.5 {
		t.Errorf("funnel %+v", o)
	}
	if o.OtherEvents != 1 || o.Fleet != nil || !strings.Contains(o.FleetNote, "device_id") {
		t.Errorf("other events %d, fleet %+v %q", o.OtherEvents, o.Fleet, o.FleetNote)
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
}

// Attempts still open at the horizon are left out, and the table says so
// even when none is left to count: with the horizon at 11:30 u1's attempt
// (from 11:00) has not had its hour and the later rows are after it, so
// the one attempt is open (the note said only "no setup attempt started
// in window").
func TestOnboardingAllOpenSaysSo(t *testing.T) {
	dir := setupRepo(t, setupYAML)
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "--onboarding", "setup.csv", "--from", "2026-10-10", "--to", "2026-10-11", "--as-of", "2026-10-10T11:30:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "no setup attempt started in window (and closed at the onboarding horizon); 1 attempt still open left out") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// exampleWithSetup is a copy of the example repo with its app export
// edited.
func exampleWithSetup(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := cmdtest.CopyExample(t)
	path := filepath.Join(dir, "exports", "setup.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The app's device ids must join the devices input's: none joining (here
// the fleet's ids in capitals) leaves the join out with why, and one id
// not joining is warned; the join read "0 (0%) started setup" and said
// nothing.
func TestOnboardingDeviceIDsMustJoin(t *testing.T) {
	run := func(t *testing.T, edit func(string) string) (stdout, stderr string) {
		t.Helper()
		dir := exampleWithSetup(t, edit)
		stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
		if code != cmdutil.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return stdout, stderr
	}
	t.Run("none", func(t *testing.T) {
		stdout, stderr := run(t, func(s string) string {
			return strings.NewReplacer(",drip-", ",DRIP-", ",eui-", ",EUI-").Replace(s) // the valves' and the LoRa sensors' ids
		})
		if !strings.Contains(stderr, "device ids the onboarding rows name are not in the devices input") {
			t.Errorf("stderr:\n%s", stderr)
		}
		if strings.Contains(stdout, "STARTED SETUP") || !strings.Contains(stdout, "SETUP JOINED TO THE FLEET\nnone of the ") {
			t.Errorf("stdout:\n%s", stdout)
		}
	})
	t.Run("one", func(t *testing.T) {
		stdout, stderr := run(t, func(s string) string { return strings.ReplaceAll(s, ",drip-000070\n", ",drip-999999\n") })
		if !strings.Contains(stderr, "warning: 1 of the ") || !strings.Contains(stderr, `e.g. "drip-999999" here`) {
			t.Errorf("stderr:\n%s", stderr)
		}
		if !strings.Contains(stdout, "STARTED SETUP") {
			t.Errorf("the join is there:\n%s", stdout)
		}
	})
}

// A misspelt step reads as a funnel that loses everyone there: warned,
// with the export's names to pick from.
func TestOnboardingUnseenStepWarns(t *testing.T) {
	o, stderr, code := setupRun(t, setupRepo(t, strings.Replace(setupYAML, "wifi_sent", "wifi_credentials_sent", 1)))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if o.Completed != 0 {
		t.Errorf("completed %d, want 0 (no attempt passes the missing step)", o.Completed)
	}
	for _, want := range []string{`funnel step "wifi_credentials_sent"`, `"Wi-Fi Sent"`, "match: [EVENT, ...]"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// The gates: p90 over its limit fails with the value in words; with no
// funnel in iotpm.yaml the input is refused with what to add.
func TestOnboardingGatesAndRefusals(t *testing.T) {
	dir := setupRepo(t, setupYAML+"metrics:\n  inputs:\n    onboarding: setup.csv\n  from: 2026-10-10\n  to: 2026-10-11\n  as_of: 2026-10-12T00:00:00Z\ngates:\n  onboarding: {completion: \">= 50%\", p90: \"<= 3m\", within_target: \">= 50%\"}\n")
	_, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "onboarding.p90 is 4m, not <= 3m") || strings.Contains(stderr, "onboarding.completion is") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}

	_, stderr, code = setupRun(t, setupRepo(t, "metrics: {month: 2026-10}\n"))
	// one line that reads as YAML: a newline in it was printed escaped
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "needs the setup funnel's steps: add to iotpm.yaml onboarding: {steps: [") || strings.Contains(stderr, `\n`) {
		t.Errorf("no funnel: exit %d: %s", code, stderr)
	}
	for _, c := range []struct{ yaml, want string }{
		{"onboarding:\n  steps: [a, {name: b, match: [A]}]\n", `iotpm.yaml:2:14: onboarding.steps: event "A" means both step "a" and step "b"`},
		{"onboarding:\n  steps: [a]\n", "give 2 to 64 steps"},
		{"onboarding:\n  steps: [a, b]\n  within: 2m\n", "onboarding.target 180s is longer than within 120s"},
		{"metrics:\n  inputs:\n    onboarding: setup.csv\n", "iotpm.yaml:3:17: metrics.inputs.onboarding: the setup funnel needs its steps"},
		{setupYAML + "metrics:\n  source: {driver: postgres}\n  inputs:\n    onboarding: {table: app_events}\n", "not a table of metrics.source yet"},
	} {
		_, stderr, code := cmdtest.Run(t, nil, "check", "-C", setupRepo(t, c.yaml))
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr lacks %q:\n%s", c.yaml, code, c.want, stderr)
		}
	}
}

// The example repo: its fast-setup theme is measured by check from the
// Amplitude export, and the funnel joined to the fleet adds up with the
// activation rate.
func TestOnboardingExample(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc fleetmetrics.Result
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	o, a := doc.Onboarding, doc.Activation
	if o == nil || o.Fleet == nil || a == nil {
		t.Fatalf("onboarding %+v activation %+v", o, a)
	}
	if o.Fleet.Shipped != a.Shipped || o.Fleet.Activated != a.Activated {
		t.Errorf("join %+v does not add up with activation %d/%d", *o.Fleet, a.Activated, a.Shipped)
	}
	if doc.Rows["onboarding"].Format != "amplitude" || !doc.Rows["onboarding"].FormatDetected {
		t.Errorf("read as %+v", doc.Rows["onboarding"])
	}
}

// An app export that covers less time than the fleet's: cut at Oct 12
// (the example's runs to Oct 21, the fleet's to Nov 10), or starting
// Oct 12, the units set up outside it read as activated without setup
// (12 and 9 of the 24 shipped in October, against none with the whole
// export), with started setup at 42% or 54% instead of 96% and nothing
// said. They are now counted apart, warned of with the fix, and noted
// under the table; with --as-of where the app's rows end, both inputs end
// together and nothing is left to warn of.
func TestOnboardingJoinCoverage(t *testing.T) {
	run := func(t *testing.T, keep func(day string) bool, extra ...string) (fleetmetrics.SetupFleet, string, string) {
		t.Helper()
		dir := exampleWithSetup(t, keepSetupDays(keep))
		// the example's gates may fail on the cut data (exit 1): the
		// output stands
		stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir, "-o", "json"}, extra...)...)
		if code != cmdutil.ExitOK && code != cmdutil.ExitGate {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Onboarding *fleetmetrics.Onboarding `json:"onboarding"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Onboarding == nil || doc.Onboarding.Fleet == nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		table, _, _ := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir}, extra...)...)
		return *doc.Onboarding.Fleet, stderr, table
	}
	whole, stderr, _ := run(t, func(string) bool { return true })
	if whole.ActivatedNotStarted != 0 || whole.ActivatedBefore+whole.ActivatedAfter+whole.CompletedAfter != 0 || strings.Contains(stderr, "onboarding input's rows") {
		t.Fatalf("the whole export: %+v\n%s", whole, stderr)
	}
	for _, c := range []struct {
		name  string
		keep  func(string) bool
		count func(fleetmetrics.SetupFleet) int
		warn  string
		span  string // the funnel's own: the window it counts
	}{
		{"ends early", func(d string) bool { return d < "2026-10-12" }, func(f fleetmetrics.SetupFleet) int { return f.ActivatedAfter },
			"after their last): their setup is not in the export",
			"the onboarding input's rows end 2026-10-11T22:00:00Z, 20.1 days before the window's end, where their rate (7.1 rows a day from 2026-03-30T21:00:00Z to 2026-10-11T22:00:00Z) puts some 142 more: the setup funnel's attempts and users read low"},
		{"starts late", func(d string) bool { return d >= "2026-10-12" }, func(f fleetmetrics.SetupFleet) int { return f.ActivatedBefore },
			"before their first row): their setup is not in the export",
			"the onboarding input's rows start 2026-10-12T01:34:42Z, 11.1 days after the window's start, where their rate (4.5 rows a day from 2026-10-12T01:34:42Z to 2026-11-10T00:43:20Z) puts some 49 more: the setup funnel's attempts and users read low"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, stderr, table := run(t, c.keep)
			n := c.count(f)
			if n == 0 || f.ActivatedNotStarted != 0 || f.Activated != whole.Activated || f.Started > whole.Started-n+1 {
				t.Errorf("join %+v (whole export %+v)", f, whole)
			}
			if !strings.Contains(stderr, c.warn) || !strings.Contains(stderr, "they are not counted as activated without setup") || !strings.Contains(stderr, c.span) {
				t.Errorf("stderr:\n%s", stderr)
			}
			if !strings.Contains(table, "Not counted as gaps, the other input not covering them: ") {
				t.Errorf("table:\n%s", table)
			}
		})
	}
	t.Run("as-of where the app's rows end", func(t *testing.T) {
		f, stderr, _ := run(t, func(d string) bool { return d < "2026-10-12" }, "--as-of", "2026-10-11T22:00:00Z")
		if f.ActivatedAfter != 0 || f.ActivatedNotStarted != 0 || strings.Contains(stderr, "onboarding input's rows") {
			t.Errorf("join %+v\n%s", f, stderr)
		}
	})
}

// keepSetupDays edits an Amplitude export to the rows whose day (the
// first ten characters) keep accepts.
func keepSetupDays(keep func(day string) bool) func(string) string {
	return func(data string) string {
		lines := strings.SplitAfter(data, "\n")
		out := lines[0]
		for _, l := range lines[1:] {
			if l != "" && keep(l[:10]) {
				out += l
			}
		}
		return out
	}
}

// With the fleet in a database the onboarding export is still a file: the
// flags that describe files may name it (its zone-less times' error
// suggests --tz onboarding=ZONE, which was refused as describing files),
// and refuse every other input, a table.
func TestOnboardingFileFlagsBesideTables(t *testing.T) {
	dir := setupRepo(t, setupYAML+"metrics:\n  month: 2026-10\n  source: {driver: postgres, dsn_env: IOTPM_NO_SUCH_DSN}\n  inputs:\n    devices: {table: things, columns: {device_id: id, shipped_at: shipped}}\n    onboarding: setup.csv\n")
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--tz", "onboarding=Europe/Berlin"}, "IOTPM_NO_SUCH_DSN is not set"},
		{[]string{"--format", "onboarding=generic", "--map", "onboarding.user=user"}, "IOTPM_NO_SUCH_DSN is not set"},
		{[]string{"--tz", "devices=UTC"}, "with metrics.source only the onboarding export is a file"},
		{[]string{"--map", "devices.device_id=id"}, "with metrics.source only the onboarding export is a file"},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append([]string{"metrics", "-C", dir}, c.flags...)...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, want %q:\n%s", c.flags, code, c.want, stderr)
		}
	}
}

// strayCSV is an app export in which n setups start under an anonymous id
// and go on under the account's (split) or stay under one id, beside
// "late", whose BLE Found comes two hours after its Setup Started (past
// `within`): a stray event that is not the last step.
func strayCSV(n int, split bool) string {
	var b strings.Builder
	b.WriteString("user,step,timestamp\nlate,Setup Started,2026-10-10T08:00:00Z\nlate,BLE Found,2026-10-10T10:00:00Z\n")
	for i := range n {
		anon, acct := fmt.Sprintf("anon-%02d", i), fmt.Sprintf("acct-%02d", i)
		if !split {
			acct = anon
		}
		at := func(s int) string { return time.Date(2026, 10, 10, 12, i, s, 0, time.UTC).Format(time.RFC3339) }
		fmt.Fprintf(&b, "%s,Setup Started,%s\n%s,BLE Found,%s\n%s,Wi-Fi Sent,%s\n%s,Cloud Connected,%s\n", anon, at(0), anon, at(20), acct, at(40), acct, at(50))
	}
	return b.String()
}

// Events of later steps in no attempt count nowhere; when many users
// have them (a setup whose start the export has under one id and the
// rest under another), completion reads low, and the run says so. By
// hand, 12 split setups: 13 attempts (12 anonymous, late's), none
// completed; 13 users with stray events (the 12 accounts, late), 12 of
// them with the last step. Under one id: 12 of 13 complete, late alone is
// stray: no warning. 10 strays beside 101 users with an attempt do not
// warn (under a tenth); 10 beside 100 do.
func TestOnboardingStraySteps(t *testing.T) {
	for _, c := range []struct {
		name                                 string
		csv                                  string
		attempts, completed, stray, strayEnd int
		warn                                 bool
	}{
		{"split ids", strayCSV(12, true), 13, 0, 13, 12, true},
		{"one id", strayCSV(12, false), 13, 12, 1, 0, false},
		{"a tenth", strayCSV(9, true) + strayUsers(90), 100, 90, 10, 9, true},
		{"under a tenth", strayCSV(9, true) + strayUsers(91), 101, 91, 10, 9, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmdtest.WriteFile(t, dir, "setup.csv", c.csv)
			cmdtest.WriteFile(t, dir, "iotpm.yaml", setupYAML)
			o, stderr, code := setupRun(t, dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if o.Attempts != c.attempts || o.Completed != c.completed || o.Stray != c.stray || o.StrayLast != c.strayEnd {
				t.Errorf("attempts %d, completed %d, stray %d (last step %d); want %d, %d, %d (%d)", o.Attempts, o.Completed, o.Stray, o.StrayLast, c.attempts, c.completed, c.stray, c.strayEnd)
			}
			want := fmt.Sprintf("%d users (beside the %d with an attempt) have events of later steps (ble_found … cloud_connected) in the window with no setup_started within 1h before them, so they count in no attempt; %d of them reached cloud_connected so", c.stray, c.attempts, c.strayEnd)
			if got := strings.Contains(stderr, want); got != c.warn {
				t.Errorf("warned %v, want %v (%s):\n%s", got, c.warn, want, stderr)
			}
		})
	}
}

// strayUsers is n setups completed under one id each, from 14:00.
func strayUsers(n int) string {
	var b strings.Builder
	for i := range n {
		u := fmt.Sprintf("whole-%03d", i)
		at := func(s int) string {
			return time.Date(2026, 10, 10, 14, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute + time.Duration(s)*time.Second).Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "%s,Setup Started,%s\n%s,BLE Found,%s\n%s,Wi-Fi Sent,%s\n%s,Cloud Connected,%s\n", u, at(0), u, at(20), u, at(40), u, at(50))
	}
	return b.String()
}
