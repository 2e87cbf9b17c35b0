//go:build !linux

package export

// adviseHuge: huge-page advice is Linux's (hugepages_linux.go).
func adviseHuge[T any](s []T) {}
