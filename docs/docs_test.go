package docs_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/iotpm/iotpm/docs"
	"github.com/iotpm/iotpm/internal/cmd/cmdtest"
	"github.com/iotpm/iotpm/internal/cmd/root"
	"github.com/iotpm/iotpm/internal/iostreams"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// A code block of the README or of docs/, and what the test does with it
// (its language, the first word of the info string):
//
//   - console: lines "$ iotpm ARGS" run in-process from the repository root;
//     the lines after each, up to the next "$", are its output (stdout, then
//     stderr). A line "..." stands for any number of lines, a line ending in
//     "..." for any line that begins with the rest. "# exit N" after the
//     command is the exit code it must return (else 0).
//   - sh: every line is a command. iotpm (or go run ./cmd/iotpm) commands run
//     and must exit 0 (or their "# exit N"); go test, go install, go run,
//     go generate and scripts/ commands must name packages and scripts that
//     exist (the tests they run are the ones running here).
//   - yaml FILE: parses, and validates against the JSON Schema of FILE
//     (iotpm.yaml, features.yaml, devices.yaml, economics.yaml), the one
//     iotpm schema prints; a fragment is completed by its parent keys in the
//     info string: "yaml iotpm.yaml metrics" is a block of metrics: keys.
//     A FILE with a slash is a file of the repository the block shows whole.
//   - mermaid CMD, markdown CMD: the output of the iotpm command CMD
//     (info string after the language), compared as console output; or
//     mermaid FILE, markdown FILE: an excerpt of a golden file of the tests
//     (a line "…" stands for any lines).
//   - text: prose, formulas or a copy of --help; not run.
//
// Any other language, or none, fails: a block the test cannot check is a
// block that can go stale.
type block struct {
	repo string // the repository's root
	file string
	line int
	info []string
	text string
}

func (b block) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

func readBlocks(t *testing.T, path string) []block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	var body []string
	var indent string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if strings.HasPrefix(trimmed, "```") {
			if cur == nil {
				cur = &block{file: path, line: n, info: strings.Fields(strings.TrimPrefix(trimmed, "```"))}
				body = nil
				indent = line[:len(line)-len(trimmed)]
				continue
			}
			cur.text = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
			continue
		}
		if cur != nil {
			body = append(body, strings.TrimPrefix(line, indent))
		}
	}
	if cur != nil {
		t.Fatalf("%s: a code block is not closed", cur)
	}
	return out
}

