// Package report is `iotpm report`: the whole plan as one markdown document.
package report
