// Package docs holds iotpm's documentation pages. They are embedded so that
// a user with only the binary reads the same normative text as the
// repository: every page is a help topic (iotpm help TOPIC, the file name
// without .md), and messages point at topics, never at a README the user
// may not have.
package docs

//go:generate go run ../tools/gendocs -out commands

import (
	"bufio"
	"embed"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

//go:embed *.md
var pages embed.FS

// Topic is one documentation page.
type Topic struct {
	// Name is the page's file name without .md: what iotpm help takes.
	Name string
	// Title is the page's first heading, without its #.
	Title string
	// Body is the page's markdown (set by Lookup; Topics lists names and
	// titles only, so that building the command tree reads no page).
	Body string
}

// index is the docs folder's own table of contents; it is not a topic.
const index = "README.md"

// Topics returns every page but the index, sorted by name, with its title
// (its first line) and no body. The list is made once.
var Topics = sync.OnceValue(func() []Topic {
	names, err := fs.Glob(pages, "*.md")
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	var out []Topic
	for _, n := range names {
		if n == index {
			continue
		}
		f, err := pages.Open(n)
		if err != nil {
			panic(err) // listed by Glob a line above
		}
		first, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		out = append(out, Topic{Name: strings.TrimSuffix(n, ".md"), Title: title(first)})
	}
	slices.SortFunc(out, func(a, b Topic) int { return strings.Compare(a.Name, b.Name) })
	return out
})

// Lookup returns the page named name (without .md), body included.
func Lookup(name string) (Topic, bool) {
	if name == "" || strings.ContainsAny(name, "/.") {
		return Topic{}, false
	}
	b, err := pages.ReadFile(name + ".md")
	if err != nil {
		return Topic{}, false
	}
	body := string(b)
	first, _, _ := strings.Cut(body, "\n")
	return Topic{Name: name, Title: title(first), Body: body}, true
}

// title is a page's first line without its "# ".
func title(line string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "# "))
}
