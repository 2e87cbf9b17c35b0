// Package root wires iotpm's commands: flags, planning-repo paths, exit codes
// and output. Each command has an options struct and a run function that only
// writes to the injected streams, so commands are tested without a process.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	checkcmd "github.com/iotpm/iotpm/internal/cmd/check"
	diffcmd "github.com/iotpm/iotpm/internal/cmd/diff"
	reportcmd "github.com/iotpm/iotpm/internal/cmd/report"
	"github.com/iotpm/iotpm/internal/failure"

	batterycmd "github.com/iotpm/iotpm/internal/cmd/battery"

	roadmapcmd "github.com/iotpm/iotpm/internal/cmd/roadmap"

	ricecmd "github.com/iotpm/iotpm/internal/cmd/rice"

	metricscmd "github.com/iotpm/iotpm/internal/cmd/metrics"

	economicscmd "github.com/iotpm/iotpm/internal/cmd/economics"
	kanocmd "github.com/iotpm/iotpm/internal/cmd/kano"
	rolloutcmd "github.com/iotpm/iotpm/internal/cmd/rollout"

	"github.com/iotpm/iotpm/internal/cmd/initrepo"
	"github.com/iotpm/iotpm/internal/cmd/schema"
	"github.com/iotpm/iotpm/internal/cmd/validate"
	"github.com/iotpm/iotpm/internal/cmd/version"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/termsafe"

	"github.com/iotpm/iotpm/internal/build"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/memlimit"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// NewRootCmd builds the iotpm command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "iotpm",
		Short: "Planning toolkit for product managers of connected (IoT) products",
		Long: `iotpm runs over a planning repo (YAML files and device-platform CSV exports)
and computes what an IoT product manager decides with: RICE scores whose effort
counts tooling and certification, a dated roadmap on the hardware, firmware
and cloud tracks, battery life with an energy budget per feature, and fleet
metrics from real exports. It runs the same on a laptop and in CI.

Every number's definition is a help topic: iotpm help help lists them,
iotpm help metrics-definitions prints one.`,
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
	useWrappedHelp(f, root)
	root.PersistentFlags().StringVarP(&f.Dir, "dir", "C", ".", "planning repo root; relative paths resolve against it")
	root.PersistentFlags().StringVarP(&f.Output, "output", "o", "", "output format; each command lists its own (default: the first)")
	root.PersistentFlags().BoolVar(&f.Wide, "wide", false, "tables show every column, however wide")
	root.PersistentFlags().IntVar(&f.Width, "width", 0, "fit tables to N columns (default: COLUMNS, or the terminal's width)")
	root.MarkFlagsMutuallyExclusive("wide", "width")
	root.PersistentFlags().StringSliceVar(&f.Columns, "columns", nil, "tables show only these columns, in this order (names as headers in lower case: id,score,effort)")
	root.MarkFlagsMutuallyExclusive("wide", "columns")
	_ = root.RegisterFlagCompletionFunc("output", cmdutil.CompleteOutput)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := f.CheckDir(cmd); err != nil {
			return err
		}
		if cmd.Flags().Changed("width") && f.Width < 20 {
			return failure.UsageErrorf("--width %d: give the terminal's width in columns, 20 or more", f.Width)
		}
		if len(f.Columns) > 0 && f.Output != "" && f.Output != string(render.FormatTable) {
			return failure.UsageErrorf("--columns picks the columns of table output; -o %s keeps every column (select with jq or your spreadsheet)", f.Output)
		}
		return f.CheckOutputFlag(cmd)
	}
	_ = root.MarkPersistentFlagDirname("dir")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &failure.UsageError{Err: plainFlagError(err)}
	})

	root.AddGroup(&cobra.Group{ID: "plan", Title: "Planning:"}, &cobra.Group{ID: "repo", Title: "The planning repo:"})
	for _, c := range []*cobra.Command{ricecmd.NewCmdRice(f, nil), roadmapcmd.NewCmdRoadmap(f, nil), batterycmd.NewCmdBattery(f, nil), metricscmd.NewCmdMetrics(f, nil), kanocmd.NewCmdKano(f, nil), economicscmd.NewCmdEconomics(f, nil), rolloutcmd.NewCmdRollout(f, nil)} {
		c.GroupID = "plan"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{checkcmd.NewCmdCheck(f, nil), diffcmd.NewCmdDiff(f, nil), initrepo.NewCmdInit(f), reportcmd.NewCmdReport(f), validate.NewCmdValidate(f, nil), schema.NewCmdSchema(f)} {
		c.GroupID = "repo"
		root.AddCommand(c)
	}
	root.AddCommand(version.NewCmdVersion(f))
	help := newHelpCmd(root)
	cmdutil.DisableRepoCheck(help)
	root.SetHelpCommand(help)
	// cobra's completion command, made now rather than at run time so
	// that it can say it reads no planning repo; it takes its output
	// stream when it is made, so the streams are set first
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			cmdutil.DisableRepoCheck(c)
		}
	}
	return root
}

