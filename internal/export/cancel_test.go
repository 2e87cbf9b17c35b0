package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/metrics"
)

// A cancelled read stops with the context's error, on the sequential path
// (a file under 8 MiB) and the parallel one (over it).
func TestReadContextCancelled(t *testing.T) {
	for _, rows := range []int{70_000, 260_000} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("clientId,timestamp,eventType\n")
			for i := range rows {
				fmt.Fprintf(&b, "device-%06d,%d,connected\n", i%5000, 1774570025245+int64(i)*1000)
			}
			path := filepath.Join(t.TempDir(), "events.csv")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: 1 << 62}, UseUntil: 1 << 62}
			if _, err := g.ReadContext(ctx, Input{Kind: "events", Path: path}); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			// and its .csv.gz, read in streamed blocks
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			zw.Write([]byte(b.String()))
			zw.Close()
			if err := os.WriteFile(path+".gz", zb.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			g = &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: 1 << 62}, UseUntil: 1 << 62}
			if _, err := g.ReadContext(ctx, Input{Kind: "events", Path: path + ".gz"}); !errors.Is(err, context.Canceled) {
				t.Errorf(".gz: err = %v, want context.Canceled", err)
			}
			// and the same file reads in full without cancellation
			g = &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: 1 << 62}, UseUntil: 1 << 62}
			st, err := g.ReadContext(context.Background(), Input{Kind: "events", Path: path})
			if err != nil || st.Read != rows {
				t.Errorf("uncancelled: read %v rows, err %v", st, err)
			}
		})
	}
}
