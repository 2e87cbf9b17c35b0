package planning

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// Health is the plan in one line, for a status update: the battery
// headroom of the worst device, the themes that will be late, the failing
// gates, the NRE of the quarter and the age of the fleet data. Each part is
// left out when the repo has nothing to compute it from.
type Health struct {
	// Battery is the device with the least headroom over its target.
	Battery *BatteryHeadroom `json:"battery,omitempty"`
	// LateThemes are the themes that complete after their due date, or
	// cannot complete (a part unscheduled); nil without a roadmap.
	LateThemes []string `json:"late_themes"`
	// LikelyLate are the themes the plan completes by their due date
	// that fewer than half the samples of its ranges do
	// (roadmap.LikelyLateBelow), with that share.
	LikelyLate []ThemeChance `json:"likely_late,omitempty"`
	// GatesFailing of Gates.
	GatesFailing int `json:"gates_failing"`
	Gates        int `json:"gates"`
	// Quarter is the calendar quarter of today, and NRE the roadmap's
	// tooling and certification cash booked in it (USD); NextNRE is the
	// first later quarter that books any, when there is one.
	Quarter string        `json:"quarter"`
	NRE     *float64      `json:"nre_usd,omitempty"`
	NextNRE *QuarterTotal `json:"next_nre,omitempty"`
	// DataAgeDays is the fleet data's age (iotpm help metrics-definitions:
	// data_age); nil without metrics.
	DataAgeDays *float64 `json:"data_age_days,omitempty"`
	// DataWindow is the metrics window ("2026-10", or its first and last
	// days), and DataWindowPast whether it ended before now: the age is
	// then counted at the window's end (the data may be weeks old and 0
	// days short of a closed month), so the line says whether the data
	// covers the window rather than how old it is.
	DataWindow     string `json:"data_window,omitempty"`
	DataWindowPast bool   `json:"data_window_past,omitempty"`
	// Placeholder lists the planning files that still hold iotpm init's
	// example figures (placeholder: true): the line says so first, as
	// every number and gate beside it is computed from them.
	Placeholder []string `json:"placeholder_files,omitempty"`
}

// BatteryHeadroom is a device's life against its target: the lower of
// today's life and its life once the plan has shipped.
type BatteryHeadroom struct {
	Device      string  `json:"device"`
	LifeYears   float64 `json:"life_years"`
	TargetYears float64 `json:"target_years"`
	// Headroom is life / target − 1: 0.17 is 17% above the target,
	// negative below it.
	Headroom float64 `json:"headroom"`
	// WithPlan is true when the life is the one with the plan shipped.
	WithPlan bool `json:"with_plan"`
}

// ThemeChance is a theme's chance to complete by its due date.
type ThemeChance struct {
	Theme  string  `json:"theme"`
	OnTime float64 `json:"on_time_chance"`
}

// QuarterTotal is the NRE of one quarter.
type QuarterTotal struct {
	Quarter string  `json:"quarter"`
	USD     float64 `json:"usd"`
}

// Health summarises the results and their gates as of now.
func (p *Results) Health(gates []gate.Gate, now time.Time) Health {
	h := Health{Gates: len(gates), Quarter: roadmap.Quarter(now)}
	for _, d := range p.Problems {
		if d.Kind == diag.Placeholder && !slices.Contains(h.Placeholder, filepath.Base(d.File)) {
			h.Placeholder = append(h.Placeholder, filepath.Base(d.File))
		}
	}
	slices.Sort(h.Placeholder)
	for _, g := range gates {
		if !g.Passed {
			h.GatesFailing++
		}
	}
	if p.Energy != nil {
		h.Battery = worstHeadroom(p.Energy)
	}
	if p.Plan != nil {
		h.LateThemes = []string{}
		for _, t := range p.Plan.Themes {
			if t.Late {
				h.LateThemes = append(h.LateThemes, t.ID)
			}
		}
		if sim := p.Simulation(); sim != nil {
			for _, t := range p.Plan.Themes {
				if o, ok := sim.Theme(t.ID); ok && roadmap.LikelyLate(t, o) {
					h.LikelyLate = append(h.LikelyLate, ThemeChance{Theme: t.ID, OnTime: o.OnTime})
				}
			}
		}
	}
	if p.Cash != nil {
		nre := 0.0
		for _, q := range p.Cash.Quarters {
			switch {
			case q.Quarter == h.Quarter:
				nre = q.USD()
			case q.Quarter > h.Quarter && h.NextNRE == nil && q.USD() > 0:
				h.NextNRE = &QuarterTotal{Quarter: q.Quarter, USD: q.USD()}
			}
		}
		h.NRE = &nre
	}
	if p.Metrics != nil {
		h.DataAgeDays = p.Metrics.DataAgeDays()
		// past by the run's own clock, the one its age was counted with
		h.DataWindow, h.DataWindowPast = p.Metrics.Report().Window.Label(), p.Metrics.AgeAtWindowEnd()
	}
	return h
}

