package planfile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/pkg/rice"
	"go.yaml.in/yaml/v3"
)

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ID is an identifier: lowercase letters, digits and dashes, so it works in
// file names, URLs, Mermaid ids and shell arguments without quoting.
type ID string

// UnmarshalNode implements NodeUnmarshaler.
func (id *ID) UnmarshalNode(n *yaml.Node) error {
	switch n.Tag {
	case "!!null":
		return fmt.Errorf("an id is required")
	case "!!str", "!!int", "!!timestamp":
	default:
		return fmt.Errorf("%s reads as a YAML %s, not an id; quote it if it is one", clipValue(n.Value), strings.TrimPrefix(n.Tag, "!!"))
	}
	if err := checkID(n.Value); err != nil {
		return err
	}
	*id = ID(n.Value)
	return nil
}

func checkID(s string) error {
	if !idRE.MatchString(s) {
		hint := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
		if hint != "" && idRE.MatchString(hint) {
			return fmt.Errorf("id %q must be lowercase letters, digits and dashes (e.g. %q)", s, hint)
		}
		return fmt.Errorf("id %q must be lowercase letters, digits and dashes", s)
	}
	return nil
}

// Ref is a reference to an id defined elsewhere (a theme, a certification, a
// feature), kept with its position so an undefined one can be pointed at.
type Ref struct {
	ID  string
	Pos Pos
}

// UnmarshalNode implements NodeUnmarshaler.
func (r *Ref) UnmarshalNode(n *yaml.Node) error {
	if n.Tag == "!!null" || n.Value == "" {
		return fmt.Errorf("expected an id, got nothing")
	}
	*r = Ref{ID: n.Value, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// Confidence is a fraction in [0, 1], written as "80%" or 0.8.
type Confidence float64

// UnmarshalNode implements NodeUnmarshaler.
func (c *Confidence) UnmarshalNode(n *yaml.Node) error {
	_, pct := strings.CutSuffix(strings.TrimSpace(n.Value), "%")
	if n.Tag == "!!str" && !pct || n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" {
		// a level, as impact takes words: Intercom's RICE gives each a
		// percentage, which is what to write (a PM's "medium" may be 50%)
		if level, ok := confidenceLevels[strings.ToLower(strings.TrimSpace(n.Value))]; ok && n.Tag == "!!str" {
			return fmt.Errorf("confidence is a percentage, not a level: Intercom's RICE scale puts %s at %s (100%% high, 80%% medium, 50%% low); write the percentage you mean", strings.TrimSpace(n.Value), level)
		}
		return fmt.Errorf("expected a percentage like 80%% or a fraction like 0.8, got %s", describe(n))
	}
	v, err := ParseFraction(n.Value)
	*c = Confidence(v)
	if err == nil && pct && v > 0 && v < 0.01 {
		// RICE confidence runs 50%..100% (below 50% is a moonshot): 0.8%
		// is almost surely 0.8 written with a percent sign
		pctText := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(n.Value), "%"))
		return &Warning{Message: fmt.Sprintf("%s is below 1%%; did you mean %s%% (a fraction %s)?", strings.TrimSpace(n.Value), strconv.FormatFloat(v*1e4, 'g', -1, 64), pctText)}
	}
	return err
}

// confidenceLevels are Intercom's RICE confidence levels, for the
// message that refuses a level as a confidence.
var confidenceLevels = map[string]string{"high": "100%", "medium": "80%", "low": "50%"}

// Impact is a value on Intercom's impact scale, written as a number (3, 2, 1,
// 0.5, 0.25) or a word (massive, high, medium, low, minimal).
type Impact float64

var impactHelp = "3 (massive), 2 (high), 1 (medium), 0.5 (low) or 0.25 (minimal)"

// UnmarshalNode implements NodeUnmarshaler.
func (im *Impact) UnmarshalNode(n *yaml.Node) error {
	if n.Tag == "!!str" {
		word := strings.ToLower(strings.TrimSpace(n.Value))
		if v, ok := rice.Impact[word]; ok {
			*im = Impact(v)
			return nil
		}
		msg := fmt.Sprintf("%q is not on the impact scale; use %s", n.Value, impactHelp)
		if s := Suggest(word, []string{"massive", "high", "medium", "low", "minimal"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s", msg)
	}
	f, err := ParseNumber(n)
	if err != nil {
		return fmt.Errorf("expected %s, got %s", impactHelp, describe(n))
	}
	if rice.ImpactName(f) == "" {
		return fmt.Errorf("%s is not on the impact scale; use %s", n.Value, impactHelp)
	}
	*im = Impact(f)
	return nil
}

// clipValue quotes a value for a message, shortened: a 300-digit number is
// not worth echoing.
// quoteClipped quotes an echoed value, cut as clipValue cuts it.
func quoteClipped(s string) string {
	if len(s) > 40 {
		return clipValue(s)
	}
	return strconv.Quote(s)
}

func clipValue(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40] + "…")
	}
	return s
}

// ParseFraction reads a share written as a percentage ("98%", "98 %") or a
// fraction ("0.98"), the one parser of shares for flags, iotpm.yaml and
// gates. A bare number above 1 is ambiguous (98 could mean 98% or 0.98) and
// refused, with both readings offered.
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	body, pct := strings.CutSuffix(t, "%")
	v, err := quantity.ParseNumber(strings.TrimSpace(body))
	if err != nil {
		return 0, fmt.Errorf("%s is not a share; write a percentage like 98%% or a fraction like 0.98", clipValue(s))
	}
	if pct {
		v /= 100
	} else if v > 1 && v <= 100 && v == math.Trunc(v) {
		// 85: a percentage without its sign, or a slip? ask
		return 0, fmt.Errorf("%s is ambiguous: write %s%% or %s", clipValue(t), clipValue(t), strconv.FormatFloat(v/100, 'g', -1, 64))
	}
	if v < 0 || v > 1 {
		if !pct {
			return 0, fmt.Errorf("%s is outside 0..1 (0%%..100%%)", clipValue(s))
		}
		return 0, fmt.Errorf("%s is outside 0%%..100%%", clipValue(s))
	}
	return v, nil
}

// Fraction is a share 0..1 written as a percentage (85%) or a fraction
// (0.85); a bare number above 1 (85) is refused as ambiguous, as every
// share in the planning files is.
type Fraction float64

// UnmarshalNode implements NodeUnmarshaler.
func (f *Fraction) UnmarshalNode(n *yaml.Node) error {
	if n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" {
		return fmt.Errorf("expected a percentage like 85%% or a fraction like 0.85, got %s", describe(n))
	}
	v, err := ParseFraction(n.Value)
	*f = Fraction(v)
	return err
}

// JSONSchema describes a share.
func (*Fraction) JSONSchema() map[string]any { return (*Confidence)(nil).JSONSchema() }
