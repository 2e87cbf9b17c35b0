package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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

func compileSchema(t *testing.T, kind string) *jsonschema.Schema {
	t.Helper()
	stdout, _, code := run(t, nil, "schema", kind)
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

func validateYAML(t *testing.T, s *jsonschema.Schema, text string) error {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	return s.Validate(yamlToJSON(t, &n))
}

// Every example planning file validates against the schema of its kind,
// and files the loader rejects are rejected by the schema too.
func TestExampleFilesValidateAgainstSchemas(t *testing.T) {
	for kind, file := range map[string]string{"config": "iotpm.yaml", "features": "features.yaml", "devices": "devices.yaml"} {
		t.Run(kind, func(t *testing.T) {
			s := compileSchema(t, kind)
			data, err := os.ReadFile(filepath.Join(exampleRepo, file))
			if err != nil {
				t.Fatal(err)
			}
			if err := validateYAML(t, s, string(data)); err != nil {
				t.Errorf("%s does not validate: %v", file, err)
			}
		})
	}
	bad := map[string][]string{
		"features": {"features: [{id: A, reach: 1, impact: 1, confidence: 1}]", "features: []\nreech: 1", "features: [{id: a, reach: -1, impact: 1, confidence: 1}]",
			"features: [{id: a, reach: 1, impact: 4, confidence: 1}]", "features: [{id: a, reach: 1, impact: 1, confidence: 80}]"},
		"devices": {"devices: [{id: d, battery: {cell: cr2032}, sleep: 5}]", "devices: [{id: d, battery: {cell: cr2032}, sleep: 1uA, events: [{name: e, every: 5 minutes}]}]"},
		"config":  {"gates: {connectivity_uptime: 98%}", "metrics: {month: 2026-13}"},
	}
	for kind, cases := range bad {
		s := compileSchema(t, kind)
		for _, text := range cases {
			if validateYAML(t, s, text) == nil {
				t.Errorf("%s schema accepts %q", kind, text)
			}
		}
	}
}
