package planfile

import (
	"github.com/iotpm/iotpm/pkg/rice"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile/planfiletest"
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

// TestFeatureDiagnostics runs every file of testdata/diagnostics, one per
// kind of problem; each ends with "# want: line:col: message" comments that
// list exactly the diagnostics the loader must give. The CLI's end-to-end
// test runs the same files through `iotpm validate`.
func TestFeatureDiagnostics(t *testing.T) {
	files, _ := filepath.Glob("testdata/diagnostics/*.yaml")
	if len(files) < 25 {
		t.Fatalf("only %d diagnostic cases found", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			b, diags := ParseFeatures(file, data)
			if got, want := diagStrings(diags), planfiletest.WantedDiagnostics(file, data); !slices.Equal(got, want) {
				t.Errorf("diagnostics:\n  got  %q\n  want %q", got, want)
			}
			if diags.HasErrors() == (b != nil) {
				t.Error("a backlog must be returned exactly when there are no errors")
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
		// a level, as impact takes words: refused with Intercom's percentages
		{yaml: "confidence: high\nimpact: 1", wantErr: "confidence is a percentage, not a level: Intercom's RICE scale puts high at 100% (100% high, 80% medium, 50% low); write the percentage you mean"},
		{yaml: "confidence: Low\nimpact: 1", wantErr: "puts Low at 50%"},
		{yaml: "confidence: sure\nimpact: 1", wantErr: "expected a percentage like 80% or a fraction like 0.8"},
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

// TestDeviceDiagnostics runs testdata/devices-diagnostics the same way.
func TestDeviceDiagnostics(t *testing.T) {
	files, _ := filepath.Glob("testdata/devices-diagnostics/*.yaml")
	if len(files) < 6 {
		t.Fatalf("only %d cases", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fleet, diags := ParseDevices(file, data)
			if got, want := diagStrings(diags), planfiletest.WantedDiagnostics(file, data); !slices.Equal(got, want) {
				t.Errorf("diagnostics:\n  got  %q\n  want %q", got, want)
			}
			if diags.HasErrors() == (fleet != nil) {
				t.Error("a fleet must be returned exactly when there are no errors")
			}
		})
	}
}

// TestDiagnosticKinds: every diagnostic of the corpus has a kind, and the
// kinds sort problems the way a script would: YAML that does not parse,
// values that do not fit the format, entries that do not hold together.
func TestDiagnosticKinds(t *testing.T) {
	want := map[string]diag.Kind{
		"bad-indentation.yaml":             diag.Syntax,
		"empty-file.yaml":                  diag.Syntax,
		"two-documents.yaml":               diag.Syntax,
		"unknown-key-with-suggestion.yaml": diag.Schema,
		"wrong-type.yaml":                  diag.Schema,
		"out-of-range.yaml":                diag.Schema,
		"dependency-cycle.yaml":            diag.Plan,
		"duplicate-feature-id.yaml":        diag.Plan,
		"zero-total-effort.yaml":           diag.Plan,
	}
	known := []diag.Kind{diag.File, diag.Syntax, diag.Schema, diag.Plan}
	files, _ := filepath.Glob("testdata/diagnostics/*.yaml")
	devices, _ := filepath.Glob("testdata/devices-diagnostics/*.yaml")
	if len(files) < 25 || len(devices) < 6 {
		t.Fatalf("only %d + %d cases found", len(files), len(devices))
	}
	checked := map[string]bool{}
	for _, file := range append(files, devices...) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var diags diag.List
		if strings.Contains(file, "devices-") {
			_, diags = ParseDevices(file, data)
		} else {
			_, diags = ParseFeatures(file, data)
		}
		for _, d := range diags {
			if !slices.Contains(known, d.Kind) {
				t.Errorf("%s: kind %q", d, d.Kind)
			}
			if k, ok := want[filepath.Base(file)]; ok && d.Severity == diag.Error {
				checked[filepath.Base(file)] = true
				if d.Kind != k {
					t.Errorf("%s: kind %q, want %q", d, d.Kind, k)
				}
			}
		}
	}
	for name := range want {
		if !checked[name] {
			t.Errorf("%s: no error to check the kind of", name)
		}
	}
	var missing diag.List
	_, missing = LoadFeatures(filepath.Join(t.TempDir(), "features.yaml"))
	if len(missing) != 1 || missing[0].Kind != diag.File {
		t.Errorf("a missing file: %v", missing)
	}
}

// The kinds a format may declare (its check tag, so its schema enum) are
// the input kinds.
func TestFormatKindsAreTheInputKinds(t *testing.T) {
	f, _ := reflect.TypeFor[FormatSpec]().FieldByName("Kind")
	_, enum, _ := strings.Cut(f.Tag.Get("check"), "enum=")
	if got := strings.Split(enum, "|"); !slices.Equal(got, InputKindNames()) {
		t.Errorf("formats' kinds %q, input kinds %q", got, InputKindNames())
	}
}

// An id that names a family of built-in certifications ("fcc" for fcc-id
// and fcc-sdoc) suggests the family, not nothing.
func TestSuggestFamily(t *testing.T) {
	ids := []string{"ce-red", "fcc-id", "fcc-sdoc", "ised", "matter", "thread"}
	for in, want := range map[string]string{
		"fcc":    `; did you mean "fcc-id" or "fcc-sdoc"?`,
		"ce":     `; did you mean "ce-red"?`,
		"threed": `; did you mean "thread"?`,
		"zigbee": "",
	} {
		if got := DidYouMeanText(in, ids); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// Ranges: engineering 2..4 (most likely the midpoint), 2..3..5, a
// certification's weeks and retest, a lead time 10w..16w; a point stays a
// point; an out-of-order range is refused at its position.
func TestRanges(t *testing.T) {
	b, diags := ParseFeatures("features.yaml", []byte(`certifications:
  lab: {weeks: 6..8..16, fee: 1000, retest: {chance: 20%, weeks: 6}}
features:
  - {id: a, reach: 1, impact: 1, confidence: 80%, track: hardware, effort: {engineering: 2..4, lead_time: 10w..16w, certifications: [lab]}}
  - {id: b, reach: 1, impact: 1, confidence: 80%, track: firmware, effort: {engineering: 2..3..5}}
  - {id: c, reach: 1, impact: 1, confidence: 80%, track: cloud, effort: {engineering: 1.5, lead_time: 2w}}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, bb, c := b.Features[0].Parts[0], b.Features[1].Parts[0], b.Features[2].Parts[0]
	if a.Engineering != 3 || *a.EngineeringRange != (rice.Range{Min: 2, Mode: 3, Max: 4}) || a.LeadTimeDays != 91 || *a.LeadTimeRange != (rice.Range{Min: 70, Mode: 91, Max: 112}) {
		t.Errorf("a: %+v %+v %+v", a, a.EngineeringRange, a.LeadTimeRange)
	}
	if bb.Engineering != 3 || *bb.EngineeringRange != (rice.Range{Min: 2, Mode: 3, Max: 5}) {
		t.Errorf("b: %+v", bb)
	}
	if c.Engineering != 1.5 || c.EngineeringRange != nil || c.LeadTimeDays != 14 || c.LeadTimeRange != nil {
		t.Errorf("c: %+v", c)
	}
	lab := b.Catalog["lab"]
	if lab.Weeks != 8 || *lab.WeeksRange != (rice.Range{Min: 6, Mode: 8, Max: 16}) || *lab.Retest != (rice.Retest{Chance: 0.2, Weeks: 6}) {
		t.Errorf("lab: %+v", lab)
	}
	_, diags = ParseFeatures("features.yaml", []byte("features:\n  - {id: a, reach: 1, impact: 1, confidence: 80%, track: hardware, effort: {engineering: 4..2}}\n"))
	if !strings.Contains(diags.Error(), "features.yaml:2:90: features[0].effort.engineering: \"4..2\": a range needs 0 ≤ min ≤ most likely ≤ max, got 4..3..2") {
		t.Errorf("4..2: %v", diags)
	}
}

// Effort given as its engineering estimate alone is refused with the
// mapping to write (it said only "expected a mapping").
func TestEffortAsANumber(t *testing.T) {
	for value, want := range map[string]string{
		"3":       `features[0].effort: expected a mapping, got the number 3 (write {engineering: 3}: person-months, beside tooling: and certifications: where they apply)`,
		"2..3..6": `expected a mapping, got "2..3..6" (write {engineering: 2..3..6}: person-months`,
		"[1, 2]":  `features[0].effort: expected a mapping, got a list`,
	} {
		_, diags := ParseFeatures("features.yaml", []byte("features:\n  - {id: a, reach: 1, impact: 1, confidence: 80%, track: firmware, effort: "+value+"}\n"))
		if len(diags) != 1 || !strings.Contains(diags.Error(), want) || value == "[1, 2]" && strings.Contains(diags.Error(), "write {") {
			t.Errorf("effort: %s: %v", value, diags)
		}
	}
}

// component_lead on a part, or on the feature for its parts that give
// none; a range as lead_time's; a value that is no lead time is refused at
// its position.
func TestComponentLead(t *testing.T) {
	b, diags := ParseFeatures("features.yaml", []byte(`features:
  - {id: a, reach: 1, impact: 1, confidence: 80%, track: hardware, effort: {engineering: 2, component_lead: 26w}}
  - id: b
    reach: 1
    impact: 1
    confidence: 80%
    component_lead: 20w..30w
    parts:
      hardware: {engineering: 1}
      firmware: {engineering: 1, component_lead: 2w}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, bh, bf := b.Features[0].Parts[0], b.Features[1].Parts[0], b.Features[1].Parts[1]
	if a.ComponentLeadDays != 182 || a.ComponentLeadRange != nil || a.LeadTimeDays != 0 {
		t.Errorf("a: %+v", a)
	}
	if bh.ComponentLeadDays != 175 || bh.ComponentLeadRange == nil || *bh.ComponentLeadRange != (rice.Range{Min: 140, Mode: 175, Max: 210}) {
		t.Errorf("b hardware: %+v %+v", bh, bh.ComponentLeadRange)
	}
	if bf.ComponentLeadDays != 14 || bf.ComponentLeadRange != nil {
		t.Errorf("b firmware: %+v", bf)
	}
	_, diags = ParseFeatures("features.yaml", []byte("features:\n  - {id: a, reach: 1, impact: 1, confidence: 80%, track: hardware, effort: {engineering: 2, component_lead: 3mo}}\n"))
	if !strings.Contains(diags.Error(), `features.yaml:2:109: features[0].effort.component_lead: "3mo" is not a lead time`) {
		t.Errorf("3mo: %v", diags)
	}
}
