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
func String(s string) string {
	if clean(s) {
		return s
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
