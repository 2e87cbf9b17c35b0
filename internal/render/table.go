package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/termsafe"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Tone colours a cell on a terminal: good news, bad news, or a quiet aside.
type Tone int

// The tones.
const (
	Plain Tone = iota
	Good
	Bad
	Muted
)

// Column is a table column. Numeric columns align right.
type Column struct {
	Header string
	Right  bool
	// Hide ranks the column for hiding when the table must fit a
	// terminal: 0 is never hidden; among the others the highest goes
	// first (ties: the rightmost).
	Hide int
	// Wrap lets a column of prose (a source, a note) wrap at word
	// boundaries, when the table must fit a terminal, instead of running
	// past its width; the rightmost such column wraps first.
	Wrap bool
}

// Term is what a table's text form knows about where it is going.
type Term struct {
	// Color styles the header and toned cells.
	Color bool
	// Width, when positive, is the width the table must fit: columns are
	// hidden by their Hide rank until it does, and a last line names them.
	Width int
	// Columns, when set, picks the columns to show, by ColumnKey, in its
	// order; a table that has none of them is shown whole. Each key a
	// table has is recorded in Picked, so the caller can refuse a key that
	// no table has.
	Columns []string
	Picked  map[string]bool
	// Seen, when set, collects the keys of every column of every table.
	Seen *[]string
}

// ColumnKey is how --columns names a column: its header in lower case,
// other characters as single dashes ("EFFORT (PERSON-MO)" →
// "effort-person-mo"). The first word alone ("effort") also names it when
// no other column of the table starts with it.
func ColumnKey(header string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(header), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), "-")
}

// pick returns the indexes of the columns term.Columns names, in its
// order, or nil when it names none of this table's.
func (t *Table) pick(term Term) []int {
	if len(term.Columns) == 0 {
		return nil
	}
	if term.Seen != nil {
		for _, c := range t.Columns {
			if k := ColumnKey(c.Header); !slices.Contains(*term.Seen, k) {
				*term.Seen = append(*term.Seen, k)
			}
		}
	}
	first := map[string][]int{}
	for i, c := range t.Columns {
		k := ColumnKey(c.Header)
		w, _, _ := strings.Cut(k, "-")
		first[w] = append(first[w], i)
	}
	var out []int
	for _, name := range term.Columns {
		key := ColumnKey(name)
		i := slices.IndexFunc(t.Columns, func(c Column) bool { return ColumnKey(c.Header) == key })
		if i < 0 && len(first[key]) == 1 {
			i = first[key][0]
		}
		if i >= 0 && !slices.Contains(out, i) {
			out = append(out, i)
			if term.Picked != nil {
				term.Picked[key] = true
			}
		}
	}
	return out
}

// Table is tabular output for people (table, markdown) and for spreadsheets
// (csv). Cells hold display text; CSV callers pass full-precision text.
type Table struct {
	Columns []Column
	Rows    [][]string
	// Tone, when set, styles cell (row, col) on a colour terminal.
	Tone func(row, col int) Tone
}

// Append adds a row. It panics on a row of the wrong width: that is a bug in
// the calling command, and tablewriter would silently widen the table.
func (t *Table) Append(cells ...string) {
	if len(cells) != len(t.Columns) {
		panic(fmt.Sprintf("render: row has %d cells for %d columns", len(cells), len(t.Columns)))
	}
	t.Rows = append(t.Rows, cells)
}

func (t *Table) headers() []string {
	h := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		h[i] = c.Header
	}
	return h
}

func (t *Table) alignment() tw.Alignment {
	a := make(tw.Alignment, len(t.Columns))
	for i, c := range t.Columns {
		a[i] = tw.AlignLeft
		if c.Right {
			a[i] = tw.AlignRight
		}
	}
	return a
}

