package fleetdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/iotpm/iotpm/pkg/metrics/timelines"
	"github.com/jackc/pgx/v5"
)

// The uptime definition's hand-worked timelines (the cases pkg/metrics is
// tested on), computed in SQL: every rule gives the hand-computed answer.
func TestTimelinesInSQL(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) { timelinesInSQL(t, e) })
}

func timelinesInSQL(t *testing.T, e *pgtest.Engine) {
	conn, schema := e.Conn(t)
	ctx := context.Background()
	for i, tc := range timelines.Uptime {
		if tc.FilesOnly() {
			continue // sessions and file order: the source refuses them (TestSourceRefusals)
		}
		t.Run(tc.Name, func(t *testing.T) {
			devices, events := fmt.Sprintf("%s.devices_%d", schema, i), fmt.Sprintf("%s.events_%d", schema, i)
			activity := fmt.Sprintf("%s.activity_%d", schema, i)
			if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (device_id text, shipped_us bigint, retired_us bigint, model text);
CREATE TABLE %s (device_id text, ts_us bigint, event text, seq text);
CREATE TABLE %s (device_id text, ts_us bigint)`, devices, events, activity)); err != nil {
				t.Fatal(err)
			}
			var rows [][]any
			for _, d := range tc.Devices {
				var retired, model any
				if d.Retired != 0 {
					retired = d.Retired
				}
				if d.Model != "" {
					model = d.Model
				}
				rows = append(rows, []any{d.ID, d.Shipped, retired, model})
			}
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{schema, fmt.Sprintf("devices_%d", i)}, []string{"device_id", "shipped_us", "retired_us", "model"}, pgx.CopyFromRows(rows)); err != nil {
				t.Fatal(err)
			}
			rows = nil
			for _, a := range tc.Activity {
				rows = append(rows, []any{a.Device, a.At})
			}
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{schema, fmt.Sprintf("activity_%d", i)}, []string{"device_id", "ts_us"}, pgx.CopyFromRows(rows)); err != nil {
				t.Fatal(err)
			}
			rows = nil
			for _, e := range tc.Events {
				state := "disconnected"
				if e.Connected {
					state = "connected"
				}
				rows = append(rows, []any{e.Device, e.At, state, e.Seq})
			}
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{schema, fmt.Sprintf("events_%d", i)}, []string{"device_id", "ts_us", "event", "seq"}, pgx.CopyFromRows(rows)); err != nil {
				t.Fatal(err)
			}
			inputs := map[planfile.InputKind]Input{"events": {Kind: "events", Table: events, SequenceReset: tc.Reset,
				Columns: cols("device_id=device_id", "timestamp=ts_us:us", "event=event")}}
			if tc.NoEvents {
				delete(inputs, "events")
			}
			if tc.Sequenced() {
				inputs["events"].Columns["sequence"] = cols("sequence=seq")["sequence"]
			}
			if len(tc.Devices) > 0 {
				inputs["devices"] = Input{Kind: "devices", Table: devices, Columns: cols("device_id=device_id", "shipped_at=shipped_us:us", "retired_at=retired_us:us", "model=model")}
			}
			if len(tc.Activity) > 0 {
				inputs["activity"] = Input{Kind: "activity", Table: activity, Columns: cols("device_id=device_id", "timestamp=ts_us:us")}
			}
			spread(t, e, conn, inputs)
			models := map[string]metrics.Mode{}
			for v, p := range tc.Profiles {
				models[v] = metrics.Mode{Profile: v, Every: int64(p.Every * 3600e6), Grace: p.Grace}
			}
			o := metrics.Options{Window: metrics.Window{From: timelines.At(0), To: timelines.At(100)}, SLO: 0.99,
				DormantAfter: int64(tc.Dormant * 3600e6), Health: metrics.DefaultHealth(), SeriesMonths: 12, Models: models}
			if tc.AsOf != 0 {
				o.AsOf = timelines.At(tc.AsOf)
			}
			res, err := Run(ctx, conn, &Job{Inputs: inputs, Options: o, UseUntil: o.Window.To})
			if err != nil {
				t.Fatal(err)
			}
			u := res.Report.Uptime
			if u == nil {
				t.Fatal("no uptime")
			}
			got := timelines.Want{ConnHours: float64(u.ConnectedUS) / 3600e6, ObsHours: float64(u.ObservedUS) / 3600e6,
				Dormant: u.Dormant, Retired: u.Retired, Never: u.NeverActivated,
				Missed: u.Checkin.Missed, Planned: u.PlannedDisconnects, Unknown: u.UnknownModels, Disconnects: u.Disconnects, Sparse: sparse(u), Intermittent: u.Always.Sparse.Devices}
			if tc.FirstMonth != "" && (len(res.Report.Months) == 0 || res.Report.Months[0].Label != tc.FirstMonth) {
				t.Errorf("series %+v, want it to start in %s", res.Report.Months, tc.FirstMonth)
			}
			for _, st := range res.Stats {
				if st.Kind == "events" {
					got.Dups, got.SeqBack = st.Duplicates, st.SequenceBack
				}
			}
			if got != tc.Want {
				t.Errorf("got %+v\nwant %+v", got, tc.Want)
			}
		})
	}
}

// sparse sums the profiles' sparse check-in devices.
func sparse(u *metrics.Uptime) int {
	n := 0
	for _, p := range u.ByProfile {
		n += p.Sparse.Devices
	}
	return n
}
