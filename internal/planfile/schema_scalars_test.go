package planfile

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The schemas editors validate with and the loader must agree on every
// scalar: a value the editor accepts must load, a value the loader rejects
// must be flagged in the editor. This runs a corpus of scalars through both,
// for every scalar type that parses itself.

// scalarTypes are the types with both UnmarshalNode and JSONSchema.
var scalarTypes = []any{
	new(Current), new(Duration), new(Life), new(Capacity), new(Voltage), new(Bandwidth), new(Rate), new(CodingRate),
	new(Date), new(Period), new(LeadTime), new(Month), new(Threshold), new(RateThreshold), new(AgeThreshold),
	new(Instant), new(Zone), new(Interval), new(BudgetValue), new(Churn), new(MonthlyPrice), new(MarginThreshold), new(Confidence), new(ID),
}

// scalarCorpus mixes valid and invalid spellings of every kind of scalar.
var scalarCorpus = []string{
	"2.5uA", "2.5 uA", ".5uA", "5.uA", "1e-3A", "1E3mA", "+3mA", "-3mA", "1_000nA", "2.5", "2.5 microamps", "uA", "0x10mA", "1e400A",
	"60ms", "5m", "5 min", "5y", "1.5h", "10w", ".5d", "5", "5 years", "never",
	"1200mAh", "1.2Ah", "3.6V", "3600mV", "125kHz", "125", "250", "500", "300", "868MHz",
	"1%/y", "3%/month", ".5%/y", "0.1 %/d", "1% / week", "1%/yr", "1/y", "1%", "100%/y", "-1%/y", "1e1%/y",
	"4/5", "4/8", "4/9", "5/4",
	"2026-11-01", "2026-13-01", "2026-02-30", "26-11-01", "2026-11", "2026-00",
	"2w", "3mo", "1y", "10d", "2 w", "1.5w", "10w",
	">= 98%", "> 1000", "<= 5", "< 0.5%", ">=98%", "= 98%", "98%", ">= .5%", ">= 98.5 %", ">= -1",
	"<= 2d", "< 36h", "<= soon", "<= 0d", "<= 1.5d",
	"2026-11-01T12:00:00Z", "2026-11-01T12:00:00+01:00", "2026-11-01 12:00",
	"UTC", "Europe/Berlin", "Mars/Olympus", "local", "+02:00",
	"80%", "0.8", "0.8%", "80", "1", "0", "1.5", "80.5%", "101%", "-5%",
	"15%", "0.5y", "2uA", "2.99/month", "29.99/y", "29.99 / yr", "3/w", "$2.99", "-3", ">= 0.25",
	"qr-pairing", "QR-pairing", "-x", "a b",
	"", "null", "~", "true",
}

func TestSchemaAndLoaderAgreeOnScalars(t *testing.T) {
	for _, p := range scalarTypes {
		typ := reflect.TypeOf(p).Elem()
		schema := p.(schemaProvider).JSONSchema()
		for _, text := range scalarCorpus {
			// plain when YAML allows it (so 2.5 is a number), else quoted
			src := []byte("v: " + text + "\n")
			var doc yaml.Node
			if yaml.Unmarshal(src, &doc) != nil {
				src = []byte(fmt.Sprintf("v: %q\n", text))
				doc = yaml.Node{}
				if err := yaml.Unmarshal(src, &doc); err != nil {
					t.Fatalf("%q: %v", text, err)
				}
			}
			node := doc.Content[0].Content[1]
			err := reflect.New(typ).Interface().(NodeUnmarshaler).UnmarshalNode(node)
			var warning *Warning
			loaded := err == nil || errors.As(err, &warning)
			valid := schemaAccepts(schema, jsonValue(node))
			switch {
			case loaded && !valid:
				t.Errorf("%s %q: the loader accepts it, the schema rejects it", typ.Name(), text)
			case !loaded && valid && !semanticOnly[typ.Name()+" "+text]:
				t.Errorf("%s %q: the schema accepts it, the loader rejects it", typ.Name(), text)
			case !loaded && !valid && semanticOnly[typ.Name()+" "+text]:
				t.Errorf("%s %q: listed in semanticOnly, but the schema rejects it too", typ.Name(), text)
			}
		}
	}
}

// semanticOnly lists the values the loader rejects for a reason a schema
// pattern cannot state — a range, a calendar, the IANA zone database — so
// the editor accepts them and the loader reports them with their position.
// The other direction (the schema rejecting what loads) is never allowed.
var semanticOnly = map[string]bool{}

