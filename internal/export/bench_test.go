package export

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// Benchmarks of the hot paths. Compare runs with benchstat:
//
//	go test ./internal/export ./pkg/metrics -run '^$' -bench . -benchmem -count 6 > new.txt

func BenchmarkParseTimestamp(b *testing.B) {
	for _, in := range []string{"1573002230757", "2019-11-06T01:03:50.757Z", "2019-11-05T17:03:50.757000-08:00", "2020-08-31 19:21:55.721 UTC"} {
		b.Run(in, func(b *testing.B) {
			v := []byte(in)
			for b.Loop() {
				if _, err := ParseTimestamp(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// eventsFile writes an AWS-style lifecycle export of n rows over devices.
func eventsFile(b *testing.B, n, devices int) (string, int64) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("clientId,timestamp,eventType\n")
	for i := range n {
		fmt.Fprintf(&sb, "dripsensor-lora-%06d,%d,%s\n", (i*7919)%devices, 1790812800000+int64(i)*263, []string{"connected", "disconnected"}[i%2])
	}
	path := filepath.Join(b.TempDir(), "lifecycle.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(sb.Len())
}

func BenchmarkReaderRead(b *testing.B) {
	path, size := eventsFile(b, 200_000, 10_000)
	b.SetBytes(size)
	for b.Loop() {
		r, err := Open(path, 0)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Read(); err != nil {
				break
			}
		}
		r.Close()
	}
}

func BenchmarkIngestEvents(b *testing.B) {
	path, size := eventsFile(b, 1_000_000, 100_000)
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			old := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(old)
			b.SetBytes(size)
			for b.Loop() {
				g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
				if _, err := g.Read(Input{Kind: "events", Path: path}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
