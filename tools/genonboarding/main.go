// Command genonboarding writes the example planning repo's app analytics:
// the setup funnel's events as an Amplitude export flattened to CSV
// (exports/setup.csv, the onboarding input). Each shipped unit is set up
// by one app user: a unit that activates completes setup the moment it
// first connects (cloud_connected), some after a failed attempt hours
// before; of the units that never activate, some start setup and stop at
// a step, the others never start. Amplitude's own device_id is the
// phone's install id; the unit set up is event_properties.device_id.
// Other app events (App Opened, Screen Viewed) are mixed in. Deterministic;
// it replaces what an earlier run wrote:
//
//	go run ./tools/genonboarding -dir examples/leak-sensor/exports
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

var steps = []string{"setup_started", "ble_found", "wifi_sent", "cloud_connected"}

type row struct {
	at                                time.Time
	event, amp, user, phone, platform string
	version, unit                     string
}

func main() {
	dir := flag.String("dir", "examples/leak-sensor/exports", "the exports directory")
	flag.Parse()
	rng := rand.New(rand.NewPCG(31, 2026))
	shipped := readDevices(filepath.Join(*dir, "devices.csv"))
	first, end := firstConnects(shipped, filepath.Join(*dir, "lifecycle.csv"), filepath.Join(*dir, "uplinks.csv"))
	var rows []row
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range shipped {
			if !yield(id) {
				return
			}
		}
	})
	for n, id := range ids {
		platform, version := "iOS", "3.8.0"
		if rng.IntN(100) < 45 {
			platform, version = "Android", "3.8.1"
		}
		u := row{amp: strconv.Itoa(880000 + n), user: fmt.Sprintf("user-%04d", n), phone: fmt.Sprintf("%08X-PHONE-%04d", rng.Uint32(), n),
			platform: platform, version: version, unit: id}
		add := func(at time.Time, event string) {
			r := u
			r.at, r.event = at, event
			rows = append(rows, r)
		}
		// an attempt that stops after step `last`, starting at t
		failed := func(t time.Time, last int) {
			for k := 0; k <= last; k++ {
				add(t, steps[k])
				t = t.Add(time.Duration(10+rng.IntN(50)) * time.Second)
			}
		}
		add(shipped[id].Add(-time.Duration(rng.IntN(72))*time.Hour), "App Opened")
		fc, activated := first[id]
		if !activated {
			if rng.IntN(100) < 60 { // started, stopped at BLE discovery or Wi-Fi
				t := shipped[id].Add(time.Duration(24+rng.IntN(96)) * time.Hour)
				failed(t, rng.IntN(3))
			}
			continue
		}
		if rng.IntN(100) < 12 { // a failed attempt first, hours before
			failed(fc.Add(-time.Duration(2+rng.IntN(20))*time.Hour), rng.IntN(3))
		}
		// time to pair: log-normal, median ~95 s, a slow tail past 3 min
		total := time.Duration(95*math.Exp(0.6*rng.NormFloat64())*1e6) * time.Microsecond
		start := fc.Add(-total)
		add(start.Add(-time.Duration(5+rng.IntN(40))*time.Second), "Screen Viewed")
		add(start, steps[0])
		add(start.Add(total*time.Duration(20+rng.IntN(20))/100), steps[1])
		add(start.Add(total*time.Duration(55+rng.IntN(20))/100), steps[2])
		add(fc, steps[3])
	}
	// the users go on opening the app (to see their sensors) up to the
	// export's end, the fleet's last row: a real analytics export runs to
	// the day it was pulled, not to the last setup. Their own generator,
	// so the rows above stay as they were.
	open := rand.New(rand.NewPCG(7, 2026))
	for _, id := range ids {
		fc, activated := first[id]
		if !activated || open.IntN(100) >= 70 {
			continue
		}
		span := end.Sub(fc)
		if span <= 0 {
			continue
		}
		r := rows[0]
		for _, x := range rows {
			if x.unit == id {
				r = x
				break
			}
		}
		r.at, r.event = fc.Add(time.Duration(open.Int64N(int64(span)))), "App Opened"
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.at.Compare(b.at) })
	path := filepath.Join(*dir, "setup.csv")
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"event_time", "event_type", "amplitude_id", "user_id", "device_id", "platform", "app_version", "event_properties.device_id"})
	for _, r := range rows {
		unit := r.unit
		if !strings.HasPrefix(r.event, "setup_") && r.event != "cloud_connected" && r.event != "ble_found" && r.event != "wifi_sent" {
			unit = ""
		}
		_ = w.Write([]string{r.at.UTC().Format("2006-01-02 15:04:05.000000"), r.event, r.amp, r.user, r.phone, r.platform, r.version, unit})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d rows, %d units\n", path, len(rows), len(ids))
}

func readCSV(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	return recs[1:]
}

func readDevices(path string) map[string]time.Time {
	out := map[string]time.Time{}
	for _, r := range readCSV(path) {
		t, err := time.Parse(time.DateOnly, r[1])
		if err != nil {
			log.Fatal(err)
		}
		out[r[0]] = t
	}
	return out
}

// firstConnects is each device's first connected event (epoch ms) or
// uplink (RFC 3339) at or after its shipping: units connect at the
// factory's end-of-line test before they ship, and are set up after. end
// is the latest row of either.
func firstConnects(shipped map[string]time.Time, lifecycle, uplinks string) (_ map[string]time.Time, end time.Time) {
	out := map[string]time.Time{}
	keep := func(id string, t time.Time) {
		if t.After(end) {
			end = t
		}
		if t.Before(shipped[id]) {
			return
		}
		if cur, ok := out[id]; !ok || t.Before(cur) {
			out[id] = t
		}
	}
	for _, r := range readCSV(lifecycle) {
		ms, err := strconv.ParseInt(r[1], 10, 64)
		if err != nil {
			log.Fatal(err)
		}
		if t := time.UnixMilli(ms).UTC(); r[2] == "connected" {
			keep(r[0], t)
		} else if t.After(end) {
			end = t
		}
	}
	for _, r := range readCSV(uplinks) {
		t, err := time.Parse(time.RFC3339Nano, r[1])
		if err != nil {
			log.Fatal(err)
		}
		keep(r[0], t)
	}
	return out, end
}
