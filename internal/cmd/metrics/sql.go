package metrics

import (
	"errors"
	"fmt"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

// printSQL writes the psql script of the job's queries.
func printSQL(f *cmdutil.Factory, job *fleetmetrics.Job) error {
	script, err := job.Script(f.Env())
	var invalid *failure.InvalidInputError
	if errors.As(err, &invalid) {
		return cmdutil.ReportProblems(f, invalid.Diagnostics) // the mapping's problem at its line, not only counted
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(f.IO.Out, script)
	return err
}
