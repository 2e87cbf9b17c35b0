// Package planfile loads the YAML files of a planning repo (features.yaml,
// devices.yaml, …) into typed Go values, reporting every problem it finds with
// its file:line:col position.
//
// All file kinds share one reflective decoder over yaml.Node rather than
// yaml.v3's struct decoding, because yaml.v3 stops at the first
// UnmarshalYAML error, reports type errors with a line but no column, and
// ignores KnownFields inside custom unmarshalers. The decoder here walks the
// node tree against the Go type, so it can keep going after a problem, point
// at the exact key or value, and suggest the key the author probably meant.
//
// Struct fields are matched by their `yaml:"name"` tag. A `check:"…"` tag adds
// constraints, comma separated:
//
//	required      the key must be present and not null
//	min=X, max=X  numeric bounds, inclusive
//	gt=X          numeric bound, exclusive
//	enum=a|b|c    the string must be one of these
//
// A struct field tagged `yaml:",inline"` contributes its keys to the outer
// mapping. A field of type Pos tagged `yaml:"-"` receives the position of the mapping
// the struct was decoded from. A type whose pointer implements NodeUnmarshaler
// decodes itself from a scalar node.
package planfile

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/infile"
	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds what a planning file may weigh. Planning files are
// hand-written; anything larger is a mistake (a CSV export named .yaml, say).
const MaxFileSize = 8 << 20

// maxVisits bounds the nodes one decode may visit, counting every alias
// expansion, so a "billion laughs" document fails fast instead of exhausting
// memory or time.
const maxVisits = 1_000_000

// Pos is a 1-based line and column in a planning file.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// NodeUnmarshaler is implemented by scalar types that parse themselves, such
// as quantities with units. The returned error's text becomes the message of a
// diagnostic at the node's position.
type NodeUnmarshaler interface {
	UnmarshalNode(n *yaml.Node) error
}

// A Warning returned by UnmarshalNode keeps the value it parsed and becomes
// a warning at the node: the value is valid but probably not what was meant.
// Kind is the diagnostic's kind (diag.Schema when empty).
type Warning struct {
	Message string
	Kind    diag.Kind
}

// Placeholder is the mark iotpm init leaves in the files it writes
// (placeholder: true): their figures are examples. Every load warns at
// the mark, so that a check that passes on them says what it passed on,
// until the user puts in their own figures and deletes the line.
type Placeholder bool

// UnmarshalNode implements NodeUnmarshaler.
func (p *Placeholder) UnmarshalNode(n *yaml.Node) error {
	if n.Tag != "!!bool" {
		return fmt.Errorf("expected true (iotpm init's mark on its example figures); delete the line once the figures are yours")
	}
	*p = Placeholder(strings.EqualFold(n.Value, "true"))
	if *p {
		return &Warning{Kind: diag.Placeholder, Message: "the figures of this file are iotpm init's examples: put in your own and delete this line; until then every number and gate computed from them is made up"}
	}
	return nil
}

// JSONSchema describes the mark.
func (*Placeholder) JSONSchema() map[string]any {
	return map[string]any{"type": "boolean", "description": "iotpm init's mark on a file of example figures: delete it once the figures are yours"}
}

// unitSlip is the error of a NodeUnmarshaler given a number with a unit
// where its field takes the number alone: the decoder words it by the
// field (bareNumberHint), which the type does not know. also ends the
// sentence (the other forms the type takes).
type unitSlip struct{ value, also string }

func (u *unitSlip) Error() string {
	return fmt.Sprintf("expected a number without a unit, got %q", u.value)
}

func (w *Warning) Error() string { return w.Message }

// OneOrList is implemented by list types whose single item may stand
// alone, without the list around it.
type OneOrList interface{ OneOrList() }

// ScalarShorthand is implemented by struct types that may also be written
// as a single value (an input given as just its path, say).
type ScalarShorthand interface {
	FromScalar(n *yaml.Node) error
}

var (
	posType         = reflect.TypeFor[Pos]()
	unmarshalerType = reflect.TypeFor[NodeUnmarshaler]()
	shorthandType   = reflect.TypeFor[ScalarShorthand]()
	oneOrListType   = reflect.TypeFor[OneOrList]()
)

