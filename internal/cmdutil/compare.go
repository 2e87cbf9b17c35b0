package cmdutil

// EqualPtr reports whether two optional values are equal: both absent, or
// both present and the same (what a before/after comparison asks of a date
// or a figure that may be missing on either side).
func EqualPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
