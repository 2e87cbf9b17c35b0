package battery

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// batteryRun on stubbed options, without the command tree: one device, a
// gate that fails after writing, the cell catalog, and an unknown device.
func Test_batteryRun(t *testing.T) {
	const example = "../../../examples/leak-sensor"
	for _, tc := range []struct {
		name    string
		opts    BatteryOptions
		devices []string // -o json: the devices, in order (nil: not JSON)
		err     string   // "", "usage" or "gate"
		stdout  string
	}{
		{name: "every device", opts: BatteryOptions{}, devices: []string{"drip-lora", "drip-puck", "drip-valve"}},
		{name: "one device", opts: BatteryOptions{Device: "drip-puck"}, devices: []string{"drip-puck"}},
		{name: "a life no cell reaches", opts: BatteryOptions{MinLife: "100y"}, devices: []string{"drip-lora", "drip-puck", "drip-valve"}, err: "gate"},
		{name: "a device that is not there", opts: BatteryOptions{Device: "drip-pcuk"}, err: "usage"},
		{name: "the cell catalog", opts: BatteryOptions{ListCells: true}, stdout: "er14505"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			output := "json"
			if tc.devices == nil {
				output = ""
			}
			f, stdout, stderr := flagtest.RunFactory(example, output, nil)
			opts := tc.opts
			opts.Factory = f
			err := batteryRun(&opts)
			var usage *failure.UsageError
			var gate *failure.GateError
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("err = %v; stderr %s", err, stderr)
			case tc.err == "usage" && (!errors.As(err, &usage) || stdout.Len() != 0):
				t.Fatalf("err = %v, stdout %d bytes; want a usage error and nothing written", err, stdout.Len())
			case tc.err == "gate" && !errors.As(err, &gate):
				t.Fatalf("err = %v, want a failed gate", err)
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %.300q lacks %q", stdout, tc.stdout)
			}
			if tc.devices == nil {
				return
			}
			var doc struct {
				Devices []struct {
					ID string `json:"id"`
				} `json:"devices"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range doc.Devices {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.devices, ",") {
				t.Errorf("devices %v, want %v", ids, tc.devices)
			}
		})
	}
}
