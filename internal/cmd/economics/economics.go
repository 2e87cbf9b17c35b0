// Package economics is `iotpm economics`: what each device model earns and
// costs over its life, from economics.yaml, the device profiles' traffic,
// the roadmap's NRE and the measured activation rate.
package economics

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/economics"
	"github.com/spf13/cobra"
)

// EconomicsOptions are the inputs of `iotpm economics`.
type EconomicsOptions struct {
	Factory   *cmdutil.Factory
	Device    string
	Sweep     string
	Tornado   string
	ListRates bool
}

// NewCmdEconomics builds `iotpm economics`.
func NewCmdEconomics(f *cmdutil.Factory, runF func(*EconomicsOptions) error) *cobra.Command {
	opts := &EconomicsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "economics",
		Short: "What each device earns and costs over its life: LTV, payback",
		Long: `Compute each device model's unit economics from economics.yaml (named
in iotpm.yaml, else economics.yaml in the planning repo), per shipped unit:

  HM        = price × (1 − channel) − bom − assembly
  NRE/unit  = nre / Σ units of every model   (nre: plan = the roadmap's
              tooling and certification fees)
  R         = attach × subscription price    per activated device-month
  K         = connectivity + cloud + support per activated device-month
  c_m       = activation × (R × (1 − churn)^(m−1) − K), m = 1..life
  LTV       = HM − NRE/unit + Σ c_m
  payback   = first month the running total reaches 0 (0: the hardware
              alone pays back; never within life)

Revenue decays with churn, costs do not: a churned subscriber's device
still connects. Messages and megabytes a month come from devices.yaml with
every scheduled feature shipped: each event that sends (a lora phase, or
uplink: {bytes: N}) is one message per wake; a month is 30.4375 days and a
MB 10⁶ bytes. activation: metrics takes the rate iotpm metrics measures.`,
		Example: `  iotpm economics -C examples/leak-sensor
  iotpm economics --device drip-lora -o markdown     # the cash curve
  iotpm economics --sweep activation=60%,80%,95%
  iotpm economics --tornado 20% --device drip-valve  # which input matters most`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return economicsRun(opts)
		},
	}
	cmd.Flags().Var(&cmdutil.OnceValue{P: &opts.Device, Hint: "--device shows one model; run once per model, or leave it out for every model"}, "device", "one model: its month-by-month cash curve")
	cmd.Flags().StringVar(&opts.Sweep, "sweep", "", "LTV and payback for each value of one input: INPUT=V1,V2,… (e.g. activation=60%,80%)")
	cmd.Flags().StringVar(&opts.Tornado, "tornado", "", "vary every input by ±SHARE (e.g. 20%) and rank them by how far LTV moves")
	cmd.Flags().BoolVar(&opts.ListRates, "list-rates", false, "list the built-in rate cards with their sources and exit")
	_ = cmd.RegisterFlagCompletionFunc("sweep", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, n := range economics.InputNames() {
			out = append(out, n+"=")
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	})
	cmdutil.DeclareFormats(cmd, cmdutil.ChartFormats)
	return cmd
}

// sweep is a parsed --sweep.
type sweep struct {
	Input  string
	Values []float64
	Texts  []string
}

func parseSweep(s string) (*sweep, error) {
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(list) == "" {
		return nil, failure.UsageErrorf("--sweep takes INPUT=V1,V2,…, e.g. activation=60%%,80%%,95%%")
	}
	share, known := economics.LookupInput(name)
	if !known {
		return nil, failure.UsageErrorf("--sweep: unknown input %q%s; inputs: %s", name, cmdutil.DidYouMean(name, economics.InputNames()), strings.Join(economics.InputNames(), ", "))
	}
	sw := &sweep{Input: name}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		var v float64
		var err error
		switch {
		case name == "life":
			var months int
			months, err = planfile.ParseMonths(t)
			v = float64(months)
		case name == "churn":
			v, _, err = planfile.ParseChurn(t)
		case name == "discount" && strings.Contains(t, "/"):
			v, err = planfile.ParseAnnualRate(t) // as in the file; a plain share is a year's too
		case name == "subscription.price":
			v, err = planfile.ParseMonthlyPrice(t)
		case share:
			v, err = planfile.ParseFraction(t)
		default:
			v, err = quantity.ParseNumber(t)
			if err == nil && v < 0 {
				err = fmt.Errorf("%s is negative", t)
			}
		}
		if err != nil {
			return nil, failure.UsageErrorf("--sweep %s: %v", name, err)
		}
		sw.Values, sw.Texts = append(sw.Values, v), append(sw.Texts, t)
	}
	if len(sw.Values) > 100 {
		return nil, failure.UsageErrorf("--sweep takes at most 100 values, got %d", len(sw.Values))
	}
	return sw, nil
}

func economicsRun(opts *EconomicsOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.ChartFormats)
	if err != nil {
		return err
	}
	if opts.ListRates {
		return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return writeRates(w, format, term) })
	}
	var sw *sweep
	if opts.Sweep != "" {
		if sw, err = parseSweep(opts.Sweep); err != nil {
			return err
		}
	}
	var tornado float64
	if opts.Tornado != "" {
		if tornado, err = planfile.ParseFraction(opts.Tornado); err != nil || tornado == 0 {
			return failure.UsageErrorf("--tornado takes a share above 0%% and at most 100%%, e.g. 20%%")
		}
	}
	if sw != nil && tornado > 0 {
		return failure.UsageErrorf("give --sweep or --tornado, not both")
	}
	cfg, diags := f.Config()
	p := planning.Compute(f.Env(), cfg, diags)
	if p.Err != nil {
		return p.Err
	}
	if err := cmdutil.ReportProblems(f, p.Problems); err != nil {
		return err
	}
	e := p.Economics
	if e == nil {
		return failure.UsageErrorf("the planning repo has no economics.yaml: write one (iotpm init writes an example; iotpm schema economics) or name it in iotpm.yaml, economics: FILE")
	}
	if err := cmdutil.ReportProblems(f, e.Unmeasured); err != nil {
		return err
	}
	var ids []string
	for _, r := range e.Results {
		ids = append(ids, r.ID)
	}
	if opts.Device != "" && !slices.Contains(ids, opts.Device) {
		return failure.UsageErrorf("--device %s is no model of %s%s; models: %s", opts.Device, e.File.File, cmdutil.DidYouMean(opts.Device, ids), strings.Join(ids, ", "))
	}
	doc, err := buildDoc(e, opts.Device, sw, tornado)
	if err != nil {
		return err
	}
	return cmdutil.EmitWithProblems(f, format, func(w *bytes.Buffer, term render.Term) error { return write(w, format, doc, term) })
}