func docFiles(t *testing.T) []string {
	files := []string{"README.md"}
	more, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := filepath.Glob("docs/commands/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append(append(files, more...), gen...)
}

func TestCodeBlocks(t *testing.T) {
	t.Chdir("..")
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, file := range docFiles(t) {
		for _, b := range readBlocks(t, file) {
			seen++
			t.Run(b.String(), func(t *testing.T) {
				// commands run in a copy of what they read, so that
				// iotpm init my-product writes into a temporary folder
				work := t.TempDir()
				for _, dir := range []string{"examples", "internal/cmd/root/testdata/bad"} {
					if err := os.CopyFS(filepath.Join(work, dir), os.DirFS(filepath.Join(repo, dir))); err != nil {
						t.Fatal(err)
					}
				}
				b.repo = repo
				t.Chdir(work)
				lang := ""
				if len(b.info) > 0 {
					lang = b.info[0]
				}
				switch lang {
				case "console":
					runConsole(t, b)
				case "sh":
					runShell(t, b)
				case "yaml":
					checkYAML(t, b)
				case "mermaid", "markdown":
					switch {
					case len(b.info) >= 3 && b.info[1] == "iotpm":
						runCommand(t, b, strings.Join(b.info[1:], " "), splitLines(b.text))
					case len(b.info) == 2 && strings.Contains(b.info[1], "/"):
						// an excerpt of a golden file the tests hold to the
						// command's output; a last line "…" stands for the rest
						want := splitLines(strings.ReplaceAll(b.text, "…", "..."))
						file, err := os.ReadFile(filepath.Join(repo, b.info[1]))
						if err != nil {
							t.Fatal(err)
						}
						if got := splitLines(string(file)); !matchLines(want, got) {
							t.Errorf("%s: differs from %s:\n%s", b, b.info[1], cmdtest.LineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
						}
					default:
						t.Fatalf("%s: a %s block names the iotpm command that writes it (```%s iotpm ARGS) or the golden file it shows", b, lang, lang)
					}
				case "text":
				default:
					t.Errorf("%s: code block language %q: use console, sh, yaml FILE, mermaid CMD, markdown CMD or text, which this test checks", b, lang)
				}
			})
		}
	}
	if seen < 20 {
		t.Fatalf("only %d code blocks found: is the test reading the docs?", seen)
	}
	for file, blocks := range updates {
		rewriteBlocks(t, filepath.Join(repo, file), blocks)
	}
}

// rewriteBlocks replaces the bodies of the blocks that open at the given
// lines.
func rewriteBlocks(t *testing.T, path string, bodies map[int]string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		body, ok := bodies[i+1]
		if !ok {
			continue
		}
		fence := lines[i]
		indent := fence[:len(fence)-len(strings.TrimLeft(fence, " "))]
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) != "```" {
			j++
		}
		for _, l := range strings.Split(body, "\n") {
			if l != "" {
				l = indent + l
			}
			out = append(out, l)
		}
		i = j - 1
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// updates are the console blocks -update rewrites: file → first line of
// the block's body → the new body.
var updates = map[string]map[int]string{}

// runConsole runs each "$ " command of b and compares its output; with
// -update it rewrites the block's outputs (a block with "..." lines is
// left to its author).
func runConsole(t *testing.T, b block) {
	lines := splitLines(b.text)
	var rewritten []string
	elided := false
	ran := 0
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "$ ") {
			t.Fatalf("%s: output before the first $ command: %q", b, lines[i])
		}
		cmd := strings.TrimPrefix(lines[i], "$ ")
		i++
		for strings.HasSuffix(cmd, "\\") && i < len(lines) {
			cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			i++
		}
		start := i
		for i < len(lines) && !strings.HasPrefix(lines[i], "$ ") {
			if lines[i] == "..." || strings.HasSuffix(lines[i], "...") {
				elided = true
			}
			i++
		}
		rewritten = append(rewritten, lines[start-1:start]...)
		if strings.HasSuffix(lines[start-1], "\\") {
			rewritten = lines[:start] // a continued command: keep its lines
		}
		out := runCommand(t, b, cmd, lines[start:i])
		rewritten = append(rewritten, out...)
		ran++
	}
	if *cmdtest.Update && !elided && ran == 1 {
		if updates[b.file] == nil {
			updates[b.file] = map[int]string{}
		}
		updates[b.file][b.line] = strings.Join(rewritten, "\n")
	}
	if ran == 0 {
		t.Fatalf("%s: a console block without a $ command", b)
	}
}

var exitComment = regexp.MustCompile(`\s+#\s*exit (\d+)\s*$`)
var comment = regexp.MustCompile(`(^|\s+)#.*$`)

// runCommand runs one iotpm command line, holds its output to want and
// returns it.
func runCommand(t *testing.T, b block, cmd string, want []string) []string {
	t.Helper()
	code := 0
	if m := exitComment.FindStringSubmatch(cmd); m != nil {
		code, _ = strconv.Atoi(m[1])
		cmd = cmd[:len(cmd)-len(m[0])]
	}
	cmd = comment.ReplaceAllString(cmd, "")
	args := iotpmArgs(t, b, cmd)
	ios, out, errOut := iostreams.Test()
	got := root.Main(args, ios, cmdtest.Env(nil))
	if got != code {
		t.Errorf("%s: %s exited %d, the docs say %d\nstderr:\n%s", b, cmd, got, code, errOut)
	}
	output := splitLines(out.String() + errOut.String())
	if want != nil && !*cmdtest.Update && !matchLines(want, output) {
		t.Errorf("%s: the output of %s differs from the docs' (go test ./docs -update rewrites it):\n%s", b, cmd, cmdtest.LineDiff(strings.Join(want, "\n"), strings.Join(output, "\n")))
	}
	return output
}

// iotpmArgs splits an iotpm command line (iotpm ARGS or go run ./cmd/iotpm
// ARGS) into its arguments.
func iotpmArgs(t *testing.T, b block, cmd string) []string {
	t.Helper()
	words, err := shellWords(cmd)
	if err != nil {
		t.Fatalf("%s: %s: %v", b, cmd, err)
	}
	switch {
	case len(words) > 0 && words[0] == "iotpm":
		return words[1:]
	case len(words) > 2 && slices.Equal(words[:3], []string{"go", "run", "./cmd/iotpm"}):
		return words[3:]
	}
	t.Fatalf("%s: %q is not an iotpm command", b, cmd)
	return nil
}

