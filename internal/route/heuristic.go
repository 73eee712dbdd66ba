package route

import "strings"

// Placeholders that replace id-like segments.
const (
	placeholderID   = "{id}"
	placeholderDate = "{date}"
)

// minTokenLen is the length from which a segment mixing letters and digits
// is taken for a generated token (a session id, a base64 key) rather than a
// word: "v2" and "page1" stay, "a1b2c3d4e5f6g7h8" goes.
const minTokenLen = 16

// collapse replaces the id-like segments of path with placeholders; it
// returns path itself, without allocating, when none is id-like.
func collapse(path string) string {
	var b strings.Builder
	last := 0 // path[:last] is written to b, once b is in use
	for start := 0; start < len(path); {
		end := strings.IndexByte(path[start:], '/')
		if end < 0 {
			end = len(path)
		} else {
			end += start
		}
		if ph := placeholder(path[start:end]); ph != "" {
			if b.Len() == 0 {
				b.Grow(len(path))
			}
			b.WriteString(path[last:start])
			b.WriteString(ph)
			last = end
		}
		start = end + 1
	}
	if last == 0 {
		return path
	}
	b.WriteString(path[last:])
	return b.String()
}

// placeholder returns the placeholder for an id-like segment, "" for others.
func placeholder(s string) string {
	switch {
	case s == "":
		return ""
	case isDate(s):
		return placeholderDate
	case isNumber(s), isUUID(s), isHexID(s), isToken(s):
		return placeholderID
	}
	return ""
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isUUID matches the 8-4-4-4-12 hexadecimal form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isHexID matches hexadecimal strings of at least 8 digits with at least one
// decimal digit (hashes, object ids), not words like "deadbeef" or "facade".
func isHexID(s string) bool {
	if len(s) < 8 {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
		digit = digit || isDigit(s[i])
	}
	return digit
}

// isDate matches YYYY-MM-DD.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return isNumber(s[:4]) && isNumber(s[5:7]) && isNumber(s[8:])
}

// isToken matches long segments of letters, digits, '-' and '_' holding
// both letters and digits.
func isToken(s string) bool {
	if len(s) < minTokenLen {
		return false
	}
	letters, digits := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
		case c != '-' && c != '_':
			return false
		}
	}
	return letters && digits
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
