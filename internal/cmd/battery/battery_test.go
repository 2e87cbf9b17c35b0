package battery_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

func TestBatteryGolden(t *testing.T) {
	cmdtest.RunGoldens(t, []cmdtest.Case{
		{"table.golden", []string{"battery"}},
		{"json.golden", []string{"battery", "-o", "json"}},
		{"yaml.golden", []string{"battery", "-o", "yaml"}},
		{"csv.golden", []string{"battery", "-o", "csv"}},
		{"markdown.golden", []string{"battery", "-o", "markdown"}},
		{"device-table.golden", []string{"battery", "--device", "drip-lora"}},
		{"device-markdown.golden", []string{"battery", "--device", "drip-lora", "-o", "markdown"}},
		{"device-csv.golden", []string{"battery", "--device", "drip-valve", "-o", "csv"}},
		{"sweep-table.golden", []string{"battery", "--sweep", "drip-lora.heartbeat.every=1m,5m,15m,1h"}},
		{"sweep-json.golden", []string{"battery", "--sweep", "drip-lora.heartbeat.sf=7,9,12", "-o", "json"}},
		{"sweep-markdown.golden", []string{"battery", "--sweep", "drip-lora.heartbeat.sf=7,8,9,10,11,12", "-o", "markdown"}},
		{"sweep-csv.golden", []string{"battery", "--sweep", "drip-puck.advertise.2.current=5mA,7mA,12mA", "-o", "csv"}},
		{"cells.golden", []string{"battery", "--list-cells", "-o", "csv"}},
	})
}

