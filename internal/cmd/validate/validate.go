package validate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// ValidateOptions are the inputs of `iotpm validate`.
type ValidateOptions struct {
	Factory *cmdutil.Factory
	Files   []string
}

// fileKind is a kind of planning file validate knows how to check.
type fileKind struct {
	name    string
	matches func(base string) bool
	check   func(path string) (summary string, diags diag.List)
}

var fileKinds = []fileKind{
	{
		name:    "config",
		matches: func(base string) bool { return base == "iotpm.yaml" || base == "iotpm.yml" },
		check: func(path string) (string, diag.List) {
			cfg, diags := planfile.LoadConfigWith(filepath.Dir(path), export.CheckFormats)
			if cfg == nil {
				return "", diags
			}
			return "iotpm.yaml", append(diags, references(cfg)...)
		},
	},
	{
		name:    "features",
		matches: func(base string) bool { return strings.HasPrefix(base, "features") },
		check: func(path string) (string, diag.List) {
			b, diags := planfile.LoadFeatures(path)
			if b == nil {
				return "", diags
			}
			return render.Plural(len(b.Features), "feature") + ", " + render.Plural(len(b.Themes), "theme"), diags
		},
	},
	{
		name:    "devices",
		matches: func(base string) bool { return strings.HasPrefix(base, "devices") },
		check: func(path string) (string, diag.List) {
			fleet, diags := planfile.LoadDevices(path)
			if fleet == nil {
				return "", diags
			}
			if len(fleet.Mains) > 0 {
				return render.Plural(len(fleet.Devices)+len(fleet.Mains), "device") + fmt.Sprintf(", %d on mains power", len(fleet.Mains)), diags
			}
			return render.Plural(len(fleet.Devices), "device"), diags
		},
	},
	{
		name:    "economics",
		matches: func(base string) bool { return strings.HasPrefix(base, "economics") },
		// its models are device ids: it is checked against the
		// devices.yaml beside it (whose own problems are its own)
		check: func(path string) (string, diag.List) {
			var fleet *planfile.Fleet
			if devices := filepath.Join(filepath.Dir(path), "devices.yaml"); fileExists(devices) {
				if fleet, _ = planfile.LoadDevices(devices); fleet == nil {
					fleet = planfile.UnreadFleet
				}
			}
			e, diags := planfile.LoadEconomics(path, fleet)
			if e == nil {
				return "", diags
			}
			return render.Plural(len(e.Models), "model") + ", " + e.Currency, diags
		},
	},
}

