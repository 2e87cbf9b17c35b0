package planfile

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/pkg/energy"
	"go.yaml.in/yaml/v3"
)

// Interval is an event's period, or "never": a variant with every: never
// retires the event it replaces when its feature ships.
type Interval struct {
	Seconds float64
	Never   bool
}

// UnmarshalNode implements NodeUnmarshaler.
func (i *Interval) UnmarshalNode(n *yaml.Node) error {
	if strings.TrimSpace(n.Value) == "never" {
		*i = Interval{Never: true}
		return nil
	}
	var d Duration
	err := setScalar(&d, n, quantity.Duration)
	*i = Interval{Seconds: float64(d)}
	return err
}

// JSONSchema describes an interval.
func (*Interval) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		pattern(quantity.Duration.Pattern(), "a duration with its unit, e.g. 15m"),
		map[string]any{"const": "never", "description": "with replaces: the variant retires the event"},
	}}
}

// BudgetValue is a feature's energy budget: a current ("2uA"), a share of
// the device's drain ("15%") or a life cost ("0.5y").
type BudgetValue struct{ energy.Budget }

// UnmarshalNode implements NodeUnmarshaler.
func (b *BudgetValue) UnmarshalNode(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if strings.HasSuffix(s, "%") {
		v, err := ParseFraction(s)
		if err != nil {
			return err
		}
		b.Kind, b.Value = energy.BudgetShare, v
		return nil
	}
	if a, err := quantity.Current.Parse(s); err == nil {
		if a < 0 {
			return fmt.Errorf("%s: a budget cannot be negative", s)
		}
		b.Kind, b.Value = energy.BudgetCurrent, a
		return nil
	}
	if d, err := quantity.Duration.Parse(s); err == nil {
		if d < 0 {
			return fmt.Errorf("%s: a budget cannot be negative", s)
		}
		if msg := LifeProblem(d); msg != "" {
			return fmt.Errorf("life cost %s (a smaller budget is a current, e.g. 0.1uA)", msg)
		}
		b.Kind, b.Value = energy.BudgetLife, d/3600
		return nil
	}
	return fmt.Errorf("%s is not a budget; write a current (2uA), a share of the drain (15%%) or a life cost (0.5y)", clipValue(s))
}

// JSONSchema describes a budget.
func (*BudgetValue) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		pattern(quantity.Current.Pattern(), "a current, e.g. 2uA"),
		pattern(percentRE, "a share of the average current, e.g. 15%"),
		pattern(quantity.Duration.Pattern(), "a life cost, e.g. 0.5y"),
	}}
}

// LinkPlan ties devices.yaml to features.yaml: an event whose feature:
// names a backlog feature is planned energy, in the device once that
// feature ships. It checks the link with positions: a variant must ship with
// a backlog feature; a feature: that looks like a typo of a backlog id is
// an error (one that names none is shipped behaviour, such as
// connectivity). It sets fleet.Planned.
func LinkPlan(fleet *Fleet, backlog *Backlog) diag.List {
	var diags diag.List
	if fleet == nil {
		return nil
	}
	ids := map[string]bool{}
	var idList []string
	if backlog != nil {
		for _, f := range backlog.Features {
			ids[f.ID] = true
			idList = append(idList, f.ID)
		}
	}
	fleet.Planned = func(feature string) bool { return ids[feature] }
	for _, d := range fleet.Profiles() {
		for _, e := range d.Events {
			pos := fleet.EventPositions[d.ID+"/"+e.Name]
			switch {
			case e.Feature == "" || ids[e.Feature]:
			case e.Replaces != "":
				diags.Errorf(diag.Plan, fleet.File, pos.Line, pos.Col, "device %s, event %s replaces %s, so it ships with a backlog feature; %q is none of features.yaml's%s",
					d.ID, e.Name, e.Replaces, e.Feature, didYouMean(e.Feature, idList))
			default:
				if s := Suggest(e.Feature, idList); s != "" {
					diags.Errorf(diag.Plan, fleet.File, pos.Line, pos.Col, "device %s, event %s: feature %q names no backlog feature; did you mean %q? (a feature that names none is shipped behaviour; rename it if that is meant)",
						d.ID, e.Name, e.Feature, s)
				}
			}
		}
	}
	return diags
}

func didYouMean(s string, candidates []string) string {
	if sug := Suggest(s, candidates); sug != "" {
		return fmt.Sprintf("; did you mean %q?", sug)
	}
	return ""
}
