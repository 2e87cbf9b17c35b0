// Package build reports the version and commit iotpm was built from.
package build

import "runtime/debug"

// Version and Commit are set at release time (GoReleaser's ldflags):
// -X github.com/iotpm/iotpm/internal/build.Version=v1.2.3
// -X github.com/iotpm/iotpm/internal/build.Commit=<sha>.
var (
	Version = ""
	Commit  = ""
)

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

// Revision returns the commit: the linker-set one, else the one the Go
// toolchain stamped from the checkout it built in (with "-dirty" when the
// work tree had changes), else "" (go install …@version builds from the
// module proxy's zip, which has no VCS information).
func Revision() string {
	if Commit != "" {
		return Commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "-dirty"
	}
	return rev
}
