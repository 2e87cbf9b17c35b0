// Package flagtest runs one command's flag parsing in a test, through the
// runF seam of its NewCmdX (gh's style), or its run function on options the
// test fills (RunFactory): no command tree, no process. It does not import
// the root, so a command's own (internal) tests can use it.
package flagtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/spf13/cobra"
)

// Factory is a Factory with test streams and an empty environment.
func Factory() *cmdutil.Factory {
	ios, _, _ := iostreams.Test()
	return &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }}
}

// RunFactory is a command's dependencies for a test of its run function
// alone (gh's Test_xRun): test streams, the planning repo dir, -o output
// ("": the command's default) and env as the whole environment.
func RunFactory(dir, output string, env map[string]string) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	ios, stdout, stderr := iostreams.Test()
	return &cmdutil.Factory{IO: ios, Getenv: func(k string) string { return env[k] }, Dir: dir, Output: output}, stdout, stderr
}

// Parse runs cmd with the space-separated args and checks its error: none
// when wantErr is "", else one containing wantErr. It reports whether the
// command ran, so the caller checks the options runF captured.
func Parse(t *testing.T, cmd *cobra.Command, args, wantErr string) bool {
	t.Helper()
	var out strings.Builder
	cmd.SetArgs(strings.Fields(args))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.Execute()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("%s: %v", args, err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("%s: error %v, want %q", args, err, wantErr)
	}
	return err == nil
}
