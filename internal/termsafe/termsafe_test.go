package termsafe

import "testing"

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain, with tab\tand ünïcode ✓": "plain, with tab\tand ünïcode ✓",
		"x\n::warning::INJECTED":         `x\n::warning::INJECTED`,
		"\x1b[2Jcleared":                 `\x1b[2Jcleared`,
		"cr\r\nlf":                       `cr\r\nlf`,
		"del\x7f c1\u0085 bad\xff utf8":  `del\x7f c1\u0085 bad\xff utf8`,
		"":                               "",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("x\n::warning::y\x1b[2J\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !clean(out) {
			t.Fatalf("String(%q) = %q still has control characters", s, out)
		}
		if command(out) {
			t.Fatalf("String(%q) = %q still carries a workflow command", s, out)
		}
	})
}

// Workflow commands in values are defused: "::name" after blanks at the
// start, "##[name]" anywhere (the runner's own parsing rules).
func TestWorkflowCommandsAreDefused(t *testing.T) {
	for in, want := range map[string]string{
		"::add-mask::secret":       `\x3a:add-mask::secret`,
		"  ::warning::x":           `  \x3a:warning::x`,
		"a ##[stop-commands]token": `a #\x23[stop-commands]token`,
		"std::vector, fe80::1":     "std::vector, fe80::1",
		"plain":                    "plain",
		"::error::x\n##[group]y":   `\x3a:error::x\n#\x23[group]y`,
	} {
		if got := String(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
