package cmdutil

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/render"
)

// Emit renders a command's whole output into memory first and writes it only
// when rendering succeeded, so a failure never leaves half a document on
// stdout for a script to consume. write gets the output's Term: with
// --columns, its tables record there which names matched and which columns
// they had, and a name none of them had refuses the output (checkColumns) —
// state of this one output, not of the Factory.
func Emit(f *Factory, write func(w *bytes.Buffer, term render.Term) error) error {
	var buf bytes.Buffer
	term := f.Term()
	var seen []string
	if len(term.Columns) > 0 {
		term.Picked, term.Seen = map[string]bool{}, &seen
	}
	if err := write(&buf, term); err != nil {
		return err
	}
	if err := checkColumns(term); err != nil {
		return err
	}
	output.Lock()
	defer output.Unlock()
	if err := f.Context().Err(); err != nil {
		return err // interrupted: nothing is written
	}
	output.written = true
	_, err := f.IO.Out.Write(buf.Bytes())
	return err
}

// EmitWithProblems is Emit for a command whose JSON and YAML documents
// (objects, with no problems member of their own) carry the run's
// warnings as their last member, problems (Warned: file, line, column,
// message — the shape of iotpm check's), whichever of its documents the
// flags chose; its markdown shows them in a warning callout under its
// heading. A battery life that leaves firmware updates
// out, a schedule over a calendar whose releases are past, kept by a
// script that drops stderr or pasted into a page, keeps the word it is to
// be read with.
func EmitWithProblems(f *Factory, format render.Format, write func(w *bytes.Buffer, term render.Term) error) error {
	return Emit(f, func(w *bytes.Buffer, term render.Term) error {
		if err := write(w, term); err != nil {
			return err
		}
		if format == render.FormatMarkdown {
			markdownWarnings(f, w)
			return nil
		}
		return render.AppendMember(w, format, "problems", f.Warned())
	})
}

// markdownWarnings puts the run's warnings (Warned, paths relative to the
// repo) in a GitHub warning callout after the markdown document's first
// line when that is a heading, else before it; nothing without warnings.
// iotpm report puts the same callout under its health line.
func markdownWarnings(f *Factory, doc *bytes.Buffer) {
	var lines []string
	for _, d := range f.Warned() {
		lines = append(lines, d.RelativeTo(f.Dir).String())
	}
	if len(lines) == 0 {
		return
	}
	b := slices.Clone(doc.Bytes())
	head, blank := 0, false // after the heading, and the blank line after it
	if i := bytes.IndexByte(b, '\n'); i >= 0 && bytes.HasPrefix(b, []byte("#")) {
		head = i + 1
		if blank = bytes.HasPrefix(b[head:], []byte("\n")); blank {
			head++
		}
	}
	doc.Reset()
	doc.Write(b[:head])
	if head > 0 && !blank {
		doc.WriteByte('\n')
	}
	render.MarkdownWarning(doc, "What the run warned of, which the numbers below are to be read with:", lines)
	doc.WriteByte('\n')
	doc.Write(b[head:])
}

// output serialises writing a command's output with stopping the process
// on an interrupt: the process never exits halfway through a write, and
// after an interrupt nothing starts writing.
var output struct {
	sync.Mutex
	written bool
}

// HoldOutput stops every later Emit from writing (for a process about to
// exit on an interrupt) and reports whether an Emit wrote before it.
func HoldOutput() (written bool) {
	output.Lock()
	return output.written
}

// OutputWritten reports whether an Emit has written since ResetOutput.
func OutputWritten() bool {
	output.Lock()
	defer output.Unlock()
	return output.written
}

// ResetOutput starts a run: nothing written yet.
func ResetOutput() {
	output.Lock()
	defer output.Unlock()
	output.written = false
}

// checkColumns refuses a --columns name that no table of the output had
// (the output is not written): a typo must not quietly show everything.
// An output without tables checks nothing.
func checkColumns(t render.Term) error {
	if len(t.Columns) == 0 || t.Seen == nil || *t.Seen == nil {
		return nil
	}
	seen := *t.Seen
	for _, name := range t.Columns {
		if !t.Picked[render.ColumnKey(name)] {
			return failure.UsageErrorf("--columns: no column %q in this output%s (columns: %s)", name, DidYouMean(render.ColumnKey(name), seen), strings.Join(seen, ", "))
		}
	}
	return nil
}

// ReportProblems prints diagnostics to stderr, sorted, and keeps the
// warnings for the output (Warned). When any is an error it returns a
// failure.InvalidInputError for Main to turn into exit 2.
func ReportProblems(f *Factory, diags diag.List) error {
	for _, d := range diags.Sort() {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if diags.HasErrors() {
		return &failure.InvalidInputError{Diagnostics: diags}
	}
	f.warned = append(f.warned, diags.Warnings()...)
	return nil
}

// Warned is every warning ReportProblems printed so far, sorted (never
// nil): the problems a command's JSON and YAML carry beside numbers
// measured from the fleet's data, so that a pipeline keeping the output
// and not the log keeps what they are to be read with.
func (f *Factory) Warned() []diag.Diagnostic {
	return append([]diag.Diagnostic{}, f.warned.Sort()...)
}
