package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// exampleHTML is iotpm report --html on the example repo.
func exampleHTML(t *testing.T) string {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, "report", "-C", cmdtest.ExampleRepo, "--html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	return stdout
}

// The page is one file: no script, no reference to anything outside it,
// and a policy that forbids the browser any request.
func TestHTMLReportIsSelfContained(t *testing.T) {
	page := exampleHTML(t)
	for _, bad := range []string{"<script", "http://", "https://", "src=", "href=", "@import", "url(", "<link", "<img", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`) {
		t.Error("no Content-Security-Policy forbidding requests")
	}
	for _, want := range []string{`<p class="health" id="health">plan health: battery drip-puck`, `<section id="roadmap">`, `<section id="nre">`,
		`<section id="battery">`, `<section id="metrics">`, `<section id="kano">`, `<section id="economics">`, `<section id="rollout">`, "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	// the two themes after their due date are drawn as warnings: the
	// late one, and the one on time in the plan but late in most samples
	if n := strings.Count(page, `class="milestone late"`); n != 2 || !strings.Contains(page, "Reduce false leak alerts by 80% (likely late: 25% on time)") {
		t.Errorf("%d late milestones, want 2 with the likely-late one labelled", n)
	}
	// the one with an unscheduled part is drawn at its scheduled parts'
	// latest date, which is no completion: the label says so
	if !strings.Contains(page, "Sell through two home insurers by end of 2027 (at risk: a part is unscheduled)") {
		t.Error("the at-risk theme's milestone does not say it is at risk")
	}
	// generated twice on the same day, the same bytes
	if again := exampleHTML(t); again != page {
		t.Error("two runs wrote different pages")
	}
}

// Text from the planning files is escaped: a feature title with markup
// shows as text.
func TestHTMLReportEscapes(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "title: Adaptive heartbeat interval", `title: "<script>alert(1)</script> heartbeat"`)
	stdout, stderr, code := cmdtest.Run(t, nil, "report", "-C", dir, "--html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "<script>") || !strings.Contains(stdout, "&lt;script&gt;alert(1)&lt;/script&gt; heartbeat") {
		t.Error("a title's markup is not escaped")
	}
}

// chromium finds the browser; under CI (IOTPM_REQUIRE_CHROMIUM, set by
// .ci/run, which installs Debian's chromium) a missing browser fails the
// test instead of skipping it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("IOTPM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("IOTPM_REQUIRE_CHROMIUM") != "" {
		t.Fatal("no chromium on PATH, and IOTPM_REQUIRE_CHROMIUM is set (.ci/run installs Debian's chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium; .ci/run does)")
	return ""
}

// The example's report in a real browser: it renders (a screenshot that
// is not blank, in the charts' colours), every chart has its marks (as
// many gantt bars as the plan has parts…), and the page requests nothing
// but itself. docs/report.png is this screenshot (IOTPM_SCREENSHOT=path
// writes it).
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	path := filepath.Join(t.TempDir(), "plan.html")
	if err := os.WriteFile(path, []byte(exampleHTML(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1000, 1400))
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var mu sync.Mutex
	var requests []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.ID("health"))); err != nil {
		t.Fatal(err)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => {
		const n = s => document.querySelectorAll(s).length;
		// marks the browser laid out: one of zero size is not drawn
		const drawn = s => [...document.querySelectorAll(s)].filter(e => { const b = e.getBBox(); return b.width > 0 && (b.height > 0 || e.tagName === "path"); }).length;
		return {
			charts: n("svg.chart"), gantt: drawn("svg.gantt rect.bar"), hardware: n("svg.gantt rect.bar.hardware"),
			firmware: n("svg.gantt rect.bar.firmware"), cloud: n("svg.gantt rect.bar.cloud"), milestones: n("svg.gantt .milestone"),
			leads: n("svg.gantt line.mark.lead"), readies: n("svg.gantt line.mark.ready"),
			nre: drawn("svg.bars rect.bar"), lines: n("svg.lines"), series: drawn("svg.lines path.series"), targets: n("svg.lines line.target"),
			kano: n("svg.quadrant circle.point"), gates: n("#gates table:first-of-type tbody tr"), ranking: n("#ranking tbody tr"),
			width: Math.round(document.querySelector("svg.gantt").getBoundingClientRect().width),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	// what the commands say the example has
	want := expectedMarks(t)
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s: %d in the page, want %d", k, counts[k], v)
		}
	}
	if counts["width"] < 700 {
		t.Errorf("the gantt is %d px wide in a 1000 px window", counts["width"])
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if u != "file://"+path {
			t.Errorf("the page requested %s", u)
		}
	}
	if len(requests) != 1 {
		t.Errorf("%d requests, want the page's own: %v", len(requests), requests)
	}
	checkScreenshot(t, shot)
	if out := os.Getenv("IOTPM_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkScreenshot: the page is painted (not blank) and the charts' colours
// are on it.
func checkScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 900 || b.Dy() < 3000 {
		t.Errorf("screenshot %dx%d: the page is shorter than its sections", b.Dx(), b.Dy())
	}
	colours := map[string][3]uint32{"hardware bars": {0x82, 0x50, 0xdf}, "firmware bars": {0x09, 0x69, 0xda}, "cloud bars": {0x1a, 0x7f, 0x37}, "late theme / target": {0xcf, 0x22, 0x2e}}
	found := map[string]int{}
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 240 || g < 240 || bl < 240 {
				ink++
			}
			for name, c := range colours {
				if near(r, c[0]) && near(g, c[1]) && near(bl, c[2]) {
					found[name]++
				}
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	if share := float64(ink) / float64(total); share < 0.03 {
		t.Errorf("only %.1f%% of the screenshot is painted: blank?", share*100)
	}
	for name := range colours {
		if found[name] < 20 {
			t.Errorf("the screenshot has %d pixels of the %s' colour", found[name], name)
		}
	}
}

func near(a, b uint32) bool { return a+8 >= b && a <= b+8 }

// expectedMarks counts what the page must draw from the other commands'
// JSON on the example: a gantt bar per roadmap item of each track (and a
// tick where its lead time ends, and where it was ready when that was
// before its work could start), a milestone per theme with a completion date, a bar per NRE quarter, a
// battery chart per device (a target line where it has one), MAD and
// uptime, the rollout, a Kano point per feature with enough answers.
func expectedMarks(t *testing.T) map[string]int {
	run := func(v any, args ...string) {
		t.Helper()
		stdout, stderr, code := cmdtest.Run(t, nil, append(args, "-C", cmdtest.ExampleRepo, "-o", "json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if err := json.Unmarshal([]byte(stdout), v); err != nil {
			t.Fatal(err)
		}
	}
	var plan struct {
		Items []struct {
			Track    string `json:"track"`
			LeadDays int    `json:"lead_time_days"`
			WorkDone string `json:"work_done"`
		} `json:"items"`
		Themes []struct {
			Complete *string `json:"complete_date"`
		} `json:"themes"`
		NRE struct {
			Quarters []any `json:"quarters"`
		} `json:"nre"`
	}
	run(&plan, "roadmap")
	// a part ready before its work could start: the Mermaid gantt's
	// ready markers, drawn from the same bars by another renderer
	gantt, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", cmdtest.ExampleRepo, "-o", "mermaid")
	if code != 0 {
		t.Fatalf("roadmap -o mermaid: exit %d: %s", code, stderr)
	}
	var battery struct {
		Devices []struct {
			Target *float64 `json:"target_years"`
		} `json:"devices"`
	}
	run(&battery, "battery")
	var kano struct {
		Features []struct {
			TooFew bool `json:"too_few_answers"`
		} `json:"features"`
	}
	run(&kano, "kano")
	var check struct {
		Gates []any `json:"gates"`
	}
	run(&check, "check")
	var rice struct {
		Features []any `json:"features"`
	}
	run(&rice, "rice")
	m := map[string]int{"gantt": len(plan.Items), "nre": len(plan.NRE.Quarters), "gates": len(check.Gates), "ranking": len(rice.Features)}
	m["readies"] = strings.Count(gantt, " ready :milestone, ")
	for _, it := range plan.Items {
		m[it.Track]++
		if it.LeadDays > 0 && it.WorkDone != "" {
			m["leads"]++ // a tick where its lead time ends
		}
	}
	for _, th := range plan.Themes {
		if th.Complete != nil {
			m["milestones"]++
		}
	}
	for _, d := range battery.Devices {
		if d.Target != nil {
			m["targets"]++
		}
	}
	m["targets"]++ // the rollout's 90% line
	for _, f := range kano.Features {
		if !f.TooFew {
			m["kano"]++
		}
	}
	// a series per device, MAD, uptime and the rollout's curve
	m["lines"] = len(battery.Devices) + 3
	m["series"] = m["lines"]
	m["charts"] = m["lines"] + 3 // the gantt, NRE and Kano
	if m["gantt"] < 20 || m["kano"] < 5 || m["milestones"] < 3 || m["leads"] < 3 || m["readies"] < 3 {
		t.Fatalf("the example has less than the test expects: %v", m)
	}
	return m
}

// A part with long-lead components has a tick where they arrive: the
// example's LTE backup with a 26-week component lead on its hardware.
func TestHTMLReportComponentsTick(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "hardware: {engineering: 6, tooling: 60000, certifications: [fcc-id, ptcrb, carrier]}",
		"hardware: {engineering: 6, tooling: 60000, certifications: [fcc-id, ptcrb, carrier], component_lead: 26w}")
	stdout, stderr, code := cmdtest.Run(t, nil, "report", "-C", dir, "--html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	roadmapJSON, stderr, code := cmdtest.Run(t, nil, "roadmap", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Items []struct {
			ComponentLeadDays int `json:"component_lead_days"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(roadmapJSON), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range doc.Items {
		if it.ComponentLeadDays > 0 {
			n++
		}
	}
	if n != 1 || strings.Count(stdout, "LTE-M backup link on the hub: components arrive") != 1 {
		t.Errorf("%d parts with a component lead, %d ticks", n, strings.Count(stdout, ": components arrive"))
	}
}
