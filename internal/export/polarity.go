package export

import (
	"fmt"
	"strings"
	"unicode"
)

// A connection state written as a boolean (true/false, 1/0) means what
// its column's name says: online = true is a connect, offline = true a
// disconnect. The default vocabulary reads true and 1 as a connect,
// which InfluxDB, Grafana and ThingsBoard state columns (online,
// connected, active, state) mean; read from a column named for the
// offline state (is_offline, disconnected, link_down) the same rows would
// turn every outage into connected time and every connection into an
// outage, with nothing to show for it. So the readers refuse boolean
// values in such a column unless the input says how to read them.

// offlineWords are the words of a column name that make it the offline
// state's.
var offlineWords = map[string]bool{
	"offline": true, "disconnected": true, "disconnect": true, "down": true, "inactive": true,
	"unreachable": true, "lost": true, "dead": true, "not": true,
}

// OfflineColumn reports whether a column's name says it holds the
// offline state ("is_offline", "isDisconnected", "link down", "not
// connected"): a true in it is a disconnect.
func OfflineColumn(name string) bool {
	for _, w := range nameWords(name) {
		if offlineWords[w] {
			return true
		}
	}
	return false
}

// nameWords splits a column name into its lower-case words at anything
// not a letter or a digit and where camelCase starts a word.
func nameWords(name string) []string {
	var words []string
	var cur strings.Builder
	prevLower := false
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range name {
		switch {
		case unicode.IsUpper(r):
			if prevLower {
				flush()
			}
			cur.WriteRune(unicode.ToLower(r))
			prevLower = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
			prevLower = true
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return words
}

// booleanWords are the boolean spellings of a connection state, as
// normalize leaves them.
var booleanWords = map[string]bool{"true": true, "false": true, "1": true, "0": true, "t": true, "f": true}

// IsBooleanState reports whether a value is a boolean spelling (true,
// FALSE, 1, 0, t, f).
func IsBooleanState(v []byte) bool {
	return len(v) <= 7 && booleanWords[normalize(string(v))]
}

// offlineReason is the bad-row reason of a boolean value in an offline
// column the input did not say how to read.
func offlineReason(v []byte, column string) string {
	return fmt.Sprintf(`event value %q in column %s, whose name says it holds the offline state: true there is a disconnect, and iotpm reads true and 1 as a connect; say which is which in a repo format's values (formats: in iotpm.yaml, values: {connect: ["false", "0"], disconnect: ["true", "1"]}), or export the state as connected/disconnected`, clip(string(v), 80), column)
}
