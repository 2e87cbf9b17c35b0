package export

import (
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

func BenchmarkZZProf(b *testing.B) {
	const n = 1_000_000
	var path string
	kind := planfile.KindEvents
	if os.Getenv("ZZ") == "setup" {
		path, _ = onboardingFile(b, n, 10, 500)
		kind = planfile.KindOnboarding
	} else {
		path, _ = eventsFile(b, n, 100_000)
	}
	funnel := &metrics.Funnel{Steps: []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected"}, Fold: planfile.FoldName, Within: 3600e6, Target: 180e6}
	for _, s := range funnel.Steps {
		funnel.Match = append(funnel.Match, []string{planfile.FoldName(s)})
	}
	runtime.GC()
	f, _ := os.Create(os.Getenv("ZZPROF"))
	pprof.StartCPUProfile(f)
	defer pprof.StopCPUProfile()
	b.ResetTimer()
	for b.Loop() {
		g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
		if kind == planfile.KindOnboarding {
			g.Funnel = funnel
		}
		st, err := g.Read(Input{Kind: kind, Path: path})
		if err != nil || st.Used != n {
			b.Fatal(err, st)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}
