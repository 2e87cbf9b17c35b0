package metrics

// An Interner numbers strings densely in the order they are first seen, so
// the per-device (per-customer, per-job) state can live in slices indexed by
// int32 instead of maps keyed by string. The zero value is ready to use.
type Interner struct {
	index map[string]int32
	// Names holds the strings by number.
	Names []string
}

// Index returns the number of b, adding it when new. Looking up string(b)
// does not allocate (the compiler's map-key optimisation); only a new
// string is copied.
func (in *Interner) Index(b []byte) (i int32, added bool) {
	if i, ok := in.index[string(b)]; ok {
		return i, false
	}
	if in.index == nil {
		in.index = map[string]int32{}
	}
	s := string(b)
	i = int32(len(in.Names))
	in.index[s] = i
	in.Names = append(in.Names, s)
	return i, true
}

// Lookup returns the number of s, if it has one.
func (in *Interner) Lookup(s string) (int32, bool) {
	i, ok := in.index[s]
	return i, ok
}

// Len is how many strings have numbers.
func (in *Interner) Len() int { return len(in.Names) }
