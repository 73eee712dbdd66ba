package discovery

import "unicode/utf8"

// matchGlob reports whether name matches pattern, a glob without
// alternation (see expandGlob). The syntax is path.Match's ('*', '?',
// '[...]' classes with ranges and '^' negation, '\' escapes; '!' negates a
// class too, as in shells), but no character of name is special: '*' matches any run of characters, '/'
// included, and '?' and classes match '/' like any other character. A user
// thinks of an executable path as one string ("*/python3*" should match
// /usr/bin/python3.11), not as directory levels matched one by one as
// path.Match does. For ASCII names without '/', the two agree exactly; '*'
// here never ends inside a multi-byte UTF-8 character, where path.Match may.
//
// The pattern is expected to have passed Rule.Validate; a malformed pattern
// matches nothing. On a mismatch only the most recent '*' is retried, one
// character further on: since '*' matches anything, the retries of a later
// star cover every way of extending an earlier one, so the cost is at most
// len(pattern)×len(name) steps, never exponential.
func matchGlob(pattern, name string) bool {
	p, n := 0, 0
	star, starN := -1, 0 // pattern index after the last '*', and where in name its match ends
	for {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			p++
			star, starN = p, n
			continue
		case p == len(pattern) && n == len(name):
			return true
		case p < len(pattern) && n < len(name):
			if pw, nw, ok := matchOne(pattern[p:], name[n:]); ok {
				p, n = p+pw, n+nw
				continue
			}
		}
		if star < 0 || starN == len(name) {
			return false
		}
		_, w := utf8.DecodeRuneInString(name[starN:])
		starN += w // let the last '*' swallow one more character
		p, n = star, starN
	}
}

// matchOne matches the pattern element at the start of pattern (a literal
// byte, an escaped byte, '?' or a class) against the start of the non-empty
// name, and returns how many bytes of each it consumed.
func matchOne(pattern, name string) (pw, nw int, ok bool) {
	switch pattern[0] {
	case '?':
		_, nw = utf8.DecodeRuneInString(name)
		return 1, nw, true
	case '[':
		r, nw := utf8.DecodeRuneInString(name)
		pw, ok = matchClass(pattern, r)
		return pw, nw, ok
	case '\\':
		if len(pattern) < 2 {
			return 0, 0, false
		}
		return 2, 1, pattern[1] == name[0]
	}
	return 1, 1, pattern[0] == name[0]
}

// matchClass matches the class that opens pattern ("[a-z]", "[^/]") against
// r and returns the class's length in bytes.
func matchClass(pattern string, r rune) (width int, ok bool) {
	i := 1
	negated := i < len(pattern) && (pattern[i] == '^' || pattern[i] == '!')
	if negated {
		i++
	}
	in := false
	for ranges := 0; ; ranges++ {
		if i >= len(pattern) {
			return 0, false // unterminated
		}
		if pattern[i] == ']' && ranges > 0 {
			return i + 1, in != negated
		}
		lo, w := classRune(pattern[i:])
		if w == 0 {
			return 0, false
		}
		i += w
		hi := lo
		if i < len(pattern) && pattern[i] == '-' {
			if hi, w = classRune(pattern[i+1:]); w == 0 {
				return 0, false
			}
			i += 1 + w
		}
		in = in || (lo <= r && r <= hi)
	}
}

// classRune reads one possibly escaped character of a class; a width of 0
// means the class is malformed there (an unescaped '-' or ']', or invalid
// UTF-8).
func classRune(s string) (r rune, width int) {
	if s == "" || s[0] == '-' || s[0] == ']' {
		return 0, 0
	}
	esc := 0
	if s[0] == '\\' {
		esc = 1
	}
	r, w := utf8.DecodeRuneInString(s[esc:])
	if w == 0 || r == utf8.RuneError && w == 1 {
		return 0, 0
	}
	return r, esc + w
}
