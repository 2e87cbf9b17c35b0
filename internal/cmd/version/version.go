package version

import (
	"bytes"
	"fmt"
	"runtime"

	"github.com/iotpm/iotpm/internal/build"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// Formats are the -o formats of `iotpm version`.
var Formats = []render.Format{render.FormatTable, render.FormatJSON, render.FormatYAML}

// NewCmdVersion builds `iotpm version`, which also answers in JSON for bug
// reports and scripts.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the iotpm version and the commit it was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := f.Format(Formats)
			if err != nil {
				return err
			}
			v := struct {
				Version   string `json:"version"`
				Commit    string `json:"commit"`
				GoVersion string `json:"go_version"`
				Platform  string `json:"platform"`
			}{build.String(), build.Revision(), runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
			return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error {
				switch format {
				case render.FormatJSON, render.FormatYAML:
					return render.Structured(w, format, v)
				}
				commit := "commit unknown"
				if v.Commit != "" {
					commit = "commit " + v.Commit
				}
				_, err := fmt.Fprintf(w, "iotpm %s (%s, %s, %s)\n", v.Version, commit, v.GoVersion, v.Platform)
				return err
			})
		},
	}
	cmdutil.DeclareFormats(cmd, Formats)
	cmdutil.DisableRepoCheck(cmd)
	return cmd
}
