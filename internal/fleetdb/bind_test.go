package fleetdb

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

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

// A connection error never shows the password, not even by the gap a
// masked short one leaves in a word.
func TestConnectErrorHidesThePassword(t *testing.T) {
	for _, tt := range []struct{ password, server, must, mustNot string }{
		{"o", `password authentication failed for user "bob"`, "withheld", "authentication failed"},
		{"s3cret-pass-1", `bad password s3cret-pass-1 for "bob"`, "********", "s3cret"},
	} {
		cfg := &pgconn.Config{Host: "db.example", Port: 5432, Database: "fleet", Password: tt.password}
		msg := connectError(cfg, errors.New(tt.server)).Error()
		if !strings.Contains(msg, tt.must) || strings.Contains(msg, tt.mustNot) {
			t.Errorf("%q: %s", tt.password, msg)
		}
	}
}

// pgconn's one line per address tried (twice with sslmode=prefer) is one
// line, each attempt once.
func TestConnectErrorOnOneLine(t *testing.T) {
	server := "failed to connect to `user=bob database=fleet`:\n\t127.0.0.1:1 (localhost): dial error: refused\n\t127.0.0.1:1 (localhost): dial error: refused\n\t127.0.0.1:2 (localhost): dial error: refused"
	cfg := &pgconn.Config{Host: "localhost", Port: 1, Database: "fleet"}
	got := connectError(cfg, errors.New(server)).Error()
	want := `cannot connect to database "fleet" on localhost:1: failed to connect to ` + "`user=bob database=fleet`" + `: 127.0.0.1:1 (localhost): dial error: refused; 127.0.0.1:2 (localhost): dial error: refused`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := oneLine("no route to host"); got != "no route to host" {
		t.Errorf("one line: %q", got)
	}
}
