package diff_test

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	diffcmd "github.com/iotpm/iotpm/internal/cmd/diff"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

// gitRepo makes a throwaway git repository holding the example planning
// repo under plan/, commits it on main, and returns the planning dir.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for iotpm diff's tests")
	}
	root := t.TempDir()
	plan := filepath.Join(root, "plan")
	if err := os.Rename(cmdtest.CopyExample(t), plan); err != nil {
		t.Fatal(err)
	}
	gitIn(t, root, "init", "-q", "-b", "main")
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "base plan")
	gitIn(t, root, "checkout", "-q", "-b", "change")
	return plan
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestDiffUnchanged(t *testing.T) {
	plan := gitRepo(t)
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "-C", plan, "-o", "markdown")
	if code != 0 || !strings.Contains(stdout, "No change to ranks, dates, battery life, cash, unit economics or gates.") || strings.Contains(stdout, "<details>") {
		t.Errorf("exit %d: %s\n%s", code, stderr, stdout)
	}
}

// A planning PR that reorders the backlog, adds a hardware feature with
// tooling and a certification, makes the heartbeat faster and moves a due
// date: every section of the diff says what it does.
func TestDiffOfAPlanningChange(t *testing.T) {
	plan := gitRepo(t)
	// reorder: the Matter bridge gets much more reach
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "reach: 10000", "reach: 90000")
	// a new hardware feature with tooling and a certification, in the
	// fewer-false-alerts theme: it takes Rev B capacity
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "  - id: ip67-enclosure", `  - id: flood-probe
    title: Remote flood probe
    theme: fewer-false-alerts
    kano: performance
    reach: 30000
    impact: high
    confidence: 80%
    parts:
      hardware: {engineering: 6, tooling: 60000, certifications: [fcc-sdoc]}
      firmware: {engineering: 2}

  - id: ip67-enclosure`)
	// a heartbeat every 5 minutes instead of 15
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "every: 15m", "every: 5m")
	// the insurer channel is promised later
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), `outcome: "Sell through two home insurers by end of 2027", due: 2027-12-31`, `outcome: "Sell through two home insurers by end of 2027", due: 2028-12-31`)

	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Base    string                   `json:"base"`
		Summary string                   `json:"summary"`
		Ranks   []diffcmd.RankChange     `json:"ranks"`
		Parts   []diffcmd.PartChange     `json:"parts"`
		Themes  []diffcmd.ThemeChange    `json:"themes"`
		Battery []diffcmd.BatteryChange  `json:"battery"`
		Cash    diffcmd.CashDiff         `json:"nre"`
		Gates   []diffcmd.GateChange     `json:"gates"`
		Cap     []diffcmd.CapacityChange `json:"capacity"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Base != "main:plan" {
		t.Errorf("base %q", d.Base)
	}
	has := func(what string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("missing %s; summary: %s", what, d.Summary)
		}
	}
	has("flood-probe added to the ranking", contains(d.Ranks, func(r diffcmd.RankChange) bool { return r.Feature == "flood-probe" && r.Kind == "added" }))
	has("matter-bridge moving up", contains(d.Ranks, func(r diffcmd.RankChange) bool { return r.Feature == "matter-bridge" && r.RankAfter < r.RankBefore }))
	has("flood-probe's hardware part added", contains(d.Parts, func(p diffcmd.PartChange) bool {
		return p.Feature == "flood-probe" && p.Track == "hardware" && p.Kind == "added"
	}))
	has("a part slipping", contains(d.Parts, func(p diffcmd.PartChange) bool { return p.Kind == "slip" && p.Weeks > 0 }))
	// a slip says what moved it: the capacity taken by the new feature, or
	// the earlier part of its own chain
	has("freeze-warning's hardware slip, by capacity", contains(d.Parts, func(p diffcmd.PartChange) bool {
		return p.Feature == "freeze-warning" && p.Track == "hardware" && p.Reason == "hardware capacity: flood-probe now placed before it"
	}))
	has("freeze-warning's firmware slip, by its hardware part", contains(d.Parts, func(p diffcmd.PartChange) bool {
		return p.Feature == "freeze-warning" && p.Track == "firmware" && strings.HasPrefix(p.Reason, "its hardware part now ships 2028-03-01")
	}))
	// flood-probe's NRE by its parts: tooling $60,000 as written, and the
	// fcc-sdoc fee of $3,000 from the catalog
	has("flood-probe's NRE parts", contains(d.Cash.Features, func(c diffcmd.CashChange) bool {
		return c.Key == "flood-probe" && c.ToolingAfter == 60000 && c.CertificationAfter == 3000 && c.After == 63000
	}))
	has("a rank-only move", contains(d.Ranks, func(r diffcmd.RankChange) bool { return r.Feature == "insurer-api" && r.Kind == "rank only" }))
	// the new probe leaves lte-backup without Rev C capacity: the insurer
	// channel, moved to 2028-12-31, is now at risk; at risk on both sides
	// (auto-shutoff-valve never ships), it has no completion to move (its
	// scheduled parts' dates read as "2028-07-17 → 2027-06-21, −56 w")
	has("insurer-channel's new due date, at risk", contains(d.Themes, func(th diffcmd.ThemeChange) bool {
		return th.Theme == "insurer-channel" && th.Due == "2028-12-31" && th.AtRisk && th.LateAfter &&
			th.Before == "unscheduled" && th.After == "unscheduled" && th.Weeks == 0
	}))
	has("drip-lora's heartbeat and shorter life", contains(d.Battery, func(b diffcmd.BatteryChange) bool {
		return b.Device == "drip-lora" && len(b.Events) == 1 && b.Events[0] == "heartbeat" && *b.YearsAfter < *b.YearsBefore
	}))
	has("flood-probe's NRE ($60,000 tooling + FCC SDoC fee)", contains(d.Cash.Features, func(c diffcmd.CashChange) bool { return c.Key == "flood-probe" && c.Before == 0 && c.After > 60000 }))
	// lte-backup ($150,000) drops out, flood-probe ($63,000) comes in
	has("NRE total 299,040 → 212,040", d.Cash.TotalBefore == 299_040 && d.Cash.TotalAfter == 212_040)
	// lte-backup's firmware part (1 PM of FW 6) goes with its hardware
	has("FW 6 capacity 2 → 1", contains(d.Cap, func(c diffcmd.CapacityChange) bool { return c.Release == "FW 6" && c.Before == 2 && c.After == 1 }))
	has("a newly failing battery gate", contains(d.Gates, func(g diffcmd.GateChange) bool { return g.Gate == "battery_life.drip-lora" && g.After == "FAIL" }))
	has("the summary", strings.Contains(d.Summary, "drip-lora battery 15.8 y → ") && strings.Contains(d.Summary, "slip"))

	// the PR comment
	stdout, _, _ = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown")
	for _, want := range []string{diffcmd.Marker, "## iotpm diff against `main:plan`", "<details><summary>RICE ranks:", "<details><summary>Battery life: 1 change</summary>", "<details><summary>NRE cash:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("comment lacks %q:\n%s", want, stdout)
		}
	}
	cmdtest.Golden(t, "comment.golden", stdout)

	// --fail-on makes it a gate: the new probe takes Rev B capacity, so
	// freeze-warning slips and its theme completes after its due date
	_, stderr, code = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "--fail-on", "slip", "--fail-on", "theme-late", "--fail-on", "new-failing-gate")
	for _, want := range []string{"parts slip: freeze-warning cloud +26 w", "themes newly late: fewer-false-alerts", "gates newly failing: battery_life.drip-lora"} {
		if code != cmdutil.ExitGate || !strings.Contains(stderr, want) {
			t.Errorf("--fail-on: exit %d, stderr lacks %q: %s", code, want, stderr)
		}
	}
	// nothing basic is unscheduled by the change
	if _, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "--fail-on", "unscheduled-basic"); code != 0 {
		t.Errorf("unscheduled-basic: exit %d: %s", code, stderr)
	}
}

func contains[T any](xs []T, f func(T) bool) bool {
	for _, x := range xs {
		if f(x) {
			return true
		}
	}
	return false
}

func TestDiffBadInput(t *testing.T) {
	plan := gitRepo(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "nope", "-C", plan}, `"nope" is not a revision of`},
		{[]string{"diff", "-C", t.TempDir()}, "is not in a git repository"},
		{[]string{"diff", "--base-dir", "/nonexistent", "-C", plan}, "--base-dir /nonexistent is not a directory"},
		{[]string{"diff", "--fail-on", "late", "-C", plan}, `--fail-on "late": use slip, new-failing-gate, unscheduled-basic, theme-late`},
		{[]string{"diff", "--fail-on", "slipp", "-C", plan}, `; did you mean "slip"?`},
		{[]string{"diff", "mian", "-C", plan}, `"mian" is not a revision of`},
		{[]string{"diff", "mian", "-C", plan}, `; did you mean "main"?`},
	} {
		_, stderr, code := cmdtest.Run(t, nil, tt.args...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d: %s", tt.args, code, stderr)
		}
	}
	// an invalid base file is reported at REV:path:line:col (a warning
	// when the head loads: TestDiffAgainstAnUnloadableBase)
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "reach: 40000", "reach: lots")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "broken")
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "reach: lots", "reach: 40000")
	_, stderr, code := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan)
	if code != 0 || !strings.Contains(stderr, "HEAD:plan/features.yaml:41:12: warning: features[0].reach") {
		t.Errorf("invalid base: exit %d: %s", code, stderr)
	}
}

// A change only to a range: edge-anomaly's 2..3..6 person-months made a
// firm 3. The plan's dates stay (it used the most likely 3), but the
// theme's P90 comes back from FW 4 to the plan's date and its chance to be
// on time from 24.7% to 100%, so it is no longer likely late: the diff
// says so.
func TestDiffOfARange(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "effort: {engineering: 2..3..6}", "effort: {engineering: 3}")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "-C", plan, "-o", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Theme fewer-false-alerts completes 2027-10-11, no longer likely late, P90 2028-01-17 → 2027-10-11 (on time 24.7% → 100%)",
		"| fewer-false-alerts | 2027-10-11 → 2027-10-11 |       | 2027-12-31 | likely → no |"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, stdout)
		}
	}
}

// A change the run warns of says so in the diff, open above the folded
// sections: the head's warnings the base does not have, by message (a
// warning both sides have, moved to another line, is not new).
func TestDiffNewWarnings(t *testing.T) {
	plan := gitRepo(t)
	// the base already warns of a LoRa payload under LoRaWAN's 13 bytes
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "payload: 17}", "payload: 4}")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "a raw payload")
	// the change moves it a line down and makes the firmware target a typo
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "cells:\n", "# a comment\ncells:\n")
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), "firmware: {target: 2.4.1}", "firmware: {target: 2.4.l}")
	want := `iotpm.yaml:21:13: warning: metrics.firmware.target "2.4.l": it is no semantic version`
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json")
	var d struct {
		Summary     string   `json:"summary"`
		NewWarnings []string `json:"new_warnings"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(d.NewWarnings) != 1 || !strings.HasPrefix(d.NewWarnings[0], want) || !strings.HasSuffix(d.Summary, "1 new warning: see below.") {
		t.Errorf("new warnings %q, summary %q", d.NewWarnings, d.Summary)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "markdown")
	if i, j := strings.Index(stdout, "> [!WARNING]\n> New warnings with this change:\n> - "+want), strings.Index(stdout, "<details>"); i < 0 || j >= 0 && j < i {
		t.Errorf("markdown: the warning is not above the sections:\n%s", stdout)
	}
	// no new warning: none said, and an empty list in JSON
	stdout, _, _ = cmdtest.Run(t, nil, "diff", "-C", plan, "-o", "json", "--base-dir", plan)
	if !strings.Contains(stdout, `"new_warnings": []`) {
		t.Errorf("against itself: %s", stdout)
	}
}

