package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strconv"
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

// BenchmarkInternerCold numbers 100,000 device ids, in random order, into
// a new table whose memory comes fresh from the system, as a reader's
// does (the heap is handed back before each build), with its growing
// tables mapped in first (prefault) and without.
func BenchmarkInternerCold(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	ids := make([][]byte, 100_000)
	for i := range ids {
		ids[i] = fmt.Appendf(nil, "drip-%06d", i)
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("prefault=%v", on), func(b *testing.B) {
			if !on {
				old := prefaultMin
				prefaultMin = math.MaxInt
				defer func() { prefaultMin = old }()
			}
			for b.Loop() {
				b.StopTimer()
				debug.FreeOSMemory()
				b.StartTimer()
				var in Interner
				for _, id := range ids {
					in.Index(id)
				}
				if in.Len() != len(ids) {
					b.Fatal(in.Len())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/key")
		})
	}
}

// BenchmarkSequencedEvents adds 1M events of 100k devices in AWS IoT's
// full shape — each naming its session and its versionNumber (a connect
// and its disconnect share both), rows in time order as delivered — and
// freezes them: the reading path of an export with a sequence or a
// session column, which is ordered per device.
func BenchmarkSequencedEvents(b *testing.B) {
	const rows, devices = 1_000_000, 100_000
	rng := rand.New(rand.NewPCG(5, 6))
	ids := make([][]byte, devices)
	for i := range ids {
		ids[i] = fmt.Appendf(nil, "drip-%06d", i)
	}
	type row struct {
		dev          int
		ts           int64
		state        int
		seq, session []byte
	}
	conn := make([]int, devices)
	in := make([]row, rows)
	for i := range in {
		dev := rng.IntN(devices)
		state := rng.IntN(2)
		if state == Connected {
			conn[dev]++
		}
		in[i] = row{dev, day("2026-09-01") + int64(i)*2_600_000, state,
			strconv.AppendInt(nil, int64(conn[dev]), 10), fmt.Appendf(nil, "%08x-4e2b-9c1d-%012d", dev, conn[dev])}
	}
	b.ReportAllocs()
	for b.Loop() {
		d := NewData()
		d.Has.Events = true
		for _, r := range in {
			d.AddSequencedSessionEvent(ids[r.dev], r.ts, r.state, r.seq, 3600e6, r.session)
		}
		d.Freeze()
	}
}