// worstHeadroom is the device with a target whose life (today's or with
// the plan, the lower) is the smallest share of its target.
func worstHeadroom(e *Energy) *BatteryHeadroom {
	var worst *BatteryHeadroom
	for i, d := range e.Today {
		if d.Target <= 0 || i >= len(e.Results) {
			continue
		}
		life, withPlan := e.Results[i].Life, false
		for _, tl := range e.Timelines {
			if tl.Device == d.ID && tl.WithPlan().Life < life {
				life, withPlan = tl.WithPlan().Life, true
			}
		}
		h := BatteryHeadroom{Device: d.ID, LifeYears: life.Years(), TargetYears: d.Target.Years(), WithPlan: withPlan}
		h.Headroom = float64(life)/float64(d.Target) - 1
		if worst == nil || h.Headroom < worst.Headroom {
			worst = &h
		}
	}
	return worst
}

// Line is the health as one line: "plan health: battery drip-puck 3.5 y
// against 3 y (+17%) · no late theme · 0 of 21 gates failing · NRE 2026-Q4
// $0 (next 2027-Q1 $22,000) · data 0 days old".
func (h Health) Line() string {
	var parts []string
	if len(h.Placeholder) > 0 {
		parts = append(parts, "on placeholder figures ("+strings.Join(h.Placeholder, ", ")+")")
	}
	if b := h.Battery; b != nil {
		with := ""
		if b.WithPlan {
			with = " with plan"
		}
		parts = append(parts, fmt.Sprintf("battery %s %s y%s vs %s y target (%+.0f%%)", b.Device, render.Number(b.LifeYears, 1), with, render.Number(b.TargetYears, 1), math.Round(b.Headroom*100)))
	}
	switch {
	case h.LateThemes == nil:
	case len(h.LateThemes) == 0 && len(h.LikelyLate) == 0:
		parts = append(parts, "no late theme")
	case len(h.LateThemes) > 0:
		parts = append(parts, fmt.Sprintf("late: %s", strings.Join(h.LateThemes, ", ")))
	}
	if len(h.LikelyLate) > 0 {
		var likely []string
		for _, t := range h.LikelyLate {
			likely = append(likely, fmt.Sprintf("%s (%s on time)", t.Theme, render.Percent(t.OnTime, 0)))
		}
		parts = append(parts, "likely late: "+strings.Join(likely, ", "))
	}
	parts = append(parts, fmt.Sprintf("%d/%d gates failing", h.GatesFailing, h.Gates))
	if h.NRE != nil {
		nre := fmt.Sprintf("NRE %s %s", h.Quarter, money(*h.NRE))
		if h.NextNRE != nil {
			nre += fmt.Sprintf(" (next %s %s)", h.NextNRE.Quarter, money(h.NextNRE.USD))
		}
		parts = append(parts, nre)
	}
	switch {
	case h.DataAgeDays == nil:
	case !h.DataWindowPast:
		parts = append(parts, fmt.Sprintf("data %s days old", render.Number(*h.DataAgeDays, 1)))
	case *h.DataAgeDays == 0:
		parts = append(parts, "data covers "+h.DataWindow)
	default:
		parts = append(parts, fmt.Sprintf("data ends %s days before %s's end", render.Number(*h.DataAgeDays, 1), h.DataWindow))
	}
	return "plan health: " + strings.Join(parts, " · ")
}

// money is whole dollars; render.USD writes none as "-", a status line
// says $0.
func money(x float64) string {
	if math.Round(x) == 0 {
		return "$0"
	}
	return render.USD(x)
}
