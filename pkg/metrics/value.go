package metrics

import "math"

// Metric names a fleet metric that can be gated. The names are the keys of
// the JSON output and of iotpm.yaml's gates:.
type Metric string

// The gated metrics.
const (
	ConnectivityUptime   Metric = "connectivity_uptime"
	MonthlyActiveDevices Metric = "monthly_active_devices"
	ActivationRate       Metric = "activation_rate"
	OTASuccessRate       Metric = "ota_success_rate"
	// FirmwareOnTarget is the share of the active OTA-capable devices at
	// or above metrics.firmware.target.
	FirmwareOnTarget Metric = "firmware_on_target"
	// The setup funnel's: the share of attempts that complete, the p90
	// time to pair (seconds), the share of completed attempts within the
	// target.
	OnboardingCompletion   Metric = "onboarding.completion"
	OnboardingP90          Metric = "onboarding.p90"
	OnboardingWithinTarget Metric = "onboarding.within_target"
)

// NoValue says why a metric has no value; the caller words it.
type NoValue int

// Why a metric has no value.
const (
	// HasValue: the metric has a value.
	HasValue NoValue = iota
	// NotGiven: the metric's inputs were not given.
	NotGiven
	// NoDataInWindow: no row of its inputs counts in the window (uptime:
	// no observed time; MAD: no row and no observed time; OTA: no
	// execution).
	NoDataInWindow
	// NoneShipped: activation with no device shipped in the window.
	NoneShipped
	// NoneFinished: OTA executions in the window, none succeeded or failed.
	NoneFinished
	// NoTarget: firmware_on_target without metrics.firmware.target.
	NoTarget
	// NoneActive: firmware_on_target with no active OTA-capable device.
	NoneActive
	// NoAttempts: the setup funnel with no closed attempt in the window.
	NoAttempts
	// NoneCompleted: a time-to-pair metric with no completed attempt.
	NoneCompleted
	// NoCheckins: uptime from activity rows alone (no events) with no
	// observed time: only a device that checks in has any.
	NoCheckins
	// ShippedBeforeData: activation whose window cohort shipped before
	// the fleet's data start (Cohort.BeforeData): no row can say.
	ShippedBeforeData
)

// Value is a metric's value, or why it has none. A value is never NaN: an
// undefined ratio is a NoValue, so a gate cannot compare against it.
func (r Report) Value(m Metric) (float64, NoValue) {
	var v float64
	switch m {
	case ConnectivityUptime:
		if r.Uptime == nil {
			return 0, NotGiven
		}
		v = r.Uptime.Value
		if math.IsNaN(v) && r.Uptime.ActivityOnly {
			return 0, NoCheckins
		}
		if math.IsNaN(v) {
			return 0, NoDataInWindow
		}
	case MonthlyActiveDevices:
		if r.MAD == nil {
			return 0, NotGiven
		}
		if r.MAD.NoData {
			return 0, NoDataInWindow
		}
		v = float64(r.MAD.Value)
	case ActivationRate:
		if r.Activation == nil {
			return 0, NotGiven
		}
		if r.Activation.Shipped == 0 && r.Activation.BeforeData > 0 {
			return 0, ShippedBeforeData
		}
		if r.Activation.Shipped == 0 {
			return 0, NoneShipped
		}
		v = r.Activation.Rate
	case OTASuccessRate:
		if r.OTA == nil {
			return 0, NotGiven
		}
		o := r.OTA
		switch {
		case o.Success+o.Failure+o.Pending+o.Excluded == 0:
			return 0, NoDataInWindow
		case o.Success+o.Failure == 0:
			return 0, NoneFinished
		}
		v = o.Rate
	case FirmwareOnTarget:
		switch f := r.Firmware; {
		case f == nil:
			return 0, NotGiven
		case f.Target == "":
			return 0, NoTarget
		case f.Devices == 0:
			return 0, NoneActive
		}
		v = r.Firmware.Value
	case OnboardingCompletion, OnboardingP90, OnboardingWithinTarget:
		o := r.Onboarding
		switch {
		case o == nil:
			return 0, NotGiven
		case o.Attempts == 0:
			return 0, NoAttempts
		case m != OnboardingCompletion && o.Completed == 0:
			return 0, NoneCompleted
		}
		switch m {
		case OnboardingCompletion:
			v = o.Completion
		case OnboardingP90:
			v = float64(o.P90) / 1e6
		default:
			v = o.WithinTarget
		}
	default:
		return 0, NotGiven
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, NoDataInWindow
	}
	return v, HasValue
}
