package economics_test

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	economicscmd "github.com/iotpm/iotpm/internal/cmd/economics"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

// handEconomics replaces the example's economics.yaml with one model whose
// numbers are worked by hand below. drip-lora's heartbeat is a LoRa uplink
// with a 17-byte PHY payload every 15 min; the plan ships
// adaptive-heartbeat (Hotfix 3), which sends it every 2 h instead. A month
// is 2,629,800 s:
//
//	today:     2,629,800 / 900  = 2,922 messages
//	with plan: 2,629,800 / 7200 = 365.25 messages
//	bytes/msg: 17 + 3 overhead  = 20
//	downloads: one 180 kB image every 3mo (7,889,400 s) = 60,000 B a month
//	with plan: MB = (365.25 × 20 + 60,000) / 10⁶ = 0.067305 → connectivity $0.067305
//	           cloud 365.25 / 10⁶ × $1.00     = $0.00036525
//	           support 10 × 0.01              = $0.10
//	           K = 0.16767025;  R = 50% × 2.00 = 1.00
//	HM = 100 × 0.8 − 30 − 10 = 40;  NRE/unit = 73,000 / 10,000 = 7.30
//	c_m = 0.5 × (1.00 − 0.16767025) = 0.416164875 (no churn), 24 months
//	LTV = 40 − 7.30 + 24 × 0.416164875 = 42.687957
//
// adaptive-heartbeat alone changes K by (365.25 − 2,922) × 20 B at $1/MB
// plus (365.25 − 2,922) messages at $1/million:
//
//	−2,556.75 × (20 × 10⁻⁶ + 10⁻⁶) = −0.05369175 per device-month
const handEconomics = `currency: USD
life: 24mo
nre: 73000
models:
  drip-lora:
    units: 10000
    price: 100
    channel: 20%
    bom: 30
    assembly: 10
    activation: 50%
    subscription: {price: 2.00, attach: 50%}
    connectivity: {per_mb: 1.00, overhead: 3B}
    cloud: {per_million_messages: 1.00}
    support: {per_ticket: 10, tickets_per_device_month: 0.01}
`

const handLTV = 40 - 7.3 + 24*0.416164875

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func handRepo(t *testing.T) string {
	dir := cmdtest.CopyExample(t)
	cmdtest.WriteFile(t, dir, "economics.yaml", handEconomics)
	// the example's gates name models this file leaves out
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), `    models: {drip-valve: {ltv: ">= 100"}}`+"\n", "")
	return dir
}

