package render

import (
	"fmt"
	"math"
)

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

// Seconds formats a span of time given in seconds for people: "45s",
// "2m 41s", "1h 05m", "3d 4h"; below 10 s with a tenth ("4.5s").
func Seconds(secs float64) string {
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return "-"
	}
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	if secs < 10 {
		return sign + Number(secs, 1) + "s"
	}
	s := int64(math.Round(secs))
	switch {
	case s < 60:
		return fmt.Sprintf("%s%ds", sign, s)
	case s < 3600 && s%60 == 0:
		return fmt.Sprintf("%s%dm", sign, s/60)
	case s < 3600:
		return fmt.Sprintf("%s%dm %02ds", sign, s/60, s%60)
	case s < 86400 && s%3600 == 0:
		return fmt.Sprintf("%s%dh", sign, s/3600)
	case s < 86400:
		return fmt.Sprintf("%s%dh %02dm", sign, s/3600, s%3600/60)
	}
	return fmt.Sprintf("%s%dd %dh", sign, s/86400, s%86400/3600)
}
