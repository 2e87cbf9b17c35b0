package cmdutil

import (
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/energy"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/spf13/cobra"
)

// completeFrom builds a completion from what load reads from the planning
// repo (nil when it cannot be read): completions offer what is there, and
// offer nothing rather than fail.
func completeFrom[T any](f *Factory, load func(*planfile.Config) *T, list func(*T) []string, dir cobra.ShellCompDirective) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		if cfg, _ := f.Config(); cfg != nil {
			if v := load(cfg); v != nil {
				return list(v), cobra.ShellCompDirectiveNoFileComp | dir
			}
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

func loadBacklog(cfg *planfile.Config) *planfile.Backlog {
	b, _ := planfile.LoadFeatures(cfg.Features)
	return b
}

func loadFleet(cfg *planfile.Config) *planfile.Fleet {
	fl, _ := planfile.LoadDevices(cfg.Devices)
	return fl
}

// CompleteDevices offers the device ids of the planning repo.
func CompleteDevices(f *Factory) cobra.CompletionFunc {
	return completeFrom(f, loadFleet, func(fleet *planfile.Fleet) (ids []string) {
		for _, d := range fleet.Devices {
			ids = append(ids, d.ID)
		}
		return ids
	}, 0)
}

// CompleteFeatures offers the backlog's feature ids, with titles (--explain).
func CompleteFeatures(f *Factory) cobra.CompletionFunc {
	return completeFrom(f, loadBacklog, func(backlog *planfile.Backlog) (ids []string) {
		for _, x := range backlog.Features {
			ids = append(ids, x.ID+"\t"+x.Title)
		}
		return ids
	}, 0)
}

// CompleteThemes offers the backlog's theme ids (--theme).
func CompleteThemes(f *Factory) cobra.CompletionFunc {
	return completeFrom(f, loadBacklog, func(backlog *planfile.Backlog) (ids []string) {
		for _, t := range backlog.Themes {
			ids = append(ids, t.ID)
		}
		return ids
	}, 0)
}

// CompleteSweep offers DEVICE.EVENT.PARAM= for every device, event and
// parameter (the values are the user's to type).
func CompleteSweep(f *Factory) cobra.CompletionFunc {
	return completeFrom(f, loadFleet, func(fleet *planfile.Fleet) (out []string) {
		for _, d := range fleet.Devices {
			for _, e := range d.Events {
				for _, p := range []energy.Param{energy.ParamEvery, energy.ParamCurrent, energy.ParamDuration, energy.ParamSF} {
					out = append(out, d.ID+"."+e.Name+"."+string(p)+"=")
				}
			}
		}
		return out
	}, cobra.ShellCompDirectiveNoSpace)
}

// CompleteKindPrefix offers "KIND=" for the flags that take KIND=VALUE
// (--format, --tz, --map as KIND.).
func CompleteKindPrefix(sep string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, k := range planfile.InputKinds {
			out = append(out, string(k)+sep)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// CompleteTracks offers the tracks (--track).
func CompleteTracks(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	names := make([]string, len(rice.Tracks))
	for i, t := range rice.Tracks {
		names[i] = string(t)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