// references are the problems of what iotpm.yaml names in the other
// files: the devices.yaml profiles of metrics.models and of the per-model
// rate gates, the economics.yaml models of gates.economics.models. A file
// that is missing or has problems of its own is left to its own check.
func references(cfg *planfile.Config) diag.List {
	if !fileExists(cfg.Devices) {
		if cfg.DevicesExplicit {
			return nil // reported as missing
		}
		return fleetmetrics.CheckModelNames(cfg, nil)
	}
	fleet, d := planfile.LoadDevices(cfg.Devices)
	if d.HasErrors() {
		return nil
	}
	problems := fleetmetrics.CheckModelNames(cfg, fleet)
	if fileExists(cfg.Economics) {
		if e, d := planfile.LoadEconomics(cfg.Economics, fleet); !d.HasErrors() {
			problems = append(problems, planning.CheckEconomicsGateModels(cfg, e)...)
		}
	}
	return problems
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// NewCmdValidate builds `iotpm validate`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "validate [FILE...]",
		Short: "Check planning files without computing anything",
		Long: `Check planning files and report every problem as path:line:col: message.
The kind of file is told by its name (features*.yaml, devices*.yaml,
economics*.yaml). With no FILE, the planning repo's features.yaml,
devices.yaml and economics.yaml are checked (those that exist; features.yaml
must). Exit 0 when all are valid, 2 when not.`,
		Example: `  iotpm validate
  iotpm validate -C examples/leak-sensor features.yaml
  iotpm validate -o json features.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return validateRun(opts)
		},
	}
	cmdutil.DeclareFormats(cmd, cmdutil.DataFormats)
	return cmd
}

type validateFileJSON struct {
	Path     string            `json:"path"`
	Kind     string            `json:"kind"`
	Valid    bool              `json:"valid"`
	Summary  string            `json:"summary,omitempty"`
	Problems []diag.Diagnostic `json:"problems"`
}

func validateRun(opts *ValidateOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	var paths []string
	for _, file := range opts.Files {
		paths = append(paths, f.Path(file))
	}
	var all diag.List
	var results []validateFileJSON
	if len(paths) == 0 {
		cfg, diags := f.Config()
		if cfg == nil {
			return cmdutil.ReportProblems(f, diags)
		}
		if cfg.File != "" {
			diags = append(diags, references(cfg)...).Sort()
			results = append(results, validateFileJSON{Path: cfg.File, Kind: "config", Valid: !diags.HasErrors(), Summary: "iotpm.yaml", Problems: append([]diag.Diagnostic{}, diags...)})
			all = append(all, diags...)
		}
		paths = []string{cfg.Features}
		if _, err := os.Stat(cfg.Devices); err == nil || cfg.DevicesExplicit {
			paths = append(paths, cfg.Devices)
		}
		if _, err := os.Stat(cfg.Economics); err == nil || cfg.EconomicsExplicit {
			paths = append(paths, cfg.Economics)
		}
	}
	// iotpm.yaml may give the files other names (features: backlog.yaml)
	named := map[string]string{}
	if cfg, _ := f.Config(); cfg != nil {
		named[absPath(cfg.Features)] = "features"
		named[absPath(cfg.Devices)] = "devices"
		named[absPath(cfg.Economics)] = "economics"
	}
	for _, path := range paths {
		res := validateFileJSON{Path: path, Problems: []diag.Diagnostic{}}
		kind := kindOf(path)
		if name, ok := named[absPath(path)]; ok {
			kind = kindNamed(name)
		}
		var diags diag.List
		if kind == nil {
			diags.Errorf(diag.File, path, 0, 0, "cannot tell what kind of planning file this is; name it features.yaml, devices.yaml or economics.yaml (or features-*.yaml, …), or name it in iotpm.yaml (features: %s)", filepath.Base(path))
		} else {
			res.Kind = kind.name
			res.Summary, diags = kind.check(path)
		}
		diags = diags.Sort()
		res.Valid = !diags.HasErrors()
		res.Problems = append(res.Problems, diags...)
		results = append(results, res)
		all = append(all, diags...)
	}
	if format == render.FormatJSON || format == render.FormatYAML {
		doc := struct {
			Valid bool               `json:"valid"`
			Files []validateFileJSON `json:"files"`
		}{!all.HasErrors(), results}
		if err := cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error {
			return render.Structured(w, format, doc)
		}); err != nil {
			return err
		}
		if all.HasErrors() {
			return &failure.InvalidInputError{Diagnostics: all}
		}
		return nil
	}
	if err := cmdutil.ReportProblems(f, all); err != nil {
		return err
	}
	if format == render.FormatCSV || format == render.FormatMarkdown {
		t := &render.Table{Columns: []render.Column{{Header: "FILE"}, {Header: "KIND"}, {Header: "VALID"}, {Header: "SUMMARY"}}}
		for _, r := range results {
			t.Append(r.Path, r.Kind, strconv.FormatBool(r.Valid), r.Summary)
		}
		return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return render.Write(w, format, nil, t, term) })
	}
	return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error {
		for _, r := range results {
			fmt.Fprint(w, render.Wrap(fmt.Sprintf("%s: ok (%s: %s)", r.Path, r.Kind, r.Summary), term.Width))
		}
		return nil
	})
}

func kindNamed(name string) *fileKind {
	for i := range fileKinds {
		if fileKinds[i].name == name {
			return &fileKinds[i]
		}
	}
	return nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func kindOf(path string) *fileKind {
	base := strings.ToLower(filepath.Base(path))
	if ext := filepath.Ext(base); ext != ".yaml" && ext != ".yml" {
		return nil
	}
	for i := range fileKinds {
		if fileKinds[i].matches(base) {
			return &fileKinds[i]
		}
	}
	return nil
}