// Main runs iotpm with args and returns the exit code. It is the only place
// that maps errors to exit codes, and it turns a panic into exit 3 with a
// request for a bug report instead of a stack trace.
func Main(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	returned := make(chan struct{})
	defer func() {
		close(returned) // before stop cancels ctx: a return is not a signal
		stop()
	}()
	go func() {
		select {
		case <-returned:
			return
		case <-ctx.Done():
		}
		stop() // a second Ctrl-C ends the process at once
		// the command stops at its next check of the context; a read or a
		// computation that does not check it soon enough is not waited for
		select {
		case <-returned:
			return // stopped by itself: Main says so and exits 130
		case <-time.After(InterruptGrace):
		}
		interrupted(ios, cmdutil.HoldOutput())
		os.Exit(cmdutil.ExitInterrupted)
	}()
	budget, source, err := memlimit.Budget(getenv)
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "iotpm: %v\n", err)
		return cmdutil.ExitInvalid
	}
	stopWatch := memlimit.Watch(budget, func(heap int64) {
		cmdutil.HoldOutput()
		fmt.Fprintf(ios.ErrOut, "iotpm: out of memory: the run holds %s, over its budget of %s (%s); give it more with %s=SIZE (e.g. 8GiB), or read a shorter window or fewer inputs\n",
			gib(heap), gib(budget), source, memlimit.Env)
		os.Exit(cmdutil.ExitInternal)
	})
	defer stopWatch()
	return MainContext(ctx, args, ios, getenv)
}

// gib words a size in bytes for the out-of-memory message.
func gib(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// InterruptGrace is how long, after the first SIGINT or SIGTERM, a
// command has to stop by itself before the process exits 130 (the output
// is held: nothing is written after the signal).
const InterruptGrace = 100 * time.Millisecond

// interrupted says so on stderr, and whether output was written before.
func interrupted(ios *iostreams.IOStreams, written bool) {
	if written {
		fmt.Fprintln(ios.ErrOut, "iotpm: interrupted")
		return
	}
	fmt.Fprintln(ios.ErrOut, "iotpm: interrupted; nothing was written")
}

// MainContext is Main with the caller's context: when it is cancelled,
// long reads stop and the command exits cmdutil.ExitInterrupted.
func MainContext(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(ios.ErrOut, "iotpm: internal error: %v\nThis is a bug; please report it with the command and input that caused it.\n", r)
			if getenv("IOTPM_DEBUG") != "" {
				fmt.Fprintf(ios.ErrOut, "%s\n", debug.Stack())
			}
			code = cmdutil.ExitInternal
		}
	}()
	cmdutil.ResetOutput()
	f := &cmdutil.Factory{IO: ios, Getenv: getenv, BaseContext: ctx}
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetIn(ios.In)
	cmd, err := root.ExecuteContextC(ctx)
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		// interrupted: an error it caused, or a command that finished
		// without noticing; either way not a result to trust
		interrupted(ios, cmdutil.OutputWritten())
		return cmdutil.ExitInterrupted
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	var (
		usage   *failure.UsageError
		invalid *failure.InvalidInputError
		gateErr *failure.GateError
	)
	switch {
	case errors.As(err, &invalid):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(diag.Clip(err.Error())))
		return cmdutil.ExitInvalid
	case errors.As(err, &gateErr):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(diag.Clip(err.Error())))
		return cmdutil.ExitGate
	case errors.As(err, &usage), isCobraUsageError(err):
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(diag.Clip(plainFlagError(err).Error())))
		if cmd != nil {
			fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return cmdutil.ExitInvalid
	default:
		fmt.Fprintf(ios.ErrOut, "iotpm: %s\n", termsafe.String(diag.Clip(err.Error())))
		return cmdutil.ExitInternal
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
