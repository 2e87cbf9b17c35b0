package cli

import (
	"bytes"
	"fmt"

	"github.com/iotpm/iotpm/internal/diag"
)

// emit renders a command's whole output into memory first and writes it only
// when rendering succeeded, so a failure never leaves half a document on
// stdout for a script to consume.
func emit(f *Factory, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	_, err := f.IO.Out.Write(buf.Bytes())
	return err
}

// report prints diagnostics to stderr, sorted. When any is an error it
// returns an InvalidInputError for Main to turn into exit 2.
func report(f *Factory, diags diag.List) error {
	for _, d := range diags.Sort() {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if diags.HasErrors() {
		return &InvalidInputError{Diagnostics: diags}
	}
	return nil
}
