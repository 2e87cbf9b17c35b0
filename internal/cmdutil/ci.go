package cmdutil

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/gate"
	"github.com/iotpm/iotpm/internal/outfile"
	"github.com/iotpm/iotpm/internal/render"
)

// GitHub Actions workflow commands (docs: "Workflow commands for GitHub
// Actions"; escaping as in @actions/core's command.js).

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// annotationPath makes a diagnostic's path relative to the repository root
// GitHub resolves annotations against ($GITHUB_WORKSPACE), with slashes. A
// file reached through a symbolic link inside the repository (an input
// directory that links to another) is named by its own path: the one git
// tracks, and the pull request shows, the link being one entry of its own.
func annotationPath(path, workspace string) string {
	if workspace != "" {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			real, err = filepath.Abs(real)
		}
		root, rootErr := filepath.EvalSymlinks(workspace)
		if err == nil && rootErr == nil {
			if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel)
			}
		}
		if abs, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(workspace, abs); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}

// WriteAnnotation writes one ::error or ::warning workflow command.
func WriteAnnotation(w io.Writer, d diag.Diagnostic, workspace string) {
	level := "error"
	if d.Severity == diag.Warning {
		level = "warning"
	}
	msg := d.Message
	var props []string
	switch {
	case d.File == "":
	case strings.HasPrefix(d.File, "-"):
		// a flag gave the value (--start): no file of the repository
		// holds it, and GitHub would place "file=--start" nowhere; the
		// annotation is the run's, the flag named in its text
		msg = d.File + ": " + msg
	default:
		props = append(props, "file="+escapeProperty(annotationPath(d.File, workspace)))
	}
	if len(props) > 0 && d.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", d.Line))
		if d.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", d.Col))
		}
	}
	title := "iotpm"
	if d.Kind != "" {
		title += " " + string(d.Kind) // the heading GitHub shows: what sort of problem
	}
	props = append(props, "title="+escapeProperty(title))
	fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(msg))
}

// WriteGateAnnotation writes a failed gate as an ::error with its title.
func WriteGateAnnotation(w io.Writer, g gate.Gate, workspace string) {
	props := ""
	if g.File != "" {
		props = "file=" + escapeProperty(annotationPath(g.File, workspace)) + ","
		if g.Line > 0 {
			props += "line=" + strconv.Itoa(g.Line) + ","
		}
	}
	fmt.Fprintf(w, "::error %stitle=%s::%s\n", props, escapeProperty("iotpm gate "+g.Name), escapeData(g.Failure()))
}

// AppendFile appends text to a file, creating it; the step summary is
// shared by every step, so it is never truncated.
func AppendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// JUnit XML: one test case per gate, so CI systems that show test results
// show the gates; problems in the inputs fail a "planning files" case.

// JUnitSuites is the root of a JUnit XML report.
type JUnitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
	// SystemOut holds the run's warnings, a line each: a gate that passed
	// on a battery life that leaves the firmware updates out, or on an
	// uptime two sensors decide, is read with them where CI shows the
	// report.
	SystemOut string `xml:"system-out,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the gates, and a case for the planning files' problems,
// as a JUnit XML report to path ("-": stdout); the warnings are the
// suite's system-out.
func WriteJUnit(f *Factory, path string, gates []gate.Gate, problems diag.List) error {
	s := junitSuite{Name: "iotpm check"}
	if problems.HasErrors() {
		var lines []string
		for _, d := range problems.Errors() {
			lines = append(lines, d.String())
		}
		s.Cases = append(s.Cases, junitCase{Name: "planning files", Classname: "iotpm.validate",
			Error: &junitFailure{Message: render.Plural(len(lines), "problem"), Text: strings.Join(lines, "\n")}})
		s.Errors++
	}
	for _, g := range gates {
		c := junitCase{Name: g.Name, Classname: "iotpm.gates"}
		if !g.Passed {
			c.Failure = &junitFailure{Message: g.Failure(), Text: g.Failure()}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	var warned []string
	for _, d := range problems.Warnings().Sort() {
		warned = append(warned, d.String())
	}
	s.SystemOut = strings.Join(warned, "\n")
	out, err := xml.MarshalIndent(JUnitSuites{Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return err
	}
	return f.WriteOutput(path, append([]byte(xml.Header), append(out, '\n')...))
}

// WriteOutput writes a file the user named (--out, --junit, init's files)
// by outfile's rules; "-" is standard output. A path outfile refuses is a
// usage error.
func (f *Factory) WriteOutput(name string, data []byte) error {
	if name != "-" {
		name = f.Path(name)
	}
	return f.WriteFile(name, data)
}

// WriteFile is writeOutput for a path already resolved. A path inside the
// planning repo is checked component by component first: a pull request's
// committed symlink (a directory linked to ~/.ssh, say) anywhere on the
// way refuses the write, not only at the last component.
func (f *Factory) WriteFile(path string, data []byte) error {
	if err := f.CheckInRepo(path); err != nil {
		return err
	}
	err := outfile.Write(path, data, f.IO.Out)
	if errors.Is(err, outfile.ErrRefused) {
		return failure.UsageErrorf("%v", err)
	}
	return err
}

// CheckInRepo refuses a path inside the planning repo (-C) that goes
// through a symbolic link or a non-directory, or ends at something other
// than a regular file (outfile.CheckUnder); a path outside the repo, or
// "-", is the caller's own and not checked here.
func (f *Factory) CheckInRepo(path string) error {
	if path == "-" {
		return nil
	}
	root, err1 := filepath.Abs(f.Dir)
	abs, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return nil
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}
	if err := outfile.CheckUnder(root, abs); err != nil {
		if errors.Is(err, outfile.ErrRefused) {
			return failure.UsageErrorf("%v; nothing was written", err)
		}
		return err
	}
	return nil
}
