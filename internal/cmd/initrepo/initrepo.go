package initrepo

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/iotpm/iotpm/internal/build"
	"github.com/iotpm/iotpm/internal/failure"

	"github.com/iotpm/iotpm/internal/cmd/schema"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/planfile"

	"github.com/iotpm/iotpm/internal/outfile"
	"github.com/spf13/cobra"
)

//go:embed templates/*.tmpl
var templates embed.FS

// initFiles maps each file iotpm init writes to its template.
var initFiles = []struct{ path, template string }{
	{"iotpm.yaml", "iotpm.yaml.tmpl"},
	{"features.yaml", "features.yaml.tmpl"},
	{"devices.yaml", "devices.yaml.tmpl"},
	{"economics.yaml", "economics.yaml.tmpl"},
	{"exports/README.md", "exports-README.md.tmpl"},
	{".github/workflows/iotpm.yml", "workflow.yml.tmpl"},
	{".gitignore", "gitignore.tmpl"},
}

// NewCmdInit builds `iotpm init`.
func NewCmdInit(f *cmdutil.Factory) *cobra.Command {
	var force, missing bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a planning repo that iotpm check passes right away",
		Long: `Create a working planning repo in DIR (default: the current directory, or -C):
iotpm.yaml, features.yaml and devices.yaml with commented examples, an exports/
folder with a README of the expected columns, a GitHub Actions workflow that
runs iotpm check, and the JSON Schemas the files' modelines point editors to.
Existing files are never overwritten unless --force; --missing writes only
the files that are not there (a repo that has some of them already).`,
		Example: `  iotpm init my-product && iotpm check -C my-product

  # add what an existing planning repo lacks (the workflow, the schemas…)
  iotpm init --missing`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := f.Dir
			if len(args) == 1 {
				dir = f.Path(args[0])
			}
			return initRun(f, dir, force, missing)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	cmd.Flags().BoolVar(&missing, "missing", false, "write only the files that are not there; keep the others")
	cmd.MarkFlagsMutuallyExclusive("force", "missing")
	cmdutil.DeclareFormats(cmd, cmdutil.NoFormats)
	cmdutil.DisableRepoCheck(cmd) // it writes one
	return cmd
}

// actionRef is the ref of the GitHub Action the new workflow uses: the
// release of this binary (so CI runs the iotpm that wrote the repo), or main
// for a build that is no release.
func actionRef(version string) string {
	if strings.HasPrefix(version, "v") && !pseudoVersion.MatchString(version) {
		return version
	}
	return "main"
}

// pseudoVersion is the tail of a Go pseudo-version (v0.0.0-20261202153000-
// abcdef123456): go install …@commit, not a release tag.
var pseudoVersion = regexp.MustCompile(`[-.]\d{14}-[0-9a-f]{12}$`)

func initRun(f *cmdutil.Factory, dir string, force, missing bool) error {
	now := f.Now().UTC()
	firstOfNext := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	data := map[string]string{
		"Start":     firstOfNext.Format(time.DateOnly),
		"End":       firstOfNext.AddDate(1, 6, -1).Format(time.DateOnly),
		"RevB":      firstOfNext.AddDate(0, 6, 0).Format(time.DateOnly),
		"LastMonth": time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01"),
		"ActionRef": actionRef(build.String()),
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
	if len(existing) > 0 && !force && !missing {
		return failure.UsageErrorf("%s already has %s; nothing was written (use --missing to add the others, --force to overwrite)", dir, strings.Join(existing, ", "))
	}
	keep := func(p string) bool { return missing && slices.Contains(existing, p) }
	// every target checked before any is written: a refusal (a link in
	// the way, a directory where a file goes) leaves no half-made repo
	for _, p := range paths {
		if keep(p) {
			continue
		}
		if err := outfile.CheckUnder(dir, filepath.Join(dir, p)); err != nil {
			if errors.Is(err, outfile.ErrRefused) {
				return failure.UsageErrorf("%v; nothing was written", err)
			}
			return err
		}
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
	var written []string
	for _, file := range initFiles {
		if keep(file.path) {
			continue
		}
		path := filepath.Join(dir, file.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := f.WriteFile(path, rendered[file.path]); err != nil {
			return err
		}
		written = append(written, file.path)
	}
	schemas := 0
	if err := schema.WriteFilesIf(filepath.Join(dir, ".iotpm", "schema"), func(name string) bool {
		w := !keep(filepath.Join(".iotpm", "schema", name))
		if w {
			schemas++
		}
		return w
	}); err != nil {
		return err
	}
	verb := "Created a planning repo in"
	if missing {
		verb = "Added what was missing to"
	}
	fmt.Fprintf(f.IO.ErrOut, "%s %s:\n", verb, dir)
	for _, p := range written {
		fmt.Fprintf(f.IO.ErrOut, "  %s\n", p)
	}
	if schemas > 0 {
		fmt.Fprintf(f.IO.ErrOut, "  .iotpm/schema/ (JSON Schemas for editors)\n")
	}
	if missing && len(existing) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Kept: %s\n", strings.Join(existing, ", "))
	}
	fmt.Fprintf(f.IO.ErrOut, "Next: iotpm check -C %s\n", dir)
	return nil
}
