package fleetmetrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/runenv"
	"github.com/iotpm/iotpm/pkg/metrics"
	"go.yaml.in/yaml/v3"
)

// exampleJob is the metrics job of the example repo's iotpm.yaml.
func exampleJob(t *testing.T) (*planfile.Config, *Job) {
	t.Helper()
	cfg, diags := planfile.LoadConfigWith(filepath.Join("..", "..", "examples", "leak-sensor"), export.CheckFormats)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	job, err := JobFromConfig(cfg)
	if err != nil || job == nil {
		t.Fatalf("job %v, %v", job, err)
	}
	return cfg, job
}

// The run takes its clock from the Env it is given: the data's age is
// measured from it (a day later, a day older), with no command around.
func TestRunJobTakesTheEnvClock(t *testing.T) {
	_, job := exampleJob(t)
	w := job.options().Window
	job.asOf = w.From + 10*86_400e6 // the horizon, so that the window's end does not cap the age
	age := func(now int64) float64 {
		out, err := RunJob(runenv.Env{Now: func() time.Time { return time.UnixMicro(now) }}, job)
		if err != nil {
			t.Fatal(err)
		}
		if out.Problems.HasErrors() {
			t.Fatal(out.Problems)
		}
		if out.DataAgeDays() == nil {
			t.Fatal("no data age")
		}
		return *out.DataAgeDays()
	}
	a, b := age(job.asOf+2*86_400e6), age(job.asOf+3*86_400e6)
	if math.Abs(a-2) > 1e-9 || math.Abs(b-3) > 1e-9 {
		t.Errorf("the data is %.6f then %.6f days old by the Env's clock, want 2 then 3", a, b)
	}
}

// The data_age gate says where its age is counted: today while the
// window is open, at the window's end once it has ended (the example's
// data reaches past October's end: 0 days, of data no longer fresh).
func TestDataAgeGateSaysWhere(t *testing.T) {
	_, job := exampleJob(t)
	var th planfile.AgeThreshold
	if err := th.UnmarshalNode(&yaml.Node{Value: "<= 2d"}); err != nil {
		t.Fatal(err)
	}
	oct := job.window
	nov := metrics.Window{From: oct.To, To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixMicro()}
	for _, c := range []struct {
		window metrics.Window
		now    int64
		want   string
	}{
		{oct, oct.To + 30*86_400e6, ", counted at the window's end 2026-11-01T00:00:00Z"},
		{nov, nov.From + 14*86_400e6, ""}, // November to date
	} {
		job.window = c.window
		out, err := RunJob(runenv.Env{Now: func() time.Time { return time.UnixMicro(c.now) }}, job)
		if err != nil {
			t.Fatal(err)
		}
		g := DataAgeGate(out, th, "")
		if want := "horizon " + isoMicro(out.Report().Horizon) + c.want; g.Detail != want {
			t.Errorf("now %s: detail %q, want %q", isoMicro(c.now), g.Detail, want)
		}
	}
}

// iotpm.yaml's month older than the newest month the data holds whole is
// warned of at metrics: (the example's data reaches 2026-11-10: October
// is whole, November not); a flag's window, or the newest month, is not.
func TestPinnedMonthWarning(t *testing.T) {
	_, job := exampleJob(t)
	oct := job.window
	sep := metrics.Window{From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), To: oct.From}
	pos := job.windowPos
	if pos.Line == 0 {
		t.Fatal("the example's window has no position")
	}
	warned := func() string {
		out, err := RunJob(runenv.Env{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}, job)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.Problems.Warnings() {
			if strings.HasPrefix(d.Message, "metrics.month ") {
				return d.String()
			}
		}
		return ""
	}
	if w := warned(); w != "" {
		t.Errorf("October, the newest whole month: %s", w)
	}
	job.window = sep
	want := fmt.Sprintf(":%d:%d: warning: metrics.month 2026-09: the data reaches 2026-11-10T23:56:19Z, so 2026-10 is whole in it, and the gates read 2026-09, a month the data has moved past; move month: to 2026-10", pos.Line, pos.Col)
	if w := warned(); !strings.Contains(w, want) {
		t.Errorf("September: %q, want %q", w, want)
	}
	job.windowPos = planfile.Pos{} // --month 2026-09
	if w := warned(); w != "" {
		t.Errorf("a flag's window: %s", w)
	}
}

// A cancelled context stops the run with the context's error.
func TestRunJobStopsOnCancel(t *testing.T) {
	_, job := exampleJob(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunJob(runenv.Env{Ctx: ctx}, job); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// The database source reads its DSN from the Env's environment only: an
// empty one is a usage error naming the variable.
func TestDatabaseJobNeedsTheDSNFromEnv(t *testing.T) {
	job := newMetricsJob()
	job.db = &dbSource{driver: "postgres", dsnEnv: "IOTPM_TEST_DSN", timeout: time.Second}
	_, err := RunJob(runenv.Env{Getenv: func(string) string { return "" }}, job)
	var usage *failure.UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "IOTPM_TEST_DSN is not set") {
		t.Errorf("err = %v, want a usage error naming IOTPM_TEST_DSN", err)
	}
}

// Without a version column the firmware gate says what to give, for files
// and tables alike: it said the database source did not compute the
// metric, which it does.
func TestFirmwareNotGivenSaysWhatToGive(t *testing.T) {
	got := NoValueText(metrics.FirmwareOnTarget, metrics.NotGiven, nil)
	if !strings.Contains(got, "a version column in the OTA input or a firmware column in the devices input") || strings.Contains(got, "database source does not") {
		t.Errorf("%q", got)
	}
}
