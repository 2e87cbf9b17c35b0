package planfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/diag"
)

// feature is a valid feature body to build cases from.
const okFeature = `  - id: ok
    reach: 100
    impact: 1
    confidence: 50%
    track: cloud
    effort: {engineering: 1}
`

func diagStrings(l diag.List) []string {
	var out []string
	for _, d := range l.Sort() {
		out = append(out, d.String())
	}
	return out
}

func TestFeatureDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			// yaml.v3 reports the line where the enclosing block starts, not
			// where the scanner gave up; the column is that line's first text.
			name: "yaml syntax error points at the enclosing block",
			yaml: "features:\n  - id: a\n    reach: [1, 2\n",
			want: []string{"f.yaml:2:3: YAML syntax error: did not find expected ',' or ']'"},
		},
		{
			name: "bad indentation",
			yaml: "features:\n  - id: a\n   reach: 1\n",
			want: []string{"f.yaml:1:1: YAML syntax error: did not find expected '-' indicator"},
		},
		{
			name: "empty file",
			yaml: "",
			want: []string{"f.yaml:1:1: file is empty; expected a YAML mapping"},
		},
		{
			name: "two documents",
			yaml: "features: []\n---\nfeatures: []\n",
			want: []string{"f.yaml:2:1: YAML syntax error: a planning file holds one YAML document; remove the second '---'"},
		},
		{
			name: "top level is not a mapping",
			yaml: "- a\n- b\n",
			want: []string{"f.yaml:1:1: top level: expected a mapping, got a list"},
		},
		{
			name: "unknown key with suggestion",
			yaml: "features:\n" + okFeature + "    reech: 3\n",
			want: []string{`f.yaml:8:5: features[0]: unknown key "reech"; did you mean "reach"?`},
		},
		{
			name: "unknown key without a close match lists the valid ones",
			yaml: "featurez: []\n",
			want: []string{
				`f.yaml:1:1: top level: missing required key "features"`,
				`f.yaml:1:1: top level: unknown key "featurez"; did you mean "features"?`,
			},
		},
		{
			name: "unknown top-level key far from any",
			yaml: "features: []\nbudget: 3\n",
			want: []string{`f.yaml:2:1: top level: unknown key "budget"; valid keys: effort_model, certifications, themes, features`},
		},
		{
			name: "wrong type",
			yaml: "features:\n  - id: a\n    reach: lots\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:3:12: features[0].reach: expected a number, got "lots"`},
		},
		{
			name: "list where a mapping belongs",
			yaml: "features:\n  - id: a\n    reach: 1\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: [1]\n",
			want: []string{`f.yaml:7:13: features[0].effort: expected a mapping, got a list`},
		},
		{
			name: "missing required fields",
			yaml: "features:\n  - id: a\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{
				`f.yaml:2:5: features[0]: missing required key "confidence"`,
				`f.yaml:2:5: features[0]: missing required key "impact"`,
				`f.yaml:2:5: features[0]: missing required key "reach"`,
			},
		},
		{
			name: "required value left empty",
			yaml: "features:\n  - id: a\n    reach:\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:3:11: features[0].reach: a value is required`},
		},
		{
			name: "out of range",
			yaml: "features:\n  - id: a\n    reach: -1\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: -2}\n",
			want: []string{
				`f.yaml:3:12: features[0].reach must be at least 0; got -1`,
				`f.yaml:7:27: features[0].effort.engineering must be at least 0; got -2`,
			},
		},
		{
			name: "huge and non-finite numbers",
			yaml: "features:\n  - id: a\n    reach: .inf\n    impact: 1\n    confidence: .nan\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{
				`f.yaml:3:12: features[0].reach: .inf is not a usable number (too large, infinite or NaN)`,
				`f.yaml:5:17: features[0].confidence: expected a percentage like 80% or a fraction like 0.8, got the number .nan`,
			},
		},
		{
			name: "bare confidence says how to write it",
			yaml: "features:\n  - id: a\n    reach: 1\n    impact: 1\n    confidence: 80\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:5:17: features[0].confidence: 80 is ambiguous: write 80% or 0.8`},
		},
		{
			name: "enum with suggestion",
			yaml: "features:\n  - id: a\n    reach: 1\n    impact: 1\n    confidence: 1\n    kano: basics\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:6:11: features[0].kano must be one of basic, performance, delighter; got "basics" (did you mean "basic"?)`},
		},
		{
			name: "bad id",
			yaml: "features:\n  - id: Edge Anomaly\n    reach: 1\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:2:9: features[0].id: id "Edge Anomaly" must be lowercase letters, digits and dashes (e.g. "edge-anomaly")`},
		},
		{
			name: "duplicate feature id",
			yaml: "features:\n" + okFeature + okFeature,
			want: []string{`f.yaml:8:5: feature id "ok" is defined twice (first at line 2)`},
		},
		{
			name: "duplicate key in a mapping",
			yaml: "features:\n  - id: a\n    id: b\n    reach: 1\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: 1}\n",
			want: []string{`f.yaml:3:5: features[0]: key "id" repeated (first at line 2)`},
		},
		{
			name: "duplicate theme id",
			yaml: "themes:\n  - {id: t}\n  - {id: t}\nfeatures:\n" + okFeature,
			want: []string{`f.yaml:3:5: theme id "t" is defined twice (first at line 2)`},
		},
		{
			name: "undefined theme with suggestion",
			yaml: "themes:\n  - {id: battery}\nfeatures:\n" + okFeature + "    theme: batery\n",
			want: []string{`f.yaml:10:12: undefined theme "batery"; did you mean "battery"?`},
		},
		{
			name: "undefined certification",
			yaml: "features:\n  - id: a\n    reach: 1\n    impact: 1\n    confidence: 1\n    track: hardware\n    effort: {engineering: 1, certifications: [fcc-ld, wat]}\n",
			want: []string{
				`f.yaml:7:47: undefined certification "fcc-ld"; did you mean "fcc-id"?`,
				`f.yaml:7:55: undefined certification "wat"; define it under certifications: or use a built-in id (iotpm rice --list-certifications)`,
			},
		},
		{
			name: "new certification needs weeks and fee",
			yaml: "certifications:\n  my-lab: {weeks: 3}\nfeatures:\n" + okFeature,
			want: []string{`f.yaml:2:11: certification "my-lab" is not in the built-in catalog, so it needs both weeks and fee`},
		},
		{
			name: "undefined dependency and self dependency",
			yaml: "features:\n" + okFeature + "    depends_on: [ok, okk]\n",
			want: []string{
				`f.yaml:8:18: feature "ok" depends on itself`,
				`f.yaml:8:22: undefined feature "okk"; did you mean "ok"?`,
			},
		},
		{
			name: "dependency cycle",
			yaml: "features:\n" +
				"  - {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}, depends_on: [b]}\n" +
				"  - {id: b, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}, depends_on: [c]}\n" +
				"  - {id: c, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}, depends_on: [a]}\n",
			want: []string{`f.yaml:4:102: dependency cycle: a → b → c → a`},
		},
		{
			name: "track and parts together",
			yaml: "features:\n" + okFeature + "    parts: {cloud: {engineering: 1}}\n",
			want: []string{`f.yaml:8:12: feature "ok" has both track/effort and parts; use track and effort for a one-track feature, parts for one that spans tracks`},
		},
		{
			name: "neither track nor parts",
			yaml: "features:\n  - {id: a, reach: 1, impact: 1, confidence: 1}\n",
			want: []string{`f.yaml:2:5: feature "a" needs a track (hardware, firmware or cloud) with an effort, or parts`},
		},
		{
			name: "zero total effort",
			yaml: "features:\n  - {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 0}}\n",
			want: []string{`f.yaml:2:5: feature "a" has a total effort of 0; RICE divides by effort, so give it engineering, tooling or a certification`},
		},
		{
			name: "no zero-effort follow-on after a decode error",
			yaml: "features:\n  - {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: lots}}\n",
			want: []string{`f.yaml:2:85: features[0].effort.engineering: expected a number, got "lots"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, diags := ParseFeatures("f.yaml", []byte(tt.yaml))
			got := diagStrings(diags)
			if !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics:\n  got  %q\n  want %q", got, tt.want)
			}
			if diags.HasErrors() && b != nil {
				t.Error("a backlog was returned despite errors")
			}
		})
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// 1,001 aliases of a feature whose depends_on is an alias of a
	// 1,000-item list: fully expanded, over a million values.
	var b strings.Builder
	b.WriteString("themes: []\nfeatures:\n  - &f {id: a, reach: 1, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}, depends_on: &d [")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("a")
	}
	b.WriteString("]}\n")
	for range 1000 {
		b.WriteString("  - *f\n")
	}
	_, diags := ParseFeatures("f.yaml", []byte(b.String()))
	if !slices.ContainsFunc(diags, func(d diag.Diagnostic) bool {
		return strings.Contains(d.Message, "document too large: more than 1000000 values after expanding aliases")
	}) {
		t.Fatalf("no expansion-limit diagnostic among %d", len(diags))
	}
}

func TestSelfMergeIsAnError(t *testing.T) {
	_, diags := ParseFeatures("f.yaml", []byte("features:\n  - &a {<<: *a, id: x}\n"))
	if !slices.ContainsFunc(diags, func(d diag.Diagnostic) bool {
		return d.Line == 2 && d.Col == 13 && d.Message == "the merge key << refers to the mapping it is in"
	}) {
		t.Fatalf("diagnostics = %v", diags)
	}
}

func TestBillionLaughsDoesNotExpand(t *testing.T) {
	// The decoder only descends as deep as the Go types, so nested aliases
	// are rejected without being expanded.
	_, diags := ParseFeatures("f.yaml", []byte(aliasBomb()))
	if !diags.HasErrors() {
		t.Fatal("want errors")
	}
}

// aliasBomb builds a "billion laughs" document: each level refers to the
// previous one ten times, so full expansion would be 10^9 nodes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("features:\n  - id: x\n    depends_on: *a9\n    reach: 1\n    impact: 1\n    confidence: 1\n    track: cloud\n    effort: {engineering: 1}\n")
	return b.String()
}

func TestFeaturesValues(t *testing.T) {
	yaml := `effort_model: {cost_per_person_month: 20000}
certifications:
  fcc-id: {weeks: 10}
  my-lab: {name: "My lab", weeks: 2, fee: 4000}
themes: [{id: t, outcome: "Out"}]
features:
  - id: one
    title: One
    theme: t
    kano: basic
    reach: 1_000
    impact: massive
    confidence: "50 %"
    track: hardware
    effort: {engineering: 1, tooling: 2000, certifications: [fcc-id]}
  - id: two
    reach: 2
    impact: 0.25
    confidence: 0.8
    parts:
      cloud: {engineering: 1}
      hardware: {engineering: 2, certifications: [my-lab]}
    depends_on: [one]
`
	b, diags := ParseFeatures("f.yaml", []byte(yaml))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if b.Model.CostPerPersonMonth != 20000 || b.Model.CertEffortPerWeek != 0.1 {
		t.Errorf("model = %+v", b.Model)
	}
	if c := b.Catalog["fcc-id"]; c.Weeks != 10 || c.FeeUSD != 15000 {
		t.Errorf("fcc-id override keeps the built-in fee and takes the new weeks: %+v", c)
	}
	if c := b.Catalog["my-lab"]; c.Name != "My lab" || c.Weeks != 2 || c.FeeUSD != 4000 {
		t.Errorf("my-lab = %+v", c)
	}
	one, two := b.Features[0], b.Features[1]
	if one.Title != "One" || one.Reach != 1000 || one.Impact != 3 || one.Confidence != 0.5 || one.Theme != "t" || one.Kano != "basic" {
		t.Errorf("one = %+v", one)
	}
	if two.Title != "two" || two.Impact != 0.25 || two.Confidence != 0.8 || !slices.Equal(two.DependsOn, []string{"one"}) {
		t.Errorf("two = %+v", two)
	}
	// parts come out in shipping order whatever the file order
	if len(two.Parts) != 2 || two.Parts[0].Track != "hardware" || two.Parts[1].Track != "cloud" {
		t.Errorf("two parts = %+v", two.Parts)
	}
	if p := b.Positions["two"]; p.Line != 16 || p.Col != 5 {
		t.Errorf("position of two = %+v", p)
	}
}

func TestMergeKeys(t *testing.T) {
	yaml := `features:
  - &base {id: a, reach: 10, impact: 1, confidence: 1, track: cloud, effort: {engineering: 1}}
  - <<: *base
    id: b
    reach: 20
`
	b, diags := ParseFeatures("f.yaml", []byte(yaml))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := b.Features[1]
	if got.ID != "b" || got.Reach != 20 || got.Impact != 1 || len(got.Parts) != 1 || got.Parts[0].Track != "cloud" {
		t.Errorf("merged feature = %+v", got)
	}
}

func TestConfidenceAndImpactScalars(t *testing.T) {
	tests := []struct {
		yaml    string
		conf    float64
		impact  float64
		wantErr string
	}{
		{yaml: "confidence: 80%\nimpact: 2", conf: 0.8, impact: 2},
		{yaml: "confidence: \"100%\"\nimpact: high", conf: 1, impact: 2},
		{yaml: "confidence: 0.5\nimpact: Massive", conf: 0.5, impact: 3},
		{yaml: "confidence: 0\nimpact: 0.25", conf: 0, impact: 0.25},
		{yaml: "confidence: 1\nimpact: minimal", conf: 1, impact: 0.25},
		{yaml: "confidence: 80\nimpact: 1", wantErr: "80 is ambiguous: write 80% or 0.8"},
		{yaml: "confidence: 101%\nimpact: 1", wantErr: "101% is outside 0%..100%"},
		{yaml: "confidence: -0.1\nimpact: 1", wantErr: "-0.1 is outside 0..1"},
		{yaml: "confidence: high\nimpact: 1", wantErr: "expected a percentage like 80% or a fraction like 0.8"},
		{yaml: "confidence: 1\nimpact: 1.5", wantErr: "1.5 is not on the impact scale"},
		{yaml: "confidence: 1\nimpact: hihg", wantErr: `(did you mean "high"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			var v struct {
				Confidence Confidence `yaml:"confidence"`
				Impact     Impact     `yaml:"impact"`
			}
			diags := Decode("f.yaml", []byte(tt.yaml), &v)
			if tt.wantErr != "" {
				if len(diags) != 1 || !strings.Contains(diags[0].Message, tt.wantErr) {
					t.Fatalf("diagnostics = %v, want one containing %q", diags, tt.wantErr)
				}
				return
			}
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if float64(v.Confidence) != tt.conf || float64(v.Impact) != tt.impact {
				t.Errorf("got confidence %v impact %v, want %v %v", v.Confidence, v.Impact, tt.conf, tt.impact)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"reech", "reach"},
		{"Reach", "reach"},
		{"confidnce", "confidence"},
		{"x", ""},
		{"engineering", "engineering"},
		{"zzzzzz", ""},
		{"cofnidence", "confidence"},
	}
	cands := []string{"reach", "impact", "confidence", "engineering"}
	for _, tt := range tests {
		if got := Suggest(tt.in, cands); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
