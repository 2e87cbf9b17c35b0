package export

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/iotpm/iotpm/internal/planfile"
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

// awsEventsFile writes n rows of AWS IoT's lifecycle export whole, as its
// rule to S3 writes it: the client id, epoch ms, the event, the session,
// the principal and the version number a session's connect raises.
func awsEventsFile(b *testing.B, n, devices int) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("clientId,timestamp,eventType,sessionIdentifier,principalIdentifier,versionNumber\n")
	for i := range n {
		dev, state := (i*7919)%devices, []string{"connected", "disconnected"}[i/devices%2]
		version := i / (2 * devices)
		fmt.Fprintf(&sb, "dripsensor-lora-%06d,%d,%s,%016x%016x,5b1a0e6c1f7d4ab2a1e9e2f5a9d3c210,%d\n", dev, 1790812800000+int64(i)*263, state, uint64(dev)*2654435761, version, version)
	}
	path := filepath.Join(b.TempDir(), "lifecycle-aws.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
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

// The same 1M events gzipped: decompression overlapped with parsing on
// every core. Compare with BenchmarkGunzip, decompression alone.
func BenchmarkIngestEventsGzip(b *testing.B) {
	path, size := eventsFile(b, 1_000_000, 100_000)
	gz := gzipFile(b, path)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
		if _, err := g.Read(Input{Kind: "events", Path: gz}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGunzip is the floor for BenchmarkIngestEventsGzip: reading the
// decompressed stream and nothing else.
func BenchmarkGunzip(b *testing.B) {
	path, size := eventsFile(b, 1_000_000, 100_000)
	gz := gzipFile(b, path)
	b.SetBytes(size)
	for b.Loop() {
		f, err := os.Open(gz)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := kgzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, zr)
		f.Close()
	}
}

func gzipFile(b *testing.B, path string) string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	out := path + ".gz"
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return out
}

// onboardingFile writes an Amplitude export of n rows, in time order, as
// an app's analytics look: users set up a few hundred at a time, each in
// rowsPerUser rows over a few minutes (the four setup steps, then other
// app events such as Screen Viewed), interleaved with the others setting
// up then; the phone's id, platform, app version and the unit set up.
func onboardingFile(b *testing.B, n, rowsPerUser, concurrent int) (string, int64) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("event_time,event_type,amplitude_id,user_id,device_id,platform,app_version,event_properties.device_id\n")
	steps := []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected"}
	block := rowsPerUser * concurrent
	for i := range n {
		user := i/block*concurrent + (i%block)%concurrent
		pass := (i % block) / concurrent
		event := "Screen Viewed"
		if pass < len(steps) {
			event = steps[pass]
		}
		ts := time.UnixMicro(1790812800000000 + int64(i)*263_000).UTC().Format("2006-01-02 15:04:05.000000")
		fmt.Fprintf(&sb, "%s,%s,%d,,PHONE-%08X,%s,3.8.%d,drip-%06d\n", ts, event, 880000+user, uint32(user*2654435761), []string{"iOS", "Android"}[user%2], user%3, user)
	}
	path := filepath.Join(b.TempDir(), "setup.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(sb.Len())
}

// BenchmarkIngestPerRow reads 1M lifecycle events (100k devices) and 1M
// onboarding events side by side, on one core (the sequential reader) and
// on every core (both split the file into chunks read in parallel),
// reporting ns/row: the budget is the events reader's per row at the same
// number of distinct ids. The onboarding rows are read for the four-step
// funnel, as the command does. users=100k: 10 rows a user; users=250k:
// the four setup steps alone, a new user and device every fourth row;
// beside events of 100k and 250k devices (three columns, epoch ms), and
// events-aws: AWS's lifecycle export whole (six columns; ordered by
// session and version number, as the command reads it).
func BenchmarkIngestPerRow(b *testing.B) {
	const n = 1_000_000
	events, _ := eventsFile(b, n, 100_000)
	events250k, _ := eventsFile(b, n, 250_000)
	aws := awsEventsFile(b, n, 100_000)
	setup100k, _ := onboardingFile(b, n, 10, 500)
	setup250k, _ := onboardingFile(b, n, 4, 500)
	funnel := &metrics.Funnel{Steps: []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected"}, Fold: planfile.FoldName, Within: 3600e6, Target: 180e6}
	for _, s := range funnel.Steps {
		funnel.Match = append(funnel.Match, []string{planfile.FoldName(s)})
	}
	for _, c := range []struct {
		name string
		kind planfile.InputKind
		path string
	}{{"events/devices=100k", planfile.KindEvents, events}, {"onboarding/users=100k", planfile.KindOnboarding, setup100k},
		{"events/devices=250k", planfile.KindEvents, events250k}, {"onboarding/users=250k", planfile.KindOnboarding, setup250k},
		{"events-aws/devices=100k", planfile.KindEvents, aws}} {
		for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/procs=%d", c.name, procs), func(b *testing.B) {
				old := runtime.GOMAXPROCS(procs)
				defer runtime.GOMAXPROCS(old)
				cpu0 := processCPU(b)
				for b.Loop() {
					g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
					if c.kind == planfile.KindOnboarding {
						g.Funnel = funnel
					}
					st, err := g.Read(Input{Kind: c.kind, Path: c.path})
					if err != nil || st.Used != n {
						b.Fatal(err, st)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
				// the CPU the process spent: on a shared machine, time
				// taken by other tenants' processes inflates ns/row but
				// not this (cache and memory contention still show)
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N)/n, "cpu-ns/row")
			})
		}
	}
}

// BenchmarkIngestJSONLines reads 1M AWS lifecycle events (100k devices,
// ordered by versionNumber) as the CSV export and as the JSON Lines
// Firehose writes, side by side: the JSON's cost per row over the CSV's.
func BenchmarkIngestJSONLines(b *testing.B) {
	const n = 1_000_000
	var csv, jsonl strings.Builder
	csv.WriteString("clientId,timestamp,eventType,sessionIdentifier,principalIdentifier,versionNumber\n")
	for i := range n {
		dev, state := (i*7919)%100_000, []string{"connected", "disconnected"}[i/100_000%2]
		ts, version := 1790812800000+int64(i)*263, i/200_000
		session := fmt.Sprintf("%016x%016x", uint64(dev)*2654435761, version)
		fmt.Fprintf(&csv, "dripsensor-lora-%06d,%d,%s,%s,5b1a0e6c1f7d4ab2a1e9e2f5a9d3c210,%d\n", dev, ts, state, session, version)
		fmt.Fprintf(&jsonl, `{"clientId":"dripsensor-lora-%06d","timestamp":%d,"eventType":"%s","sessionIdentifier":"%s","principalIdentifier":"5b1a0e6c1f7d4ab2a1e9e2f5a9d3c210","ipAddress":"192.0.2.10","versionNumber":%d}`+"\n", dev, ts, state, session, version)
	}
	dir := b.TempDir()
	for _, c := range []struct{ name, content string }{{"csv", csv.String()}, {"jsonl", jsonl.String()}} {
		path := filepath.Join(dir, "life."+c.name)
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				g := &Ingest{Data: metrics.NewData(), Window: metrics.Window{From: 0, To: math.MaxInt64 / 4}, UseUntil: math.MaxInt64 / 4}
				st, err := g.Read(Input{Kind: planfile.KindEvents, Format: "aws-iot-lifecycle", Path: path})
				if err != nil || st.Used != n {
					b.Fatal(err, st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
		})
	}
}
