package http1

// trimSpace removes optional whitespace (SP, HTAB) around a field value.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares ASCII bytes with a lower-case literal, ignoring case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// nextToken splits a comma-separated list: it returns the first element,
// trimmed, and the rest after the comma.
func nextToken(list []byte) (tok, rest []byte) {
	for i, c := range list {
		if c == ',' {
			return trimSpace(list[:i]), list[i+1:]
		}
	}
	return trimSpace(list), nil
}

// hasToken reports whether a comma-separated list holds tok (lower case),
// ignoring case.
func hasToken(list []byte, tok string) bool {
	for len(list) > 0 {
		var t []byte
		t, list = nextToken(list)
		if equalFold(t, tok) {
			return true
		}
	}
	return false
}

// lastToken returns the last non-empty element of a comma-separated list.
func lastToken(list []byte) []byte {
	var last []byte
	for len(list) > 0 {
		var t []byte
		t, list = nextToken(list)
		if len(t) > 0 {
			last = t
		}
	}
	return last
}

// maxLengthDigits bounds a Content-Length so that it fits an int64 with room
// to add offsets: 10^18 bytes is far beyond any real body.
const maxLengthDigits = 18

// parseLength parses a non-empty run of decimal digits.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > maxLengthDigits {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseLengthList parses a Content-Length value: one length, or a list of
// equal lengths.
func parseLengthList(value []byte) (int64, bool) {
	n := int64(-1)
	for first := true; first || len(value) > 0; first = false {
		var t []byte
		t, value = nextToken(value)
		v, ok := parseLength(t)
		if !ok || (n >= 0 && v != n) {
			return 0, false
		}
		n = v
	}
	return n, true
}

// tchar marks the bytes allowed in a token (RFC 9110 section 5.6.2), such as
// a method name.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// isToken reports whether b is a non-empty token.
func isToken(b []byte) bool {
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return len(b) > 0
}
