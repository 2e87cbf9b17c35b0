package metrics

import (
	"maps"
	"slices"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/planfile"
)

func Test_NewCmdMetrics(t *testing.T) {
	tests := []struct {
		args    string
		check   func(t *testing.T, o *MetricsOptions)
		wantErr string
	}{
		{args: "", check: func(t *testing.T, o *MetricsOptions) {
			if len(o.Inputs) != 0 || o.SLO != "99%" || o.ActivationWindow != "30d" || o.DormantAfter != "30d" || o.DSNEnv != fleetmetrics.DefaultDSNEnv {
				t.Errorf("defaults: %+v", *o)
			}
			if o.Set("slo") || o.Set("activation-window") {
				t.Error("a default seen as set: iotpm.yaml would lose to it")
			}
		}},
		{args: "--events e.csv.gz --devices d.csv --month 2026-10", check: func(t *testing.T, o *MetricsOptions) {
			if !maps.Equal(o.Inputs, map[planfile.InputKind]string{planfile.KindEvents: "e.csv.gz", planfile.KindDevices: "d.csv"}) || o.Month != "2026-10" {
				t.Errorf("inputs %v month %q", o.Inputs, o.Month)
			}
		}},
		{args: "--map events.device_id=clientId --map events.event=eventType --format events=aws-iot-lifecycle --tz events=Europe/Berlin", check: func(t *testing.T, o *MetricsOptions) {
			if !slices.Equal(o.Maps, []string{"events.device_id=clientId", "events.event=eventType"}) ||
				!slices.Equal(o.Formats, []string{"events=aws-iot-lifecycle"}) || !slices.Equal(o.Zones, []string{"events=Europe/Berlin"}) {
				t.Errorf("maps %q formats %q zones %q", o.Maps, o.Formats, o.Zones)
			}
		}},
		{args: "--slo 99.5% --min-uptime 98% --min-mad 150 --max-data-age 2d", check: func(t *testing.T, o *MetricsOptions) {
			if o.SLO != "99.5%" || o.MinUptime != "98%" || o.MinMAD != 150 || o.MaxDataAge != "2d" || !o.Set("slo") || !o.Set("max-data-age") {
				t.Errorf("%+v", *o)
			}
		}},
		{args: "--source postgres --dsn-env FLEET_DSN --timeout 2m --print-sql", check: func(t *testing.T, o *MetricsOptions) {
			if o.Source != "postgres" || o.DSNEnv != "FLEET_DSN" || o.Timeout != "2m" || !o.PrintSQL {
				t.Errorf("%+v", *o)
			}
		}},
		{args: "--max-bad-rows -1", wantErr: "--max-bad-rows must be 0 or more"},
		{args: "--min-mad lots", wantErr: `invalid argument "lots"`},
		{args: "events.csv", wantErr: `unexpected argument "events.csv": metrics takes its inputs as flags (--events PATH`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var got *MetricsOptions
			cmd := NewCmdMetrics(flagtest.Factory(), func(o *MetricsOptions) error { got = o; return nil })
			if !flagtest.Parse(t, cmd, tt.args, tt.wantErr) {
				return
			}
			tt.check(t, got)
		})
	}
}