// Decode parses data as a single YAML document and decodes it into out, which
// must be a pointer to a struct. Every problem is returned as a diagnostic
// against file; out is only meaningful when no error diagnostic is returned.
func Decode(file string, data []byte, out any) diag.List {
	var diags diag.List
	if len(data) > MaxFileSize {
		diags.Errorf(diag.File, file, 0, 0, "file is %d bytes; planning files are limited to %d", len(data), MaxFileSize)
		return diags
	}
	root, err := parseDocument(data)
	if err != nil {
		line := syntaxErrorLine(err)
		diags.Errorf(diag.Syntax, file, line, firstColumn(data, line), "YAML syntax error: %s", cleanYAMLError(err))
		return diags
	}
	if root == nil {
		diags.Errorf(diag.Syntax, file, 1, 1, "file is empty; expected a YAML mapping")
		return diags
	}
	d := &decoder{file: file, diags: &diags, visits: maxVisits}
	d.decode(root, reflect.ValueOf(out).Elem(), "")
	return diags
}

// parseDocument returns the root node of the only document in data, nil for
// an empty document, or an error for bad syntax or several documents.
func parseDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line - 1 // the '---' just before the content
		}
		return nil, fmt.Errorf("yaml: line %d: a planning file holds one YAML document; remove the second '---'", max(line, 1))
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

func syntaxErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			return n
		}
	}
	return 1
}

func cleanYAMLError(err error) string {
	msg := yamlLineRE.ReplaceAllString(err.Error(), "")
	return strings.TrimPrefix(msg, "yaml: ")
}

// firstColumn is the column of the first non-blank character on line, so a
// syntax error points at the text rather than the margin.
func firstColumn(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 1
	}
	text := lines[line-1]
	trimmed := bytes.TrimLeft(text, " \t")
	if len(trimmed) == 0 {
		return 1
	}
	return len(text) - len(trimmed) + 1
}

type decoder struct {
	file   string
	diags  *diag.List
	visits int
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.diags.Errorf(diag.Schema, d.file, n.Line, n.Column, format, args...)
}