// A warning the base gave with other figures — a data refresh moves the
// counts of most — is not new: it is listed apart, folded, so that the
// open list says what the change brings. The base warns of a firmware
// target that is no version; the change drops a device from the exports,
// one fewer on other versions.
func TestDiffWarningsWithOtherFigures(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), "firmware: {target: 2.4.1}", "firmware: {target: 2.4.l}")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "a target typo")
	for _, name := range []string{"devices.csv", "lifecycle.csv", "ota.csv", "usage.csv", "setup.csv"} {
		cmdtest.KeepLines(t, plan, name, func(line string) bool { return !strings.Contains(line, "drip-000007") })
	}
	const warning = `warning: metrics.firmware.target "2.4.l": it is no semantic version`
	added, changed := diffWarnings(t, plan)
	has := func(lines []string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, warning) })
	}
	if has(added) || !has(changed) {
		t.Fatalf("want the target's warning with other figures, not new: new %q, changed %q", added, changed)
	}
	stdout, _, _ := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "markdown")
	i, j := strings.Index(stdout, "<details><summary>Warnings the base gave too, with other figures: 1 change</summary>"), strings.Index(stdout, warning)
	if i < 0 || j < i {
		t.Errorf("markdown: the warning is not in its folded section:\n%s", stdout)
	}
}

