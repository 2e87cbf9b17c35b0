// Package build reports the version iotpm was built as.
package build

import "runtime/debug"

// Version is set at release time with -ldflags "-X github.com/iotpm/iotpm/internal/build.Version=v1.2.3".
var Version = ""

// String returns the version: the linker-set one, else the module version
// `go install …@vX` recorded, else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
