package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
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
			ios, _, _ := iostreams.Test()
			var got *DiffOptions
			cmd := NewCmdDiff(&cmdutil.Factory{IO: ios}, func(o *DiffOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Base != tt.want.Base || got.BaseDir != tt.want.BaseDir || !slices.Equal(got.FailOn, tt.want.FailOn) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
