package cmdutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

func TestCheckOutputFlag(t *testing.T) {
	declared := &cobra.Command{Use: "rice"}
	DeclareFormats(declared, DataFormats)
	files := &cobra.Command{Use: "init"}
	DeclareFormats(files, NoFormats)
	undeclared := &cobra.Command{Use: "help"}
	tests := []struct {
		cmd     *cobra.Command
		output  string
		want    string // -o after the check
		wantErr string
	}{
		{declared, "", "table", ""},
		{declared, "csv", "csv", ""},
		{declared, "mermaid", "", `invalid output format "mermaid"`},
		{files, "", "", ""},
		{files, "json", "", "writes files, not output: -o does not apply"},
		{undeclared, "xml", "xml", ""},
	}
	for _, tt := range tests {
		f := &Factory{Output: tt.output}
		err := f.CheckOutputFlag(tt.cmd)
		if tt.wantErr != "" {
			var usage *failure.UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s -o %q: error %v, want a usage error with %q", tt.cmd.Use, tt.output, err, tt.wantErr)
			}
			continue
		}
		if err != nil || f.Output != tt.want {
			t.Errorf("%s -o %q: %v, -o now %q, want %q", tt.cmd.Use, tt.output, err, f.Output, tt.want)
		}
	}
	if !strings.HasSuffix(declared.Long, "Output (-o): table, json, yaml, csv, markdown; default table.") {
		t.Errorf("help line: %q", declared.Long)
	}
	if got, _ := CompleteOutput(declared, nil, ""); strings.Join(got, ",") != "table,json,yaml,csv,markdown" {
		t.Errorf("completion %q", got)
	}
}

func TestNarrowFormat(t *testing.T) {
	if err := NarrowFormat(render.FormatCSV, DataFormats, "with --capacity"); err != nil {
		t.Error(err)
	}
	err := NarrowFormat(FormatMermaid, DataFormats, "without --sweep")
	if err == nil || err.Error() != `invalid output format "mermaid" without --sweep: use one of table, json, yaml, csv, markdown` {
		t.Errorf("%v", err)
	}
}

func TestUnknownName(t *testing.T) {
	for _, tt := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"drip-lorra", []string{"drip-lora", "drip-puck"}, `no device "drip-lorra" in devices.yaml; did you mean "drip-lora"?`},
		{"x", nil, `no device "x" in devices.yaml (it has no devices)`},
		{"zzz", []string{"a", "b"}, `no device "zzz" in devices.yaml (devices: a, b)`},
	} {
		if got := UnknownName("device", tt.name, "devices.yaml", tt.candidates); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}

// Emit writes nothing when rendering fails, and everything when it does not.
func TestEmitWritesOnlyCompleteOutput(t *testing.T) {
	ios, out, _ := iostreams.Test()
	f := &Factory{IO: ios}
	boom := errors.New("boom")
	if err := Emit(f, func(b *bytes.Buffer, _ render.Term) error { b.WriteString("half a doc"); return boom }); err != boom || out.Len() != 0 {
		t.Fatalf("err %v, wrote %q", err, out.String())
	}
	if err := Emit(f, func(b *bytes.Buffer, _ render.Term) error { b.WriteString("whole"); return nil }); err != nil || out.String() != "whole" {
		t.Fatalf("err %v, wrote %q", err, out.String())
	}
}

func TestReportProblems(t *testing.T) {
	ios, _, errOut := iostreams.Test()
	f := &Factory{IO: ios}
	var warn diag.List
	warn.Warnf(diag.Plan, "b.yaml", 2, 1, "careful")
	if err := ReportProblems(f, warn); err != nil || errOut.String() != "b.yaml:2:1: warning: careful\n" {
		t.Fatalf("warnings: %v %q", err, errOut.String())
	}
	var bad diag.List
	bad.Errorf(diag.Syntax, "a.yaml", 3, 2, "broken")
	var invalid *failure.InvalidInputError
	if err := ReportProblems(f, bad); !errors.As(err, &invalid) || err.Error() != "1 problem in a.yaml; nothing was computed" {
		t.Fatalf("errors: %v", err)
	}
}

