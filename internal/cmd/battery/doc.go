// Package battery is `iotpm battery`: each device's battery life from its
// wake events, the energy budget per feature, life along the roadmap, sweeps
// and the life gates.
package battery
