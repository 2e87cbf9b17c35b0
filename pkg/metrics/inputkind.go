package metrics

// InputKind is a kind of metrics input: what an export or a table holds.
// The domain owns the names: iotpm.yaml's metrics.inputs, the export
// readers (formats and their roles), the database source and the metrics
// command name inputs by it, so a misspelt kind does not compile, and the
// data's own checks (Join) say which input they are about in the same
// words.
type InputKind string

// The input kinds.
const (
	KindDevices  InputKind = "devices"  // shipments: device, shipped, customer, retired
	KindEvents   InputKind = "events"   // connection events
	KindOTA      InputKind = "ota"      // OTA job executions
	KindActivity InputKind = "activity" // device activity (messages, heartbeats)
	KindTickets  InputKind = "tickets"  // support tickets by customer
	KindUsage    InputKind = "usage"    // feature usage
	// KindOnboarding is app analytics: the setup steps a user's app logs
	// (Amplitude, Mixpanel, Firebase, Segment exports).
	KindOnboarding InputKind = "onboarding"
)

// InputKinds lists the input kinds in the order they are read.
var InputKinds = []InputKind{KindDevices, KindEvents, KindOTA, KindActivity, KindTickets, KindUsage, KindOnboarding}

// InputKindNames are the kinds' names, for messages and completion.
func InputKindNames() []string {
	names := make([]string, len(InputKinds))
	for i, k := range InputKinds {
		names[i] = string(k)
	}
	return names
}

// ParseInputKind is the kind named s, if it is one.
func ParseInputKind(s string) (InputKind, bool) {
	for _, k := range InputKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}
