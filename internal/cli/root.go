// Package cli wires iotpm's commands: flags, planning-repo paths, exit codes
// and output. Each command has an options struct and a run function that only
// writes to the injected streams, so commands are tested without a process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iotpm/iotpm/internal/termsafe"

	"github.com/iotpm/iotpm/internal/build"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// Exit codes. They are part of the interface CI scripts rely on.
const (
	ExitOK       = 0 // success
	ExitGate     = 1 // the command ran and a gate or threshold failed
	ExitInvalid  = 2 // invalid input or usage
	ExitInternal = 3 // a bug in iotpm (a recovered panic) or an I/O failure
	// ExitInterrupted is the shell's code for a process ended by SIGINT.
	ExitInterrupted = 130
)

// Factory carries what every command needs: the streams, the environment and
// the global flags.
type Factory struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	// Dir is the planning repo root (-C); relative paths resolve against it.
	Dir string
	// Output is the -o value, checked by each command against what it offers.
	Output string
	// Wide and Width are --wide and --width: how tables fit the terminal.
	Wide  bool
	Width int
	// Columns is --columns; picked and seen record, across the tables of
	// one output, which names matched and which columns there were.
	Columns []string
	picked  map[string]bool
	seen    []string

	// Now is the clock (tests fix it).
	Now func() time.Time
	// Context is cancelled on Ctrl-C (SIGINT) or SIGTERM: long reads stop
	// on it and the command exits 130 without writing its output.
	Context context.Context

	config      *planfile.Config
	configDiags diag.List
}

// checkDir stops a command that reads a planning repo when -C names no
// directory, instead of reporting its first missing file.
func (f *Factory) checkDir(cmd *cobra.Command) error {
	switch cmd.Name() {
	case "init", "schema", "version", "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		return nil
	}
	if f.Dir == "" || f.Dir == "." {
		return nil
	}
	info, err := os.Stat(f.Dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usageErrorf("-C %s: no such directory; to start a planning repo there: iotpm init %s", f.Dir, f.Dir)
	case err != nil:
		return usageErrorf("-C %s: %v", f.Dir, err)
	case !info.IsDir():
		return usageErrorf("-C %s: not a directory (-C takes the planning repo's root)", f.Dir)
	}
	return nil
}

// term is where table output goes: colour, and the width tables fit —
// --width, else COLUMNS, else the terminal's width; none (full tables)
// with --wide or when stdout is not a terminal, so piped output keeps every
// column unless asked.
func (f *Factory) term() render.Term {
	t := render.Term{Color: f.IO.ColorEnabled(), Columns: f.Columns}
	if len(f.Columns) > 0 {
		if f.picked == nil {
			f.picked = map[string]bool{}
		}
		t.Picked, t.Seen = f.picked, &f.seen
	}
	switch {
	case f.Wide:
	case f.Width > 0:
		t.Width = f.Width
	default:
		if n, err := strconv.Atoi(f.Getenv("COLUMNS")); err == nil && n > 0 {
			t.Width = n
		} else if f.IO.IsStdoutTTY() {
			t.Width = f.IO.TerminalWidth()
		}
	}
	return t
}

func (f *Factory) context() context.Context {
	if f.Context != nil {
		return f.Context
	}
	return context.Background()
}

func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Path resolves a planning-repo path: absolute paths stay, relative ones are
// taken from the repo root.
func (f *Factory) Path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(f.Dir, p)
}

// Format parses -o against the formats a command offers.
func (f *Factory) Format(allowed []render.Format) (render.Format, error) {
	if f.Output == "" && len(allowed) > 0 {
		return allowed[0], nil
	}
	format, err := render.ParseFormat(f.Output, allowed)
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	return format, nil
}

// UsageError is a problem with how the command was called. It exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// InvalidInputError wraps the diagnostics of input files that could not be
// used. The diagnostics have been printed already; it exits 2. Summary, when
// set, replaces the generated summary line.
type InvalidInputError struct {
	Diagnostics diag.List
	Summary     string
}

