// Package kano is `iotpm kano`: a Kano survey export classified and held
// against the backlog's labels.
package kano
