package root_test

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run iotpm as a real subprocess, with its real
// streams, environment and exit code.
func TestMain(m *testing.M) {
	if os.Getenv("IOTPM_TEST_AS_MAIN") == "1" {
		// the test binary as iotpm itself (TestInterruptStopsAtOnce)
		if os.Getenv("IOTPM_TEST_SIGNAL_READY") == "1" {
			holdSignals()
		}
		os.Exit(root.Main(os.Args[1:], iostreams.System(), os.Getenv))
	}
	testscript.Main(m, map[string]func(){
		"iotpm": func() { os.Exit(root.Main(os.Args[1:], iostreams.System(), os.Getenv)) },
	})
}

// holdSignals lets a test signal the process as soon as it says it is
// ready, however slowly it started (-race, a loaded machine): a SIGINT or
// SIGTERM that comes before root.Main listens is held here, not the
// default action that would kill the process, and said again until Main
// hears it. Then "ready" on stderr.
func holdSignals() {
	held := make(chan os.Signal, 1)
	signal.Notify(held, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := (<-held).(syscall.Signal)
		for {
			time.Sleep(20 * time.Millisecond)
			_ = syscall.Kill(os.Getpid(), sig)
		}
	}()
	fmt.Fprintln(os.Stderr, "iotpm-test: ready")
}

// TestScripts runs the end-to-end scenarios in testdata/script/*.txtar, as a
// user would type them.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *cmdtest.Update,
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// replace-in FILE OLD NEW replaces the first OLD (\n for a newline)
			"replace-in": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: replace-in FILE OLD NEW")
				}
				path := ts.MkAbs(args[0])
				data, err := os.ReadFile(path)
				ts.Check(err)
				old, new := strings.ReplaceAll(args[1], `\n`, "\n"), strings.ReplaceAll(args[2], `\n`, "\n")
				if !strings.Contains(string(data), old) {
					ts.Fatalf("%s does not contain %q", args[0], old)
				}
				ts.Check(os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
			},
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GITHUB_ACTIONS", "")
			return nil
		},
	})
}
