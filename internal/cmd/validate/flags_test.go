package validate

import (
	"slices"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
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
			var got *ValidateOptions
			cmd := NewCmdValidate(flagtest.Factory(), func(o *ValidateOptions) error { got = o; return nil })
			flagtest.Parse(t, cmd, tt.args, "")
			if !slices.Equal(got.Files, tt.want) {
				t.Errorf("files %q, want %q", got.Files, tt.want)
			}
		})
	}
}