// The JSON contract: fields the issue names, shares summing to 100%, and
// the life that follows from the figures.
func TestBatteryJSONContract(t *testing.T) {
	stdout, _, code := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "-o", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var doc struct {
		Devices []struct {
			ID               string   `json:"id"`
			AverageCurrentUA float64  `json:"average_current_ua"`
			SelfDischargeUA  float64  `json:"self_discharge_ua"`
			UsableMAh        float64  `json:"usable_mah"`
			LifeHours        float64  `json:"life_hours"`
			LifeYears        float64  `json:"life_years"`
			LimitedBy        string   `json:"limited_by"`
			Model            string   `json:"self_discharge_model"`
			TargetYears      *float64 `json:"target_years"`
			MeetsTarget      *bool    `json:"meets_target"`
			Budget           []struct {
				Kind      string  `json:"kind"`
				Name      string  `json:"name"`
				CurrentUA float64 `json:"current_ua"`
				Share     float64 `json:"share"`
			} `json:"budget"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Devices) != 3 {
		t.Fatalf("%d devices", len(doc.Devices))
	}
	for _, d := range doc.Devices {
		sum := 0.0
		for _, b := range d.Budget {
			if b.Kind != "feature" {
				sum += b.Share
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("%s: shares sum to %v", d.ID, sum)
		}
		if d.TargetYears == nil || d.MeetsTarget == nil || !*d.MeetsTarget {
			t.Errorf("%s: target %v meets %v", d.ID, d.TargetYears, d.MeetsTarget)
		}
		if d.Model == "constant" && d.LimitedBy == "capacity" {
			want := d.UsableMAh / 1e3 / ((d.AverageCurrentUA + d.SelfDischargeUA) / 1e6)
			if math.Abs(d.LifeHours-want) > 1e-6*want {
				t.Errorf("%s: life %v h, want %v", d.ID, d.LifeHours, want)
			}
		}
		if math.Abs(d.LifeYears-d.LifeHours/8766) > 1e-9 {
			t.Errorf("%s: years %v vs hours %v", d.ID, d.LifeYears, d.LifeHours)
		}
	}
}

func TestBatteryGate(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--min-life", "15y")
	if code != cmdutil.ExitGate {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stdout, "drip-puck") || !strings.Contains(stdout, "FAIL") {
		t.Errorf("the table still prints on a failed gate:\n%s", stdout)
	}
	for _, want := range []string{"gate failed: drip-puck lasts 3.50 years, under its 15-year target", "drip-valve lasts 14.39 years"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "drip-lora lasts") {
		t.Errorf("drip-lora (15.3 y) passes a 13-year target:\n%s", stderr)
	}
	// a device-scoped run only gates that device
	if _, _, code := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--min-life", "13y", "--device", "drip-lora"); code != cmdutil.ExitOK {
		t.Errorf("--device drip-lora: exit %d", code)
	}
}

func TestBatteryUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--device", "drip-lroa"}, `no device "drip-lroa"`},
		{[]string{"--device", "drip-lroa"}, `did you mean "drip-lora"?`},
		{[]string{"--min-life", "3"}, `--min-life "3": give a positive duration such as 3y`},
		{[]string{"--min-life", "18m"}, `--min-life "18m": 18 minutes is shorter than a day (m is minutes, not months)`},
		{[]string{"--solve", "drip-lora.heartbeat.every", "--target", "120m"}, `--target "120m": 2 hours is shorter than a day (m is minutes, not months)`},
		{[]string{"--sweep", "drip-lora.heartbeat"}, "write DEVICE.EVENT.PARAM=V1,V2"},
		{[]string{"--sweep", "drip-lora.heartbeat.every=1m,soon"}, `"soon" is not a duration`},
		{[]string{"--sweep", "drip-lora.heartbeat.colour=1"}, `cannot sweep "colour"`},
		{[]string{"--sweep", "drip-lora.heartbeat.current=1mA"}, "event heartbeat has 3 phases; name one, e.g. drip-lora.heartbeat.3.current"},
		{[]string{"--sweep", "drip-lora.nope.every=1m"}, `no event "nope" in device drip-lora (events: leak-check, anomaly-model, temperature, heartbeat, heartbeat-adaptive, ota-update)`},
		{[]string{"--sweep", "drip-puck.advertise.sf=7"}, "no LoRa phase"},
		{[]string{"--sweep", "drip-lora.leak-check.every=1ms"}, "awake more than 100%"},
		{[]string{"--sweep", "x.y.every=1m", "--device", "drip-lora"}, "--sweep names its device"},
		{[]string{"--device", "drip-lora", "--device", "drip-puck"}, `given twice ("drip-lora", then "drip-puck"): --device shows one device`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := cmdtest.Run(t, nil, append(append([]string{"battery"}, tt.args...), "-C", cmdtest.ExampleRepo)...)
			if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestBatteryPulseWarningKeepsExitZero(t *testing.T) {
	dir := t.TempDir()
	yaml := "devices:\n  - id: d\n    battery: {cell: cr2032}\n    sleep: 1uA\n    events:\n      - name: tx\n        every: 1m\n        phases:\n          - {duration: 5ms, current: 40mA}\n"
	if err := os.WriteFile(filepath.Join(dir, "devices.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", dir)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, "cr2032") {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	want := filepath.Join(dir, "devices.yaml") + ":9:13: warning: device d: event tx phase 1 draws 40 mA, above the battery's 15 mA maximum pulse current"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// battery --plan: each device's life today and after every release that
// changes its energy; the plan gate names the release and the feature that
// take a device below its target.
func TestBatteryAlongThePlan(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--plan", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Devices []struct {
			Device      string  `json:"device"`
			TodayYears  float64 `json:"today_years"`
			Unscheduled []string
			Steps       []struct {
				Release   string   `json:"release"`
				Features  []string `json:"features"`
				LifeYears float64  `json:"life_years"`
			} `json:"steps"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	lora, valve := doc.Devices[0], doc.Devices[2]
	if lora.Device != "drip-lora" || len(lora.Steps) != 2 || lora.Steps[0].Features[0] != "adaptive-heartbeat" || lora.Steps[0].LifeYears <= lora.TodayYears {
		t.Errorf("drip-lora %+v", lora)
	}
	if valve.Device != "drip-valve" || len(valve.Steps) != 1 || valve.Steps[0].Release != "FW 1" || valve.Steps[0].LifeYears >= valve.TodayYears {
		t.Errorf("drip-valve %+v", valve)
	}
	// drip-lora is held at its cell's 20-year shelf life after Hotfix 3
	// and after FW 3: the life by capacity says what FW 3 costs
	stdout, _, _ = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--plan", "--device", "drip-lora")
	for _, want := range []string{"LIMITED BY", "shelf life (29.28 y by capacity)", "shelf life (22.34 y by capacity)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the drip-lora timeline lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, _ = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--plan", "--device", "drip-valve", "-o", "markdown")
	for _, want := range []string{"## drip-valve: battery life along the plan", "xychart-beta", "Planned but never scheduled by the roadmap (so never shipped): auto-shutoff-valve."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("markdown lacks %q:\n%s", want, stdout)
		}
	}

	// drip-valve above 14 years today (14.39) and below it after FW 1
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "battery_life: targets", "battery_life: [plan, budgets]")
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "target: 2y", "target: 14y")
	_, stderr, code = cmdtest.Run(t, nil, "check", "-C", dir)
	if code != cmdutil.ExitGate || !strings.Contains(stderr, "battery_life.plan.drip-valve is 13.12 years, not >= 14 years after every release: FW 1 on 2027-04-04 with ota-delta takes it to 13.12 years") {
		t.Errorf("plan gate: exit %d: %s", code, stderr)
	}
}

