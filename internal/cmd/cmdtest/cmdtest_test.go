package cmdtest

import "testing"

func TestLineDiff(t *testing.T) {
	want := "a\nb\nc\nd\ne\nf\ng\n"
	got := "a\nb\nc\nD\ne\nf\ng\n"
	if d := LineDiff(want, got); d != "@@ line 1 @@\n  a\n  b\n  c\n- d\n+ D\n  e\n  f\n  g\n" {
		t.Errorf("diff:\n%s", d)
	}
	// a line added at the end
	if d := LineDiff("x\ny\n", "x\ny\nz\n"); d != "@@ line 1 @@\n  x\n  y\n+ z\n  \n" {
		t.Errorf("diff:\n%q", d)
	}
}
