package metrics

import (
	"fmt"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
)

// printSQL writes the psql script of the job's queries.
func printSQL(f *cmdutil.Factory, job *fleetmetrics.Job) error {
	script, err := job.Script(f.Env())
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(f.IO.Out, script)
	return err
}
