package render

import (
	"bytes"
	"strings"
	"testing"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		f        float64
		decimals int
		want     string
	}{
		{12345.678, 1, "12,345.7"},
		{14400, 1, "14,400"},
		{0.8133, 2, "0.81"},
		{2.5, 2, "2.5"},
		{-0.0001, 2, "0"},
		{1234567, 0, "1,234,567"},
		{-1500.25, 2, "-1,500.25"},
	}
	for _, tt := range tests {
		if got := Number(tt.f, tt.decimals); got != tt.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tt.f, tt.decimals, got, tt.want)
		}
	}
	if got := Percent(0.805, 1); got != "80.5%" {
		t.Errorf("Percent = %q", got)
	}
	a, b := 0.1, 0.2
	if got := Exact(a + b); got != "0.30000000000000004" {
		t.Errorf("Exact = %q", got)
	}
	// a count in a message reads as every other number: with separators
	for n, want := range map[int]string{0: "0 units", 1: "1 unit", 2: "2 units", 90146: "90,146 units"} {
		if got := Plural(n, "unit"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("MD", Formats); err != nil || f != FormatMarkdown {
		t.Errorf("md: %v %v", f, err)
	}
	if _, err := ParseFormat("csv", []Format{FormatJSON}); err == nil || !strings.Contains(err.Error(), "use one of json") {
		t.Errorf("err = %v", err)
	}
}

func TestYAMLMirrorsJSON(t *testing.T) {
	v := struct {
		B    int      `json:"b"`
		A    string   `json:"a"`
		List []string `json:"list"`
		Odd  string   `json:"odd"`
	}{2, "x", []string{}, "yes: no # not a comment"}
	var buf bytes.Buffer
	if err := YAML(&buf, v); err != nil {
		t.Fatal(err)
	}
	want := "b: 2\na: x\nlist: []\nodd: 'yes: no # not a comment'\n"
	if buf.String() != want {
		t.Errorf("YAML =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	tb := &Table{Columns: []Column{{Header: "A|B"}, {Header: "N", Right: true}}}
	tb.Append("x|y\nz", "1")
	var buf bytes.Buffer
	if err := tb.Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	want := "| A\\|B      | N |\n|:----------|--:|\n| x\\|y<br>z | 1 |\n"
	if buf.String() != want {
		t.Errorf("markdown =\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestTextHasNoTrailingBlanksOrColorWhenPlain(t *testing.T) {
	tb := &Table{Columns: []Column{{Header: "ID"}, {Header: "V", Right: true}}, Tone: func(int, int) Tone { return Bad }}
	tb.Append("a", "10")
	tb.Append("long-id", "2")
	var buf bytes.Buffer
	if err := tb.Text(&buf, Term{}); err != nil {
		t.Fatal(err)
	}
	want := "ID        V\na        10\nlong-id   2\n"
	if buf.String() != want {
		t.Errorf("text =\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	if err := tb.Text(&buf, Term{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Error("no styling with colour on")
	}
}

func TestAppendRejectsRaggedRows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("want a panic for a row of the wrong width")
		}
	}()
	(&Table{Columns: []Column{{Header: "A"}}}).Append("1", "2")
}

// A table fits a width by hiding columns, highest Hide rank first (ties:
// the rightmost), never a rank-0 column, and names what it hid.
func TestTableFit(t *testing.T) {
	tb := &Table{Columns: []Column{{Header: "ID"}, {Header: "TITLE", Hide: 2}, {Header: "A", Hide: 1}, {Header: "B", Hide: 1}, {Header: "SCORE", Right: true}}}
	tb.Append("x", "a long title here", "1", "2", "99")
	for _, c := range []struct {
		width int
		want  string
	}{
		{0, "ID  TITLE              A  B  SCORE\nx   a long title here  1  2     99\n"},
		{34, "ID  TITLE              A  B  SCORE\nx   a long title here  1  2     99\n"},
		{33, "ID  A  B  SCORE\nx   1  2     99\n(hidden to fit 33 columns: TITLE;\n--wide shows all)\n"},
		{12, "ID  A  SCORE\nx   1     99\n(hidden to\nfit 12\ncolumns:\nTITLE, B;\n--wide shows\nall)\n"},
		{11, "ID  SCORE\nx      99\n(hidden to\nfit 11\ncolumns:\nTITLE, A,\nB; --wide\nshows all)\n"},
	} {
		var buf bytes.Buffer
		if err := tb.Text(&buf, Term{Width: c.width}); err != nil {
			t.Fatal(err)
		}
		if buf.String() != c.want {
			t.Errorf("width %d:\n%s\nwant:\n%s", c.width, buf.String(), c.want)
		}
	}
}

// A warning callout quotes its intro and lines, escaped; no lines, nothing.
func TestMarkdownWarning(t *testing.T) {
	var b strings.Builder
	MarkdownWarning(&b, "New warnings:", []string{"a|b", "c"})
	if want := "> [!WARNING]\n> New warnings:\n> - a\\|b\n> - c\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	if MarkdownWarning(&b, "x", nil); b.Len() != 0 {
		t.Errorf("no lines wrote %q", b.String())
	}
}

func TestFew(t *testing.T) {
	abcde := []string{"a", "b", "c", "d", "e"}
	for _, c := range []struct {
		items []string
		n     int
		sep   string
		want  string
	}{
		{nil, 3, ", ", ""},
		{abcde[:1], 3, ", ", "a"},
		{abcde[:3], 3, ", ", "a, b, c"},
		{abcde[:4], 3, ", ", "a, b, c and 1 more"},
		{abcde, 3, "; ", "a; b; c and 2 more"},
		{abcde, 0, ", ", "5 more"},
	} {
		if got := Few(c.items, c.n, c.sep); got != c.want {
			t.Errorf("Few(%q, %d) = %q, want %q", c.items, c.n, got, c.want)
		}
	}
}

// AppendMember writes what Structured writes for the same object with the
// member declared last, in both formats, whatever the object holds.
func TestAppendMember(t *testing.T) {
	type item struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
	}
	type problem struct {
		File string `json:"file"`
		Line int    `json:"line"`
	}
	warned := []problem{{"devices.yaml", 12}, {"features.yaml", 3}}
	for name, c := range map[string]struct{ doc, want any }{
		"fields": {struct {
			A     int    `json:"a"`
			Items []item `json:"items"`
		}{7, []item{{"x", []string{"a <b>"}}, {"y", nil}}}, struct {
			A        int       `json:"a"`
			Items    []item    `json:"items"`
			Problems []problem `json:"problems"`
		}{7, []item{{"x", []string{"a <b>"}}, {"y", nil}}, warned}},
		"empty": {struct{}{}, struct {
			Problems []problem `json:"problems"`
		}{warned}},
		"a literal last": {struct {
			Text string `json:"text"`
		}{"two\nlines\n"}, struct {
			Text     string    `json:"text"`
			Problems []problem `json:"problems"`
		}{"two\nlines\n", warned}},
	} {
		for _, format := range []Format{FormatJSON, FormatYAML} {
			var got, want bytes.Buffer
			if err := Structured(&got, format, c.doc); err != nil {
				t.Fatal(err)
			}
			if err := AppendMember(&got, format, "problems", warned); err != nil {
				t.Fatalf("%s %s: %v", name, format, err)
			}
			if err := Structured(&want, format, c.want); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s %s:\n%s\nwant\n%s", name, format, got.String(), want.String())
			}
		}
	}
	// no object: refused, not spliced
	var list bytes.Buffer
	JSON(&list, []int{1})
	if err := AppendMember(&list, FormatJSON, "problems", warned); err == nil {
		t.Errorf("a JSON array took a member: %s", list.String())
	}
}
