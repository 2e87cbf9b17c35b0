package fleetdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// AllowList is the tables a run may read, set outside the planning repo
// (a pull request edits iotpm.yaml, not the workflow's environment):
// schema.table, or schema.* for every table of a schema. Names compare
// as PostgreSQL stores them (case-sensitive), after the catalog resolved
// the input's name, so neither quoting nor the search path gets around
// it.
type AllowList []string

// ParseAllowList reads a comma-separated list ("fleet.*, ops.devices").
func ParseAllowList(s string) (AllowList, error) {
	var out AllowList
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		schema, table, ok := strings.Cut(p, ".")
		if !ok || schema == "" || table == "" || strings.Contains(table, ".") || schema == "*" {
			return nil, fmt.Errorf("%q is not schema.table or schema.*", p)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q names no table: give schema.table or schema.*, comma-separated", s)
	}
	return out, nil
}

// Allows reports whether a resolved table is on the list (an empty list
// allows all).
func (a AllowList) Allows(schema, table string) bool {
	if a == nil {
		return true
	}
	for _, p := range a {
		s, t, _ := strings.Cut(p, ".")
		if s == schema && (t == "*" || t == table) {
			return true
		}
	}
	return false
}

// allowed resolves an input's table in the catalog and refuses it when the
// allow list does not name it.
func allowed(ctx context.Context, conn *pgx.Conn, in Input, allow AllowList) error {
	if allow == nil {
		return nil
	}
	var schema, table string
	err := conn.QueryRow(ctx, `SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
		quoteTable(in.Table)).Scan(&schema, &table)
	if errors.Is(err, pgx.ErrNoRows) {
		return in.problem("", "table %s: no such table or view (names are case-sensitive; schema.table for one outside the search path)", in.Table)
	}
	if err != nil {
		return err
	}
	if !allow.Allows(schema, table) {
		return in.problem("", "table %s (%s.%s) is not among the tables this run may read (--allow-tables or IOTPM_DB_ALLOW_TABLES: %s)", in.Table, schema, table, strings.Join(allow, ", "))
	}
	return nil
}

// StatementTimedOut reports whether the server cancelled a statement at
// the session's statement_timeout (SQLSTATE 57014 with that reason): the
// same limit as the client's --timeout, which may fire first or second.
func StatementTimedOut(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "57014" && strings.Contains(pe.Message, "statement timeout")
}