// recurringCosts is rice's $/DEV-MO column: each feature's recurring cost
// per device-month, for the features that have one.
func recurringCosts(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("rice: exit %d: %s", code, stderr)
	}
	var ranked struct {
		Features []struct {
			ID   string   `json:"id"`
			Cost *float64 `json:"recurring_cost_per_device_month"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(stdout), &ranked); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range ranked.Features {
		if f.Cost != nil {
			out[f.ID] = *f.Cost
		}
	}
	return out
}

func TestHandComputedModel(t *testing.T) {
	dir := handRepo(t)
	doc := economicsJSON(t, dir)
	m := doc.Models[0]
	near(t, "hardware_margin", m.HardwareMargin, 40)
	near(t, "nre_per_unit", m.NREPerUnit, 7.3)
	near(t, "messages", m.MessagesPerMonth, 365.25)
	near(t, "MB", m.MBPerMonth, 0.067305)
	near(t, "revenue", m.Monthly.Revenue, 1)
	near(t, "connectivity", m.Monthly.Connectivity, 0.067305)
	near(t, "cloud", m.Monthly.Cloud, 0.00036525)
	near(t, "support", m.Monthly.Support, 0.1)
	near(t, "ltv", m.LTV, handLTV)
	if m.PaybackMonths == nil || *m.PaybackMonths != 0 {
		t.Errorf("payback %v, want 0", m.PaybackMonths)
	}
	// the rice column: what adaptive-heartbeat alone does to K
	costs := recurringCosts(t, dir)
	for id, cost := range costs {
		if id != "adaptive-heartbeat" {
			t.Errorf("%s has a recurring cost %v, and its events send nothing", id, cost)
		}
	}
	if cost, ok := costs["adaptive-heartbeat"]; !ok {
		t.Error("adaptive-heartbeat has no recurring cost")
	} else {
		near(t, "adaptive-heartbeat $/device-month", cost, -0.05369175)
	}
	stdout, _, _ := cmdtest.Run(t, nil, "rice", "-C", dir)
	if !strings.Contains(stdout, "$/DEV-MO") || !strings.Contains(stdout, "-$0.0537") {
		t.Errorf("rice table lacks the column:\n%s", stdout)
	}
}

// The example's drip-lora and drip-valve take activation from iotpm
// metrics. Their own units in the devices export (6 each) all shipped in
// 2026-10, a cohort not mature yet, so the whole fleet's rate stands in:
// the window's cohort (2026-10) is not mature either, so it is the pooled
// one of the mature ship months 2026-04..09:
// (31+30+32+36+24+28) / (40+36+38+46+34+34) = 181/228.
func TestActivationFromMetrics(t *testing.T) {
	doc := economicsJSON(t, cmdtest.ExampleRepo)
	if doc.Measured == nil || len(doc.Measured.Activation) != 2 {
		t.Fatalf("measured activation of drip-lora and drip-valve: %+v", doc.Measured)
	}
	for _, a := range doc.Measured.Activation {
		near(t, a.Model+" measured", a.Rate, 181.0/228)
		if !a.Fleet || !strings.Contains(a.Basis, "181 of 228") || !strings.Contains(a.Basis, "6 "+a.Model+" units shipped in cohorts not mature yet") {
			t.Errorf("%s: %+v", a.Model, a)
		}
	}
	for _, m := range doc.Models {
		want := 181.0 / 228
		if m.ID == "drip-puck" {
			want = 0.8 // given in the file
		}
		near(t, m.ID+" activation", m.Activation, want)
	}
}

// A model whose units have a mature cohort takes its own rate. The
// example's devices export with every 2026-05 unit (36, 30 activated)
// given the drip-valve model: drip-valve's rate is 30/36, drip-lora's
// (its six 2026-10 units still immature) the fleet's, unchanged at
// 181/228 — the export's other columns are as they were.
func TestActivationFromMetricsByModel(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	path := filepath.Join(dir, "exports", "devices.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	n := 0
	for i, l := range lines {
		// device_id,shipped_at,customer_id,model,firmware
		f := strings.Split(l, ",")
		if len(f) == 5 && strings.HasPrefix(f[1], "2026-05") && f[3] == "" {
			f[3] = "drip-valve"
			lines[i] = strings.Join(f, ",")
			n++
		}
	}
	if n != 36 {
		t.Fatalf("%d units shipped in 2026-05 without a model, want 36", n)
	}
	cmdtest.WriteFile(t, dir, "exports/devices.csv", strings.Join(lines, "\n"))
	doc := economicsJSON(t, dir)
	for _, m := range doc.Models {
		switch m.ID {
		case "drip-valve":
			near(t, "drip-valve activation", m.Activation, 30.0/36)
		case "drip-lora":
			near(t, "drip-lora activation", m.Activation, 181.0/228)
		}
	}
	for _, a := range doc.Measured.Activation {
		if a.Model == "drip-valve" && (a.Fleet || a.Basis != "drip-valve units: every mature ship-month cohort, 30 of 36 units") {
			t.Errorf("drip-valve: %+v", a)
		}
	}
}

func economicsJSON(t *testing.T, dir string) economicscmd.Doc {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc economicscmd.Doc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestGoldens(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"economics", "-C", cmdtest.ExampleRepo}},
		{"curve.golden", []string{"economics", "-C", cmdtest.ExampleRepo, "--device", "drip-valve", "-o", "markdown"}},
		{"sweep.golden", []string{"economics", "-C", cmdtest.ExampleRepo, "--sweep", "activation=60%,80%,95%"}},
		{"tornado.golden", []string{"economics", "-C", cmdtest.ExampleRepo, "--tornado", "20%", "--device", "drip-lora"}},
		{"rates.golden", []string{"economics", "--list-rates"}},
		{"csv.golden", []string{"economics", "-C", cmdtest.ExampleRepo, "-o", "csv"}},
	})
}

// The tornado on the hand model: price moves LTV by ±20 × 0.8 = ±16 (width
// 32); the others far less: price comes first.
func TestTornadoOrderOnTheHandModel(t *testing.T) {
	dir := handRepo(t)
	stdout, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir, "--tornado", "20%", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc economicscmd.Doc
	json.Unmarshal([]byte(stdout), &doc)
	bars := doc.Tornado[0].Bars
	if bars[0].Input != "price" {
		t.Fatalf("first bar %s, want price", bars[0].Input)
	}
	near(t, "price width", bars[0].Width(), 32)
	for i := 1; i < len(bars); i++ {
		if bars[i].Width() > bars[i-1].Width() {
			t.Errorf("bars out of order at %d: %v", i, bars)
		}
	}
}

func TestBadUse(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--sweep", "activaton=50%"}, `--sweep: unknown input "activaton"; did you mean "activation"?`},
		{[]string{"--sweep", "activation=85"}, "85 is ambiguous: write 85% or 0.85"},
		{[]string{"--sweep", "price"}, "--sweep takes INPUT=V1,V2,…"},
		{[]string{"--tornado", "0%"}, "--tornado takes a share above 0"},
		{[]string{"--sweep", "price=1", "--tornado", "10%"}, "give --sweep or --tornado, not both"},
		{[]string{"--device", "drip-lorra"}, `--device drip-lorra is no model of`},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append([]string{"economics", "-C", cmdtest.ExampleRepo}, tt.args...)...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
	// a repo without economics.yaml says how to get one
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "economics: economics.yaml\n", "")
	if err := os.Remove(filepath.Join(dir, "economics.yaml")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir)
	if code == 0 || !strings.Contains(stderr, "has no economics.yaml") {
		t.Errorf("no file: exit %d %q", code, stderr)
	}
}

// A window with no data: the measured tickets cannot be had, economics
// stops at the model that asks for them (exit 2), and check fails the
// economics gates naming why instead of passing them.
func TestUnmeasurableValues(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "month: 2030-10")
	_, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "economics.yaml:10:5: models: drip-lora: support: tickets per device-month come from the tickets export when not given, but the metrics window has no data") {
		t.Errorf("economics: exit %d: %s", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "economics.payback.drip-lora has no value: models: drip-lora: support") {
		t.Errorf("check: exit %d: %s", code, stderr)
	}
}

// The diff names what a change does to the recurring cost and LTV. The
// head makes the planned adaptive heartbeat as frequent as today's, so
// with the plan drip-lora sends 2,922 messages a month instead of 365.25:
// K rises by 0.05369175 (see handEconomics) and LTV falls by
// 24 × 0.5 × 0.05369175 = 0.644301; × 5,000 activated units =
// $268.46 a month.
func TestDiffNamesRecurringCost(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed")
	}
	root := t.TempDir()
	plan := filepath.Join(root, "plan")
	if err := os.Rename(handRepo(t), plan); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	cmdtest.EditFile(t, filepath.Join(plan, "devices.yaml"), "replaces: heartbeat, every: 2h}", "replaces: heartbeat, every: 15m}")
	stdout, stderr, code := cmdtest.Run(t, nil, "diff", "-C", plan, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Summary   string
		Economics []struct {
			Model           string  `json:"model"`
			RecurringBefore float64 `json:"recurring_cost_before"`
			RecurringAfter  float64 `json:"recurring_cost_after"`
			Activated       float64 `json:"activated_units"`
			LTVBefore       float64 `json:"ltv_before"`
			LTVAfter        float64 `json:"ltv_after"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Economics) != 1 {
		t.Fatalf("economics changes %+v", d.Economics)
	}
	e := d.Economics[0]
	near(t, "recurring before", e.RecurringBefore, 0.16767025)
	near(t, "recurring change", e.RecurringAfter-e.RecurringBefore, 0.05369175)
	near(t, "activated", e.Activated, 5000)
	near(t, "ltv before", e.LTVBefore, handLTV)
	near(t, "ltv change", e.LTVAfter-e.LTVBefore, -24*0.5*0.05369175)
	want := "drip-lora recurring +$0.0537/device-month (× 5,000 activated = +$268.46/month); LTV $42.69 → $42.04"
	if !strings.Contains(d.Summary, want) {
		t.Errorf("summary %q lacks %q", d.Summary, want)
	}
}

