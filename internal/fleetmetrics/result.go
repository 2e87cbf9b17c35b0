package fleetmetrics

import (
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

func isoMicro(us int64) string { return time.UnixMicro(us).UTC().Format(time.RFC3339) }

// Result is what a metrics run found, in the one shape every format of
// `iotpm metrics` renders from (its fields' tags are the JSON/YAML
// contract); a metric whose inputs were not given is absent, rates are
// fractions 0..1.
type Result struct {
	Window struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"window"`
	// Horizon is H: the latest row of the inputs (or --as-of); null when
	// no input has a row. DataAgeDays is min(to, now) − H.
	Horizon     *string         `json:"horizon"`
	DataAgeDays *float64        `json:"data_age_days"`
	Uptime      *Uptime         `json:"connectivity_uptime,omitempty"`
	MAD         *MAD            `json:"monthly_active_devices,omitempty"`
	Activation  *Activation     `json:"activation_rate,omitempty"`
	OTA         *OTA            `json:"ota_success_rate,omitempty"`
	Firmware    *Firmware       `json:"firmware_on_target,omitempty"`
	Onboarding  *Onboarding     `json:"onboarding,omitempty"`
	Customers   []Customer      `json:"customers,omitempty"`
	Months      []Month         `json:"months,omitempty"`
	Gates       []gate.Gate     `json:"gates"`
	Rows        map[string]Rows `json:"rows"`
}

// Firmware is the firmware in the fleet: the window's active devices
// by the version they run at E = min(to, H).
type Firmware struct {
	// Value is the share at or above Target (null without a target or
	// devices; Reason says why).
	Value    *float64  `json:"value"`
	Reason   string    `json:"reason,omitempty"`
	Target   string    `json:"target,omitempty"`
	At       string    `json:"at"`
	OnTarget int       `json:"devices_on_target"`
	Devices  int       `json:"devices"`
	Unknown  int       `json:"devices_unknown"`
	NoOTA    int       `json:"devices_without_ota"`
	Versions []Version `json:"versions"`
	// order is how the versions are ordered against the target
	// (metrics.firmware.after_release).
	order metrics.VersionOrder
}

// AtOrAbove reports whether a version counts as on target.
func (f *Firmware) AtOrAbove(v string) bool { return f.order.AtOrAbove(v, f.Target) }

// Version is one version's devices.
type Version struct {
	Version string  `json:"version"`
	Devices int     `json:"devices"`
	Share   float64 `json:"share"`
}

// Uptime is connectivity uptime in the output.
type Uptime struct {
	Value *float64 `json:"value"`
	// Reason says why Value is null.
	Reason         string   `json:"reason,omitempty"`
	ConnectedHours float64  `json:"connected_hours"`
	ObservedHours  float64  `json:"observed_hours"`
	Devices        int      `json:"devices"`
	LeftOut        int      `json:"devices_left_out"`
	Mean           *float64 `json:"mean"`
	Median         *float64 `json:"median"`
	SLO            float64  `json:"slo"`
	BelowSLO       int      `json:"devices_below_slo"`
	NeverActivated int      `json:"devices_never_activated"`
	Dormant        int      `json:"devices_dormant"`
	Retired        int      `json:"devices_retired"`
	// DormantAfterDays is D (0: no dormancy).
	DormantAfterDays float64 `json:"dormant_after_days"`
	// ByMode splits the sums by how devices connect: always (connected
	// between events) and checkin (reachable after each check-in);
	// ByModel by devices.yaml profile.
	ByMode  map[string]Mode `json:"by_mode"`
	ByModel []Mode          `json:"by_model"`
}

// Mode is the uptime of the devices of one mode or profile.
type Mode struct {
	Model          string   `json:"model,omitempty"`
	Mode           string   `json:"mode,omitempty"`
	Value          *float64 `json:"value"`
	ConnectedHours float64  `json:"connected_hours"`
	ObservedHours  float64  `json:"observed_hours"`
	Devices        int      `json:"devices"`
	// MissedCheckins: ⌈length / P⌉ of each unreachable stretch of a
	// check-in device in the window.
	MissedCheckins int `json:"missed_checkins"`
}

func modeResult(model, mode string, m metrics.ModeUptime) Mode {
	return Mode{Model: model, Mode: mode, Value: render.Finite(m.Value), ConnectedHours: float64(m.ConnectedUS) / 3600e6,
		ObservedHours: float64(m.ObservedUS) / 3600e6, Devices: m.Devices, MissedCheckins: m.Missed}
}

// MAD is monthly active devices in the output.
type MAD struct {
	Value          *int   `json:"value"`
	Reason         string `json:"reason,omitempty"`
	ByConnection   int    `json:"by_connection"`
	ByActivityOnly int    `json:"by_activity_only"`
	DevicesInInput int    `json:"devices_in_input"`
}

// Cohort is an activation cohort in the output.
type Cohort struct {
	Month     string   `json:"month,omitempty"`
	Value     *float64 `json:"value"`
	Activated int      `json:"activated"`
	Shipped   int      `json:"shipped"`
	Mature    bool     `json:"mature"`
	// BeforeData: units shipped before the fleet's first row, left out
	// of Shipped (metrics.Cohort.BeforeData).
	BeforeData int `json:"before_data"`
	// Straddling: units not activated whose activation window began
	// before the fleet's first row (metrics.Cohort.Straddling).
	Straddling int `json:"not_activated_straddling_data_start"`
}

// Activation is the activation rate in the output: the window's
// cohort and the cohorts by ship month.
type Activation struct {
	Cohort
	Reason      string   `json:"reason,omitempty"`
	WindowDays  float64  `json:"window_days"`
	ByShipMonth []Cohort `json:"by_ship_month"`
	// ByModel splits the cohorts by devices.yaml profile (the devices
	// whose model value metrics.models or the profile id names).
	ByModel []ModelActivation `json:"by_model"`
}

// ModelActivation is one profile's activation: its window cohort and
// its cohorts by ship month.
type ModelActivation struct {
	Model string `json:"model"`
	Cohort
	ByShipMonth []Cohort `json:"by_ship_month"`
}

// OTAJob is one OTA job's units by final status in the output.
type OTAJob struct {
	Job      string   `json:"job,omitempty"`
	Value    *float64 `json:"value"`
	Success  int      `json:"success"`
	Failure  int      `json:"failure"`
	Excluded int      `json:"excluded"`
	Pending  int      `json:"pending"`
}

// OTA is the OTA success rate in the output, overall and by job.
type OTA struct {
	OTAJob
	Reason string   `json:"reason,omitempty"`
	Jobs   []OTAJob `json:"jobs"`
	// ByModel: the units of each devices.yaml profile's devices, every job.
	ByModel []ModelOTA `json:"by_model"`
	// Snapshot: some states come from a snapshot export (no times), counted
	// whatever the window.
	Snapshot bool `json:"snapshot,omitempty"`
}

// ModelOTA is the OTA units of one profile's devices.
type ModelOTA struct {
	Model string `json:"model"`
	OTAJob
}

// Component is one component of a customer's health score.
type Component struct {
	Raw    *float64 `json:"raw"`
	Score  *float64 `json:"score"`
	Weight float64  `json:"weight"`
}

// Customer is a customer's health in the output.
type Customer struct {
	ID         string               `json:"id"`
	Score      *float64             `json:"score"`
	Band       string               `json:"band"`
	Devices    int                  `json:"devices"`
	Components map[string]Component `json:"components"`
}

// Month is one month of the series in the output.
type Month struct {
	Month  string   `json:"month"`
	MAD    int      `json:"mad"`
	Uptime *float64 `json:"uptime"`
}

// FileCopy is a file of an input left out as a copy of another, Of (the
// one read in its place).
type FileCopy struct {
	Path string `json:"path"`
	Of   string `json:"of"`
}

func copyFiles(in []export.FileCopy) []FileCopy {
	var out []FileCopy
	for _, c := range in {
		out = append(out, FileCopy{c.Path, c.Of})
	}
	return out
}

// RowsJSON accounts for every row of one input in the output.
type Rows struct {
	Path string `json:"path"`
	// Files is the number of files of an input that is a directory or a
	// glob (absent for a file); EmptyFiles those of them left out for
	// having no byte.
	Files      int `json:"files,omitempty"`
	EmptyFiles int `json:"empty_files,omitempty"`
	// CopyFiles are files left out for holding the same bytes as
	// another file of the input (its path in Of), read in their place.
	CopyFiles      []FileCopy        `json:"copy_files,omitempty"`
	Format         string            `json:"format"`
	FormatDetected bool              `json:"format_detected"`
	Columns        map[string]string `json:"columns"`
	// ColumnFiles: for an input of many files, how many have the column
	// of a role that some lack (theirs read as empty); absent when every
	// file has every role's column.
	ColumnFiles     map[string]int `json:"column_files,omitempty"`
	Read            int            `json:"read"`
	Used            int            `json:"used"`
	OutsideWindow   int            `json:"outside_window"`
	Skipped         int            `json:"skipped"`
	SkippedByReason map[string]int `json:"skipped_by_reason"`
	Ignored         int            `json:"ignored"`
	IgnoredByReason map[string]int `json:"ignored_by_reason"`
	Duplicates      int            `json:"duplicates"`
	UnknownDevices  int            `json:"unknown_devices"`
	// UnknownCaseOnly: of UnknownDevices, those that are a devices-input
	// id but for letter case (one device counted as two).
	UnknownCaseOnly int `json:"unknown_case_only,omitempty"`
	// UnknownFormOnly: of the others, those that are a devices-input id
	// written otherwise (separators, an "eui-" prefix).
	UnknownFormOnly int `json:"unknown_form_only,omitempty"`
	// StaleDisconnects: disconnects of a session other than the device's
	// current one, which end nothing; SameInstant: connect/disconnect
	// pairs of one device at the same time whose order the data does not
	// say (the disconnect is taken first).
	StaleDisconnects int `json:"stale_disconnects,omitempty"`
	SameInstant      int `json:"same_instant_pairs,omitempty"`
	// PlannedDisconnects: disconnects of check-in devices, which end
	// nothing (events); UnknownModels: devices whose model value names no
	// devices.yaml profile, counted as always connected (devices).
	PlannedDisconnects int `json:"planned_disconnects,omitempty"`
	UnknownModels      int `json:"unknown_models,omitempty"`
	// NoModel: devices without a model value, counted as always
	// connected (devices).
	NoModel  int     `json:"no_model,omitempty"`
	Earliest *string `json:"earliest"`
	Latest   *string `json:"latest"`
}

// NewResult is the result of an outcome and its gates.
func NewResult(out *Outcome, gates []gate.Gate) Result {
	r := out.report
	var doc Result
	doc.Window.From, doc.Window.To = isoMicro(r.Window.From), isoMicro(r.Window.To)
	doc.Gates = append([]gate.Gate{}, gates...)
	doc.Rows = map[string]Rows{}
	doc.DataAgeDays = out.ageDays
	for _, st := range out.stats {
		rj := Rows{Path: st.Path, Format: st.Format, FormatDetected: st.Detected, Columns: st.Columns, ColumnFiles: st.ColumnFiles,
			Files: st.Files, EmptyFiles: st.EmptyFiles, CopyFiles: copyFiles(st.CopyFiles), Read: st.Read, Used: st.Used, OutsideWindow: st.Outside, Skipped: st.SkippedTotal(), SkippedByReason: map[string]int{},
			Ignored: st.IgnoredTotal(), IgnoredByReason: st.Ignored, Duplicates: st.Duplicates, UnknownDevices: st.UnknownDevices, UnknownCaseOnly: st.Join.CaseOnly, UnknownFormOnly: st.Join.FormOnly,
			StaleDisconnects: st.StaleDisconnects, SameInstant: st.SameInstant}
		if u := r.Uptime; u != nil {
			switch st.Kind {
			case planfile.KindEvents:
				rj.PlannedDisconnects = u.PlannedDisconnects
			case planfile.KindDevices:
				rj.UnknownModels, rj.NoModel = u.UnknownModels, u.NoModel
			}
		}
		for kind, n := range st.Skipped {
			rj.SkippedByReason[kind.String()] += n
		}
		if st.Latest != metrics.NoTime {
			e, l := isoMicro(st.Earliest), isoMicro(st.Latest)
			rj.Earliest, rj.Latest = &e, &l
		}
		doc.Rows[string(st.Kind)] = rj
	}
	if r.Horizon != metrics.NoTime {
		h := isoMicro(r.Horizon)
		doc.Horizon = &h
	}
	// reason says why a metric has no value (empty when it has one).
	reason := func(m metrics.Metric) string {
		if _, why := r.Value(m); why != metrics.HasValue {
			return NoValueText(m, why, out.stats)
		}
		return ""
	}
	if u := r.Uptime; u != nil {
		doc.Uptime = &Uptime{Value: render.Finite(u.Value), ConnectedHours: float64(u.ConnectedUS) / 3600e6, ObservedHours: float64(u.ObservedUS) / 3600e6,
			Devices: u.Devices, LeftOut: u.LeftOut, Mean: render.Finite(u.Mean), Median: render.Finite(u.Median), SLO: u.SLO, BelowSLO: u.BelowSLO,
			NeverActivated: u.NeverActivated, Dormant: u.Dormant, Retired: u.Retired, DormantAfterDays: out.dormantDays, Reason: reason(metrics.ConnectivityUptime),
			ByMode: map[string]Mode{"always": modeResult("", "", u.Always), "checkin": modeResult("", "", u.Checkin)}, ByModel: []Mode{}}
		for _, p := range u.ByProfile {
			mode := "always"
			if p.Checkin {
				mode = "checkin"
			}
			doc.Uptime.ByModel = append(doc.Uptime.ByModel, modeResult(p.Profile, mode, p.ModeUptime))
		}
	}
	if m := r.MAD; m != nil {
		doc.MAD = &MAD{ByConnection: m.ByConnection, ByActivityOnly: m.ByActivity, DevicesInInput: m.DevicesInInput, Reason: reason(metrics.MonthlyActiveDevices)}
		if !m.NoData {
			v := m.Value
			doc.MAD.Value = &v
		}
	}
	if a := r.Activation; a != nil {
		doc.Activation = &Activation{Cohort: Cohort{Value: render.Finite(a.Rate), Activated: a.Activated, Shipped: a.Shipped, Mature: a.Mature, BeforeData: a.BeforeData, Straddling: a.Straddling},
			WindowDays: a.WindowDays, ByShipMonth: cohortsJSON(a.ByMonth), ByModel: []ModelActivation{}, Reason: reason(metrics.ActivationRate)}
		for _, p := range a.ByProfile {
			doc.Activation.ByModel = append(doc.Activation.ByModel, ModelActivation{Model: p.Profile,
				Cohort: Cohort{Value: render.Finite(p.Rate), Activated: p.Activated, Shipped: p.Shipped, Mature: p.Mature, BeforeData: p.BeforeData, Straddling: p.Straddling}, ByShipMonth: cohortsJSON(p.ByMonth)})
		}
	}
	if o := r.OTA; o != nil {
		job := func(j metrics.OTAJob) OTAJob {
			return OTAJob{Value: render.Finite(j.Rate), Success: j.Success, Failure: j.Failure, Excluded: j.Excluded, Pending: j.Pending}
		}
		doc.OTA = &OTA{OTAJob: job(o.OTAJob), Jobs: []OTAJob{}, ByModel: []ModelOTA{}, Snapshot: o.Snapshot, Reason: reason(metrics.OTASuccessRate)}
		for _, j := range o.Jobs {
			jj := job(j)
			jj.Job = j.Job
			doc.OTA.Jobs = append(doc.OTA.Jobs, jj)
		}
		for _, p := range o.ByProfile {
			doc.OTA.ByModel = append(doc.OTA.ByModel, ModelOTA{Model: p.Profile, OTAJob: job(p.OTAJob)})
		}
	}
	if f := r.Firmware; f != nil {
		fj := &Firmware{Target: f.Target, At: isoMicro(f.At), OnTarget: f.OnTarget, Devices: f.Devices, Unknown: f.Unknown, NoOTA: f.NoOTA,
			Versions: []Version{}, Reason: reason(metrics.FirmwareOnTarget), order: f.Order}
		if v, why := r.Value(metrics.FirmwareOnTarget); why == metrics.HasValue {
			fj.Value = &v
		}
		for _, v := range f.Versions {
			fj.Versions = append(fj.Versions, Version{Version: v.Version, Devices: v.Devices, Share: float64(v.Devices) / float64(f.Devices)})
		}
		doc.Firmware = fj
	}
	if o := r.Onboarding; o != nil {
		doc.Onboarding = onboardingResult(o, reason)
	}
	for _, c := range r.Customers {
		cj := Customer{ID: c.Customer, Score: render.Finite(c.Score), Band: c.Band, Devices: c.Devices, Components: map[string]Component{}}
		add := func(name string, raw, score *float64, weight float64) {
			if raw != nil {
				cj.Components[name] = Component{Raw: raw, Score: score, Weight: weight}
			}
		}
		add("uptime", c.Uptime, c.UptimeScore, c.UptimeWeight)
		add("usage", c.Usage, c.UsageScore, c.UsageWeight)
		add("tickets_per_100_devices", c.TicketsPer100, c.TicketsScore, c.TicketsWeight)
		doc.Customers = append(doc.Customers, cj)
	}
	for _, m := range r.Months {
		doc.Months = append(doc.Months, Month{Month: m.Label, MAD: m.MAD, Uptime: render.Finite(m.Uptime)})
	}
	return doc
}

// cohortsJSON are ship-month cohorts in the output.
func cohortsJSON(cs []metrics.Cohort) []Cohort {
	out := []Cohort{}
	for _, c := range cs {
		out = append(out, Cohort{Month: c.Label, Value: render.Finite(c.Rate), Activated: c.Activated, Shipped: c.Shipped, Mature: c.Mature, BeforeData: c.BeforeData, Straddling: c.Straddling})
	}
	return out
}
