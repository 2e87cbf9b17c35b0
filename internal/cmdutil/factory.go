// Package cmdutil is what every iotpm command shares: the Factory (streams,
// environment, the planning repo, the clock, the context) and the runenv.Env
// it gives the use cases, the exit codes, writing output only when it is
// complete, the -o format declarations, diagnostics and CI annotations,
// name suggestions and flag completion. It knows no command, and no use
// case knows it.
package cmdutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/internal/runenv"
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
	// Columns is --columns (Emit checks each name against the output's
	// tables).
	Columns []string

	// Clock is the clock (tests fix it); nil is time.Now.
	Clock func() time.Time
	// BaseContext is cancelled on Ctrl-C (SIGINT) or SIGTERM: long reads stop
	// on it and the command exits 130 without writing its output.
	BaseContext context.Context

	config      *planfile.Config
	configDiags diag.List
	// warned: the warnings ReportProblems printed (Warned).
	warned diag.List
	// format is -o, parsed by CheckOutputFlag ("": not yet).
	format render.Format
}

// CheckDir stops a command that reads a planning repo when -C names no
// directory, instead of reporting its first missing file.
func (f *Factory) CheckDir(cmd *cobra.Command) error {
	if !NeedsRepo(cmd) {
		return nil
	}
	if f.Dir == "" || f.Dir == "." {
		return nil
	}
	info, err := os.Stat(f.Dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return failure.UsageErrorf("-C %s: no such directory; to start a planning repo there: iotpm init %s", f.Dir, f.Dir)
	case err != nil:
		return failure.UsageErrorf("-C %s: %v", f.Dir, err)
	case !info.IsDir():
		return failure.UsageErrorf("-C %s: not a directory (-C takes the planning repo's root)", f.Dir)
	}
	return nil
}

// Term is where table output goes: colour, and the width tables fit —
// --width, else COLUMNS, else the terminal's width; none (full tables)
// with --wide or when stdout is not a terminal, so piped output keeps every
// column unless asked.
func (f *Factory) Term() render.Term {
	t := render.Term{Color: f.IO.ColorEnabled(), Columns: f.Columns}
	switch {
	case f.Wide:
	case f.Width > 0:
		t.Width = f.Width
	default:
		if n, err := strconv.Atoi(f.env("COLUMNS")); err == nil && n > 0 {
			t.Width = n
		} else if f.IO.IsStdoutTTY() {
			t.Width = f.IO.TerminalWidth()
		}
	}
	return t
}

// env is the variable name by Getenv ("" without a Getenv).
func (f *Factory) env(name string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(name)
}

// Context is the command's context: cancelled on Ctrl-C, so long reads stop.
func (f *Factory) Context() context.Context {
	if f.BaseContext != nil {
		return f.BaseContext
	}
	return context.Background()
}

// Now is the time by the Factory's clock; without one, SOURCE_DATE_EPOCH
// (seconds since 1970, the reproducible-builds convention) when it is set,
// so that a report or a status line generated twice is the same file.
func (f *Factory) Now() time.Time {
	if f.Clock != nil {
		return f.Clock()
	}
	if f.Getenv != nil {
		if s := f.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return time.Unix(n, 0).UTC()
			}
		}
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

// Format is -o as a format the command offers: the one CheckOutputFlag
// parsed before the command ran, or, for a command run without it (a
// test's runF), -o parsed against allowed.
func (f *Factory) Format(allowed []render.Format) (render.Format, error) {
	if f.format != "" && slices.Contains(allowed, f.format) {
		return f.format, nil
	}
	if f.Output == "" && len(allowed) > 0 {
		return allowed[0], nil
	}
	format, err := render.ParseFormat(f.Output, allowed)
	if err != nil {
		return "", failure.UsageErrorf("%v", err)
	}
	return format, nil
}

// noRepo is the annotation of a command that reads no planning repo (gh's
// DisableAuthCheck pattern): the command says so where it is declared,
// instead of a list of names here.
const noRepo = "iotpm/no-repo"

// DisableRepoCheck declares that cmd and its subcommands read no planning
// repo (init writes one; schema, version, help and completion read none),
// so -C is not checked for them.
func DisableRepoCheck(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[noRepo] = "true"
}

// NeedsRepo reports whether cmd reads a planning repo: not when it or a
// parent disabled the check, nor for cobra's own completion requests.
func NeedsRepo(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		return false // created by cobra at run time: nothing to annotate
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[noRepo] == "true" {
			return false
		}
	}
	return true
}

// Env is what the use cases take from the Factory: its context, its clock
// (SOURCE_DATE_EPOCH and tests' clocks included), its environment and, on
// a terminal, progress lines on stderr.
func (f *Factory) Env() runenv.Env {
	return runenv.Env{Ctx: f.Context(), Now: f.Now, Getenv: f.Getenv,
		Progress: func(label string) runenv.Progress { return NewProgress(f, label) }}
}
