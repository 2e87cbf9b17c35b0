package rollout_test

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	rolloutcmd "github.com/iotpm/iotpm/internal/cmd/rollout"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

// handRepo is a fleet whose online days are worked by hand. Always
// connected devices, dormancy off; the data ends (H) on Oct 5 12:00, so
// the 4-day lookback is the whole UTC days Oct 1..4:
//
//	a: connected from Sep 30 12:00 throughout         → online 4 of 4: p = 1
//	b: connected until Oct 1 06:00, again Oct 3 06:00–07:00
//	                                                   → online Oct 1, Oct 3: p = 0.5
//	c: connected Sep 30 12:00–13:00, then down         → online 0 of 4: p = 0 (never updates)
//	d: like a, but runs 2.5.0 already (devices export) → left out, on version
//
// Waves 34% (soak 2 days) and 100%, success 100%: N = 3, ⌈0.34 × 3⌉ = 2,
// so a and b start on day 1 (Nov 2) and c on day 3. By the end of day d
// (from 0): a 1, b 1 − 0.5^(d+1), c 0:
//
//	day 0: (1 + 0.5) / 3 = 0.5     → 50% in 1 day, on 2026-11-02
//	then up to (1 + 1 + 0) / 3 = 2/3: 90% and 95% never (c is never online)
func handRepo(t *testing.T) string {
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "iotpm.yaml", `metrics:
  month: 2026-10
  inputs:
    devices: devices.csv
    events: events.csv
  dormant_after: 0d
rollout:
  version: 2.5.0
  start: 2026-11-02
  waves: [{share: 34%, soak: 2d}, {share: 100%}]
  lookback: 4d
  success: 100%
gates:
  rollout: {reach_90: "<= 30d"}
`)
	cmdtest.WriteFile(t, dir, "features.yaml", "features: []\n")
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at,firmware\na,2026-09-01,2.4.0\nb,2026-09-01,2.4.0\nc,2026-09-01,2.4.0\nd,2026-09-01,2.5.0\n")
	cmdtest.WriteFile(t, dir, "events.csv", `device_id,timestamp,event
a,2026-09-30T12:00:00Z,connected
b,2026-09-30T12:00:00Z,connected
c,2026-09-30T12:00:00Z,connected
d,2026-09-30T12:00:00Z,connected
c,2026-09-30T13:00:00Z,disconnected
b,2026-10-01T06:00:00Z,disconnected
b,2026-10-03T06:00:00Z,connected
b,2026-10-03T07:00:00Z,disconnected
a,2026-10-05T12:00:00Z,connected
`)
	return dir
}

