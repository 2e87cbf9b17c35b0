package fleetdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
)

// The mapping of an OTA snapshot table, checked before any connection:
// snapshot only on ota, never with a timestamp column; an ota table
// without a timestamp is told about snapshot: true.
func TestSnapshotMappingCheck(t *testing.T) {
	ota := cols("device_id=d", "job_id=j", "status=s")
	for _, tc := range []struct {
		name string
		in   Input
		want string // "" accepted
	}{
		{"snapshot", Input{Kind: "ota", Table: "x", Snapshot: true, Columns: ota}, ""},
		{"no timestamp", Input{Kind: "ota", Table: "x", Columns: ota}, "missing timestamp, which ota needs (its required roles: device_id, job_id, status, timestamp); map it to a column of x (a table of final states without times: snapshot: true)"},
		{"snapshot with a timestamp", Input{Kind: "ota", Table: "x", Snapshot: true, Columns: cols("device_id=d", "job_id=j", "status=s", "timestamp=t")}, "a snapshot's rows have no time"},
		{"snapshot events", Input{Kind: "events", Table: "x", Snapshot: true, Columns: cols("device_id=d", "event=e")}, "snapshot: applies to an ota table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Check()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var p *Problem
			if !errors.As(err, &p) || !strings.Contains(p.Message, tc.want) {
				t.Errorf("got %v, want a problem with %q", err, tc.want)
			}
		})
	}
}

// An OTA snapshot (Azure Device Update's "devices in deployment": no
// times, final states counted in any window) in a table with snapshot:
// true gives the file's OTA rate, accounting and firmware (no version at
// H from it) on each engine; a job execution with rows of different
// states is refused, since a table's rows have no order to pick the last.
func TestOTASnapshotSameAsLocal(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		ctx := context.Background()
		f := genFleet(5, false)
		files, tables := loadFleet(t, e, conn, schema, "snap", f, false)
		rng := rand.New(rand.NewPCG(5, 9))
		var b strings.Builder
		b.WriteString("deviceId,deviceState,deploymentId\n")
		states := []string{"Succeeded", "Failed", "Canceled", "InProgress", "Incompatible", "NotStarted"}
		for d := range 42 {
			for _, dep := range []string{"dep-a", "dep-b"} {
				if rng.IntN(4) == 0 {
					continue
				}
				line := fmt.Sprintf("dev-%02d,%s,%s\n", d, states[rng.IntN(len(states))], dep)
				b.WriteString(line)
				if rng.IntN(6) == 0 {
					b.WriteString(line) // the same state twice: one execution
				}
			}
		}
		path := filepath.Join(t.TempDir(), "adu.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		load(t, conn, schema, "adu", "device_id text, state text, deployment text", path)
		files["ota"] = export.Input{Kind: "ota", Path: path}
		tables["ota"] = Input{Kind: "ota", Table: schema + ".adu", Snapshot: true, Columns: cols("device_id=device_id", "job_id=deployment", "status=state")}
		spread(t, e, conn, tables)
		for _, month := range []string{"2026-09", "2026-10"} {
			o := options(month)
			o.Models = edgeModes
			want, wantStats := local(t, files, o)
			if want.OTA == nil || !want.OTA.Snapshot || len(want.OTA.Jobs) != 2 {
				t.Fatalf("the file's OTA is not the snapshot's: %+v", want.OTA)
			}
			got, err := Run(ctx, conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
			if err != nil {
				t.Fatal(err)
			}
			same(t, want, got.Report)
			sameStats(t, wantStats, got.Stats)
			if got.Report.OTA == nil || !got.Report.OTA.Snapshot {
				t.Errorf("%s: the database's OTA is not marked a snapshot: %+v", month, got.Report.OTA)
			}
		}
		if _, err := conn.Exec(ctx, "INSERT INTO "+schema+".adu VALUES ('dev-01', 'Succeeded', 'dep-c'), ('dev-01', 'Failed', 'dep-c')"); err != nil {
			t.Fatal(err)
		}
		o := options("2026-10")
		_, err := Run(ctx, conn, &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
		var p *Problem
		if !errors.As(err, &p) || !strings.Contains(p.Message, `1 job executions (device / job) have rows of different states (for example "dev-01 / dep-c")`) {
			t.Errorf("conflicting rows: %v", err)
		}
	})
}
