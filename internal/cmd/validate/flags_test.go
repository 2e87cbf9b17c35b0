package validate

import (
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

func Test_NewCmdValidate(t *testing.T) {
	for _, tt := range []struct {
		args string
		want []string
	}{
		{"", nil},
		{"features.yaml", []string{"features.yaml"}},
		{"features.yaml devices-lab.yaml iotpm.yaml", []string{"features.yaml", "devices-lab.yaml", "iotpm.yaml"}},
	} {
		t.Run(tt.args, func(t *testing.T) {
			ios, _, _ := iostreams.Test()
			var got *ValidateOptions
			cmd := NewCmdValidate(&cmdutil.Factory{IO: ios}, func(o *ValidateOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Files, tt.want) {
				t.Errorf("files %q, want %q", got.Files, tt.want)
			}
		})
	}
}
