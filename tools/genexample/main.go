// Command genexample writes the example planning repo's battery devices:
// six LoRaWAN leak sensors (model DL-200, the drip-lora profile) whose
// uplinks every 15 minutes are The Things Stack storage rows
// (exports/uplinks.csv, an activity input), and six Wi-Fi valves (model
// drip-valve) that connect to AWS IoT once an hour for 774 ms (appended
// to exports/lifecycle.csv). Both check in by design: their uptime is
// measured against their check-ins (definitions v3). Some uplinks are
// lost, one sensor's gateway is down for two days, one valve is off for
// 40 hours. Deterministic; it replaces what an earlier run wrote:
//
//	go run ./tools/genexample -dir examples/leak-sensor/exports
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	dir := flag.String("dir", "examples/leak-sensor/exports", "the exports directory")
	flag.Parse()
	rng := rand.New(rand.NewPCG(24, 2026))
	end := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	customers := []string{"aqua-homes", "baltic-insurance", "cascade-property", "delta-rentals", "ember-living", "fjord-estates"}

	var devices, uplinks, lifecycle []string
	uplinks = append(uplinks, "result.end_device_ids.device_id,result.received_at,result.uplink_message.f_cnt")
	for i := range 6 {
		id := fmt.Sprintf("eui-70b3d57ed00500a%d", i+1)
		ship := time.Date(2026, 10, 12+i, 0, 0, 0, 0, time.UTC)
		devices = append(devices, fmt.Sprintf("%s,%s,%s,DL-200", id, ship.Format("2006-01-02"), customers[i]))
		t := ship.Add(24*time.Hour + time.Duration(rng.IntN(3600))*time.Second) // installed the day after
		for fcnt := 0; t.Before(end); fcnt++ {
			outage := i == 3 && t.After(time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)) && t.Before(time.Date(2026, 10, 27, 6, 0, 0, 0, time.UTC))
			if !outage && rng.IntN(100) >= 3 { // 3% of uplinks lost
				uplinks = append(uplinks, fmt.Sprintf("%s,%s,%d", id, t.Add(time.Duration(rng.IntN(1e6))*time.Microsecond).Format(time.RFC3339Nano), fcnt))
			}
			t = t.Add(15*time.Minute + time.Duration(rng.IntN(60)-30)*time.Second)
		}
	}
	for i := range 6 {
		id := fmt.Sprintf("drip-valve-%02d", i+1)
		ship := time.Date(2026, 10, 5+i, 0, 0, 0, 0, time.UTC)
		devices = append(devices, fmt.Sprintf("%s,%s,%s,drip-valve", id, ship.Format("2006-01-02"), customers[(i+3)%len(customers)]))
		t := ship.Add(36*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		for t.Before(end) {
			off := i == 2 && t.After(time.Date(2026, 10, 20, 8, 0, 0, 0, time.UTC)) && t.Before(time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC))
			if !off && rng.IntN(100) >= 1 { // 1% of check-ins fail to connect
				ms := t.UnixMilli()
				lifecycle = append(lifecycle, fmt.Sprintf("%s,%d,connected", id, ms), fmt.Sprintf("%s,%d,disconnected", id, ms+774))
			}
			t = t.Add(time.Hour + time.Duration(rng.IntN(40)-20)*time.Second)
		}
	}

	battery := func(line string) bool {
		return strings.HasPrefix(line, "eui-") || strings.HasPrefix(line, "drip-valve-")
	}
	devPath := filepath.Join(*dir, "devices.csv")
	old := readLines(devPath)
	out := []string{"device_id,shipped_at,customer_id,model"}
	for _, l := range old[1:] {
		if battery(l) {
			continue
		}
		if strings.Count(l, ",") == 2 {
			l += ","
		}
		out = append(out, l)
	}
	writeLines(devPath, append(out, devices...))
	lcPath := filepath.Join(*dir, "lifecycle.csv")
	var kept []string
	for _, l := range readLines(lcPath) {
		if !battery(l) {
			kept = append(kept, l)
		}
	}
	writeLines(lcPath, append(kept, lifecycle...))
	writeLines(filepath.Join(*dir, "uplinks.csv"), uplinks)
}

func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, s.Text())
	}
	if err := s.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

func writeLines(path string, lines []string) {
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}
