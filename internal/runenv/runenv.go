// Package runenv is what a use case takes from its surroundings — a
// context, a clock, the environment, a progress line — so that use cases
// need no command, and a test can give each its own.
package runenv

import (
	"context"
	"time"
)

// Env is what a run takes from its surroundings: a command gives the
// process's (cmdutil.Factory.Env), a test its own (a fixed clock, an
// environment map, no terminal). Its zero value is a background context,
// the system clock, an empty environment and no progress line.
type Env struct {
	// Ctx cancels the run (Ctrl-C); nil: never.
	Ctx context.Context
	// Now is the clock (the data's age, rows from the future); nil: the
	// system's. --now, in the job, overrides it.
	Now func() time.Time
	// Getenv reads the environment (the DSN, the table allow-list,
	// GOGC); nil: an empty environment.
	Getenv func(string) string
	// Progress starts a progress line with a label ("reading",
	// "querying"); nil: none.
	Progress func(label string) Progress
}

// Progress is where a run reports long work: the bytes of an input read so
// far, or the stage a database query is at; Done ends the line.
type Progress interface {
	Bytes(what string, read, size int64)
	Stage(stage string)
	Done()
}

// Context is Ctx, or a background context.
func (e Env) Context() context.Context {
	if e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}

// Clock is the time now by Now, or by the system clock.
func (e Env) Clock() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Lookup is the environment variable name by Getenv ("" without one).
func (e Env) Lookup(name string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}

// Start starts a progress line labelled label (a silent one without
// Progress).
func (e Env) Start(label string) Progress {
	if e.Progress == nil {
		return silent{}
	}
	return e.Progress(label)
}

// silent is the progress of a run without a terminal.
type silent struct{}

func (silent) Bytes(string, int64, int64) {}
func (silent) Stage(string)               {}
func (silent) Done()                      {}
