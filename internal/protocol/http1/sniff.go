package http1

// methods are the request methods the classifier recognises, as constant
// strings so that parsing them allocates nothing.
var methods = [...]string{
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
}

// LooksLikeRequest reports whether b starts like an HTTP/1.x request line: a
// standard method, a space, then '/' (origin form), '*' (OPTIONS *) or 'h'
// (absolute form, as sent to proxies). It reads at most the first 9 bytes.
func LooksLikeRequest(b []byte) bool {
	m := knownMethod(b)
	if m == "" || len(b) < len(m)+2 || b[len(m)] != ' ' {
		return false
	}
	switch b[len(m)+1] {
	case '/', '*', 'h':
		return true
	}
	return false
}

// LooksLikeResponse reports whether b starts like an HTTP/1.x status line:
// "HTTP/1.0 " or "HTTP/1.1 " followed by three digits.
func LooksLikeResponse(b []byte) bool {
	if len(b) < 12 || versionOf(b[:8]) == "" || b[8] != ' ' {
		return false
	}
	return isDigit(b[9]) && isDigit(b[10]) && isDigit(b[11])
}

// knownMethod returns the standard method b starts with, or "".
func knownMethod(b []byte) string {
	for _, m := range methods {
		if len(b) >= len(m) && string(b[:len(m)]) == m {
			return m
		}
	}
	return ""
}

// internMethod returns method as a string, without allocating for the
// standard methods.
func internMethod(method []byte) string {
	for _, m := range methods {
		if string(method) == m {
			return m
		}
	}
	return string(method)
}

// versionOf maps "HTTP/1.0" and "HTTP/1.1" to "1.0" and "1.1", anything else
// to "".
func versionOf(b []byte) string {
	switch string(b) {
	case "HTTP/1.1":
		return "1.1"
	case "HTTP/1.0":
		return "1.0"
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// StartsRequest reports whether b, shorter than a request line's first
// bytes, could be the beginning of one: a prefix of a standard method and
// the following space. Servers that read one byte ahead split requests so.
func StartsRequest(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, m := range methods {
		if len(b) <= len(m)+1 && string(b) == (m + " ")[:len(b)] {
			return true
		}
	}
	return false
}

// StartsResponse reports whether b, shorter than a status line's first
// bytes, could be the beginning of one.
func StartsResponse(b []byte) bool {
	if len(b) == 0 || len(b) > 12 {
		return false
	}
	const prefix = "HTTP/1.1 "
	for i, c := range b {
		switch {
		case i < len(prefix) && i == 7:
			if c != '0' && c != '1' {
				return false
			}
		case i < len(prefix):
			if c != prefix[i] {
				return false
			}
		case !isDigit(c):
			return false
		}
	}
	return true
}
