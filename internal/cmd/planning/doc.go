// Package planning computes everything iotpm knows about a planning repo —
// backlog, plan, energy, metrics, unit economics, rollout — for the commands
// that show all of it (check, report, diff, economics, rollout), and their
// gates.
package planning