// resolve follows aliases, charging each expansion against the visit budget.
func (d *decoder) resolve(n *yaml.Node) (*yaml.Node, bool) {
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, false
		}
		n = n.Alias
	}
	d.visits--
	if d.visits == 0 {
		d.errorf(n, "document too large: more than %d values after expanding aliases", maxVisits)
	}
	return n, d.visits > 0
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n, ok := d.resolve(n)
	if !ok {
		return
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		d.errorf(n, "%s: the YAML tag %s is not supported; remove it", label(path), clipValue(n.Tag))
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, "%s: expected a single value, got %s", label(path), describe(n))
			return
		}
		if err := v.Addr().Interface().(NodeUnmarshaler).UnmarshalNode(n); err != nil {
			var w *Warning
			var slip *unitSlip
			switch {
			case errors.As(err, &w):
				d.diags.Warnf(cmp.Or(w.Kind, diag.Schema), d.file, n.Line, n.Column, "%s: %s", label(path), w.Message)
			case errors.As(err, &slip):
				d.errorf(n, "%s: %s%s", label(path), bareNumberHint(lastKey(path), slip.value), slip.also)
			default:
				d.errorf(n, "%s: %s", label(path), err)
			}
		}
		return
	}
	if n.Kind == yaml.ScalarNode && !isNull(n) && v.CanAddr() && v.Addr().Type().Implements(shorthandType) {
		if err := v.Addr().Interface().(ScalarShorthand).FromScalar(n); err != nil {
			d.errorf(n, "%s: %s", label(path), err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		elem := reflect.New(v.Type().Elem())
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || isNull(n) {
			d.errorf(n, "%s: expected text, got %s", label(path), describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Float64:
		if f, ok := d.number(n, path); ok {
			v.SetFloat(f)
		}
	case reflect.Int:
		if f, ok := d.number(n, path); ok {
			if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				d.errorf(n, "%s: expected a whole number, got %s", label(path), n.Value)
				return
			}
			v.SetInt(int64(f))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.errorf(n, "%s: expected true or false, got %s", label(path), describe(n))
			return
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	default:
		panic(fmt.Sprintf("planfile: unsupported field type %s", v.Type()))
	}
}

// number parses an int or float scalar, rejecting text, NaN and infinities.
func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	f, err := ParseNumber(n)
	if err != nil {
		// a number with a unit where the field has its own: say which
		if n.Kind == yaml.ScalarNode && numberWithUnitRE.MatchString(n.Value) {
			d.errorf(n, "%s: %s", label(path), bareNumberHint(lastKey(path), n.Value))
			return 0, false
		}
		d.errorf(n, "%s: %s", label(path), err)
		return 0, false
	}
	return f, true
}

// numberWithUnitRE is a number followed by a word ("2 months", "40k").
var numberWithUnitRE = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z$€%][A-Za-z $€%-]*?)\s*$`)

// fieldUnits are the units of the bare-number fields people write with
// one.
var fieldUnits = map[string]string{
	"engineering": "person-months", "tooling": "US dollars (the tooling cost)", "capacity": "person-months",
	"hotfix_capacity": "person-months", "cost_per_person_month": "US dollars", "cert_effort_per_week": "person-months a week",
	"weeks": "weeks", "fee": "US dollars", "reach": "users or devices a quarter",
}

// unitFactors convert a number written with a unit into a field's own
// unit, by the field's unit: what the "e.g." of the hint is. A unit that
// is not here gets no number (writing the bare number would change the
// value: 6w is not 6 person-months).
var unitFactors = map[string]map[string]float64{
	"person-months": {"pm": 1, "person-month": 1, "person-months": 1, "person month": 1, "person months": 1, "mo": 1, "month": 1, "months": 1,
		"w": 12.0 / 52, "wk": 12.0 / 52, "week": 12.0 / 52, "weeks": 12.0 / 52, "y": 12, "yr": 12, "year": 12, "years": 12},
	"weeks":                         {"w": 1, "wk": 1, "week": 1, "weeks": 1, "mo": 52.0 / 12, "month": 52.0 / 12, "months": 52.0 / 12, "d": 1.0 / 7, "day": 1.0 / 7, "days": 1.0 / 7},
	"US dollars":                    {"usd": 1, "$": 1, "dollars": 1, "k": 1e3, "M": 1e6},
	"US dollars (the tooling cost)": {"usd": 1, "$": 1, "dollars": 1, "k": 1e3, "M": 1e6},
	"users or devices a quarter":    {"k": 1e3, "M": 1e6, "users": 1, "devices": 1},
}

// bareNumberHint words a number written with a unit where the field
// (its last key) takes a bare number: which unit the field is in and,
// when the unit converts, the number to write.
func bareNumberHint(key, value string) string {
	m := numberWithUnitRE.FindStringSubmatch(value)
	unit, ok := fieldUnits[key]
	if m == nil || !ok {
		return fmt.Sprintf("expected a number without a unit, got %q", value)
	}
	x, _ := strconv.ParseFloat(m[1], 64)
	factors := unitFactors[unit]
	f, known := factors[m[2]]
	if !known && m[2] != "M" {
		f, known = factors[strings.ToLower(m[2])]
	}
	if !known {
		return fmt.Sprintf("%s is in %s: write the number alone, converted from %q", key, unit, strings.TrimSpace(value))
	}
	hint := fmt.Sprintf("%s is in %s: write the number alone, e.g. %s", key, unit, strconv.FormatFloat(math.Round(x*f*100)/100, 'f', -1, 64))
	if f != 1 && f < 1e3 {
		hint += fmt.Sprintf(" for %s", strings.TrimSpace(value))
		if unit == "person-months" {
			hint += " of one person's work"
		}
	}
	return hint
}

// lastKey is the last key of a decoder path ("features[2].effort.engineering" → "engineering").
func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// ParseNumber reads a YAML int or float scalar as a finite float64.
func ParseNumber(n *yaml.Node) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, fmt.Errorf("expected a number, got %s%s", describe(n), numberHint(n))
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	var f float64
	var err error
	if n.Tag == "!!int" {
		var i int64
		i, err = strconv.ParseInt(s, 0, 64)
		f = float64(i)
	} else {
		f, err = strconv.ParseFloat(s, 64)
	}
	var numErr *strconv.NumError
	if lower := strings.ToLower(s); errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrSyntax) &&
		!strings.Contains(lower, "inf") && !strings.Contains(lower, "nan") {
		return 0, fmt.Errorf("%s is not a number", clipValue(n.Value))
	}
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s is not a usable number (too large, infinite or NaN)", clipValue(n.Value))
	}
	return f, nil
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode && v.Type().Implements(oneOrListType) {
		out := reflect.MakeSlice(v.Type(), 1, 1)
		d.decode(n, out.Index(0), path)
		v.Set(out)
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s: expected a list, got %s", label(path), describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: expected a mapping, got %s", label(path), describe(n))
		return
	}
	out := reflect.MakeMap(v.Type())
	seen := map[string]*yaml.Node{}
	for _, kv := range d.pairs(n) {
		key := kv[0]
		if prev, dup := seen[key.Value]; dup {
			d.errorf(key, "%s: key %q repeated (first at line %d)", label(path), key.Value, prev.Line)
			continue
		}
		seen[key.Value] = key
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv[1], elem, join(path, key.Value))
		out.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(out)
}

// pairs returns a mapping's key/value pairs, with YAML merge keys (<<: *x)
// expanded; explicit keys win over merged ones.
func (d *decoder) pairs(n *yaml.Node) [][2]*yaml.Node {
	return d.mergePairs(n, map[*yaml.Node]bool{})
}

// mergePairs does the work of pairs; merging marks the mappings being merged
// so a mapping that merges itself is an error, not an endless expansion.
func (d *decoder) mergePairs(n *yaml.Node, merging map[*yaml.Node]bool) [][2]*yaml.Node {
	merging[n] = true
	defer delete(merging, n)
	var own, merged [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind == yaml.ScalarNode && key.Tag == "!!merge" {
			src, ok := d.resolve(val)
			if !ok {
				continue
			}
			sources := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				sources = src.Content
			}
			for _, s := range sources {
				s, ok := d.resolve(s)
				if !ok || s.Kind != yaml.MappingNode {
					d.errorf(val, "the merge key << takes a mapping or a list of mappings")
					continue
				}
				if merging[s] {
					d.errorf(val, "the merge key << refers to the mapping it is in")
					continue
				}
				sub := d.mergePairs(s, merging)
				// every merged key counts against the expansion budget, so
				// merges of merges cannot multiply without bound
				if d.visits -= len(sub); d.visits <= 0 {
					if d.visits+len(sub) > 0 {
						d.errorf(val, "document too large: more than %d values after expanding aliases and merge keys", maxVisits)
					}
					return own
				}
				merged = append(merged, sub...)
			}
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.errorf(key, "keys must be plain text, got %s", describe(key))
			continue
		}
		own = append(own, [2]*yaml.Node{key, val})
	}
	seen := make(map[string]bool, len(own))
	for _, o := range own {
		seen[o[0].Value] = true
	}
	for _, m := range merged {
		if !seen[m[0].Value] {
			seen[m[0].Value] = true
			own = append(own, m)
		}
	}
	return own
}

type fieldInfo struct {
	index []int // for reflect.Value.FieldByIndex, through inline structs
	name  string
	rules rules
}

// structFields lists the keys a struct type takes, descending into fields
// tagged `yaml:",inline"`, and finds its own Pos field.
func structFields(t reflect.Type) (fields []fieldInfo, posIndex int) {
	posIndex = -1
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			if f.Type == posType {
				posIndex = i
			}
			continue
		}
		if name == "" && opts == "inline" && f.Type.Kind() == reflect.Struct {
			inner, _ := structFields(f.Type)
			for _, in := range inner {
				in.index = append([]int{i}, in.index...)
				fields = append(fields, in)
			}
			continue
		}
		if name == "" || !f.IsExported() {
			continue
		}
		fields = append(fields, fieldInfo{index: []int{i}, name: name, rules: parseRules(f.Tag.Get("check"))})
	}
	return fields, posIndex
}

// shapeHinter is a struct type with a word on the shape it was given
// instead of a mapping (a list of files where one file goes, say).
type shapeHinter interface{ shapeHint(got *yaml.Node) string }

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		hint := ""
		if h, ok := v.Addr().Interface().(shapeHinter); ok {
			hint = h.shapeHint(n)
		}
		d.errorf(n, "%s: expected a mapping, got %s%s", label(path), describe(n), hint)
		return
	}
	fields, posIndex := structFields(v.Type())
	if posIndex >= 0 {
		v.Field(posIndex).Set(reflect.ValueOf(Pos{Line: n.Line, Col: n.Column}))
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	seen := map[string]*yaml.Node{}
	for _, kv := range d.pairs(n) {
		key, val := kv[0], kv[1]
		idx := slices.Index(names, key.Value)
		if idx < 0 {
			d.errorf(key, "%s", unknownKeyMessage(path, key.Value, names))
			continue
		}
		if prev, dup := seen[key.Value]; dup {
			d.errorf(key, "%s: key %q repeated (first at line %d)", label(path), key.Value, prev.Line)
			continue
		}
		seen[key.Value] = key
		f := fields[idx]
		fieldPath := join(path, f.name)
		resolved, ok := d.resolve(val)
		if !ok {
			return
		}
		if isNull(resolved) && f.rules.required {
			d.errorf(val, "%s: a value is required", fieldPath)
			continue
		}
		before := len(*d.diags)
		field := v.FieldByIndex(f.index)
		d.decode(val, field, fieldPath)
		if len(*d.diags) == before {
			if msg := f.rules.check(field); msg != "" {
				d.errorf(resolved, "%s %s", fieldPath, msg)
			}
		}
	}
	for _, f := range fields {
		if f.rules.required && seen[f.name] == nil {
			d.errorf(n, "%s: missing required key %q", label(path), f.name)
		}
	}
}

func unknownKeyMessage(path, key string, valid []string) string {
	msg := fmt.Sprintf("%s: unknown key %q", label(path), key)
	if s := Suggest(key, valid); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + "; valid keys: " + strings.Join(valid, ", ")
}

type rules struct {
	required bool
	min, max *float64
	gt       *float64
	enum     []string
}

func parseRules(tag string) rules {
	var r rules
	for part := range strings.SplitSeq(tag, ",") {
		k, val, _ := strings.Cut(part, "=")
		num := func() *float64 {
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				panic("planfile: bad check tag " + tag)
			}
			return &f
		}
		switch k {
		case "":
		case "required":
			r.required = true
		case "min":
			r.min = num()
		case "max":
			r.max = num()
		case "gt":
			r.gt = num()
		case "enum":
			r.enum = strings.Split(val, "|")
		default:
			panic("planfile: unknown check " + k)
		}
	}
	return r
}

// check returns "" when v satisfies the rules, else the end of a sentence
// that starts with the field's path.
func (r rules) check(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if r.enum != nil && v.Kind() == reflect.String {
		s := v.String()
		if !slices.Contains(r.enum, s) {
			msg := fmt.Sprintf("must be one of %s; got %q", strings.Join(r.enum, ", "), s)
			if sug := Suggest(s, r.enum); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			}
			return msg
		}
	}
	got := func(f float64) string {
		if s, ok := v.Interface().(fmt.Stringer); ok {
			return s.String()
		}
		return fmtNum(f)
	}
	var f float64
	switch v.Kind() {
	case reflect.Float64:
		f = v.Float()
	case reflect.Int:
		f = float64(v.Int())
	default:
		return ""
	}
	switch {
	case r.min != nil && f < *r.min:
		return fmt.Sprintf("must be at least %s; got %s", fmtNum(*r.min), got(f))
	case r.gt != nil && f <= *r.gt:
		return fmt.Sprintf("must be greater than %s; got %s", fmtNum(*r.gt), got(f))
	case r.max != nil && f > *r.max:
		return fmt.Sprintf("must be at most %s; got %s", fmtNum(*r.max), got(f))
	}
	return ""
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!null":
		return "nothing (null)"
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func label(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// Suggest returns the candidate closest to s by edit distance, or "" when
// none is close enough to be a plausible typo.
func Suggest(s string, candidates []string) string {
	// A suggestion is within a third of the length: compare at most
	// maxSuggest runes, and skip candidates whose length alone rules them
	// out, so a 40,000-character id costs no more than a short one.
	const maxSuggest = 64
	rs := []rune(strings.ToLower(s))
	if len(rs) > maxSuggest {
		return ""
	}
	best, bestDist := "", math.MaxInt
	for _, c := range candidates {
		rc := []rune(strings.ToLower(c))
		if len(rc) > maxSuggest || abs(len(rc)-len(rs)) > max(1, min(len(rs), len(rc))/3) {
			continue
		}
		if d := editDistance(rs, rc); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist <= max(1, min(len(rs), len([]rune(best)))/3) {
		return best
	}
	// a truncated id ("auto-shutof" for auto-shutoff-valve): the one
	// candidate it begins
	if len(rs) >= 3 {
		prefixed := ""
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), string(rs)) {
				if prefixed != "" {
					return ""
				}
				prefixed = c
			}
		}
		return prefixed
	}
	return ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal-string-alignment distance between a and b:
// Levenshtein plus adjacent transpositions, the commonest typo ("hihg"). It
// keeps three rows, not the whole table.
func editDistance(ra, rb []rune) int {
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// SuggestFamily is the candidates s names the family of — "fcc" for
// fcc-id and fcc-sdoc, "ce" for ce-red: those that begin with s and a
// dash — at most four, sorted; none when s is a typo Suggest finds.
func SuggestFamily(s string, candidates []string) []string {
	if s == "" || len(s) > 64 {
		return nil
	}
	prefix := strings.ToLower(s) + "-"
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), prefix) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), 4)]
}

// quoteAll writes names as "a", "b" and "c".
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// DidYouMeanText is the tail of a message about an unknown name: a typo's
// suggestion, or the family the name begins ("did you mean "fcc-id" or
// "fcc-sdoc"?"), or "".
func DidYouMeanText(s string, candidates []string) string {
	if sug := Suggest(s, candidates); sug != "" {
		return fmt.Sprintf("; did you mean %q?", sug)
	}
	if fam := SuggestFamily(s, candidates); len(fam) > 0 {
		return "; did you mean " + quoteAll(fam) + "?"
	}
	return ""
}

// NoSuchFile words a missing file: "no such file", and the name in its
// directory it most likely meant ("exports/uplink.csv": did you mean
// "uplinks.csv"?).
//
// Two slips it names exactly: a path whose names differ from the files'
// only in letter case ("Exports/Lifecycle.csv" opens on a Mac's or
// Windows' file system and fails in CI on Linux), and one that separates
// names with backslashes as Windows writes them.
func NoSuchFile(path string) string {
	if hint := pathSlip(path); hint != "" {
		return "no such file" + hint
	}
	if hint := infile.BraceHint(filepath.ToSlash(path)); hint != "" {
		return "no such file" + hint
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return "no such file (nor its directory)"
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return "no such file" + DidYouMeanText(filepath.Base(path), names)
}

// pathSlip is NoSuchFile's hint for a path that names an existing file
// once its backslashes are slashes or its letter case is the files' own:
// `; did you mean "exports/lifecycle.csv"? (...)`, the names from the
// first one that does not exist, or "".
func pathSlip(path string) string {
	dir, tail := filepath.Clean(path), ""
	for {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		tail = filepath.Join(filepath.Base(dir), tail)
		dir = parent
	}
	if tail == "" {
		return ""
	}
	names := strings.Split(filepath.ToSlash(tail), "/")
	why := "names are case-sensitive here, as in CI on Linux"
	if filepath.Separator == '/' && strings.Contains(tail, `\`) {
		names = strings.Split(strings.ReplaceAll(filepath.ToSlash(tail), `\`, "/"), "/")
		why = "/ separates names"
	}
	at := dir
	for i, name := range names {
		if name == "" || name == "." {
			continue
		}
		if _, err := os.Lstat(filepath.Join(at, name)); err != nil {
			// the one entry of the directory that differs only in case
			entries, err := os.ReadDir(at)
			if err != nil {
				return ""
			}
			match := ""
			for _, e := range entries {
				if strings.EqualFold(e.Name(), name) {
					if match != "" {
						return "" // two: which one is meant is a guess
					}
					match = e.Name()
				}
			}
			if match == "" {
				return ""
			}
			names[i] = match
		}
		at = filepath.Join(at, names[i])
	}
	if strings.Join(names, "/") == filepath.ToSlash(tail) {
		return ""
	}
	return fmt.Sprintf("; did you mean %q? (%s)", strings.Join(slices.DeleteFunc(names, func(n string) bool { return n == "" || n == "." }), "/"), why)
}

// numberHint is the tail of "expected a number" for a string that is a
// number as a spreadsheet or a price tag writes it: with a currency sign,
// a decimal comma, or thousands separated ("$79", "23,40", "10 000",
// "1,000,000"): what to write instead, or "".
func numberHint(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return ""
	}
	v := strings.TrimSpace(n.Value)
	bare := strings.TrimSpace(strings.TrimRight(strings.TrimLeft(v, "$€£¥"), "$€£¥"))
	for _, code := range []string{"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"} {
		bare = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(bare, code), code))
	}
	if bare == "" || strings.Trim(bare, "0123456789., _'\u00a0\u202f") != "" || !strings.ContainsAny(bare, "0123456789") {
		return ""
	}
	// thousands grouped by a space, an apostrophe or a comma: groups of
	// three after the first (1 000 000); any other grouping is no number
	// to guess at ("1,2,3")
	whole := bare
	if i := strings.LastIndexAny(bare, ".,"); i >= 0 && len(bare)-i-1 != 3 {
		whole = bare[:i] // the decimals
	}
	for i, group := range strings.FieldsFunc(whole, func(r rune) bool { return strings.ContainsRune(" _'\u00a0\u202f.,", r) }) {
		if i > 0 && len(group) != 3 {
			return ""
		}
	}
	plain := strings.NewReplacer(" ", "", "_", "", "'", "", "\u00a0", "", "\u202f", "").Replace(bare)
	switch {
	case strings.Count(plain, ",") == 1 && !strings.Contains(plain, ".") && len(plain)-strings.IndexByte(plain, ',')-1 != 3:
		// 23,40: a decimal comma
		plain = strings.Replace(plain, ",", ".", 1)
	case strings.Contains(plain, ",") && strings.Contains(plain, "."):
		if strings.LastIndexByte(plain, ',') > strings.LastIndexByte(plain, '.') {
			plain = strings.ReplaceAll(plain, ".", "") // 1.234,50
			plain = strings.Replace(plain, ",", ".", 1)
		} else {
			plain = strings.ReplaceAll(plain, ",", "") // 1,234.50
		}
	case strings.Count(plain, ".") > 1:
		plain = strings.ReplaceAll(plain, ".", "") // 1.234.567
	case strings.Contains(plain, ","):
		// 1,000 or 1,000,000: a thousands separator (or three decimals
		// after a comma: which one is not written, so not guessed)
		if strings.Count(plain, ",") == 1 {
			return fmt.Sprintf(": write the number with a point for decimals and no thousands separator (%s or %s)", strings.Replace(plain, ",", "", 1), strings.Replace(plain, ",", ".", 1))
		}
		plain = strings.ReplaceAll(plain, ",", "")
	}
	if _, err := strconv.ParseFloat(plain, 64); err != nil {
		return ""
	}
	if plain == v {
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			return fmt.Sprintf(": write %s without the quotes (quoted, it is text)", plain)
		}
		return ""
	}
	why := "a point for decimals, no thousands separator"
	if bare != v {
		why = "the number alone, without the currency"
	}
	return fmt.Sprintf(": write %s (%s)", plain, why)
}
