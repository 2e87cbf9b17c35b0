// Command genexports writes deterministic, realistic device-platform CSV
// exports for the tests, the example planning repo and the benchmarks:
// shipments with factory test connections before shipping, connection
// sessions with short drops and long outages, events delivered out of order
// (±2 minutes of jitter, as AWS IoT documents) and duplicated (~1%), OTA job
// executions with retries, activity, feature usage and support tickets.
//
//	go run ./tools/genexports -out /tmp/exports -devices 100000 -events 10000000
//
// The same flags always write the same bytes.
package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

type event struct {
	dev   int32
	ts    int64 // ms
	state bool
	key   int64 // delivery order
}

func main() {
	out := flag.String("out", ".", "output directory")
	devices := flag.Int("devices", 200, "number of devices")
	events := flag.Int("events", 0, "connection events to write (0: about 40 a device a month)")
	customers := flag.Int("customers", 8, "number of customers")
	month := flag.String("month", "2026-10", "the month the data centres on (YYYY-MM); shipping spans the 6 months before it")
	seed := flag.Uint64("seed", 1, "random seed")
	all := flag.Bool("all", true, "also write devices, ota, activity, usage and tickets")
	gz := flag.Bool("gzip", false, "gzip the lifecycle export")
	prefix := flag.String("prefix", "drip-", "device id prefix (the benchmark uses a longer one, for realistic line lengths)")
	times := flag.String("times", "ms", "the lifecycle export's times: ms (epoch milliseconds, as AWS exports them) or iso (2026-10-05T12:00:00.123Z)")
	order := flag.String("order", "delivery", "the lifecycle export's row order: delivery (by time, a little out of order, as a platform delivers them), random, or device (grouped by device, by time within one)")
	checkin := flag.Float64("checkin", 0, "the share of devices that check in by design (model drip-valve: a connect, and a disconnect a second later, once a day, some missed); with it devices.csv has a model column and devices.yaml the profile")
	flag.Parse()

	m, err := time.Parse("2006-01", *month)
	if err != nil {
		fail(err)
	}
	g := &generator{out: *out, devices: *devices, events: *events, customers: *customers, all: *all, gz: *gz, prefix: *prefix, checkin: *checkin,
		m: m, end: m.AddDate(0, 1, 0).Add(10 * 24 * time.Hour), // data runs a little past the month
		start: m.AddDate(0, -6, 0), rng: rand.New(rand.NewPCG(*seed, 42))}
	if *times != "ms" && *times != "iso" {
		fail(fmt.Errorf("-times is ms or iso, not %q", *times))
	}
	g.iso = *times == "iso"
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	// the files in this order: each draws from the one random stream
	evs := g.connectionEvents()
	switch *order {
	case "delivery":
	case "random":
		// a stream of its own: the other files stay as they are
		r := rand.New(rand.NewPCG(*seed, 7))
		r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	case "device":
		slices.SortStableFunc(evs, func(a, b event) int { return cmp.Or(cmp.Compare(a.dev, b.dev), cmp.Compare(a.ts, b.ts)) })
	default:
		fail(fmt.Errorf("-order is delivery, random or device, not %q", *order))
	}
	g.writeLifecycle(evs)
	if !*all {
		return
	}
	g.writeDevices()
	g.writeOTA()
	g.writeUsage()
	g.writeTickets()
}

// generator holds the settings and the one random stream of a run.
type generator struct {
	out                        string
	devices, events, customers int
	all, gz, iso               bool
	prefix                     string
	checkin                    float64
	m, end, start              time.Time
	rng                        *rand.Rand
	n                          int
	ship                       []int64 // each device's shipping time, ms
	checks                     []bool  // the devices that check in by design
}

// connectionEvents draws every device's connects and disconnects, then
// delivers them out of order with duplicates, as a platform's export has
// them.
func (g *generator) connectionEvents() []event {

	g.n = g.devices
	g.ship = make([]int64, g.n)
	for i := range g.ship {
		g.ship[i] = g.start.UnixMilli() + g.rng.Int64N(g.end.UnixMilli()-g.start.UnixMilli()-20*86_400_000)
	}
	perDevice := g.events / max(g.n, 1)
	if g.events == 0 {
		perDevice = 0
	}
	var evs []event
	g.checks = make([]bool, g.n)
	for i := range g.n {
		g.checks[i] = g.rng.Float64() < g.checkin
		if g.checks[i] {
			evs = append(evs, checkinEvents(g.rng, int32(i), g.ship[i], g.end.UnixMilli())...)
			continue
		}
		evs = append(evs, deviceEvents(g.rng, int32(i), g.ship[i], g.end.UnixMilli(), perDevice)...)
	}
	// out-of-order delivery and duplicates
	for i := range evs {
		evs[i].key = evs[i].ts + g.rng.Int64N(240_000) - 120_000
	}
	dups := len(evs) / 100
	if g.events > 0 {
		dups = g.events - len(evs) // duplicates make up the exact count asked for
	}
	for range max(dups, 0) {
		e := evs[g.rng.IntN(len(evs))]
		e.key += g.rng.Int64N(60_000)
		evs = append(evs, e)
	}
	slices.SortFunc(evs, func(a, b event) int { return cmp.Compare(a.key, b.key) })
	return evs
}

