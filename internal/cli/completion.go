package cli

import (
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/spf13/cobra"
)

// completeDevices offers the device ids of the planning repo.
func completeDevices(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, _ := f.Config()
		if cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		fleet, _ := planfile.LoadDevices(cfg.Devices)
		if fleet == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, d := range fleet.Devices {
			ids = append(ids, d.ID)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFeatures offers the backlog's feature ids (--explain).
func completeFeatures(f *Factory) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, _ := f.Config()
		if cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		backlog, _ := planfile.LoadFeatures(cfg.Features)
		if backlog == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, x := range backlog.Features {
			ids = append(ids, x.ID+"\t"+x.Title)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeThemes offers the backlog's theme ids (--theme).
func completeThemes(f *Factory) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, _ := f.Config()
		if cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		backlog, _ := planfile.LoadFeatures(cfg.Features)
		if backlog == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, t := range backlog.Themes {
			ids = append(ids, t.ID)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeSweep offers DEVICE.EVENT.PARAM= for every device, event and
// parameter (the values are the user's to type).
func completeSweep(f *Factory) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, _ := f.Config()
		if cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		fleet, _ := planfile.LoadDevices(cfg.Devices)
		if fleet == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, d := range fleet.Devices {
			for _, e := range d.Events {
				for _, p := range []string{"every", "current", "duration", "sf"} {
					out = append(out, d.ID+"."+e.Name+"."+p+"=")
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeKindPrefix offers "KIND=" for the flags that take KIND=VALUE
// (--format, --tz, --map as KIND.).
func completeKindPrefix(sep string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, k := range inputKinds {
			out = append(out, k+sep)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}
