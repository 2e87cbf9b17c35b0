package rice

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/flagtest"
	"github.com/iotpm/iotpm/internal/failure"
)

// riceRun on stubbed options, without the command tree: what each option
// does to the output, and the error each bad one is.
func Test_riceRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    RiceOptions
		output  string
		wantErr any    // the error's type, nil: none
		stdout  string // contained in stdout
		stderr  string // contained in stderr
		rows    int    // -o json: how many ranked features (0: not checked)
		track   string // -o json: every feature is on this track ("": not checked)
	}{
		{name: "top 3 as JSON", opts: RiceOptions{Top: 3}, output: "json", rows: 3},
		{name: "one track", opts: RiceOptions{Tracks: []string{"cloud"}}, output: "json", track: "cloud"},
		{name: "unknown theme", opts: RiceOptions{Theme: "no-such-theme"}, wantErr: &failure.UsageError{}},
		{name: "a features file that is not there", opts: RiceOptions{File: "missing.yaml"}, wantErr: &failure.InvalidInputError{}, stderr: "missing.yaml"},
		{name: "the certification catalog", opts: RiceOptions{ListCertifications: true}, stdout: "FCC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, stdout, stderr := flagtest.RunFactory(exampleRepo, tc.output, nil)
			opts := tc.opts
			opts.Factory = f
			err := riceRun(&opts)
			switch want := tc.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("err = %v; stderr %s", err, stderr)
				}
			case *failure.UsageError:
				if !errors.As(err, &want) {
					t.Fatalf("err = %v, want a usage error", err)
				}
			case *failure.InvalidInputError:
				if !errors.As(err, &want) {
					t.Fatalf("err = %v, want invalid input", err)
				}
			}
			if !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stdout %q does not contain %q, or stderr %q %q", clip(stdout.String()), tc.stdout, clip(stderr.String()), tc.stderr)
			}
			if tc.wantErr != nil && stdout.Len() > 0 {
				t.Errorf("an error and output: %s", clip(stdout.String()))
			}
			if tc.rows == 0 && tc.track == "" {
				return
			}
			var doc struct {
				Features []struct {
					ID     string   `json:"id"`
					Tracks []string `json:"tracks"`
				} `json:"features"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if tc.rows > 0 && len(doc.Features) != tc.rows {
				t.Errorf("%d ranked features, want %d", len(doc.Features), tc.rows)
			}
			if tc.track != "" && len(doc.Features) == 0 {
				t.Errorf("no feature on track %s", tc.track)
			}
			for _, f := range doc.Features {
				if tc.track != "" && !slices.Contains(f.Tracks, tc.track) {
					t.Errorf("--track %s shows %s on %v", tc.track, f.ID, f.Tracks)
				}
			}
		})
	}
}

// exampleRepo is the example planning repo from this package's directory.
const exampleRepo = "../../../examples/leak-sensor"

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
