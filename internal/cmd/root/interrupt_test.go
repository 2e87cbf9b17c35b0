package root_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmd/root"
	"github.com/iotpm/iotpm/internal/cmdutil"
)

// The first SIGINT or SIGTERM stops a command that does not look at its
// context for seconds (a 20,000-sample simulation, about 4 s) within the
// grace period: exit 130, nothing on stdout, the reason on stderr. Before,
// the simulation ran on and printed its result with exit 0.
func TestInterruptStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs iotpm as a process")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "roadmap", "-C", cmdtest.ExampleRepo, "--simulate=20000", "-o", "json")
			cmd.Env = append(os.Environ(), "IOTPM_TEST_AS_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // loaded, simulating
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			took := time.Since(sent)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != cmdutil.ExitInterrupted {
				t.Fatalf("exit %v after %v, want %d; stderr: %s", err, took, cmdutil.ExitInterrupted, stderr.String())
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "iotpm: interrupted; nothing was written") {
				t.Errorf("stdout %d bytes, stderr %q", stdout.Len(), stderr.String())
			}
			// the grace period plus scheduling on a busy machine; the
			// simulation alone takes seconds
			if took > root.InterruptGrace+1500*time.Millisecond {
				t.Errorf("stopped %v after the signal", took)
			}
		})
	}
}