// A warning said in the singular of one device and in the plural of two
// is one warning with other figures: a second sensor on a 2 h heartbeat
// changes the sparse check-in warning's count, it brings no new warning.
func TestDiffWarningSingularToPlural(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.ThinUplinksOf(t, plan, "eui-70b3d57ed00500a1")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "one sensor every 2 h")
	cmdtest.ThinUplinks(t, plan) // and a second
	added, changed := diffWarnings(t, plan)
	sparse := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if strings.Contains(l, "drip-lora: ") && strings.Contains(l, " of its 6 devices") {
				out = append(out, l)
			}
		}
		return out
	}
	if n, c := sparse(added), sparse(changed); len(n) != 0 || len(c) != 1 || !strings.Contains(c[0], "2 of its 6 devices") {
		t.Fatalf("want the sparse warning of two sensors with other figures, not new: new %q, changed %q", n, c)
	}
}

// A pull request that lengthens a check-in profile's heartbeat in
// devices.yaml while the fleet still checks in at the old interval brings
// the warning that says so beside the longer battery life it buys on
// paper: the example's drip-lora heartbeat every 1h instead of 15m reads
// 15.85 → 20 years, and the uplinks (every 15 min) say the devices check
// in 3.8 times as often.
func TestDiffLongerHeartbeatThanTheFleet(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "        every: 15m\n        phases:", "        every: 1h\n        phases:")
	added, _ := diffWarnings(t, plan)
	var found []string
	for _, w := range added {
		if strings.Contains(w, "drip-lora: its devices checked in 9,013 times") && strings.Contains(w, "3.8 times the 2,372 its interval in devices.yaml (every 1h) expects") {
			found = append(found, w)
		}
	}
	if len(found) != 1 {
		t.Errorf("want the frequent check-ins warning among the new ones, got %q", added)
	}
}

