package cli

import (
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/spf13/cobra"
)

// FormatMermaid is the extra output format of commands with a chart: a
// Mermaid diagram (gantt, xychart) that GitHub renders.
const FormatMermaid render.Format = "mermaid"

// Every command declares the -o formats it writes; the first is its
// default. The declaration is the one source of the -o check (an
// unsupported format is a usage error naming the supported ones, before the
// command runs), of the -o completion and of the formats line in help.
var (
	dataFormats   = []render.Format{render.FormatTable, render.FormatJSON, render.FormatYAML, render.FormatCSV, render.FormatMarkdown}
	chartFormats  = append(dataFormats[:len(dataFormats):len(dataFormats)], FormatMermaid)
	reportFormats = []render.Format{render.FormatMarkdown}
	schemaFormats = []render.Format{render.FormatJSON, render.FormatYAML}
	noFormats     = []render.Format{}
)

const formatsAnnotation = "iotpm/formats"

// narrowFormat rejects a format the command declares in general but not
// with the flags given (--explain has no CSV; only --sweep draws a chart).
func narrowFormat(format render.Format, allowed []render.Format, why string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usageErrorf("invalid output format %q %s: use one of %s", format, why, strings.Join(formatNames(allowed), ", "))
}

// declareFormats records the formats cmd writes and says so in its help.
func declareFormats(cmd *cobra.Command, formats []render.Format) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	names := formatNames(formats)
	cmd.Annotations[formatsAnnotation] = strings.Join(names, ",")
	if len(formats) > 0 {
		cmd.Long += "\n\nOutput (-o): " + strings.Join(names, ", ") + "; default " + names[0] + "."
	}
}

func formatNames(formats []render.Format) []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return names
}

// declaredFormats returns what cmd declared; nil when it declared nothing
// (commands without output, such as help).
func declaredFormats(cmd *cobra.Command) ([]render.Format, bool) {
	s, ok := cmd.Annotations[formatsAnnotation]
	if !ok {
		return nil, false
	}
	var out []render.Format
	for _, name := range strings.Split(s, ",") {
		if name != "" {
			out = append(out, render.Format(name))
		}
	}
	return out, true
}

// checkOutputFlag rejects an -o the command does not write, and resolves
// an unset -o to the command's default.
func (f *Factory) checkOutputFlag(cmd *cobra.Command) error {
	formats, ok := declaredFormats(cmd)
	if !ok {
		return nil
	}
	if f.Output == "" {
		if len(formats) > 0 {
			f.Output = string(formats[0])
		}
		return nil
	}
	if len(formats) == 0 {
		return usageErrorf("%s writes files, not output: -o does not apply", cmd.CommandPath())
	}
	if _, err := render.ParseFormat(f.Output, formats); err != nil {
		return usageErrorf("%s: %v", cmd.CommandPath(), err)
	}
	return nil
}

// completeOutput completes -o with the formats of the command being typed.
func completeOutput(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	formats, _ := declaredFormats(cmd)
	return formatNames(formats), cobra.ShellCompDirectiveNoFileComp
}