// writeLifecycle writes the AWS IoT-style lifecycle export.
func (g *generator) writeLifecycle(evs []event) {
	name := "lifecycle.csv"
	if g.gz {
		name += ".gz"
	}
	writeFile(filepath.Join(g.out, name), g.gz, func(w *bufio.Writer) {
		w.WriteString("clientId,timestamp,eventType\n")
		var line []byte
		for _, e := range evs {
			line = append(line[:0], g.prefix...)
			line = appendID(line, e.dev)
			line = append(line, ',')
			if g.iso {
				line = time.UnixMilli(e.ts).UTC().AppendFormat(line, "2006-01-02T15:04:05.000Z")
			} else {
				line = strconv.AppendInt(line, e.ts, 10)
			}
			if e.state {
				line = append(line, ",connected\n"...)
			} else {
				line = append(line, ",disconnected\n"...)
			}
			w.Write(line)
		}
	})
}

// writeDevices writes devices.csv (and the check-in profile).
func (g *generator) writeDevices() {
	writeFile(filepath.Join(g.out, "devices.csv"), false, func(w *bufio.Writer) {
		if g.checkin == 0 {
			w.WriteString("device_id,shipped_at,customer_id\n")
		} else {
			w.WriteString("device_id,shipped_at,customer_id,model\n")
		}
		for i := range g.n {
			fmt.Fprintf(w, "drip-%s,%s,%s", appendID(nil, int32(i)), time.UnixMilli(g.ship[i]).UTC().Format("2006-01-02"), customerName(i%g.customers))
			switch {
			case g.checkin == 0:
				w.WriteString("\n")
			case g.checks[i]:
				w.WriteString(",drip-valve\n")
			default:
				w.WriteString(",\n")
			}
		}
	})
	if g.checkin > 0 {
		writeFile(filepath.Join(g.out, "devices.yaml"), false, func(w *bufio.Writer) {
			w.WriteString(checkinProfile)
		})
	}
}

// writeOTA writes three jobs' status rows, retries and failures included.
func (g *generator) writeOTA() {
	writeFile(filepath.Join(g.out, "ota.csv"), false, func(w *bufio.Writer) {
		w.WriteString("thingName,jobId,status,lastUpdatedAt\n")
		jobs := []struct {
			name string
			at   time.Time
		}{{"fw-2.3.0", g.m.AddDate(0, -1, 5)}, {"fw-2.4.0", g.m.AddDate(0, 0, 6)}, {"fw-2.4.1-hotfix", g.m.AddDate(0, 0, 20)}}
		for _, j := range jobs {
			for i := range g.n {
				if g.ship[i] > j.at.UnixMilli() || g.rng.IntN(10) == 0 {
					continue
				}
				t := j.at.Unix() + g.rng.Int64N(3*86400)
				fmt.Fprintf(w, "drip-%s,%s,QUEUED,%d\n", appendID(nil, int32(i)), j.name, t)
				switch r := g.rng.IntN(100); {
				case r < 90:
					fmt.Fprintf(w, "drip-%s,%s,SUCCEEDED,%d\n", appendID(nil, int32(i)), j.name, t+600+g.rng.Int64N(3600))
				case r < 94:
					fmt.Fprintf(w, "drip-%s,%s,FAILED,%d\n", appendID(nil, int32(i)), j.name, t+900)
					fmt.Fprintf(w, "drip-%s,%s,SUCCEEDED,%d\n", appendID(nil, int32(i)), j.name, t+7200) // retried
				case r < 97:
					fmt.Fprintf(w, "drip-%s,%s,TIMED_OUT,%d\n", appendID(nil, int32(i)), j.name, t+86400)
				case r < 98:
					fmt.Fprintf(w, "drip-%s,%s,CANCELED,%d\n", appendID(nil, int32(i)), j.name, t+300)
				default:
					fmt.Fprintf(w, "drip-%s,%s,IN_PROGRESS,%d\n", appendID(nil, int32(i)), j.name, t+300)
				}
			}
		}
	})
}

// writeUsage writes feature usage, customers differing in engagement.
func (g *generator) writeUsage() {
	writeFile(filepath.Join(g.out, "usage.csv"), false, func(w *bufio.Writer) {
		w.WriteString("device_id,feature,timestamp\n")
		features := []string{"leak-history", "freeze-warning", "low-battery-forecast"}
		span := g.m.AddDate(0, 1, 0).UnixMilli() - g.m.UnixMilli() // the whole month, however long
		for i := range g.n {
			if g.rng.IntN(100) < 35+5*(i%g.customers) { // customers differ in engagement
				for range 1 + g.rng.IntN(3) {
					t := g.m.UnixMilli() + g.rng.Int64N(span)
					if t > g.ship[i] {
						fmt.Fprintf(w, "drip-%s,%s,%s\n", appendID(nil, int32(i)), features[g.rng.IntN(len(features))], time.UnixMilli(t).UTC().Format(time.RFC3339))
					}
				}
			}
		}
	})
}

