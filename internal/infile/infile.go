// Package infile opens the files iotpm reads — planning files, exports,
// surveys — without blocking on what is not a regular file: a FIFO named
// as iotpm.yaml or an export would otherwise hang the run until something
// writes to it, and a pull request controls those names.
package infile

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrNotRegular is returned for a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading without blocking (O_NONBLOCK: opening a FIFO
// returns at once) and checks, on the open file, that it is a regular
// file or a directory (the caller says what a directory is not). The
// flag changes nothing for a regular file's reads.
func Open(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		f.Close()
		return nil, info, fmt.Errorf("%w (%s)", ErrNotRegular, info.Mode().Type())
	}
	return f, info, nil
}
