package export

import (
	"testing"

	"github.com/iotpm/iotpm/internal/planfile"
)

func TestOfflineColumn(t *testing.T) {
	for name, want := range map[string]bool{
		"is_offline": true, "isOffline": true, "offline": true, "OFFLINE": true, "Disconnected": true,
		"link down": true, "isDown": true, "not_connected": true, "inactive": true, "unreachable": true,
		"online": false, "is_online": false, "isConnected": false, "connected": false, "state": false,
		"status": false, "_value": false, "active": false, "Value": false, "download": false,
		"eventType": false, "Online State": false,
	} {
		if got := OfflineColumn(name); got != want {
			t.Errorf("OfflineColumn(%q) = %v, want %v", name, got, want)
		}
	}
}

// A boolean value in a column named for the offline state is a bad row
// under the default vocabulary (it would read inverted); other values in
// it, and booleans in a column named for the online state, are read.
func TestOfflineColumnBooleans(t *testing.T) {
	generic, _ := NewFormats(nil).Lookup(planfile.KindEvents, "generic")
	for _, c := range []struct {
		header, value string
		bad           bool
	}{
		{"is_offline", "true", true},
		{"is_offline", "0", true},
		{"is_offline", "F", true},
		{"is_offline", "disconnected", false},
		{"online", "true", false},
		{"online", "0", false},
	} {
		b, err := Bind(generic, "x.csv", []string{"device_id", "timestamp", c.header}, map[string]string{"event": c.header}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		var out decoded
		status, _, key := b.decode([][]byte{[]byte("d1"), []byte("2026-10-10T11:00:00Z"), []byte(c.value)}, &out)
		if (status == rowBad) != c.bad {
			t.Errorf("%s = %s: status %d (%s), want bad %v", c.header, c.value, status, key, c.bad)
		}
	}
}
