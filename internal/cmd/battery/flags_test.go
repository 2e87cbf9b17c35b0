package battery

import (
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
)

func Test_NewCmdBattery(t *testing.T) {
	tests := []struct {
		args    string
		want    BatteryOptions
		wantErr string
	}{
		{args: "", want: BatteryOptions{}},
		{args: "fleet/devices.yaml --device drip-lora", want: BatteryOptions{File: "fleet/devices.yaml", Device: "drip-lora"}},
		{args: "--sweep drip-lora.heartbeat.every=5m,1h --min-life 3y", want: BatteryOptions{Sweep: "drip-lora.heartbeat.every=5m,1h", MinLife: "3y"}},
		{args: "--list-cells --plan", want: BatteryOptions{ListCells: true, Plan: true}},
		{args: "--sweep drip-lora.heartbeat.every=5m --device drip-lora", wantErr: "--sweep names its device; drop --device"},
		{args: "a.yaml b.yaml", wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *BatteryOptions
			cmd := NewCmdBattery(flagtest.Factory(), func(o *BatteryOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			if got.File != tt.want.File || got.Device != tt.want.Device || got.Sweep != tt.want.Sweep ||
				got.MinLife != tt.want.MinLife || got.ListCells != tt.want.ListCells || got.Plan != tt.want.Plan {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