// runShell runs or checks each command line of an sh block.
func runShell(t *testing.T, b block) {
	module := modulePath(t, b.repo)
	lines := splitLines(b.text)
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for strings.HasSuffix(strings.TrimSpace(line), "\\") && i+1 < len(lines) {
			line = strings.TrimSuffix(strings.TrimSpace(line), "\\") + " " + strings.TrimSpace(lines[i+1])
			i++
		}
		if m := exitComment.FindStringSubmatch(line); m == nil {
			line = comment.ReplaceAllString(line, "")
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		words, err := shellWords(comment.ReplaceAllString(line, ""))
		if err != nil {
			t.Fatalf("%s: %s: %v", b, line, err)
		}
		switch {
		case words[0] == "iotpm" || len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/iotpm":
			runCommand(t, b, line, nil)
		case words[0] == "go" && len(words) > 1 && slices.Contains([]string{"test", "install", "run", "generate", "build", "vet"}, words[1]):
			checkGoCommand(t, b, module, b.repo, words)
		case words[0] == "cd" && len(words) > 3 && words[2] == "&&":
			// cd DIR && go …: a program with its own module (tools/duckbench)
			if info, err := os.Stat(filepath.Join(b.repo, words[1])); err != nil || !info.IsDir() {
				t.Errorf("%s: cd %s: no such folder in the repository", b, words[1])
			}
			if words[3] != "go" || len(words) < 5 {
				t.Errorf("%s: %q: after cd only go commands are checked", b, line)
				continue
			}
			checkGoCommand(t, b, module, filepath.Join(b.repo, words[1]), words[3:])
		case strings.HasPrefix(words[0], "scripts/"):
			if info, err := os.Stat(filepath.Join(b.repo, words[0])); err != nil || info.Mode()&0o111 == 0 {
				t.Errorf("%s: %s is not an executable script of the repository", b, words[0])
			}
		default:
			t.Errorf("%s: %q: the docs test runs iotpm, and checks go and scripts/ commands; write other commands as text", b, line)
		}
	}
}

// checkGoCommand checks that a go command's package paths exist.
func checkGoCommand(t *testing.T, b block, module, dir string, words []string) {
	for _, w := range words[2:] {
		if strings.HasPrefix(w, "-") || !strings.Contains(w, "/") && w != "." {
			continue
		}
		path := w
		if strings.HasPrefix(path, module+"/") {
			p, version, _ := strings.Cut(strings.TrimPrefix(path, module+"/"), "@")
			if version == "" {
				t.Errorf("%s: go %s %s: give a version (@latest)", b, words[1], w)
			}
			path = "./" + p
		}
		if !strings.HasPrefix(path, "./") && path != "." {
			continue
		}
		pkg := filepath.Join(dir, strings.TrimSuffix(strings.TrimSuffix(path, "/..."), "..."))
		if info, err := os.Stat(pkg); err != nil || !info.IsDir() {
			t.Errorf("%s: go %s names %s, which is not a package folder of the repository", b, words[1], w)
		}
	}
}

func modulePath(t *testing.T, repo string) string {
	b, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(strings.TrimPrefix(first, "module"))
}

// checkYAML validates a yaml block against the schema of the file it names.
func checkYAML(t *testing.T, b block) {
	if len(b.info) < 2 {
		t.Fatalf("%s: a yaml block names its file: ```yaml features.yaml (or iotpm.yaml, devices.yaml, economics.yaml)", b)
	}
	if strings.Contains(b.info[1], "/") {
		// a file of the repository, shown whole
		want, err := os.ReadFile(filepath.Join(b.repo, b.info[1]))
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if got := strings.TrimRight(b.text, "\n") + "\n"; got != string(want) {
			t.Errorf("%s: differs from %s:\n%s", b, b.info[1], cmdtest.LineDiff(string(want), got))
		}
		return
	}
	kind := strings.TrimSuffix(b.info[1], ".yaml")
	if kind == "iotpm" {
		kind = "config" // iotpm schema's name for iotpm.yaml
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.text), &doc); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	text := dedent(b.text)
	// a fragment: nest it under its parent keys ("devices[]": in an item of
	// the devices list); "fragment" alone says keys it needs are left out
	fragment := len(b.info) > 2
	for i := len(b.info) - 1; i >= 2; i-- {
		key := b.info[i]
		if key == "fragment" {
			continue
		}
		if name, ok := strings.CutSuffix(key, "[]"); ok {
			lines := strings.Split(text, "\n")
			for j := range lines {
				if j == 0 {
					lines[j] = "- " + lines[j]
				} else if lines[j] != "" {
					lines[j] = "  " + lines[j]
				}
			}
			key, text = name, strings.Join(lines, "\n")
		}
		text = key + ":\n" + indent(text)
	}
	s := cmdtest.CompileSchema(t, kind)
	err := cmdtest.ValidateYAML(t, s, text)
	var ve *jsonschema.ValidationError
	if fragment && errors.As(err, &ve) && onlyMissing(ve) {
		err = nil
	}
	if err != nil {
		t.Errorf("%s: not a valid %s: %#v", b, b.info[1], err)
	}
}

