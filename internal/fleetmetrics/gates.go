package fleetmetrics

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// Gate evaluates one threshold on a metric of the report: its value
// and, when it has none, why, worded against the rows that were read.
func Gate(out *Outcome, m metrics.Metric, t planfile.Threshold, flag string) gate.Gate {
	v, why := Measured(out, string(m))
	if why != "" {
		return gate.Metric(string(m), unitOf(m), nil, why, t, flag)
	}
	var r metrics.Report
	if out != nil {
		r = out.report
	}
	g := gate.Metric(string(m), unitOf(m), &v, "", t, flag)
	if m == metrics.ActivationRate && !r.Activation.Mature {
		g.Detail = "immature cohort"
	}
	if n := otaUnits(r); m == metrics.OTASuccessRate && n > 0 && n < MinUnits {
		// a pass on two lucky updates is no evidence: the gate says so
		g.Detail = fmt.Sprintf("on %d finished updates only: one moves it by %s points", n, render.Number(100/float64(n), 0))
	}
	return g
}

func otaUnits(r metrics.Report) int {
	if r.OTA == nil {
		return 0
	}
	return r.OTA.Success + r.OTA.Failure
}

// ModelGates evaluate a rate's gates per devices.yaml model (gates.
// activation_rate.models, gates.ota_success_rate.models), in model order:
// the model's window cohort's activation rate (as the fleet's gate, with
// its units and maturity in the detail), or its OTA units' success rate.
// A name that is no devices.yaml device, or a model without units in the
// window, has no value, which fails the gate and says why.
func ModelGates(out *Outcome, m metrics.Metric, models map[string]planfile.RateThreshold, profiles []string) []gate.Gate {
	var gates []gate.Gate
	for _, id := range slices.Sorted(maps.Keys(models)) {
		t := models[id].Threshold
		name := string(m) + "." + id
		if out == nil {
			gates = append(gates, gate.Metric(name, gate.Share, nil, "its inputs were not given", t, ""))
			continue
		}
		r := out.report
		switch {
		case profiles == nil:
			gates = append(gates, gate.Metric(name, gate.Share, nil, "the metrics have no devices input, whose model column says which units are each model", t, ""))
			continue
		case !slices.Contains(profiles, id):
			// CheckModelNames stops a run on such a name first
			gates = append(gates, gate.Metric(name, gate.Share, nil, fmt.Sprintf("gates.%s.models names %s, which is no devices.yaml device%s", m, id, planfile.DidYouMeanText(id, profiles)), t, ""))
			continue
		}
		var v *float64
		detail := ""
		switch m {
		case metrics.ActivationRate:
			detail = fmt.Sprintf("no value: no %s unit shipped in the window (the devices input's model column says which are)", id)
			if a := r.Activation; a != nil {
				for _, p := range a.ByProfile {
					if p.Profile == id && p.Shipped > 0 {
						v, detail = &p.Rate, fmt.Sprintf("%d of %d units", p.Activated, p.Shipped)
						if !p.Mature {
							detail += "; immature cohort"
						}
					}
				}
			}
		case metrics.OTASuccessRate:
			detail = fmt.Sprintf("no value: no %s unit succeeded or failed in the window (the devices input's model column says which are)", id)
			if o := r.OTA; o != nil {
				for _, p := range o.ByProfile {
					if p.Profile == id && p.Success+p.Failure > 0 {
						v, detail = &p.Rate, fmt.Sprintf("%d of %d units", p.Success, p.Success+p.Failure)
					}
				}
			}
		}
		g := gate.Metric(name, gate.Share, v, "", t, "")
		g.Detail = detail
		gates = append(gates, g)
	}
	return gates
}

// unitOf is how a metric's value reads: monthly active devices count,
// the time to pair is a duration, the others are shares.
func unitOf(m metrics.Metric) gate.Unit {
	switch m {
	case metrics.MonthlyActiveDevices:
		return gate.Count
	case metrics.OnboardingP90:
		return gate.Seconds
	}
	return gate.Share
}

// P90Gate evaluates the limit on the setup funnel's p90 time to pair
// (onboarding.p90: "<= 3m").
func P90Gate(out *Outcome, t planfile.AgeThreshold) gate.Gate {
	m := metrics.OnboardingP90
	var r metrics.Report
	var stats []*export.Stats
	if out != nil {
		r, stats = out.report, out.stats
	}
	g := gate.Gate{Name: string(m), Unit: gate.Seconds, Threshold: t.Text}
	v, why := r.Value(m)
	if why != metrics.HasValue {
		g.Detail = "no value: " + NoValueText(m, why, stats)
		return g
	}
	g.Value, g.Passed = &v, t.Holds(v)
	if o := r.Onboarding; o != nil {
		g.Detail = fmt.Sprintf("of %s completed attempts (nearest rank)", render.Number(float64(o.Completed), 0))
	}
	return g
}

