// Package hugemem asks the kernel for huge pages under large arrays that a
// reader fills row by row, before it first writes them.
package hugemem

import (
	"syscall"
	"unsafe"
)

// Advise asks the kernel to back a large array with transparent huge
// pages where the system leaves that to the program (the default
// "madvise" mode): the parallel reader writes every row of a 10M-event
// export into arrays of 120 MB, and in a virtual machine faulting them in
// 4 KB pages cost a quarter of the parse. Only advice: the call's result
// is ignored, and the memory stays the Go heap's. It helps only before
// the array's first write: call it right after make.
func Advise[T any](s []T) {
	const huge = 2 << 20
	n := uintptr(cap(s)) * unsafe.Sizeof(*new(T))
	if n < 2*huge {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	start := uintptr(p)
	lo, hi := (start+huge-1)&^(huge-1), (start+n)&^(huge-1)
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo), 14) // MADV_HUGEPAGE
}
