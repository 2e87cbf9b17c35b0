package diff

import (
	"slices"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

func Test_NewCmdDiff(t *testing.T) {
	tests := []struct {
		args    string
		want    DiffOptions
		wantErr string
	}{
		{args: "", want: DiffOptions{}},
		{args: "origin/main", want: DiffOptions{Base: "origin/main"}},
		{args: "--base-dir ../plan-v1 --fail-on slip --fail-on new-failing-gate", want: DiffOptions{BaseDir: "../plan-v1", FailOn: []string{"slip", "new-failing-gate"}}},
		{args: "main --base-dir ../plan-v1", wantErr: "give BASE or --base-dir, not both"},
		{args: "--fail-on slips", wantErr: `--fail-on "slips": use slip, new-failing-gate, unscheduled-basic, theme-late`},
		{args: "a b", wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *DiffOptions
			cmd := NewCmdDiff(flagtest.Factory(), func(o *DiffOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			if got.Base != tt.want.Base || got.BaseDir != tt.want.BaseDir || !slices.Equal(got.FailOn, tt.want.FailOn) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
