// Package iostreams carries a command's standard streams and what is known
// about them (terminal or not, colour or not), so commands never touch
// os.Stdout directly and tests can run them against buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	stderrTTY bool
	color     bool
	width     int
}

// System returns the process's streams. Colour follows the no-color.org and
// CLICOLOR conventions: NO_COLOR (non-empty) turns it off whatever else is
// set, CLICOLOR_FORCE turns it on even when piped, TERM=dumb and CLICOLOR=0
// turn it off, and otherwise it is on only when stdout is a terminal.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	s.color = ColorWanted(os.Getenv, s.stdoutTTY)
	if s.stdoutTTY {
		if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 0 {
			s.width = w
		}
	}
	return s
}

// TerminalWidth is stdout's width in columns when it is a terminal, else 0.
func (s *IOStreams) TerminalWidth() int { return s.width }

// SetTerminalWidth overrides the detected width, for tests.
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }

// ColorWanted decides whether styled output is wanted, given the environment
// and whether the output is a terminal.
func ColorWanted(getenv func(string) string, tty bool) bool {
	switch {
	case getenv("NO_COLOR") != "":
		return false
	case getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0":
		return true
	case getenv("TERM") == "dumb", getenv("CLICOLOR") == "0":
		return false
	}
	return tty
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns streams over buffers: not terminals, no colour.
func Test() (s *IOStreams, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: &bytes.Buffer{}, Out: stdout, ErrOut: stderr}, stdout, stderr
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether stdout output may carry ANSI styling.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetStdoutTTY overrides terminal detection, for tests.
func (s *IOStreams) SetStdoutTTY(tty bool) { s.stdoutTTY = tty }

// SetStderrTTY overrides terminal detection, for tests.
func (s *IOStreams) SetStderrTTY(tty bool) { s.stderrTTY = tty }

// SetColorEnabled overrides colour detection, for tests.
func (s *IOStreams) SetColorEnabled(on bool) { s.color = on }