// onlyMissing reports whether every leaf of a validation error is a
// missing required key: what a fragment leaves out.
func onlyMissing(ve *jsonschema.ValidationError) bool {
	if len(ve.Causes) == 0 {
		_, ok := ve.ErrorKind.(*kind.Required)
		return ok
	}
	for _, c := range ve.Causes {
		if !onlyMissing(c) {
			return false
		}
	}
	return true
}

// dedent removes the indentation every non-empty line of s shares.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			lines[i] = l[common:]
		}
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n")
}

// splitLines splits text into lines without trailing blanks, and drops
// trailing empty lines.
func splitLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		out = append(out, strings.TrimRight(l, " \t"))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// matchLines reports whether got matches want, where a want line "..."
// matches any number of lines and a line ending in "..." any line that
// begins with the rest.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	w := want[0]
	ok := w == got[0]
	if p, found := strings.CutSuffix(w, "..."); found && !ok {
		ok = strings.HasPrefix(got[0], p)
	}
	return ok && matchLines(want[1:], got[1:])
}

// shellWords splits a command line as a POSIX shell would for the subset
// the docs use: blanks, single and double quotes, backslash escapes. A pipe
// or a redirection is refused: the test runs one command.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unclosed %c", c)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '&' && i+1 < len(s) && s[i+1] == '&' && strings.HasPrefix(strings.TrimSpace(s), "cd "):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			words = append(words, "&&")
			i++
		case c == '|' || c == '>' || c == '<' || c == ';' || c == '&':
			return nil, fmt.Errorf("%q: the docs test runs one command, without pipes or redirections", string(c))
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("no command")
	}
	return words, nil
}

// Every page is a help topic, listed in docs/README.md.
func TestTopicsListed(t *testing.T) {
	index, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	topics := docs.Topics()
	if len(topics) < 10 {
		t.Fatalf("%d topics", len(topics))
	}
	for _, tp := range topics {
		if !strings.Contains(string(index), "("+tp.Name+".md)") || !strings.Contains(string(index), "`iotpm help "+tp.Name+"`") {
			t.Errorf("docs/README.md does not list %s.md and iotpm help %s", tp.Name, tp.Name)
		}
		page, ok := docs.Lookup(tp.Name)
		if !ok || tp.Title == "" || page.Title != tp.Title || !strings.HasPrefix(page.Body, "# ") {
			t.Errorf("%s.md does not start with a # title (or Lookup does not find it)", tp.Name)
		}
	}
	if _, ok := docs.Lookup("../go"); ok {
		t.Error("Lookup reads outside the docs")
	}
}

// The README stays a README: 200 lines at most.
func TestReadmeLength(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 200 {
		t.Errorf("README.md has %d lines; the limit is 200 (move the detail into docs/)", n)
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Every relative link of the README and the docs names a file that exists
// and, with #anchor, a heading in it (GitHub's anchors: lower case, blanks
// to dashes, punctuation but - and _ dropped).
func TestLinks(t *testing.T) {
	t.Chdir("..")
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inBlock := false
		for n, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inBlock = !inBlock
			}
			if inBlock {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				full := file
				if path != "" {
					full = filepath.Join(filepath.Dir(file), path)
				}
				if _, err := os.Stat(full); err != nil {
					t.Errorf("%s:%d: link to %s: no such file", file, n+1, target)
					continue
				}
				if anchor != "" && !slices.Contains(anchors(t, full), anchor) {
					t.Errorf("%s:%d: link to %s: no heading with that anchor in %s", file, n+1, target, full)
				}
			}
		}
	}
}

func anchors(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inBlock := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inBlock = !inBlock
		}
		if inBlock || !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		var a strings.Builder
		for _, r := range h {
			switch {
			case r == ' ':
				a.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				a.WriteRune(r)
			}
		}
		out = append(out, a.String())
	}
	return out
}
