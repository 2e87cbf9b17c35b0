package planfile

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/iotpm/iotpm/internal/quantity"
)

// schemaProvider is implemented by scalar types that describe their own
// JSON Schema (a quantity with units, a date, …).
type schemaProvider interface {
	JSONSchema() map[string]any
}

var schemaProviderType = reflect.TypeFor[schemaProvider]()

// Kinds of planning file with a schema, and their Go types: the schema is
// generated from the same types and check tags the loader decodes with, so
// the two cannot drift apart.
var schemaKinds = map[string]struct {
	title string
	typ   reflect.Type
}{
	"config":    {"iotpm.yaml — the planning repo's configuration", reflect.TypeFor[ConfigFile]()},
	"features":  {"features.yaml — the backlog, certifications, themes and roadmap calendar", reflect.TypeFor[FeaturesFile]()},
	"devices":   {"devices.yaml — device energy profiles", reflect.TypeFor[DevicesFile]()},
	"economics": {"economics.yaml — what each device earns and costs over its life", reflect.TypeFor[EconomicsFile]()},
}

// SchemaKinds lists the kinds Schema accepts.
func SchemaKinds() []string { return []string{"config", "features", "devices", "economics"} }

// Schema returns the JSON Schema (draft 2020-12) of a kind of planning file.
func Schema(kind string) (map[string]any, error) {
	k, ok := schemaKinds[kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %q: use %s", kind, strings.Join(SchemaKinds(), ", "))
	}
	s := schemaOf(k.typ)
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = "https://iotpm.dev/schema/" + kind + ".schema.json"
	s["title"] = k.title
	return s, nil
}

func schemaOf(t reflect.Type) map[string]any {
	if reflect.PointerTo(t).Implements(schemaProviderType) {
		return reflect.New(t).Interface().(schemaProvider).JSONSchema()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem())
	case reflect.Struct:
		obj := objectSchema(t)
		if reflect.PointerTo(t).Implements(shorthandType) {
			scalar := map[string]any{"type": "string"}
			if p, ok := reflect.New(t).Interface().(interface{ ScalarSchema() map[string]any }); ok {
				scalar = p.ScalarSchema()
			}
			return map[string]any{"anyOf": []any{scalar, obj}}
		}
		return obj
	case reflect.Slice:
		list := map[string]any{"type": "array", "items": schemaOf(t.Elem())}
		if t.Implements(oneOrListType) {
			return map[string]any{"anyOf": []any{schemaOf(t.Elem()), list}}
		}
		return list
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	}
	panic("planfile: no schema for " + t.String())
}

func objectSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	fields, _ := structFields(t)
	for _, f := range fields {
		ft := t.FieldByIndex(f.index).Type
		s := schemaOf(ft)
		r := f.rules
		if r.enum != nil {
			s = map[string]any{"type": "string", "enum": r.enum}
		}
		if r.min != nil {
			s["minimum"] = *r.min
		}
		if r.max != nil {
			s["maximum"] = *r.max
		}
		if r.gt != nil {
			s["exclusiveMinimum"] = *r.gt
		}
		if r.required {
			required = append(required, f.name)
		}
		props[f.name] = s
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		s["required"] = required
	}
	if x, ok := reflect.New(t).Interface().(schemaExtender); ok {
		x.extendSchema(s)
	}
	return s
}

// schemaExtender adds to a struct's object schema what its field tags
// cannot say (a key required unless another says otherwise).
type schemaExtender interface{ extendSchema(map[string]any) }

func pattern(p, description string) map[string]any {
	return map[string]any{"type": "string", "pattern": p, "description": description}
}

// percentRE is a percentage as ParseFraction reads it.
const percentRE = `^\s*` + quantity.UnsignedNumber + `\s*%\s*$`

// JSONSchema methods of the scalar types.

func (*ID) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		pattern(idRE.String(), "lowercase letters, digits and dashes"),
		map[string]any{"type": "integer", "minimum": 0},
	}}
}
func (*Ref) JSONSchema() map[string]any { return map[string]any{"type": "string"} }
func (*Confidence) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "number", "minimum": 0, "maximum": 1},
		pattern(percentRE, "a percentage, e.g. 80%"),
	}}
}
func (*Impact) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"enum": []any{3, 2, 1, 0.5, 0.25}},
		map[string]any{"type": "string", "enum": []string{"massive", "high", "medium", "low", "minimal"}},
	}}
}
func (*Current) JSONSchema() map[string]any {
	return pattern(quantity.Current.Pattern(), "a current with its unit, e.g. 2.5uA")
}
func (*Duration) JSONSchema() map[string]any {
	return pattern(quantity.Duration.Pattern(), "a duration with its unit, e.g. 60ms, 5m, 5y")
}
func (*Life) JSONSchema() map[string]any {
	return pattern(quantity.Duration.Pattern(), "a battery life, at least a day, e.g. 10y or 540d")
}
func (*Capacity) JSONSchema() map[string]any {
	return pattern(quantity.Capacity.Pattern(), "a capacity, e.g. 1200mAh")
}
func (*Voltage) JSONSchema() map[string]any {
	return pattern(quantity.Voltage.Pattern(), "a voltage, e.g. 3.6V")
}
func (*Bandwidth) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"enum": []any{125, 250, 500}},
		pattern(quantity.Frequency.Pattern(), "a bandwidth, e.g. 125kHz"),
	}}
}
func (*Rate) JSONSchema() map[string]any {
	return pattern(quantity.RatePattern(), "a share per period, e.g. 1%/y or 3%/month")
}
func (*CodingRate) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "enum": []string{"4/5", "4/6", "4/7", "4/8"}}
}
func (*Date) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "format": "date", "pattern": `^\d{4}-\d{2}-\d{2}$`}
}
func (*Period) JSONSchema() map[string]any {
	return pattern(`^\s*[0-9]+\s*(d|w|mo|y)\s*$`, "a calendar period, e.g. 2w, 3mo")
}
func (*LeadTime) JSONSchema() map[string]any {
	return pattern(leadTimePattern, "a calendar lead time after the part's work is done (a mould's build), days or weeks, e.g. 10w, or a range: 10w..16w, 10w..12w..16w")
}
func (*ComponentLead) JSONSchema() map[string]any {
	return pattern(leadTimePattern, "the lead time of long-lead components ordered the day the part is ready (a cellular module, a custom cell): it runs in parallel with the work, and the part ships no earlier than ready plus it; days or weeks, e.g. 26w, or a range: 20w..30w")
}

const leadTimePattern = `^\s*[0-9]+\s*(d|w)\s*(\.\.\s*[0-9]+\s*(d|w)\s*){0,2}$`

// JSONSchema describes an estimate.
func (*Estimate) JSONSchema() map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "number", "minimum": 0},
		pattern(`^\s*[0-9.]+\s*\.\.\s*[0-9.]+\s*(\.\.\s*[0-9.]+\s*)?$`, "a range min..max or min..most likely..max, e.g. 2..4")}}
}
func (*Month) JSONSchema() map[string]any {
	return pattern(`^\d{4}-(0[1-9]|1[0-2])$`, "a month, YYYY-MM")
}
func (*Threshold) JSONSchema() map[string]any {
	return pattern(thresholdRE.String(), `a condition, e.g. ">= 98%" or ">= 1000"`)
}
