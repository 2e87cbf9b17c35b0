// Command tunedreader is the speed baseline for `iotpm metrics --events`:
// a single-purpose reader of an AWS-style lifecycle export
// (clientId,timestamp,eventType with epoch milliseconds) that only splits
// the three columns, keeps one packed int64 per event in per-device arrays
// and computes fleet uptime over a month — none of iotpm's format
// detection, validation, accounting or v2 rules. iotpm's time is reported
// as a ratio to it (docs/performance.md).
//
//	go build -o /tmp/tunedreader ./tools/tunedreader
//	/usr/bin/time -f '%e s %M KB' /tmp/tunedreader -events /tmp/ex/lifecycle.csv -month 2026-10
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

type part struct {
	ids  map[string]int32
	devs []int32
	keys []int64 // ms×2 + state (1: connected)
}

func main() {
	path := flag.String("events", "", "the export")
	month := flag.String("month", "2026-10", "the window, YYYY-MM")
	flag.Parse()
	start := time.Now()
	from, err := time.Parse("2006-01", *month)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	to := from.AddDate(0, 1, 0)
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	info, _ := f.Stat()
	size := info.Size()
	workers := runtime.GOMAXPROCS(0)
	head := make([]byte, 4096)
	n, _ := f.ReadAt(head, 0)
	dataStart := int64(bytes.IndexByte(head[:n], '\n') + 1)
	bounds := []int64{dataStart}
	for w := 1; w < workers; w++ {
		at := dataStart + (size-dataStart)*int64(w)/int64(workers)
		buf := make([]byte, 4096)
		m, _ := f.ReadAt(buf, at)
		bounds = append(bounds, at+int64(bytes.IndexByte(buf[:m], '\n'))+1)
	}
	bounds = append(bounds, size)
	parts := make([]*part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		p := &part{ids: map[string]int32{}}
		parts[w] = p
		wg.Go(func() { p.parse(io.NewSectionReader(f, bounds[w], bounds[w+1]-bounds[w])) })
	}
	wg.Wait()
	// merge device numbers, group by device (a counting sort into one
	// array), sort, walk
	ids := map[string]int32{}
	total := 0
	for _, p := range parts {
		global := make([]int32, len(p.ids))
		for name, i := range p.ids {
			g, ok := ids[name]
			if !ok {
				g = int32(len(ids))
				ids[name] = g
			}
			global[i] = g
		}
		for j, dv := range p.devs {
			p.devs[j] = global[dv]
		}
		total += len(p.keys)
	}
	offsets := make([]int, len(ids)+1)
	for _, p := range parts {
		for _, dv := range p.devs {
			offsets[dv+1]++
		}
	}
	for i := range len(ids) {
		offsets[i+1] += offsets[i]
	}
	all := make([]int64, total)
	pos := slices.Clone(offsets[:len(ids)])
	for _, p := range parts {
		for j, dv := range p.devs {
			all[pos[dv]] = p.keys[j]
			pos[dv]++
		}
		p.devs, p.keys = nil, nil
	}
	perDev := make([][]int64, len(ids))
	for i := range perDev {
		perDev[i] = all[offsets[i]:offsets[i+1]]
	}
	lo, hi := from.UnixMilli(), to.UnixMilli()
	var connected, observed int64
	for _, keys := range perDev {
		slices.Sort(keys)
		on, at, known := false, lo, false
		for _, k := range keys {
			ts := min(max(k>>1, lo), hi)
			if known {
				observed += ts - at
				if on {
					connected += ts - at
				}
			} else if k&1 == 0 { // first event a disconnect: connected before it
				observed += ts - lo
				connected += ts - lo
			}
			known, on, at = true, k&1 == 1, ts
		}
		if known {
			observed += hi - at
			if on {
				connected += hi - at
			}
		}
	}
	fmt.Printf("devices %d, uptime %.6f, %.3f s\n", len(perDev), float64(connected)/float64(max(observed, 1)), time.Since(start).Seconds())
}

func (p *part) parse(r io.Reader) {
	buf := make([]byte, 4<<20)
	carried := 0
	for {
		m, err := io.ReadFull(r, buf[carried:])
		data := buf[:carried+m]
		end := len(data)
		if err == nil {
			end = bytes.LastIndexByte(data, '\n') + 1
		}
		for line := data[:end]; len(line) > 0; {
			k := bytes.IndexByte(line, '\n')
			if k < 0 {
				k = len(line)
			}
			row := line[:k]
			line = line[min(k+1, len(line)):]
			c1 := bytes.IndexByte(row, ',')
			c2 := c1 + 1 + bytes.IndexByte(row[c1+1:], ',')
			if c1 < 0 || c2 <= c1 {
				continue
			}
			var ms int64
			for _, ch := range row[c1+1 : c2] {
				ms = ms*10 + int64(ch-'0')
			}
			state := int64(0)
			if bytes.HasPrefix(row[c2+1:], []byte("connected")) {
				state = 1
			}
			id, ok := p.ids[string(row[:c1])]
			if !ok {
				id = int32(len(p.ids))
				p.ids[string(row[:c1])] = id
			}
			p.devs = append(p.devs, id)
			p.keys = append(p.keys, ms<<1|state)
		}
		if err != nil {
			return
		}
		carried = copy(buf, data[end:])
	}
}
