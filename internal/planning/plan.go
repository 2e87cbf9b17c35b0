package planning

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/runenv"
	"github.com/iotpm/iotpm/internal/survey"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Results is everything iotpm computes over a planning repo.
type Results struct {
	// Err is why computing stopped short (an interruption); the rest is
	// then partial and must not be shown.
	Err     error
	Config  *planfile.Config
	Backlog *planfile.Backlog
	Ranked  []rice.Scored
	Plan    *roadmap.Plan
	Fleet   *planfile.Fleet
	Battery []energy.Result // today, in the order of fleetDevices
	Energy  *Energy
	Kano    *survey.Analysis // when iotpm.yaml names a survey
	Metrics *fleetmetrics.Outcome
	// Economics is the unit economics, when the repo has economics.yaml.
	Economics *Economics
	// MetricsJob is the metrics job iotpm.yaml describes (nil: none).
	MetricsJob *fleetmetrics.Job
	// Rollout is the forecast of iotpm.yaml's rollout: (nil: none, or
	// RolloutErr says why it could not be made).
	Rollout    *Rollout
	RolloutErr error
	Problems   diag.List // every problem in every input, positioned
	// Cash is the plan's NRE (roadmap.CashOf), booked once for the
	// health line, economics' nre: plan, the report and diff; nil
	// without a plan.
	Cash *roadmap.Cash

	sim      *roadmap.Simulation // Simulation's, once made
	simulate bool                // Simulation was called
}

// Simulation is the plan's simulation (roadmap.DefaultSamples, seed 1)
// when its due dates rest on ranges (roadmap.DueDatesUncertain), made
// once for the gates, the plan's health and the report; nil otherwise.
func (p *Results) Simulation() *roadmap.Simulation {
	if p.simulate || p.Plan == nil || p.Backlog == nil || p.Backlog.Calendar == nil {
		return p.sim
	}
	p.simulate = true
	in := roadmap.Input{Ranked: p.Ranked, Calendar: *p.Backlog.Calendar, Catalog: p.Backlog.Catalog, Themes: p.Backlog.Themes}
	if !roadmap.DueDatesUncertain(in) {
		return nil
	}
	if sim, err := roadmap.Simulate(in, roadmap.DefaultSamples, 1); err == nil {
		p.sim = &sim
	}
	return p.sim
}

// Compute loads every planning file the config names and computes what
// it can: cfg and its problems are iotpm.yaml's, as loaded
// (planfile.LoadConfigWith). With problems, nothing is computed.
func Compute(env runenv.Env, cfg *planfile.Config, problems diag.List) *Results {
	return ComputeWith(env, cfg, problems, nil)
}

