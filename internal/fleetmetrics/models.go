package fleetmetrics

import (
	"errors"
	"maps"
	"os"
	"slices"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// ResolveModels sets the job's model values → modes from the repo's
// devices.yaml profiles (a value equal to a device id names it) and
// metrics.models (a value mapped to an id), so that a device's model says
// whether it is always connected or checks in. fleet is devices.yaml when
// the caller loaded it already (nil: it is loaded here, and its problems
// returned). Without a devices input nothing is read: no device has a
// model. It returns the problems, positioned.
func (j *Job) ResolveModels(cfg *planfile.Config, fleet *planfile.Fleet) diag.List {
	if !j.Has(planfile.KindDevices) || cfg == nil {
		return nil
	}
	var refs map[string]planfile.ProfileRef
	if cfg.Metrics != nil {
		refs = cfg.Metrics.Models
	}
	var problems diag.List
	if fleet == nil {
		if _, err := os.Stat(cfg.Devices); errors.Is(err, os.ErrNotExist) && !cfg.DevicesExplicit {
			for _, v := range slices.Sorted(maps.Keys(refs)) {
				r := refs[v]
				problems.Errorf(diag.Plan, cfg.File, r.Pos.Line, r.Pos.Col, "metrics.models.%s: %s names a devices.yaml profile, and the repo has no devices.yaml", v, r.ID)
			}
			return problems
		}
		fleet, problems = planfile.LoadDevices(cfg.Devices)
		if problems.HasErrors() {
			return problems
		}
	}
	modes := map[string]metrics.Mode{}
	var ids []string
	for _, d := range fleet.Devices {
		ids = append(ids, d.ID)
		modes[d.ID] = modeOf(fleet, d.ID)
	}
	for _, v := range slices.Sorted(maps.Keys(refs)) {
		r := refs[v]
		if _, ok := fleet.Positions[r.ID]; !ok {
			problems.Errorf(diag.Plan, cfg.File, r.Pos.Line, r.Pos.Col, "metrics.models.%s: %q is no device of %s%s", v, r.ID, cfg.Devices, planfile.DidYouMeanText(r.ID, ids))
			continue
		}
		modes[v] = modeOf(fleet, r.ID)
	}
	j.models, j.profiles = modes, ids
	return problems
}

// Profiles are devices.yaml's device ids, once ResolveModels has run (nil
// without devices.yaml).
func (j *Job) Profiles() []string {
	if j == nil {
		return nil
	}
	return j.profiles
}

// modeOf is a devices.yaml profile's mode: its check-in schedule, or
// always connected.
func modeOf(fleet *planfile.Fleet, id string) metrics.Mode {
	ci, ok := fleet.Checkins[id]
	if !ok {
		return metrics.Mode{Profile: id, NoOTA: fleet.NoOTA[id]}
	}
	return metrics.Mode{Profile: id, Every: int64(ci.Every * 1e6), Grace: ci.Grace, NoOTA: fleet.NoOTA[id]}
}
