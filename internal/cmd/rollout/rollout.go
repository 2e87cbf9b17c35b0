// Package rollout is `iotpm rollout`: how long a staged firmware rollout
// takes to reach the fleet, forecast from each device's measured online
// days.
package rollout

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rollout"
	"github.com/spf13/cobra"
)

// RolloutOptions are the inputs of `iotpm rollout`; each flag overrides
// iotpm.yaml's rollout: setting.
type RolloutOptions struct {
	Factory  *cmdutil.Factory
	Version  string
	Start    string
	Waves    string
	Lookback string
	Success  string
}

// NewCmdRollout builds `iotpm rollout`.
func NewCmdRollout(f *cmdutil.Factory, runF func(*RolloutOptions) error) *cobra.Command {
	opts := &RolloutOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Forecast when a staged firmware rollout reaches the fleet",
		Long: `Forecast a staged OTA rollout from the fleet's own connectivity: the
devices the metrics inputs show with observed time in the lookback (the
whole UTC days before the data's last day), that can take an OTA update
(devices.yaml ota: false cannot) and do not run the version or a later
one already (version order as firmware_on_target's).

  p        = days online / days observed in the lookback (online: a
             connect, a check-in, or connected time that day)
  waves    = the devices ordered by id; wave w takes ⌈share_{w−1}·N⌉ up
             to ⌈share_w·N⌉ (shares cumulative); wave 1 starts on start,
             wave w+1 soak_w days after wave w
  updated  = by the end of day d, 1 − (1 − p·s)^(d − d_w + 1) for a
             device of a wave started on day d_w (one attempt per online
             day; s the success probability: measured, or given)

The expected share updated each day, the day it first reaches 50%, 90% and
95%, the devices never online (they will not update) and the same per
model. Settings come from iotpm.yaml's rollout: section; flags override.`,
		Example: `  iotpm rollout -C examples/leak-sensor
  iotpm rollout --version 2.5.0 --start 2026-12-07 --waves 1%:3d,10%:7d,100%
  iotpm rollout --success 90% -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return rolloutRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Version, "version", "", "the release to roll out")
	cmd.Flags().StringVar(&opts.Start, "start", "", "the day wave 1 starts (YYYY-MM-DD)")
	cmd.Flags().StringVar(&opts.Waves, "waves", "", "cumulative shares and soaks: 1%:3d,10%:7d,100%")
	cmd.Flags().StringVar(&opts.Lookback, "lookback", "", "whole days of history p is measured over (default 28d)")
	cmd.Flags().StringVar(&opts.Success, "success", "", "an attempt's success probability (90%), or metrics: the measured OTA success rate")
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

func wholeDays(flag, s string) (int, error) {
	secs, err := quantity.Duration.Parse(s)
	if err != nil || secs < 0 || secs != math.Trunc(secs/86400)*86400 || secs > 3650*86400 {
		return 0, failure.UsageErrorf("%s %q: give whole days, e.g. 3d or 2w", flag, s)
	}
	return int(secs / 86400), nil
}

// settings are iotpm.yaml's rollout: with the flags applied.
func (o *RolloutOptions) settings(cfg *planfile.Config) (*planning.RolloutSettings, error) {
	s := &planning.RolloutSettings{LookbackDays: planning.DefaultLookbackDays, SuccessFromMetrics: true}
	if cfg != nil && cfg.Rollout != nil {
		fromFile, diags := planning.RolloutSettingsOf(cfg)
		if err := cmdutil.ReportProblems(o.Factory, diags); err != nil {
			return nil, err // printed: the error only counts them
		}
		s = fromFile
	}
	if o.Version != "" {
		s.Flags = append(s.Flags, "version")
		s.Version = o.Version
	}
	if o.Start != "" {
		s.Flags = append(s.Flags, "start")
		t, err := time.Parse(time.DateOnly, o.Start)
		if err != nil {
			return nil, failure.UsageErrorf("--start %q is not a date; write YYYY-MM-DD", o.Start)
		}
		s.Start = t
	}
	if o.Lookback != "" {
		s.Flags = append(s.Flags, "lookback")
		n, err := wholeDays("--lookback", o.Lookback)
		if err != nil || n == 0 {
			return nil, failure.UsageErrorf("--lookback %q: give whole days above 0, e.g. 28d", o.Lookback)
		}
		s.LookbackDays = n
	}
	if o.Success != "" {
		s.Flags = append(s.Flags, "success")
	}
	switch o.Success {
	case "":
	case "metrics":
		s.Success, s.SuccessFromMetrics = 0, true
	default:
		v, err := planfile.ParseFraction(o.Success)
		if err != nil || v == 0 {
			return nil, failure.UsageErrorf("--success: give a share above 0 (90%%) or metrics")
		}
		s.Success, s.SuccessFromMetrics = v, false
	}
	if o.Waves != "" {
		s.Flags = append(s.Flags, "waves")
		s.Waves = nil
		for _, part := range strings.Split(o.Waves, ",") {
			share, soak, _ := strings.Cut(strings.TrimSpace(part), ":")
			v, err := planfile.ParseFraction(share)
			if err != nil {
				return nil, failure.UsageErrorf("--waves %q: %v", part, err)
			}
			w := rollout.Wave{Share: v}
			if soak != "" {
				if w.SoakDays, err = wholeDays("--waves", soak); err != nil {
					return nil, err
				}
			}
			s.Waves = append(s.Waves, w)
		}
	}
	switch {
	case s.Version == "":
		return nil, failure.UsageErrorf("name the release: --version 2.5.0, or iotpm.yaml's rollout: {version: …}")
	case s.Start.IsZero():
		return nil, failure.UsageErrorf("give the start: --start YYYY-MM-DD, or iotpm.yaml's rollout: {start: …}")
	case len(s.Waves) == 0:
		s.Waves = []rollout.Wave{{Share: 1}}
	}
	if err := rollout.ValidateWaves(s.Waves); err != nil {
		return nil, failure.UsageErrorf("%v", err)
	}
	return s, nil
}

func rolloutRun(opts *RolloutOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.ChartFormats)
	if err != nil {
		return err
	}
	cfg, diags := f.Config()
	if cfg == nil {
		return cmdutil.ReportProblems(f, diags)
	}
	s, err := opts.settings(cfg)
	if err != nil {
		return err
	}
	p := planning.ComputeWith(f.Env(), cfg, diags, s)
	if p.Err != nil {
		return p.Err
	}
	if err := cmdutil.ReportProblems(f, p.Problems); err != nil {
		return err
	}
	r, err := p.Rollout, p.RolloutErr
	if r == nil && err == nil {
		err = fmt.Errorf("a rollout forecast needs the fleet: iotpm.yaml's metrics inputs (devices, and events or activity)")
	}
	if err != nil {
		return failure.UsageErrorf("%v", err)
	}
	doc := ToJSON(r)
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return Write(w, format, doc, term) })
}

// JSON is the output of iotpm rollout.
type JSON struct {
	Version            string    `json:"version"`
	Start              string    `json:"start"`
	Horizon            string    `json:"horizon"`
	Lookback           [2]string `json:"lookback"` // [from, to) dates
	Success            float64   `json:"success"`
	SuccessFromMetrics bool      `json:"success_measured"`
	// SuccessByModel: the models whose devices have OTA units with a final
	// success or failure in the metrics window; their attempts succeed
	// with their own rate, the others' with success.
	SuccessByModel []ModelSuccessJSON `json:"success_by_model,omitempty"`
	// SuccessTooFewUnits: models whose units are fewer than 30 (their
	// attempts take success).
	SuccessTooFewUnits []ModelSuccessJSON `json:"success_too_few_units,omitempty"`
	Devices            int                `json:"devices"`
	OnVersion          int                `json:"devices_on_version"`
	// Unordered counts the devices to update whose version cannot be
	// ordered against the release: they count as not on it.
	Unordered   int         `json:"devices_version_unordered"`
	NoOTA       []string    `json:"devices_without_ota"`
	Unreachable []string    `json:"devices_never_online"`
	Outside     int         `json:"devices_outside_waves"`
	Waves       []WaveJSON  `json:"waves"`
	Reach       ReachJSON   `json:"reach"`
	Models      []ModelJSON `json:"models,omitempty"`
	Curve       []DayJSON   `json:"curve"`
	// UpdateCosts are what one update costs each battery profile that
	// states its download (ota: {duration, current});
	// UpdateCostUnstated the battery profiles with an image size only.
	UpdateCosts        []UpdateCostJSON `json:"update_costs,omitempty"`
	UpdateCostUnstated []string         `json:"update_cost_unstated,omitempty"`
}

// UpdateCostJSON is the battery cost of one update for a profile: its
// download's duration and current as devices.yaml states them, the charge
// at the cell, and the days of life it is.
type UpdateCostJSON struct {
	Profile    string   `json:"profile"`
	ImageBytes *float64 `json:"image_bytes"`
	Seconds    float64  `json:"download_s"`
	CurrentMA  float64  `json:"download_current_ma"`
	ChargeMAh  float64  `json:"charge_mah"`
	LifeDays   *float64 `json:"life_days"`
}

// WaveJSON is one wave.
type WaveJSON struct {
	Share   float64 `json:"share"`
	Devices int     `json:"devices"`
	Starts  string  `json:"starts"`
}

// ReachJSON are the days (counting the start day as 1) and dates the
// expected share first reaches 50%, 90% and 95%; null: not within 365
// days.
type ReachJSON struct {
	Days50  *int    `json:"days_50"`
	Date50  *string `json:"date_50"`
	Days90  *int    `json:"days_90"`
	Date90  *string `json:"date_90"`
	Days95  *int    `json:"days_95"`
	Date95  *string `json:"date_95"`
	Percent float64 `json:"-"`
}

// ModelSuccessJSON is a model's measured OTA success rate.
type ModelSuccessJSON struct {
	Model   string  `json:"model"`
	Rate    float64 `json:"rate"`
	Success int     `json:"success"`
	Failure int     `json:"failure"`
}

// ModelJSON is one model's reach within the fleet's rollout.
type ModelJSON struct {
	Model   string `json:"model"`
	Devices int    `json:"devices"`
	ReachJSON
}

// DayJSON is one day of the curve.
type DayJSON struct {
	Day   int     `json:"day"`
	Date  string  `json:"date"`
	Share float64 `json:"share"`
}

func reach(r *planning.Rollout, r50, r90, r95 int) ReachJSON {
	var out ReachJSON
	set := func(day int, days **int, date **string) {
		if day == rollout.Never {
			return
		}
		n, d := day+1, r.DayDate(day).Format(time.DateOnly)
		*days, *date = &n, &d
	}
	set(r50, &out.Days50, &out.Date50)
	set(r90, &out.Days90, &out.Date90)
	set(r95, &out.Days95, &out.Date95)
	return out
}

// ToJSON is the forecast in the output's shape.
func ToJSON(r *planning.Rollout) JSON {
	fc := r.Forecast
	doc := JSON{Version: r.Settings.Version, Start: r.Settings.Start.Format(time.DateOnly), Horizon: r.Horizon.Format(time.RFC3339),
		Lookback: [2]string{r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)}, Success: r.Settings.Success, SuccessFromMetrics: r.Settings.SuccessFromMetrics,
		Devices: fc.N, OnVersion: r.OnVersion, Unordered: r.Unordered, NoOTA: render.OrEmpty(r.NoOTA), Unreachable: render.OrEmpty(fc.Unreachable), Outside: fc.Outside,
		Reach: reach(r, fc.Reach50, fc.Reach90, fc.Reach95)}
	for i, w := range r.Settings.Waves {
		rg := fc.Ranges[i]
		doc.Waves = append(doc.Waves, WaveJSON{Share: w.Share, Devices: rg[1] - rg[0], Starts: r.DayDate(fc.Starts[i]).Format(time.DateOnly)})
	}
	for _, g := range fc.Models {
		doc.Models = append(doc.Models, ModelJSON{Model: g.Model, Devices: g.N, ReachJSON: reach(r, g.Reach50, g.Reach90, g.Reach95)})
	}
	for _, m := range r.ModelSuccess {
		doc.SuccessByModel = append(doc.SuccessByModel, ModelSuccessJSON(m))
	}
	for _, m := range r.TooFewUnits {
		doc.SuccessTooFewUnits = append(doc.SuccessTooFewUnits, ModelSuccessJSON(m))
	}
	for _, u := range r.UpdateCosts {
		uc := UpdateCostJSON{Profile: u.Profile, Seconds: u.Seconds, CurrentMA: u.CurrentA * 1000, ChargeMAh: u.ChargeMAh, LifeDays: render.Finite(u.LifeDays)}
		if u.ImageBytes > 0 {
			uc.ImageBytes = &u.ImageBytes
		}
		doc.UpdateCosts = append(doc.UpdateCosts, uc)
	}
	doc.UpdateCostUnstated = r.UpdateUnstated
	for day, v := range fc.Share {
		doc.Curve = append(doc.Curve, DayJSON{Day: day + 1, Date: r.DayDate(day).Format(time.DateOnly), Share: v})
	}
	return doc
}

// successText says with which probability each attempt succeeds: the
// plan's, or each model's own measured rate where it rests on enough
// units, and which models have too few.
func successText(d JSON) string {
	rates := func(ms []ModelSuccessJSON) string {
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%s %s of %d", m.Model, render.Percent(m.Rate, 1), m.Success+m.Failure))
		}
		return strings.Join(out, ", ")
	}
	succ := render.Percent(d.Success, 1)
	if d.SuccessFromMetrics {
		succ += " (the measured OTA success rate)"
	}
	if len(d.SuccessByModel) > 0 {
		succ = fmt.Sprintf("its model's measured OTA success rate where the model's devices have at least %d OTA units that succeeded or failed in the metrics window (%s), else the fleet's %s",
			planning.MinModelUnits, rates(d.SuccessByModel), render.Percent(d.Success, 1))
	}
	if len(d.SuccessTooFewUnits) > 0 {
		succ += "; too few units for a rate of their own, so the fleet's: " + rates(d.SuccessTooFewUnits)
	}
	return succ
}

func daysText(days *int, date *string) string {
	if days == nil {
		return "not within 365 days"
	}
	return fmt.Sprintf("%d days (%s)", *days, *date)
}

// Shown is how many days of the curve the table and charts show: until a
// week after 95% (or 99% of the final share), at most 120.
func (d JSON) Shown() int {
	last := len(d.Curve)
	final := 0.0
	if last > 0 {
		final = d.Curve[last-1].Share
	}
	for i, c := range d.Curve {
		if c.Share >= 0.95 || c.Share >= 0.99*final {
			return min(i+8, last, 120)
		}
	}
	return min(last, 120)
}

func (d JSON) chart() string {
	n := d.Shown()
	var xs, ys []string
	for _, c := range d.Curve[:n] {
		xs, ys = append(xs, strconv.Itoa(c.Day)), append(ys, strconv.FormatFloat(math.Round(c.Share*1000)/10, 'f', 1, 64))
	}
	return fmt.Sprintf("xychart-beta\n    title \"Rollout of %s: expected share of the fleet updated (%%)\"\n    x-axis \"day\" [%s]\n    y-axis \"%%\" 0 --> 100\n    line [%s]\n",
		render.MermaidText(d.Version), strings.Join(xs, ", "), strings.Join(ys, ", "))
}

// Write renders the forecast in a format.
func Write(w io.Writer, format render.Format, d JSON, term render.Term) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Structured(w, format, d)
	case cmdutil.FormatMermaid:
		_, err := io.WriteString(w, d.chart())
		return err
	}
	curve := &render.Table{Columns: []render.Column{{Header: "DAY", Right: true}, {Header: "DATE"}, {Header: "UPDATED", Right: true}}}
	for _, c := range d.Curve[:d.Shown()] {
		if format == render.FormatCSV {
			curve.Append(strconv.Itoa(c.Day), c.Date, render.Exact(c.Share))
		} else {
			curve.Append(strconv.Itoa(c.Day), c.Date, render.Percent(c.Share, 1))
		}
	}
	if format == render.FormatCSV {
		curve.Rows = curve.Rows[:0]
		for _, c := range d.Curve {
			curve.Append(strconv.Itoa(c.Day), c.Date, render.Exact(c.Share))
		}
		curve.Columns[0].Header, curve.Columns[1].Header, curve.Columns[2].Header = "day", "date", "share"
		return curve.CSV(w)
	}
	md := format == render.FormatMarkdown
	section := func(title string, t *render.Table) error {
		if md {
			fmt.Fprintf(w, "\n### %s\n\n", title)
			return t.Markdown(w)
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(title))
		return t.Text(w, term)
	}
	para := func(s string) {
		if md {
			fmt.Fprintln(w, s)
		} else {
			io.WriteString(w, render.Wrap(s, term.Width))
		}
	}
	if md {
		fmt.Fprintf(w, "## Rollout of %s from %s\n\n", d.Version, d.Start)
	} else {
		fmt.Fprintf(w, "ROLLOUT OF %s FROM %s\n", d.Version, d.Start)
	}
	succ := successText(d)
	para(fmt.Sprintf("%s devices to update: those with observed time in the %s-day lookback, %s up to %s; %s already on %s or later, %s without OTA. Each attempt succeeds with %s.",
		render.Number(float64(d.Devices), 0), strconv.Itoa(dayCount(d.Lookback)), d.Lookback[0], d.Lookback[1],
		render.Number(float64(d.OnVersion), 0), d.Version, render.Number(float64(len(d.NoOTA)), 0), succ))
	if d.Unordered > 0 {
		para(fmt.Sprintf("Of them, %s run a version that cannot be ordered against %s: they count as not on it.", render.Plural(d.Unordered, "device"), d.Version))
	}
	para(fmt.Sprintf("50%%: %s. 90%%: %s. 95%%: %s.", daysText(d.Reach.Days50, d.Reach.Date50), daysText(d.Reach.Days90, d.Reach.Date90), daysText(d.Reach.Days95, d.Reach.Date95)))
	if len(d.Unreachable) > 0 {
		para(fmt.Sprintf("Never online in the lookback, so they will not update (%d): %s.", len(d.Unreachable), render.Few(d.Unreachable, 10, ", ")))
	}
	if d.Outside > 0 {
		para(fmt.Sprintf("No update for %s after the last wave's share.", render.Plural(d.Outside, "device")))
	}
	waves := &render.Table{Columns: []render.Column{{Header: "WAVE", Right: true}, {Header: "SHARE", Right: true}, {Header: "DEVICES", Right: true}, {Header: "STARTS"}}}
	for i, wv := range d.Waves {
		waves.Append(strconv.Itoa(i+1), render.Percent(wv.Share, 1), render.Number(float64(wv.Devices), 0), wv.Starts)
	}
	if err := section("Waves", waves); err != nil {
		return err
	}
	if len(d.Models) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "MODEL"}, {Header: "DEVICES", Right: true}, {Header: "50%", Wrap: true}, {Header: "90%", Wrap: true}, {Header: "95%", Wrap: true}}}
		for _, m := range d.Models {
			model := m.Model
			if model == "" {
				model = "(no model)"
			}
			t.Append(model, render.Number(float64(m.Devices), 0), daysText(m.Days50, m.Date50), daysText(m.Days90, m.Date90), daysText(m.Days95, m.Date95))
		}
		if err := section("By model", t); err != nil {
			return err
		}
	}
	if len(d.UpdateCosts) > 0 {
		t := &render.Table{Columns: []render.Column{{Header: "PROFILE"}, {Header: "IMAGE", Right: true}, {Header: "DOWNLOAD", Right: true}, {Header: "CHARGE", Right: true}, {Header: "LIFE", Right: true}}}
		for _, u := range d.UpdateCosts {
			life, image := "-", "-"
			if u.LifeDays != nil {
				life = render.Number(*u.LifeDays, 1) + " days"
			}
			if u.ImageBytes != nil {
				image = render.Number(*u.ImageBytes/1000, 0) + " kB"
			}
			t.Append(u.Profile, image, render.Seconds(u.Seconds)+" at "+render.Current(u.CurrentMA/1000), render.Number(u.ChargeMAh, 2)+" mAh", life)
		}
		if err := section("Battery cost of one update", t); err != nil {
			return err
		}
		para("Charge: the download as devices.yaml states it (ota: duration and current), at the cell; life: that charge at today's average drain.")
	}
	if len(d.UpdateCostUnstated) > 0 {
		para(fmt.Sprintf("No battery cost of an update for %s: ota: gives the image but not the download; add its duration and current (ota: {image: 1200kB, duration: 30s, current: 150mA}).", strings.Join(d.UpdateCostUnstated, ", ")))
	}
	if err := section("Expected share updated by the end of each day", curve); err != nil {
		return err
	}
	if md {
		fmt.Fprintf(w, "\n```mermaid\n%s```\n", d.chart())
	}
	return nil
}

// dayCount is the days of a [from, to) pair of dates.
func dayCount(span [2]string) int {
	a, err1 := time.Parse(time.DateOnly, span[0])
	b, err2 := time.Parse(time.DateOnly, span[1])
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}
