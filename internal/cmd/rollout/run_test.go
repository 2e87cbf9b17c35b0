package rollout

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// rolloutRun on stubbed options, without the command tree: iotpm.yaml's
// rollout, a version and start the options give, and a start that is no
// date.
func Test_rolloutRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	type doc struct {
		Version string `json:"version"`
		Start   string `json:"start"`
		Devices int    `json:"devices"`
	}
	run := func(opts RolloutOptions) (doc, error) {
		f, stdout, stderr := flagtest.RunFactory(example, "json", nil)
		opts.Factory = f
		err := rolloutRun(&opts)
		var d doc
		if err == nil {
			if jerr := json.Unmarshal(stdout.Bytes(), &d); jerr != nil {
				t.Fatalf("%v: %.300s %s", jerr, stdout, stderr)
			}
		}
		return d, err
	}
	base, err := run(RolloutOptions{})
	if err != nil || base.Devices == 0 || base.Version == "" {
		t.Fatalf("iotpm.yaml's rollout: err %v, %+v", err, base)
	}
	other, err := run(RolloutOptions{Version: "9.9.9", Start: "2026-11-15"})
	if err != nil || other.Version != "9.9.9" || other.Start[:10] != "2026-11-15" || other.Devices != base.Devices {
		t.Errorf("with a version and a start: err %v, %+v (iotpm.yaml's: %+v)", err, other, base)
	}
	var usage *failure.UsageError
	if _, err := run(RolloutOptions{Start: "15/11/2026"}); !errors.As(err, &usage) {
		t.Errorf("a start that is no date: err %v, want a usage error", err)
	}
}
