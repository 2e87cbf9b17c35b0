package fleetdb

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/jackc/pgx/v5"
)

// Device and customer ids in varchar, bigint, uuid or char(n) columns
// (the distribution columns on Citus; the statements compare device ids
// as they are, customer ids as text): the same values as the files
// holding the same ids, the month series and the fleet lookback included.
// char(8) pads the shorter ids: compared without the padding, as the
// files' unpadded ids are.
func TestTypedIDs(t *testing.T) {
	for _, typ := range typedIDTypes {
		dir := typedIDExports(t, typ)
		t.Run(typ, func(t *testing.T) {
			engines(t, func(t *testing.T, e *pgtest.Engine) {
				conn, schema := e.Conn(t)
				files, tables := typedIDInputs(t, e, conn, schema, dir, typ)
				p, err := Resolve(context.Background(), conn, tables, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want := map[string]string{"char(8)": "bpchar"}[typ]; p.idType != cmp.Or(want, typ) {
					t.Errorf("ids compared as %q, want as the columns' %s", p.idType, typ)
				}
				o := options("2026-10")
				o.SeriesMonths, o.FleetLookbackDays = 12, 30
				got := sameAsLocal(t, conn, files, tables, o)
				if got.Report.Uptime == nil || got.Report.Uptime.Devices == 0 {
					t.Fatalf("no devices walked: %+v", got.Report.Uptime)
				}
				if wantFleet := localFleet(t, files, o); len(got.Fleet) == 0 || !slices.Equal(wantFleet, got.Fleet) {
					t.Errorf("fleet days: %d devices from the tables, %d from the files, or they differ", len(got.Fleet), len(wantFleet))
				}
			})
		})
	}
}

// typedIDTypes are the id column types TestTypedIDs and
// TestCitusPlanShape load the example's ids into.
var typedIDTypes = []string{"varchar", "bigint", "uuid", "char(8)"}

// typedIDExports are the example's exports with their device and
// customer ids replaced by numbers or UUIDs (typedIDs).
func typedIDExports(t *testing.T, typ string) string {
	return typedIDs(t, filepath.Join("..", "..", "examples", "leak-sensor", "exports"), typ, map[string][]string{
		"devices.csv": {"device_id", "customer_id"}, "lifecycle.csv": {"clientId"}, "ota.csv": {"thingName"},
		"usage.csv": {"device_id"}, "uplinks.csv": {"result.end_device_ids.device_id"}, "tickets.csv": {"customer_id"},
	})
}

// typedIDInputs loads typedIDExports' files into schema with the device
// and customer ids in columns of type typ (the distribution columns on
// Citus), and returns them as files and as tables.
func typedIDInputs(t *testing.T, e *pgtest.Engine, conn *pgx.Conn, schema, dir, typ string) (map[planfile.InputKind]export.Input, map[planfile.InputKind]Input) {
	for _, l := range [][3]string{
		{"devices", "unit ID, shipped_at date, customer_id ID, model text, firmware text", "devices.csv"},
		{"lifecycle", "unit ID, ts_ms bigint, event_type text", "lifecycle.csv"},
		{"ota", "unit ID, job_id text, status text, last_updated_at bigint, version text", "ota.csv"},
		{"usage", "unit ID, feature text, ts timestamptz", "usage.csv"},
		{"uplinks", "unit ID, received_at timestamptz, f_cnt bigint", "uplinks.csv"},
		{"tickets", "ticket_id text, customer_id ID, created_at timestamp, subject text", "tickets.csv"},
	} {
		load(t, conn, schema, l[0], strings.ReplaceAll(l[1], "ID", typ), filepath.Join(dir, l[2]))
	}
	tables := map[planfile.InputKind]Input{
		"devices":  {Kind: "devices", Table: schema + ".devices", Columns: cols("device_id=unit", "shipped_at=shipped_at", "customer_id=customer_id", "model=model", "firmware=firmware")},
		"events":   {Kind: "events", Table: schema + ".lifecycle", Columns: cols("device_id=unit", "timestamp=ts_ms:ms", "event=event_type")},
		"activity": {Kind: "activity", Table: schema + ".uplinks", Columns: cols("device_id=unit", "timestamp=received_at")},
		"ota":      {Kind: "ota", Table: schema + ".ota", Columns: cols("device_id=unit", "job_id=job_id", "status=status", "timestamp=last_updated_at:s", "version=version")},
		"usage":    {Kind: "usage", Table: schema + ".usage", Columns: cols("device_id=unit", "feature=feature", "timestamp=ts")},
		"tickets":  {Kind: "tickets", Table: schema + ".tickets", Zone: "UTC", Columns: cols("customer_id=customer_id", "created_at=created_at")},
	}
	spread(t, e, conn, tables)
	files := exampleFiles(dir)
	return files, tables
}

// typedIDs copies the exports of src to a new directory with every id
// (in the columns named for each file) replaced by a UUID for typ uuid,
// else by a number — the same for the same id in every file; an empty
// value stays empty.
func typedIDs(t *testing.T, src, typ string, idColumns map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	read := func(name string) [][]string {
		f, err := os.Open(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rows
	}
	ids := map[string]int{}
	all := map[string][][]string{}
	var names []string
	for _, name := range []string{"devices.csv", "lifecycle.csv", "ota.csv", "usage.csv", "uplinks.csv", "tickets.csv"} {
		rows := read(name)
		all[name] = rows
		for _, col := range idColumns[name] {
			k := slices.Index(rows[0], col)
			if k < 0 {
				t.Fatalf("%s has no column %s", name, col)
			}
			for _, r := range rows[1:] {
				if _, seen := ids[r[k]]; !seen && r[k] != "" {
					ids[r[k]] = 0
					names = append(names, r[k])
				}
			}
		}
	}
	slices.Sort(names)
	for i, id := range names {
		ids[id] = 7 + 997*i // of several widths: text order is not number order
	}
	for name, rows := range all {
		for _, col := range idColumns[name] {
			k := slices.Index(rows[0], col)
			for _, r := range rows[1:] {
				if r[k] == "" {
					continue
				}
				n := ids[r[k]]
				r[k] = strconv.Itoa(n)
				if typ == "uuid" {
					r[k] = fmt.Sprintf("%08x-0000-4000-8000-%012d", n*2654435761%(1<<32), n)
				}
			}
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		if err := w.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}
