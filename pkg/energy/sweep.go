package energy

import (
	"errors"
	"fmt"
	"math"
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
		if s.Phase > 0 && (s.Phase > len(e.Phases) || e.Phases[s.Phase-1].LoRa == nil) {
			return d, fmt.Errorf("phase %d of %s sends no LoRa packet; sf is a LoRa phase's (name that phase, or none)", s.Phase, e.Name)
		}
		found := false
		for j, p := range e.Phases {
			if p.LoRa != nil && (s.Phase == 0 || j == s.Phase-1) {
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

// ErrUnreachable is returned by SolveEvery when no interval reaches the
// target: the rest of the device alone lasts less.
var ErrUnreachable = fmt.Errorf("no interval reaches the target")

// Solution is SolveEvery's answer: the shortest whole-second interval of
// the event at which the device meets the target, its life there, and its
// life one second shorter (below the target, or an error when that would
// keep the device awake all the time).
type Solution struct {
	Every        Seconds
	Result       Result
	ShorterLife  Hours
	ShorterValid bool
}

// maxSolveEvery bounds the search: 100 years.
const maxSolveEvery = 100 * YearHours * 3600

// SolveEvery finds, by bisection over whole seconds, the shortest interval
// of event at which d's life (capped as Analyze caps it) reaches target.
// Life grows with the interval, so the answer is unique; ErrUnreachable
// when even 100 years between events falls short.
func SolveEvery(d Device, event string, target Hours) (Solution, error) {
	if target <= 0 {
		return Solution{}, fmt.Errorf("the target must be positive")
	}
	s := Sweep{Event: event, Param: ParamEvery}
	life := func(every float64) (Result, bool, error) {
		changed, err := s.apply(d, every)
		if err != nil {
			return Result{}, false, err
		}
		r, err := Analyze(changed)
		if errors.Is(err, ErrAwakeTooLong) {
			return Result{}, false, nil // shorter than the event itself: not a candidate
		}
		if err != nil {
			return Result{}, false, err
		}
		return r, r.Life >= target, nil
	}
	hi := math.Ceil(maxSolveEvery)
	top, ok, err := life(hi)
	if err != nil {
		return Solution{}, err
	}
	if !ok {
		why := ""
		if top.LimitedBy == "shelf_life" {
			why = " (the cell's shelf life: no drain lets it last longer)"
		}
		return Solution{Every: Seconds(hi), Result: top}, fmt.Errorf("%w: with the event every 100 years the device lasts %.4g years%s", ErrUnreachable, top.Life.Years(), why)
	}
	lo := 0.0 // the answer is in (lo, hi]
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if _, ok, err := life(mid); err != nil {
			return Solution{}, err
		} else if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	r, _, _ := life(hi)
	sol := Solution{Every: Seconds(hi), Result: r}
	if hi > 1 {
		if shorter, _, err := life(hi - 1); err == nil && shorter.Life > 0 {
			sol.ShorterLife, sol.ShorterValid = shorter.Life, true
		}
	}
	return sol, nil
}
