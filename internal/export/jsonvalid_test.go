package export

import (
	"encoding/json"
	"strings"
	"testing"
)

// validJSONCases are JSON texts on either side of each rule of the
// grammar, for TestValidJSON and as FuzzValidJSON's seeds.
var validJSONCases = []string{
	`{}`, ` {} `, "\t{\r\n}\n", `[]`, `[ ]`, `{"a":1}`, `{"a" : 1 , "b":[1,2,{"c":null}]}`,
	`"x"`, `0`, `-0`, `-0.5e+10`, `1E-2`, `12.75`, `true`, `false`, `null`,
	`{"s":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}`, "{\"é\":\"\xff\xfe\"}",
	// invalid
	``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,"a":1}`, `{"a":1 "b":2}`, `{a:1}`, `{'a':1}`,
	`[1,]`, `[,1]`, `[1 2]`, `{}{}`, `{} x`, `{"a":1}}`, `01`, `-`, `-a`, `1.`, `.5`, `1e`, `1e+`, `+1`,
	`tru`, `nul`, `True`, `"a`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\x00\"", "\"\x7f\"",
	"{\"a\":1}\x00", "\xef\xbb\xbf{}", `[[[[]]]]`, `{"a":[1,{"b":[true,false,null]}]}`,
}

func TestValidJSON(t *testing.T) {
	cases := append([]string{}, validJSONCases...)
	// encoding/json's depth limit, on either side
	cases = append(cases, strings.Repeat("[", 10000)+strings.Repeat("]", 10000), strings.Repeat("[", 10001)+strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10000)+"1"+strings.Repeat("}", 10000), strings.Repeat(`{"a":`, 10001)+"1"+strings.Repeat("}", 10001))
	valid := 0
	for _, c := range cases {
		want := json.Valid([]byte(c))
		if got := validJSON([]byte(c)); got != want {
			t.Errorf("validJSON(%.40q) = %v, json.Valid says %v", c, got, want)
		}
		if want {
			valid++
		}
	}
	if valid < 15 || valid > len(cases)-30 {
		t.Fatalf("%d of %d cases valid: the table lost its balance", valid, len(cases))
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validJSONCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}
