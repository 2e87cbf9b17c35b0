// Package planning is the use case of a whole planning repo: it computes
// everything iotpm knows about one — backlog, plan, energy, metrics, unit
// economics, rollout — and its gates, for the commands that show all of it
// (check, report, diff, economics, rollout). It takes the loaded iotpm.yaml
// and a runenv.Env, never a command's Factory, so diff computes the base
// repo through the same call.
package planning
