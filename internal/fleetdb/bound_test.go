package fleetdb

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
)

// rawBound never leaves out a row whose time qualifies: for a column of
// every time type and epoch unit (and zone-less timestamps read in zones
// from −11 h to +14 h), bounds at, just before and just after each row's
// own time keep every row the exact condition keeps.
func TestRawBoundIsASuperset(t *testing.T) {
	conn, schema := pgtest.Postgres.Conn(t)
	ctx := context.Background()
	for i, tc := range []struct {
		sqlType, typeID, unit, zone, conv string
	}{
		{"timestamptz", "timestamptz", "", "", "to_timestamp(us / 1e6)"},
		{"timestamp", "timestamp", "", "UTC", "to_timestamp(us / 1e6) AT TIME ZONE 'UTC'"},
		{"timestamp", "timestamp", "", "Pacific/Kiritimati", "to_timestamp(us / 1e6) AT TIME ZONE 'Pacific/Kiritimati'"},
		{"timestamp", "timestamp", "", "Pacific/Pago_Pago", "to_timestamp(us / 1e6) AT TIME ZONE 'Pacific/Pago_Pago'"},
		{"timestamp", "timestamp", "", "Europe/Berlin", "to_timestamp(us / 1e6) AT TIME ZONE 'Europe/Berlin'"},
		{"date", "date", "", "", "(to_timestamp(us / 1e6) AT TIME ZONE 'UTC')::date"},
		{"bigint", "int8", "s", "", "us / 1000000"},
		{"bigint", "int8", "ms", "", "us / 1000"},
		{"bigint", "int8", "us", "", "us"},
		{"bigint", "int8", "ns", "", "us * 1000 + 999"},
		{"integer", "int4", "s", "", "us / 1000000"},
		{"numeric", "numeric", "s", "", "us / 1e6"},
		{"double precision", "float8", "ms", "", "us / 1e3"},
	} {
		t.Run(fmt.Sprintf("%s %s %s", tc.sqlType, tc.unit, tc.zone), func(t *testing.T) {
			tbl := fmt.Sprintf("%s.b%d", schema, i)
			if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s AS SELECT (%s)::%s AS x
FROM (SELECT (1.6e15 + random() * 4e14)::bigint AS us FROM generate_series(1, 300)) g`, tbl, tc.conv, tc.sqlType)); err != nil {
				t.Fatal(err)
			}
			c := column{quoted: "x", typeID: tc.typeID, unit: tc.unit, zone: tc.zone}
			exact := c.timeExpr("r.x")
			c.quoted = "r.x"
			var lost, kept int64
			err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT
  count(*) FILTER (WHERE (%[1]s >= b.b AND NOT (%[2]s)) OR (%[1]s <= b.b AND NOT (%[3]s))),
  count(*) FILTER (WHERE %[1]s >= b.b)
FROM %[4]s r, (SELECT DISTINCT %[5]s + d AS b FROM %[4]s x, unnest('{-1,0,1}'::bigint[]) d) b`,
				exact, c.rawBound(">=", "b.b"), c.rawBound("<=", "b.b"), tbl, column{quoted: "x.x", typeID: tc.typeID, unit: tc.unit, zone: tc.zone}.timeExpr("x.x"))).Scan(&lost, &kept)
			if err != nil {
				t.Fatal(err)
			}
			if lost != 0 || kept == 0 {
				t.Errorf("%d (row, bound) pairs left out by the raw bound that the exact one keeps (%d kept)", lost, kept)
			}
		})
	}
}