func TestForecastByHand(t *testing.T) {
	dir := handRepo(t)
	doc := rolloutJSON(t, dir)
	if doc.Devices != 3 || doc.OnVersion != 1 || len(doc.Unreachable) != 1 || doc.Unreachable[0] != "c" || doc.Lookback != [2]string{"2026-10-01", "2026-10-05"} {
		t.Errorf("fleet: %d devices, %d on version, never online %v, lookback %v", doc.Devices, doc.OnVersion, doc.Unreachable, doc.Lookback)
	}
	if len(doc.Waves) != 2 || doc.Waves[0].Devices != 2 || doc.Waves[1].Devices != 1 || doc.Waves[1].Starts != "2026-11-04" {
		t.Errorf("waves %+v", doc.Waves)
	}
	// each device is in the first wave's 2 places (day 0) with probability
	// 2/3, in the second's 1 (day 2) with 1/3: a (p = 1) 2/3 on days 0
	// and 1, then 1; b (p = 0.5) 2/3 × (1 − 0.5^(d+1)) + 1/3 × (1 −
	// 0.5^(d−1)) from day 2: 1/3, 0.5, 0.75; c never online
	if doc.Reach.Days50 == nil || *doc.Reach.Days50 != 3 || *doc.Reach.Date50 != "2026-11-04" || doc.Reach.Days90 != nil || doc.Reach.Days95 != nil {
		t.Errorf("reach %+v", doc.Reach)
	}
	for d, want := range map[int]float64{0: 1.0 / 3, 1: (2.0/3 + 0.5) / 3, 2: 1.75 / 3, 364: 2.0 / 3} {
		if got := doc.Curve[d].Share; got < want-1e-9 || got > want+1e-9 {
			t.Errorf("day %d: share %v, want %v", d, got, want)
		}
	}
	// check fails the gate: 90% is never reached, and says so
	_, stderr, code := cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "rollout.reach_90 has no value: the expected share does not reach 90% within 365 days") {
		t.Errorf("check: exit %d: %s", code, stderr)
	}
	// c online one day in four: p = 0.25; 90% then comes, by hand, with
	// E_p(d) = 2/3 × (1 − (1 − p)^(d+1)) + 1/3 × (1 − (1 − p)^(d−1)):
	// day d ≥ 2: (1 + E_0.5(d) + E_0.25(d)) / 3
	// d = 4: (1 + 0.9375 + 0.701172) / 3 = 0.879557
	// d = 5: (1 + 0.96875 + 0.775879) / 3 = 0.914876
	// d = 6: (1 + 0.984375 + 0.831909) / 3 = 0.938761
	// d = 7: (1 + 0.992188 + 0.873932) / 3 = 0.955373
	// so 90% on day 5 (6 days), 95% on day 7 (8 days)
	cmdtest.EditFile(t, filepath.Join(dir, "events.csv"), "a,2026-10-05T12:00:00Z,connected\n", "a,2026-10-05T12:00:00Z,connected\nc,2026-10-02T10:00:00Z,connected\nc,2026-10-02T11:00:00Z,disconnected\n")
	doc = rolloutJSON(t, dir)
	if doc.Reach.Days90 == nil || *doc.Reach.Days90 != 6 || doc.Reach.Days95 == nil || *doc.Reach.Days95 != 8 || len(doc.Unreachable) != 0 {
		t.Errorf("with c online 1 day in 4: reach %+v, never online %v", doc.Reach, doc.Unreachable)
	}
}

func TestGoldens(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"rollout", "-C", cmdtest.ExampleRepo}},
		{"markdown.golden", []string{"rollout", "-C", cmdtest.ExampleRepo, "-o", "markdown", "--waves", "5%:7d,100%", "--success", "80%"}},
	})
}

