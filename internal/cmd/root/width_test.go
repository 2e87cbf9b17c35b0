package root_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iotpm/iotpm/internal/cmd/root"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/charmbracelet/lipgloss"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/iostreams"
)

// Tables fit the width they are given (--width, or COLUMNS): each command's
// default table at 80 and 120 columns is a golden file, and --wide prints
// every column whatever the width.
func TestTablesFitTheWidth(t *testing.T) {
	for _, cmd := range []string{"rice", "roadmap", "battery", "metrics", "check", "kano", "validate", "economics", "rollout"} {
		for _, width := range []string{"80", "120"} {
			t.Run(cmd+"/"+width, func(t *testing.T) {
				stdout, stderr, code := cmdtest.Run(t, map[string]string{"COLUMNS": width}, cmd, "-C", cmdtest.ExampleRepo)
				if code != cmdutil.ExitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				cmdtest.Golden(t, "width/"+cmd+"-"+width+".golden", stdout)
				for _, line := range strings.Split(stdout, "\n") {
					if n := utf8.RuneCountInString(line); width == "80" && n > 80 {
						t.Errorf("a %d-column line at 80 columns: %q", n, line)
					}
				}
				// --width gives the same as COLUMNS
				viaFlag, _, _ := cmdtest.Run(t, nil, cmd, "-C", cmdtest.ExampleRepo, "--width", width)
				if viaFlag != stdout {
					t.Errorf("--width %s differs from COLUMNS=%s", width, width)
				}
			})
		}
	}
	// rice's ranking fits 80 columns exactly as promised
	stdout, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--width", "80")
	for _, line := range strings.Split(stdout, "\n") {
		if utf8.RuneCountInString(line) > 80 {
			t.Errorf("rice at 80 columns: %q", line)
		}
	}
	// the RICE inputs stay beside the effort and the score; the costs and
	// the context columns go, and the footer says so
	if !strings.Contains(stdout, "(hidden to fit 80 columns: TITLE, TRACKS, THEME, KANO, ENG (PERSON-MO),\nTOOLING $, TOOLING (PERSON-MO), CERT FEES $, CERT (PERSON-MO), BATTERY (Y),\n$/DEV-MO; --wide shows all)") ||
		!strings.HasPrefix(stdout, "RANK  ID                     REACH  IMPACT  CONF  EFFORT (PERSON-MO)     SCORE\n") {
		t.Errorf("rice at 80 columns does not show the RICE inputs or say what it hid:\n%s", stdout)
	}
	// battery keeps LIMITED BY, the column that explains a capped life
	battery, _, _ := cmdtest.Run(t, nil, "battery", "-C", cmdtest.ExampleRepo, "--width", "80")
	if !strings.Contains(strings.SplitN(battery, "\n", 2)[0], "LIMITED BY") {
		t.Errorf("battery at 80 columns hides LIMITED BY:\n%s", battery)
	}
	// --wide and piped output (no COLUMNS, no --width) keep every column
	wide, _, _ := cmdtest.Run(t, map[string]string{"COLUMNS": "80"}, "rice", "-C", cmdtest.ExampleRepo, "--wide")
	cmdtest.Golden(t, "width/rice-wide.golden", wide)
	piped, _, _ := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo)
	if wide != piped || !strings.Contains(wide, "TOOLING (PERSON-MO)") || strings.Contains(wide, "hidden to fit") {
		t.Errorf("--wide:\n%s\npiped:\n%s", wide, piped)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--wide", "--width", "80"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--wide and --width cannot be used together") {
		t.Errorf("--wide --width: exit %d: %s", code, stderr)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--width", "0"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--width 0: give the terminal's width in columns, 20 or more") {
		t.Errorf("--width 0: exit %d: %s", code, stderr)
	}
}

// diff's tables fit the width too.
func TestDiffFitsTheWidth(t *testing.T) {
	base, head := cmdtest.CopyExample(t), cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(head, "features.yaml"), "    reach: 52000\n", "    reach: 5200\n")
	for _, width := range []string{"80", "120"} {
		stdout, stderr, code := cmdtest.Run(t, nil, "diff", "--base-dir", base, "-C", head, "--width", width)
		if code != cmdutil.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		cmdtest.Golden(t, "width/diff-"+width+".golden", strings.ReplaceAll(stdout, base, "$BASE"))
	}
}

