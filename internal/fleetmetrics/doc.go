// Package fleetmetrics is the metrics use case: a job built from
// iotpm.yaml and the command line's settings, run over export files (the
// local engine, pkg/metrics) or database tables (internal/fleetdb), its
// gates, and its result as the documented JSON document. iotpm metrics,
// check, report and diff all run it; it knows no command.
package fleetmetrics