func TestBadUse(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--waves", "10%:3d,5%"}, "wave 2: share 5% must be above the previous wave's (10%)"},
		{[]string{"--waves", "50%:36h,100%"}, `--waves "36h": give whole days`},
		{[]string{"--start", "next monday"}, `--start "next monday" is not a date`},
		{[]string{"--success", "0%"}, "--success: give a share above 0"},
		{[]string{"--lookback", "0d"}, "--lookback \"0d\": give whole days above 0"},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append([]string{"rollout", "-C", cmdtest.ExampleRepo}, tt.args...)...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, %q; want %q", tt.args, code, stderr, tt.want)
		}
	}
	// a problem in iotpm.yaml's rollout: section is shown at its place, not
	// only counted ("2 problems in iotpm.yaml" and nothing else)
	bad := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(bad, "iotpm.yaml"), "soak: 7d", "soak: 7m")
	_, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", bad)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "iotpm.yaml:56:34: rollout: waves[1].soak must be whole days") {
		t.Errorf("a bad soak: exit %d %q", code, stderr)
	}
	// waves that end short of the fleet are run and warned of, from the
	// file's waves or the flag's (the waves in force, once)
	short := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(short, "iotpm.yaml"), "{share: 100%}]", "{share: 89%}]")
	stdout, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", short)
	if code != 0 || !strings.Contains(stderr, "iotpm.yaml:54:3: warning: rollout waves: the waves end at 89%") ||
		!strings.Contains(stderr, "write 1%, 11%, 100%") || !strings.Contains(stdout, "90%: not within 365 days") {
		t.Errorf("waves ending at 89%%: exit %d %q", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", short, "--waves", "1%:3d,100%")
	if code != 0 || stderr != "" {
		t.Errorf("--waves over the file's short waves: exit %d %q", code, stderr)
	}
	// the flag's waves are warned of as the flag's: iotpm.yaml's line holds
	// waves the run did not use
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", cmdtest.ExampleRepo, "--waves", "5%:3d,50%")
	if code != 0 || strings.Count(stderr, "--waves: warning: rollout waves: the waves end at 50%") != 1 || strings.Contains(stderr, "iotpm.yaml") {
		t.Errorf("--waves ending at 50%%: exit %d %q", code, stderr)
	}
	// a start before the data ends forecasts today's fleet as if it had
	// started then: said, at the rollout: section, or of the flag
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", cmdtest.ExampleRepo, "--start", "2026-10-01")
	if code != 0 || !strings.Contains(stderr, "--start: warning: rollout start 2026-10-01 is before the data's last day 2026-11-10") {
		t.Errorf("start before the data ends: exit %d %q", code, stderr)
	}
	early := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(early, "iotpm.yaml"), "start: 2026-12-07", "start: 2026-10-01")
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", early)
	if code != 0 || !strings.Contains(stderr, "iotpm.yaml:54:3: warning: rollout start 2026-10-01 is before the data's last day 2026-11-10") {
		t.Errorf("iotpm.yaml's start before the data ends: exit %d %q", code, stderr)
	}
	// a start after the data but before today: its first days are past
	// and in no export; the example's own start (after today) is not
	// warned of, nor the start today
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", cmdtest.ExampleRepo, "--start", "2026-11-16")
	if code != 0 || !strings.Contains(stderr, "--start: warning: rollout start 2026-11-16 is before today 2026-12-01, and the data ends 2026-11-10: the forecast's first 15 days are past") {
		t.Errorf("start before today: exit %d %q", code, stderr)
	}
	// a start further from the data than the lookback: the fleet is the
	// data's, older than the window its online days are measured over
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", cmdtest.ExampleRepo, "--start", "2027-01-15")
	if code != 0 || !strings.Contains(stderr, "--start: warning: rollout start 2027-01-15 is 66 days after the data's last day 2026-11-10, more than the 28-day lookback") {
		t.Errorf("start long after the data: exit %d %q", code, stderr)
	}
	for _, start := range []string{"", "2026-12-01", "2026-12-08"} {
		args := []string{"rollout", "-C", cmdtest.ExampleRepo}
		if start != "" {
			args = append(args, "--start", start)
		}
		if _, stderr, code = cmdtest.Run(t, nil, args...); code != 0 || strings.Contains(stderr, "rollout start") {
			t.Errorf("start %q: exit %d %q", start, code, stderr)
		}
	}
	// without a rollout: section, the release and start must be given
	dir := t.TempDir()
	cmdtest.WriteFile(t, dir, "features.yaml", "features: []\n")
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", dir)
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "name the release: --version 2.5.0") {
		t.Errorf("no settings: exit %d %q", code, stderr)
	}
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", dir, "--version", "2.5.0", "--start", "2026-11-02")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "a rollout forecast needs the fleet") {
		t.Errorf("no metrics: exit %d %q", code, stderr)
	}
	// devices seen only by activity rows, with no check-in profile, have no
	// observed time: the forecast is refused, never made over nobody
	cmdtest.WriteFile(t, dir, "iotpm.yaml", "metrics:\n  month: 2026-10\n  inputs: {devices: devices.csv, activity: uplinks.csv}\n")
	cmdtest.WriteFile(t, dir, "devices.csv", "device_id,shipped_at\na,2026-09-01\n")
	cmdtest.WriteFile(t, dir, "uplinks.csv", "device_id,timestamp\na,2026-10-01T10:00:00Z\na,2026-10-03T10:00:00Z\n")
	_, stderr, code = cmdtest.Run(t, nil, "rollout", "-C", dir, "--version", "2.5.0", "--start", "2026-11-02", "--success", "90%")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "no device has observed time in the 28-day lookback") {
		t.Errorf("activity only: exit %d %q", code, stderr)
	}
}

