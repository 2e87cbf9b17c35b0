package economics

import "github.com/iotpm/iotpm/pkg/energy"

// TrafficOf is what a device profile sends in a month: each event that
// sends (energy.Event.Sends) is one message per wake, every Every seconds,
// over a month of DaysPerMonth days.
func TrafficOf(d energy.Device) Traffic {
	var t Traffic
	for _, e := range d.Events {
		if e.Download > 0 && !e.Retire && e.Every > 0 {
			t.Downloads += SecondsPerMonth / float64(e.Every) * e.Download
		}
		sends, bytes := e.Sends()
		if !sends || e.Retire || e.Every <= 0 {
			continue
		}
		n := SecondsPerMonth / float64(e.Every)
		t.Messages += n
		t.Bytes += n * float64(bytes)
		t.Sizes = append(t.Sizes, MessageSize{Messages: n, Bytes: float64(bytes)})
	}
	return t
}
