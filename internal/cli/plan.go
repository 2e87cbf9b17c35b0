package cli

import (
	"errors"
	"os"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// planResults is everything iotpm computes over a planning repo.
type planResults struct {
	// err is why computing stopped short (an interruption); the rest is
	// then partial and must not be shown.
	err      error
	cfg      *planfile.Config
	backlog  *planfile.Backlog
	ranked   []rice.Scored
	plan     *roadmap.Plan
	fleet    *planfile.Fleet
	battery  []energy.Result // today, in the order of fleetDevices
	energy   *energyPlan
	kano     *kanoAnalysis // when iotpm.yaml names a survey
	metrics  *metricsOutcome
	problems diag.List // every problem in every input, positioned
}

// computePlan loads every planning file the config names and computes
// what it can. With problems, nothing is computed.
func computePlan(f *cmdutil.Factory) *planResults {
	p := &planResults{}
	cfg, diags := f.Config()
	p.problems = append(p.problems, diags...)
	if cfg == nil {
		return p
	}
	p.cfg = cfg
	var d diag.List
	p.backlog, d = planfile.LoadFeatures(cfg.Features)
	p.problems = append(p.problems, d...)
	p.problems = append(p.problems, resolveSurveyKano(f, p.backlog)...)
	if _, err := os.Stat(cfg.Devices); err == nil || cfg.DevicesExplicit {
		p.fleet, d = planfile.LoadDevices(cfg.Devices)
		p.problems = append(p.problems, d...)
	}
	job, err := jobFromConfig(cfg)
	var invalid *cmdutil.InvalidInputError
	if errors.As(err, &invalid) && len(invalid.Diagnostics) > 0 {
		p.problems = append(p.problems, invalid.Diagnostics...)
	} else if err != nil {
		p.problems.Errorf(diag.Schema, cfg.File, 0, 0, "%v", err)
	} else if job != nil {
		if p.metrics, err = runMetricsJob(f, job); err != nil {
			p.err = err
			return p
		}
		p.problems = append(p.problems, p.metrics.problems...)
	}
	if p.problems.HasErrors() {
		return p
	}
	if p.ranked, err = rice.Rank(p.backlog.Features, p.backlog.Model, p.backlog.Catalog); err != nil {
		p.problems.Errorf(diag.Plan, cfg.Features, 0, 0, "%v", err)
		return p
	}
	if p.backlog.Calendar != nil {
		plan := roadmap.Schedule(roadmap.Input{Ranked: p.ranked, Calendar: *p.backlog.Calendar, Catalog: p.backlog.Catalog, Themes: p.backlog.Themes})
		p.plan = &plan
	}
	if cfg.Kano != nil {
		minAnswers := defaultMinAnswers
		if cfg.Kano.MinAnswers > 0 {
			minAnswers = cfg.Kano.MinAnswers
		}
		var d diag.List
		p.kano, d = analyzeSurvey(cfg.Kano.Survey, cfg.Kano.Questions, p.backlog, "", minAnswers, cfg.Kano.MaxBadRows)
		p.problems = append(p.problems, d...)
	}
	if p.fleet != nil {
		ep, d := planEnergy(p.fleet, p.backlog, p.plan)
		p.problems = append(p.problems, d...)
		if ep != nil {
			p.energy, p.battery = ep, ep.results
		}
	}
	return p
}

// fleetDevices are the devices as they are today (shipped behaviour), in
// the order of p.battery.
func (p *planResults) fleetDevices() []energy.Device {
	if p.energy == nil {
		return nil
	}
	return p.energy.today
}
