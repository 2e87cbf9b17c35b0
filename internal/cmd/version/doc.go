// Package version is `iotpm version`: the build's version, commit and date.
package version
