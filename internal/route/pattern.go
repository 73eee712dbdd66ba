package route

import (
	"errors"
	"fmt"
	"strings"
)

// pattern is a parsed route pattern: literal segments, "{name}" segments
// matching any one non-empty segment, and a final "*" matching the rest of
// the path, however many segments (none included).
type pattern struct {
	text     string
	segments []segment
	rest     bool // ends in "*"
}

type segment struct {
	literal string
	param   bool
}

func parsePattern(text string) (pattern, error) {
	if !strings.HasPrefix(text, "/") {
		return pattern{}, fmt.Errorf("pattern %q: must start with /", text)
	}
	p := pattern{text: text}
	parts := strings.Split(text[1:], "/")
	for i, part := range parts {
		switch {
		case part == "*" && i == len(parts)-1:
			p.rest = true
		case strings.ContainsAny(part, "*"):
			return pattern{}, fmt.Errorf("pattern %q: * is allowed only as the last segment", text)
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") && len(part) > 2:
			p.segments = append(p.segments, segment{param: true})
		case strings.ContainsAny(part, "{}"):
			return pattern{}, fmt.Errorf("pattern %q: a parameter is a whole segment, as in /users/{id}", text)
		default:
			p.segments = append(p.segments, segment{literal: part})
		}
	}
	if len(p.segments) == 0 && !p.rest && text != "/" {
		return pattern{}, errors.New("empty pattern")
	}
	return p, nil
}

// match reports whether path matches, segment by segment, without
// allocating. "/a/b/" has a last, empty segment; "/" is one empty segment.
func (p *pattern) match(path string) bool {
	rest, done := strings.TrimPrefix(path, "/"), false
	for _, s := range p.segments {
		if done {
			return false
		}
		var part string
		var more bool
		part, rest, more = strings.Cut(rest, "/")
		done = !more
		if s.param && part == "" || !s.param && part != s.literal {
			return false
		}
	}
	return p.rest || done
}