// nre: plan without a roadmap calendar has no plan to take the NRE from:
// refused, never a silent 0.
func TestPlanNREWithoutCalendar(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	data, err := os.ReadFile(filepath.Join(dir, "features.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	start, end := strings.Index(s, "roadmap:\n"), strings.Index(s, "themes:\n")
	cmdtest.WriteFile(t, dir, "features.yaml", s[:start]+s[end:])
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  roadmap: no_unscheduled_basic  # every Kano-basic feature is scheduled\n", "")
	_, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "nre: plan is the roadmap's tooling and certification fees, and") || !strings.Contains(stderr, "has no roadmap: calendar") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// A subscription price and a churn may carry their period, in the file as
// in --sweep: 24/y is the hand model's 2.00 a month, and a sweep value
// 20%/y is the same churn as the file's 20%/y (the monthly rate
// 1 − 0.8^(1/12)), never 20% a month.
func TestPeriodsInSweepAndFile(t *testing.T) {
	dir := handRepo(t)
	cmdtest.EditFile(t, filepath.Join(dir, "economics.yaml"), "price: 2.00,", "price: 24/y,")
	ltv := func(args ...string) economicscmd.Doc {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"economics", "-C", dir, "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var doc economicscmd.Doc
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	near(t, "ltv at 24/y", ltv().Models[0].LTV, handLTV)
	sw := ltv("--sweep", "subscription.price=2,24/y,2/month").Sweep.Rows
	for i, r := range sw {
		near(t, "sweep price value "+sw[i].Text, r.Value, 2)
		near(t, "sweep price LTV "+sw[i].Text, r.LTV, handLTV)
	}
	// churn 20%/y: revenue R = 1.00 decays by q = 0.8^(1/12) a month
	q := math.Pow(0.8, 1.0/12)
	want := 40 - 7.3
	for m := 1; m <= 24; m++ {
		want += 0.5 * (math.Pow(q, float64(m-1)) - 0.16767025)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "economics.yaml"), "    activation: 50%\n", "    activation: 50%\n    churn: 20%/y\n")
	near(t, "ltv with churn 20%/y", ltv().Models[0].LTV, want)
	// a discount is yearly, with its period as in the file or without
	sw = ltv("--sweep", "discount=10%/y,10%").Sweep.Rows
	if sw[0].LTV != sw[1].LTV || sw[0].LTV >= handLTV {
		t.Errorf("sweep discount 10%%/y and 10%%: LTV %.4f and %.4f, want equal and below %.4f", sw[0].LTV, sw[1].LTV, handLTV)
	}
	sw = ltv("--sweep", "churn=20%/y,20%").Sweep.Rows
	near(t, "sweep churn 20%/y", sw[0].LTV, want)
	if sw[1].LTV >= want-1 {
		t.Errorf("sweep churn 20%% (a month) LTV %.4f, want well below the yearly %.4f", sw[1].LTV, want)
	}
}

// Tickets per device-month are counted over the months the data covers:
// with the data ending mid-window (as_of 2026-10-16, 15 of October's 31
// days), Σ tickets / Σ devices of the customers / (15 / 30.4375), not
// over the whole month (which read 15/31 as high). A tickets export that
// ends before the window starts is refused: it cannot tell a month without
// tickets from an export that stopped (it gave 0, and no support cost); so
// is one that starts after the window ends.
func TestMeasuredTicketsCoverTheData(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "month: 2026-10\n  as_of: 2026-10-16T00:00:00Z")
	stdout, stderr, code := cmdtest.Run(t, nil, "metrics", "-C", dir, "-o", "json")
	var m struct {
		Customers []struct {
			Devices    float64 `json:"devices"`
			Components struct {
				Tickets struct {
					Raw float64 `json:"raw"`
				} `json:"tickets_per_100_devices"`
			} `json:"components"`
		} `json:"customers"`
	}
	if err := json.Unmarshal([]byte(stdout), &m); err != nil || len(m.Customers) == 0 {
		t.Fatalf("metrics: exit %d %v: %s", code, err, stderr)
	}
	var tickets, devices float64
	for _, c := range m.Customers {
		tickets += c.Components.Tickets.Raw * c.Devices / 100
		devices += c.Devices
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "economics", "-C", dir, "-o", "json")
	var doc economicscmd.Doc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Measured == nil || doc.Measured.TicketsPerDeviceMonth == nil {
		t.Fatalf("economics: exit %d %v: %s", code, err, stderr)
	}
	near(t, "tickets per device-month", *doc.Measured.TicketsPerDeviceMonth, math.Round(tickets)/devices/(15/30.4375))

	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10\n  as_of: 2026-10-16T00:00:00Z", "month: 2026-11")
	_, stderr, code = cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "economics.yaml:10:5: models: drip-lora: support: tickets per device-month come from the tickets export when not given, but the tickets export ends 2026-10-24, before the metrics window starts (2026-11-01)") {
		t.Errorf("a tickets export ending before the window: exit %d: %s", code, stderr)
	}
	// nor one that starts after the window ends: the example's tickets
	// start 2026-09-02, August had 0 of them and no support cost
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-11", "month: 2026-08")
	_, stderr, code = cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "economics.yaml:10:5: models: drip-lora: support: tickets per device-month come from the tickets export when not given, but the tickets export starts 2026-09-02, after the metrics window ends (2026-09-01)") {
		t.Errorf("a tickets export starting after the window: exit %d: %s", code, stderr)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-08", "month: 2026-11")
	// the data (to 2026-11-10) covers a third of November: said
	_, stderr, _ = cmdtest.Run(t, nil, "metrics", "-C", dir, "--now=2026-12-04T00:00:00Z")
	if !strings.Contains(stderr, "iotpm.yaml: warning: the data ends 2026-11-10T23:56:19Z, 20 days before the window's end 2026-12-01T00:00:00Z: counts over the window (monthly active devices, tickets per 100 devices, usage) cover 33% of it") {
		t.Errorf("a window the data covers a third of: %s", stderr)
	}
	// month to date, the data a day behind now at most: nothing to say
	_, stderr, _ = cmdtest.Run(t, nil, "metrics", "-C", dir, "--now=2026-11-11T12:00:00Z")
	if strings.Contains(stderr, "the data ends") {
		t.Errorf("month to date: %s", stderr)
	}
}

