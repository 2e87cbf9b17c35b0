package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/metrics"
)

// inputFiles lists the files of in (in.Files when the caller listed them):
// nil when its path names one file (or nothing: the open reports that as
// it always has).
func inputFiles(in Input) ([]string, error) {
	if in.Files != nil {
		return in.Files, nil
	}
	files, err := infile.Expand(in.Path)
	if err != nil {
		if !infile.IsPattern(in.Path) && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, &RowError{Path: in.Path, Reason: strings.TrimPrefix(err.Error(), in.Path+": ")}
	}
	if len(files) == 1 && files[0] == in.Path {
		return nil, nil
	}
	return files, nil
}

// readFiles reads an input of many files (a directory or a glob) as if
// they were one file, each with its header: in the order infile.Expand
// gives, into the same data, the rows of each file after those of the
// files before it (Data.StartFile: where the file's order decides between
// events at the same time). Every file must be read the same way — the
// same format (named, or detected for each file alike) and the same
// column for each role — or the run stops: a file without the sequence
// column, or with the device id under another name, would be read by
// other rules than the rest; an attribute's column may be missing from
// some (sameColumns). The stats are the files' summed, with Files their
// number; a bad row is reported at its own file and line.
//
// A file of no bytes at all (an empty object a delivery or a partitioned
// writer left, a folder marker) has no header and no row: it is left out
// and counted in EmptyFiles, which the ROWS table shows, where as the
// input's only file it is an error. Every file empty is an error too. A
// copy of another file with rows (copiesOf) is left out and listed in
// CopyFiles.
func (g *Ingest) readFiles(ctx context.Context, in Input, files []string) (*Stats, error) {
	var total *Stats
	var first string // the first file read
	// a file's size, -1 where it is not a regular file (the open says
	// what it is)
	sizes := make([]int64, len(files))
	var all, done int64
	for i, path := range files {
		sizes[i] = -1
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
			sizes[i] = info.Size()
			all += sizes[i]
		}
	}
	g.files = in.Path
	defer func() { g.files = "" }()
	if report := g.Progress; report != nil {
		// one progress over the files, not one restarting at each
		g.Progress = func(kind planfile.InputKind, read, _ int64) { report(kind, done+read, all) }
		g.began = time.Now()
		defer func() { g.Progress, g.began = report, time.Time{} }()
	}
	copies, err := copiesOf(ctx, files, sizes)
	if err != nil {
		return nil, err
	}
	early := map[int][]int{} // a file read → its copies listed before it, in order
	for c := range files {
		if of, ok := copies[c]; ok && of > c {
			early[of] = append(early[of], c)
		}
	}
	empty, read := 0, 0
	var reads []FileRead
	var copied []FileCopy
	rowsOf := map[int]int{}   // rows read from a file, by its index
	bound := map[string]int{} // files that read each role
	for i, path := range files {
		if sizes[i] == 0 {
			empty++
			continue
		}
		if j, ok := copies[i]; ok && (j > i || rowsOf[j] > 0) {
			// (a copy of a file of no rows — two header-only exports of
			// empty hours — adds nothing either way, and is no mistake;
			// one whose original comes later is named when that is read)
			if j < i {
				copied = append(copied, FileCopy{path, files[j]})
			}
			done += sizes[i]
			continue
		}
		one := in
		one.Path = path
		g.Data.StartFile(i)
		st, err := g.read(ctx, one)
		if err != nil {
			return nil, err
		}
		done += max(sizes[i], 0)
		read++
		reads = append(reads, FileRead{Path: path, Read: st.Read, Earliest: st.Earliest, Latest: st.Latest})
		rowsOf[i] = st.Read
		if st.Read > 0 {
			for _, c := range early[i] {
				copied = append(copied, FileCopy{files[c], path}) // met before its original
			}
		}
		for role := range st.Columns {
			bound[role]++
		}
		if total == nil {
			total, first = st, path
			total.Columns = maps.Clone(st.Columns)
			continue
		}
		if st.Format != total.Format {
			// each file detected on its own: one with another shape (a
			// sequence column the first lacks) would otherwise be read by
			// the first's rules, its ordering column unread
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("reads as format %s, but %s, the first file of %s, as %s: the files of one input are read one way; name the format (format: in iotpm.yaml, or --format %s=NAME) to read them all with it, or read them as separate exports",
				st.Format, first, in.Path, total.Format, in.Kind)}
		}
		if !sameColumns(in.Kind, total.Columns, st.Columns) {
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("read as %s (%s), but %s, the first file of %s, reads %s: the files of one input must have the same columns for its roles; read them as separate exports, or map the columns with map:",
				st.Format, columnsText(st.Columns), first, in.Path, columnsText(total.Columns))}
		}
		for role, col := range st.Columns {
			// the most columns a file reads the role from is what it is
			// read from where the files have them
			if have, ok := total.Columns[role]; !ok || strings.Count(col, "|") > strings.Count(have, "|") {
				total.Columns[role] = col
			}
		}
		total.sum(st)
	}
	g.Data.StartFile(0)
	if total == nil {
		reason := fmt.Sprintf("all %d files are empty (no byte, not even a header): nothing to read", len(files))
		if len(files) == 1 {
			reason = fmt.Sprintf("its only file, %s, is empty (no byte, not even a header): nothing to read", files[0])
		}
		return nil, &RowError{Path: in.Path, Reason: reason}
	}
	total.Path, total.Files, total.EmptyFiles, total.FileReads, total.CopyFiles = in.Path, len(files), empty, reads, copied
	for role, n := range bound {
		if n < read {
			if total.ColumnFiles == nil {
				total.ColumnFiles = map[string]int{}
			}
			total.ColumnFiles[role] = n
		}
	}
	return total, nil
}

