package metrics

import (
	"slices"
	"strings"
)

// DeviceDays is one device's online and observed days in a span of UTC
// days.
type DeviceDays struct {
	Device string
	// Model is the device's model value ("" when it has none).
	Model string
	// Online counts the days on which the device was active by the
	// monthly-active-devices definition applied to the day: a connect
	// event or an activity row (a check-in) in it, or connected
	// (reachable) time in it. Observed counts the days with observed time
	// (in service, after the data start, not dormant), as uptime counts
	// it.
	Online, Observed int
}

// DayMicros is one day in microseconds.
const DayMicros = 86_400_000_000

// OnlineDays walks every device over the UTC days [from, to) (from and to
// are midnights, UTC) with the same pieces of time as Compute — o's
// horizon, dormancy and models apply — and reports, per device with
// observed time in it, its online and observed days, in device order.
func OnlineDays(d *Data, o Options, from, to int64) []DeviceDays {
	d.sort()
	if to <= from {
		return nil
	}
	days := int((to - from + DayMicros - 1) / DayMicros)
	bounds := make([]int64, days+1)
	for k := range bounds {
		bounds[k] = from + int64(k)*DayMicros
	}
	horizon := d.Horizon(o.AsOf)
	sp := &span{w: Window{From: from, To: to}, horizon: horizon, dormant: o.DormantAfter, bounds: bounds, d0: d.dataStart(horizon)}
	profiles, _ := sp.resolveModels(d, o.Models)
	n, nc := d.devices.Len(), d.customers.Len()
	out := make([]DeviceDays, n)
	parallel(n, func(lo, hi int) {
		wk := newWorker(nc, days, len(profiles))
		active := make([]bool, days)
		for i := lo; i < hi; i++ {
			clear(wk.monthObs)
			d.deviceStats(i, sp, wk, active)
			dd := DeviceDays{Device: d.devices.Names[i]}
			if m := d.model[i]; m >= 0 {
				dd.Model = d.models.Names[m]
			}
			for k := range days {
				if wk.monthObs[k] > 0 {
					dd.Observed++
					if active[k] {
						dd.Online++
					}
				}
			}
			out[i] = dd
		}
	})
	kept := out[:0]
	for _, dd := range out {
		if dd.Observed > 0 {
			kept = append(kept, dd)
		}
	}
	return kept
}

// FleetDevice is one device of a rollout's candidate fleet: its online and
// observed days in the lookback, its version at the horizon ("": unknown),
// its model (the devices.yaml profile its model value names, else the
// value) and whether its profile takes no OTA update.
type FleetDevice struct {
	DeviceDays
	Version string
	NoOTA   bool
}

// LookbackSpan is the lookback of days whole UTC days before the
// horizon's day: [midnight(H) − days, midnight(H)).
func LookbackSpan(horizon int64, days int) (from, to int64) {
	to = horizon - ((horizon%DayMicros)+DayMicros)%DayMicros
	return to - int64(days)*DayMicros, to
}

// FleetDays is every device with observed time in the lookback of days
// whole UTC days before the horizon's day, with its online days, version
// at the horizon and OTA capability, by device id.
func (d *Data) FleetDays(o Options, days int) []FleetDevice {
	horizon := d.Horizon(o.AsOf)
	if horizon == NoTime || days <= 0 {
		return nil
	}
	from, to := LookbackSpan(horizon, days)
	names, versions, models, noOTA := d.ActiveVersions(o)
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	var out []FleetDevice
	for _, dd := range OnlineDays(d, o, from, to) {
		i := index[dd.Device]
		dd.Model = models[i]
		out = append(out, FleetDevice{DeviceDays: dd, Version: versions[i], NoOTA: noOTA[i]})
	}
	slices.SortFunc(out, func(a, b FleetDevice) int { return strings.Compare(a.Device, b.Device) })
	return out
}