// The aws-iot-core card meters messages in 5 KB blocks: drip-valve's hourly
// check-in made 12,000 bytes is 3 blocks, 730.5 × 3 = 2,191.5 metered
// messages a month, $0.0021915 + $0.02 a device = $0.0221915 (it was
// priced as 730.5 messages). A flat plan's data allowance is held against
// the traffic over the model's life: 1nce-lifetime includes 500 MB; 12,000
// bytes an hour is 8.766 MB a month, 526 MB over 60 months: warned.
func TestRateCardTerms(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "uplink: {bytes: 120}", "uplink: {bytes: 12000}")
	stdout, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir, "-o", "json", "--device", "drip-valve")
	var doc economicscmd.Doc
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	near(t, "drip-valve cloud", doc.Models[0].Monthly.Cloud, 730.5*3/1e6+0.02)
	near(t, "drip-valve messages", doc.Models[0].MessagesPerMonth, 730.5)

	cmdtest.WriteFile(t, dir, "economics.yaml", `currency: EUR
life: 5y
nre: 0
models:
  drip-valve: {units: 100, price: 200, bom: 80, activation: 90%, connectivity: 1nce-lifetime}
`)
	_, stderr, code = cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != 0 || !strings.Contains(stderr, "economics.yaml:5:15: warning: models: drip-valve: uses 9.166 MB a month (0.4 of them firmware downloads), 550 MB over its 60-month life, beyond the 500 MB its connectivity plan includes") {
		t.Errorf("1nce allowance: exit %d: %s", code, stderr)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "uplink: {bytes: 12000}", "uplink: {bytes: 120}")
	if _, stderr, _ = cmdtest.Run(t, nil, "economics", "-C", dir); strings.Contains(stderr, "MB its connectivity plan includes") {
		t.Errorf("5 MB over life warned of: %s", stderr)
	}
}

