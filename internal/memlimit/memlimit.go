// Package memlimit keeps a run inside a memory budget: Go's own
// out-of-memory crash exits 2, the code iotpm gives invalid input, with a
// stack dump and no word of what to do. Under a budget the garbage
// collector works harder as the heap nears it (debug.SetMemoryLimit), and a
// run whose live data still exceeds it stops with a message and exit 3.
package memlimit

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/quantity"
)

// Env names the variable that sets the budget ("4GiB", "512MB"; "off"
// turns it off). Without it the budget is 90% of the memory available when
// the run starts (the cgroup's limit, else MemAvailable), when known.
const Env = "IOTPM_MAX_MEMORY"

// Min is the smallest budget accepted: below it no run fits.
const Min = 1 << 20

// Budget is the run's budget in bytes (0: none) and where it comes from.
func Budget(getenv func(string) string) (int64, string, error) {
	switch v := strings.TrimSpace(getenv(Env)); {
	case strings.EqualFold(v, "off"):
		return 0, "", nil
	case v != "":
		n, err := parseBytes(v)
		if err != nil || n < Min {
			return 0, "", fmt.Errorf("%s=%q: give a size of at least 1MiB, such as 4GiB or 512MB, or off", Env, v)
		}
		return n, Env, nil
	}
	if n := available(); n > 0 {
		return n / 10 * 9, "90% of the memory available", nil
	}
	return 0, "", nil
}

// parseBytes reads 512MB, 4GiB, 1.5G, 1048576.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	v, err := quantity.ParseNumber(num)
	if err != nil {
		return 0, err
	}
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1e3, "KIB": 1 << 10, "M": 1 << 20, "MB": 1e6, "MIB": 1 << 20,
		"G": 1 << 30, "GB": 1e9, "GIB": 1 << 30, "T": 1 << 40, "TB": 1e12, "TIB": 1 << 40}[strings.ToUpper(unit)]
	if mult == 0 || v <= 0 || v*mult > 1<<62 {
		return 0, fmt.Errorf("not a size")
	}
	return int64(v * mult), nil
}

// available is the memory this process may use: the cgroup's limit when
// one is set, else the system's MemAvailable; 0 when unknown.
func available() int64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 2 && fields[1] == "kB" {
				if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
					return n << 10
				}
			}
		}
	}
	return 0
}

// Watch applies the budget: the collector's soft limit at it, and every
// 50 ms a look at the heap; when the live heap after a collection still
// exceeds it, over is called (once) with the heap's size.
func Watch(budget int64, over func(heap int64)) (stop func()) {
	if budget <= 0 {
		return func() {}
	}
	old := debug.SetMemoryLimit(budget)
	done := make(chan struct{})
	go func() {
		samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(samples)
			live, objects := int64(samples[0].Value.Uint64()), int64(samples[1].Value.Uint64())
			// the heap's objects, garbage included, over the budget with
			// the collector at its limit: the live data is what is too big
			if objects > budget && live > budget/10*9 {
				over(objects)
				return
			}
		}
	}()
	return func() {
		close(done)
		debug.SetMemoryLimit(old)
	}
}