// diffWarnings runs iotpm diff HEAD on plan: the new warnings and those
// the base gave with other figures, from its JSON.
func diffWarnings(t *testing.T, plan string) (added, changed []string) {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json")
	var d struct {
		NewWarnings     []string `json:"new_warnings"`
		ChangedWarnings []string `json:"changed_warnings"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	return d.NewWarnings, d.ChangedWarnings
}

// A change that only widens a range can make a theme likely late without
// moving a plan date: --fail-on theme-likely-late fails on it, theme-late
// (the plan's dates) does not.
func TestDiffFailOnThemeLikelyLate(t *testing.T) {
	plan := gitRepo(t)
	features := filepath.Join(plan, "features.yaml")
	cmdtest.EditFile(t, features, "effort: {engineering: 2..3..6}", "effort: {engineering: 3}")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "a firm estimate")
	cmdtest.EditFile(t, features, "effort: {engineering: 3}", "effort: {engineering: 2..3..6}")
	_, stderr, code := cmdtest.Run(t, nil, "diff", "-C", plan, "HEAD", "--fail-on", "theme-likely-late")
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "themes newly late or likely late: fewer-false-alerts") {
		t.Errorf("theme-likely-late: exit %d\n%s", code, stderr)
	}
	if _, stderr, code = cmdtest.Run(t, nil, "diff", "-C", plan, "HEAD", "--fail-on", "theme-late"); code != 0 {
		t.Errorf("theme-late: exit %d\n%s", code, stderr)
	}
}

// A model on one side only is in the economics section, added or removed,
// with its figures on the side it is on: a pull request that adds a
// model losing money (a mains-powered hub with no subscription) said
// nothing of it but its gates.
func TestDiffAddedAndRemovedModels(t *testing.T) {
	plan := gitRepo(t)
	data, err := os.ReadFile(filepath.Join(plan, "devices.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	econ, err := os.ReadFile(filepath.Join(plan, "economics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.AppendFile(t, plan, "devices.yaml", cmdtest.MainsHub)
	cmdtest.AppendFile(t, plan, "economics.yaml", `  hub:
    units: 5000
    price: 129
    bom: 41
    activation: 90%
    connectivity: {per_mb: 0.40, overhead: 60B}
`)
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary   string                    `json:"summary"`
		Economics []diffcmd.EconomicsChange `json:"economics"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	hub := slices.IndexFunc(d.Economics, func(e diffcmd.EconomicsChange) bool { return e.Model == "hub" })
	if hub < 0 || !d.Economics[hub].Added || d.Economics[hub].LTVAfter >= 0 || d.Economics[hub].RecurringAfter <= 0 || !strings.Contains(d.Summary, "hub added: recurring $") {
		t.Errorf("hub: %+v; summary %s", d.Economics, d.Summary)
	}
	// the roadmap's $299,040 of NRE spread over 78,000 units, not
	// 73,000: every model's LTV moves by that alone ($0.26), and says so
	lora := slices.IndexFunc(d.Economics, func(e diffcmd.EconomicsChange) bool { return e.Model == "drip-lora" })
	if lora < 0 || math.Abs(d.Economics[lora].NREPerUnitBefore-299040.0/73000) > 1e-9 || math.Abs(d.Economics[lora].NREPerUnitAfter-299040.0/78000) > 1e-9 ||
		!strings.Contains(d.Summary, "NRE/unit $4.10 → $3.83; drip-lora LTV $21.27 → $21.53") {
		t.Errorf("drip-lora: %+v; summary %s", d.Economics, d.Summary)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "diff", "main", "-C", plan)
	if !strings.Contains(stdout, "- → $") {
		t.Errorf("the table does not show the added model's missing side:\n%s", stdout)
	}
	// the other way round: the hub is removed
	gitIn(t, filepath.Dir(plan), "add", "-A")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-m", "hub")
	cmdtest.WriteFile(t, plan, "devices.yaml", string(data))
	cmdtest.WriteFile(t, plan, "economics.yaml", string(econ))
	stdout, stderr, _ = cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json")
	d.Economics = nil
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err, stderr)
	}
	if hub := slices.IndexFunc(d.Economics, func(e diffcmd.EconomicsChange) bool { return e.Model == "hub" }); hub < 0 || !d.Economics[hub].Removed || !strings.Contains(d.Summary, "hub removed (LTV was -$") {
		t.Errorf("hub removed: %+v; summary %s", d.Economics, d.Summary)
	}
}

