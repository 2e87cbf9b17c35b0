package root

import (
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help text wraps at the terminal's width (COLUMNS when set, the TTY's
// width, else 80), flag descriptions included: cobra's default template
// prints each flag on one line however long.

const helpWidthAnnotation = "iotpm/help-width"

func init() {
	cobra.AddTemplateFunc("wrappedFlagUsages", func(fs *pflag.FlagSet, c *cobra.Command) string {
		w, err := strconv.Atoi(c.Root().Annotations[helpWidthAnnotation])
		if err != nil || w <= 0 {
			w = 80
		}
		return fs.FlagUsagesWrapped(w)
	})
	cobra.AddTemplateFunc("wrappedText", func(text string, c *cobra.Command) string {
		w, err := strconv.Atoi(c.Root().Annotations[helpWidthAnnotation])
		if err != nil || w <= 0 {
			w = 80
		}
		return wrapLongLines(text, w)
	})
}

// wrapLongLines breaks each line of text longer than width at its last
// blank that fits, keeping its indentation; shorter lines (examples,
// tables) stay as written.
func wrapLongLines(text string, width int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		for len([]rune(line)) > width {
			r := []rune(line)
			cut := strings.LastIndex(string(r[:width+1]), " ")
			if cut <= len(indent) {
				break // one word longer than the width stays whole
			}
			out = append(out, strings.TrimRight(line[:cut], " "))
			line = indent + strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// helpWidth is the width help wraps at.
func helpWidth(f *cmdutil.Factory) int {
	if n, err := strconv.Atoi(f.Getenv("COLUMNS")); err == nil && n >= 40 {
		return n
	}
	if w := f.IO.TerminalWidth(); w >= 40 {
		return w
	}
	return 80
}

// useWrappedHelp makes root's usage template wrap flag descriptions.
func useWrappedHelp(f *cmdutil.Factory, root *cobra.Command) {
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[helpWidthAnnotation] = strconv.Itoa(helpWidth(f))
	t := root.UsageTemplate()
	t = strings.ReplaceAll(t, ".LocalFlags.FlagUsages", "wrappedFlagUsages .LocalFlags $")
	t = strings.ReplaceAll(t, ".InheritedFlags.FlagUsages", "wrappedFlagUsages .InheritedFlags $")
	root.SetUsageTemplate(t)
	h := root.HelpTemplate()
	h = strings.Replace(h, "{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}", "{{with (or .Long .Short)}}{{wrappedText (. | trimTrailingWhitespaces) $}}", 1)
	root.SetHelpTemplate(h)
}
