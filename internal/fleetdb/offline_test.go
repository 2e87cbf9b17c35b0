package fleetdb

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/planfile"
)

// TestOfflineStateColumns: an event column named for the offline state
// (is_offline) that holds booleans would read inverted — the default
// vocabulary takes true for a connect — so it is refused, whether the
// column is boolean, numeric or text with boolean spellings, with the
// view that reads it right; the view the message gives is then read
// right: gw-1 C 11:00 D 12:40 C 13:10, 100 + 50 of 180 min; gw-2 C 11:30
// D 13:00, 90 of 150 (W = [11:00, 14:00) on 10 October, H = 14:00).
// A text column of that name with connected/disconnected is read.
func TestOfflineStateColumns(t *testing.T) {
	conn, schema := testConn(t)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, text string) string { return writeCSV(t, dir, name, text) }
	rows := [][3]string{{"gw-1", "11:00", "false"}, {"gw-1", "12:40", "true"}, {"gw-1", "13:10", "false"}, {"gw-2", "11:30", "false"}, {"gw-2", "13:00", "true"}}
	csv := func(f func(string) string) string {
		var b strings.Builder
		b.WriteString("gw,at,state\n")
		for _, r := range rows {
			b.WriteString(r[0] + ",2026-10-10T" + r[1] + ":00Z," + f(r[2]) + "\n")
		}
		return b.String()
	}
	same := func(s string) string { return s }
	numeric := func(s string) string { return map[string]string{"true": "1", "false": "0"}[s] }
	words := func(s string) string { return map[string]string{"true": "disconnected", "false": "connected"}[s] }
	load(t, conn, schema, "link_bool", "gw text, at timestamptz, is_offline boolean", write("bool.csv", csv(same)))
	load(t, conn, schema, "link_int", "gw text, at timestamptz, offline int", write("int.csv", csv(numeric)))
	load(t, conn, schema, "link_text", `gw text, at timestamptz, "isOffline" text`, write("text.csv", csv(same)))
	load(t, conn, schema, "link_words", "gw text, at timestamptz, offline_event text", write("words.csv", csv(words)))
	if _, err := conn.Exec(ctx, "CREATE VIEW "+schema+".link_view AS SELECT gw, at, CASE WHEN is_offline THEN 'disconnected' ELSE 'connected' END AS event FROM "+schema+".link_bool"); err != nil {
		t.Fatal(err)
	}
	o := options("2026-10")
	o.Window.From, o.Window.To = 1791630000000000, 1791640800000000 // 11:00, 14:00Z
	o.AsOf = o.Window.To
	run := func(table, event string) (float64, error) {
		job := &Job{Options: o, UseUntil: o.Window.To, Inputs: map[planfile.InputKind]Input{"events": {Kind: "events", Table: schema + "." + table,
			Columns: cols("device_id=gw", "timestamp=at", "event="+event)}}}
		res, err := Run(ctx, conn, job)
		if err != nil {
			return 0, err
		}
		return res.Report.Uptime.Value, nil
	}
	for _, c := range []struct{ table, event, view string }{
		{"link_bool", "is_offline", `CASE WHEN "is_offline" THEN 'disconnected'`},
		{"link_int", "offline", `CASE WHEN "offline" = 1 THEN 'disconnected'`},
		{"link_text", "isOffline", `CASE WHEN lower("isOffline") IN ('true', 't', '1') THEN 'disconnected'`},
	} {
		_, err := run(c.table, c.event)
		var p *Problem
		if !errors.As(err, &p) || !strings.Contains(p.Message, "is named for the offline state") || !strings.Contains(p.Message, c.view) {
			t.Errorf("%s: err = %v, want a problem naming the offline state and the view %s", c.table, err, c.view)
		}
	}
	hand := 240.0 / 330
	for _, c := range []struct{ table, event string }{{"link_view", "event"}, {"link_words", "offline_event"}} {
		got, err := run(c.table, c.event)
		if err != nil || math.Abs(got-hand) > 1e-12 {
			t.Errorf("%s: uptime %v, %v; by hand %v", c.table, got, err, hand)
		}
	}
}
