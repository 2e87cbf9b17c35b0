package fleetdb

import "testing"

// @name is a parameter outside quotes only: a column a mapping names
// ("t@from") or a string literal keeps its text.
func TestBindLeavesQuotedTextAlone(t *testing.T) {
	sql, args, err := bind(`SELECT "t@from", 'x@to''s', "a""@to" FROM t WHERE ts >= @from AND ts < @to`, Params{"from": int64(1), "to": int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT "t@from", 'x@to''s', "a""@to" FROM t WHERE ts >= $1::bigint AND ts < $2::bigint`
	if sql != want || len(args) != 2 {
		t.Errorf("%s\nwant %s\nargs %v", sql, want, args)
	}
}
