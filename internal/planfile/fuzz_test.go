package planfile

import (
	"os"
	"testing"
)

// FuzzParseFeatures checks that no input makes the features loader panic,
// and that every diagnostic it returns names the file and, when it has a
// position, a plausible one. Seeds: the example repo, the diagnostic cases
// above, and the committed corpus in testdata/fuzz.
//
//	go test ./internal/planfile -run '^$' -fuzz FuzzParseFeatures -fuzztime 60s
func FuzzParseFeatures(f *testing.F) {
	if data, err := os.ReadFile("../../examples/leak-sensor/features.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"", "features: []", "features:\n" + okFeature, "- a", "features: {a: 1}",
		"features:\n  - &f {id: a}\n  - *f\n", "a: &a [*a]", "features:\n  - <<: [1]\n",
		"features:\n  - id: a\n    confidence: 80\n    impact: hihg\n    reach: .nan\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, diags := ParseFeatures("f.yaml", data)
		if diags.HasErrors() == (b != nil) {
			t.Fatalf("errors=%v but backlog nil=%v", diags.HasErrors(), b == nil)
		}
		// YAML breaks lines at \n, \r\n and a lone \r.
		lines := 1
		for i, c := range data {
			if c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				lines++
			}
		}
		for _, d := range diags {
			if d.File != "f.yaml" || d.Line < 0 || d.Line > lines+1 || d.Col < 0 || d.Message == "" {
				t.Fatalf("bad diagnostic %+v for %d-line input", d, lines)
			}
		}
	})
}