// A model that earns for longer than its device's battery lasts, with a
// cell no one replaces, is warned of at the model: drip-puck's cr2032 lasts
// 3.5 y (41.96 months: 41 whole months) and the file's life is 5y. Marked
// replaceable (as the example is), or with a life of at most 41 months,
// there is no warning.
func TestLifeOutlastingTheBattery(t *testing.T) {
	const warning = "economics.yaml:22:5: warning: models: drip-puck: its life, 60 months, outlasts its battery: 3.5 y with the plan (devices.yaml drip-puck, cell cr2032), and the cell is not marked replaceable, so months 42 to 60"
	for _, tt := range []struct {
		name        string
		replaceable bool
		life        string
		want        bool
	}{
		{"replaceable", true, "", false},
		{"not replaceable", false, "", true},
		{"life within the battery's", false, "41mo", false},
		{"a month beyond", false, "42mo", true},
	} {
		dir := cmdtest.CopyExample(t)
		if !tt.replaceable {
			cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "{cell: cr2032, replaceable: true}", "{cell: cr2032}")
		}
		if tt.life != "" {
			cmdtest.EditFile(t, filepath.Join(dir, "economics.yaml"), "  drip-puck:\n", "  drip-puck:\n    life: "+tt.life+"\n")
		}
		_, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.name, code, stderr)
		}
		got := strings.Contains(stderr, "drip-puck: its life")
		if got != tt.want || tt.want && tt.life == "" && !strings.Contains(stderr, warning) {
			t.Errorf("%s: warned %v, want %v:\n%s", tt.name, got, tt.want, stderr)
		}
	}
}

