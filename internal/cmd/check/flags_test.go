package check

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

func Test_NewCmdCheck(t *testing.T) {
	tests := []struct {
		args    string
		want    CheckOptions
		wantErr string
	}{
		{args: "", want: CheckOptions{Annotations: "auto"}},
		{args: "--annotations always --summary s.md --junit gates.xml", want: CheckOptions{Annotations: "always", Summary: "s.md", JUnit: "gates.xml"}},
		{args: "--annotations never", want: CheckOptions{Annotations: "never"}},
		{args: "--annotations github", wantErr: `--annotations "github": use auto, always or never`},
		{args: "features.yaml", wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			ios, _, _ := iostreams.Test()
			var got *CheckOptions
			cmd := NewCmdCheck(&cmdutil.Factory{IO: ios}, func(o *CheckOptions) error { got = o; return nil })
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
			if got.Annotations != tt.want.Annotations || got.Summary != tt.want.Summary || got.JUnit != tt.want.JUnit {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
