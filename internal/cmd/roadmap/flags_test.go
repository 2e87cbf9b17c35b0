package roadmap

import (
	"slices"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

func Test_NewCmdRoadmap(t *testing.T) {
	tests := []struct {
		args    string
		want    RoadmapOptions
		wantErr string
	}{
		{args: "", want: RoadmapOptions{}},
		{args: "plan/features.yaml --theme fast-setup", want: RoadmapOptions{File: "plan/features.yaml", Theme: "fast-setup"}},
		{args: "--track hardware,cloud --track firmware --capacity", want: RoadmapOptions{Tracks: []string{"hardware", "cloud", "firmware"}, Capacity: true}},
		{args: "--explain lte-backup", want: RoadmapOptions{Explain: "lte-backup"}},
		{args: "--track radio", wantErr: `invalid --track "radio"`},
		{args: "a.yaml b.yaml", wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *RoadmapOptions
			cmd := NewCmdRoadmap(flagtest.Factory(), func(o *RoadmapOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			if got.File != tt.want.File || got.Theme != tt.want.Theme || got.Explain != tt.want.Explain ||
				got.Capacity != tt.want.Capacity || !slices.Equal(got.Tracks, tt.want.Tracks) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
