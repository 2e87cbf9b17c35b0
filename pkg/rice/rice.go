// Package rice scores and ranks a backlog of connected-product features with
// RICE (Reach × Impact × Confidence / Effort, Intercom 2016), where Effort
// counts what a hardware feature really costs: engineering person-months plus
// tooling cash and certification fees converted at a loaded cost per
// person-month, plus the team time a certification campaign takes.
//
// The package is pure: typed values in, typed results out. Loading files,
// positions and printing live elsewhere.
package rice

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Track is one of the three delivery tracks of a connected product.
type Track string

// The tracks, in the order a feature's parts ship: the hardware must exist
// before the firmware that drives it, and the firmware before the cloud.
const (
	Hardware Track = "hardware"
	Firmware Track = "firmware"
	Cloud    Track = "cloud"
)

// Tracks lists every track in shipping order.
var Tracks = []Track{Hardware, Firmware, Cloud}

// Kano is a feature's Kano class.
type Kano string

// The Kano classes iotpm knows.
const (
	Basic       Kano = "basic"
	Performance Kano = "performance"
	Delighter   Kano = "delighter"
)

// Impact is Intercom's multiple-choice impact scale.
var Impact = map[string]float64{
	"massive": 3,
	"high":    2,
	"medium":  1,
	"low":     0.5,
	"minimal": 0.25,
}

// ImpactName returns the scale's word for v, or "" when v is not on the scale.
func ImpactName(v float64) string {
	for name, x := range Impact {
		if x == v {
			return name
		}
	}
	return ""
}

// EffortModel converts cash and certification calendar time into
// person-months so they can sit in RICE's denominator.
type EffortModel struct {
	// CostPerPersonMonth is the fully loaded cost of one person-month (USD).
	CostPerPersonMonth float64
	// CertEffortPerWeek is the team time (person-months) one calendar week of
	// certification consumes: sample prep, lab support, fixes, paperwork.
	CertEffortPerWeek float64
}

// DefaultEffortModel is used where a planning repo sets no effort_model.
// $18,000 per person-month is a $150k salary × 1.42 burden (BLS ECEC, June
// 2025: benefits are 29.8% of compensation) / 12; 0.1 person-months per week
// is one engineer spending about a day a week on a campaign.
func DefaultEffortModel() EffortModel {
	return EffortModel{CostPerPersonMonth: 18000, CertEffortPerWeek: 0.1}
}

// Part is the share of a feature delivered on one track.
type Part struct {
	Track          Track
	Engineering    float64  // person-months
	ToolingUSD     float64  // moulds, fixtures, PCB re-spins
	Certifications []string // catalog ids
	// LeadTimeDays is an explicit calendar lead time before the part can
	// ship (mould tooling, say); the roadmap also waits for certifications.
	LeadTimeDays int
	// ComponentLeadDays is the lead time of long-lead components ordered
	// when the part is ready (a cellular module, a custom cell): it runs
	// in parallel with the work, so the part ships no earlier than ready
	// plus it, whatever the work and its lead time after.
	ComponentLeadDays int
	// EngineeringRange, LeadTimeRange and ComponentLeadRange (days), when
	// the plan gives ranges: Engineering, LeadTimeDays and
	// ComponentLeadDays are then their most likely values; a simulation
	// samples them.
	EngineeringRange   *Range
	LeadTimeRange      *Range
	ComponentLeadRange *Range
}

// Theme is an outcome that features contribute to.
type Theme struct {
	ID      string
	Outcome string
	Due     time.Time // zero: no due date
}

// Feature is one backlog item. Reach is in whatever unit per period the team
// chose; Impact is on Intercom's scale; Confidence is a fraction in [0, 1].
type Feature struct {
	ID         string
	Title      string
	Theme      string
	Kano       Kano
	Reach      float64
	Impact     float64
	Confidence float64
	Parts      []Part
	DependsOn  []string
	// Hotfix makes the firmware part eligible for hotfix windows as well
	// as releases.
	Hotfix bool
	// Due is when the feature is promised; zero: no due date.
	Due time.Time
}