// With success: metrics, a model whose devices have at least 30 OTA units
// that succeeded or failed in the metrics window has its own rate; the
// other devices take the fleet's. The hand fleet with a "valve" profile: a
// is a valve, b has no model; x1..x30 (valves, never online in the
// lookback) have one unit each, 15 successes and 15 failures: the valve
// rate is 1/2; y1..y45 (no model) 45 successes: the fleet's is 60/75 =
// 4/5. c is still never online. a is online every day (p = 1), b one day
// in two (p = 0.5). Until day 2 only the first wave has started, whose
// places each device is in with probability 2/3. By the end of day 0: a
// 1 − (1 − 1 × 0.5) = 0.5, b 1 − (1 − 0.5 × 0.8) = 0.4, so 2/3 × 0.9 / 3;
// day 1: a 1 − 0.5², b 1 − 0.6² → 2/3 × (0.75 + 0.64) / 3. With 29 valve units (x30 gone: 15 successes, 14
// failures; the fleet 60/74) the valve's rate rests on too few: a takes
// the fleet's, and the output says so.
func TestForecastWithEachModelsSuccess(t *testing.T) {
	dir := handRepo(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  success: 100%\n", "  success: metrics\n")
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "    events: events.csv\n", "    events: events.csv\n    ota: ota.csv\n")
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "metrics:\n", "devices: devices.yaml\nmetrics:\n")
	cmdtest.WriteFile(t, dir, "devices.yaml", "devices:\n  - {id: valve, battery: {cell: aa-lithium}, sleep: 10uA}\n")
	devices := "device_id,shipped_at,firmware,model\na,2026-09-01,2.4.0,valve\nb,2026-09-01,2.4.0,\nc,2026-09-01,2.4.0,\nd,2026-09-01,2.5.0,\n"
	ota := "device_id,job_id,status,timestamp\n"
	for i := 1; i <= 30; i++ {
		devices += fmt.Sprintf("x%d,2026-09-01,2.4.0,valve\n", i)
		ota += fmt.Sprintf("x%d,fw-2.4.0,%s,2026-10-02T00:00:00Z\n", i, map[bool]string{true: "SUCCEEDED", false: "FAILED"}[i%2 == 1])
	}
	for i := 1; i <= 45; i++ {
		devices += fmt.Sprintf("y%d,2026-09-01,2.4.0,\n", i)
		ota += fmt.Sprintf("y%d,fw-2.4.0,SUCCEEDED,2026-10-02T00:00:00Z\n", i)
	}
	cmdtest.WriteFile(t, dir, "devices.csv", devices)
	cmdtest.WriteFile(t, dir, "ota.csv", ota)
	doc := rolloutJSON(t, dir)
	if doc.Devices != 3 || doc.Success != 0.8 || len(doc.SuccessByModel) != 1 || doc.SuccessByModel[0] != (rolloutcmd.ModelSuccessJSON{Model: "valve", Rate: 0.5, Success: 15, Failure: 15}) {
		t.Fatalf("devices %d, success %v, by model %+v", doc.Devices, doc.Success, doc.SuccessByModel)
	}
	for d, want := range map[int]float64{0: 2.0 / 3 * 0.9 / 3, 1: 2.0 / 3 * 1.39 / 3} {
		if got := doc.Curve[d].Share; got < want-1e-9 || got > want+1e-9 {
			t.Errorf("day %d: share %v, want %v", d, got, want)
		}
	}
	stdout, _, _ := cmdtest.Run(t, nil, "rollout", "-C", dir)
	if !strings.Contains(stdout, "(valve 50% of 30), else the fleet's 80%") {
		t.Errorf("the text does not say which rate each model takes:\n%s", stdout)
	}
	// 29 valve units: too few; a takes the fleet's 60/74
	cmdtest.EditFile(t, filepath.Join(dir, "ota.csv"), "x30,fw-2.4.0,FAILED,2026-10-02T00:00:00Z\n", "")
	doc = rolloutJSON(t, dir)
	fleet := 60.0 / 74
	if len(doc.SuccessByModel) != 0 || len(doc.SuccessTooFewUnits) != 1 || doc.SuccessTooFewUnits[0].Success+doc.SuccessTooFewUnits[0].Failure != 29 {
		t.Errorf("29 valve units: by model %+v, too few %+v", doc.SuccessByModel, doc.SuccessTooFewUnits)
	}
	if got, want := doc.Curve[0].Share, 2.0/3*(fleet+0.5*fleet)/3; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("29 valve units, day 0: share %v, want %v (a and b at the fleet's rate)", got, want)
	}
	stdout, _, _ = cmdtest.Run(t, nil, "rollout", "-C", dir)
	if !strings.Contains(stdout, "too few units for a rate of their own, so the fleet's: valve 51.7% of 29") {
		t.Errorf("the text does not name the model with too few units:\n%s", stdout)
	}
}

