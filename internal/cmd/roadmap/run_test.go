package roadmap

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// roadmapRun on stubbed options, without the command tree: the plan, one
// track, a what-if without a feature, and an unknown theme.
func Test_roadmapRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	type doc struct {
		Items []struct {
			Feature string `json:"feature"`
			Track   string `json:"track"`
		} `json:"items"`
	}
	run := func(t *testing.T, opts RoadmapOptions) (doc, string, error) {
		f, stdout, stderr := flagtest.RunFactory(example, "json", nil)
		opts.Factory = f
		err := roadmapRun(&opts)
		var d doc
		if err == nil {
			if jerr := json.Unmarshal(stdout.Bytes(), &d); jerr != nil && opts.Without == nil {
				t.Fatalf("%v: %.300s", jerr, stdout)
			}
		}
		return d, stdout.String() + stderr.String(), err
	}
	all, _, err := run(t, RoadmapOptions{})
	if err != nil || len(all.Items) == 0 {
		t.Fatalf("err %v, %d items", err, len(all.Items))
	}
	hw, _, err := run(t, RoadmapOptions{Tracks: []string{"hardware"}})
	if err != nil || len(hw.Items) == 0 || len(hw.Items) >= len(all.Items) {
		t.Fatalf("hardware: err %v, %d of %d items", err, len(hw.Items), len(all.Items))
	}
	for _, it := range hw.Items {
		if it.Track != "hardware" {
			t.Errorf("--track hardware shows %s on %s", it.Feature, it.Track)
		}
	}
	if _, out, err := run(t, RoadmapOptions{Without: []string{all.Items[0].Feature}}); err != nil || out == "" {
		t.Errorf("what-if without %s: err %v, %q", all.Items[0].Feature, err, out)
	}
	var usage *failure.UsageError
	if _, _, err := run(t, RoadmapOptions{Theme: "no-such-theme"}); !errors.As(err, &usage) {
		t.Errorf("unknown theme: err %v, want a usage error", err)
	}
}
