package planfile

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A format's time layout holds a date and a time of day, or a date alone
// (a ship date "13.08.2026"); a layout that drops the minutes, or has no
// date, is refused where it is written.
func TestTimeLayout(t *testing.T) {
	for _, c := range []struct {
		layout   string
		ok, date bool
	}{
		{"02/01/2006 15:04:05", true, false},
		{"1/2/2006, 3:04:05.000 PM", true, false},
		{"2.1.2006", true, true},
		{"2006-01-02", true, true},
		{"2.1.06 15:04", true, false},
		{"2006-01-02 15", false, false}, // the minutes are lost
		{"15:04:05", false, false},      // no date
		{"2.1.", false, false},          // no year
	} {
		var l TimeLayout
		err := l.UnmarshalNode(&yaml.Node{Value: c.layout})
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v, want ok %v", c.layout, err, c.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), `"2.1.2006" for a date alone`) {
			t.Errorf("%q: %v", c.layout, err)
		}
		if c.ok && l.DateOnly() != c.date {
			t.Errorf("%q: DateOnly %v, want %v", c.layout, l.DateOnly(), c.date)
		}
	}
}
