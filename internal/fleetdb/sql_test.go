package fleetdb

import (
	"context"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
	"github.com/jackc/pgx/v5"
)

// Citus refuses any statement written WITH RECURSIVE unless it filters on
// the distribution column: no statement is, the sequence epochs (events
// ordered by a sequence with a reset gap) included.
func TestNoRecursiveStatement(t *testing.T) {
	events := func(reset int64, kv ...string) map[planfile.InputKind]Input {
		return map[planfile.InputKind]Input{
			"devices": {Kind: "devices", Table: "fleet.units", Columns: cols("device_id=unit_ref", "shipped_at=sent")},
			"events":  {Kind: "events", Table: "fleet.presence", SequenceReset: reset, Columns: cols(kv...)},
		}
	}
	byTime := []string{"device_id=clientId", "timestamp=ts:ms", "event=what"}
	bySeq := append(byTime, "sequence=seq")
	for _, tc := range []struct {
		name   string
		inputs map[planfile.InputKind]Input
	}{
		{"by time", events(0, byTime...)},
		{"by sequence, no reset", events(0, bySeq...)},
		{"by sequence with a reset", events(3_600_000_000, bySeq...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options("2026-10")
			script, err := Script(&Job{Inputs: tc.inputs, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(script, "WITH ") {
				t.Fatal("the script has no WITH clause")
			}
			if got := strings.Count(script, "RECURSIVE"); got > 0 {
				t.Errorf("%d statements WITH RECURSIVE, want none", got)
			}
		})
	}
}

// TestVocabularyIsNormal: vocabExpr answers a value spelled exactly as a
// vocabulary word without normalising it, which is normExpr's answer only
// when every word is its own normal form — in PostgreSQL, not by a
// rewrite of the rule in Go. A word that is not (say "Connected" or
// "dis-connect") fails this test, and a value spelled like it would be
// classified without the rule.
func TestVocabularyIsNormal(t *testing.T) {
	conn, _ := testConn(t)
	o := options("2026-10")
	params := (&Job{Options: o}).params(0)
	for _, name := range []string{"connect", "disconnect", "success", "failure", "excluded", "pending"} {
		words := params[name].([]string)
		if len(words) == 0 {
			t.Fatalf("@%s: no words", name)
		}
		var bad []string
		sql := "SELECT coalesce(array_agg(w), '{}') FROM unnest(@words::text[]) AS w WHERE " + normExpr("w") + " IS DISTINCT FROM w"
		if err := scanOne(context.Background(), conn, sql, Params{"words": words}, &bad); err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Errorf("@%s: %q are not their own normal form", name, bad)
		}
	}
}

// TestVocabExprFastPath: the exact-spelling shortcut of vocabExpr gives
// the class the normalisation gives, for the words and for spellings
// that only the normalisation recognises.
func TestVocabExprFastPath(t *testing.T) {
	conn, _ := testConn(t)
	params := (&Job{Options: options("2026-10")}).params(0)
	c := column{quoted: "v"}
	for _, tc := range []struct {
		v    string
		want *int
	}{
		{"connected", ptr(1)}, {"disconnected", ptr(0)}, {"Connected", ptr(1)}, {" DISCONNECTED\t", ptr(0)},
		{"Microsoft.Devices.DeviceConnected", ptr(1)}, {"device_disconnect", ptr(0)}, {"1", ptr(1)}, {"-1", nil},
		{"connected-1", nil}, {"", nil},
	} {
		var got *int
		sql := "SELECT " + stateExpr(c) + " FROM unnest(@v::text[]) AS x(v)"
		p := Params{"v": []string{tc.v}, "connect": params["connect"], "disconnect": params["disconnect"]}
		if err := scanOne(context.Background(), conn, sql, p, &got); err != nil {
			t.Fatal(err)
		}
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%q: class %v, want %v", tc.v, deref(got), deref(tc.want))
		}
	}
}

func ptr(i int) *int { return &i }

func deref(p *int) any {
	if p == nil {
		return "NULL"
	}
	return *p
}

