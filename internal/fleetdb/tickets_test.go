package fleetdb

import (
	"testing"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
)

// twoCustomers are three devices shipped 1 September: acme's a1 and a2,
// bolt's b1.
const twoCustomers = "device_id,shipped_at,customer_id\n" +
	"a1,2026-09-01T00:00:00Z,acme\na2,2026-09-01T00:00:00Z,acme\nb1,2026-09-01T00:00:00Z,bolt\n"

// The tables' columns are named their own way, none like its role.
//
// By hand: with a ticket id, the rows of one customer's ticket are one
// ticket, created at the earliest of their times. acme's T1 has a row and
// an update row on 5 October (one ticket), T2 was opened 28 September
// with a row of 2 October (not October's), T3 on 10 October, and two rows
// without an id on 11 October are a ticket each: 4 tickets in October;
// bolt's T1 (another customer's id) is its own: 1. Two rows repeat a
// ticket. In every engine, as the files give.
func TestTicketsOncePerID(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeCSV(t, dir, name, text) }
	devices := write("devices.csv", twoCustomers)
	tickets := write("tickets.csv", "ticket_id,customer_id,created_at\n"+
		"T1,acme,2026-10-05T09:00:00Z\nT1,acme,2026-10-05T09:00:00Z\n"+
		"T2,acme,2026-10-02T08:00:00Z\nT2,acme,2026-09-28T08:00:00Z\n"+
		"T3,acme,2026-10-10T12:00:00Z\n"+
		",acme,2026-10-11T12:00:00Z\n ,acme,2026-10-11T12:00:00Z\n"+
		"T1,bolt,2026-10-06T10:00:00Z\n")
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		load(t, conn, schema, "devices", "unit text, shipped timestamptz, owner text", devices)
		load(t, conn, schema, "tickets", "number text, account text, opened timestamptz", tickets)
		files := map[planfile.InputKind]export.Input{"devices": {Kind: "devices", Path: devices}, "tickets": {Kind: "tickets", Path: tickets}}
		tables := map[planfile.InputKind]Input{
			"devices": {Kind: "devices", Table: schema + ".devices", Columns: cols("device_id=unit", "shipped_at=shipped", "customer_id=owner")},
			"tickets": {Kind: "tickets", Table: schema + ".tickets", Columns: cols("customer_id=account", "created_at=opened", "ticket_id=number")},
		}
		spread(t, e, conn, tables)
		o := options("2026-10")
		o.AsOf = o.Window.To
		got := sameAsLocal(t, conn, files, tables, o)
		want := map[string]int{"acme": 4, "bolt": 1}
		for _, c := range got.Report.Customers {
			if c.Tickets != want[c.Customer] {
				t.Errorf("%s: %d tickets, want %d", c.Customer, c.Tickets, want[c.Customer])
			}
			delete(want, c.Customer)
		}
		if len(want) > 0 {
			t.Errorf("customers missing: %v", want)
		}
		for _, st := range got.Stats {
			if st.Kind == planfile.KindTickets && st.Duplicates != 2 {
				t.Errorf("%d rows repeat a ticket, want 2", st.Duplicates)
			}
		}
	})
}

// A fleet whose only signal is activity (LoRaWAN uplinks, no connection
// events), or whose customers' health has usage and tickets but no events,
// runs in SQL as from the files: the statement's empty events once lacked
// the walk's columns (column "bk_t" does not exist), and with no events
// table at all the plan dereferenced it (a panic).
func TestNoEventsSameAsLocal(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeCSV(t, dir, name, text) }
	devices := write("devices.csv", twoCustomers)
	activity := write("activity.csv", "device_id,timestamp\n"+
		"a1,2026-09-02T00:00:00Z\na1,2026-10-03T00:00:00Z\na2,2026-10-20T00:00:00Z\nb1,2026-09-03T00:00:00Z\n")
	usage := write("usage.csv", "device_id,feature,timestamp\na1,leak-alert,2026-10-04T00:00:00Z\n")
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, schema := e.Conn(t)
		load(t, conn, schema, "devices", "unit text, shipped timestamptz, owner text", devices)
		load(t, conn, schema, "activity", "eui text, heard timestamptz", activity)
		load(t, conn, schema, "usage", "thing text, what text, at timestamptz", usage)
		allFiles := map[planfile.InputKind]export.Input{"devices": {Kind: "devices", Path: devices}, "activity": {Kind: "activity", Path: activity}, "usage": {Kind: "usage", Path: usage}}
		allTables := map[planfile.InputKind]Input{
			"devices":  {Kind: "devices", Table: schema + ".devices", Columns: cols("device_id=unit", "shipped_at=shipped", "customer_id=owner")},
			"activity": {Kind: "activity", Table: schema + ".activity", Columns: cols("device_id=eui", "timestamp=heard")},
			"usage":    {Kind: "usage", Table: schema + ".usage", Columns: cols("device_id=thing", "feature=what", "timestamp=at")},
		}
		spread(t, e, conn, allTables)
		for _, kinds := range [][]planfile.InputKind{{"devices", "activity"}, {"devices", "usage"}} {
			files := map[planfile.InputKind]export.Input{}
			tables := map[planfile.InputKind]Input{}
			for _, k := range kinds {
				files[k], tables[k] = allFiles[k], allTables[k]
			}
			o := options("2026-10")
			o.AsOf = o.Window.To
			got := sameAsLocal(t, conn, files, tables, o)
			if kinds[1] == "activity" && (got.Report.MAD == nil || got.Report.MAD.Value != 2) {
				t.Errorf("%v: monthly active devices %+v, want 2 (a1, a2)", kinds, got.Report.MAD)
			}
			if kinds[1] == "usage" && len(got.Report.Customers) != 2 {
				t.Errorf("%v: customers %+v, want acme and bolt", kinds, got.Report.Customers)
			}
		}
	})
}
