//go:build !linux

package hugemem

// Advise: huge-page advice is Linux's (advise_linux.go).
func Advise[T any](s []T) {}