// --columns picks columns by their lower-case header (or its first word),
// in the order given; a name no table has is refused before anything is
// written; other formats keep every column.
func TestColumnsFlag(t *testing.T) {
	stdout, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--columns", "score,id,effort")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if lines[0] != "   SCORE  ID                    EFFORT (PERSON-MO)" || !strings.HasPrefix(lines[1], "27,733.3  adaptive-heartbeat") {
		t.Errorf("--columns score,id,effort:\n%s", stdout)
	}
	stdout, stderr, code = cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--columns", "id,scroe")
	if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, `--columns: no column "scroe" in this output; did you mean "score"?`) {
		t.Errorf("unknown column: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	if _, stderr, code := cmdtest.Run(t, nil, "rice", "-C", cmdtest.ExampleRepo, "--columns", "id", "-o", "json"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "--columns picks the columns of table output") {
		t.Errorf("--columns -o json: exit %d: %s", code, stderr)
	}
}

// Styled tables (a colour terminal) fit too, and carry no trailing padding
// that would wrap into an empty line.
func TestStyledTablesFit(t *testing.T) {
	ios, out, errOut := iostreams.Test()
	ios.SetColorEnabled(true)
	ios.SetStdoutTTY(true)
	ios.SetTerminalWidth(120)
	if code := root.MainContext(context.Background(), []string{"battery", "-C", cmdtest.ExampleRepo}, ios, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "\x1b[") {
		t.Fatal("no styling in the output")
	}
	for _, line := range strings.Split(out.String(), "\n") {
		plain := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(line, "")
		if w := lipgloss.Width(plain); w > 120 {
			t.Errorf("%d columns: %q", w, plain)
		}
		if strings.TrimRight(plain, " ") != plain {
			t.Errorf("trailing padding: %q", line)
		}
	}
}

// The catalogs fit an 80-column terminal: their prose columns (names,
// sources, signatures) wrap at word boundaries, a long URL breaks, and
// the least useful numbers hide with a footer saying so.
func TestCatalogsFit80Columns(t *testing.T) {
	for _, args := range [][]string{
		{"rice", "--list-certifications"}, {"battery", "--list-cells"}, {"metrics", "--list-formats"}, {"economics", "--list-rates"},
	} {
		stdout, stderr, code := cmdtest.Run(t, map[string]string{"COLUMNS": "80"}, append(args, "-C", cmdtest.ExampleRepo)...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, stderr)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("%v: a %d-column line %q", args, n, line)
				break
			}
		}
		if !strings.Contains(stdout, "\n") || len(strings.Split(stdout, "\n")) < 4 {
			t.Errorf("%v printed almost nothing:\n%s", args, stdout)
		}
	}
}

// check at 80 columns with failing gates: every line fits, and the DETAIL
// hidden to fit is still said for each failing gate, below the table.
func TestCheckFailingFits80Columns(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "iotpm.yaml"), "month: 2026-10", "month: 2030-10")
	stdout, stderr, code := cmdtest.Run(t, map[string]string{"COLUMNS": "80"}, "check", "-C", dir)
	if code != cmdutil.ExitGate {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("a %d-column line: %q", n, line)
		}
	}
	if !strings.Contains(stdout, "(hidden to fit 80 columns: DETAIL; --wide shows all)") || !strings.Contains(stdout, "\nWHY THEY FAIL\nconnectivity_uptime.always: no value: no always-connected device") {
		t.Errorf("the failing gates' reasons are not shown:\n%s", stdout)
	}
}

// Every command's --help fits 80 columns, cobra's generated completion
// help included.
func TestHelpFits80Columns(t *testing.T) {
	paths := [][]string{{}}
	for _, c := range []string{"rice", "roadmap", "battery", "metrics", "kano", "economics", "rollout", "check", "diff", "init", "report", "validate", "schema", "version", "completion"} {
		paths = append(paths, []string{c})
	}
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		paths = append(paths, []string{"completion", sh})
	}
	for _, p := range paths {
		stdout, stderr, code := cmdtest.Run(t, map[string]string{"COLUMNS": "80"}, append(p, "--help")...)
		if code != 0 {
			t.Fatalf("%v --help: exit %d: %s", p, code, stderr)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if n := utf8.RuneCountInString(strings.ReplaceAll(line, "\t", "        ")); n > 80 {
				t.Errorf("%v --help: a %d-column line: %q", p, n, line)
			}
		}
	}
}
