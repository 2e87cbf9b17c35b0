package fleetdb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Params are a query's values by name; the SQL refers to them as @name.
type Params map[string]any

var paramRE = regexp.MustCompile(`@([a-z_]+)`)

// bind turns @name references into typed positional parameters ($1::bigint)
// and returns the values in order. Typing every parameter keeps PostgreSQL
// from inferring int4 for a bigint compared with a literal 0.
func bind(sql string, p Params) (string, []any, error) {
	index := map[string]int{}
	var args []any
	var missing string
	replace := func(m string) string {
		name := m[1:]
		v, ok := p[name]
		if !ok {
			missing = name
			return m
		}
		i, seen := index[name]
		if !seen {
			args = append(args, v)
			i = len(args)
			index[name] = i
		}
		return "$" + strconv.Itoa(i) + "::" + sqlType(v)
	}
	// @name outside quotes only: a quoted identifier ("t@from", a column
	// a mapping names) or a string literal is text, never a parameter
	var out strings.Builder
	for rest := sql; rest != ""; {
		i := strings.IndexAny(rest, `"'`)
		if i < 0 {
			out.WriteString(paramRE.ReplaceAllStringFunc(rest, replace))
			break
		}
		out.WriteString(paramRE.ReplaceAllStringFunc(rest[:i], replace))
		q := rest[i]
		end := i + 1
		for end < len(rest) {
			if rest[end] == q {
				if end+1 < len(rest) && rest[end+1] == q { // a doubled quote inside
					end += 2
					continue
				}
				break
			}
			end++
		}
		end = min(end+1, len(rest))
		out.WriteString(rest[i:end])
		rest = rest[end:]
	}
	if missing != "" {
		return "", nil, fmt.Errorf("fleetdb: no value for @%s", missing)
	}
	return out.String(), args, nil
}

func sqlType(v any) string {
	switch v.(type) {
	case int64:
		return "bigint"
	case float64:
		return "float8"
	case string:
		return "text"
	case []string:
		return "text[]"
	case []int64:
		return "bigint[]"
	}
	panic(fmt.Sprintf("fleetdb: no SQL type for %T", v))
}

// literal writes a value as SQL, for the psql script of --print-sql.
func literal(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::text[]"
	case []int64:
		q := make([]string, len(x))
		for i, n := range x {
			q[i] = strconv.FormatInt(n, 10)
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::bigint[]"
	}
	panic(fmt.Sprintf("fleetdb: no SQL literal for %T", v))
}
