// Package termsafe makes text from planning files and exports safe to print
// on a terminal or in a CI log: control characters become visible escapes.
// A newline inside a CSV header would otherwise start a line of its own —
// and on GitHub Actions a line that starts with "::" is a workflow command
// (::warning::, ::add-mask::…), so a pull request could inject one; an
// escape sequence in a customer id (ESC [2J) would clear the reader's
// screen.
package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character — C0 but tab, DEL, C1 —
// written as a Go escape (\n, \x1b, \u0085), and invalid UTF-8 as \x…. Text
// without any is returned as it is, without allocating.
//
// It also defuses the GitHub Actions runner's workflow commands a value
// could carry: "::name" at the start of a line after blanks (a value
// often starts a printed line: a file name in a diagnostic, a table's
// first cell) and the old "##[name]" form anywhere; the first ':' or the
// second '#' is written as \x3a or \x23.
func String(s string) string {
	if clean(s) && !command(s) {
		return s
	}
	if command(s) {
		s = defuse(s)
		if clean(s) {
			return s
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case control(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func control(r rune) bool {
	return (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || control(r) {
				return false
			}
			i += size - 1
		}
	}
	return true
}

// command reports whether s carries a workflow command the runner would
// read: "::" first after blanks, or "##[" anywhere.
func command(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " \t"), "::") || strings.Contains(s, "##[")
}

// defuse writes the first ':' of a leading "::" and the second '#' of
// every "##[" as escapes, which the runner does not read as commands.
func defuse(s string) string {
	if t := strings.TrimLeft(s, " \t"); strings.HasPrefix(t, "::") {
		s = s[:len(s)-len(t)] + `\x3a` + t[1:]
	}
	return strings.ReplaceAll(s, "##[", `#\x23[`)
}
