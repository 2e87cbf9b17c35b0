package metrics

import (
	"errors"
	"maps"
	"os"
	"slices"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// resolveModels sets the job's model values → modes from the repo's
// devices.yaml profiles (a value equal to a device id names it) and
// metrics.models (a value mapped to an id), so that a device's model says
// whether it is always connected or checks in. Without a devices input
// nothing is read: no device has a model.
func (j *Job) resolveModels(cfg *planfile.Config) error {
	if !j.has(planfile.KindDevices) || cfg == nil {
		return nil
	}
	var refs map[string]planfile.ProfileRef
	if cfg.Metrics != nil {
		refs = cfg.Metrics.Models
	}
	if _, err := os.Stat(cfg.Devices); errors.Is(err, os.ErrNotExist) && !cfg.DevicesExplicit {
		if len(refs) > 0 {
			var diags diag.List
			for _, v := range slices.Sorted(maps.Keys(refs)) {
				r := refs[v]
				diags.Errorf(diag.Plan, cfg.File, r.Pos.Line, r.Pos.Col, "metrics.models.%s: %s names a devices.yaml profile, and the repo has no devices.yaml", v, r.ID)
			}
			return &cmdutil.InvalidInputError{Diagnostics: diags}
		}
		return nil
	}
	fleet, diags := planfile.LoadDevices(cfg.Devices)
	if diags.HasErrors() {
		return &cmdutil.InvalidInputError{Diagnostics: diags}
	}
	modes := map[string]metrics.Mode{}
	var ids []string
	for _, d := range fleet.Devices {
		ids = append(ids, d.ID)
		modes[d.ID] = modeOf(fleet, d.ID)
	}
	var problems diag.List
	for _, v := range slices.Sorted(maps.Keys(refs)) {
		r := refs[v]
		if _, ok := fleet.Positions[r.ID]; !ok {
			problems.Errorf(diag.Plan, cfg.File, r.Pos.Line, r.Pos.Col, "metrics.models.%s: %q is no device of %s%s", v, r.ID, cfg.Devices, cmdutil.DidYouMean(r.ID, ids))
			continue
		}
		modes[v] = modeOf(fleet, r.ID)
	}
	if problems.HasErrors() {
		return &cmdutil.InvalidInputError{Diagnostics: problems}
	}
	j.models, j.profiles = modes, ids
	return nil
}

// modeOf is a devices.yaml profile's mode: its check-in schedule, or
// always connected.
func modeOf(fleet *planfile.Fleet, id string) metrics.Mode {
	ci, ok := fleet.Checkins[id]
	if !ok {
		return metrics.Mode{Profile: id}
	}
	return metrics.Mode{Profile: id, Every: int64(ci.Every * 1e6), Grace: ci.Grace}
}
