package root_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/internal/cmd/cmdtest"

	"github.com/iotpm/iotpm/internal/cmd/version"
	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/render"
	"go.yaml.in/yaml/v3"
)

// Every command × every format: a command writes each format it declares,
// in that format (JSON parses, YAML parses, CSV parses, markdown has a
// table or heading, Mermaid starts with a diagram), or rejects it with
// exit 2 naming the formats it writes — never a silent fallback.
func TestEveryCommandEveryFormat(t *testing.T) {
	commands := []struct {
		args     []string
		declared []render.Format
	}{
		{[]string{"rice"}, cmdutil.DataFormats},
		{[]string{"roadmap"}, cmdutil.ChartFormats},
		{[]string{"roadmap", "--explain", "insurer-api"}, []render.Format{render.FormatTable, render.FormatJSON, render.FormatYAML, render.FormatMarkdown}},
		{[]string{"battery"}, cmdutil.DataFormats},
		{[]string{"battery", "--sweep", "drip-lora.heartbeat.every=5m,15m,1h"}, cmdutil.ChartFormats},
		{[]string{"battery", "--list-cells"}, cmdutil.DataFormats},
		{[]string{"battery", "--device", "drip-lora"}, cmdutil.DataFormats},
		{[]string{"battery", "--plan"}, cmdutil.DataFormats},
		{[]string{"rice", "--baseline", "features.yaml"}, cmdutil.DataFormats},
		{[]string{"rice", "--list-certifications"}, cmdutil.DataFormats},
		{[]string{"roadmap", "--capacity"}, cmdutil.DataFormats},
		{[]string{"kano"}, cmdutil.ChartFormats},
		{[]string{"diff", "--base-dir", "."}, cmdutil.DataFormats},
		{[]string{"metrics"}, cmdutil.DataFormats},
		{[]string{"metrics", "--list-formats"}, cmdutil.DataFormats},
		{[]string{"check"}, cmdutil.DataFormats},
		{[]string{"report"}, cmdutil.MarkdownOnly},
		{[]string{"validate"}, cmdutil.DataFormats},
		{[]string{"schema", "features"}, cmdutil.SchemaFormats},
		{[]string{"version"}, version.Formats},
		{[]string{"rollout"}, cmdutil.ChartFormats},
	}
	computes := map[string]bool{"rice": true, "roadmap": true, "battery": true, "kano": true, "metrics": true, "check": true, "rollout": true}
	all := append(slices.Clone(cmdutil.ChartFormats), "xml")
	for _, c := range commands {
		for _, format := range all {
			name := strings.Join(c.args, " ") + " -o " + string(format)
			t.Run(name, func(t *testing.T) {
				args := append(append([]string{}, c.args...), "-C", cmdtest.ExampleRepo, "-o", string(format))
				stdout, stderr, code := cmdtest.Run(t, nil, args...)
				if !slices.Contains(c.declared, format) {
					if code != cmdutil.ExitInvalid || stdout != "" || !strings.Contains(stderr, "invalid output format") {
						t.Fatalf("undeclared format: exit %d, stdout %d bytes, stderr %s", code, len(stdout), stderr)
					}
					return
				}
				if code != cmdutil.ExitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				if err := looksLike(format, stdout); err != "" {
					t.Errorf("not %s: %s\n%.400s", format, err, stdout)
				}
				// the commands that compute from the planning repo carry
				// the run's warnings, once (yaml.v3 refuses a key twice)
				if computes[c.args[0]] && !slices.Contains(c.args, "--list-formats") && (format == render.FormatJSON || format == render.FormatYAML) {
					var doc map[string]any
					if err := yaml.Unmarshal([]byte(stdout), &doc); err != nil {
						t.Fatal(err)
					}
					if _, ok := doc["problems"]; !ok {
						t.Errorf("no problems member:\n%.400s", stdout)
					}
				}
			})
		}
	}
	// init writes files: any -o is a usage error
	if _, stderr, code := cmdtest.Run(t, nil, "init", t.TempDir(), "-o", "json"); code != cmdutil.ExitInvalid || !strings.Contains(stderr, "-o does not apply") {
		t.Errorf("init -o json: exit %d %s", code, stderr)
	}
}