func rolloutJSON(t *testing.T, dir string) rolloutcmd.JSON {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc rolloutcmd.JSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// The battery cost of one update is the download devices.yaml states, by
// hand: drip-lora 45 min at 6 mA = 16.2 C = 4.5 mAh, drip-valve 30 s at
// 150 mA = 4.5 C = 1.25 mAh; the life is that charge over the profile's
// average drain (iotpm battery's). Through a 2.5 V regulator at 80% from
// the valve's 3.0 V pack (2 × AA lithium 1.5 V in series), the cell gives
// 2.5 / (3.0 × 0.8) of it: 1.302083 mAh. A profile with an image size only
// gets no cost (none is made up from its other wakes) and is named; a
// download with a duration but no current is refused at its position.
func TestUpdateCostByHand(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	check := func(doc rolloutcmd.JSON, want map[string]float64) {
		t.Helper()
		drain := map[string]float64{} // µA
		stdout, _, _ := cmdtest.Run(t, nil, "battery", "-C", dir, "-o", "json")
		var battery struct {
			Devices []struct {
				ID      string  `json:"id"`
				Average float64 `json:"average_current_ua"`
			} `json:"devices"`
		}
		if err := json.Unmarshal([]byte(stdout), &battery); err != nil {
			t.Fatal(err)
		}
		for _, d := range battery.Devices {
			drain[d.ID] = d.Average
		}
		if len(doc.UpdateCosts) != len(want) {
			t.Fatalf("update costs %+v, want %v", doc.UpdateCosts, want)
		}
		for _, u := range doc.UpdateCosts {
			life := u.ChargeMAh * 3.6 / (drain[u.Profile] * 1e-6 * 86400)
			if w, ok := want[u.Profile]; !ok || math.Abs(u.ChargeMAh-w) > 1e-9 || u.LifeDays == nil || math.Abs(*u.LifeDays-life) > 1e-9 {
				t.Errorf("%s: %v mAh, life %v days; want %v mAh, %v days", u.Profile, u.ChargeMAh, deref(u.LifeDays), w, life)
			}
		}
	}
	check(rolloutJSON(t, dir), map[string]float64{"drip-lora": 4.5, "drip-valve": 1.25})

	devices := filepath.Join(dir, "devices.yaml")
	cmdtest.EditFile(t, devices, "    sleep: 10uA ", "    supply: {voltage: 2.5V, efficiency: 80%}\n    sleep: 10uA ")
	check(rolloutJSON(t, dir), map[string]float64{"drip-lora": 4.5, "drip-valve": 1.25 * 2.5 / (3.0 * 0.8)})

	cmdtest.EditFile(t, devices, "ota: {image: 1200kB, duration: 30s, current: 150mA, every: 3mo}", "ota: {image: 1200kB, every: 3mo}")
	doc := rolloutJSON(t, dir)
	check(doc, map[string]float64{"drip-lora": 4.5})
	if len(doc.UpdateCostUnstated) != 1 || doc.UpdateCostUnstated[0] != "drip-valve" {
		t.Errorf("unstated %v", doc.UpdateCostUnstated)
	}
	stdout, _, _ := cmdtest.Run(t, nil, "rollout", "-C", dir)
	if !strings.Contains(stdout, "No battery cost of an update for drip-valve: ota: gives the image but not the download") {
		t.Errorf("text:\n%s", stdout)
	}

	cmdtest.EditFile(t, devices, "ota: {image: 1200kB, every: 3mo}", "ota: {image: 1200kB, duration: 30s, every: 3mo}")
	if _, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "device drip-valve, ota: the download of an update needs both its duration and its current") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// success: metrics on a handful of OTA updates drives the whole fleet's
// forecast: run, and warned of with how few and what to write instead (a
// model needs MinModelUnits for its own rate; the fleet's has no fallback).
func TestMeasuredSuccessOnFewUpdates(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.WriteFile(t, dir, "exports/ota.csv", "thingName,jobId,status,lastUpdatedAt,version\n"+
		"drip-000000,fw-2.4.0,QUEUED,1791351348,2.4.0\ndrip-000000,fw-2.4.0,SUCCEEDED,1791354632,2.4.0\n"+
		"drip-000001,fw-2.4.0,QUEUED,1791476522,2.4.0\ndrip-000001,fw-2.4.0,SUCCEEDED,1791479112,2.4.0\n")
	stdout, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", dir)
	if code != 0 || !strings.Contains(stderr, "iotpm.yaml:54:3: warning: rollout success: the measured OTA success rate 100% rests on 2 updates, fewer than 30: one update's outcome moves it by 50 points") ||
		!strings.Contains(stdout, "succeeds with 100% (the measured OTA success rate)") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// the OTA gate passes on them, and says on how little
	if stdout, _, _ = cmdtest.Run(t, nil, "check", "-C", dir); !regexp.MustCompile(`ota_success_rate +100% +>= 95% +pass +on 2 finished updates only: one moves it by 50 points`).MatchString(stdout) {
		t.Errorf("check:\n%s", stdout)
	}
	if _, stderr, _ = cmdtest.Run(t, nil, "rollout", "-C", dir, "--success", "95%"); strings.Contains(stderr, "rollout success") {
		t.Errorf("a given success is not warned of: %s", stderr)
	}
	if _, stderr, _ = cmdtest.Run(t, nil, "rollout", "-C", cmdtest.ExampleRepo); strings.Contains(stderr, "rollout success") {
		t.Errorf("the example's 401 + 9 updates are warned of: %s", stderr)
	}
}

// The hand repo with d on 2.5.0-hotfix1: by semantic versioning a
// pre-release of 2.5.0, so d is to update (4 devices, none on the
// version); with metrics.firmware.after_release: [hotfix] it is a fix
// after 2.5.0 and left out as on the version, as 2.5.0 itself was.
func TestRolloutAfterRelease(t *testing.T) {
	dir := handRepo(t)
	cmdtest.EditFile(t, filepath.Join(dir, "devices.csv"), "d,2026-09-01,2.5.0\n", "d,2026-09-01,2.5.0-hotfix1\n")
	if doc := rolloutJSON(t, dir); doc.Devices != 4 || doc.OnVersion != 0 {
		t.Errorf("by semantic versioning: %d devices, %d on version; want 4, 0", doc.Devices, doc.OnVersion)
	}
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  dormant_after: 0d\n", "  dormant_after: 0d\n  firmware: {target: 2.5.0, after_release: [hotfix]}\n")
	if doc := rolloutJSON(t, dir); doc.Devices != 3 || doc.OnVersion != 1 {
		t.Errorf("after_release: %d devices, %d on version; want 3, 1", doc.Devices, doc.OnVersion)
	}
	// the order alone, for a team that gates no firmware_on_target
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  firmware: {target: 2.5.0, after_release: [hotfix]}\n", "  firmware: {after_release: [hotfix]}\n")
	if doc := rolloutJSON(t, dir); doc.Devices != 3 || doc.OnVersion != 1 {
		t.Errorf("after_release without a target: %d devices, %d on version; want 3, 1", doc.Devices, doc.OnVersion)
	}
	// an empty block says nothing: refused at its line
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "  firmware: {after_release: [hotfix]}\n", "  firmware: {}\n")
	if _, stderr, code := cmdtest.Run(t, nil, "rollout", "-C", dir); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "iotpm.yaml:") || !strings.Contains(stderr, "metrics.firmware: give target") {
		t.Errorf("empty metrics.firmware: exit %d: %s", code, stderr)
	}
}