// copiesOf finds the files of an input that hold the same bytes as
// another — a second download of one export ("tickets (1).csv"), the same
// object synced twice — which read again would count every row twice
// (events are used once, but tickets, usage and the funnel's attempts
// would not be): index → the index of the file read in its place (the
// first not named as a copy, see copyName; else the first). Only files
// of equal size are compared, by SHA-256 of their bytes, so a directory
// of distinct exports costs a stat each; and a file kept beside its
// gzipped copy (NAME and NAME.gz), when the trailer's size matches.
func copiesOf(ctx context.Context, files []string, sizes []int64) (map[int]int, error) {
	bySize := map[int64][]int{}
	for i, n := range sizes {
		if n > 0 {
			bySize[n] = append(bySize[n], i)
		}
	}
	copies := map[int]int{}
	for _, group := range bySize {
		if len(group) < 2 {
			continue
		}
		same := map[[sha256.Size]byte][]int{}
		var sums [][sha256.Size]byte
		for _, i := range group { // in file order
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			sum, err := fileSum(files[i])
			if err != nil {
				continue // the read reports it
			}
			if same[sum] == nil {
				sums = append(sums, sum)
			}
			same[sum] = append(same[sum], i)
		}
		for _, sum := range sums {
			// the one read: the first whose name is no download's or a
			// file manager's duplicate ("tickets (1).csv", "tickets
			// copy.csv"), else the first
			kinds := same[sum]
			keep := kinds[0]
			for _, i := range kinds {
				if !copyName(files[i]) {
					keep = i
					break
				}
			}
			for _, i := range kinds {
				if i != keep {
					copies[i] = keep
				}
			}
		}
	}
	// a file kept beside its compressed copy (gzip -k): NAME and NAME.gz
	// holding the same rows
	at := map[string]int{}
	for i, f := range files {
		at[f] = i
	}
	for i, f := range files {
		j, ok := at[strings.TrimSuffix(f, ".gz")]
		if !strings.HasSuffix(f, ".gz") || !ok || sizes[j] <= 0 {
			continue
		}
		if _, done := copies[max(i, j)]; done {
			continue
		}
		if same, err := sameAsGunzipped(ctx, files[j], f, sizes[j]); err != nil {
			return nil, err
		} else if same {
			copies[max(i, j)] = min(i, j)
		}
	}
	return copies, nil
}

