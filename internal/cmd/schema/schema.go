package schema

import (
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/outfile"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// FileNames are where iotpm init and --out-dir put the schemas.
var FileNames = map[string]string{
	"config": "iotpm.schema.json", "features": "features.schema.json", "devices": "devices.schema.json",
	"economics": "economics.schema.json",
}

// NewCmdSchema builds `iotpm schema`.
func NewCmdSchema(f *cmdutil.Factory) *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "schema [config|features|devices|economics]",
		Short: "Print the JSON Schema of a planning file, for editors and CI",
		Long: `Print the JSON Schema (draft 2020-12) of iotpm.yaml (config),
features.yaml, devices.yaml or economics.yaml. The schemas are generated
from the same Go types the loader decodes with, so they cannot drift.
Point editors at them with a modeline:

  # yaml-language-server: $schema=.iotpm/schema/features.schema.json

--out-dir DIR writes all four as DIR/<file>.schema.json
(iotpm, features, devices, economics).`,
		Example: `  iotpm schema features > features.schema.json
  iotpm schema --out-dir .iotpm/schema`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: planfile.SchemaKinds(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir != "" {
				if len(args) > 0 {
					return failure.UsageErrorf("--out-dir writes every schema; drop the kind")
				}
				dir := f.Path(outDir)
				for _, kind := range planfile.SchemaKinds() {
					if err := f.CheckInRepo(filepath.Join(dir, FileNames[kind])); err != nil {
						return err
					}
				}
				return WriteFiles(dir)
			}
			if len(args) == 0 {
				return failure.UsageErrorf("name a kind: config, features, devices or economics (or --out-dir DIR)")
			}
			s, err := planfile.Schema(args[0])
			if err != nil {
				return failure.UsageErrorf("%v", err)
			}
			format, err := f.Format(cmdutil.SchemaFormats)
			if err != nil {
				return err
			}
			return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error {
				return render.Structured(w, format, s)
			})
		},
	}
	cmd.Flags().StringVar(&outDir, "out-dir", "", "write every schema into DIR")
	_ = cmd.MarkFlagDirname("out-dir")
	cmdutil.DeclareFormats(cmd, cmdutil.SchemaFormats)
	cmdutil.DisableRepoCheck(cmd)
	return cmd
}

// WriteFiles writes every schema into dir, named by FileNames.
func WriteFiles(dir string) error { return WriteFilesIf(dir, func(string) bool { return true }) }

// WriteFilesIf writes the schemas into dir whose file name write accepts.
func WriteFilesIf(dir string, write func(name string) bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, kind := range planfile.SchemaKinds() {
		if !write(FileNames[kind]) {
			continue
		}
		s, err := planfile.Schema(kind)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := render.JSON(&b, s); err != nil {
			return err
		}
		if err := outfile.Write(filepath.Join(dir, FileNames[kind]), b.Bytes(), io.Discard); err != nil {
			return err
		}
	}
	return nil
}
