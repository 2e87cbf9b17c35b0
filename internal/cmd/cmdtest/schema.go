package cmdtest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// yamlToJSON converts a YAML document to the values a JSON Schema
// validator takes: timestamps stay strings, as the loader reads them.
func yamlToJSON(t *testing.T, n *yaml.Node) any {
	t.Helper()
	switch n.Kind {
	case yaml.DocumentNode:
		return yamlToJSON(t, n.Content[0])
	case yaml.AliasNode:
		return yamlToJSON(t, n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlToJSON(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		var a []any
		for _, c := range n.Content {
			a = append(a, yamlToJSON(t, c))
		}
		return a
	}
	switch n.Tag {
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			t.Fatal(err)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case "!!bool":
		return n.Value == "true"
	case "!!null":
		return nil
	}
	return n.Value
}

// CompileSchema compiles the JSON Schema that iotpm schema KIND prints.
func CompileSchema(t *testing.T, kind string) *jsonschema.Schema {
	t.Helper()
	stdout, _, code := Run(t, nil, "schema", kind)
	if code != 0 {
		t.Fatalf("schema %s: exit %d", kind, code)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(stdout)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(kind+".json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(kind + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ValidateYAML validates a YAML document against a schema.
func ValidateYAML(t *testing.T, s *jsonschema.Schema, text string) error {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	return s.Validate(yamlToJSON(t, &n))
}
