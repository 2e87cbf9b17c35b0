// Package failure holds the errors that say how a run failed, and so
// which exit status it ends with: a usage error or invalid input 2, a
// failed gate 1. Commands and use cases return them; the root command
// maps them to the status, so nothing below it calls os.Exit.
package failure

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
)

// UsageError is a problem with how the command was called. It exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf is a UsageError with a formatted message.
func UsageErrorf(format string, args ...any) error {
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
