package planfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MeasureKind is how a measured metric's limit is written: a rate (">=
// 95%"), a count (">= 150") or a duration ("<= 3m").
type MeasureKind int

// The kinds of limit.
const (
	MeasureRate MeasureKind = iota
	MeasureCount
	MeasureDuration
)

// MeasuredMetrics are the fleet metrics a theme's measure: may name, with
// the kind of their limit (the names of iotpm metrics' JSON and of gates:).
var MeasuredMetrics = map[string]MeasureKind{
	"connectivity_uptime":      MeasureRate,
	"activation_rate":          MeasureRate,
	"ota_success_rate":         MeasureRate,
	"firmware_on_target":       MeasureRate,
	"monthly_active_devices":   MeasureCount,
	"onboarding.completion":    MeasureRate,
	"onboarding.within_target": MeasureRate,
	"onboarding.p90":           MeasureDuration,
}

// ThemeMeasure is a theme's outcome as a condition on a fleet metric,
// "onboarding.within_target >= 95%": check reports the theme as met or
// not from the data.
type ThemeMeasure struct {
	Metric string
	Kind   MeasureKind
	// Threshold is the limit of a rate or a count; Duration of a duration.
	Threshold Threshold
	Duration  AgeThreshold
	Text      string
	Pos       Pos
}

var measureRE = regexp.MustCompile(`^\s*([a-z_.0-9]+)\s*((?:>=|>|<=|<).*)$`)

// UnmarshalNode implements NodeUnmarshaler.
func (m *ThemeMeasure) UnmarshalNode(n *yaml.Node) error {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range MeasuredMetrics {
			if !yield(k) {
				return
			}
		}
	})
	g := measureRE.FindStringSubmatch(n.Value)
	if g == nil {
		return fmt.Errorf("%s is not a measure; write METRIC OP LIMIT, e.g. \"onboarding.within_target >= 95%%\" (metrics: %s)", clipValue(fmt.Sprintf("%q", n.Value)), strings.Join(names, ", "))
	}
	kind, ok := MeasuredMetrics[g[1]]
	if !ok {
		return fmt.Errorf("%q is not a metric a theme can be measured by; use one of %s%s", g[1], strings.Join(names, ", "), didYouMean(g[1], names))
	}
	limit := &yaml.Node{Kind: yaml.ScalarNode, Value: g[2], Line: n.Line, Column: n.Column}
	*m = ThemeMeasure{Metric: g[1], Kind: kind, Text: strings.TrimSpace(n.Value), Pos: Pos{Line: n.Line, Col: n.Column}}
	switch kind {
	case MeasureRate:
		var t RateThreshold
		if err := t.UnmarshalNode(limit); err != nil {
			return fmt.Errorf("measure %s: %v", g[1], err)
		}
		m.Threshold = t.Threshold
	case MeasureCount:
		if err := m.Threshold.UnmarshalNode(limit); err != nil {
			return fmt.Errorf("measure %s: %v", g[1], err)
		}
		if m.Threshold.Percent {
			return fmt.Errorf("measure %s: %s is a count, not a share: write e.g. \">= 150\"", g[1], g[1])
		}
	case MeasureDuration:
		if err := m.Duration.UnmarshalNode(limit); err != nil {
			return fmt.Errorf("measure %s: %v", g[1], err)
		}
	}
	return nil
}

// Holds reports whether a measured value (a duration in seconds) meets
// the measure.
func (m ThemeMeasure) Holds(v float64) bool {
	if m.Kind == MeasureDuration {
		return m.Duration.Holds(v)
	}
	return m.Threshold.Holds(v)
}

// JSONSchema describes a measure.
func (*ThemeMeasure) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "description": `a condition on a fleet metric, e.g. "onboarding.within_target >= 95%"`,
		"pattern": `^\s*[a-z_.0-9]+\s*(>=|>|<=|<)`}
}