func (e *InvalidInputError) Error() string {
	if e.Summary != "" {
		return e.Summary
	}
	errs := e.Diagnostics.Sort().Errors() // counted as printed: repeats once
	if len(errs) == 0 {
		return "invalid input; nothing was computed"
	}
	var files []string
	for _, d := range errs {
		if !slices.Contains(files, d.File) {
			files = append(files, d.File)
		}
	}
	noun := "problems"
	if len(errs) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%d %s in %s; nothing was computed", len(errs), noun, strings.Join(files, ", "))
}

// GateError reports that a CI gate failed. It exits 1.
type GateError struct{ Failed []string }

func (e *GateError) Error() string {
	return "gate failed: " + strings.Join(e.Failed, "; ")
}

// NewRootCmd builds the iotpm command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "iotpm",
		Short: "Planning toolkit for product managers of connected (IoT) products",
		Long: `iotpm runs over a planning repo (YAML files and device-platform CSV exports)
and computes what an IoT product manager decides with: RICE scores whose effort
counts tooling and certification, a dated roadmap on the hardware, firmware
and cloud tracks, battery life with an energy budget per feature, and fleet
metrics from real exports. It runs the same on a laptop and in CI.`,
		Example: `  iotpm init my-product && iotpm check -C my-product
  iotpm rice -C examples/leak-sensor --top 5
  iotpm roadmap -C examples/leak-sensor -o mermaid
  iotpm battery -C examples/leak-sensor --device drip-lora
  iotpm metrics -C examples/leak-sensor -o json | jq .connectivity_uptime`,
		Version:       build.String(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("iotpm {{.Version}}\n")
	f.useWrappedHelp(root)
	root.PersistentFlags().StringVarP(&f.Dir, "dir", "C", ".", "planning repo root; relative paths resolve against it")
	root.PersistentFlags().StringVarP(&f.Output, "output", "o", "", "output format; each command lists its own (default: the first)")
	root.PersistentFlags().BoolVar(&f.Wide, "wide", false, "tables show every column, however wide")
	root.PersistentFlags().IntVar(&f.Width, "width", 0, "fit tables to N columns (default: COLUMNS, or the terminal's width)")
	root.MarkFlagsMutuallyExclusive("wide", "width")
	root.PersistentFlags().StringSliceVar(&f.Columns, "columns", nil, "tables show only these columns, in this order (names as headers in lower case: id,score,effort)")
	root.MarkFlagsMutuallyExclusive("wide", "columns")
	_ = root.RegisterFlagCompletionFunc("output", completeOutput)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := f.checkDir(cmd); err != nil {
			return err
		}
		if cmd.Flags().Changed("width") && f.Width < 20 {
			return usageErrorf("--width %d: give the terminal's width in columns, 20 or more", f.Width)
		}
		if len(f.Columns) > 0 && f.Output != "" && f.Output != string(render.FormatTable) {
			return usageErrorf("--columns picks the columns of table output; -o %s keeps every column (select with jq or your spreadsheet)", f.Output)
		}
		return f.checkOutputFlag(cmd)
	}
	_ = root.MarkPersistentFlagDirname("dir")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: plainFlagError(err)}
	})

	root.AddGroup(&cobra.Group{ID: "plan", Title: "Planning:"}, &cobra.Group{ID: "repo", Title: "The planning repo:"})
	for _, c := range []*cobra.Command{NewCmdRice(f, nil), NewCmdRoadmap(f, nil), NewCmdBattery(f, nil), NewCmdMetrics(f, nil), NewCmdKano(f, nil)} {
		c.GroupID = "plan"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{NewCmdCheck(f, nil), NewCmdDiff(f, nil), NewCmdInit(f), NewCmdReport(f), NewCmdValidate(f, nil), NewCmdSchema(f)} {
		c.GroupID = "repo"
		root.AddCommand(c)
	}
	root.AddCommand(NewCmdVersion(f))
	return root
}

