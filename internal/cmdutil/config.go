package cmdutil

import (
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/planfile"
)

// Config loads the planning repo's iotpm.yaml once (defaults when there is
// none). Problems in it, its own export formats' included, are returned
// as diagnostics.
func (f *Factory) Config() (*planfile.Config, diag.List) {
	if f.config == nil && f.configDiags == nil {
		f.config, f.configDiags = planfile.LoadConfigWith(f.Dir, export.CheckFormats)
		if f.configDiags == nil {
			f.configDiags = diag.List{}
		}
	}
	return f.config, f.configDiags
}

// PlanningFile resolves a command's FILE argument, or the config's default.
func (f *Factory) PlanningFile(arg string, fromConfig func(*planfile.Config) string) (string, error) {
	if arg != "" {
		return f.Path(arg), nil
	}
	cfg, diags := f.Config()
	if err := ReportProblems(f, diags); err != nil {
		return "", err
	}
	return fromConfig(cfg), nil
}
