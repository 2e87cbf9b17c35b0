package fleetdb

import "testing"

func TestAllowList(t *testing.T) {
	a, err := ParseAllowList(" fleet.* , ops.devices")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		schema, table string
		want          bool
	}{
		{"fleet", "events", true}, {"ops", "devices", true}, {"ops", "secrets", false},
		{"Fleet", "events", false}, // names compare as PostgreSQL stores them
		{"pg_catalog", "pg_authid", false}, {"public", "devices", false},
	} {
		if got := a.Allows(c.schema, c.table); got != c.want {
			t.Errorf("%s.%s: %v, want %v", c.schema, c.table, got, c.want)
		}
	}
	if !AllowList(nil).Allows("pg_catalog", "pg_authid") {
		t.Error("no list allows any table (the role's grants decide)")
	}
	for _, bad := range []string{"", " , ", "events", "*.events", "a.b.c", "fleet."} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
