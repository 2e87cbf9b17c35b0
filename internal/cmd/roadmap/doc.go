// Package roadmap is `iotpm roadmap`: the ranked backlog as a dated plan on
// the hardware, firmware and cloud tracks; capacity, explanations,
// simulations and what-ifs.
package roadmap