// A gate is in the diff when its value or threshold moves, not only when
// it starts or stops failing: a pull request that takes the coin-cell
// puck most of the way to its target passes, and says so. A gate that
// failed before and fails after is not newly failing, however its value
// moves.
func TestDiffGateValues(t *testing.T) {
	plan := gitRepo(t)
	devices := filepath.Join(plan, "devices.yaml")
	type doc struct {
		Summary string               `json:"summary"`
		Gates   []diffcmd.GateChange `json:"gates"`
	}
	run := func(args ...string) (doc, int, string) {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"diff", "-C", plan, "-o", "json"}, args...)...)
		var d doc
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatalf("%v: exit %d %s", err, code, stderr)
		}
		return d, code, stderr
	}
	find := func(d doc, name string) *diffcmd.GateChange {
		for i := range d.Gates {
			if d.Gates[i].Gate == name {
				return &d.Gates[i]
			}
		}
		return nil
	}

	cmdtest.EditFile(t, devices, "sleep: 1.5uA", "sleep: 1.6uA")
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), `ota_success_rate: ">= 95%"`, `ota_success_rate: ">= 96%"`)
	d, code, stderr := run("main", "--fail-on", "new-failing-gate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	puck := find(d, "battery_life.drip-puck")
	if puck == nil || puck.Before != "pass" || puck.After != "pass" || puck.ValueBefore == nil || puck.ValueAfter == nil ||
		*puck.ValueAfter >= *puck.ValueBefore || puck.TextBefore != "3.5 years" {
		t.Fatalf("battery_life.drip-puck: %+v", puck)
	}
	ota := find(d, "ota_success_rate")
	if ota == nil || ota.ThresholdBefore != ">= 95%" || ota.ThresholdAfter != ">= 96%" || ota.TextBefore != ota.TextAfter {
		t.Errorf("ota_success_rate: %+v", ota)
	}
	if find(d, "battery_life.drip-lora") != nil || !strings.Contains(d.Summary, "gates: 1 threshold changed, 1 value moves, none newly failing") {
		t.Errorf("gates %+v; summary %s", d.Gates, d.Summary)
	}
	table, _, _ := cmdtest.Run(t, nil, "diff", "-C", plan, "main")
	if !strings.Contains(table, ">= 95% → >= 96%") || !regexp.MustCompile(`battery_life\.drip-puck +3\.5 years → 3\.\d+ years +>= 3 years +pass\n`).MatchString(table) {
		t.Errorf("table:\n%s", table)
	}

	// failing before and after: listed, not newly failing
	cmdtest.EditFile(t, devices, "sleep: 1.6uA", "sleep: 30uA")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "a puck below its target")
	cmdtest.EditFile(t, devices, "sleep: 30uA", "sleep: 40uA")
	d, code, stderr = run("HEAD", "--fail-on", "new-failing-gate")
	puck = find(d, "battery_life.drip-puck")
	if code != 0 || puck == nil || puck.Before != "FAIL" || puck.After != "FAIL" || puck.NewlyFailing() || strings.Contains(d.Summary, "1 newly failing") {
		t.Errorf("exit %d %s; gate %+v; summary %s", code, stderr, puck, d.Summary)
	}
}

