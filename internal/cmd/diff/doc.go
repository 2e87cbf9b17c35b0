// Package diff is `iotpm diff`: what a change to the planning repo does to
// ranks, dates, battery life, cash, unit economics and gates, against a git
// revision or a directory.
package diff
