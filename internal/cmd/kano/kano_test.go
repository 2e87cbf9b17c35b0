package kano_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/survey"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

func TestKanoGolden(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"kano", "-C", cmdtest.ExampleRepo}},
		{"markdown.golden", []string{"kano", "-C", cmdtest.ExampleRepo, "-o", "markdown"}},
		{"insurer.golden", []string{"kano", "-C", cmdtest.ExampleRepo, "--segment", "insurer"}},
		{"mermaid.golden", []string{"kano", "-C", cmdtest.ExampleRepo, "-o", "mermaid"}},
	})
}

// The example survey: matter-bridge is labelled delighter and the survey
// says indifferent, significantly; the gate kano: labels_match fails on it.
func TestKanoLabelsMatchGate(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "kano", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var a struct {
		Disagree  []survey.Mismatch `json:"label_disagreements"`
		NotInPlan []string          `json:"survey_features_not_in_backlog"`
		Features  []survey.FeatureRow
	}
	json.Unmarshal([]byte(stdout), &a)
	if len(a.Disagree) != 1 || a.Disagree[0].Feature != "matter-bridge" || a.Disagree[0].Category != "I" || len(a.NotInPlan) != 1 {
		t.Errorf("%+v", a)
	}
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "roadmap: no_unscheduled_basic", "roadmap: no_unscheduled_basic\n  kano: labels_match")
	_, stderr, code = cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "kano.labels_match is 1, not = 0 labels the survey disagrees with") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// kano: survey takes the label from the survey: ota-delta is must-be,
	// so basic, and the roadmap's basic-first rule follows the customers
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "    survey: delta-ota\n    theme: five-year-battery\n    kano: basic\n", "    survey: delta-ota\n    theme: five-year-battery\n    kano: survey\n")
	stdout, stderr, code = cmdtest.Run(t, nil, "rice", "-C", dir, "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"id": "ota-delta"`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		Features []struct {
			ID   string `json:"id"`
			Kano string `json:"kano"`
		} `json:"features"`
	}
	json.Unmarshal([]byte(stdout), &r)
	for _, f := range r.Features {
		if f.ID == "ota-delta" && f.Kano != "basic" {
			t.Errorf("ota-delta kano %q, want basic from the survey", f.Kano)
		}
	}
}

func TestKanoBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte("respondent,feature,functional,dysfunctional\nr1,a,I like it,maybe\n"), 0o644)
	_, stderr, code := cmdtest.Run(t, nil, "kano", "s.csv", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, `s.csv:2: feature a: unknown dysfunctional answer "maybe"`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "name the survey") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "kano", "-C", cmdtest.ExampleRepo, "--segment", "insurers"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, `no segment "insurers" in the survey; did you mean "insurer"?`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// kano: survey never guesses: a mixed or indifferent survey result leaves the
// feature unlabelled and says so, on the feature's line.
func TestKanoSurveyLabelInconclusiveWarns(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "    title: Leak event history and CSV export\n    kano: performance\n", "    title: Leak event history and CSV export\n    kano: survey\n")
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "    theme: fast-setup\n    kano: delighter\n", "    theme: fast-setup\n    kano: survey\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"feature leak-history: kano: survey, but the survey's result is mixed (O/M); it is unlabelled",
		"feature matter-bridge: kano: survey, but customers find it indifferent (I); it is unlabelled",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var r struct {
		Features []struct {
			ID   string `json:"id"`
			Kano string `json:"kano"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Features {
		if (f.ID == "leak-history" || f.ID == "matter-bridge") && f.Kano != "" {
			t.Errorf("%s kano %q, want unlabelled", f.ID, f.Kano)
		}
	}
}

// A bare survey (no backlog) names its features as the survey does, in
// every format; a survey column named after a backlog id whose survey:
// alias names something else says so, not "did you mean" the same word.
func TestKanoSurveyNames(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(cmdtest.ExampleRepo, "survey", "kano.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, dir, "kano.csv", string(data))
	stdout, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir, "kano.csv", "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"feature": "automatic-shut-off"`) || strings.Contains(stdout, `"feature": ""`) {
		t.Errorf("bare survey JSON: exit %d %s\n%s", code, stderr, stdout)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "kano", "-C", dir, "kano.csv", "-o", "markdown")
	if strings.Contains(stdout, "\n    : [") || !strings.Contains(stdout, "automatic-shut-off: [") {
		t.Errorf("mermaid points without names:\n%s", stdout)
	}

	repo := cmdtest.CopyExample(t)
	survey := filepath.Join(repo, "survey", "kano.csv")
	cmdtest.EditFile(t, survey, "Automatic shut-off - functional", "Auto shutoff valve - functional")
	cmdtest.EditFile(t, survey, "Automatic shut-off - dysfunctional", "Auto shutoff valve - dysfunctional")
	stdout, stderr, _ = cmdtest.Run(t, nil, "kano", "-C", repo, "-o", "json")
	if !strings.Contains(stdout, `the backlog's auto-shutoff-valve has survey: \"automatic-shut-off\"`) || strings.Contains(stdout, `did you mean \"auto-shutoff-valve\"`) {
		t.Errorf("alias mismatch:\n%s\n%s", stdout, stderr)
	}
}

