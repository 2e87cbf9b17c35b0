// Package planfiletest holds test support shared by the tests of planfile and
// of the commands: the corpus of bad planning files in
// internal/planfile/testdata/diagnostics.
package planfiletest

import (
	"bufio"
	"bytes"
	"strings"
)

// WantedDiagnostics reads the "# want: line:col: message" comments of a test
// case and returns them as full diagnostic strings for path.
func WantedDiagnostics(path string, data []byte) []string {
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			want = append(want, path+":"+w)
		}
	}
	return want
}
