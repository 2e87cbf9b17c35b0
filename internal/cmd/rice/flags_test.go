package rice

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

func Test_NewCmdRice(t *testing.T) {
	tests := []struct {
		args string
		want RiceOptions
	}{
		{"", RiceOptions{}},
		{"x.yaml --top 3 --theme t", RiceOptions{File: "x.yaml", Top: 3, Theme: "t"}},
		{"--track hardware,cloud --track firmware", RiceOptions{Tracks: []string{"hardware", "cloud", "firmware"}}},
		{"--baseline old.yaml --list-certifications", RiceOptions{Baseline: "old.yaml", ListCertifications: true}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *RiceOptions
			cmd := NewCmdRice(flagtest.Factory(), func(o *RiceOptions) error { got = o; return nil })
			flagtest.Parse(t, cmd, tt.args, "")
			if got.File != tt.want.File || got.Top != tt.want.Top || got.Theme != tt.want.Theme ||
				got.Baseline != tt.want.Baseline || got.ListCertifications != tt.want.ListCertifications ||
				strings.Join(got.Tracks, ",") != strings.Join(tt.want.Tracks, ",") {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
