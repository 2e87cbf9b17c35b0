package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
)

// validate reads the files under the names iotpm.yaml gives them.
func TestValidateHonoursConfigNames(t *testing.T) {
	dir := copyExample(t)
	if err := os.Rename(filepath.Join(dir, "features.yaml"), filepath.Join(dir, "backlog.yaml")); err != nil {
		t.Fatal(err)
	}
	editFile(t, filepath.Join(dir, "iotpm.yaml"), "features: features.yaml", "features: backlog.yaml")
	for _, args := range [][]string{{"validate"}, {"validate", "backlog.yaml"}} {
		stdout, stderr, code := run(t, nil, append(args, "-C", dir)...)
		if code != cmdutil.ExitOK || !strings.Contains(stdout, "backlog.yaml: ok (features: 15 features, 4 themes)") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
}
