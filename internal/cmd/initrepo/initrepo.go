package initrepo

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/iotpm/iotpm/internal/cmd/schema"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/planfile"

	"github.com/spf13/cobra"
)

//go:embed templates/*.tmpl
var templates embed.FS

// initFiles maps each file iotpm init writes to its template.
var initFiles = []struct{ path, template string }{
	{"iotpm.yaml", "iotpm.yaml.tmpl"},
	{"features.yaml", "features.yaml.tmpl"},
	{"devices.yaml", "devices.yaml.tmpl"},
	{"exports/README.md", "exports-README.md.tmpl"},
	{".github/workflows/iotpm.yml", "workflow.yml.tmpl"},
}

// NewCmdInit builds `iotpm init`.
func NewCmdInit(f *cmdutil.Factory) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a planning repo that iotpm check passes right away",
		Long: `Create a working planning repo in DIR (default: the current directory, or -C):
iotpm.yaml, features.yaml and devices.yaml with commented examples, an exports/
folder with a README of the expected columns, a GitHub Actions workflow that
runs iotpm check, and the JSON Schemas the files' modelines point editors to.
Existing files are never overwritten unless --force.`,
		Example: `  iotpm init my-product && iotpm check -C my-product`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := f.Dir
			if len(args) == 1 {
				dir = f.Path(args[0])
			}
			return initRun(f, dir, force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	cmdutil.DeclareFormats(cmd, cmdutil.NoFormats)
	return cmd
}

func initRun(f *cmdutil.Factory, dir string, force bool) error {
	now := f.Now().UTC()
	firstOfNext := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	data := map[string]string{
		"Start":     firstOfNext.Format(time.DateOnly),
		"End":       firstOfNext.AddDate(1, 6, -1).Format(time.DateOnly),
		"RevB":      firstOfNext.AddDate(0, 6, 0).Format(time.DateOnly),
		"LastMonth": time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01"),
	}
	// Lstat: a link to nowhere counts as existing (writing would follow it)
	var existing []string
	paths := []string{}
	for _, file := range initFiles {
		paths = append(paths, file.path)
	}
	for _, kind := range planfile.SchemaKinds() {
		paths = append(paths, filepath.Join(".iotpm", "schema", schema.FileNames[kind]))
	}
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			existing = append(existing, p)
		}
	}
	if len(existing) > 0 && !force {
		return cmdutil.UsageErrorf("%s already has %s; nothing was written (use --force to overwrite)", dir, strings.Join(existing, ", "))
	}
	rendered := map[string][]byte{}
	for _, file := range initFiles {
		t, err := template.ParseFS(templates, "templates/"+file.template)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return err
		}
		rendered[file.path] = b.Bytes()
	}
	for _, file := range initFiles {
		path := filepath.Join(dir, file.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := f.WriteFile(path, rendered[file.path]); err != nil {
			return err
		}
	}
	if err := schema.WriteFiles(filepath.Join(dir, ".iotpm", "schema")); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Created a planning repo in %s:\n", dir)
	for _, file := range initFiles {
		fmt.Fprintf(f.IO.ErrOut, "  %s\n", file.path)
	}
	fmt.Fprintf(f.IO.ErrOut, "  .iotpm/schema/ (JSON Schemas for editors)\nNext: iotpm check -C %s\n", dir)
	return nil
}
