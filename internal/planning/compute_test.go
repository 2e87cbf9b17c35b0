package planning

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/runenv"
)

// The use case runs with no command: the example repo computes from its
// iotpm.yaml and an Env alone, every part it declares is there, and the
// gates come out the same twice (nothing depends on state left behind).
func TestComputeWithoutACommand(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "leak-sensor")
	env := runenv.Env{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
	compute := func() *Results {
		cfg, diags := planfile.LoadConfigWith(dir, export.CheckFormats)
		p := Compute(env, cfg, diags)
		if p.Err != nil || p.Problems.HasErrors() {
			t.Fatalf("err %v, problems %v", p.Err, p.Problems.Errors())
		}
		return p
	}
	p := compute()
	if len(p.Ranked) != len(p.Backlog.Features) || len(p.Ranked) == 0 {
		t.Errorf("%d ranked of %d features", len(p.Ranked), len(p.Backlog.Features))
	}
	for name, missing := range map[string]bool{"plan": p.Plan == nil, "metrics": p.Metrics == nil, "energy": p.Energy == nil, "kano": p.Kano == nil, "economics": p.Economics == nil} {
		if missing {
			t.Errorf("no %s from the example repo", name)
		}
	}
	if a, b := p.Gates(), compute().Gates(); len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("gates differ between two runs (or none):\n%+v\n%+v", a, b)
	}
}

// A repo with problems computes nothing past them, and says where.
func TestComputeStopsAtProblems(t *testing.T) {
	dir := t.TempDir()
	cfg, diags := planfile.LoadConfigWith(dir, export.CheckFormats)
	diags.Errorf("schema", filepath.Join(dir, "iotpm.yaml"), 3, 1, "a problem")
	p := Compute(runenv.Env{}, cfg, diags)
	if !p.Problems.HasErrors() || p.Ranked != nil || p.Metrics != nil {
		t.Errorf("computed past a problem: %d ranked, metrics %v, problems %v", len(p.Ranked), p.Metrics, p.Problems)
	}
}
