package root

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/spf13/cobra"
)

// Reference returns the command reference of docs/commands: one markdown
// page per command, keyed by file name (iotpm.md, iotpm_rice.md, …), each
// the command's --help at 80 columns and links to its parent and
// subcommands. It is built from the command tree itself, so a test can
// hold the committed pages to it (go generate ./docs rewrites them).
func Reference() map[string]string {
	ios, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, BaseContext: context.Background()}
	root := NewRootCmd(f)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	pages := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		pages[pageName(c)] = referencePage(c)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				walk(sub)
			}
		}
	}
	walk(root)
	return pages
}

func pageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

func referencePage(c *cobra.Command) string {
	var help bytes.Buffer
	c.SetOut(&help)
	c.InitDefaultHelpFlag()
	_ = c.Help()
	c.SetOut(nil)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", c.CommandPath())
	fmt.Fprintf(&b, "%s.\n\n", strings.TrimSuffix(c.Short, "."))
	fmt.Fprintf(&b, "```text\n%s\n```\n", strings.TrimRight(help.String(), "\n"))
	var links []string
	if p := c.Parent(); p != nil {
		links = append(links, fmt.Sprintf("- [%s](%s): %s", p.CommandPath(), pageName(p), p.Short))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			links = append(links, fmt.Sprintf("- [%s](%s): %s", sub.CommandPath(), pageName(sub), sub.Short))
		}
	}
	if len(links) > 0 {
		fmt.Fprintf(&b, "\n## See also\n\n%s\n", strings.Join(links, "\n"))
	}
	if c.Parent() == nil {
		b.WriteString("\nThe documentation topics (`iotpm help TOPIC`) are the pages of [docs/](../README.md).\n")
	}
	return b.String()
}
