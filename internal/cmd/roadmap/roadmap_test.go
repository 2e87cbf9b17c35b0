package roadmap_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	roadmapcmd "github.com/iotpm/iotpm/internal/cmd/roadmap"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
)

func TestRoadmapGolden(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"roadmap"}},
		{"json.golden", []string{"roadmap", "-o", "json"}},
		{"yaml.golden", []string{"roadmap", "-o", "yaml"}},
		{"csv.golden", []string{"roadmap", "-o", "csv"}},
		{"markdown.golden", []string{"roadmap", "-o", "markdown"}},
		{"mermaid.golden", []string{"roadmap", "-o", "mermaid"}},
		{"track-hardware.golden", []string{"roadmap", "--track", "hardware"}},
		{"theme-insurer.golden", []string{"roadmap", "--theme", "insurer-channel"}},
		{"explain-insurer-api.golden", []string{"roadmap", "--explain", "insurer-api"}},
		{"explain-valve-json.golden", []string{"roadmap", "--explain", "auto-shutoff-valve", "-o", "json"}},
	})
}

// The example must show what the roadmap is for: cross-track chains, a
// certification lead time that pushes a part to a later release, effort
// spilling over releases, and an unscheduled feature.
func TestExamplePlanShowsEachSituation(t *testing.T) {
	stdout, _, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var doc roadmapcmd.JSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	ship := map[string]string{}
	spill := false
	for _, it := range doc.Items {
		ship[it.Feature+"/"+it.Track] = it.Release + " " + it.ShipDate
		if len(it.Allocations) > 1 {
			spill = true
		}
	}
	// chain: freeze-warning's firmware ships after its hardware (Rev B, 2027-03-01)
	if ship["freeze-warning/hardware"] != "Rev B 2027-03-01" || ship["freeze-warning/firmware"] != "FW 3 2027-10-04" {
		t.Errorf("freeze-warning chain: %v", ship)
	}
	// lead time: LTE-M's 12-week PTCRB campaign misses Rev B (2027-03-01) and ships with Rev C
	if ship["lte-backup/hardware"] != "Rev C 2028-03-01" {
		t.Errorf("lte-backup hardware: %q", ship["lte-backup/hardware"])
	}
	if !spill {
		t.Error("no part spills over releases")
	}
	if len(doc.Unscheduled) == 0 || doc.Unscheduled[0].Feature != "auto-shutoff-valve" {
		t.Errorf("unscheduled: %+v", doc.Unscheduled)
	}
	for _, th := range doc.Themes {
		if th.ID == "insurer-channel" && !th.AtRisk {
			t.Error("insurer-channel should be at risk")
		}
	}
	for _, r := range doc.Releases {
		if r.Allocated > r.Capacity+1e-9 {
			t.Errorf("%s over-allocated", r.Name)
		}
	}
}

func TestRoadmapErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "features.yaml"), []byte("features:\n  - {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", dir)
	if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, "features.yaml: has no roadmap: calendar") {
		t.Errorf("no calendar: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--explain", "lte-bakcup"}, `no feature "lte-bakcup"`},
		{[]string{"--explain", "lte-bakcup"}, `did you mean "lte-backup"?`},
		{[]string{"--track", "radio"}, `invalid --track "radio"`},
		{[]string{"--theme", "nope"}, `no theme "nope"`},
		{[]string{"-o", "svg"}, `use one of table, json, yaml, csv, markdown, mermaid`},
	} {
		stdout, stderr, code := cmdtest.Run(t, nil, append(append([]string{"roadmap"}, tt.args...), "-C", cmdtest.ExampleRepo)...)
		if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d stdout %q stderr %q", tt.args, code, stdout, stderr)
		}
	}
	// mermaid is the roadmap's own format
	if _, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "-o", "mermaid"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "invalid output format") {
		t.Errorf("rice -o mermaid: exit %d %s", code, stderr)
	}
}

func TestMermaidTextIsSafe(t *testing.T) {
	if got := render.MermaidText("Ratio: 3; #1 {x}\nnext"); got != "Ratio  3   1  x  next" {
		t.Errorf("%q", got)
	}
}