// A part pushed by the capacity of its track says what took it: a feature
// ahead of it whose effort grew (before what that moved), or its
// release's capacity; a pull-in says what freed it. A feature ahead of it
// counts only where it has work in a release the part could have used. A dependency added or
// removed, on either side, is named as such. A part moved by the
// calendar says which change of it: its release's date, the roadmap's
// start, the track's cadence.
func TestDiffMoveReasons(t *testing.T) {
	reasons := func(t *testing.T, edits ...[2]string) map[string]string {
		t.Helper()
		plan := gitRepo(t)
		for _, e := range edits {
			cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), e[0], e[1])
		}
		stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var d diffcmd.Diff
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, p := range d.Parts {
			out[p.Feature+"/"+p.Track+"/"+p.Kind] = p.Reason
		}
		return out
	}
	for _, c := range []struct {
		name  string
		edits [][2]string
		want  map[string]string
	}{
		{"an effort ahead grows", [][2]string{{"effort: {engineering: 2, certifications: [bt-sig]}", "effort: {engineering: 6, certifications: [bt-sig]}"}}, map[string]string{
			"ble-provisioning/firmware/slip": "its firmware effort changed from 2 to 6 person-months",
			"edge-anomaly/firmware/slip":     "firmware capacity: ble-provisioning ahead of it needs 6 person-months (was 2)",
			"freeze-warning/firmware/slip":   "firmware capacity: ble-provisioning ahead of it needs 6 person-months (was 2); edge-anomaly ahead of it ships in FW 4 (was FW 3)",
		}},
		{"an effort ahead shrinks", [][2]string{{"effort: {engineering: 2, certifications: [bt-sig]}", "effort: {engineering: 1, certifications: [bt-sig]}"}}, map[string]string{
			"matter-bridge/firmware/pull-in":    "firmware capacity: ble-provisioning ahead of it needs 1 person-month (was 2); qr-pairing ahead of it ships in FW 2 (was FW 1)",
			"installer-dashboard/cloud/pull-in": "cloud capacity: qr-pairing ahead of it ships in Sprint 14 (was Sprint 10)",
		}},
		{"the releases shrink", [][2]string{{"    capacity: 3\n", "    capacity: 2\n"}}, map[string]string{
			"ota-delta/firmware/slip":  "firmware capacity: FW 1 has 2 person-months (was 3)",
			"qr-pairing/firmware/slip": "firmware capacity: FW 1 has 2 person-months (was 3); ota-delta ahead of it ships in FW 2 (was FW 1)",
		}},
		// lte-backup, now first, has its firmware work in FW 5 and FW 6
		// (held there by its hardware): it took nothing from a part that
		// now ships in FW 4, nor did freeze-warning's cloud part, shipped
		// in Sprint 20 either way, free anything for one now in Sprint 8
		{"the releases shrink and a late feature ranks first", [][2]string{{"    capacity: 3\n", "    capacity: 2\n"}, {"    reach: 15000\n", "    reach: 9000000\n"}}, map[string]string{
			"edge-anomaly/firmware/slip":        "firmware capacity: FW 3 has 2 person-months (was 3); ota-delta ahead of it ships in FW 2 (was FW 1); qr-pairing ahead of it ships in FW 2 (was FW 1) and 1 more",
			"installer-dashboard/cloud/pull-in": "cloud capacity: ota-delta ahead of it ships in Sprint 13 (was Sprint 8)",
			"voc-sensor/firmware/slip":          "firmware capacity: lte-backup now placed before it",
		}},
		{"a new dependency", [][2]string{{"    effort: {engineering: 2, certifications: [bt-sig]}", "    depends_on: [matter-bridge]\n    effort: {engineering: 2, certifications: [bt-sig]}"}}, map[string]string{
			"ble-provisioning/firmware/slip": "it now depends on matter-bridge",
			"matter-bridge/firmware/pull-in": "ble-provisioning now depends on it",
			"edge-anomaly/firmware/slip":     "firmware capacity: matter-bridge now placed before it",
		}},
		{"an effort, a certification and a dependency in one edit", [][2]string{{"    effort: {engineering: 2, certifications: [bt-sig]}", "    depends_on: [matter-bridge]\n    effort: {engineering: 3, certifications: [bt-sig, fcc-id]}"}}, map[string]string{
			"ble-provisioning/firmware/slip": "its firmware effort changed from 2 to 3 person-months; its firmware certifications changed (bt-sig → bt-sig, fcc-id); it now depends on matter-bridge",
		}},
		{"a dependency removed", [][2]string{{"    depends_on: [leak-history]\n", ""}}, map[string]string{
			"insurer-api/cloud/pull-in": "it no longer depends on leak-history",
		}},
		{"a listed release's date", [][2]string{{`{name: "Rev B", date: 2027-03-01`, `{name: "Rev B", date: 2027-05-03`}}, map[string]string{
			"ip67-enclosure/hardware/slip": "Rev B is dated 2027-05-03 (was 2027-03-01)",
		}},
		{"the roadmap's start", [][2]string{{"  start: 2027-01-04\n", "  start: 2027-02-01\n"}}, map[string]string{
			"adaptive-heartbeat/firmware/slip": "Hotfix 3 is dated 2027-06-01 (was 2027-05-04): the roadmap starts 2027-02-01 (was 2027-01-04)",
			"ip67-enclosure/hardware/slip":     "the roadmap starts 2027-02-01 (was 2027-01-04)",
		}},
		{"the cadence", [][2]string{{"every: 3mo ", "every: 2mo "}}, map[string]string{
			"edge-anomaly/firmware/pull-in":   "FW 3 is dated 2027-07-04 (was 2027-10-04): firmware releases every 2mo (was 3mo)",
			"freeze-warning/firmware/pull-in": "firmware releases every 2mo (was 3mo)",
			// the same date, now served by a release (a hotfix window
			// on a release's date is left out)
			"adaptive-heartbeat/firmware/moved": "firmware releases every 2mo (was 3mo)",
		}},
		// a dependency that now ships later and the track's cadence:
		// both are named (the dependency's date alone hid the cadence)
		{"a cadence that moves a dependency too", [][2]string{{"every: 2w ", "every: 3w "}}, map[string]string{
			"insurer-api/cloud/slip":  "its dependency leak-history's cloud part now ships 2027-02-15 (was 2027-02-01); cloud releases every 3w (was 2w)",
			"leak-history/cloud/slip": "Sprint 2 is dated 2027-02-15 (was 2027-02-01): cloud releases every 3w (was 2w)",
			"qr-pairing/cloud/slip":   "cloud releases every 3w (was 2w)",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := reasons(t, c.edits...)
			for k, want := range c.want {
				if got[k] != want {
					t.Errorf("%s: reason %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

// --max-chars fits the comment in GitHub's limit: each section keeps
// fewer rows and says how many it leaves out, every section stays closed,
// the summary line whole; a cap the summary alone exceeds is refused.
func TestDiffCommentFitsMaxChars(t *testing.T) {
	plan := gitRepo(t)
	features := filepath.Join(plan, "features.yaml")
	cmdtest.EditFile(t, features, "    capacity: 3\n", "    capacity: 1.5\n")
	cmdtest.EditFile(t, features, "    capacity: 1\n", "    capacity: 0.5\n")
	full, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	same, _, _ := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown", "--max-chars", "65536")
	if same != full {
		t.Errorf("a comment under the cap changed")
	}
	summary := strings.SplitN(full, "\n\n", 3)[1]
	for _, limit := range []int{len([]rune(full)) - 1, 4000, 2500} {
		got, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown", "--max-chars", strconv.Itoa(limit))
		if code != 0 {
			t.Fatalf("--max-chars %d: exit %d: %s", limit, code, stderr)
		}
		if n := len([]rune(got)); n > limit || !strings.Contains(got, "left out to fit GitHub's comment limit") ||
			strings.Count(got, "<details>") != strings.Count(got, "</details>") || !strings.Contains(got, summary) {
			t.Errorf("--max-chars %d: %d characters:\n%s", limit, n, got)
		}
	}
	_, stderr, code = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "markdown", "--max-chars", "100")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "characters with every section cut to its count") {
		t.Errorf("a cap below the summary: exit %d %s", code, stderr)
	}
}

// A pull request that mends planning files the base cannot load (or that
// a newer iotpm refuses) is not blocked by the diff: the base's errors are
// warnings, nothing is compared, and the head's gates are listed as
// added. A head that does not load still stops the diff (exit 2).
func TestDiffAgainstAnUnloadableBase(t *testing.T) {
	plan := gitRepo(t)
	features := filepath.Join(plan, "features.yaml")
	cmdtest.EditFile(t, features, "    confidence: 80%\n", "    confidence: 80\n")
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "an ambiguous confidence")
	cmdtest.EditFile(t, features, "    confidence: 80\n", "    confidence: 80%\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json", "--fail-on", "slip")
	if code != 0 || !strings.Contains(stderr, "HEAD:plan/features.yaml:43:17: warning: features[0].confidence: 80 is ambiguous") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary      string               `json:"summary"`
		BaseProblems int                  `json:"base_problems"`
		Gates        []diffcmd.GateChange `json:"gates"`
		Ranks        []diffcmd.RankChange `json:"ranks"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.BaseProblems != 1 || len(d.Ranks) != 0 || len(d.Gates) == 0 || d.Gates[0].Before != "" ||
		!strings.HasPrefix(d.Summary, "The base does not load (1 error in its planning files, shown as warnings), so nothing is compared") {
		t.Errorf("%+v", d)
	}
	// the other way round: the change breaks the files
	gitIn(t, filepath.Dir(plan), "commit", "-q", "-am", "mended")
	cmdtest.EditFile(t, features, "    confidence: 80%\n", "    confidence: 80\n")
	if _, stderr, code = cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "confidence: 80 is ambiguous") {
		t.Errorf("a head that does not load: exit %d %s", code, stderr)
	}
}

// A pull request that moves the metrics window (a better month picked)
// says so first: every metric gate after it measures another stretch of
// time.
func TestDiffMetricsWindow(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), "  month: 2026-10\n", "  month: 2026-07\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary string                `json:"summary"`
		Window  *diffcmd.WindowChange `json:"metrics_window"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Window == nil || *d.Window != (diffcmd.WindowChange{Before: "2026-10", After: "2026-07"}) || !strings.HasPrefix(d.Summary, "Metrics window 2026-10 → 2026-07; ") {
		t.Errorf("%+v %q", d.Window, d.Summary)
	}
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), "  month: 2026-07\n", "  month: 2026-10\n")
	if stdout, _, _ = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json"); strings.Contains(stdout, "metrics_window") {
		t.Errorf("an unchanged window is listed:\n%.300s", stdout)
	}
}

