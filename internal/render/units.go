package render

import "math"

// Current formats a current given in amperes for people: µA below 1 mA,
// mA below 1 A, else A.
func Current(amps float64) string {
	a := math.Abs(amps)
	switch {
	case a < 1e-3:
		return Number(amps*1e6, 2) + " µA"
	case a < 1:
		return Number(amps*1e3, 2) + " mA"
	}
	return Number(amps, 3) + " A"
}

// Bar draws a horizontal bar of value/maximum × width eighth-block cells, for
// charts in a terminal.
func Bar(value, maximum float64, width int) string {
	if maximum <= 0 || value <= 0 || math.IsInf(value, 0) {
		return ""
	}
	eighths := int(math.Round(math.Min(value/maximum, 1) * float64(width*8)))
	full, rest := eighths/8, eighths%8
	s := ""
	for range full {
		s += "█"
	}
	if rest > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[rest-1])
	}
	return s
}
