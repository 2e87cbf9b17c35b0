package render

import (
	"regexp"
	"strings"
)

var (
	mermaidUnsafe = regexp.MustCompile(`[:;#{}\n\r]`)
	mermaidNonID  = regexp.MustCompile(`[^a-zA-Z0-9]`)
)

// MermaidText makes a task or milestone title safe: Mermaid's gantt syntax
// ends a title at ':' and treats ';' and '#' specially.
func MermaidText(s string) string {
	return strings.TrimSpace(mermaidUnsafe.ReplaceAllString(s, " "))
}

// MermaidID is an identifier Mermaid accepts for an iotpm id (lower-case
// letters, digits and dashes, so distinct ids stay distinct): the prefix,
// '_', and the id with every other character as '_'.
func MermaidID(prefix, s string) string {
	return prefix + "_" + mermaidNonID.ReplaceAllString(s, "_")
}
