package discovery

import (
	"errors"
	"path"
)

// maxAlternatives bounds the patterns one glob expands to, so that a
// pattern such as "{a,b}{c,d}{e,f}..." cannot make matching expensive.
const maxAlternatives = 64

// errTooManyAlternatives says a glob expands to more than maxAlternatives
// patterns.
var errTooManyAlternatives = errors.New("too many alternatives")

// expandGlob expands the alternations of pattern, as shells and
// github.com/gobwas/glob write them ("*/{python3*,node}", nested braces
// allowed), into the plain globs matchGlob takes; a name matches the pattern
// when it matches any of them. Braces inside a class or escaped by '\' are
// literal, and so is a '}' that closes nothing. A '{' that is never closed
// is a syntax error (path.ErrBadPattern); an expansion past maxAlternatives
// is refused too.
func expandGlob(pattern string) ([]string, error) {
	open := firstAlternation(pattern)
	if open < 0 {
		return []string{pattern}, nil
	}
	close, options, ok := splitAlternation(pattern, open)
	if !ok {
		return nil, path.ErrBadPattern
	}
	var out []string
	for _, option := range options {
		more, err := expandGlob(pattern[:open] + option + pattern[close+1:])
		if err != nil {
			return nil, err
		}
		if out = append(out, more...); len(out) > maxAlternatives {
			return nil, errTooManyAlternatives
		}
	}
	return out, nil
}

// firstAlternation returns the index of the first '{' that opens an
// alternation, -1 when there is none. A '}' before it closes nothing and is
// a literal, as in shells.
func firstAlternation(pattern string) int {
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[':
			i = classEnd(pattern, i)
		case '{':
			return i
		}
	}
	return -1
}

// splitAlternation reads the alternation that opens at pattern[open] and
// returns the index of its '}' and its comma-separated options (each may
// hold further alternations).
func splitAlternation(pattern string, open int) (close int, options []string, ok bool) {
	depth, start := 0, open+1
	for i := open; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[':
			i = classEnd(pattern, i)
		case '{':
			depth++
		case ',':
			if depth == 1 {
				options, start = append(options, pattern[start:i]), i+1
			}
		case '}':
			if depth--; depth == 0 {
				return i, append(options, pattern[start:i]), true
			}
		}
	}
	return 0, nil, false
}

// classEnd returns the index of the ']' that closes the class opening at
// pattern[open], or the last index when the class is not closed (the
// matcher refuses such a pattern). As in matchClass, a ']' right after the
// opening bracket and its negation does not close the class.
func classEnd(pattern string, open int) int {
	i := open + 1
	if i < len(pattern) && (pattern[i] == '^' || pattern[i] == '!') {
		i++
	}
	first := i
	for ; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\':
			i++
		case pattern[i] == ']' && i > first:
			return i
		}
	}
	return len(pattern) - 1
}

// globSet is a compiled glob: its alternatives, matched in turn. A nil set
// matches everything (the field is not set); an empty one nothing.
type globSet []string

// compileGlob expands pattern; an empty pattern gives the nil set and a
// malformed one the empty set.
func compileGlob(pattern string) globSet {
	if pattern == "" {
		return nil
	}
	alternatives, err := expandGlob(pattern)
	if err != nil {
		return globSet{}
	}
	return alternatives
}

// matches reports whether name matches one of the alternatives.
func (g globSet) matches(name string) bool {
	if g == nil {
		return true
	}
	for _, p := range g {
		if matchGlob(p, name) {
			return true
		}
	}
	return false
}