// Tracks returns the tracks the feature has parts on, in shipping order.
func (f Feature) Tracks() []Track {
	var out []Track
	for _, t := range Tracks {
		if slices.ContainsFunc(f.Parts, func(p Part) bool { return p.Track == t }) {
			out = append(out, t)
		}
	}
	return out
}

// Certifications returns the distinct certification ids of all parts, in
// first-mention order.
func (f Feature) Certifications() []string {
	var out []string
	for _, p := range f.Parts {
		for _, c := range p.Certifications {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Effort is a feature's effort broken down by cause. The person-month fields
// add up to Total; the USD and week fields are the raw inputs behind them.
type Effort struct {
	Engineering        float64
	Tooling            float64
	Certification      float64
	Total              float64
	ToolingUSD         float64
	CertificationUSD   float64
	CertificationWeeks float64
}

// EffortOf computes a feature's effort. A certification named by several parts
// counts once: one campaign covers the product. Unknown certification ids are
// an error.
func (m EffortModel) EffortOf(f Feature, catalog Catalog) (Effort, error) {
	if m.CostPerPersonMonth <= 0 {
		return Effort{}, fmt.Errorf("cost per person-month must be positive, got %g", m.CostPerPersonMonth)
	}
	var e Effort
	for _, p := range f.Parts {
		e.Engineering += p.Engineering
		e.ToolingUSD += p.ToolingUSD
	}
	for _, id := range f.Certifications() {
		c, ok := catalog[id]
		if !ok {
			return Effort{}, fmt.Errorf("feature %s: unknown certification %q", f.ID, id)
		}
		e.CertificationUSD += c.FeeUSD
		e.CertificationWeeks += c.Weeks
	}
	e.Tooling = e.ToolingUSD / m.CostPerPersonMonth
	e.Certification = e.CertificationUSD/m.CostPerPersonMonth + e.CertificationWeeks*m.CertEffortPerWeek
	e.Total = e.Engineering + e.Tooling + e.Certification
	return e, nil
}

// Scored is a feature with its effort, RICE score and rank (1 = best).
type Scored struct {
	Feature
	Effort Effort
	Score  float64
	Rank   int
}

// Rank scores every feature and orders them best first. Ties on score go to
// higher confidence, then lower effort, then id, so the order is total and
// the same on every run. A feature whose effort is not positive is an error.
func Rank(features []Feature, m EffortModel, catalog Catalog) ([]Scored, error) {
	out := make([]Scored, 0, len(features))
	for _, f := range features {
		e, err := m.EffortOf(f, catalog)
		if err != nil {
			return nil, err
		}
		if !(e.Total > 0) {
			return nil, fmt.Errorf("feature %s: total effort must be greater than 0", f.ID)
		}
		score := f.Reach * f.Impact * f.Confidence / e.Total
		if math.IsInf(score, 0) || math.IsNaN(score) {
			return nil, fmt.Errorf("feature %s: score is not a finite number", f.ID)
		}
		out = append(out, Scored{Feature: f, Effort: e, Score: score})
	}
	slices.SortFunc(out, compareScored)
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

func compareScored(a, b Scored) int {
	return cmp.Or(
		cmp.Compare(b.Score, a.Score),
		cmp.Compare(b.Confidence, a.Confidence),
		cmp.Compare(a.Effort.Total, b.Effort.Total),
		strings.Compare(a.ID, b.ID),
	)
}

// DependencyCycles returns each cycle in the features' depends_on graph once,
// as the ids along it with the first repeated at the end (a → b → a).
// Dependencies on unknown ids are ignored here; the loader reports them.
func DependencyCycles(features []Feature) [][]string {
	deps := make(map[string][]string, len(features))
	for _, f := range features {
		deps[f.ID] = f.DependsOn
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var cycles [][]string
	var visit func(id string)
	visit = func(id string) {
		state[id] = onStack
		stack = append(stack, id)
		for _, dep := range deps[id] {
			if _, known := deps[dep]; !known {
				continue
			}
			switch state[dep] {
			case unvisited:
				visit(dep)
			case onStack:
				start := slices.Index(stack, dep)
				cycle := append(slices.Clone(stack[start:]), dep)
				cycles = append(cycles, cycle)
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
	}
	for _, f := range features {
		if state[f.ID] == unvisited {
			visit(f.ID)
		}
	}
	return cycles
}