// Names given in flags get the same suggestions as keys in files.
func TestFlagNameSuggestions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"roadmap", "--explain", "auto-shutof"}, `features.yaml; did you mean "auto-shutoff-valve"?`},
		{[]string{"battery", "--device", "nope"}, `devices.yaml (devices: drip-lora, drip-puck, drip-valve)`},
		{[]string{"battery", "--device", "drip-lroa"}, `did you mean "drip-lora"?`},
		{[]string{"battery", "--sweep", "drip-lora.hearbeat.every=1m,5m"}, `no event "hearbeat" in device drip-lora; did you mean "heartbeat"?`},
		{[]string{"rice", "--theme", "fast-setpu"}, `did you mean "fast-setup"?`},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append(c.args, "-C", cmdtest.ExampleRepo)...)
		if code != cmdutil.ExitInvalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

// --solve answers with the shortest whole-second interval; the JSON gives
// the life there and one second shorter, on either side of the target. A
// planned event is solved and swept on today's device with its feature.
func TestBatterySolve(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--solve", "drip-lora.heartbeat.every", "--target", "12y", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j struct {
		EverySeconds float64  `json:"every_seconds"`
		Every        string   `json:"every"`
		Life         float64  `json:"life_years"`
		Shorter      *float64 `json:"life_years_one_second_shorter"`
		Planned      bool     `json:"planned"`
	}
	if err := json.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatal(err)
	}
	if j.Life < 12 || j.Shorter == nil || *j.Shorter >= 12 || j.EverySeconds != 559 || j.Every != "9m19s" || j.Planned {
		t.Errorf("%+v", j)
	}
	// the same interval swept: life at 9m19s ≥ 12 y, at 9m18s < 12 y
	stdout, _, _ = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--sweep", "drip-lora.heartbeat.every=558s,559s", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("sweep:\n%s", stdout)
	}
	stdout, _, code = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--solve", "drip-lora.anomaly-model.every", "--target", "12y")
	if code != 0 || !strings.Contains(stdout, "drip-lora.anomaly-model (planned: today's device with its feature shipped): every 16s or longer reaches 12 years") {
		t.Errorf("planned event: exit %d\n%s", code, stdout)
	}
	// a sweep of a planned event says the device is not today's
	if stdout, _, code = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--sweep", "drip-lora.anomaly-model.every=5s,1m"); code != 0 ||
		!strings.Contains(stdout, "drip-lora with edge-anomaly shipped (planned): battery life against anomaly-model.every") {
		t.Errorf("sweeping a planned event: exit %d\n%s", code, stdout)
	}
	if stdout, _, code = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--sweep", "drip-lora.anomaly-model.every=5s", "-o", "json"); code != 0 || !strings.Contains(stdout, `"planned": true`) {
		t.Errorf("sweeping a planned event, JSON: exit %d\n%s", code, stdout)
	}
	if stdout, _, code = cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--sweep", "drip-lora.heartbeat.every=5m", "-o", "json"); code != 0 || !strings.Contains(stdout, `"planned": false`) {
		t.Errorf("sweeping today's event, JSON: exit %d\n%s", code, stdout)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--solve", "drip-lora.heartbeat.every", "--target", "30y"}, "drip-lora cannot reach 30 years at any interval of heartbeat: no interval reaches the target: with the event every 100 years the device lasts 20 years (the cell's shelf life: no drain lets it last longer)"},
		{[]string{"--solve", "drip-lora.heartbeat.sf", "--target", "12y"}, "write DEVICE.EVENT.every"},
		{[]string{"--solve", "drip-lora.heartbeat.every"}, "--solve and --target go together"},
		{[]string{"--solve", "drip-lora.hartbeat.every", "--target", "12y"}, `did you mean "heartbeat"?`},
	} {
		_, stderr, code := cmdtest.Run(t, nil, append([]string{"battery", "-C", cmdtest.ExampleRepo}, tt.args...)...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d: %s", tt.args, code, stderr)
		}
	}
}

