package root_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
			cmd.Env = append(os.Environ(), "IOTPM_TEST_AS_MAIN=1", "IOTPM_TEST_SIGNAL_READY=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout = &stdout
			pipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// the signal once the process can take it (see holdSignals),
			// however long it took to start; then it is simulating
			r := bufio.NewReader(pipe)
			if line, err := r.ReadString('\n'); err != nil || line != "iotpm-test: ready\n" {
				t.Fatalf("no ready line from the process: %q, %v", line, err)
			}
			copied := make(chan struct{})
			go func() { _, _ = stderr.ReadFrom(r); close(copied) }()
			time.Sleep(200 * time.Millisecond) // loaded, simulating
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			<-copied // stderr read to its end, before Wait closes the pipe
			err = cmd.Wait()
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

// A run over its memory budget stops with a message and exit 3, not Go's
// out-of-memory crash (exit 2, the code of invalid input, and a stack
// dump); a budget that is no size is refused.
func TestMemoryBudget(t *testing.T) {
	// 200,000 events of 20,000 devices: the read holds megabytes for tens
	// of milliseconds whatever the machine's load, where the example's
	// few thousand rows are over 2 MiB only for an instant the 50 ms watch
	// can miss
	big := filepath.Join(t.TempDir(), "events.csv")
	var b strings.Builder
	b.WriteString("clientId,timestamp,eventType\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "dev-%d,%d,%s\n", i*7919%20_000, 1790000000000+int64(i)*12_345, [2]string{"connected", "disconnected"}[i%2])
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(budget string) (int, string, int) {
		args := []string{"metrics", "-C", cmdtest.ExampleRepo, "-o", "json"}
		if budget == "2MiB" {
			args = []string{"metrics", "--events", big, "--month", "2026-09", "-o", "json"}
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "IOTPM_TEST_AS_MAIN=1", "IOTPM_MAX_MEMORY="+budget)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		return code, stderr.String(), stdout.Len()
	}
	if code, stderr, out := run("2MiB"); code != cmdutil.ExitInternal || out != 0 || !strings.Contains(stderr, "iotpm: out of memory: the run holds") || !strings.Contains(stderr, "IOTPM_MAX_MEMORY=SIZE") {
		t.Errorf("2MiB: exit %d, stdout %d bytes, stderr %q", code, out, stderr)
	}
	if code, stderr, _ := run("2"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, `IOTPM_MAX_MEMORY="2": give a size of at least 1MiB`) {
		t.Errorf("2: exit %d, stderr %q", code, stderr)
	}
	if code, stderr, out := run("1GiB"); code != 0 || out == 0 {
		t.Errorf("1GiB: exit %d, stderr %q", code, stderr)
	}
}
