package postgres

import (
	"bytes"
	"encoding/binary"
)

// cstring returns the NUL-terminated string at the start of b and what
// follows it; a string cut by the capture is returned whole, with ok false.
func cstring(b []byte) (s, rest []byte, ok bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

// ParseStartup returns the database parameter of a StartupMessage body (the
// parameters after the protocol code); empty when absent or cut.
func ParseStartup(params []byte) (database []byte) {
	for len(params) > 0 && params[0] != 0 {
		key, rest, ok := cstring(params)
		if !ok {
			return nil
		}
		val, rest, ok := cstring(rest)
		if !ok {
			return nil
		}
		if string(key) == "database" {
			return val
		}
		params = rest
	}
	return nil
}

// QueryText returns the statement of a Query body; complete is false when
// the capture cut it.
func QueryText(body []byte) (text []byte, complete bool) {
	text, _, complete = cstring(body)
	return text, complete
}

// ParseMessage returns the statement name and text of a Parse body.
func ParseMessage(body []byte) (name, text []byte, complete bool) {
	name, rest, ok := cstring(body)
	if !ok {
		return name, nil, false
	}
	text, _, complete = cstring(rest)
	return name, text, complete
}

// BindMessage returns the portal and statement names of a Bind body.
func BindMessage(body []byte) (portal, statement []byte, ok bool) {
	portal, rest, ok := cstring(body)
	if !ok {
		return nil, nil, false
	}
	statement, _, ok = cstring(rest)
	return portal, statement, ok
}

// ExecuteMessage returns the portal name of an Execute body.
func ExecuteMessage(body []byte) (portal []byte, ok bool) {
	portal, _, ok = cstring(body)
	return portal, ok
}

// CloseMessage returns what a Close body closes: kind 'S' for a prepared
// statement or 'P' for a portal, and its name.
func CloseMessage(body []byte) (kind byte, name []byte, ok bool) {
	if len(body) < 1 {
		return 0, nil, false
	}
	name, _, ok = cstring(body[1:])
	return body[0], name, ok
}

// CommandTag splits a CommandComplete body such as "INSERT 0 5" or
// "SELECT 3" into the command and the row count, -1 when the tag has none.
func CommandTag(body []byte) (command []byte, rows int64) {
	tag, _, _ := cstring(body)
	command, rows = tag, -1
	if i := bytes.IndexByte(tag, ' '); i >= 0 {
		command = tag[:i]
	}
	j := bytes.LastIndexByte(tag, ' ')
	if j < 0 {
		return command, -1
	}
	var n int64
	for _, c := range tag[j+1:] {
		if c < '0' || c > '9' || n > 1<<50 {
			return command, -1
		}
		n = n*10 + int64(c-'0')
	}
	if j+1 == len(tag) {
		return command, -1
	}
	return command, n
}

// ErrorCode returns the SQLSTATE (field 'C') of an ErrorResponse body;
// empty when absent or cut.
func ErrorCode(body []byte) []byte {
	for len(body) > 0 && body[0] != 0 {
		field := body[0]
		val, rest, ok := cstring(body[1:])
		if !ok {
			return nil
		}
		if field == 'C' {
			return val
		}
		body = rest
	}
	return nil
}

// ReadyStatus returns the transaction status of a ReadyForQuery body: 'I'
// idle, 'T' in a transaction, 'E' in a failed one; 0 when malformed.
func ReadyStatus(body []byte) byte {
	if len(body) != 1 || (body[0] != 'I' && body[0] != 'T' && body[0] != 'E') {
		return 0
	}
	return body[0]
}

// EndsWithReady reports whether b, the last bytes of a server write, ends
// with a whole ReadyForQuery message: how a reader that lost the framing
// inside a large result finds its end.
func EndsWithReady(b []byte) bool {
	if len(b) < HeaderLen+1 {
		return false
	}
	m := b[len(b)-HeaderLen-1:]
	return m[0] == ReadyForQuery && binary.BigEndian.Uint32(m[1:5]) == 5 && ReadyStatus(m[5:]) != 0
}

// FindEnding looks in b, whose last message is a ReadyForQuery, for the
// CommandComplete or ErrorResponse that ends exactly where it starts, and
// returns its type and body; ok is false when none does.
func FindEnding(b []byte) (typ byte, body []byte, ok bool) {
	end := len(b) - HeaderLen - 1
	for i := end - HeaderLen; i >= 0; i-- {
		if b[i] != CommandComplete && b[i] != ErrorResponse {
			continue
		}
		if n := int(binary.BigEndian.Uint32(b[i+1 : i+5])); n >= 4 && i+1+n == end && b[end-1] == 0 {
			return b[i], b[i+HeaderLen : end], true
		}
	}
	return 0, nil, false
}
