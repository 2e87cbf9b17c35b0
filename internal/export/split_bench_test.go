package export

import (
	"bytes"
	"testing"
)

// splitIndexByte is the split splitPlain replaced (a scan for the quote,
// then IndexByte a field): BenchmarkSplitLine compares them.
func splitIndexByte(line []byte, delim byte, fields [][]byte) ([][]byte, bool) {
	if bytes.IndexByte(line, '"') >= 0 {
		return fields, false
	}
	for {
		i := bytes.IndexByte(line, delim)
		if i < 0 {
			return append(fields, line), true
		}
		fields = append(fields, line[:i])
		line = line[i+1:]
	}
}

func BenchmarkSplitLine(b *testing.B) {
	for _, c := range []struct{ name, line string }{
		{"events", "dripsensor-lora-012345,1790812800263,disconnected"},
		{"amplitude", "2026-10-05 12:00:00.123456,setup_started,880001,,PHONE-0A1B2C3D,iOS,3.8.1,drip-000001"},
	} {
		line := []byte(c.line)
		fields := make([][]byte, 0, 16)
		b.Run(c.name+"/indexbyte", func(b *testing.B) {
			for b.Loop() {
				fields, _ = splitIndexByte(line, ',', fields[:0])
			}
		})
		b.Run(c.name+"/swar", func(b *testing.B) {
			for b.Loop() {
				fields, _ = splitPlain(line, ',', fields[:0])
			}
		})
	}
}