// -o csv's headers are snake_case names for scripts, one per column (a
// column added to the table without its CSV name would show its table
// header instead).
func TestCSVHeaders(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "economics", "-C", cmdtest.ExampleRepo, "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	header := strings.SplitN(stdout, "\n", 2)[0]
	for _, h := range strings.Split(header, ",") {
		if h == "" || strings.Trim(h, "abcdefghijklmnopqrstuvwxyz_") != "" {
			t.Errorf("header %q in %q is not snake_case", h, header)
		}
	}
}

// Without how often updates come, the per-MB model's megabytes are its
// messages' alone (the hand model's 0.007305 MB), and the device is warned
// of; ota: false says it takes none.
func TestDownloadsLeftOutAreWarned(t *testing.T) {
	dir := handRepo(t)
	devices := filepath.Join(dir, "devices.yaml")
	cmdtest.EditFile(t, devices, "current: 6mA, every: 3mo}", "current: 6mA}")
	stdout, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir, "-o", "json")
	var doc economicscmd.Doc
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	near(t, "MB without downloads", doc.Models[0].MBPerMonth, 0.007305)
	for _, want := range []string{"devices.yaml:8:5: warning: device drip-lora takes firmware updates over the air, and its megabytes a month in ", "economics.yaml leave their downloads out"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	cmdtest.EditFile(t, devices, "    ota: {image: 180kB, duration: 45min, current: 6mA}", "    ota: false")
	if _, stderr, code = cmdtest.Run(t, nil, "economics", "-C", dir); code != 0 || strings.Contains(stderr, "leave their downloads out") {
		t.Errorf("ota: false: exit %d: %s", code, stderr)
	}
}