func looksLike(format render.Format, out string) string {
	switch format {
	case render.FormatJSON:
		if !json.Valid([]byte(out)) {
			return "invalid JSON"
		}
	case render.FormatYAML:
		var v any
		if err := yaml.Unmarshal([]byte(out), &v); err != nil {
			return err.Error()
		}
		if _, ok := v.(map[string]any); !ok {
			return "not a YAML mapping"
		}
		if json.Valid([]byte(out)) && strings.HasPrefix(strings.TrimSpace(out), "{") {
			return "JSON, not block YAML"
		}
	case render.FormatCSV:
		// one CSV, or several each after a "# table: NAME" line
		sections := []string{out}
		if strings.HasPrefix(out, "# table: ") {
			sections = strings.Split(out, "\n\n")
		}
		for _, sec := range sections {
			if strings.HasPrefix(out, "# table: ") {
				head, body, ok := strings.Cut(sec, "\n")
				if !ok || !strings.HasPrefix(head, "# table: ") {
					return "a CSV section without its # table: line"
				}
				sec = body
			}
			r := csv.NewReader(strings.NewReader(sec))
			r.FieldsPerRecord = -1
			rows, err := r.ReadAll()
			if err != nil || len(rows) < 1 || len(rows[0]) < 2 || strings.Contains(strings.SplitN(sec, "\n", 2)[0], "  ") {
				return "not CSV with a header row"
			}
			// headers are snake_case names for scripts, never a table's
			// header left behind
			for _, h := range rows[0] {
				if h == "" || strings.Trim(h, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
					return fmt.Sprintf("CSV header %q is not snake_case", h)
				}
			}
		}
	case render.FormatMarkdown:
		if !strings.Contains(out, "|") && !strings.HasPrefix(out, "#") && !strings.Contains(out, "\n#") {
			return "no markdown table or heading"
		}
	case cmdutil.FormatMermaid:
		first := strings.Fields(out)
		if len(first) == 0 || !slices.Contains([]string{"gantt", "xychart-beta", "quadrantChart"}, first[0]) {
			return "not a Mermaid diagram"
		}
	case render.FormatTable:
		if strings.TrimSpace(out) == "" || json.Valid([]byte(out)) {
			return "empty or JSON"
		}
	}
	return ""
}

// The example repo's editor schemas are what iotpm schema generates today;
// regenerate with: go run ./cmd/iotpm schema --out-dir .iotpm/schema -C examples/leak-sensor
func TestExampleSchemasAreCurrent(t *testing.T) {
	for kind, file := range map[string]string{"config": "iotpm", "features": "features", "devices": "devices", "economics": "economics"} {
		stdout, stderr, code := cmdtest.Run(t, nil, "schema", kind)
		if code != 0 {
			t.Fatalf("schema %s: exit %d: %s", kind, code, stderr)
		}
		onDisk, err := os.ReadFile(filepath.Join(cmdtest.ExampleRepo, ".iotpm", "schema", file+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		if string(onDisk) != stdout {
			t.Errorf("examples/leak-sensor/.iotpm/schema/%s.schema.json is stale; regenerate it (see this test's comment)", file)
		}
	}
}

// Flags that take an id, a KIND= pair or a path complete (cobra's hidden
// __complete command is what the shell scripts call).
func TestFlagCompletion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"roadmap", "--explain", ""}, "auto-shutoff-valve\t"},
		{[]string{"roadmap", "--theme", ""}, "five-year-battery"},
		{[]string{"rice", "--theme", "fast"}, "fast-setup"},
		{[]string{"battery", "--device", ""}, "drip-lora"},
		{[]string{"battery", "--sweep", ""}, "drip-lora.heartbeat.every="},
		{[]string{"metrics", "--tz", ""}, "events="},
		{[]string{"metrics", "--map", ""}, "events."},
		{[]string{"metrics", "--format", ""}, "events=aws-iot-lifecycle"},
		{[]string{"diff", "--fail-on", ""}, "slip"},
		{[]string{"kano", "--segment", ""}, "homeowner\ninsurer\n"},
	} {
		stdout, stderr, code := cmdtest.Run(t, nil, append([]string{"__complete", "-C", cmdtest.ExampleRepo}, c.args...)...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d, completions:\n%s%s", c.args, code, stdout, stderr)
		}
	}
}

