package tzdb

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A machine's zone files do not change what iotpm reads: with ZONEINFO
// pointing at a database whose Europe/Berlin is UTC+05:30 all year, Load still
// gives Berlin's rules (CEST in July), while time.LoadLocation follows the
// forged file.
func TestEmbeddedWinsOverZONEINFO(t *testing.T) {
	dir := t.TempDir()
	forged := filepath.Join(dir, "Europe", "Berlin")
	if err := os.MkdirAll(filepath.Dir(forged), 0o755); err != nil {
		t.Fatal(err)
	}
	// India's TZif file (+05:30 all year) standing in for Berlin
	once.Do(index)
	rc, err := files["Asia/Kolkata"].Open()
	if err != nil {
		t.Fatal(err)
	}
	kolkata, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(forged, kolkata, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ZONEINFO", dir)
	sys, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	july := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	if _, off := july.In(sys).Zone(); off != 5*3600+1800 {
		t.Fatalf("the forged file was not read by time.LoadLocation (offset %d): the test proves nothing", off)
	}
	loc, err := Load("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if name, off := july.In(loc).Zone(); name != "CEST" || off != 2*3600 {
		t.Errorf("Load(Europe/Berlin) in July = %s %+d, want CEST +7200", name, off)
	}
}

func TestLoad(t *testing.T) {
	for _, name := range []string{"UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"} {
		if _, err := Load(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Load("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone loaded")
	}
	if _, err := Load("../../etc/passwd"); err == nil {
		t.Error("a path loaded as a zone")
	}
}
