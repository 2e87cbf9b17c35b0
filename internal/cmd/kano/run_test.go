package kano

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/survey"
)

// kanoRun on stubbed options, without the command tree: the survey
// iotpm.yaml names or the one given, a segment, and the errors.
func Test_kanoRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	unset := func(string) bool { return false }
	answers := map[string]int{} // the first case's (every respondent) by feature
	for _, tc := range []struct {
		name      string
		opts      KanoOptions
		wantErr   bool
		usage     bool
		segment   string
		minFeat   int
		stderrHas string
	}{
		{name: "iotpm.yaml's survey", opts: KanoOptions{MinAnswers: survey.DefaultMinAnswers}, minFeat: 5},
		{name: "one segment", opts: KanoOptions{Segment: "homeowner", MinAnswers: survey.DefaultMinAnswers}, segment: "homeowner", minFeat: 5},
		{name: "a segment the survey does not have", opts: KanoOptions{Segment: "homeownr", MinAnswers: survey.DefaultMinAnswers}, wantErr: true, stderrHas: `did you mean "homeowner"`},
		{name: "a survey that is not there", opts: KanoOptions{Survey: "nope.csv", MinAnswers: survey.DefaultMinAnswers}, wantErr: true, stderrHas: "nope.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, stdout, stderr := flagtest.RunFactory(example, "json", nil)
			opts := tc.opts
			opts.Factory, opts.set = f, unset
			err := kanoRun(&opts)
			if tc.wantErr {
				var invalid *failure.InvalidInputError
				if !errors.As(err, &invalid) || stdout.Len() != 0 || !strings.Contains(stderr.String(), tc.stderrHas) {
					t.Fatalf("err = %v, stdout %d bytes, stderr %q (want %q)", err, stdout.Len(), stderr, tc.stderrHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v; stderr %s", err, stderr)
			}
			var a survey.Analysis
			if err := json.Unmarshal(stdout.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			if a.Segment != tc.segment || len(a.Features) < tc.minFeat {
				t.Errorf("segment %q, %d features; want %q, at least %d", a.Segment, len(a.Features), tc.segment, tc.minFeat)
			}
			// one segment's answers are fewer than everyone's, for
			// some feature, and never more
			fewer := false
			for _, r := range a.Features {
				if tc.segment == "" {
					answers[r.Feature] = r.Answers
					continue
				}
				if r.Answers > answers[r.Feature] {
					t.Errorf("%s: %d answers in segment %s, %d in all", r.Feature, r.Answers, tc.segment, answers[r.Feature])
				}
				fewer = fewer || r.Answers < answers[r.Feature]
			}
			if tc.segment != "" && !fewer {
				t.Errorf("segment %s has as many answers as everyone: not filtered", tc.segment)
			}
		})
	}
}
