package root_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetdb/pgtest"
	"github.com/jackc/pgx/v5"
)

// Ctrl-C during a database query cancels the query on the server, not
// only in the client: the backend is idle again at once. Before, pgx only
// closed its socket and the query (here a 60 s pg_sleep behind a view)
// ran on to its end.
func TestInterruptCancelsTheQueryOnTheServer(t *testing.T) {
	dir, dsn, app, conn := slowQueryRepo(t)
	cmd := exec.Command(os.Args[0], "metrics", "-C", dir, "-o", "json")
	cmd.Env = append(os.Environ(), "IOTPM_TEST_AS_MAIN=1", "IOTPM_FLEET_DSN="+dsn)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// wait until the query runs on the server
	for start := time.Now(); activeQueries(t, conn, app) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			cmd.Process.Kill()
			t.Fatalf("the query never ran; stderr: %s", stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != cmdutil.ExitInterrupted || stdout.Len() != 0 {
		t.Errorf("exit %v, stdout %d bytes; stderr: %s", err, stdout.Len(), stderr.String())
	}
	noQueryLeft(t, conn, app)
}

// A client that dies without sending the cancel request (killed, or a
// loaded machine that did not open the cancel's connection within the
// grace before exit) leaves no query behind: the server checks that its
// client is still there every second (client_connection_check_interval)
// and ends the query. Before, a SIGKILLed iotpm's 60 s query ran on to
// its end.
func TestKilledClientLeavesNoQuery(t *testing.T) {
	dir, dsn, app, conn := slowQueryRepo(t)
	cmd := exec.Command(os.Args[0], "metrics", "-C", dir, "-o", "json")
	cmd.Env = append(os.Environ(), "IOTPM_TEST_AS_MAIN=1", "IOTPM_FLEET_DSN="+dsn)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); activeQueries(t, conn, app) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			cmd.Process.Kill()
			t.Fatal("the query never ran")
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	noQueryLeft(t, conn, app)
}

// The session carries statement_timeout = --timeout: the server itself
// stops a query at the limit (whichever of it and the client fires first,
// the message is the timeout's), and no backend is left running.
func TestTimeoutStopsTheQueryOnTheServer(t *testing.T) {
	dir, dsn, app, conn := slowQueryRepo(t)
	start := time.Now()
	_, stderr, code := cmdtest.Run(t, map[string]string{"IOTPM_FLEET_DSN": dsn}, "metrics", "-C", dir, "--timeout", "2s")
	if code != cmdutil.ExitInvalid || !strings.Contains(stderr, "took longer than 2s") || time.Since(start) > 30*time.Second {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), stderr)
	}
	noQueryLeft(t, conn, app)
}

// slowQueryRepo is a planning repo whose events input is a view that
// sleeps 60 s in the database, and the DSN and an admin connection. The
// DSN names the session after the test's schema, so that the queries
// counted are this test's, not those of the database tests of other
// packages running beside it.
func slowQueryRepo(t *testing.T) (dir, dsn, app string, conn *pgx.Conn) {
	t.Helper()
	conn, schema := pgtest.Conn(t)
	app = "iotpm_" + schema
	dsn = pgtest.DSN(t) + " application_name=" + app
	if _, err := conn.Exec(context.Background(), "CREATE VIEW "+schema+`.slow_events AS
		SELECT 'd-1'::text AS device_id, timestamptz '2026-10-05 00:00:00+00' AS ts, 'connected'::text AS event FROM pg_sleep(60)`); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	cmdtest.WriteFile(t, dir, "iotpm.yaml", `metrics:
  month: 2026-10
  source: {driver: postgres, dsn_env: IOTPM_FLEET_DSN}
  inputs:
    events: {table: `+schema+`.slow_events, columns: {device_id: device_id, timestamp: ts, event: event}}
`)
	return dir, dsn, app, conn
}

// activeQueries counts the queries of the session app running on the server.
func activeQueries(t *testing.T, conn *pgx.Conn, app string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// noQueryLeft waits up to 5 s for the session app's queries to end on the
// server.
func noQueryLeft(t *testing.T, conn *pgx.Conn, app string) {
	t.Helper()
	for start := time.Now(); activeQueries(t, conn, app) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("iotpm's query still runs on the server %v after the client stopped", time.Since(start))
		}
	}
}
