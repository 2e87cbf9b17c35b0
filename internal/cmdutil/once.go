package cmdutil

import "fmt"

// OnceValue is a string flag that may be given once: pflag lets a
// repeated flag's last value win, which for an input file silently drops
// the first (--events sep.csv --events oct.csv read October alone).
// Hint ends the error: what to do instead.
type OnceValue struct {
	P    *string
	Hint string
	set  bool
}

// String implements pflag.Value.
func (o *OnceValue) String() string {
	if o.P == nil {
		return ""
	}
	return *o.P
}

// Set implements pflag.Value.
func (o *OnceValue) Set(v string) error {
	if o.set {
		return fmt.Errorf("given twice (%q, then %q): %s", *o.P, v, o.Hint)
	}
	*o.P, o.set = v, true
	return nil
}

// Type implements pflag.Value.
func (o *OnceValue) Type() string { return "string" }
