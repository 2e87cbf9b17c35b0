package chart

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestGanttDrawsEveryBarAndMilestone(t *testing.T) {
	g := Gantt{Label: "Roadmap", From: day("2027-01-01"), To: day("2028-01-01"),
		Rows: []GanttRow{
			{Group: "Hardware", Label: "Rev B <enclosure>", Start: day("2027-01-01"), End: day("2027-07-02"), Class: "hardware"},
			{Group: "Hardware", Label: "Rev C", Start: day("2027-07-02"), End: day("2028-01-01"), Class: "hardware"},
			{Group: "Firmware", Label: "FW 1", Start: day("2027-01-01"), End: day("2027-01-01"), Class: "firmware"},
		},
		Milestones: []Milestone{{Label: "theme", Date: day("2027-07-02"), Late: true}},
	}
	s := string(g.SVG())
	if n := strings.Count(s, `<rect class="bar `); n != 3 {
		t.Errorf("%d bars, want 3", n)
	}
	if n := strings.Count(s, `class="milestone late"`); n != 1 {
		t.Errorf("%d late milestones, want 1", n)
	}
	// a year from x = 250 to x = 750: the first bar covers half of it
	if !strings.Contains(s, `<rect class="bar hardware" x="250" y="51" width="249.3"`) {
		t.Errorf("the first bar is not at x 250, half the year wide:\n%s", s)
	}
	// a zero-length bar is still visible
	if !strings.Contains(s, `class="bar firmware" x="250" y="105" width="2"`) {
		t.Errorf("a zero-length bar is not 2 wide:\n%s", s)
	}
	if strings.Contains(s, "<enclosure>") || !strings.Contains(s, "&lt;enclosure&gt;") {
		t.Error("labels are not escaped")
	}
	if n := strings.Count(s, `class="group"`); n != 3 {
		t.Errorf("%d group titles, want Hardware, Firmware, Themes", n)
	}
}

func TestLinesStepAndTarget(t *testing.T) {
	target := 10.0
	l := Lines{Label: "life", Target: &target, TargetLabel: "target 10 y",
		Series: []Series{{Name: "drip", Step: true, Points: []Point{{0, 18}, {100, 12}}}}, XMin: 0, XMax: 200}
	s := string(l.SVG())
	// y from 0 to 20 (18 × 1.1 = 19.8, rounded up to 20) from 210 up to 20:
	// 18 is at 210 − 190 × 0.9 = 39, 12 at 96, 10 at 115; x 100 of 0..200
	// is 48 + 682 / 2 = 389, and the last step holds to the axis end (730)
	if !strings.Contains(s, `d="M48 39H389V96H730"`) {
		t.Errorf("step path wrong:\n%s", s)
	}
	if !strings.Contains(s, `<line class="target" x1="48" y1="115"`) {
		t.Errorf("target line wrong:\n%s", s)
	}
	if n := strings.Count(s, `<circle class="point`); n != 2 {
		t.Errorf("%d points, want 2", n)
	}
}

func TestBarsAndQuadrant(t *testing.T) {
	b := string(Bars{Label: "NRE", Labels: []string{"2027-Q1", "2027-Q2"}, Values: []float64{100, 50}}.SVG())
	if n := strings.Count(b, `<rect class="bar"`); n != 2 {
		t.Errorf("%d bars, want 2", n)
	}
	// the largest bar reaches the top (24) from the bottom (190)
	if !strings.Contains(b, `y="24" width="245.7" height="166"`) {
		t.Errorf("the largest bar is not full height:\n%s", b)
	}
	q := string(Quadrant{Label: "Kano", Names: [4]string{"a", "b", "c", "d"}, Points: []Labeled{{"x", 1, 1}, {"y", 0, 0}, {"z", 2, -1}}}.SVG())
	if n := strings.Count(q, `<circle class="point"`); n != 3 {
		t.Errorf("%d points, want 3", n)
	}
	// clamped to the frame: (1, 1) and (2, −1) at the corners
	if !strings.Contains(q, `cx="420" cy="20"`) || !strings.Contains(q, `cx="420" cy="380"`) {
		t.Errorf("points not placed or clamped:\n%s", q)
	}
}

func TestNiceCeil(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0, 0}, {0.7, 1}, {1, 1}, {1.1, 2}, {19.8, 20}, {21, 50}, {123000, 200000}} {
		if got := niceCeil(c.in); got != c.want {
			t.Errorf("niceCeil(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestIntervals(t *testing.T) {
	for _, c := range []struct {
		r    float64
		want int
	}{{20, 4}, {5, 5}, {1, 5}, {10, 5}, {200, 4}, {15, 4}, {0, 4}} {
		if got := intervals(c.r); got != c.want {
			t.Errorf("intervals(%v) = %d, want %d", c.r, got, c.want)
		}
	}
}
