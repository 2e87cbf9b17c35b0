package cmdutil

import (
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/failure"
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
	DataFormats   = []render.Format{render.FormatTable, render.FormatJSON, render.FormatYAML, render.FormatCSV, render.FormatMarkdown}
	ChartFormats  = append(DataFormats[:len(DataFormats):len(DataFormats)], FormatMermaid)
	MarkdownOnly  = []render.Format{render.FormatMarkdown}
	SchemaFormats = []render.Format{render.FormatJSON, render.FormatYAML}
	NoFormats     = []render.Format{}
)

const formatsAnnotation = "iotpm/formats"

// NarrowFormat rejects a format the command declares in general but not
// with the flags given (--explain has no CSV; only --sweep draws a chart).
func NarrowFormat(format render.Format, allowed []render.Format, why string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return failure.UsageErrorf("invalid output format %q %s: use one of %s", format, why, strings.Join(formatNames(allowed), ", "))
}

// DeclareFormats records the formats cmd writes and says so in its help.
func DeclareFormats(cmd *cobra.Command, formats []render.Format) {
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

// DeclaredFormats returns what cmd declared; nil when it declared nothing
// (commands without output, such as help).
func DeclaredFormats(cmd *cobra.Command) ([]render.Format, bool) {
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

// CheckOutputFlag rejects an -o the command does not write, and resolves
// an unset -o to the command's default.
func (f *Factory) CheckOutputFlag(cmd *cobra.Command) error {
	formats, ok := DeclaredFormats(cmd)
	if !ok {
		return nil
	}
	if f.Output == "" {
		if len(formats) > 0 {
			f.Output, f.format = string(formats[0]), formats[0]
		}
		return nil
	}
	if len(formats) == 0 {
		return failure.UsageErrorf("%s writes files, not output: -o does not apply", cmd.CommandPath())
	}
	format, err := render.ParseFormat(f.Output, formats)
	if err != nil {
		// "iotpm: " is the prefix of every message; the command's name
		// without it says which one
		return failure.UsageErrorf("%s: %v", strings.TrimPrefix(cmd.CommandPath(), "iotpm "), err)
	}
	f.format = format // parsed once: Format returns it
	return nil
}

// CompleteOutput completes -o with the formats of the command being typed.
func CompleteOutput(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	formats, _ := DeclaredFormats(cmd)
	return formatNames(formats), cobra.ShellCompDirectiveNoFileComp
}