// Answers written as numbers run one way or the other, depending on the
// survey tool: the example's survey numbered 1 = I like it classifies as
// its words do (with a warning that says how the numbers were read);
// numbered the other way it is refused (most pairs come out reverse)
// until numbers: says which, and with dislike-first it classifies as the
// words do again, in the command and in check.
func TestKanoNumberedAnswers(t *testing.T) {
	words := map[string]string{"I like it": "1", "I expect it": "2", "I am neutral": "3", "I can tolerate it": "4", "I dislike it": "5"}
	data, err := os.ReadFile(filepath.Join(cmdtest.ExampleRepo, "survey", "kano.csv"))
	if err != nil {
		t.Fatal(err)
	}
	numbered := func(reverse bool) string {
		s := string(data)
		for w, n := range words {
			if reverse {
				n = string('6' - rune(n[0]) + '0')
			}
			s = strings.ReplaceAll(s, ","+w, ","+n)
		}
		if strings.Contains(s, ",I ") {
			t.Fatal("a worded answer left")
		}
		return s
	}
	// the analysis without the survey's path and the run's warnings
	withoutPath := func(out string) string {
		var a map[string]any
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			return "not JSON: " + out
		}
		delete(a, "survey")
		delete(a, "problems")
		b, _ := json.Marshal(a)
		return string(b)
	}
	out, stderr, code := cmdtest.Run(t, nil, "kano", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := withoutPath(out)
	dir := cmdtest.CopyExample(t)
	cmdtest.WriteFile(t, dir, "survey/like-first.csv", numbered(false))
	cmdtest.WriteFile(t, dir, "survey/dislike-first.csv", numbered(true))
	run := func(args ...string) (string, string, int) {
		out, stderr, code := cmdtest.Run(t, nil, append([]string{"kano", "-C", dir, "-o", "json"}, args...)...)
		return withoutPath(out), stderr, code
	}
	stdout, stderr, code := run("survey/like-first.csv")
	if code != 0 || stdout != want ||
		!strings.Contains(stderr, "like-first.csv:2: warning: 288 pairs of answers are written as numbers, read 1 = I like it … 5 = I dislike it") {
		t.Errorf("like-first, undeclared: exit %d\n%s", code, stderr)
	}
	// the JSON carries that warning too: a dashboard fed the categories
	// keeps the word that they rest on reading the numbers like-first
	out, _, _ = cmdtest.Run(t, nil, "kano", "-C", dir, "-o", "json", "survey/like-first.csv")
	if got := cmdtest.Problems(t, out); len(got) != 1 || got[0] != strings.TrimSpace(stderr) {
		t.Errorf("like-first, undeclared: problems %q, stderr %q", got, stderr)
	}
	if stdout, stderr, code = run("survey/like-first.csv", "--numbers", "like-first"); code != 0 || stderr != "" || stdout != want {
		t.Errorf("like-first, declared: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code = run("survey/dislike-first.csv")
	if code != cmdutil.ExitInvalid || stdout != "not JSON: " || !strings.Contains(stderr, "dislike-first.csv:2: 202 of 286 classified pairs come out reverse (R)") ||
		!strings.Contains(stderr, "set kano: {numbers: dislike-first} in iotpm.yaml (or --numbers dislike-first)") {
		t.Errorf("dislike-first, undeclared: exit %d\n%s", code, stderr)
	}
	if stdout, stderr, code = run("survey/dislike-first.csv", "--numbers", "dislike-first"); code != 0 || stderr != "" || stdout != want {
		t.Errorf("dislike-first, declared: exit %d\n%s", code, stderr)
	}
	// or iotpm.yaml says it
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "survey: survey/kano.csv", "survey: survey/dislike-first.csv, numbers: dislike-first")
	if stdout, stderr, code = run(); code != 0 || stderr != "" || stdout != want {
		t.Errorf("numbers: dislike-first in iotpm.yaml: exit %d\n%s", code, stderr)
	}
}

// A bad row max_bad_rows tolerates is left out with a warning at its line,
// on stderr and among the JSON's problems: respondent R002's row cut to
// four fields takes one answer from each of the seven features R002
// answered (not the battery forecast, left blank) — it was left out
// without a word.
func TestKanoBadRowsTolerated(t *testing.T) {
	count := func(out string) map[string]int {
		var a survey.Analysis
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		n := map[string]int{}
		for _, r := range a.Features {
			n[r.Feature] = r.Answers
		}
		return n
	}
	out, stderr, code := cmdtest.Run(t, nil, "kano", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	all := count(out)
	dir := cmdtest.CopyExample(t)
	data, err := os.ReadFile(filepath.Join(dir, "survey", "kano.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if !strings.HasPrefix(lines[2], "R002,") {
		t.Fatalf("line 3 is not R002's: %q", lines[2])
	}
	lines[2] = "R002,homeowner,2026-10-02 10:01:00,I like it\n"
	cmdtest.WriteFile(t, dir, "survey/kano.csv", strings.Join(lines, ""))
	if _, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "kano.csv:3: has 4 fields; the header has 19") {
		t.Errorf("without max_bad_rows: exit %d\n%s", code, stderr)
	}
	out, stderr, code = cmdtest.Run(t, nil, "kano", "-C", dir, "-o", "json", "--max-bad-rows", "1")
	const warning = "kano.csv:3: warning: has 4 fields; the header has 19; the row is left out, its answers in no count (bad rows: 1, max_bad_rows: 1)"
	if code != 0 || !strings.Contains(stderr, warning) {
		t.Fatalf("--max-bad-rows 1: exit %d\n%s", code, stderr)
	}
	if got, want := cmdtest.Problems(t, out), cmdtest.Warnings(stderr); !slices.Equal(got, want) {
		t.Errorf("problems %q, want stderr's warnings %q", got, want)
	}
	fewer := 0
	for feature, n := range count(out) {
		switch d := all[feature] - n; {
		case feature == "low-battery-forecast" && d != 0, d != 0 && d != 1:
			t.Errorf("%s: %d answers, %d with R002", feature, n, all[feature])
		case d == 1:
			fewer++
		}
	}
	if fewer != 7 {
		t.Errorf("%d features lost R002's answer, want 7", fewer)
	}
}

// A Google Forms export heads each column with its question: kano.questions
// in iotpm.yaml maps them; a value that is no question is refused at its
// position, as is a question naming no column.
func TestKanoQuestionsMapped(t *testing.T) {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "forms.csv", "Timestamp,Would you like QR pairing?,Would you mind no QR pairing?\n"+
		"2026/10/01 10:00:00 AM GMT+1,I like it that way,I dislike it that way\n"+ // O
		"2026/10/01 10:05:00 AM GMT+1,It must be that way,I dislike it that way\n"+ // M
		"2026/10/01 10:06:00 AM GMT+1,It must be that way,I dislike it that way\n") // M
	config := func(functional, dysfunctional string) {
		cmdtest.WriteFile(t, dir, "iotpm.yaml", "kano:\n  survey: forms.csv\n  min_answers: 1\n  questions:\n"+
			"    \"Would you like QR pairing?\": "+functional+"\n    \"Would you mind no QR pairing?\": "+dysfunctional+"\n")
	}
	config("qr-pairing.functional", "qr-pairing.dysfunctional")
	stdout, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir, "-o", "csv")
	if code != 0 || !strings.Contains(stdout, "\nqr-pairing,M/O (mixed),") || !strings.Contains(stdout, ",3,0,1,2,0,0,0,") {
		t.Errorf("exit %d %s\n%s", code, stderr, stdout)
	}
	config("qr-pairing.functional", "qr-pairing.disfunctional")
	if _, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir); code != cmdutil.ExitInvalid ||
		!strings.Contains(stderr, `iotpm.yaml:6:38: kano.questions.Would you mind no QR pairing?: "qr-pairing.disfunctional" is not FEATURE.functional or FEATURE.dysfunctional`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "\"Would you mind no QR pairing?\": qr-pairing.disfunctional", "\"Would you mind no QR-pairing?\": qr-pairing.dysfunctional")
	if _, stderr, code := cmdtest.Run(t, nil, "kano", "-C", dir); code != cmdutil.ExitInvalid ||
		!strings.Contains(stderr, `iotpm.yaml:6: kano.questions: "Would you mind no QR-pairing?" is no column of `) || !strings.Contains(stderr, `did you mean "Would you mind no QR pairing?"?`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