// ComputeWith is Compute with a rollout's settings in place of iotpm.yaml's
// rollout: (iotpm rollout's flags); nil: the file's.
func ComputeWith(env runenv.Env, cfg *planfile.Config, problems diag.List, rollout *RolloutSettings) *Results {
	p := &Results{}
	p.Problems = append(p.Problems, problems...)
	if cfg == nil {
		return p
	}
	p.Config = cfg
	var d diag.List
	if rollout == nil && cfg.Rollout != nil {
		rollout, d = RolloutSettingsOf(cfg)
		p.Problems = append(p.Problems, d...)
	}
	// a missing survey is reported with the rest in this pass, not after
	// the other files are fixed
	surveyMissing := false
	if k := cfg.Kano; k != nil {
		if _, err := os.Stat(k.Survey); errors.Is(err, os.ErrNotExist) {
			written, rerr := filepath.Rel(cfg.Root, k.Survey)
			if rerr != nil {
				written = k.Survey
			}
			p.Problems.Errorf(diag.File, cfg.File, k.Pos.Line, k.Pos.Col, "kano.survey: %q: %s", written, planfile.NoSuchFile(k.Survey))
			surveyMissing = true
		}
	}
	p.Backlog, d = LoadBacklog(cfg, cfg.Features)
	p.Problems = append(p.Problems, d...)
	fleetRead := true
	if _, err := os.Stat(cfg.Devices); err == nil || cfg.DevicesExplicit {
		p.Fleet, d = planfile.LoadDevices(cfg.Devices)
		p.Problems = append(p.Problems, d...)
		fleetRead = !d.HasErrors()
	}
	job, err := fleetmetrics.JobFromConfig(cfg)
	var invalid *failure.InvalidInputError
	if errors.As(err, &invalid) && len(invalid.Diagnostics) > 0 {
		p.Problems = append(p.Problems, invalid.Diagnostics...)
	} else if err != nil {
		p.Problems.Errorf(diag.Schema, cfg.File, 0, 0, "%v", err)
	} else if job != nil && !job.HasWindow() {
		// iotpm metrics takes --month; check, report and diff read the
		// window from iotpm.yaml only
		p.Problems.Errorf(diag.Schema, cfg.File, cfg.Metrics.Pos.Line, cfg.Metrics.Pos.Col,
			"metrics: no window for the metrics of its inputs: add month: YYYY-MM (or from: and to:)")
	} else if job != nil {
		p.MetricsJob = job
		if rollout != nil {
			job.SetFleetLookback(rollout.LookbackDays)
		}
		// devices.yaml was loaded above: with problems (reported, and
		// they fail the run) the models stay unresolved, and the inputs
		// are still read so that one run shows every problem
		if _, err := os.Stat(cfg.Devices); p.Fleet != nil || err != nil && !cfg.DevicesExplicit {
			p.Problems = append(p.Problems, job.ResolveModels(cfg, p.Fleet)...)
		} else {
			job.ProfilesUnread()
		}
		if p.Metrics, err = fleetmetrics.RunJob(env, job); err != nil {
			p.Err = err
			return p
		}
		p.Problems = append(p.Problems, p.Metrics.Problems...)
	}
	if p.Problems.HasErrors() {
		// nothing is computed, but economics.yaml and the models the
		// economics gate names are checked in this pass too
		p.Problems = append(p.Problems, economicsFileProblems(cfg, p.Fleet, fleetRead)...)
		return p
	}
	if p.Ranked, err = rice.Rank(p.Backlog.Features, p.Backlog.Model, p.Backlog.Catalog); err != nil {
		p.Problems.Errorf(diag.Plan, cfg.Features, 0, 0, "%v", err)
		return p
	}
	if p.Backlog.Calendar != nil {
		plan := roadmap.Schedule(roadmap.Input{Ranked: p.Ranked, Calendar: *p.Backlog.Calendar, Catalog: p.Backlog.Catalog, Themes: p.Backlog.Themes})
		p.Plan = &plan
		cash := roadmap.CashOf(plan, p.Ranked, p.Backlog.Catalog)
		p.Cash = &cash
		p.Problems = append(p.Problems, CashWarnings(cash, p.Backlog)...)
		p.Problems = append(p.Problems, PastReleases(p.Plan, p.Backlog, env.Clock())...)
	}
	if cfg.Kano != nil && !surveyMissing {
		var d diag.List
		p.Kano, d = survey.Analyze(*cfg.Kano, p.Backlog, "")
		p.Problems = append(p.Problems, d...)
	}
	if p.Fleet != nil {
		ep, d := PlanEnergy(p.Fleet, p.Backlog, p.Plan)
		p.Problems = append(p.Problems, d...)
		if ep != nil {
			p.Energy, p.Battery = ep, ep.Results
		}
	}
	if !p.Problems.HasErrors() {
		var d diag.List
		p.Economics, d = PlanEconomics(p)
		p.Problems = append(p.Problems, d...)
	}
	if !p.Problems.HasErrors() && rollout != nil {
		p.Rollout, p.RolloutErr = PlanRollout(p, rollout, env.Clock())
		if p.Rollout != nil {
			var pos planfile.Pos
			if cfg.Rollout != nil {
				pos = cfg.Rollout.Pos
			}
			for _, w := range p.Rollout.Warnings {
				if slices.Contains(p.Rollout.Settings.Flags, w.Setting) {
					// the flag gave it: iotpm.yaml's line would point at
					// a value the run did not use
					p.Problems.Warnf(diag.Plan, "--"+w.Setting, 0, 0, "%s", w.Text)
					continue
				}
				p.Problems.Warnf(diag.Plan, cfg.File, pos.Line, pos.Col, "%s", w.Text)
			}
		}
	}
	return p
}

// FleetDevices are the devices as they are today (shipped behaviour), in
// the order of p.battery.
func (p *Results) FleetDevices() []energy.Device {
	if p.Energy == nil {
		return nil
	}
	return p.Energy.Today
}

// LoadBacklog loads a features file with its kano: survey labels resolved
// from the survey cfg (iotpm.yaml; nil: none) names: the backlog every
// command ranks.
func LoadBacklog(cfg *planfile.Config, path string) (*planfile.Backlog, diag.List) {
	backlog, diags := planfile.LoadFeatures(path)
	return backlog, append(diags, survey.ResolveLabels(cfg, backlog)...)
}