// A planned delta update (a variant of ota-update with its own image)
// shrinks the downloads economics counts once it ships, and rice's
// $/DEV-MO column shows the saving; omitted, its image is ota.image's:
//
//	with plan: one 18 kB image every 3mo = 6,000 B a month
//	MB = (365.25 × 20 + 6,000) / 10⁶ = 0.013305
//	ota-delta alone: (6,000 − 60,000) B × $1/MB = −0.054 per device-month
func TestDeltaUpdateImage(t *testing.T) {
	dir := handRepo(t)
	devices := filepath.Join(dir, "devices.yaml")
	variant := "      - {name: delta-update, feature: ota-delta, replaces: ota-update, image: 18kB, duration: 5min, current: 6mA}\n"
	cmdtest.EditFile(t, devices, "      # planned: when adaptive-heartbeat ships", variant+"      # planned: when adaptive-heartbeat ships")
	doc := economicsJSON(t, dir)
	near(t, "MB with the delta update", doc.Models[0].MBPerMonth, 0.013305)
	cost, ok := recurringCosts(t, dir)["ota-delta"]
	if !ok {
		t.Fatal("ota-delta has no recurring cost")
	}
	near(t, "ota-delta $/device-month", cost, -0.054)
	// without its own image, the variant downloads ota.image's 180 kB
	cmdtest.EditFile(t, devices, "image: 18kB, duration: 5min", "duration: 5min")
	near(t, "MB with a variant of the same image", economicsJSON(t, dir).Models[0].MBPerMonth, 0.067305)
}

// A device on mains power (a hub) has a profile for its traffic and
// updates and no battery: economics counts it, battery lists it as not
// applicable. By hand, a status of 120 B every 5 min and a 4 MB image a
// month, at the hand model's 3 B overhead, $1/MB and $1 per million:
//
//	messages: 2,629,800 / 300 = 8,766
//	MB = (8,766 × (120 + 3) + 4,000,000) / 10⁶ = 5.078218 → connectivity $5.078218
//	cloud: 8,766 / 10⁶ × $1 = $0.008766
func TestMainsPoweredModel(t *testing.T) {
	dir := handRepo(t)
	cmdtest.AppendFile(t, dir, "devices.yaml", cmdtest.MainsHub)
	cmdtest.WriteFile(t, dir, "economics.yaml", handEconomics+`  hub:
    units: 1000
    price: 100
    bom: 40
    activation: 100%
    connectivity: {per_mb: 1.00, overhead: 3B}
    cloud: {per_million_messages: 1.00}
`)
	doc := economicsJSON(t, dir)
	var found bool
	for _, m := range doc.Models {
		if m.ID == "hub" {
			found = true
			near(t, "hub messages", m.MessagesPerMonth, 8766)
			near(t, "hub MB", m.MBPerMonth, 5.078218)
			near(t, "hub connectivity", m.Monthly.Connectivity, 5.078218)
			near(t, "hub cloud", m.Monthly.Cloud, 0.008766)
		}
	}
	if !found {
		t.Fatalf("no hub among %+v", doc.Models)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", dir)
	if code != 0 || strings.Contains(stdout, "hub") || !strings.Contains(stderr, "Not listed: hub on mains power") {
		t.Errorf("battery: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"--device", "hub"}, {"--plan", "--device", "hub"}} {
		if _, stderr, code := cmdtest.Run(t, nil, append([]string{"battery", "-C", dir}, args...)...); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "device hub is on mains power") {
			t.Errorf("battery %v: exit %d: %s", args, code, stderr)
		}
	}
	if _, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir); code != 0 {
		t.Errorf("check: exit %d: %s", code, stderr)
	}
}

// An NRE over no units is refused at a line of economics.yaml, not at
// the file alone.
func TestNREOverNoUnits(t *testing.T) {
	dir := handRepo(t)
	cmdtest.EditFile(t, filepath.Join(dir, "economics.yaml"), "units: 10000", "units: 0")
	_, stderr, code := cmdtest.Run(t, nil, "economics", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "economics.yaml:1:1: NRE 73000 cannot be spread over 0 units") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
