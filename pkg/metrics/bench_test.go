package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkCompute measures grouping, sorting and every metric over a
// million out-of-order events from 100,000 devices, with the monthly series.
func BenchmarkCompute(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([][]byte, 100_000)
	for i := range ids {
		ids[i] = fmt.Appendf(nil, "dev-%06d", i)
	}
	w := Window{From: day("2026-10-01"), To: day("2026-11-01")}
	span := w.To - w.From
	build := func() *Data {
		d := NewData()
		d.Has.Events = true
		for range 1_000_000 {
			d.AddEvent(ids[rng.IntN(len(ids))], w.From-span+rng.Int64N(3*span), rng.IntN(2))
		}
		return d
	}
	for b.Loop() {
		b.StopTimer()
		d := build()
		b.StartTimer()
		Compute(d, Options{Window: w, SLO: 0.99, SeriesMonths: 12})
	}
}

// Grouping 10M rows of 100k devices in place, the step after reading.
func BenchmarkGroupInPlace(b *testing.B) {
	const rows, devices = 10_000_000, 100_000
	rng := rand.New(rand.NewPCG(9, 10))
	devs0, vals0 := make([]int32, rows), make([]int64, rows)
	for i := range rows {
		devs0[i], vals0[i] = int32(rng.IntN(devices)), rng.Int64()
	}
	devs, vals := make([]int32, rows), make([]int64, rows)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		copy(devs, devs0)
		copy(vals, vals0)
		b.StartTimer()
		groupInPlace(devices, segment{devs, vals})
	}
}
