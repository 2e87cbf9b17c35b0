// Package render turns command results into the output formats every iotpm
// command offers (-o table|json|yaml|csv|markdown). Commands build a Table
// for the human and CSV views and a typed value for JSON and YAML; this
// package owns how each looks, so every command looks the same.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is an output format.
type Format string

// The formats.
const (
	FormatTable    Format = "table"
	FormatJSON     Format = "json"
	FormatYAML     Format = "yaml"
	FormatCSV      Format = "csv"
	FormatMarkdown Format = "markdown"
)

// Formats lists the formats every data command accepts.
var Formats = []Format{FormatTable, FormatJSON, FormatYAML, FormatCSV, FormatMarkdown}

// ParseFormat checks a -o value against the allowed ones.
func ParseFormat(s string, allowed []Format) (Format, error) {
	f := Format(strings.ToLower(s))
	if f == "md" {
		f = FormatMarkdown
	}
	if slices.Contains(allowed, f) {
		return f, nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", fmt.Errorf("invalid output format %q: use one of %s", s, strings.Join(names, ", "))
}

// JSON writes v as indented JSON with a trailing newline. HTML characters are
// not escaped: the output is for people and jq, not for browsers.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// YAML writes v as block-style YAML with the same keys, key order and values
// as its JSON form, so the two formats never disagree.
func YAML(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := JSON(&buf, v); err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle drops the flow and quoting styles a JSON document parses with,
// letting the encoder choose plain block YAML (and quote only where needed).
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// Structured writes doc as YAML when format is YAML, else as JSON: the
// two formats every command derives from one shape.
func Structured(w io.Writer, format Format, doc any) error {
	if format == FormatYAML {
		return YAML(w, doc)
	}
	return JSON(w, doc)
}

// AppendMember adds key: value as the last member of the object a JSON or
// YAML document in doc holds — as Structured writes an object: JSON
// indented by two spaces, block YAML — in the same style. It is for a
// member every output of a command carries whatever its document (the
// run's warnings), so that each document type need not declare it; the
// object must not have key already. Other formats are left as they are.
func AppendMember(doc *bytes.Buffer, format Format, key string, value any) error {
	if format != FormatJSON && format != FormatYAML {
		return nil
	}
	var m bytes.Buffer
	if err := Structured(&m, format, map[string]any{key: value}); err != nil {
		return err
	}
	b := doc.Bytes()
	if format == FormatYAML {
		if string(b) == "{}\n" {
			doc.Reset() // an empty mapping is written in flow style
		}
		doc.Write(m.Bytes())
		return nil
	}
	// JSON: {\n  "a": 1\n}\n, then ,\n  "key": …\n}\n after its last value
	body, ok := bytes.CutSuffix(b, []byte("}\n"))
	if !ok || len(body) == 0 || body[0] != '{' {
		return fmt.Errorf("render: adding %q: the document is no JSON object", key)
	}
	member := m.Bytes()[1:] // without its {
	if body = bytes.TrimRight(body, "\n"); len(body) > 1 {
		doc.Truncate(len(body))
		doc.WriteString(",")
	} else {
		doc.Truncate(1) // {}
	}
	doc.Write(member)
	return nil
}

// Write writes a listing: doc as JSON or YAML, t as a table, CSV or
// markdown.
func Write(w io.Writer, format Format, doc any, t *Table, term Term) error {
	switch format {
	case FormatJSON, FormatYAML:
		return Structured(w, format, doc)
	case FormatCSV:
		return t.CSV(w)
	case FormatMarkdown:
		return t.Markdown(w)
	}
	return t.Text(w, term)
}

// Finite is v for JSON, or nil (null) when it is NaN or infinite: an
// undefined ratio is written as null, never as a number.
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// OrEmpty is s, or an empty list for nil: JSON writes [] rather than null.
func OrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
