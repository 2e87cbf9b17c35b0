package initrepo

import "testing"

// The workflow init writes uses the action of the binary's own release, so
// CI runs the iotpm that wrote the repo; a development build says main.
func TestActionRef(t *testing.T) {
	for _, c := range []struct{ version, want string }{
		{"v1.4.0", "v1.4.0"}, {"v2.0.0-rc.1", "v2.0.0-rc.1"}, {"dev", "main"},
		{"v0.0.0-20261202153000-abcdef123456", "main"}, {"", "main"},
	} {
		if got := actionRef(c.version); got != c.want {
			t.Errorf("actionRef(%q) = %q, want %q", c.version, got, c.want)
		}
	}
}
