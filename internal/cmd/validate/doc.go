// Package validate is `iotpm validate`: planning files checked without
// computing anything.
package validate
