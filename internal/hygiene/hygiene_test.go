package hygiene

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// root is the module's root, from this package's directory.
const root = "../.."

// maxLines is the longest a non-test function may be: past it, a
// function does several things and its parts want names.
const maxLines = 120

// parsed is every non-test Go file of the module (tools and testdata
// aside), by its directory relative to root, and their positions.
func parsed(t *testing.T) (map[string][]*ast.File, *token.FileSet) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (d.Name() == "testdata" || d.Name() == "tools" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		files[filepath.ToSlash(rel)] = append(files[filepath.ToSlash(rel)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("read %d packages from %s: not the module", len(files), root)
	}
	return files, fset
}

// Every package under internal/ and pkg/ says what it is for.
func TestEveryPackageHasADoc(t *testing.T) {
	files, _ := parsed(t)
	for dir, files := range files {
		if !strings.HasPrefix(dir, "internal/") && !strings.HasPrefix(dir, "pkg/") {
			continue
		}
		documented := false
		for _, f := range files {
			documented = documented || f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != ""
		}
		if !documented {
			t.Errorf("%s: no package doc (a // Package %s … comment above a package clause)", dir, files[0].Name.Name)
		}
	}
}

// No non-test function is longer than maxLines.
func TestNoFunctionTooLong(t *testing.T) {
	all, fset := parsed(t)
	for dir, files := range all {
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				start, end := fset.Position(fd.Pos()), fset.Position(fd.End())
				if n := end.Line - start.Line + 1; n > maxLines {
					t.Errorf("%s/%s:%d: %s is %d lines (at most %d): split it into named parts", dir, filepath.Base(start.Filename), start.Line, fd.Name.Name, n, maxLines)
				}
			}
		}
	}
}

// The layers: nothing outside internal/cmd imports a command, and no use
// case imports cmdutil (the commands' shared code).
func TestLayers(t *testing.T) {
	mod := module(t)
	useCases := map[string]bool{"internal/planning": true, "internal/fleetmetrics": true, "internal/survey": true, "internal/runenv": true}
	all, _ := parsed(t)
	for dir, files := range all {
		for _, f := range files {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				rel, ok := strings.CutPrefix(path, mod+"/")
				if !ok {
					continue
				}
				if strings.HasPrefix(rel, "internal/cmd/") && !strings.HasPrefix(dir, "internal/cmd/") && dir != "cmd/iotpm" {
					t.Errorf("%s imports the command package %s: move what it needs below the commands", dir, rel)
				}
				if useCases[dir] && (rel == "internal/cmdutil" || strings.HasPrefix(rel, "internal/cmd/")) {
					t.Errorf("the use case %s imports %s: take a runenv.Env and values, not the Factory", dir, rel)
				}
			}
		}
	}
}

// module is the module path go.mod declares.
func module(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("no module line in go.mod")
	return ""
}