func init() {
	for _, v := range []string{"Current 1e400A", "Rate 100%/y", "Date 2026-13-01", "Date 2026-02-30",
		"AgeThreshold <= 0d", "Instant 2026-13-01", "Instant 2026-02-30", "Confidence 101%", "Churn 101%", "BudgetValue 101%",
		"BudgetValue -3mA", "BudgetValue 1e400A", "Zone 0.8%", "MarginThreshold >= 0.25"} {
		semanticOnly[v] = true
	}
	// a battery life (or a life cost) under a day is a range
	for _, v := range []string{"60ms", "5m", "5 min", "1.5h", ".5d"} {
		semanticOnly["Life "+v] = true
		semanticOnly["BudgetValue "+v] = true
	}
	// any string may name a zone; only the database knows
	for _, v := range []string{"2.5uA", "2.5 uA", ".5uA", "5.uA", "1e-3A", "1E3mA", "+3mA", "-3mA", "1_000nA", "2.5 microamps", "uA",
		"0x10mA", "1e400A", "60ms", "5m", "5 min", "5y", "1.5h", "10w", ".5d", "5 years", "never", "1200mAh", "1.2Ah", "3.6V",
		"3600mV", "125kHz", "868MHz", "1%/y", "3%/month", ".5%/y", "0.1 %/d", "1% / week", "1%/yr", "1/y", "1%", "100%/y",
		"-1%/y", "1e1%/y", "4/5", "4/8", "4/9", "5/4", "2026-11-01", "2026-13-01", "2026-02-30", "26-11-01", "2026-11",
		"2026-00", "2w", "3mo", "1y", "10d", "2 w", "1.5w", "10w", ">= 98%", "> 1000", "<= 5", "< 0.5%", ">=98%", "= 98%",
		"98%", ">= .5%", ">= 98.5 %", ">= -1", "<= 2d", "< 36h", "<= soon", "<= 0d", "<= 1.5d", "2026-11-01T12:00:00Z", "2.99/month", "29.99/y", "29.99 / yr", "3/w", "$2.99", ">= 0.25",
		"2026-11-01T12:00:00+01:00", "2026-11-01 12:00", "Mars/Olympus", "local", "+02:00", "80%", "80.5%", "101%",
		"-5%", "15%", "0.5y", "2uA", "qr-pairing", "QR-pairing", "-x", "a b"} {
		semanticOnly["Zone "+v] = true
	}
}

// jsonValue is the JSON value an editor's YAML 1.2 reader sees: dates and
// other timestamps are strings.
func jsonValue(n *yaml.Node) any {
	var v any
	switch n.Tag {
	case "!!str", "!!timestamp":
		return n.Value
	case "!!null":
		return nil
	}
	n.Decode(&v)
	return v
}

// schemaAccepts evaluates the subset of JSON Schema the scalar schemas use.
func schemaAccepts(s map[string]any, v any) bool {
	if alts, ok := s["anyOf"].([]any); ok {
		return slices.ContainsFunc(alts, func(sub any) bool { return schemaAccepts(sub.(map[string]any), v) })
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return false
	}
	if e, ok := s["enum"]; ok {
		found := false
		rv := reflect.ValueOf(e)
		for i := range rv.Len() {
			if fmt.Sprint(rv.Index(i).Interface()) == fmt.Sprint(v) && sameJSONType(rv.Index(i).Interface(), v) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	switch s["type"] {
	case "string":
		if _, ok := v.(string); !ok {
			return false
		}
	case "number":
		if !isNumber(v) {
			return false
		}
	case "integer":
		if _, ok := v.(int); !ok {
			return false
		}
	}
	if p, ok := s["pattern"].(string); ok {
		str, isStr := v.(string)
		if isStr && !regexp.MustCompile(p).MatchString(str) {
			return false
		}
	}
	if min, ok := s["minimum"]; ok && isNumber(v) && toFloat(v) < toFloat(min) {
		return false
	}
	if max, ok := s["maximum"]; ok && isNumber(v) && toFloat(v) > toFloat(max) {
		return false
	}
	if min, ok := s["exclusiveMinimum"]; ok && isNumber(v) && toFloat(v) <= toFloat(min) {
		return false
	}
	return true
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, float64:
		return true
	}
	return false
}

func sameJSONType(a, b any) bool {
	_, as := a.(string)
	_, bs := b.(string)
	return as == bs
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