// Main runs iotpm with args and returns the exit code. It is the only place
// that maps errors to exit codes, and it turns a panic into exit 3 with a
// request for a bug report instead of a stack trace.
func Main(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	return MainContext(ctx, args, ios, getenv)
}

// MainContext is Main with the caller's context: when it is cancelled,
// long reads stop and the command exits ExitInterrupted.
func MainContext(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(ios.ErrOut, "iotpm: internal error: %v\nThis is a bug; please report it with the command and input that caused it.\n", r)
			if getenv("IOTPM_DEBUG") != "" {
				fmt.Fprintf(ios.ErrOut, "%s\n", debug.Stack())
			}
			code = ExitInternal
		}
	}()
	f := &Factory{IO: ios, Getenv: getenv, Context: ctx}
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetIn(ios.In)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(ios.ErrOut, "iotpm: interrupted; nothing was written")
		return ExitInterrupted
	}
	var (
		usage   *UsageError
		invalid *InvalidInputError
		gateErr *GateError
	)
	switch {
	case errors.As(err, &invalid):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(err.Error()))
		return ExitInvalid
	case errors.As(err, &gateErr):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(err.Error()))
		return ExitGate
	case errors.As(err, &usage), isCobraUsageError(err):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(plainFlagError(err).Error()))
		if cmd != nil {
			fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ExitInvalid
	default:
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(err.Error()))
		return ExitInternal
	}
}

// isCobraUsageError recognises cobra's own argument errors, which are plain
// strings (unknown command, wrong number of args).
var (
	flagParseRE = regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: strconv\.Parse(Int|Uint|Float|Bool): parsing ".*": (invalid syntax|value out of range)$`)
	exclusiveRE = regexp.MustCompile(`^if any flags in the group \[(.*)\] are set none of the others can be; \[(.*)\] were all set$`)
	requiredRE  = regexp.MustCompile(`^if any flags in the group \[(.*)\] are set they must all be set; missing \[(.*)\]$`)
	oneOfRE     = regexp.MustCompile(`^at least one of the flags in the group \[(.*)\] is required$`)
)

// plainFlagError rewords pflag's and cobra's flag errors for people: no
// strconv internals, flags named as they are typed.
func plainFlagError(err error) error {
	msg := err.Error()
	if m := flagParseRE.FindStringSubmatch(msg); m != nil {
		value, flag, kind, why := m[1], m[2], m[3], m[4]
		want := map[string]string{"Int": "a whole number", "Uint": "a whole number of at least 0", "Float": "a number", "Bool": "true or false"}[kind]
		switch {
		case why == "value out of range":
			return fmt.Errorf("%s %q is out of range", flag, value)
		case kind == "Float" && strings.ContainsAny(value, ", _'"):
			// 1,5 may be one and a half or fifteen: no guess
			return fmt.Errorf("%s %q is not a number: write it with a dot for decimals and no thousands separators", flag, value)
		case kind != "Bool" && strings.ContainsAny(value, ", _'"):
			return fmt.Errorf("%s %q is not %s: write it without thousands separators (%s)", flag, value, want, strings.NewReplacer(",", "", " ", "", "_", "", "'", "").Replace(value))
		}
		return fmt.Errorf("%s %q is not %s", flag, value, want)
	}
	dashed := func(list string) []string {
		var out []string
		for _, f := range strings.Fields(list) {
			out = append(out, "--"+f)
		}
		return out
	}
	if m := exclusiveRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s cannot be used together; give one", strings.Join(dashed(m[2]), " and "))
	}
	if m := requiredRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s go together: missing %s", strings.Join(dashed(m[1]), ", "), strings.Join(dashed(m[2]), ", "))
	}
	if m := oneOfRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("give one of %s", strings.Join(dashed(m[1]), ", "))
	}
	return err
}

func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "accepts ", "requires ", "unknown flag", "unknown shorthand", "invalid argument", "flag needs",
		"flags in the group"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