// ModeGate evaluates a threshold on the uptime of one mode's devices
// (always, checkin): connectivity_uptime.always / .checkin.
func ModeGate(out *Outcome, mode string, t planfile.Threshold) gate.Gate {
	name := string(metrics.ConnectivityUptime) + "." + mode
	var u *metrics.Uptime
	if out != nil {
		u = out.report.Uptime
	}
	if u == nil {
		return gate.Metric(name, gate.Share, nil, "its inputs were not given", t, "")
	}
	m := u.Always
	if mode == "checkin" {
		m = u.Checkin
	}
	if math.IsNaN(m.Value) {
		why := "no always-connected device observed in window"
		if u.ActivityOnly {
			why += " (the inputs have activity rows and no events: an always-connected device's uptime needs its connection events)"
		}
		if mode == "checkin" {
			why = "no check-in device observed in window (a devices.yaml profile with checkin:, and the devices input's model column, say which devices check in)"
		}
		return gate.Metric(name, gate.Share, nil, why, t, "")
	}
	v := m.Value
	return gate.Metric(name, gate.Share, &v, "", t, "")
}

// NoValueText words why a metric has no value; for no data in the window
// it names the latest row its inputs had, so a stale export shows.
func NoValueText(m metrics.Metric, why metrics.NoValue, stats []*export.Stats) string {
	if m == metrics.FirmwareOnTarget && why == metrics.NotGiven {
		// the OTA input may well be given, without the versions
		return "no version is known: it needs a version column in the OTA input or a firmware column in the devices input (a table's column mapped as version or firmware)"
	}
	switch why {
	case metrics.NotGiven:
		return "its inputs were not given"
	case metrics.NoneShipped:
		return "no device shipped in window"
	case metrics.ShippedBeforeData:
		start, path := export.FleetStart(stats)
		return fmt.Sprintf("every unit shipped in window has its activation window before the fleet's first row (%s, %s): whether they activated is not in the data", isoMicro(start), path)
	case metrics.NoneFinished:
		return "no succeeded or failed executions in window"
	case metrics.NoTarget:
		return "no target release: give iotpm.yaml metrics.firmware.target"
	case metrics.NoneActive:
		return "no active device that can take an OTA update in window"
	case metrics.NoAttempts:
		return "no setup attempt started in window (and closed at the onboarding horizon)"
	case metrics.NoneCompleted:
		return "no setup attempt in window completed"
	case metrics.NoCheckins:
		return "no observed time: with activity rows and no events, a device is observed through its check-ins, and none checked in in the window; a device checks in when its model (the devices input's model column) names a devices.yaml profile with checkin:, as a device that sleeps by design has"
	}
	for _, k := range metricInputs(m) {
		for _, st := range stats {
			if st.Kind == k && st.Latest != metrics.NoTime {
				return fmt.Sprintf("no data in window: latest %s row %s", k, isoMicro(st.Latest))
			}
		}
	}
	return "no data in window: the inputs have no rows"
}

// DataAgeGate fails when the data's horizon is older than the limit at
// the window's end (or now, when that is earlier).
func DataAgeGate(out *Outcome, t planfile.AgeThreshold, flag string) gate.Gate {
	if out == nil || out.ageDays == nil {
		return gate.DataAge(nil, "", t, flag)
	}
	g := gate.DataAge(out.ageDays, isoMicro(out.report.Horizon), t, flag)
	if out.ageAtWindowEnd {
		// "0 days" of data that ended weeks ago: the age is the data's
		// at the end of the window the gates read, not today's
		g.Detail += ", counted at the window's end " + isoMicro(out.report.Window.To)
	}
	return g
}

// metricInputs are the inputs a metric's "no data" speaks of, in the
// order to look for their latest row.
func metricInputs(m metrics.Metric) []planfile.InputKind {
	switch m {
	case metrics.ConnectivityUptime, metrics.MonthlyActiveDevices:
		return []planfile.InputKind{planfile.KindEvents, planfile.KindActivity}
	case metrics.ActivationRate:
		return []planfile.InputKind{planfile.KindDevices}
	case metrics.OTASuccessRate:
		return []planfile.InputKind{planfile.KindOTA}
	case metrics.FirmwareOnTarget:
		return []planfile.InputKind{planfile.KindEvents, planfile.KindActivity}
	case metrics.OnboardingCompletion, metrics.OnboardingP90, metrics.OnboardingWithinTarget:
		return []planfile.InputKind{planfile.KindOnboarding}
	}
	return nil
}
