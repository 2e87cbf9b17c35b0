package planning

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/iotpm/iotpm/pkg/rollout"
)

// DefaultLookbackDays is how many whole UTC days before the horizon's day a
// device's online probability is measured over.
const DefaultLookbackDays = 28

// RolloutSettings are a rollout's resolved settings.
type RolloutSettings struct {
	Version      string
	Start        time.Time
	Waves        []rollout.Wave
	LookbackDays int
	// Success is the chance an attempt succeeds; SuccessFromMetrics: it
	// is the measured OTA success rate.
	Success            float64
	SuccessFromMetrics bool
	// Flags are the settings a command-line flag gave (version, start,
	// waves, lookback, success): a warning about one of them names the
	// flag, not iotpm.yaml's rollout: section.
	Flags []string
}

// RolloutWarning says what makes the forecast easy to misread, and which
// setting it is about (version, start, waves).
type RolloutWarning struct {
	Setting string
	Text    string
}

// RolloutSettingsOf resolves iotpm.yaml's rollout: section; soaks and the
// lookback must be whole days.
func RolloutSettingsOf(cfg *planfile.Config) (*RolloutSettings, diag.List) {
	var diags diag.List
	spec := cfg.Rollout
	if spec == nil {
		return nil, nil
	}
	errorf := func(p planfile.Pos, format string, args ...any) {
		diags.Errorf(diag.Schema, cfg.File, p.Line, p.Col, format, args...)
	}
	wholeDays := func(d *planfile.Duration, what string, p planfile.Pos) int {
		secs := float64(*d)
		if secs != math.Trunc(secs/86400)*86400 {
			errorf(p, "rollout: %s must be whole days (e.g. 3d or 1w), got %g days", what, secs/86400)
		}
		return int(secs / 86400)
	}
	s := &RolloutSettings{Version: spec.Version, LookbackDays: DefaultLookbackDays, SuccessFromMetrics: true}
	if spec.Start != nil {
		s.Start = spec.Start.Time
	}
	if spec.Lookback != nil {
		s.LookbackDays = wholeDays(spec.Lookback, "lookback", spec.Pos)
	}
	if sm := spec.Success; sm != nil && !sm.Metrics {
		s.Success, s.SuccessFromMetrics = sm.Value, false
	}
	for i, w := range spec.Waves {
		wave := rollout.Wave{}
		if w.Share != nil {
			wave.Share = float64(*w.Share)
		}
		if w.Soak != nil {
			wave.SoakDays = wholeDays(w.Soak, fmt.Sprintf("waves[%d].soak", i), w.Pos)
		}
		s.Waves = append(s.Waves, wave)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	if len(s.Waves) == 0 {
		s.Waves = []rollout.Wave{{Share: 1}}
	}
	if err := rollout.ValidateWaves(s.Waves); err != nil {
		errorf(spec.Pos, "rollout: %v", err)
		return nil, diags
	}
	return s, diags
}

// Rollout is a rollout forecast over the fleet the metrics inputs show.
type Rollout struct {
	Settings RolloutSettings
	// Horizon is H; the lookback is the LookbackDays whole UTC days
	// before H's day: [From, To).
	Horizon, From, To time.Time
	Forecast          rollout.Forecast
	Devices           []rollout.Device
	// OnVersion counts the observed devices already at or above the
	// version; NoOTA lists those whose profile takes no OTA update.
	OnVersion int
	NoOTA     []string
	// Unordered counts the devices to update whose version cannot be
	// ordered against the release (one of the two is no semantic
	// version): they count as not on it. UnorderedExample is the most
	// common such version.
	Unordered        int
	UnorderedExample string
	// Warnings say what makes the forecast easy to misread.
	Warnings []RolloutWarning
	// UpdateCosts are what one update costs each battery profile that
	// states its download (devices.yaml ota: {duration, current});
	// UpdateUnstated are the battery profiles with an image size but no
	// download stated: no cost is made up for them.
	UpdateCosts    []UpdateCost
	UpdateUnstated []string
	// ModelSuccess are, with a measured success, the models whose devices
	// have at least MinModelUnits OTA units with a final success or
	// failure in the metrics window: their attempts succeed with their
	// own rate, the others' with the fleet's (Settings.Success).
	// TooFewUnits are the models with such units, but fewer.
	ModelSuccess, TooFewUnits []ModelSuccess
	// SuccessUnits are the OTA units with a final success or failure the
	// measured fleet rate rests on (0 when the success is given).
	SuccessUnits int
}

// ModelSuccess is a model's measured OTA success rate.
type ModelSuccess struct {
	Model            string
	Rate             float64
	Success, Failure int // its units
}

// UpdateCost is the battery cost of downloading one update: the
// profile's stated download (its duration at its current, through the
// regulator: energy.Device.UpdateCharge), and the days of life that
// charge is at the profile's average drain today.
type UpdateCost struct {
	Profile    string
	ImageBytes float64 // 0: not given
	Seconds    float64
	CurrentA   float64 // as stated (at the load side unless side: battery)
	ChargeMAh  float64
	LifeDays   float64
}

// updateCosts computes UpdateCost for every battery profile that states
// its download, and lists those that give an image size only.
func (p *Results) updateCosts() (costs []UpdateCost, unstated []string) {
	if p.Fleet == nil || p.Energy == nil {
		return nil, nil
	}
	for i, d := range p.Energy.Today {
		q, ok := d.UpdateCharge()
		if !ok {
			if _, image := p.Fleet.OTAImage[d.ID]; image {
				unstated = append(unstated, d.ID)
			}
			continue
		}
		u := UpdateCost{Profile: d.ID, ImageBytes: p.Fleet.OTAImage[d.ID], Seconds: float64(d.Update.Time()), CurrentA: float64(d.Update.Current),
			ChargeMAh: q / 3.6, LifeDays: math.Inf(1)}
		if avg := float64(p.Energy.Results[i].AverageCurrent); avg > 0 {
			u.LifeDays = q / (avg * 86400)
		}
		costs = append(costs, u)
	}
	return costs, unstated
}

// PlanRollout forecasts the rollout the settings describe over the
// devices the metrics read: those with observed time in the lookback, that
// can take an OTA update and do not run the version (or a later one)
// already; p = online days / observed days of the lookback. now is the
// run's clock (a start before its day is warned of).
func PlanRollout(p *Results, s *RolloutSettings, now time.Time) (*Rollout, error) {
	if p.Metrics == nil {
		return nil, fmt.Errorf("a rollout forecast needs the fleet: iotpm.yaml's metrics inputs (devices, and events or activity)")
	}
	data := p.Metrics.Report()
	if data.Horizon == metrics.NoTime {
		return nil, fmt.Errorf("the metrics inputs have no rows: no device's online days can be measured")
	}
	if s.SuccessFromMetrics {
		v, why := data.Value(metrics.OTASuccessRate)
		if why != metrics.HasValue {
			return nil, fmt.Errorf("success: metrics, but the metrics have no OTA success rate (the OTA input, with executions in the window): give success: 90%% in iotpm.yaml's rollout: or --success")
		}
		s.Success = v
	}
	from, to := metrics.LookbackSpan(data.Horizon, s.LookbackDays)
	r := &Rollout{Settings: *s, Horizon: time.UnixMicro(data.Horizon).UTC(), From: time.UnixMicro(from).UTC(), To: time.UnixMicro(to).UTC()}
	if s.SuccessFromMetrics && data.OTA != nil {
		r.SuccessUnits = data.OTA.Success + data.OTA.Failure
	}
	own := map[string]float64{} // a model's measured rate, by profile
	if s.SuccessFromMetrics && data.OTA != nil {
		for _, m := range data.OTA.ByProfile {
			ms := ModelSuccess{Model: m.Profile, Rate: m.Rate, Success: m.Success, Failure: m.Failure}
			switch n := m.Success + m.Failure; {
			case n >= MinModelUnits:
				own[m.Profile] = m.Rate
				r.ModelSuccess = append(r.ModelSuccess, ms)
			case n > 0:
				r.TooFewUnits = append(r.TooFewUnits, ms)
			}
		}
	}
	fleet := p.Metrics.Fleet()
	if fleet == nil && (p.MetricsJob == nil || p.MetricsJob.FleetLookback() != s.LookbackDays) {
		return nil, fmt.Errorf("the devices' online days were not computed for a %d-day lookback", s.LookbackDays)
	}
	if len(fleet) == 0 {
		// never a forecast over nobody: say what would have made devices
		// count
		return nil, fmt.Errorf("no device has observed time in the %d-day lookback %s up to %s: devices count by their connection events, or by activity rows when their model names a devices.yaml profile with checkin: (activity alone says when a device was seen, not when it was reachable)",
			s.LookbackDays, r.From.Format(time.DateOnly), r.To.Format(time.DateOnly))
	}
	// the fleet's version order (metrics.firmware.after_release): a
	// device on 2.5.0-hotfix1 has 2.5.0 when the team says so
	var order metrics.VersionOrder
	if data.Firmware != nil {
		order = data.Firmware.Order
	}
	unordered := map[string]int{}
	for _, fd := range fleet {
		switch {
		case fd.NoOTA:
			r.NoOTA = append(r.NoOTA, fd.Device)
		case fd.Version != "" && order.AtOrAbove(fd.Version, s.Version):
			r.OnVersion++
		default:
			if _, ok := order.Compare(fd.Version, s.Version); !ok && fd.Version != "" {
				unordered[fd.Version]++
				r.Unordered++
			}
			d := rollout.Device{ID: fd.Device, Model: fd.Model, P: float64(fd.Online) / float64(fd.Observed)}
			d.Success, d.OwnSuccess = own[fd.Model]
			r.Devices = append(r.Devices, d)
		}
	}
	r.warn(unordered, data.Horizon, now)
	slices.Sort(r.NoOTA)
	r.UpdateCosts, r.UpdateUnstated = p.updateCosts()
	var err error
	if r.Forecast, err = rollout.Run(r.Devices, rollout.Plan{Waves: s.Waves, Success: s.Success}); err != nil {
		return nil, err
	}
	return r, nil
}

// warn words what could make the forecast misread: waves that end short
// of the fleet, versions that cannot be ordered against the release, and a
// start before the data ends or, after it, before today. It runs on the
// settings in force, whether iotpm.yaml or flags gave them.
func (r *Rollout) warn(unordered map[string]int, horizon int64, now time.Time) {
	s := r.Settings
	if msg := rollout.WavesShortfall(s.Waves); msg != "" {
		r.Warnings = append(r.Warnings, RolloutWarning{"waves", "rollout waves: " + msg})
	}
	if r.Unordered > 0 {
		r.UnorderedExample = slices.MaxFunc(slices.Sorted(maps.Keys(unordered)), func(a, b string) int { return cmp.Compare(unordered[a], unordered[b]) })
		why := "they cannot be ordered against it"
		if !metrics.Orderable(s.Version) {
			why = fmt.Sprintf("%q is no semantic version, so only devices running exactly it count as on it", s.Version)
		}
		r.Warnings = append(r.Warnings, RolloutWarning{"version", fmt.Sprintf("rollout version %q: %s of the devices to update run another version (the most common %q) and %s: they count as needing the update. Versions order as major.minor.patch (a v prefix and a pre-release allowed); name the release as the fleet writes its versions",
			s.Version, render.Number(float64(r.Unordered), 0), r.UnorderedExample, why)})
	}
	if s.SuccessFromMetrics && r.SuccessUnits < MinModelUnits {
		// a model needs MinModelUnits for its own rate; the fleet's has
		// no fallback, so the forecast uses it, and says on how little
		r.Warnings = append(r.Warnings, RolloutWarning{"success", fmt.Sprintf("rollout success: the measured OTA success rate %s rests on %s, fewer than %d: one update's outcome moves it by %s points; the forecast uses it, but give success: 95%% (your own figure) in iotpm.yaml's rollout: or --success to plan on more than that",
			render.Percent(s.Success, 1), unitsText(r.SuccessUnits), MinModelUnits, render.Number(100/float64(max(r.SuccessUnits, 1)), 0))})
	}
	day := time.UnixMicro(horizon).UTC().Truncate(24 * time.Hour) // the data's last day
	today := now.UTC().Truncate(24 * time.Hour)
	switch gap := int(s.Start.Sub(day).Hours() / 24); {
	case s.Start.Before(day):
		r.Warnings = append(r.Warnings, RolloutWarning{"start", fmt.Sprintf("rollout start %s is before the data's last day %s: the forecast is of the fleet as the data leaves it (the devices not on %s then) as if the rollout began on %s; to forecast the rest of a running rollout, start it on %s or later",
			s.Start.Format(time.DateOnly), day.Format(time.DateOnly), s.Version, s.Start.Format(time.DateOnly), day.Format(time.DateOnly))})
	case s.Start.Before(today):
		// after the data but before today: the days from the start to
		// today have happened, and what they did is in no export yet
		r.Warnings = append(r.Warnings, RolloutWarning{"start", fmt.Sprintf("rollout start %s is before today %s, and the data ends %s: the forecast's first %d days are past, and the exports cannot show what they did; if the rollout began, export the fleet again to see where it stands (firmware_on_target); if it has not, move start to %s or later",
			s.Start.Format(time.DateOnly), today.Format(time.DateOnly), day.Format(time.DateOnly), int(today.Sub(s.Start).Hours()/24), today.Format(time.DateOnly))})
	case gap > s.LookbackDays:
		// the fleet and its online days are the data's: further from the
		// start than the lookback they measure, devices shipped since and
		// what the fleet does now are not in them
		r.Warnings = append(r.Warnings, RolloutWarning{"start", fmt.Sprintf("rollout start %s is %d days after the data's last day %s, more than the %d-day lookback the online days are measured over: the forecast updates the fleet as it was then (devices shipped since are not in it); export the fleet again before the rollout to forecast the fleet it will meet",
			s.Start.Format(time.DateOnly), gap, day.Format(time.DateOnly), s.LookbackDays)})
	}
}

// DayDate is the date of a forecast day index.
func (r *Rollout) DayDate(day int) time.Time { return r.Settings.Start.AddDate(0, 0, day) }

// rolloutGates evaluates gates.rollout.
func (p *Results) rolloutGates() []gate.Gate {
	g := p.Config.Gates.Rollout
	if g == nil || g.Reach90 == nil {
		return nil
	}
	gt := gate.Gate{Name: "rollout.reach_90", Threshold: g.Reach90.Text}
	switch {
	case p.RolloutErr != nil:
		gt.Detail = "no value: " + p.RolloutErr.Error()
	case p.Rollout == nil:
		gt.Detail = "no value: iotpm.yaml has no rollout: section"
	case p.Rollout.Forecast.Reach90 == rollout.Never:
		gt.Detail = "no value: the expected share does not reach 90% within 365 days"
	default:
		days := float64(p.Rollout.Forecast.Reach90 + 1)
		gt.Value, gt.Text = &days, render.Number(days, 0)+" days"
		gt.Passed = g.Reach90.Holds(days * 86400)
		gt.Detail = fmt.Sprintf("%s of %s devices by %s", render.Percent(p.Rollout.Forecast.Share[p.Rollout.Forecast.Reach90], 1),
			render.Number(float64(p.Rollout.Forecast.N), 0), p.Rollout.DayDate(p.Rollout.Forecast.Reach90).Format(time.DateOnly))
	}
	return []gate.Gate{gt}
}

// unitsText is n OTA units in words: "1 update", "2 updates".
func unitsText(n int) string {
	if n == 1 {
		return "1 update"
	}
	return strconv.Itoa(n) + " updates"
}
