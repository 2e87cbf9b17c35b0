package memlimit

import "testing"

func TestBudget(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"4GiB", 4 << 30, false}, {"512MB", 512e6, false}, {"1.5G", 3 << 29, false}, {"1048576", 1 << 20, false},
		{"off", 0, false}, {"2", 0, true}, {"lots", 0, true}, {"-1GiB", 0, true}, {"1 parsec", 0, true},
	} {
		got, _, err := Budget(env(c.in))
		if (err != nil) != c.bad || !c.bad && got != c.want {
			t.Errorf("%q: %d %v, want %d (bad %v)", c.in, got, err, c.want, c.bad)
		}
	}
	// without the variable: 90% of what is available, when known
	if got, source, err := Budget(env("")); err != nil || got != 0 && (source == "" || got < Min) {
		t.Errorf("default: %d %q %v", got, source, err)
	}
}