// A change to how iotpm.yaml reads a metrics input (its zone, path,
// format, mapping) changes figures with no change in the data: the
// summary names the input and the settings.
func TestDiffMetricsInputs(t *testing.T) {
	plan := gitRepo(t)
	cfg := filepath.Join(plan, "iotpm.yaml")
	cmdtest.EditFile(t, cfg, "tickets: {path: exports/tickets.csv, tz: UTC}", "tickets: {path: exports/tickets.csv, tz: Europe/Berlin}")
	cmdtest.EditFile(t, cfg, "    usage: exports/usage.csv\n", "")
	// the file's row order now decides same-instant events: named too
	// (order and snapshot were not compared)
	cmdtest.EditFile(t, cfg, "format: aws-iot-lifecycle}", "format: aws-iot-lifecycle, order: file}")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary string                `json:"summary"`
		Inputs  []diffcmd.InputChange `json:"metrics_inputs_changed"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	want := []diffcmd.InputChange{{Input: "events", Settings: []string{"order"}}, {Input: "tickets", Settings: []string{"tz"}}, {Input: "usage", Settings: []string{"removed"}}}
	if !reflect.DeepEqual(d.Inputs, want) || !strings.HasPrefix(d.Summary, "Metrics inputs changed in iotpm.yaml: events (order), tickets (tz), usage (removed)") {
		t.Errorf("%+v %q", d.Inputs, d.Summary)
	}
}

// A setting that changes a definition (metrics.dormant_after, models,
// onboarding.target…) is named; one that only moves lines is not.
func TestDiffMetricsSettings(t *testing.T) {
	plan := gitRepo(t)
	cfg := filepath.Join(plan, "iotpm.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, plan, "iotpm.yaml", "# moved down a line\n"+string(data))
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "main", "-C", plan)
	if code != 0 || !strings.Contains(stdout, "No change to ranks") {
		t.Fatalf("lines moved: exit %d %s%s", code, stdout, stderr)
	}
	cmdtest.EditFile(t, cfg, "dormant_after: 30d ", "dormant_after: 7d  ")
	cmdtest.EditFile(t, cfg, "models: {DL-200: drip-lora}", "models: {DL-200: drip-puck}")
	cmdtest.EditFile(t, cfg, "  target: 3m ", "  target: 5m ")
	stdout, stderr, code = cmdtest.Run(t, nil, "diff", "main", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary  string   `json:"summary"`
		Settings []string `json:"settings_changed"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Settings, []string{"metrics.dormant_after", "metrics.models", "onboarding.target"}) ||
		!strings.HasPrefix(d.Summary, "Settings changed in iotpm.yaml: metrics.dormant_after, metrics.models, onboarding.target") {
		t.Errorf("%v %q", d.Settings, d.Summary)
	}
}

