// Package metrics is `iotpm metrics`: the fleet metrics from device-platform
// exports or database tables, their gates and outputs.
package metrics