// On TimescaleDB the OTA statement reads only the chunks from the
// window's start (less a margin) to H, and the health statement's usage
// and tickets parts only the window's: the raw bounds let the planner
// exclude the others, as EXPLAIN shows. The example's rows are copied 90
// days before and after, so that there are chunks to exclude.
func TestChunkExclusion(t *testing.T) {
	e := pgtest.TimescaleDB
	conn, schema := e.Conn(t)
	ctx := context.Background()
	_, tables := exampleInputs(t, e, conn, schema, filepath.Join("..", "..", "examples", "leak-sensor", "exports"))
	// with a ticket id the tickets are read whole (a ticket's earliest row
	// may lie before the window): the bound is the tickets' without it
	delete(tables["tickets"].Columns, "ticket_id")
	p, err := Resolve(ctx, conn, tables, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.skip = nil
	for _, k := range []planfile.InputKind{planfile.KindOTA, planfile.KindUsage, planfile.KindTickets} {
		tbl := p.tables[k]
		ts := tbl.cols[timeRole(k)]
		by := "interval '90 days'"
		if per, ok := map[string]int64{"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[ts.unit]; ok {
			by = fmt.Sprint(90 * 86400 * per)
		}
		for _, shift := range []string{"-", "+"} {
			if _, err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %[1]s
SELECT (jsonb_populate_record(NULL::%[1]s, to_jsonb(r) || jsonb_build_object(%[2]s, r.%[3]s %[4]s %[5]s))).* FROM %[1]s r`,
				tbl.quoted, "'"+ts.name+"'", ts.quoted, shift, by)); err != nil {
				t.Fatal(err)
			}
		}
	}
	o := options("2026-10")
	job := &Job{Inputs: tables, Options: o, UseUntil: o.Window.To + o.ActivationWindow}
	var horizon int64
	if err := scanOne(ctx, conn, p.horizonSQL(), job.params(0), &horizon); err != nil {
		t.Fatal(err)
	}
	params := job.params(horizon)
	health, _ := p.healthParts()
	part := func(name string) string {
		return with(append(p.baseCTEs("@bounds::bigint[]"), health...)...) + "SELECT count(*) FROM " + name
	}
	const day = 86_400_000_000
	for _, tc := range []struct {
		name, sql string
		kind      planfile.InputKind
		from, to  int64
	}{
		{"the OTA statement", p.otaSQL(), planfile.KindOTA, o.Window.From, horizon},
		{"the health statement's usage", part("used"), planfile.KindUsage, o.Window.From, o.Window.To},
		{"the health statement's tickets", part("tk"), planfile.KindTickets, o.Window.From, o.Window.To},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := strings.Split(p.tables[tc.kind].Table, ".")
			tbl := parts[len(parts)-1]
			// every chunk, and whether it may hold a row in [from, to]
			// (with two days' margin, the widest of the raw bounds)
			// (an epoch column's hypertable has integer ranges, in its unit)
			us := map[string]float64{"s": 1e6, "ms": 1e3, "us": 1, "ns": 1e-3}[p.tables[tc.kind].cols[timeRole(tc.kind)].unit]
			rows, err := conn.Query(ctx, `SELECT chunk_name, CASE WHEN range_start IS NOT NULL
  THEN range_end > to_timestamp($3::float8 / 1e6) AND range_start < to_timestamp($4::float8 / 1e6)
  ELSE range_end_integer * $5::float8 > $3 AND range_start_integer * $5::float8 < $4 END
FROM timescaledb_information.chunks WHERE hypertable_schema = $1 AND hypertable_name = $2`, schema, tbl, tc.from-2*day, tc.to+2*day, us)
			if err != nil {
				t.Fatal(err)
			}
			near := map[string]bool{}
			for rows.Next() {
				var id string
				var in bool
				if err := rows.Scan(&id, &in); err != nil {
					t.Fatal(err)
				}
				near[id] = in
			}
			rows.Close()
			s, args, err := bind(tc.sql, params.only(tc.sql))
			if err != nil {
				t.Fatal(err)
			}
			rows, err = conn.Query(ctx, "EXPLAIN "+s, args...)
			if err != nil {
				t.Fatal(err)
			}
			plan := ""
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan += line + "\n"
			}
			rows.Close()
			read, far := 0, 0
			for _, m := range regexp.MustCompile(`on (_hyper_\d+_\d+_chunk)`).FindAllStringSubmatch(plan, -1) {
				in, ok := near[m[1]]
				if !ok {
					continue // another table's chunk
				}
				read++
				if !in {
					far++
				}
			}
			t.Logf("reads %d of the %d chunks of %s", read, len(near), tbl)
			if read == 0 || far > 0 || len(near) < 3 {
				t.Errorf("reads %d chunks of %s (of %d), %d of them wholly outside the window\n%s", read, tbl, len(near), far, plan)
			}
		})
	}
}
