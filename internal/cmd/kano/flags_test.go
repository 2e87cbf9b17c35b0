package kano

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/survey"
)

func Test_NewCmdKano(t *testing.T) {
	tests := []struct {
		args    string
		want    KanoOptions
		set     []string // flags the run must see as set by the user
		wantErr string
	}{
		{args: "", want: KanoOptions{MinAnswers: survey.DefaultMinAnswers}},
		{args: "survey.csv --segment insurer", want: KanoOptions{Survey: "survey.csv", Segment: "insurer", MinAnswers: survey.DefaultMinAnswers}, set: []string{"segment"}},
		{args: "--min-answers 5 --max-bad-rows 2", want: KanoOptions{MinAnswers: 5, MaxBadRows: 2}, set: []string{"min-answers", "max-bad-rows"}},
		{args: "--min-answers lots", wantErr: `invalid argument "lots"`},
		{args: "a.csv b.csv", wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *KanoOptions
			cmd := NewCmdKano(flagtest.Factory(), func(o *KanoOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			if got.Survey != tt.want.Survey || got.Segment != tt.want.Segment || got.MinAnswers != tt.want.MinAnswers || got.MaxBadRows != tt.want.MaxBadRows {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
			for _, name := range tt.set {
				if !got.set(name) {
					t.Errorf("--%s not seen as set", name)
				}
			}
			if !strings.Contains(tt.args, "--min-answers") && got.set("min-answers") {
				t.Error("--min-answers seen as set when only defaulted")
			}
		})
	}
}