// themes: on_time fails for a theme that cannot complete by its due date:
// insurer-channel has an unscheduled part (its scheduled parts' latest
// date, 2028-07-17, is not a completion and is not given as one).
func TestThemesOnTimeGate(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "roadmap: no_unscheduled_basic", "roadmap: no_unscheduled_basic\n  themes: on_time")
	stdout, stderr, code := cmdtest.Run(t, map[string]string{"GITHUB_ACTIONS": "true"}, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "themes.insurer-channel cannot complete (a part of its features is unscheduled); it is due 2027-12-31") {
		t.Errorf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	// the annotation points at the theme's line; the table says how late
	if !strings.Contains(stderr, "::error file=") || !strings.Contains(stderr, "features.yaml,line=33,title=iotpm gate themes.insurer-channel") || !strings.Contains(stdout, "at risk: a part of its features is unscheduled") {
		t.Errorf("annotation or detail:\n%s\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "themes.fewer-false-alerts") || !strings.Contains(stdout, "2027-10-11") {
		t.Errorf("the on-time theme is listed as passing:\n%s", stdout)
	}
}

// --capacity lists every release; what uses each adds up to what it has
// used, and the empty ones are counted.
func TestRoadmapCapacity(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "--capacity", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Releases []roadmapcmd.CapacityRow `json:"releases"`
		Empty    int                      `json:"empty_releases"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	empty := 0
	for _, r := range doc.Releases {
		sum := 0.0
		for _, u := range r.UsedBy {
			sum += u.PersonMonths
		}
		if math.Abs(sum-r.Used) > 1e-9 || math.Abs(r.Used+r.Free-r.Capacity) > 1e-9 && r.Used <= r.Capacity {
			t.Errorf("%s %s: used %v, by features %v, free %v, capacity %v", r.Track, r.Release, r.Used, sum, r.Free, r.Capacity)
		}
		if len(r.UsedBy) == 0 {
			empty++
		}
	}
	if len(doc.Releases) < 40 || empty != doc.Empty || empty == 0 {
		t.Errorf("%d releases, %d empty, doc says %d", len(doc.Releases), empty, doc.Empty)
	}
	cmdtest.RunGoldens(t, []cmdtest.Case{{"capacity.golden", []string{"roadmap", "--capacity", "--track", "firmware"}}})
	// the default view says what it leaves out, and whose work fills a
	// release that ships nothing
	stdout, _, _ = cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo)
	for _, want := range []string{"Hotfix 1  2027-02-04                    0.5 / 0.5        -  (work for adaptive-heartbeat)", "more firmware releases have no work planned (iotpm roadmap --capacity lists every release)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("roadmap lacks %q:\n%s", want, stdout)
		}
	}
}

// A gantt bar is the work (from the start of its release's cycle, not
// before the part is ready) up to the ship date; an earlier ready date is
// a marker, so a part waiting for a cycle does not look like a year of work.
func TestGanttBarsShowTheWork(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "-o", "mermaid")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		// its work is in FW 4, whose cycle starts at FW 3 (2027-10-04);
		// the part was ready at the plan's start; after its Matter
		// certification it ships with FW 6
		"Matter bridge on the hub ready :milestone, fw_matter_bridge_ready, 2027-01-04, 0d\n",
		"Matter bridge on the hub (FW 6) :fw_matter_bridge, 2027-10-04, 2028-07-04\n",
		// its work done 2028-03-04 (3 PM in FW 4, 1 in FW 5: a third of
		// FW 5's 91 days), then the Matter certification's 56 days
		"Matter bridge on the hub lead time ends :milestone, fw_matter_bridge_lead, 2028-04-29, 0d\n",
		// a quarterly firmware release's cycle is the quarter, not the last hotfix window
		"Delta OTA updates (FW 1) :fw_ota_delta, 2027-01-04, 2027-04-04\n",
		// ready after its cycle started: the bar starts when it is ready, no marker
		"LTE-M backup link on the hub (FW 6) :fw_lte_backup, 2028-03-01, 2028-07-04\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("gantt lacks %q", want)
		}
	}
	if strings.Contains(stdout, "fw_lte_backup_ready") {
		t.Error("a part ready inside its cycle got a ready marker")
	}
}

// Two features of one release that name the same certification each book
// its fee — freeze-warning with fcc-id (8 weeks, $15,000) in place of
// fcc-sdoc cannot be certified by Rev B and joins lte-backup in Rev C:
// $208,000 + its tooling $12,000 + fcc-id $15,000 = $235,000 — and are
// warned of at the second, with what to do when one campaign covers both;
// check says it too. Listing it under one of them only books it once.
func TestRepeatedCertificationIsAsked(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	features := filepath.Join(dir, "features.yaml")
	cmdtest.EditFile(t, features, "hardware: {engineering: 2, tooling: 12000, certifications: [fcc-sdoc]}", "hardware: {engineering: 2, tooling: 12000, certifications: [fcc-id]}")
	warning := "features.yaml:156:5: warning: freeze-warning and lte-backup ship in hardware Rev C and each book certification fcc-id ($15,000 each, $30,000 in the NRE)"
	stdout, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", dir, "--track", "hardware")
	if code != 0 || !strings.Contains(stderr, warning) || !strings.Contains(stdout, "$235,000") {
		t.Errorf("roadmap: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, stderr, _ := cmdtest.Run(t, nil, "check", "-C", dir); !strings.Contains(stderr, warning) {
		t.Errorf("check does not warn:\n%s", stderr)
	}
	cmdtest.EditFile(t, features, "certifications: [fcc-id, ptcrb, carrier]", "certifications: [ptcrb, carrier]")
	stdout, stderr, _ = cmdtest.Run(t, nil, "roadmap", "-C", dir, "--track", "hardware")
	if strings.Contains(stderr, "each book certification") || !strings.Contains(stdout, "$220,000") {
		t.Errorf("fcc-id under one feature only:\n%s\n%s", stdout, stderr)
	}
}

// The example's calendar run on 2027-05-01: the releases before it hold
// backlog work, which has not shipped; roadmap and check say so (the
// plan's dates and NRE quarters are in the past), and the run goes on.
func TestReleasesInThePast(t *testing.T) {
	later := map[string]string{"SOURCE_DATE_EPOCH": "1809129600"} // 2027-05-01
	want := "features.yaml:"
	for _, args := range [][]string{{"roadmap", "-C", cmdtest.ExampleRepo}, {"check", "-C", cmdtest.ExampleRepo}} {
		stdout, stderr, code := cmdtest.Run(t, later, args...)
		if code != 0 || stdout == "" || !strings.Contains(stderr, want) || !strings.Contains(stderr, "releases dated before today (2027-05-01) hold work that has not shipped (Sprint 1 2027-01-18, Sprint 2 2027-02-01, Hotfix 1 2027-02-04 and 9 more)") {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
		// on the tests' day, before any release, no word of it
		if _, stderr, _ := cmdtest.Run(t, nil, args...); strings.Contains(stderr, "dated before today") {
			t.Errorf("%v on %s: %s", args, cmdtest.Today, stderr)
		}
	}
}
