package planfile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/quantity"
	"go.yaml.in/yaml/v3"
)

// Quantity types for devices.yaml. Each parses strictly through package
// quantity and holds SI units.
type (
	Current   float64 // amperes, from "2.5uA"
	Duration  float64 // seconds, from "60ms", "5m", "5y"
	Capacity  float64 // ampere-hours, from "1200mAh"
	Voltage   float64 // volts, from "3.7V"
	Bandwidth float64 // hertz, from "125kHz" or a bare 125, 250 or 500 (kHz)
)

// Rate is a share lost per period, from "1%/y" or "3%/month".
type Rate quantity.Rate

// CodingRate is the LoRa coding rate index 1..4, from "4/5".."4/8".
type CodingRate int

// setScalar parses n as a quantity of kind k into dst: the one body behind
// every float quantity's UnmarshalNode.
func setScalar[T ~float64](dst *T, n *yaml.Node, k quantity.Kind) error {
	if n.Tag == "!!null" {
		return fmt.Errorf("a value is required")
	}
	v, err := k.Parse(n.Value)
	*dst = T(v)
	return err
}

// UnmarshalNode implements NodeUnmarshaler.
func (c *Current) UnmarshalNode(n *yaml.Node) error { return setScalar(c, n, quantity.Current) }

// UnmarshalNode implements NodeUnmarshaler.
func (d *Duration) UnmarshalNode(n *yaml.Node) error { return setScalar(d, n, quantity.Duration) }

// Life is a battery life or a cell's shelf life: a duration of at least a
// day. Under a day it is "10m" meant as ten months and read as written, ten
// minutes (m is minutes), a target every device meets.
type Life float64

// UnmarshalNode implements NodeUnmarshaler.
func (l *Life) UnmarshalNode(n *yaml.Node) error {
	if err := setScalar(l, n, quantity.Duration); err != nil {
		return err
	}
	if msg := LifeProblem(float64(*l)); msg != "" {
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// LifeProblem says why a battery life (a target, a shelf life, a life
// cost) of sec seconds cannot be meant: "" from a day up, and for 0 (which
// the fields' own rules judge).
func LifeProblem(sec float64) string {
	if sec <= 0 || sec >= 86400 {
		return ""
	}
	return fmt.Sprintf("%s is shorter than a day (m is minutes, not months): a battery life is days or years; give e.g. 540d or 1.5y", secondsText(sec))
}

// UnmarshalNode implements NodeUnmarshaler.
func (c *Capacity) UnmarshalNode(n *yaml.Node) error { return setScalar(c, n, quantity.Capacity) }

// UnmarshalNode implements NodeUnmarshaler.
func (v *Voltage) UnmarshalNode(n *yaml.Node) error { return setScalar(v, n, quantity.Voltage) }

// UnmarshalNode implements NodeUnmarshaler.
func (b *Bandwidth) UnmarshalNode(n *yaml.Node) error {
	if n.Tag == "!!int" {
		switch n.Value {
		case "125", "250", "500":
			khz, _ := strconv.Atoi(n.Value)
			*b = Bandwidth(khz * 1000)
			return nil
		}
		return fmt.Errorf("bandwidth %s: use 125kHz, 250kHz or 500kHz", n.Value)
	}
	return setScalar(b, n, quantity.Frequency)
}

// UnmarshalNode implements NodeUnmarshaler.
func (r *Rate) UnmarshalNode(n *yaml.Node) error {
	v, err := quantity.ParseRate(n.Value)
	*r = Rate(v)
	return err
}

// UnmarshalNode implements NodeUnmarshaler.
func (c *CodingRate) UnmarshalNode(n *yaml.Node) error {
	num, den, ok := strings.Cut(strings.TrimSpace(n.Value), "/")
	d, err := strconv.Atoi(den)
	if !ok || num != "4" || err != nil || d < 5 || d > 8 {
		return fmt.Errorf("coding rate %q: use 4/5, 4/6, 4/7 or 4/8", n.Value)
	}
	*c = CodingRate(d - 4)
	return nil
}

// String methods make range diagnostics read in the file's units.

func (c Current) String() string  { return strconv.FormatFloat(float64(c)*1e6, 'g', -1, 64) + "uA" }
func (d Duration) String() string { return strconv.FormatFloat(float64(d), 'g', -1, 64) + "s" }
func (l Life) String() string     { return Duration(l).String() }
func (c Capacity) String() string { return strconv.FormatFloat(float64(c)*1e3, 'g', -1, 64) + "mAh" }
func (v Voltage) String() string  { return strconv.FormatFloat(float64(v), 'g', -1, 64) + "V" }

// Celsius is a temperature in °C, from "-10C" or "-10°C".
type Celsius float64

var celsiusRE = regexp.MustCompile(`^\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*°?\s*C\s*$`)

// UnmarshalNode implements NodeUnmarshaler.
func (c *Celsius) UnmarshalNode(n *yaml.Node) error {
	m := celsiusRE.FindStringSubmatch(n.Value)
	if m == nil {
		return fmt.Errorf("%q is not a temperature; write it in °C, e.g. -10C", n.Value)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v < -100 || v > 150 {
		return fmt.Errorf("%q is outside -100C..150C", n.Value)
	}
	*c = Celsius(v)
	return nil
}

// JSONSchema describes a temperature.
func (*Celsius) JSONSchema() map[string]any {
	return pattern(celsiusRE.String(), "a temperature in °C, e.g. -10C")
}

// SeasonSpec is part of a device's year at one temperature; a bare
// temperature is the whole year.
type SeasonSpec struct {
	Months  []int    `yaml:"months" check:"required"`
	Celsius *Celsius `yaml:"celsius" check:"required"`
	Pos     Pos      `yaml:"-"`
}

// FromScalar implements ScalarShorthand: one temperature all year.
func (s *SeasonSpec) FromScalar(n *yaml.Node) error {
	var c Celsius
	if err := c.UnmarshalNode(n); err != nil {
		return err
	}
	*s = SeasonSpec{Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Celsius: &c, Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// Seasons is a device's year: one temperature, or a list of seasons that
// together cover the twelve months once.
type Seasons []SeasonSpec

// OneOrList marks Seasons: a single temperature is the whole year.
func (Seasons) OneOrList() {}
