package root_test

import (
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
)

// Every diagnostic path cuts the values it echoes: a megabyte in a cell, a
// header, an id or a YAML value never reaches stderr whole.
func TestHugeValuesAreCutInMessages(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"ids.csv":       "device_id,timestamp,event\n" + huge + ",2026-10-01T00:00:00Z,connected\n",
		"ts.csv":        "device_id,timestamp,event\nd1," + huge + ",connected\n",
		"event.csv":     "device_id,timestamp,event\nd1,2026-10-01T00:00:00Z," + huge + "\n",
		"header.csv":    "device_id,timestamp," + huge + "\nd1,2026-10-01T00:00:00Z,x\n",
		"devices.csv":   "device_id,shipped_at,retired_at\nd1,2026-09-01," + huge + "\n",
		"features.yaml": "features:\n  - {id: " + huge + ", reach: 1, impact: 1, confidence: 80%, track: firmware, effort: {engineering: 1}}\n",
		"devices.yaml":  "devices:\n  - {id: d, battery: {cell: " + huge + "}, sleep: 1uA, events: []}\n",
	} {
		cmdtest.WriteFile(t, dir, name, content)
	}
	for _, args := range [][]string{
		{"metrics", "--events", "ids.csv", "--month", "2026-10", "--tz", "events=UTC"},
		{"metrics", "--events", "ts.csv", "--month", "2026-10"},
		{"metrics", "--events", "event.csv", "--month", "2026-10"},
		{"metrics", "--events", "header.csv", "--month", "2026-10"},
		{"metrics", "--devices", "devices.csv", "--events", "event.csv", "--month", "2026-10"},
		{"rice", "features.yaml"},
		{"battery", "devices.yaml"},
		{"metrics", "--events", "ids.csv", "--month", "2026-10", "--format", "events=" + huge},
	} {
		_, stderr, _ := cmdtest.Run(t, nil, append(append([]string{}, args...), "-C", dir)...)
		for _, line := range strings.Split(stderr, "\n") {
			if len(line) > 2000 {
				t.Errorf("%s: a %d-byte line on stderr: %.120s…", args[:2], len(line), line)
				break
			}
		}
	}
}
