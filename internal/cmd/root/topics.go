package root

import (
	"fmt"
	"strings"

	"github.com/iotpm/iotpm/docs"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/spf13/cobra"
)

// newHelpCmd replaces cobra's help command: iotpm help COMMAND is the
// command's help as before, and iotpm help TOPIC prints a documentation
// page (docs/TOPIC.md, embedded), so a user with only the binary reads the
// definitions the repository states. The topics are not commands of their
// own: cobra would pad every command's line to the longest topic name.
// An unknown name is a usage error (exit 2), not the root's help with exit 0.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	var names []string
	for _, t := range docs.Topics() {
		names = append(names, t.Name)
	}
	return &cobra.Command{
		Use:   "help [command | topic]",
		Short: "Help about any command, or a documentation topic",
		Long: "Help about any command, or a documentation topic: the pages of the\n" +
			"project's docs/ folder, embedded in the binary.\n\nTopics:\n" + topicList(),
		Example: "  iotpm help metrics\n  iotpm help metrics-definitions",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			for _, t := range docs.Topics() {
				if strings.HasPrefix(t.Name, toComplete) {
					out = append(out, cobra.CompletionWithDesc(t.Name, t.Title))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			if len(args) == 1 {
				if t, ok := docs.Lookup(args[0]); ok {
					_, err := fmt.Fprint(c.OutOrStdout(), t.Body)
					return err
				}
			}
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == root || len(rest) > 0 {
				var known []string
				for _, c := range root.Commands() {
					if c.IsAvailableCommand() {
						known = append(known, c.Name())
					}
				}
				known = append(known, names...)
				msg := fmt.Sprintf("no command or help topic %q", strings.Join(args, " "))
				if sug := cmdutil.DidYouMean(args[len(args)-1], known); sug != "" {
					return failure.UsageErrorf("%s%s", msg, sug)
				}
				return failure.UsageErrorf("%s (the topics: %s; iotpm --help lists the commands)", msg, strings.Join(names, ", "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// topicList is the help command's list of topics, a line each.
func topicList() string {
	var b strings.Builder
	width := 0
	for _, t := range docs.Topics() {
		width = max(width, len(t.Name))
	}
	for _, t := range docs.Topics() {
		short, _, _ := strings.Cut(t.Title, ":")
		fmt.Fprintf(&b, "  %-*s  %s\n", width, t.Name, short)
	}
	return strings.TrimRight(b.String(), "\n")
}
