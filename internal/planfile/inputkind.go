package planfile

import "github.com/iotpm/iotpm/pkg/metrics"

// InputKind is metrics.InputKind, the domain's name of a metrics input;
// the loader, which decodes iotpm.yaml's metrics.inputs, uses it under the
// names it has always had.
type InputKind = metrics.InputKind

// The input kinds (metrics.Kind…).
const (
	KindDevices    = metrics.KindDevices
	KindEvents     = metrics.KindEvents
	KindOTA        = metrics.KindOTA
	KindActivity   = metrics.KindActivity
	KindTickets    = metrics.KindTickets
	KindUsage      = metrics.KindUsage
	KindOnboarding = metrics.KindOnboarding
)

// InputKinds lists the input kinds in the order they are read.
var InputKinds = metrics.InputKinds

// InputKindNames are the kinds' names, for messages and completion.
func InputKindNames() []string { return metrics.InputKindNames() }

// ParseInputKind is the kind named s, if it is one.
func ParseInputKind(s string) (InputKind, bool) { return metrics.ParseInputKind(s) }