// writeTickets writes support tickets, one customer filing far more.
func (g *generator) writeTickets() {
	writeFile(filepath.Join(g.out, "tickets.csv"), false, func(w *bufio.Writer) {
		w.WriteString("ticket_id,customer_id,created_at,subject\n")
		subjects := []string{"Sensor offline", "False alarm, \"water\" on dry floor", "Pairing fails", "Battery low after 3 months"}
		from := g.m.AddDate(0, -1, 0)
		span := g.m.AddDate(0, 1, 0).UnixMilli() - from.UnixMilli() // the month before and the month, whole
		for k := range g.n / 12 {
			c := g.rng.IntN(g.customers)
			if g.rng.IntN(3) == 0 {
				c = 0 // one customer files far more tickets
			}
			t := from.UnixMilli() + g.rng.Int64N(span)
			fmt.Fprintf(w, "T-%05d,%s,%s,\"%s\"\n", k+1, customerName(c), time.UnixMilli(t).UTC().Format("2006-01-02 15:04:05"), quote(subjects[g.rng.IntN(len(subjects))]))
		}
	})
}

func quote(s string) string {
	out := []byte{}
	for i := range len(s) {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func customerName(c int) string {
	names := []string{"aqua-homes", "baltic-insurance", "cascade-property", "delta-rentals", "ember-living", "fjord-estates", "granite-mutual", "harbor-housing"}
	if c < len(names) {
		return names[c]
	}
	return "customer-" + strconv.Itoa(c)
}

func appendID(b []byte, i int32) []byte {
	s := strconv.Itoa(int(i))
	for k := len(s); k < 6; k++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// deviceEvents simulates one device: a factory test connection a few days
// before shipping; most devices are activated within days of shipping (some
// never); then long sessions broken by short drops and the odd long outage.
// With a target, the device gets about target·0.99 events (the rest of the
// count is duplicates), its drops spread evenly over its life.
func deviceEvents(rng *rand.Rand, dev int32, ship, end int64, target int) []event {
	var out []event
	factory := ship - (1+rng.Int64N(5))*86_400_000
	out = append(out, event{dev: dev, ts: factory, state: true}, event{dev: dev, ts: factory + 600_000, state: false})
	if rng.IntN(100) < 18 {
		return out // never activated
	}
	t := ship + int64(rng.ExpFloat64()*4*86_400_000)
	if t >= end {
		return out
	}
	gap := func() int64 {
		g := rng.ExpFloat64() * 15 * 60_000
		if rng.IntN(50) == 0 {
			g = rng.ExpFloat64() * 2 * 86_400_000 // a long outage
		}
		return int64(g) + 1000
	}
	out = append(out, event{dev: dev, ts: t, state: true})
	if target > 0 {
		drops := max((target*99/100-3)/2, 0)
		downs := make([]int64, drops)
		for i := range downs {
			downs[i] = t + 1 + rng.Int64N(end-t)
		}
		slices.Sort(downs)
		for _, d := range downs {
			out = append(out, event{dev: dev, ts: d, state: false}, event{dev: dev, ts: d + gap(), state: true})
		}
		return out
	}
	for {
		t += int64(rng.ExpFloat64() * 4 * 86_400_000)
		if t >= end {
			return out
		}
		out = append(out, event{dev: dev, ts: t, state: false})
		t += gap()
		out = append(out, event{dev: dev, ts: t, state: true})
	}
}

// checkinProfile is the devices.yaml of the check-in devices: they connect
// once a day.
const checkinProfile = `devices:
  - id: drip-valve
    battery: {cell: aa-lithium, series: 2, parallel: 2}
    sleep: 10uA
    events:
      - {name: check-in, feature: connectivity, every: 1d, duration: 774ms, current: 140mA}
    checkin: {event: check-in}
`

// checkinEvents simulates a device that checks in by design: from a few
// days after shipping, a connect and a disconnect a second later about
// once a day (±2 h); 3% of check-ins missed; now and then silent for up
// to three weeks; some never activated.
func checkinEvents(rng *rand.Rand, dev int32, ship, end int64) []event {
	const day = 86_400_000
	var out []event
	if rng.IntN(100) < 10 {
		return out
	}
	for t := ship + int64(rng.ExpFloat64()*3*day); t < end; {
		if rng.IntN(100) >= 3 {
			out = append(out, event{dev: dev, ts: t, state: true}, event{dev: dev, ts: t + 1000, state: false})
		}
		t += day + rng.Int64N(4*3_600_000) - 2*3_600_000
		if rng.IntN(80) == 0 {
			t += rng.Int64N(21 * day)
		}
	}
	return out
}

func writeFile(path string, gz bool, f func(*bufio.Writer)) {
	file, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	var w io.Writer = file
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(file)
		w = zw
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	f(bw)
	if err := bw.Flush(); err != nil {
		fail(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			fail(err)
		}
	}
	if err := file.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genexports:", err)
	os.Exit(1)
}
