// Package diag holds the positioned problem reports that every iotpm command
// produces for bad input. One type serves the YAML loaders, the CSV readers and
// the CI printers, so a problem looks the same wherever it was found.
package diag

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/termsafe"
)

// Severity says whether a diagnostic makes the input invalid.
type Severity string

const (
	// Error makes the input invalid: the command exits 2.
	Error Severity = "error"
	// Warning is reported but does not change the exit code.
	Warning Severity = "warning"
)

// Kind says what sort of problem a diagnostic is, like actionlint's rule
// names: a script or a CI step can tell a broken file from a plan that does
// not hold together without reading the English.
type Kind string

// The kinds of problem.
const (
	// File: the file cannot be read (missing, a directory, too large, a
	// broken link).
	File Kind = "file"
	// Syntax: not well-formed YAML (or an empty file, two documents).
	Syntax Kind = "syntax"
	// Schema: a key or value that does not fit the file's format: an
	// unknown key, a wrong type, a malformed quantity, a value out of range.
	Schema Kind = "schema"
	// Plan: entries that do not hold together: ids defined twice, a
	// reference to nothing, a dependency cycle, a zero effort.
	Plan Kind = "plan"
	// Row: a row of a CSV export or survey that cannot be used.
	Row Kind = "row"
	// Source: a database source: the mapping against the catalog, the
	// connection, the data in the tables.
	Source Kind = "source"
	// Placeholder: a file still holds iotpm init's example figures (a
	// warning: what is computed from them is made up).
	Placeholder Kind = "placeholder"
)

// Diagnostic is one problem at one place in one file. Line and Col are 1-based;
// zero means "unknown" (a whole-file problem such as an unreadable file).
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Severity Severity `json:"severity"`
	Kind     Kind     `json:"kind"`
	Message  string   `json:"message"`
}

// RelativeTo is the diagnostic with an absolute path made relative to dir
// (slashes), as a document read away from the machine shows it; other
// paths are kept.
func (d Diagnostic) RelativeTo(dir string) Diagnostic {
	if rel, err := filepath.Rel(dir, d.File); err == nil && filepath.IsAbs(d.File) && !strings.HasPrefix(rel, "..") {
		d.File = filepath.ToSlash(rel)
	}
	return d
}

// String formats the diagnostic the way compilers and linters do, so editors
// and problem matchers can jump to it: path:line:col: message. Warnings say so.
// Control characters in the path or message (from a planning file or an
// export) are escaped: the line stays one line.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(termsafe.String(d.File))
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(termsafe.String(d.Message))
	return b.String()
}

// List collects diagnostics. The zero value is ready to use.
type List []Diagnostic

// Errorf adds an error of a kind at file:line:col.
func (l *List) Errorf(kind Kind, file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{File: file, Line: line, Col: col, Severity: Error, Kind: kind, Message: Clip(fmt.Sprintf(format, args...))})
}

// Warnf adds a warning of a kind at file:line:col.
func (l *List) Warnf(kind Kind, file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{File: file, Line: line, Col: col, Severity: Warning, Kind: kind, Message: Clip(fmt.Sprintf(format, args...))})
}

// MaxMessage bounds a message: the values a message echoes are cut at
// about 80 bytes where it is written, and this is the backstop for one
// that was not, so that no input can put a megabyte line on stderr.
const MaxMessage = 2000

// Clip cuts a message to MaxMessage bytes at a character boundary, saying
// how much was cut.
func Clip(s string) string {
	if len(s) <= MaxMessage {
		return s
	}
	cut := MaxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	return slices.ContainsFunc(l, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns only the errors.
func (l List) Errors() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Error })
}

// Warnings returns only the warnings.
func (l List) Warnings() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Warning })
}

// Sort orders diagnostics by file, line and column and drops exact repeats,
// so output is stable whatever order the checks ran in.
func (l List) Sort() List {
	out := slices.Clone(l)
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(out)
}

// Error makes a List usable as an error value; it joins the lines.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
