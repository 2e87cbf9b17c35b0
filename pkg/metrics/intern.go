package metrics

import (
	"hash/maphash"
	"slices"
	"unsafe"

	"github.com/iotpm/iotpm/internal/hugemem"
)

// An Interner numbers strings densely in the order they are first seen, so
// the per-device (per-customer, per-job) state can live in slices indexed by
// int32 instead of maps keyed by string. The zero value is ready to use.
//
// It is the hottest path of reading an event log (one lookup per row, 10M
// rows), so short keys — device ids are — live inline in an open-addressing
// table: a lookup is one hash and, usually, one cache line, where a Go map
// reads its control word, the slot and the key's bytes elsewhere. Longer
// keys use a map.
type Interner struct {
	// Names holds the strings by number.
	Names []string

	slots []internSlot // len a power of two, at most 80% full (linear probing; a hit reads ~2.5 slots, most in one cache line)
	long  map[string]int32
	seed  maphash.Seed
	sink  uint8 // what Renumber's touches read, kept so they are not dropped
}

// inlineKey is the longest key kept in a slot (a slot is 32 bytes).
const inlineKey = 27

type internSlot struct {
	n   uint8 // key length + 1; 0: empty
	key [inlineKey]byte
	idx int32
}

// Index returns the number of b, adding it when new. Only a new key is
// copied.
func (in *Interner) Index(b []byte) (i int32, added bool) {
	if len(b) > inlineKey {
		return indexLong(in, b)
	}
	return in.IndexHashed(b, in.Hash(b))
}

// Hash is b's hash in this table, for IndexHashed and Touch: a reader
// that hashes a batch of keys and touches their slots before looking them
// up has the batch's cache misses in flight at once, where one lookup
// after another waits for each (on a table larger than the cache, most
// of a lookup's time).
func (in *Interner) Hash(b []byte) uint64 {
	if in.slots == nil {
		in.seed = maphash.MakeSeed()
		in.slots = make([]internSlot, 1024)
	}
	return maphash.Bytes(in.seed, b)
}

// Touch reads the slot of hash h, so that its cache line is loaded by the
// time IndexHashed needs it; the result means nothing (a caller keeps it
// only so the read is not dropped).
func (in *Interner) Touch(h uint64) uint8 {
	return in.slots[h&uint64(len(in.slots)-1)].n
}

// IndexHashed is Index for a key whose Hash is h.
func (in *Interner) IndexHashed(b []byte, h uint64) (i int32, added bool) {
	return index(in, b, h)
}

// IndexString is Index for a string key, which becomes the name when new
// (no copy): renumbering another Interner's names into this one.
func (in *Interner) IndexString(s string) (i int32, added bool) {
	if len(s) > inlineKey {
		return indexLong(in, s)
	}
	if in.slots == nil {
		in.Hash(nil)
	}
	return index(in, s, maphash.String(in.seed, s))
}

// Renumber adds src's names to in, in src's order, and returns the
// number each has here (src's i is in's m[i]): merging a reader's table
// into another. The names are looked up 32 at a time, their slots touched
// first, so that a batch's cache misses overlap.
func (in *Interner) Renumber(src *Interner) []int32 {
	in.Reserve(src.Len()) // no growth below: the touched slots stay put
	m := make([]int32, src.Len())
	var hs [32]uint64
	var sink uint8
	for lo := 0; lo < len(src.Names); lo += len(hs) {
		names := src.Names[lo:min(lo+len(hs), len(src.Names))]
		for k, name := range names {
			hs[k] = maphash.String(in.seed, name)
		}
		for k := range names { // the reads apart, all in flight at once
			sink |= in.Touch(hs[k])
		}
		for k, name := range names {
			m[lo+k], _ = index(in, name, hs[k])
		}
	}
	in.sink |= sink
	return m
}

// index is the probe of IndexHashed and IndexString.
func index[K string | []byte](in *Interner, b K, h uint64) (i int32, added bool) {
	if len(b) > inlineKey {
		return indexLong(in, b)
	}
	mask := uint64(len(in.slots) - 1)
	for h &= mask; ; h = (h + 1) & mask {
		s := &in.slots[h]
		if s.n == 0 {
			i = int32(len(in.Names))
			s.n = uint8(len(b) + 1)
			copy(s.key[:], b)
			s.idx = i
			in.Names = append(in.Names, string(b))
			if 5*len(in.Names) > 4*len(in.slots) {
				in.grow(2 * len(in.slots))
			}
			return i, true
		}
		if int(s.n)-1 == len(b) && string(s.key[:len(b)]) == string(b) {
			return s.idx, false
		}
	}
}

func indexLong[K string | []byte](in *Interner, b K) (int32, bool) {
	if i, ok := in.long[string(b)]; ok {
		return i, false
	}
	if in.long == nil {
		in.long = map[string]int32{}
	}
	i := int32(len(in.Names))
	s := string(b)
	in.long[s] = i
	in.Names = append(in.Names, s)
	return i, true
}

// Reserve makes room for n more keys, so that adding them grows the
// table once instead of doubling it step by step (each step places every
// key again).
func (in *Interner) Reserve(n int) {
	if in.slots == nil {
		in.Hash(nil)
	}
	size := len(in.slots)
	for 5*(len(in.Names)+n) > 4*size {
		size *= 2
	}
	if size > len(in.slots) {
		in.grow(size)
	}
	in.Names = slices.Grow(in.Names, n)
}

// grow makes the table size slots (a power of two) and places every short
// key again.
func (in *Interner) grow(size int) {
	slots := make([]internSlot, size)
	prefault(slots)
	mask := uint64(len(slots) - 1)
	for _, old := range in.slots {
		if old.n == 0 {
			continue
		}
		h := maphash.Bytes(in.seed, old.key[:old.n-1]) & mask
		for slots[h].n != 0 {
			h = (h + 1) & mask
		}
		slots[h] = old
	}
	in.slots = slots
}

// Lookup returns the number of s, if it has one.
func (in *Interner) Lookup(s string) (int32, bool) {
	if len(s) > inlineKey {
		i, ok := in.long[s]
		return i, ok
	}
	if in.slots == nil {
		return 0, false
	}
	mask := uint64(len(in.slots) - 1)
	for h := maphash.String(in.seed, s) & mask; ; h = (h + 1) & mask {
		sl := &in.slots[h]
		if sl.n == 0 {
			return 0, false
		}
		if int(sl.n)-1 == len(s) && string(sl.key[:len(s)]) == s {
			return sl.idx, true
		}
	}
}

// Len is how many strings have numbers.
func (in *Interner) Len() int { return len(in.Names) }

// prefault has a large new table's memory mapped in before keys are
// placed in it at random: in a virtual machine a page's first write costs
// ~10 µs, and the faults of writes scattered over a fresh table cost
// several times those of one pass in address order (a 4 MB table of
// 52,429 keys, in a 10M-event read: 100 ms placed at random, 17 ms
// touched in order first; BenchmarkInternerCold). The table is asked for
// in huge pages too (hugemem.Advise), which takes most faults away where
// the system grants them.
func prefault(slots []internSlot) {
	const page = 4096 / int(unsafe.Sizeof(internSlot{}))
	if len(slots) < prefaultMin {
		return
	}
	hugemem.Advise(slots)
	for i := 0; i < len(slots); i += page {
		slots[i].n = 0
	}
}

// prefaultMin is the smallest table prefault maps in (256 KB: smaller
// ones take a few faults, wherever they fall); a variable for the
// benchmark to turn it off.
var prefaultMin = 64 * 4096 / int(unsafe.Sizeof(internSlot{}))