// Firmware updates are part of the life when the profile says how often
// one comes. drip-lora downloads for 45 min at 6 mA (Q = 16.2 C) every
// 3mo (T = 3 × 2,629,800 s = 7,889,400 s), sleeping at 2.5 µA otherwise:
//
//	ΔI = (Q − I_sleep × d) / T = (16.2 − 2.5e-6 × 2,700) / 7,889,400 = 2.052533 µA
//
// drip-valve: 30 s at 150 mA (4.5 C) over 10 µA sleep, every 3mo:
// (4.5 − 10e-6 × 30) / 7,889,400 = 0.570348 µA. Without every the life
// leaves them out, and the ota line says so.
func TestUpdatesInTheLife(t *testing.T) {
	type line struct {
		Kind    string  `json:"kind"`
		Name    string  `json:"name"`
		Current float64 `json:"current_ua"`
	}
	type device struct {
		ID        string  `json:"id"`
		Average   float64 `json:"average_current_ua"`
		SelfDisch float64 `json:"self_discharge_ua"`
		Usable    float64 `json:"usable_mah"`
		LifeHours float64 `json:"life_hours"`
		Budget    []line  `json:"budget"`
	}
	type doc struct {
		Devices []device `json:"devices"`
	}
	read := func(dir string) (map[string]float64, doc, string) {
		stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", dir, "-o", "json")
		var d doc
		if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		avg := map[string]float64{}
		for _, dev := range d.Devices {
			avg[dev.ID] = dev.Average
		}
		return avg, d, stderr
	}
	dir := cmdtest.CopyExample(t)
	with, d, stderr := read(dir)
	if strings.Contains(stderr, "leaves firmware updates out") {
		t.Errorf("the example states every: %s", stderr)
	}
	lora := slices.IndexFunc(d.Devices, func(dev device) bool { return dev.ID == "drip-lora" })
	if lora < 0 {
		t.Fatalf("no drip-lora: %+v", d.Devices)
	}
	dev := d.Devices[lora]
	i := slices.IndexFunc(dev.Budget, func(l line) bool { return l.Name == "ota-update" })
	if i < 0 || dev.Budget[i].Kind != "event" || math.Abs(dev.Budget[i].Current-(16.2-2.5e-6*2700)/7889400*1e6) > 1e-9 {
		t.Errorf("drip-lora budget lacks the updates: %+v", dev.Budget)
	}
	if life := dev.Usable / (dev.Average + dev.SelfDisch) * 1e3; math.Abs(life-dev.LifeHours) > 1e-6 {
		t.Errorf("life %v h, want %v", dev.LifeHours, life)
	}
	devices := filepath.Join(dir, "devices.yaml")
	cmdtest.EditFile(t, devices, "current: 6mA, every: 3mo}", "current: 6mA}")
	cmdtest.EditFile(t, devices, "current: 150mA, every: 3mo}", "current: 150mA}")
	without, _, stderr := read(dir)
	for id, want := range map[string]float64{"drip-lora": (16.2 - 2.5e-6*2700) / 7889400, "drip-valve": (4.5 - 10e-6*30) / 7889400, "drip-puck": 0} {
		if got := (with[id] - without[id]) * 1e-6; math.Abs(got-want) > 1e-15 {
			t.Errorf("%s: the updates add %.9g A, want %.9g A", id, got, want)
		}
	}
	for _, want := range []string{
		"devices.yaml:14:10: warning: device drip-lora: its battery life leaves firmware updates out (4.5 mAh each)",
		"devices.yaml:69:10: warning: device drip-valve: its battery life leaves firmware updates out (1.25 mAh each)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// The cell catalog is browsed before there is a planning repo: outside
// one, --list-cells lists the built-in cells and says so on stderr; a
// devices file that iotpm.yaml names must still exist.
func TestListCellsOutsideARepo(t *testing.T) {
	empty := t.TempDir()
	stdout, stderr, code := cmdtest.Run(t, nil, "battery", "-C", empty, "--list-cells", "-o", "csv")
	if code != 0 || !strings.Contains(stderr, "devices.yaml: no such file: the built-in cells only") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// the example states its er14505's capacity: the listing says where
	// that figure comes from; outside a repo it is the catalog's own
	const own = "capacity from devices.yaml line 6; built-in: "
	inRepo, _, _ := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--list-cells", "-o", "csv")
	if !strings.Contains(inRepo, own) || strings.Contains(stdout, own) || stdout != strings.Replace(inRepo, own, "", 1) {
		t.Errorf("outside a repo:\n%s\nthe example repo:\n%s", stdout, inRepo)
	}
	named := t.TempDir()
	cmdtest.WriteFile(t, named, "iotpm.yaml", "devices: power.yaml\n")
	_, stderr, code = cmdtest.Run(t, nil, "battery", "-C", named, "--list-cells")
	if code != 2 || !strings.Contains(stderr, "power.yaml") {
		t.Errorf("a named devices file that is missing: exit %d, stderr %q", code, stderr)
	}
}
