package render

import (
	"regexp"
	"strings"
)

var mermaidUnsafe = regexp.MustCompile(`[:;#{}\n\r]`)

// MermaidText makes a task or milestone title safe: Mermaid's gantt syntax
// ends a title at ':' and treats ';' and '#' specially.
func MermaidText(s string) string {
	return strings.TrimSpace(mermaidUnsafe.ReplaceAllString(s, " "))
}

// MermaidID is an identifier for s, unique with its prefix, that Mermaid
// accepts.
func MermaidID(prefix, s string) string {
	return prefix + "_" + regexp.MustCompile(`[^a-zA-Z0-9]`).ReplaceAllString(s, "_")
}
