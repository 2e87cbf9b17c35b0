package energy

import (
	"fmt"
	"slices"
)

// Param is an event setting a sweep varies.
type Param string

// The sweepable settings.
const (
	ParamEvery    Param = "every"
	ParamCurrent  Param = "current"
	ParamDuration Param = "duration"
	ParamSF       Param = "sf"
)

// Sweep varies one setting of one event of a device.
type Sweep struct {
	Event string
	Param Param
	// Phase is the 1-based phase that current or duration applies to; 0 means
	// the event's only phase (an error when it has several).
	Phase  int
	Values []float64 // SI units; the spreading factor for sf
}

// SweepPoint is the analysis at one value; Ratio is its life over the
// first point's.
type SweepPoint struct {
	Value  float64
	Result Result
	Ratio  float64
}

// Run analyses the device at each value.
func (s Sweep) Run(d Device) ([]SweepPoint, error) {
	var out []SweepPoint
	for _, v := range s.Values {
		changed, err := s.apply(d, v)
		if err != nil {
			return nil, err
		}
		r, err := Analyze(changed)
		if err != nil {
			return nil, fmt.Errorf("at %g: %w", v, err)
		}
		p := SweepPoint{Value: v, Result: r}
		if len(out) > 0 && out[0].Result.Life > 0 {
			p.Ratio = float64(r.Life / out[0].Result.Life)
		} else {
			p.Ratio = 1
		}
		out = append(out, p)
	}
	return out, nil
}

func (s Sweep) apply(d Device, v float64) (Device, error) {
	i := slices.IndexFunc(d.Events, func(e Event) bool { return e.Name == s.Event })
	if i < 0 {
		return d, fmt.Errorf("device %s has no event %q", d.ID, s.Event)
	}
	events := slices.Clone(d.Events)
	e := events[i]
	e.Phases = slices.Clone(e.Phases)
	switch s.Param {
	case ParamEvery:
		if v <= 0 {
			return d, fmt.Errorf("period must be positive, got %gs", v)
		}
		e.Every = Seconds(v)
	case ParamCurrent, ParamDuration:
		idx := s.Phase - 1
		if s.Phase == 0 {
			if len(e.Phases) != 1 {
				return d, fmt.Errorf("event %s has %d phases; name one, e.g. %s.%s.%d.%s", e.Name, len(e.Phases), d.ID, e.Name, len(e.Phases), s.Param)
			}
			idx = 0
		}
		if idx < 0 || idx >= len(e.Phases) {
			return d, fmt.Errorf("event %s has no phase %d", e.Name, s.Phase)
		}
		p := e.Phases[idx]
		if s.Param == ParamCurrent {
			if v < 0 {
				return d, fmt.Errorf("current must not be negative")
			}
			p.Current = Amps(v)
		} else {
			if p.LoRa != nil {
				return d, fmt.Errorf("phase %d of %s lasts a LoRa time on air; sweep sf instead", idx+1, e.Name)
			}
			if v < 0 {
				return d, fmt.Errorf("duration must not be negative")
			}
			p.Duration = Seconds(v)
		}
		e.Phases[idx] = p
	case ParamSF:
		found := false
		for j, p := range e.Phases {
			if p.LoRa != nil {
				l := *p.LoRa
				l.SF = int(v)
				if err := l.Validate(); err != nil {
					return d, err
				}
				p.LoRa = &l
				e.Phases[j] = p
				found = true
			}
		}
		if !found {
			return d, fmt.Errorf("event %s has no LoRa phase to sweep sf on", e.Name)
		}
	default:
		return d, fmt.Errorf("cannot sweep %q: use every, current, duration or sf", s.Param)
	}
	events[i] = e
	d.Events = events
	return d, nil
}