// A warning both sides give is said once, by the head: the example's
// calendar run on 2027-05-01 has releases in the past on either side.
func TestDiffWarnsOnceOfWhatBothSidesWarn(t *testing.T) {
	plan := gitRepo(t)
	cmdtest.EditFile(t, filepath.Join(plan, "features.yaml"), "reach: 52000", "reach: 60000")
	later := map[string]string{"SOURCE_DATE_EPOCH": "1809129600"} // 2027-05-01
	_, stderr, code := cmdtest.Run(t, later, "diff", "main", "-C", plan)
	if n := strings.Count(stderr, "releases dated before today (2027-05-01) hold work"); code != 0 || n != 1 || strings.Contains(stderr, "main:") {
		t.Errorf("exit %d, the warning %d times:\n%s", code, n, stderr)
	}
}

// Without origin/HEAD the default base is main's merge-base, else
// master's (git init's branch before 2.28 and where init.defaultBranch is
// unset); a repository with neither says so instead of naming a main it
// does not have.
func TestDiffDefaultBase(t *testing.T) {
	plan := gitRepo(t)
	root := filepath.Dir(plan)
	gitIn(t, root, "branch", "-m", "main", "master")
	features := filepath.Join(plan, "features.yaml")
	cmdtest.EditFile(t, features, "    confidence: 80%\n", "    confidence: 50%\n")
	gitIn(t, root, "commit", "-q", "-am", "less confident")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "-C", plan, "-o", "json")
	var d struct {
		Ranks []diffcmd.RankChange `json:"ranks"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil || len(d.Ranks) == 0 {
		t.Fatalf("against master: exit %d: %s\n%s", code, stderr, stdout)
	}
	gitIn(t, root, "branch", "-m", "master", "trunk")
	_, stderr, code = cmdtest.Run(t, nil, "diff", "-C", plan)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "no origin/HEAD and no branch main or master; name the base: iotpm diff REV") {
		t.Errorf("neither: exit %d: %s", code, stderr)
	}
}

// An events input that is a directory of files (a Firehose delivery) is
// read from the base too: the files a change removes move the gates, and
// the base is not reported as unloadable (it was: the directory was not
// extracted, and the comment said the change "makes the planning repo
// load").
func TestDiffOfAnInputDirectory(t *testing.T) {
	plan := gitRepo(t)
	root := filepath.Dir(plan)
	gitIn(t, root, "checkout", "-q", "main")
	data, err := os.ReadFile(filepath.Join(plan, "exports/lifecycle.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	half := len(lines) / 2
	for name, rows := range map[string][]string{"a.csv": lines[1:half], "b.csv": lines[half:]} {
		if err := os.MkdirAll(filepath.Join(plan, "exports/life"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(plan, "exports/life", name), []byte(lines[0]+strings.Join(rows, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, root, "rm", "-q", "plan/exports/lifecycle.csv")
	cmdtest.EditFile(t, filepath.Join(plan, "iotpm.yaml"), "exports/lifecycle.csv", "exports/life")
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "events as a directory")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"summary": "No change`) {
		t.Fatalf("unchanged: exit %d %s\n%.400s", code, stderr, stdout)
	}
	if err := os.Remove(filepath.Join(plan, "exports/life/b.csv")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "diff", "HEAD", "-C", plan, "-o", "json")
	var d struct {
		BaseProblems int                  `json:"base_problems"`
		Gates        []diffcmd.GateChange `json:"gates"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil || code != 0 {
		t.Fatalf("exit %d %v %s", code, err, stderr)
	}
	i := slices.IndexFunc(d.Gates, func(g diffcmd.GateChange) bool { return g.Gate == "activation_rate" })
	if d.BaseProblems != 0 || i < 0 || d.Gates[i].Before == "" || d.Gates[i].Before == d.Gates[i].After {
		t.Errorf("%+v", d)
	}
}
