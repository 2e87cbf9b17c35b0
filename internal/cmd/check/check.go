package check

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of `iotpm check`.
type CheckOptions struct {
	Factory     *cmdutil.Factory
	Annotations string
	Summary     string
	JUnit       string
}

// NewCmdCheck builds `iotpm check`.
func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the planning repo and evaluate its CI gates",
		Long: `Validate every planning file iotpm.yaml names (reporting all problems,
positioned), then compute the ranking, the roadmap, battery life and fleet
metrics, and evaluate every gate in iotpm.yaml's gates: section.

Exit 0 when every gate passes, 1 when a gate fails, 2 when an input is invalid.

In GitHub Actions (GITHUB_ACTIONS=true, or --annotations always) each problem
and each failed gate is also written as an ::error workflow command on stderr,
with paths relative to $GITHUB_WORKSPACE, and a markdown summary is appended to
$GITHUB_STEP_SUMMARY (or to --summary FILE anywhere).`,
		Example: `  iotpm check -C examples/leak-sensor
  iotpm check -o json | jq '.gates[] | select(.passed | not)'
  iotpm check --annotations always --summary summary.md --junit iotpm-gates.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Annotations {
			case "auto", "always", "never":
			default:
				return failure.UsageErrorf("--annotations %q: use auto, always or never", opts.Annotations)
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Annotations, "annotations", "auto", "GitHub Actions annotations: auto (when GITHUB_ACTIONS=true), always or never")
	cmd.Flags().StringVar(&opts.Summary, "summary", "", "append the markdown summary to FILE (default: $GITHUB_STEP_SUMMARY when set)")
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "write the gates as JUnit XML test cases to FILE")
	_ = cmd.RegisterFlagCompletionFunc("annotations", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("summary", "md")
	_ = cmd.MarkFlagFilename("junit", "xml")
	cmdutil.DeclareFormats(cmd, cmdutil.DataFormats)
	return cmd
}

// JSON is the JSON/YAML contract of `iotpm check`.
type JSON struct {
	Passed   bool              `json:"passed"`
	Gates    []gate.Gate       `json:"gates"`
	Problems []diag.Diagnostic `json:"problems"`
	// Outcomes are the themes' measured outcomes, reported (met or not),
	// never failing the check.
	Outcomes []planning.Outcome `json:"outcomes"`
	// Health is the plan in one line's figures (absent with problems).
	Health *planning.Health `json:"health,omitempty"`
}

func checkRun(opts *CheckOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	annotate := opts.Annotations == "always" || opts.Annotations == "auto" && f.Getenv("GITHUB_ACTIONS") == "true"
	summaryPath := f.Getenv("GITHUB_STEP_SUMMARY")
	if opts.Summary != "" {
		summaryPath = f.Path(opts.Summary)
	}
	workspace := f.Getenv("GITHUB_WORKSPACE")

	cfg, diags := f.Config()
	p := planning.Compute(f.Env(), cfg, diags)
	if p.Err != nil {
		return p.Err
	}
	problems := p.Problems.Sort()
	var gates []gate.Gate
	outcomes := []planning.Outcome{}
	if !problems.HasErrors() {
		gates = p.Gates()
		outcomes = append(outcomes, p.Outcomes()...)
	}
	doc := JSON{Passed: !problems.HasErrors(), Gates: append([]gate.Gate{}, gates...), Problems: append([]diag.Diagnostic{}, problems...), Outcomes: outcomes}
	if !problems.HasErrors() {
		h := p.Health(gates, f.Now())
		doc.Health = &h
	}
	var failed []string
	for _, g := range gates {
		if !g.Passed {
			doc.Passed = false
			failed = append(failed, g.Failure())
		}
	}

	for _, d := range problems {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if annotate {
		for _, d := range problems {
			cmdutil.WriteAnnotation(f.IO.ErrOut, d, workspace)
		}
		for _, g := range gates {
			if !g.Passed {
				cmdutil.WriteGateAnnotation(f.IO.ErrOut, g, workspace)
			}
		}
	}
	if summaryPath != "" {
		var b bytes.Buffer
		WriteMarkdown(&b, "iotpm check", doc, problems)
		if err := cmdutil.AppendFile(summaryPath, b.String()+"\n"); err != nil {
			return fmt.Errorf("writing the summary: %w", err)
		}
	}
	if opts.JUnit != "" {
		if err := cmdutil.WriteJUnit(f, opts.JUnit, gates, problems); err != nil {
			return fmt.Errorf("writing JUnit: %w", err)
		}
	}
	if problems.HasErrors() {
		if format == render.FormatJSON || format == render.FormatYAML {
			_ = cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return writeCheckDoc(w, format, doc) })
		}
		return &failure.InvalidInputError{Diagnostics: problems}
	}
	if err := cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return writeCheck(w, format, doc, problems, term) }); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &failure.GateError{Failed: failed}
	}
	return nil
}

// writeCheck renders a check's result (no problems) in format.
func writeCheck(w *bytes.Buffer, format render.Format, doc JSON, problems diag.List, term render.Term) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return writeCheckDoc(w, format, doc)
	case render.FormatMarkdown:
		WriteMarkdown(w, "iotpm check", doc, problems)
		return nil
	case render.FormatCSV:
		t := &render.Table{Columns: []render.Column{{Header: "gate"}, {Header: "value"}, {Header: "threshold"}, {Header: "passed"}, {Header: "detail"}}}
		for _, g := range doc.Gates {
			value := ""
			if g.Value != nil {
				value = render.Exact(*g.Value)
			}
			t.Append(g.Name, value, g.Threshold, strconv.FormatBool(g.Passed), g.Detail)
		}
		return t.CSV(w)
	}
	fmt.Fprintf(w, "%s\n", render.Wrap(doc.Health.Line(), term.Width))
	table := gate.Table(doc.Gates)
	if len(doc.Gates) > 0 { // no header over no gate: the verdict says there are none
		if err := table.Text(w, term); err != nil {
			return err
		}
	}
	if len(doc.Gates) > 0 && slices.Contains(table.Hidden(term), "DETAIL") {
		// the column that says why is hidden to fit: a failing gate's
		// reason is still shown, below
		var lines []string
		for _, g := range doc.Gates {
			if !g.Passed && g.Detail != "" {
				lines = append(lines, render.Wrap(g.Name+": "+g.Detail, term.Width))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "\nWHY THEY FAIL\n%s", strings.Join(lines, ""))
		}
	}
	if len(doc.Outcomes) > 0 {
		fmt.Fprintf(w, "\nOUTCOMES (MEASURED, NOT GATED)\n")
		if err := planning.OutcomesTable(doc.Outcomes).Text(w, term); err != nil {
			return err
		}
	}
	sep := "\n"
	if len(doc.Gates) == 0 && len(doc.Outcomes) == 0 {
		sep = "" // the health line's blank line is the separator
	}
	_, err := fmt.Fprintf(w, "%s%s", sep, render.Wrap(gate.Verdict(doc.Gates), term.Width))
	return err
}

func writeCheckDoc(w io.Writer, format render.Format, doc JSON) error {
	return render.Structured(w, format, doc)
}

// WriteMarkdown is the summary a reviewer reads on the pull request,
// under a heading (check's own, or report's "Gates").
func WriteMarkdown(w io.Writer, heading string, doc JSON, problems diag.List) {
	fmt.Fprintf(w, "## %s\n\n", heading)
	if problems.HasErrors() {
		errs := problems.Errors()
		fmt.Fprintf(w, "❌ **%s in the planning files**; nothing was computed.\n\n", render.Plural(len(errs), "problem"))
		const maxListed = 100
		for i, d := range errs {
			if i == maxListed {
				fmt.Fprintf(w, "- … and %d more\n", len(errs)-maxListed)
				break
			}
			fmt.Fprintf(w, "- `%s`\n", strings.ReplaceAll(d.String(), "`", "'"))
		}
		return
	}
	v := gate.Verdict(doc.Gates)
	if !doc.Passed {
		v = "❌ " + strings.TrimPrefix(v, "✗ ")
	} else {
		v = "✅ " + strings.TrimPrefix(v, "✓ ")
	}
	fmt.Fprintf(w, "%s\n\n", v)
	if doc.Health != nil {
		fmt.Fprintf(w, "%s\n\n", doc.Health.Line())
	}
	// the warnings bear on the gates' values (a window its data covers a
	// third of, a version target that orders against nothing): in the
	// summary people read, not only in the annotations
	if ws := problems.Warnings(); len(ws) > 0 {
		fmt.Fprintf(w, "⚠️ **%s**\n\n", render.Plural(len(ws), "warning"))
		for _, d := range ws.Sort() {
			fmt.Fprintf(w, "- `%s`\n", strings.ReplaceAll(d.String(), "`", "'"))
		}
		w.Write([]byte("\n"))
	}
	if len(doc.Gates) > 0 {
		_ = gate.Table(doc.Gates).Markdown(w)
	}
	if len(doc.Outcomes) > 0 {
		fmt.Fprintf(w, "\n**Outcomes** (measured, not gated)\n\n")
		_ = planning.OutcomesTable(doc.Outcomes).Markdown(w)
	}
}
