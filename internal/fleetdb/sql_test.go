package fleetdb

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/planfile"
)

// Citus refuses any statement written WITH RECURSIVE unless it filters on
// the distribution column: no statement is, the sequence epochs (events
// ordered by a sequence with a reset gap) included.
func TestNoRecursiveStatement(t *testing.T) {
	events := func(reset int64, kv ...string) map[planfile.InputKind]Input {
		return map[planfile.InputKind]Input{
			"devices": {Kind: "devices", Table: "fleet.units", Columns: cols("device_id=unit_ref", "shipped_at=sent")},
			"events":  {Kind: "events", Table: "fleet.presence", SequenceReset: reset, Columns: cols(kv...)},
		}
	}
	byTime := []string{"device_id=clientId", "timestamp=ts:ms", "event=what"}
	bySeq := append(byTime, "sequence=seq")
	for _, tc := range []struct {
		name   string
		inputs map[planfile.InputKind]Input
	}{
		{"by time", events(0, byTime...)},
		{"by sequence, no reset", events(0, bySeq...)},
		{"by sequence with a reset", events(3_600_000_000, bySeq...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options("2026-10")
			script, err := Script(&Job{Inputs: tc.inputs, Options: o, UseUntil: o.Window.To + o.ActivationWindow})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(script, "WITH ") {
				t.Fatal("the script has no WITH clause")
			}
			if got := strings.Count(script, "RECURSIVE"); got > 0 {
				t.Errorf("%d statements WITH RECURSIVE, want none", got)
			}
		})
	}
}
