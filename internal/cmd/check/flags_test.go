package check

import (
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
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
			var got *CheckOptions
			cmd := NewCmdCheck(flagtest.Factory(), func(o *CheckOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			if got.Annotations != tt.want.Annotations || got.Summary != tt.want.Summary || got.JUnit != tt.want.JUnit {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
