// Package rice is `iotpm rice`: the backlog ranked by RICE, with tooling and
// certification in the effort and each feature's battery and recurring cost.
package rice
