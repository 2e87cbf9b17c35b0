// Package check is `iotpm check`: validate the planning repo, compute
// everything it configures and evaluate its CI gates (table, JSON, JUnit,
// annotations, the step summary).
package check