// --columns is checked against each output's own tables: a name no table
// of the output has refuses it (nothing written), and what one output's
// tables had does not carry over to the next output of the same Factory.
func TestEmitChecksColumnsPerOutput(t *testing.T) {
	ios, out, _ := iostreams.Test()
	f := &Factory{IO: ios, Columns: []string{"name"}}
	table := func(headers ...string) func(*bytes.Buffer, render.Term) error {
		return func(b *bytes.Buffer, term render.Term) error {
			tbl := &render.Table{}
			for _, h := range headers {
				tbl.Columns = append(tbl.Columns, render.Column{Header: h})
			}
			return tbl.Text(b, term)
		}
	}
	if err := Emit(f, table("NAME", "VALUE")); err != nil || !strings.Contains(out.String(), "NAME") {
		t.Fatalf("err %v, wrote %q", err, out.String())
	}
	out.Reset()
	var usage *failure.UsageError
	if err := Emit(f, table("ID", "VALUE")); !errors.As(err, &usage) || out.Len() != 0 {
		t.Fatalf("a --columns name the output does not have: err %v, wrote %q", err, out.String())
	}
	// no table at all: nothing to check
	if err := Emit(f, func(b *bytes.Buffer, _ render.Term) error { b.WriteString("text"); return nil }); err != nil {
		t.Fatalf("err %v", err)
	}
}

// An annotation names a file by the path git tracks: through an input
// directory that is a link inside the repository, the directory it leads
// to (the link is one entry of its own, and GitHub would place the
// annotation at no file of the pull request); a plain path as before.
func TestAnnotationPathThroughLinks(t *testing.T) {
	ws := t.TempDir()
	os.MkdirAll(filepath.Join(ws, "plan", "data", "life"), 0o755)
	os.WriteFile(filepath.Join(ws, "plan", "data", "life", "a.csv"), nil, 0o644)
	os.WriteFile(filepath.Join(ws, "plan", "features.yaml"), nil, 0o644)
	if err := os.Symlink("data/life", filepath.Join(ws, "plan", "life")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	for path, want := range map[string]string{
		filepath.Join(ws, "plan", "life", "a.csv"):  "plan/data/life/a.csv",
		filepath.Join(ws, "plan", "features.yaml"):  "plan/features.yaml",
		filepath.Join(ws, "plan", "missing.yaml"):   "plan/missing.yaml",
		filepath.Join(t.TempDir(), "elsewhere.csv"): "", // outside: its own path
	} {
		got := annotationPath(path, ws)
		if want == "" {
			want = filepath.ToSlash(path)
		}
		if got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}

// The run's warnings go under a markdown document's heading (after its
// blank line, or with one), before a document without one, and nowhere
// without warnings; JSON gets them as its last member (also when there
// are none), a table never.
func TestEmitWithProblems(t *testing.T) {
	const callout = "> [!WARNING]\n> What the run warned of, which the numbers below are to be read with:\n> - f.yaml:3:5: warning: made up\n\n"
	for _, c := range []struct {
		format     render.Format
		doc, want  string
		noWarnings bool
	}{
		{format: render.FormatMarkdown, doc: "## Battery life\n\n| a |\n", want: "## Battery life\n\n" + callout + "| a |\n"},
		{format: render.FormatMarkdown, doc: "## Battery life\n| a |\n", want: "## Battery life\n\n" + callout + "| a |\n"},
		{format: render.FormatMarkdown, doc: "| a |\n", want: callout + "| a |\n"},
		{format: render.FormatMarkdown, doc: "## Battery life\n\n| a |\n", want: "## Battery life\n\n| a |\n", noWarnings: true},
		{format: render.FormatJSON, doc: "{\n  \"a\": 1\n}\n", want: "{\n  \"a\": 1,\n  \"problems\": [\n    {\n      \"file\": \"/repo/f.yaml\",\n      \"line\": 3,\n      \"col\": 5,\n      \"severity\": \"warning\",\n      \"kind\": \"plan\",\n      \"message\": \"made up\"\n    }\n  ]\n}\n"},
		{format: render.FormatJSON, doc: "{\n  \"a\": 1\n}\n", want: "{\n  \"a\": 1,\n  \"problems\": []\n}\n", noWarnings: true},
		{format: render.FormatTable, doc: "A\n1\n", want: "A\n1\n"},
	} {
		ios, out, _ := iostreams.Test()
		f := &Factory{IO: ios, Dir: "/repo"}
		if !c.noWarnings {
			var d diag.List
			d.Warnf(diag.Plan, "/repo/f.yaml", 3, 5, "made up")
			if err := ReportProblems(f, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := EmitWithProblems(f, c.format, func(b *bytes.Buffer, _ render.Term) error { b.WriteString(c.doc); return nil }); err != nil || out.String() != c.want {
			t.Errorf("%s %q: err %v, wrote\n%s\nwant\n%s", c.format, c.doc, err, out.String(), c.want)
		}
	}
}
