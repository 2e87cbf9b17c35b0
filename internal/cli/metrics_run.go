package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// metricsOutcome is a computation's result; problems are bad rows and
// unreadable inputs, as diagnostics.
type metricsOutcome struct {
	report metrics.Report
	stats  []*export.Stats
	// ageDays is min(to, now) − H in days; nil when no input has a row.
	ageDays *float64
	// dormantDays is D, as the job resolved it.
	dormantDays float64
	badRows     int
	problems    diag.List
}

// runMetricsJob reads the inputs and computes the metrics. Its error is
// the context's, when it is cancelled; problems with the inputs are in the
// outcome.
func runMetricsJob(f *cmdutil.Factory, job *metricsJob) (*metricsOutcome, error) {
	ctx := f.Context()
	// Event logs are a few large pointer-free arrays: collecting garbage
	// sooner costs little CPU and keeps peak memory near the live set
	// (the default lets the heap grow to twice it). GOGC still wins.
	if f.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(20))
	}
	out := &metricsOutcome{}
	if job.db != nil {
		if err := runDBJob(f, job, out); err != nil {
			return nil, err
		}
		if !out.problems.HasErrors() {
			finishMetrics(f, job, out)
		}
		return out, nil
	}
	w := job.window
	act := int64(job.activation * 1e6)
	data := metrics.NewData()
	useUntil := w.To
	if _, ok := job.inputs["devices"]; ok {
		useUntil = w.To + act
	}
	ing := &export.Ingest{Data: data, Window: w, UseUntil: useUntil, Formats: job.formats, MaxExpansion: job.expansion}
	if f.IO.IsStderrTTY() {
		ing.Progress = func(kind string, read, size int64) {
			pct := 0.0
			if size > 0 {
				pct = float64(read) / float64(size) * 100
			}
			fmt.Fprintf(f.IO.ErrOut, "\rreading %s: %3.0f%% (%s of %s MB)", kind, pct, render.Number(float64(read)/1e6, 0), render.Number(float64(size)/1e6, 0))
		}
	}
	// every input there before reading any: a missing ota.csv should not
	// cost the read of a 10M-row event log first
	for _, kind := range inputKinds {
		if in, ok := job.inputs[kind]; ok {
			if _, err := os.Stat(in.Path); errors.Is(err, os.ErrNotExist) {
				out.problems.Errorf(diag.File, in.Path, 0, 0, "no such file")
			}
		}
	}
	if out.problems.HasErrors() {
		return out, nil
	}
	for _, kind := range inputKinds {
		in, ok := job.inputs[kind]
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := ing.ReadContext(ctx, in)
		if ing.Progress != nil {
			fmt.Fprint(f.IO.ErrOut, "\r\033[K")
		}
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, ctxErr
		}
		if err != nil {
			var re *export.RowError
			if errors.As(err, &re) {
				out.problems.Errorf(re.DiagKind(), re.Path, re.Line, 0, "%s", re.Reason)
			} else {
				out.problems.Errorf(diag.File, in.Path, 0, 0, "%v", err)
			}
			continue
		}
		out.stats = append(out.stats, st)
		out.badRows += st.SkippedTotal()
	}
	if !out.problems.HasErrors() {
		checkJoins(data, out)
	}
	if out.badRows > job.maxBadRows {
		for _, st := range out.stats {
			for _, e := range st.Errors {
				out.problems.Errorf(diag.Row, e.Path, e.Line, 0, "%s", e.Reason)
			}
		}
	}
	if out.problems.HasErrors() {
		return out, nil
	}
	out.report = metrics.Compute(data, job.options())
	finishMetrics(f, job, out)
	return out, nil
}

// finishMetrics adds what the command knows to a report: the data's age
// and the dormancy setting.
func finishMetrics(f *cmdutil.Factory, job *metricsJob, out *metricsOutcome) {
	w := job.window
	out.dormantDays = job.dormant / 86400
	if h := out.report.Horizon; h != metrics.NoTime {
		now := job.now
		if now.IsZero() {
			now = f.Now()
		}
		age := max(0, float64(min(w.To, now.UnixMicro())-h)/86_400e6) // data past the window is not stale
		out.ageDays = &age
	}
}