// copyName says whether a file's name is one a browser or a file manager
// gives a second copy: "NAME (1).csv", "NAME copy.csv", "NAME - Copy.csv",
// "NAME copy 2.csv".
func copyName(path string) bool {
	name := filepath.Base(path)
	for {
		ext := filepath.Ext(name)
		if ext == "" || len(ext) > 5 {
			break
		}
		name = strings.TrimSuffix(name, ext) // .csv.gz: both
	}
	name = strings.ToLower(strings.TrimRight(name, " "))
	if i := strings.LastIndex(name, " ("); i >= 0 && strings.HasSuffix(name, ")") {
		if n := name[i+2 : len(name)-1]; n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	name = strings.TrimRight(name, "0123456789 ")
	return strings.HasSuffix(name, " copy") || strings.HasSuffix(name, " - copy")
}

// sameAsGunzipped says whether the gzip file gz holds the bytes of the
// file plain, of size n: the gzip trailer's size (mod 2^32) first, then
// the bytes themselves. A gzip file that does not read says false (its
// read reports it).
func sameAsGunzipped(ctx context.Context, plain, gz string, n int64) (bool, error) {
	g, err := os.Open(gz)
	if err != nil {
		return false, nil
	}
	defer g.Close()
	var trailer [4]byte
	if info, err := g.Stat(); err != nil || info.Size() < 18 {
		return false, nil
	} else if _, err := g.ReadAt(trailer[:], info.Size()-4); err != nil || binary.LittleEndian.Uint32(trailer[:]) != uint32(n) {
		return false, nil
	}
	zr, err := gzip.NewReader(g)
	if err != nil {
		return false, nil
	}
	p, err := os.Open(plain)
	if err != nil {
		return false, nil
	}
	defer p.Close()
	a, b := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		na, errA := io.ReadFull(p, a)
		nb, errB := io.ReadFull(zr, b)
		if na != nb || !bytes.Equal(a[:na], b[:nb]) {
			return false, nil
		}
		endA, endB := errA == io.EOF || errA == io.ErrUnexpectedEOF, errB == io.EOF || errB == io.ErrUnexpectedEOF
		switch {
		case endA && endB:
			return true, nil
		case errA != nil && !endA, errB != nil && !endB, endA != endB:
			return false, nil
		}
	}
}

// fileSum is the SHA-256 of a file's bytes.
func fileSum(path string) (sum [sha256.Size]byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}

// sameColumns says whether two files of one input read their roles alike:
// each role read by both from the same column (or columns alike:
// coalescedAlike), and a role only one of
// them reads an attribute — an optional role that does not order events
// (the device set up, the app's platform; a device's model or firmware):
// JSON exports write a key only where an event has it (Amplitude's hourly
// file without a setup event has no event_properties.device_id), and a
// file without the column is a file whose rows have no value for it. The
// files that lack one are counted (Stats.ColumnFiles) and shown. The
// sequence and the session are not attributes: events with and without
// them are ordered by other rules.
func sameColumns(kind planfile.InputKind, a, b map[string]string) bool {
	for _, name := range slices.Concat(slices.Collect(maps.Keys(a)), slices.Collect(maps.Keys(b))) {
		ca, inA := a[name]
		cb, inB := b[name]
		if inA && inB {
			if ca != cb && !coalescedAlike(ca, cb) {
				return false
			}
			continue
		}
		at := slices.IndexFunc(kindRoles[kind], func(r int) bool { return roleNames[r] == name })
		if at < requiredRoles[kind] || kindRoles[kind][at] == roleSequence || kindRoles[kind][at] == roleSession {
			return false // a required role, an ordering one, or none of the kind's
		}
	}
	return true
}

// coalescedAlike says whether two bindings of a role to several columns
// read the same value: a row reads the first non-empty of the format's
// columns for the role that its file has ("amplitude_id|device_id|
// user_id"), so a file without one of them ("amplitude_id|user_id": a
// JSON file whose events all lack device_id) reads as if it were there
// and empty — the columns of one must be the other's, in its order.
func coalescedAlike(a, b string) bool {
	as, bs := strings.Split(a, "|"), strings.Split(b, "|")
	if len(as) > len(bs) {
		as, bs = bs, as
	}
	if len(bs) == 1 {
		return false // two single columns that differ
	}
	i := 0
	for _, c := range bs {
		if i < len(as) && as[i] == c {
			i++
		}
	}
	return i == len(as)
}

// sum adds a later file's stats into s (its examples come after s's).
func (s *Stats) sum(o *Stats) {
	s.Read += o.Read
	s.Used += o.Used
	s.Outside += o.Outside
	s.Preamble += o.Preamble
	for k, n := range o.Skipped {
		s.Skipped[k] += n
	}
	for k, n := range o.Ignored {
		s.Ignored[k] += n
	}
	for _, e := range o.Errors {
		if len(s.Errors) < MaxListedErrors {
			s.Errors = append(s.Errors, e)
		}
	}
	s.TimeNotes.merge(o.TimeNotes)
	s.Status.add(o.Status)
	if o.Earliest != metrics.NoTime {
		s.widen(o.Earliest, o.Latest)
	}
	s.Busy.or(o.Busy)
}

// columnsText lists a binding's columns, role by role.
func columnsText(cols map[string]string) string {
	var parts []string
	for _, role := range slices.Sorted(maps.Keys(cols)) {
		parts = append(parts, role+" from "+cols[role])
	}
	if len(parts) == 0 {
		return "no columns"
	}
	return strings.Join(parts, ", ")
}
