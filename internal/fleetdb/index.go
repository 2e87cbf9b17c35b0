package fleetdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/jackc/pgx/v5"
)

// Index is an index the statements read a table by: its columns in
// order, and the statement that creates it.
type Index struct {
	Kind    planfile.InputKind
	Table   string   // as the mapping names it
	Columns []string // column names, leading first
	// File, Line and Col are the input's place in iotpm.yaml.
	File      string
	Line, Col int
}

// Statement is the CREATE INDEX that gives the index.
func (ix Index) Statement() string {
	cols := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	return fmt.Sprintf("CREATE INDEX ON %s (%s);", quoteTable(ix.Table), strings.Join(cols, ", "))
}

// Why says what the index answers.
func (ix Index) Why() string {
	if ix.Kind == planfile.KindEvents || ix.Kind == planfile.KindActivity {
		return "the horizon (the latest row time)"
	}
	return "the horizon (the latest row time) and the window's rows"
}

// indexes are the indexes the statements read the inputs by: every input
// with a time column by that column (the horizon is its max(); OTA, usage
// and tickets rows are read inside the window). No index on (device id,
// time) is asked for: the walk reads every event once, in a sequential
// scan, and sorts them; PostgreSQL does not read such an index on a table
// in time order (a heap read per row) and, on one stored in device order
// where it does, the walk was not faster (docs/databases.md). An index
// nothing reads costs the user its disk and every insert.
func (p *plan) indexes() []Index {
	var out []Index
	for _, kind := range planfile.InputKinds {
		t, ok := p.tables[kind]
		if !ok {
			continue
		}
		ts, ok := t.cols[timeRole(kind)]
		if !ok {
			continue
		}
		out = append(out, Index{Kind: kind, Table: t.Table, Columns: []string{ts.name}, File: t.File, Line: t.Pos.Line, Col: t.Pos.Col})
	}
	return out
}

// MissingIndexes are the indexes of indexes() the database lacks: no index
// of the table leads with the same columns in the same order. A view and
// a foreign table have no index of their own and are not checked (their
// tables', or the remote table's, indexes serve them; CREATE INDEX on a
// foreign table fails).
func MissingIndexes(ctx context.Context, conn *pgx.Conn, p *plan) ([]Index, error) {
	var missing []Index
	for _, ix := range p.indexes() {
		var noIndexes, has bool
		err := conn.QueryRow(ctx, `
SELECT c.relkind IN ('v', 'f'),
  EXISTS (SELECT 1 FROM pg_index i
          WHERE i.indrelid = c.oid AND i.indnatts >= cardinality($2::text[])
            AND (i.indkey::int2[])[0:cardinality($2::text[]) - 1] = ARRAY(
                  SELECT a.attnum FROM unnest($2::text[]) WITH ORDINALITY AS n(name, k)
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = n.name ORDER BY n.k)::int2[])
FROM pg_class c WHERE c.oid = to_regclass($1)`, quoteTable(ix.Table), ix.Columns).Scan(&noIndexes, &has)
		if err != nil {
			return nil, queryError(err, "index check")
		}
		if !noIndexes && !has {
			missing = append(missing, ix)
		}
	}
	return missing, nil
}
