package render

import (
	"math"
	"testing"
)

func TestSeconds(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{4.54, "4.5s"}, {45, "45s"}, {59.6, "1m"}, {61, "1m 01s"}, {161, "2m 41s"}, {180, "3m"}, {3600, "1h"}, {3900, "1h 05m"},
		{273600, "3d 4h"}, {-30, "-30s"}, {math.NaN(), "-"},
	} {
		if got := Seconds(c.in); got != c.want {
			t.Errorf("Seconds(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
