//go:build !unix

package export

import "testing"

// processCPU is not measured here: cpu-ns/row reads 0.
func processCPU(*testing.B) int64 { return 0 }
