// Package tzdb loads IANA time zones from the copy of the zone database
// iotpm carries (internal/tzdb/zoneinfo.zip: tzdata 2025c, as Go 1.26
// ships it), never from the machine's /usr/share/zoneinfo or $ZONEINFO:
// Go's time.LoadLocation prefers those, so the same planning repo could
// read timestamps differently on a laptop, a CI runner and a container
// with stale or edited zone files. Update the copy with a Go release:
//
//	cp "$(go env GOROOT)/lib/time/zoneinfo.zip" internal/tzdb/
package tzdb

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"sync"
	"time"
)

// Version is the IANA release of the embedded database.
const Version = "2025c"

//go:embed zoneinfo.zip
var zipData []byte

var (
	once  sync.Once
	files map[string]*zip.File
	cache sync.Map // name → *time.Location
)

func index() {
	r, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		panic("tzdb: the embedded zone database does not open: " + err.Error())
	}
	files = make(map[string]*zip.File, len(r.File))
	for _, f := range r.File {
		files[f.Name] = f
	}
}

// Load returns the zone named (Europe/Berlin, UTC) from the embedded
// database.
func Load(name string) (*time.Location, error) {
	if name == "UTC" {
		return time.UTC, nil
	}
	if loc, ok := cache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	once.Do(index)
	f, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		return nil, err
	}
	cache.Store(name, loc)
	return loc, nil
}
