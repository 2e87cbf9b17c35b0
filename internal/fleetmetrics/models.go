package fleetmetrics

import (
	"errors"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// ResolveModels sets the job's model values → modes from the repo's
// devices.yaml profiles (a value equal to a device id names it) and
// metrics.models (a value mapped to an id), so that a device's model says
// whether it is always connected or checks in. fleet is devices.yaml when
// the caller loaded it already (nil: it is loaded here, and its problems
// returned). Without a devices input no device has a model value: every
// device is then what metrics.unmodelled names, and without that
// devices.yaml is read only to check the names iotpm.yaml gives models
// (CheckModelNames). It returns the problems, positioned.
func (j *Job) ResolveModels(cfg *planfile.Config, fleet *planfile.Fleet) diag.List {
	if cfg == nil || !j.Has(planfile.KindDevices) && !namesModels(cfg) {
		return nil
	}
	var refs map[string]planfile.ProfileRef
	if cfg.Metrics != nil {
		refs = cfg.Metrics.Models
	}
	var problems diag.List
	if fleet == nil {
		if _, err := os.Stat(cfg.Devices); errors.Is(err, os.ErrNotExist) && !cfg.DevicesExplicit {
			return CheckModelNames(cfg, nil)
		}
		fleet, problems = planfile.LoadDevices(cfg.Devices)
		if problems.HasErrors() {
			return problems
		}
	}
	if !j.Has(planfile.KindDevices) && j.unmodelled == "" {
		return append(problems, CheckModelNames(cfg, fleet)...)
	}
	modes, profile := map[string]metrics.Mode{}, map[string]string{}
	var ids []string
	for _, d := range fleet.Profiles() {
		ids = append(ids, d.ID)
		modes[d.ID], profile[d.ID] = modeOf(fleet, d.ID), d.ID
	}
	for _, v := range slices.Sorted(maps.Keys(refs)) {
		if r := refs[v]; slices.Contains(ids, r.ID) {
			modes[v], profile[v] = modeOf(fleet, r.ID), r.ID
		}
	}
	j.models, j.profiles, j.modelProfile = modes, ids, profile
	j.checkins, j.devicesFile = fleet.Checkins, fleet.File
	j.checkinSends = map[string]bool{}
	for id, ci := range fleet.Checkins {
		d, _ := fleet.Profile(id)
		for _, e := range d.Events {
			if e.Name == ci.Event && ci.Event != "" {
				j.checkinSends[id], _ = e.Sends()
			}
		}
	}
	return append(problems, CheckModelNames(cfg, fleet)...)
}

// CheckModelNames reports, at its position, each devices.yaml device that
// iotpm.yaml names and devices.yaml (fleet) lacks: the profile a
// metrics.models value maps to, and each model of
// gates.activation_rate.models and gates.ota_success_rate.models. A typo
// there is a mistake in the file, found before anything is computed (and
// by iotpm validate), not a gate that fails later. A nil fleet is a repo
// without devices.yaml: every such name is then a problem.
func CheckModelNames(cfg *planfile.Config, fleet *planfile.Fleet) diag.List {
	if cfg == nil {
		return nil
	}
	var ids []string
	if fleet != nil {
		for _, d := range fleet.Profiles() {
			ids = append(ids, d.ID)
		}
	}
	var problems diag.List
	missing := func(pos planfile.Pos, key, id string) {
		if fleet == nil {
			problems.Errorf(diag.Plan, cfg.File, pos.Line, pos.Col, "%s: %s names a devices.yaml profile, and the repo has no devices.yaml", key, id)
			return
		}
		problems.Errorf(diag.Plan, cfg.File, pos.Line, pos.Col, "%s: %q is no device of %s%s", key, id, fleet.File, planfile.DidYouMeanText(id, ids))
	}
	if cfg.Metrics != nil {
		if u := cfg.Metrics.Unmodelled; u != nil && u.Profile != "" && !slices.Contains(ids, u.Profile) {
			missing(u.Pos, "metrics.unmodelled", u.Profile)
		}
		for _, v := range slices.Sorted(maps.Keys(cfg.Metrics.Models)) {
			if r := cfg.Metrics.Models[v]; !slices.Contains(ids, r.ID) {
				missing(r.Pos, "metrics.models."+v, r.ID)
			}
		}
	}
	for _, g := range []struct {
		name  string
		gates *planfile.ModelRateGates
	}{{"activation_rate", cfg.Gates.ActivationRate}, {"ota_success_rate", cfg.Gates.OTASuccessRate}} {
		if g.gates == nil {
			continue
		}
		for _, id := range slices.Sorted(maps.Keys(g.gates.Models)) {
			if !slices.Contains(ids, id) {
				missing(g.gates.Models[id].Pos, "gates."+g.name+".models", id)
			}
		}
	}
	return problems
}

// namesModels reports whether iotpm.yaml names devices.yaml models: in
// metrics.models or under a rate gate's models.
func namesModels(cfg *planfile.Config) bool {
	g := cfg.Gates
	return cfg.Metrics != nil && (len(cfg.Metrics.Models) > 0 || cfg.Metrics.Unmodelled != nil && cfg.Metrics.Unmodelled.Profile != "") ||
		g.ActivationRate != nil && len(g.ActivationRate.Models) > 0 || g.OTASuccessRate != nil && len(g.OTASuccessRate.Models) > 0
}

// ProfilesUnread says devices.yaml exists but has problems of its own
// (reported with the run's): the devices' model values stay unresolved,
// and the run does not tell the user to add profiles it may well have.
func (j *Job) ProfilesUnread() { j.profilesUnread = true }

// checkinProfiles are the devices.yaml ids of the profiles that check in
// (sleep by design), sorted.
func (j *Job) checkinProfiles() []string {
	var out []string
	for _, id := range j.profiles {
		if m, ok := j.models[id]; ok && m.Every > 0 {
			out = append(out, id)
		}
	}
	return out
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

// caseOnlyModel finds an unknown model value that a value the job names
// (a metrics.models key or a profile id) matches but for letter case:
// the value, the name it differs from, and that name's profile.
func (j *Job) caseOnlyModel(unknown []string) (value, named, profile string, ok bool) {
	names := slices.Sorted(maps.Keys(j.modelProfile))
	for _, v := range unknown {
		for _, k := range names {
			if strings.EqualFold(v, k) {
				return v, k, j.modelProfile[k], true
			}
		}
	}
	return "", "", "", false
}
