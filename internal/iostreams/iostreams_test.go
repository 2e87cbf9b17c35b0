package iostreams

import "testing"

func TestColorWanted(t *testing.T) {
	tests := []struct {
		env  map[string]string
		tty  bool
		want bool
	}{
		{nil, true, true},
		{nil, false, false},
		{map[string]string{"NO_COLOR": "1"}, true, false},
		{map[string]string{"NO_COLOR": ""}, true, true}, // empty NO_COLOR does not count
		{map[string]string{"CLICOLOR_FORCE": "1"}, false, true},
		{map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false, false},
		{map[string]string{"CLICOLOR_FORCE": "0"}, false, false},
		{map[string]string{"TERM": "dumb"}, true, false},
		{map[string]string{"CLICOLOR": "0"}, true, false},
	}
	for _, tt := range tests {
		if got := ColorWanted(func(k string) string { return tt.env[k] }, tt.tty); got != tt.want {
			t.Errorf("env %v tty %v: got %v", tt.env, tt.tty, got)
		}
	}
}