// The device ids are compared as they are only when every input's id
// column has the same integer, uuid or varchar type; else each is cast to text (a
// bigint id column and a text one join as text).
func TestIDType(t *testing.T) {
	resolved := func(types ...string) *plan {
		p := &plan{tables: map[planfile.InputKind]*table{}}
		kinds := []planfile.InputKind{planfile.KindDevices, planfile.KindEvents, planfile.KindActivity, planfile.KindOTA, planfile.KindUsage}
		for i, typ := range types {
			p.tables[kinds[i]] = &table{cols: map[string]column{"device_id": {quoted: `"id"`, typeID: typ}}}
		}
		// tickets have no device id: they never decide
		p.tables[planfile.KindTickets] = &table{cols: map[string]column{"customer_id": {quoted: `"c"`, typeID: "int8"}}}
		p.setIDType()
		return p
	}
	for _, tc := range []struct {
		types []string
		want  string
	}{
		{[]string{"int8", "int8", "int8"}, "bigint"},
		{[]string{"int4", "int4"}, "integer"},
		{[]string{"uuid", "uuid", "uuid", "uuid", "uuid"}, "uuid"},
		{[]string{"int8", "text"}, ""},
		{[]string{"int4", "int8"}, ""},
		{[]string{"text", "text"}, ""},
		{[]string{"varchar", "varchar"}, "varchar"},
		{[]string{"varchar", "text"}, ""},
		{[]string{"bpchar", "bpchar"}, "bpchar"}, // char(n): compared without its padding, as its text is
		{[]string{"bpchar", "varchar"}, ""},
		{[]string{"numeric", "numeric"}, ""}, // 7 and 7.0 are equal numbers, not equal ids
		{nil, ""},
	} {
		p := resolved(tc.types...)
		if p.idType != tc.want {
			t.Errorf("%v: ids compared as %q, want %q", tc.types, p.idType, tc.want)
		}
		id := p.idExpr(column{quoted: `"id"`})
		if wantExpr := map[bool]string{true: `"id"`, false: `("id")::text`}[tc.want != ""]; id != wantExpr {
			t.Errorf("%v: id expression %s, want %s", tc.types, id, wantExpr)
		}
	}
}

// metrics.unmodelled naming a profile: the devices statement gives it to
// the devices without a model value — in the psql script too, as a quoted
// literal (a quote in it doubled); without it, the model stays as read.
func TestUnmodelledInTheScript(t *testing.T) {
	inputs := map[planfile.InputKind]Input{
		"devices": {Kind: "devices", Table: "fleet.units", Columns: cols("device_id=unit_ref", "shipped_at=sent", "model=sku")},
		"events":  {Kind: "events", Table: "fleet.presence", Columns: cols("device_id=clientId", "timestamp=ts:ms", "event=what")},
	}
	o := options("2026-10")
	script, err := Script(&Job{Inputs: inputs, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(script, "coalesce(NULLIF(btrim((\"sku\")") {
		t.Error("the model is coalesced without metrics.unmodelled")
	}
	o.Unmodelled = "o'valve"
	script, err = Script(&Job{Inputs: inputs, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script, "coalesce(NULLIF(btrim((\"sku\")::text, E' \\t'), ''), ") || !strings.Contains(script, "'o''valve'") {
		t.Errorf("the script does not give the unlabelled devices their profile:\n%s", script)
	}
}

// formExpr gives each id the form metrics.IDForm gives it, so that both
// engines count the same ids as a device written otherwise: DevEUIs with
// and without The Things Stack's eui- and separators, case, non-ASCII
// letters (dropped before lower(), which may map the Kelvin sign to an
// ASCII k under a UTF-8 collation), short ids.
func TestFormExprIsIDForm(t *testing.T) {
	engines(t, func(t *testing.T, e *pgtest.Engine) {
		conn, _ := e.Conn(t)
		formExprIsIDForm(t, conn)
	})
}

func formExprIsIDForm(t *testing.T, conn *pgx.Conn) {
	ids := []string{"eui-a8404141c1842b2f", "A8-40-41-41-C1-84-2B-2F", "EUI-A8404141C1842B2F", "eui-a8404141c1842b2", "euiname1234",
		"drip_000201", "DRIP-000201", "x-1", "ab", "\u212a-1234", "ä.ö-1234", "eui-zz404141c1842b2f", ""}
	var got []string
	sql := "SELECT array_agg(" + formExpr("i") + " ORDER BY n) FROM unnest(@ids::text[]) WITH ORDINALITY AS u(i, n)"
	if err := scanOne(context.Background(), conn, sql, Params{"ids": ids}, &got); err != nil {
		t.Fatal(err)
	}
	for k, id := range ids {
		// IDForm says "" for a form too short to compare, which the SQL
		// leaves to its length check
		if want := metrics.IDForm(id); want != got[k] && !(want == "" && len(got[k]) < 4) {
			t.Errorf("%q: SQL %q, IDForm %q", id, got[k], want)
		}
	}
}

func TestServerMajor(t *testing.T) {
	for v, want := range map[string]int{"15.10 (Debian 15.10-0+deb12u1)": 15, "17beta1": 17, "9.6.24": 9, "14": 14, "": 0, "devel": 0} {
		if got := serverMajor(v); got != want {
			t.Errorf("serverMajor(%q) = %d, want %d", v, got, want)
		}
	}
}
