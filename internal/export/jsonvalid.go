package export

import "encoding/binary"

// validJSON reports whether b is one JSON value with only white space
// around it: exactly what json.Valid reports (FuzzValidJSON holds them
// equal), about four times as fast. Every record of a JSON export is
// checked before it is flattened, and encoding/json's scanner, a state
// machine called a byte, took more time than the rest of reading a
// JSON Lines file together.
func validJSON(b []byte) bool {
	i, ok := jsonValueAt(b, skipJSONSpace(b, 0), 0)
	return ok && skipJSONSpace(b, i) == len(b)
}

// maxJSONDepth is encoding/json's limit on nested objects and arrays.
const maxJSONDepth = 10000

// jsonValueAt checks the value at b[i:], nested in depth objects and
// arrays, and returns the index after it.
func jsonValueAt(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return jsonStringAt(b, i)
	case c == '{':
		return jsonObjectAt(b, i, depth+1)
	case c == '[':
		return jsonArrayAt(b, i, depth+1)
	case c == 't':
		return jsonLiteralAt(b, i, "true")
	case c == 'f':
		return jsonLiteralAt(b, i, "false")
	case c == 'n':
		return jsonLiteralAt(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return jsonNumberAt(b, i)
	}
	return i, false
}

func jsonLiteralAt(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// jsonStringAt checks the string whose opening quote is at i: no control
// character, every escape one of \" \\ \/ \b \f \n \r \t \uXXXX (bytes
// from 0x80 are taken as they are, as encoding/json takes them).
func jsonStringAt(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		if i = jsonPlainRun(b, i); i == len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// jsonNumberAt checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func jsonNumberAt(b []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j, j > i
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if j, ok := digits(i); ok {
		i = j
	} else {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j, ok := digits(i + 1)
		if !ok {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j, ok := digits(i)
		if !ok {
			return j, false
		}
		i = j
	}
	return i, true
}

// jsonObjectAt checks the object whose '{' is at i.
func jsonObjectAt(b []byte, i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		var ok bool
		if i, ok = jsonStringAt(b, i); !ok {
			return i, false
		}
		if i = skipJSONSpace(b, i); i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = jsonValueAt(b, skipJSONSpace(b, i+1), depth); !ok {
			return i, false
		}
		if i = skipJSONSpace(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipJSONSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// jsonArrayAt checks the array whose '[' is at i.
func jsonArrayAt(b []byte, i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = jsonValueAt(b, i, depth); !ok {
			return i, false
		}
		if i = skipJSONSpace(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ']':
			return i + 1, true
		case ',':
			i = skipJSONSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// jsonPlainRun returns the index of the first byte from i that is a
// quote, a backslash or a control character (len(b) when none is),
// eight bytes at a time: a string's plain run (a device id, a session's
// 32 hex digits) is most of a record.
func jsonPlainRun(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(ones*'"'), w^(ones*'\\')
		// a byte below 0x20 (ctl), or zero in q or bs (a quote or a
		// backslash): the borrow test, exact for "is there one"
		ctl := (w - ones*0x20) &^ w
		if (ctl|(q-ones)&^q|(bs-ones)&^bs)&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}