// The commands whose numbers come from the fleet's data carry the run's
// warnings in their JSON and YAML as problems, the lines stderr shows:
// the example with two of its LoRaWAN sensors on a 2 h heartbeat reads
// 85.03% check-in uptime, and a pipeline that keeps metrics' JSON, the
// rollout forecast or the unit economics (which read the same run) keeps
// the warning that two sensors decide it.
// The planning commands' JSON and YAML carry the run's warnings too,
// whichever document the flags choose: a battery life that leaves the
// drip valve's firmware updates out, a schedule whose releases are past.
func TestPlanningOutputsCarryWarnings(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.EditFile(t, filepath.Join(dir, "devices.yaml"), "current: 150mA, every: 3mo}", "current: 150mA}")
	cmdtest.EditFile(t, filepath.Join(dir, "features.yaml"), "start: 2027-01-04", "start: 2026-01-05")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"battery"}, "device drip-valve: its battery life leaves firmware updates out"},
		{[]string{"battery", "--plan"}, "device drip-valve: its battery life leaves firmware updates out"},
		{[]string{"battery", "--device", "drip-valve"}, "device drip-valve: its battery life leaves firmware updates out"},
		{[]string{"battery", "--sweep", "drip-valve.check-in.every=30m,1h"}, "device drip-valve: its battery life leaves firmware updates out"},
		{[]string{"battery", "--list-cells"}, "device drip-valve: its battery life leaves firmware updates out"},
		{[]string{"roadmap"}, "releases dated before today"},
		{[]string{"roadmap", "--capacity"}, "releases dated before today"},
		{[]string{"roadmap", "--without", "insurer-api"}, "releases dated before today"},
		{[]string{"roadmap", "--explain", "insurer-api"}, "releases dated before today"},
		{[]string{"roadmap", "--simulate=50"}, "releases dated before today"},
	} {
		for _, format := range []string{"json", "yaml"} {
			t.Run(strings.Join(c.args, " ")+"/"+format, func(t *testing.T) {
				args := append(append([]string{}, c.args...), "-C", dir, "-o", format)
				stdout, stderr, code := cmdtest.Run(t, nil, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got, want := cmdtest.Problems(t, stdout), cmdtest.Warnings(stderr)
				if !slices.Equal(got, want) || !strings.Contains(strings.Join(got, "\n"), c.want) {
					t.Errorf("problems:\n%s\nwant stderr's warnings, with %q:\n%s", strings.Join(got, "\n"), c.want, strings.Join(want, "\n"))
				}
			})
		}
		t.Run(strings.Join(c.args, " ")+"/markdown", func(t *testing.T) {
			markdownCarriesWarnings(t, append(append([]string{}, c.args...), "-C", dir, "-o", "markdown"), c.want)
		})
	}
}

// markdownCarriesWarnings runs a command whose -o markdown must show the
// run's warnings in a callout after its heading, before its first table:
// a page that pastes it keeps them.
func markdownCarriesWarnings(t *testing.T, args []string, want string) {
	t.Helper()
	stdout, stderr, code := cmdtest.Run(t, nil, args...)
	if code != 0 && !(args[0] == "metrics" && code == 1) { // its gate fails
		t.Fatalf("exit %d: %s", code, stderr)
	}
	i, j, k := strings.Index(stdout, "> [!WARNING]"), strings.Index(stdout, want), strings.Index(stdout, "\n|")
	if i < 0 || j < i || (k >= 0 && k < j) || len(cmdtest.Warnings(stderr)) != strings.Count(stdout, "\n> - ") {
		t.Errorf("markdown without the warnings (%q) before its first table:\n%.1500s\nstderr:\n%s", want, stdout, stderr)
	}
}

func TestMeasuredOutputsCarryWarnings(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	cmdtest.ThinUplinks(t, dir)
	for _, command := range []string{"metrics", "rollout", "economics"} {
		for _, format := range []string{"json", "yaml"} {
			t.Run(command+"/"+format, func(t *testing.T) {
				stdout, stderr, code := cmdtest.Run(t, nil, command, "-C", dir, "-o", format)
				if code != 0 && !(command == "metrics" && code == 1) { // its gate fails
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got, want := cmdtest.Problems(t, stdout), cmdtest.Warnings(stderr)
				if !slices.Equal(got, want) {
					t.Errorf("problems:\n%s\nwant stderr's warnings:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if !strings.Contains(strings.Join(got, "\n"), `drip-lora: 2 of its 6 devices (e.g. "eui-70b3d57ed00500a1")`) {
					t.Errorf("no sparse warning among the problems:\n%s", strings.Join(got, "\n"))
				}
			})
		}
		t.Run(command+"/markdown", func(t *testing.T) {
			markdownCarriesWarnings(t, []string{command, "-C", dir, "-o", "markdown"}, `drip-lora: 2 of its 6 devices (e.g. "eui-70b3d57ed00500a1")`)
		})
	}
}
