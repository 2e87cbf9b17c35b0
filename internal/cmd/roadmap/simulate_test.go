package roadmap_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	roadmapcmd "github.com/iotpm/iotpm/internal/cmd/roadmap"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

func TestSimulateGoldens(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"simulate.golden", []string{"roadmap", "-C", cmdtest.ExampleRepo, "--simulate"}},
		{"simulate-json.golden", []string{"roadmap", "-C", cmdtest.ExampleRepo, "--simulate=500", "--seed", "3", "-o", "json"}},
		{"simulate-mermaid.golden", []string{"roadmap", "-C", cmdtest.ExampleRepo, "--simulate", "-o", "mermaid"}},
	})
}

// The example's edge-anomaly (theme fewer-false-alerts, due 2027-12-31)
// takes 2..3..6 person-months; the plan uses the most likely 3 and fits
// FW 3 (Oct 2027). FW 3 has the room for it only when the sample is at
// most 3: F(3) = (3 − 2)² / ((6 − 2)(3 − 2)) = 1/4 of the samples; the
// rest ship in FW 4 (Jan 2028), after the due date. So the theme is on
// time in 25% ± 3 points of 2000 samples, its P50 is FW 4's date, and the
// gate themes: on_time_p80 fails it.
func TestSimulateExampleTheme(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--simulate", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc roadmapcmd.SimulationJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, th := range doc.Themes {
		if th.Theme != "fewer-false-alerts" {
			continue
		}
		if th.OnTime == nil || *th.OnTime < 0.22 || *th.OnTime > 0.28 || th.Plan == nil || *th.Plan != "2027-10-11" || th.P50 == nil || *th.P50 != "2028-01-17" {
			t.Errorf("fewer-false-alerts: %+v", th)
		}
	}
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  roadmap: no_unscheduled_basic", "  themes: on_time_p80\n  roadmap: no_unscheduled_basic")
	_, stderr, code = cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "themes.fewer-false-alerts.on_time is 24.7%, not >= 80% by 2027-12-31") {
		t.Errorf("check: exit %d: %s", code, stderr)
	}
}

func TestSimulateBadUse(t *testing.T) {
	_, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--simulate=-5")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--simulate: samples must be 1 to 1,000,000") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--simulate", "500")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--simulate takes its sample count after =: --simulate=500") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--simulate", "--capacity")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--capacity and --simulate cannot be used together") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// 2000 samples of the example plan: the issue asks for under 2 s on the
// project's machine.
//
//	go test ./internal/cmd/roadmap -run '^$' -bench SimulateExample
func BenchmarkSimulateExample(b *testing.B) {
	backlog, diags := planfile.LoadFeatures(filepath.Join(cmdtest.ExampleRepo, "features.yaml"))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	ranked, err := rice.Rank(backlog.Features, backlog.Model, backlog.Catalog)
	if err != nil {
		b.Fatal(err)
	}
	in := roadmap.Input{Ranked: ranked, Calendar: *backlog.Calendar, Catalog: backlog.Catalog, Themes: backlog.Themes}
	for b.Loop() {
		if _, err := roadmap.Simulate(in, roadmap.DefaultSamples, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// What-ifs: a fourth firmware person-month per release pulls edge-anomaly
// from FW 3 (2027-10-04) into FW 2 (2027-07-04), 13.1 weeks earlier, and
// with it fewer-false-alerts' chance to be on time from 24.7% (see above)
// to 100% — every sample's effort (at most 6) fits by FW 2 or FW 3.
func TestWhatIf(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--set-capacity", "firmware=4", "--simulate", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc roadmapcmd.WhatIfJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range doc.Parts {
		if p.Feature == "edge-anomaly" {
			found = p.Before == "2027-10-04" && p.After == "2027-07-04" && p.Weeks == -13.1
		}
	}
	if !found {
		t.Errorf("edge-anomaly does not move to FW 2: %+v", doc.Parts)
	}
	for _, th := range doc.Themes {
		if th.Theme == "fewer-false-alerts" && (th.OnTimeBefore == nil || *th.OnTimeBefore > 0.28 || th.OnTimeAfter == nil || *th.OnTimeAfter != 1) {
			t.Errorf("fewer-false-alerts: %+v", th)
		}
	}
	// one release by name; a feature left out
	cmdtest.RunGoldens(t, []cmdtest.Case{{"whatif.golden", []string{"roadmap", "-C", cmdtest.ExampleRepo, "--set-capacity", "Rev C=4", "--without", "auto-shutoff-valve"}}})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--without", "leak-history"}, "--without leak-history: insurer-api depends on it; leave it out too (--without insurer-api)"},
		{[]string{"--without", "leak-histroy"}, `did you mean "leak-history"?`},
		{[]string{"--set-capacity", "firmwar=4"}, `"firmwar" is no track (hardware, firmware, cloud) and no release of the roadmap`},
		{[]string{"--set-capacity", "firmware=lots"}, "write TRACK=N or RELEASE=N"},
		{[]string{"--set-capacity", "firmware=4", "--capacity"}, "cannot be used together"},
		{[]string{"--set-capacity", "firmware=4", "--set-capacity", "firmware=1"}, "--set-capacity names firmware twice (firmware=4, then firmware=1): give one"},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append([]string{"roadmap", "-C", cmdtest.ExampleRepo}, tt.args...)...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
