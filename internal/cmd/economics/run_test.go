package economics

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// economicsRun on stubbed options, without the command tree: every model
// or one, and a model that is not there.
func Test_economicsRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	for _, tc := range []struct {
		name   string
		opts   EconomicsOptions
		models []string
		usage  bool
	}{
		{name: "every model", models: []string{"drip-lora", "drip-puck", "drip-valve"}},
		{name: "one model", opts: EconomicsOptions{Device: "drip-valve"}, models: []string{"drip-valve"}},
		{name: "a model that is not there", opts: EconomicsOptions{Device: "drip-vlave"}, usage: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, stdout, stderr := flagtest.RunFactory(example, "json", nil)
			opts := tc.opts
			opts.Factory = f
			err := economicsRun(&opts)
			if tc.usage {
				var usage *failure.UsageError
				if !errors.As(err, &usage) || stdout.Len() != 0 {
					t.Fatalf("err = %v, stdout %d bytes; want a usage error and nothing written", err, stdout.Len())
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v; stderr %s", err, stderr)
			}
			var doc struct {
				Models []struct {
					ID string `json:"id"`
				} `json:"models"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range doc.Models {
				ids = append(ids, m.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.models, ",") {
				t.Errorf("models %v, want %v", ids, tc.models)
			}
		})
	}
}
