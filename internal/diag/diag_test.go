package diag

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStringAndSort(t *testing.T) {
	var l List
	l.Errorf(Plan, "b.yaml", 2, 1, "second file")
	l.Warnf(Plan, "a.yaml", 10, 3, "careful")
	l.Errorf(Plan, "a.yaml", 2, 5, "x")
	l.Errorf(Plan, "a.yaml", 2, 5, "x") // exact repeat, dropped
	l.Errorf(Plan, "a.yaml", 0, 0, "unreadable")
	var got []string
	for _, d := range l.Sort() {
		got = append(got, d.String())
	}
	want := []string{
		"a.yaml: unreadable",
		"a.yaml:2:5: x",
		"a.yaml:10:3: warning: careful",
		"b.yaml:2:1: second file",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !l.HasErrors() || len(l.Errors()) != 4 || len(l.Warnings()) != 1 {
		t.Errorf("errors %d warnings %d", len(l.Errors()), len(l.Warnings()))
	}
	var w List
	w.Warnf(Plan, "a", 1, 1, "w")
	if w.HasErrors() {
		t.Error("a warning is not an error")
	}
}

// The backstop: no message is longer than MaxMessage bytes plus what it
// says was cut, and a cut never splits a character.
func TestClip(t *testing.T) {
	s := strings.Repeat("é", MaxMessage)
	got := Clip(s)
	if len(got) > MaxMessage+40 || !utf8.ValidString(got) || !strings.Contains(got, "more bytes)") {
		t.Errorf("%d bytes, valid %v: %.40q…", len(got), utf8.ValidString(got), got[len(got)-40:])
	}
	if Clip("short") != "short" {
		t.Error("a short message changed")
	}
}

// RelativeTo shortens an absolute path under dir, and keeps a relative
// path or one outside dir as it is.
func TestRelativeTo(t *testing.T) {
	for _, tt := range []struct{ file, dir, want string }{
		{"/repo/plan/iotpm.yaml", "/repo/plan", "iotpm.yaml"},
		{"/repo/plan/exports/a.csv", "/repo/plan", "exports/a.csv"},
		{"iotpm.yaml", "/repo/plan", "iotpm.yaml"},
		{"/elsewhere/a.csv", "/repo/plan", "/elsewhere/a.csv"},
	} {
		if got := (Diagnostic{File: tt.file}).RelativeTo(tt.dir).File; got != tt.want {
			t.Errorf("%s in %s: %s, want %s", tt.file, tt.dir, got, tt.want)
		}
	}
}