// Text writes the table aligned in columns without borders, the way kubectl
// and gh do, so it reads well and still splits on whitespace. With color, the
// header is bold and toned cells are coloured; with a width, it fits it.
func (t *Table) Text(w io.Writer, term Term) error {
	if picked := t.pick(term); picked != nil {
		return t.only(picked).Text(w, Term{Color: term.Color})
	}
	keep, hidden := t.fit(term.Width)
	cells, escaped := t.Rows, map[int]bool{}
	if term.Width > 0 {
		cells, escaped = t.wrapped(keep, term.Width)
	}
	style := newStyler(term.Color)
	headers := make([]string, 0, len(keep))
	align := make(tw.Alignment, 0, len(keep))
	full := t.alignment()
	for _, i := range keep {
		headers = append(headers, style.header(t.Columns[i].Header))
		align = append(align, full[i])
	}
	rows := make([][]string, len(cells))
	for r, row := range cells {
		rows[r] = make([]string, 0, len(keep))
		for _, c := range keep {
			tone := Plain
			if t.Tone != nil {
				tone = t.Tone(r, c)
			}
			cell := row[c]
			if !escaped[c] {
				cell = termsafe.String(cell)
			}
			rows[r] = append(rows[r], style.tone(cell, tone))
		}
	}
	var sb strings.Builder
	table := tablewriter.NewTable(&sb,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithAlignment(align),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	table.Header(headers)
	if err := table.Bulk(rows); err != nil {
		return err
	}
	if err := table.Render(); err != nil {
		return err
	}
	if err := writeTrimmed(w, sb.String()); err != nil {
		return err
	}
	if len(hidden) > 0 {
		// a header is one word for wrapping: "TOOLING PM" stays whole
		names := make([]string, len(hidden))
		for i, h := range hidden {
			names[i] = strings.ReplaceAll(h, " ", "\x00")
		}
		note := fmt.Sprintf("(hidden to fit %d columns: %s; --wide shows all)", term.Width, strings.Join(names, ", "))
		_, err := io.WriteString(w, strings.ReplaceAll(wrapWords(note, term.Width), "\x00", " "))
		return err
	}
	return nil
}

// Hidden are the headers of the columns Text hides to fit term's width
// (none when term picks the columns).
func (t *Table) Hidden(term Term) []string {
	if t.pick(term) != nil {
		return nil
	}
	_, hidden := t.fit(term.Width)
	return hidden
}

// wrapWords breaks s at spaces into lines of at most width runes (a longer
// word stays whole), each ending in a newline.
func wrapWords(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteByte('\n')
	return b.String()
}

// only is the table with just the columns at idx, in that order.
func (t *Table) only(idx []int) *Table {
	out := &Table{}
	for _, i := range idx {
		out.Columns = append(out.Columns, t.Columns[i])
	}
	for _, row := range t.Rows {
		cells := make([]string, len(idx))
		for j, i := range idx {
			cells[j] = row[i]
		}
		out.Rows = append(out.Rows, cells)
	}
	if t.Tone != nil {
		out.Tone = func(r, c int) Tone { return t.Tone(r, idx[c]) }
	}
	return out
}

// colGap is the space between columns in the text form.
const colGap = 2

// fit returns the columns to show so the table is at most width wide
// (all of them when width is 0 or nothing can be hidden) and the headers
// of the hidden ones, in table order.
func (t *Table) fit(width int) (keep []int, hidden []string) {
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = lipgloss.Width(c.Header)
		for _, row := range t.Rows {
			widths[i] = max(widths[i], lipgloss.Width(termsafe.String(row[i])))
		}
		if c.Wrap {
			// a prose column can wrap down to this: count it so, and
			// hide no column it could make room for
			widths[i] = min(widths[i], max(16, lipgloss.Width(c.Header)))
		}
	}
	shown := make([]bool, len(t.Columns))
	for i := range shown {
		shown[i] = true
	}
	total := func() int {
		n, sum := 0, 0
		for i, ok := range shown {
			if ok {
				n++
				sum += widths[i]
			}
		}
		return sum + colGap*max(n-1, 0)
	}
	for width > 0 && total() > width {
		drop := -1
		for i, c := range t.Columns {
			if shown[i] && c.Hide > 0 && (drop < 0 || c.Hide >= t.Columns[drop].Hide) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		shown[drop] = false
	}
	for i, ok := range shown {
		if ok {
			keep = append(keep, i)
		} else {
			hidden = append(hidden, t.Columns[i].Header)
		}
	}
	return keep, hidden
}

// writeTrimmed drops the trailing blanks tablewriter pads lines with, so
// output is stable and diff-friendly.
func writeTrimmed(w io.Writer, s string) error {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = trimLine(l)
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

var trailingEscape = regexp.MustCompile(`\x1b\[[0-9;]*m$`)

// trimLine drops trailing blanks, also those before the style resets a
// styled last cell ends with (they would wrap on a terminal exactly as
// wide as the table), keeping the resets.
func trimLine(l string) string {
	tail := ""
	for {
		l = strings.TrimRight(l, " ")
		loc := trailingEscape.FindStringIndex(l)
		if loc == nil {
			return l + tail
		}
		tail = l[loc[0]:] + tail
		l = l[:loc[0]]
	}
}

// Markdown writes the table as GitHub-flavoured markdown. Pipes and newlines
// in cells are escaped: tablewriter's markdown renderer does not.
func (t *Table) Markdown(w io.Writer) error {
	var sb strings.Builder
	table := tablewriter.NewTable(&sb,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithAlignment(t.alignment()),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	table.Header(escapeCells(t.headers()))
	for _, row := range t.Rows {
		if err := table.Append(escapeCells(row)); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	return writeTrimmed(w, sb.String())
}

// MarkdownWarning writes a GitHub warning callout: intro, then each line
// as an item (nothing when there are no lines).
func MarkdownWarning(w io.Writer, intro string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "> [!WARNING]\n> %s\n", MarkdownEscape(intro))
	for _, line := range lines {
		fmt.Fprintf(w, "> - %s\n", MarkdownEscape(line))
	}
}

// MarkdownEscape makes s safe inside a markdown table cell.
func MarkdownEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	return termsafe.String(strings.ReplaceAll(s, "\n", "<br>"))
}

func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = MarkdownEscape(c)
	}
	return out
}

