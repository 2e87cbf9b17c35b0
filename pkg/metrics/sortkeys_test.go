package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// keySorter orders keys as slices.Sort does, on every shape a device's
// events take: spread over months, clustered (flapping), all equal, two
// values, one far outlier, duplicates, negative keys, every length around
// the thresholds, and one device with more keys than the scratch bound.
func TestKeySorterSameAsSlicesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	shapes := map[string]func(n int) []int64{
		"spread": func(n int) []int64 {
			return fill(n, func(int) int64 { return (1780000000000000+rng.Int64N(18e12))*2 + rng.Int64N(2) })
		},
		"clustered": func(n int) []int64 {
			base := 1780000000000000 + rng.Int64N(18e12)
			return fill(n, func(int) int64 { return (base+rng.Int64N(60e6))*2 + rng.Int64N(2) })
		},
		"outlier": func(n int) []int64 {
			s := fill(n, func(int) int64 { return 3560000000000000 + rng.Int64N(1000) })
			if n > 0 {
				s[rng.IntN(n)] = 3600000000000000
			}
			return s
		},
		"extremes": func(n int) []int64 {
			return fill(n, func(int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[rng.IntN(5)] })
		},
		"equal":    func(n int) []int64 { return fill(n, func(int) int64 { return 42 }) },
		"two":      func(n int) []int64 { return fill(n, func(int) int64 { return 7 + rng.Int64N(2) }) },
		"dups":     func(n int) []int64 { return fill(n, func(int) int64 { return rng.Int64N(int64(n/4 + 1)) }) },
		"negative": func(n int) []int64 { return fill(n, func(int) int64 { return -rng.Int64N(1e15) }) },
		"sorted":   func(n int) []int64 { return fill(n, func(i int) int64 { return int64(i) * 3 }) },
		"reversed": func(n int) []int64 { return fill(n, func(i int) int64 { return int64(n-i) * 3 }) },
	}
	var ks keySorter
	for name, gen := range shapes {
		for _, n := range []int{0, 1, 2, 23, 24, 25, 100, 257, 5000, spreadMax + 1} {
			s := gen(n)
			want := slices.Clone(s)
			slices.Sort(want)
			ks.sort(s)
			if !slices.Equal(s, want) {
				t.Fatalf("%s, %d keys: not in slices.Sort's order", name, n)
			}
		}
	}
}

func fill(n int, f func(i int) int64) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// BenchmarkKeySorter: 10,000 devices of 100 keys in random order over 7
// months, sorted by keySorter and by slices.Sort.
func BenchmarkKeySorter(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([][]int64, 10_000)
	for i := range src {
		src[i] = fill(100, func(int) int64 { return (1780000000000000+rng.Int64N(18e12))*2 + rng.Int64N(2) })
	}
	work := make([]int64, 100)
	var ks keySorter
	for _, c := range []struct {
		name string
		sort func([]int64)
	}{{"keySorter", ks.sort}, {"slices.Sort", slices.Sort[[]int64]}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, s := range src {
					copy(work, s)
					c.sort(work)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/key")
		})
	}
}