// CSV writes the table as RFC 4180 CSV with a header row.
func (t *Table) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	// scripts read a CSV by its header names: snake_case, whatever the
	// table shows on a terminal (USED / CAPACITY (PERSON-MO) is
	// used_capacity_person_mo)
	headers := t.headers()
	for i, h := range headers {
		headers[i] = strings.ReplaceAll(ColumnKey(strings.ReplaceAll(h, "Δ", "delta ")), "-", "_")
	}
	if err := cw.Write(headers); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows); err != nil {
		return err
	}
	return cw.Error()
}

type styler struct {
	r     *lipgloss.Renderer
	color bool
}

func newStyler(color bool) styler {
	r := lipgloss.NewRenderer(io.Discard)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return styler{r: r, color: color}
}

func (s styler) header(h string) string {
	if !s.color {
		return h
	}
	return s.r.NewStyle().Bold(true).Render(h)
}

func (s styler) tone(text string, t Tone) string {
	if !s.color || t == Plain || text == "" {
		return text
	}
	st := s.r.NewStyle()
	switch t {
	case Good:
		st = st.Foreground(lipgloss.Color("2"))
	case Bad:
		st = st.Foreground(lipgloss.Color("1")).Bold(true)
	case Muted:
		st = st.Foreground(lipgloss.Color("8"))
	}
	return st.Render(text)
}

// StatusTone colours a status cell: pass good, FAIL bad, anything else
// (no target, "-") muted.
func StatusTone(s string) Tone {
	switch s {
	case "pass":
		return Good
	case "FAIL", "plan below target":
		return Bad
	}
	return Muted
}

// Wrap breaks a paragraph at spaces to fit width (no wrapping when width
// is 0 or less), ending it in a newline.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s + "\n"
	}
	return wrapWords(s, width)
}

// wrapped returns the rows with the kept Wrap columns' cells wrapped so
// that the table fits width, rightmost first (each to no less than 16
// runes); the rows unchanged when the table fits or nothing may wrap.
// A wrapped column's cells come back escaped line by line (its line
// breaks are the table's, not the data's), marked in escaped.
func (t *Table) wrapped(keep []int, width int) (rows [][]string, escaped map[int]bool) {
	escaped = map[int]bool{}
	if !slices.ContainsFunc(keep, func(i int) bool { return t.Columns[i].Wrap }) {
		return t.Rows, escaped // most tables: nothing may wrap
	}
	widths := make(map[int]int, len(keep))
	total := colGap * max(len(keep)-1, 0)
	for _, i := range keep {
		w := lipgloss.Width(t.Columns[i].Header)
		for _, row := range t.Rows {
			w = max(w, lipgloss.Width(termsafe.String(row[i])))
		}
		widths[i] = w
		total += w
	}
	if total <= width {
		return t.Rows, escaped
	}
	// water-fill: shrink the widest wrap column a rune at a time, none
	// below 16 runes or its header, until the table fits
	floor := func(i int) int { return max(16, lipgloss.Width(t.Columns[i].Header)) }
	target := maps.Clone(widths)
	for total > width {
		best := -1
		for _, i := range keep {
			if t.Columns[i].Wrap && target[i] > floor(i) && (best < 0 || target[i] > target[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		target[best]--
		total--
	}
	rows = t.Rows
	copied := false
	for _, i := range keep {
		if target[i] >= widths[i] {
			continue
		}
		if !copied {
			rows, copied = make([][]string, len(t.Rows)), true
			for r := range t.Rows {
				rows[r] = slices.Clone(t.Rows[r])
			}
		}
		for r := range rows {
			rows[r][i] = wrapHard(termsafe.String(rows[r][i]), target[i])
		}
		escaped[i] = true
	}
	return rows, escaped
}

// wrapHard wraps s at spaces into lines of at most width runes, breaking a
// word longer than a line (a URL) into pieces, joined by newlines.
func wrapHard(s string, width int) string {
	var lines []string
	for _, line := range strings.Split(strings.TrimSuffix(wrapWords(s, width), "\n"), "\n") {
		r := []rune(line)
		for len(r) > width {
			lines = append(lines, string(r[:width]))
			r = r[width:]
		}
		lines = append(lines, string(r))
	}
	return strings.Join(lines, "\n")
}
