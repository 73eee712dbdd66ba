// Package route turns request paths into http.route values of bounded
// cardinality. A path matches the first of the user's patterns
// ("/users/{id}", "/static/*"); a path no pattern matches becomes, by the
// unmatched mode, the path with its id-like segments replaced by
// placeholders (heuristic), the path itself, or "/*". Paths matching an
// ignore pattern (health checks) are dropped. Nothing here allocates for a
// path seen recently.
package route

import (
	"errors"
	"fmt"
	"strings"
)

// Mode says what becomes of a path that no pattern matches.
type Mode uint8

// Unmatched modes.
const (
	// Heuristic replaces the segments that look like identifiers, numbers,
	// hex strings, UUIDs or dates with placeholders, from the path alone.
	Heuristic Mode = iota
	// Path keeps the path: unbounded cardinality, for trusted setups only.
	Path
	// Wildcard makes every unmatched path "/*".
	Wildcard
)

// ParseMode parses "heuristic", "path" or "wildcard".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "heuristic":
		return Heuristic, nil
	case "path":
		return Path, nil
	case "wildcard":
		return Wildcard, nil
	}
	return 0, fmt.Errorf("unknown mode %q: use heuristic, path or wildcard", s)
}

// Config is what the user wrote.
type Config struct {
	Patterns  []string
	Unmatched Mode
	Ignore    []string
}

// maxCached bounds the path-to-route cache; it is cleared when full.
const maxCached = 8192

// Router maps paths to routes. It is not safe for concurrent use.
type Router struct {
	patterns []pattern
	ignore   []pattern
	mode     Mode
	cache    map[string]result
}

type result struct {
	route  string
	ignore bool
}

// New checks the patterns and builds a router.
func New(cfg Config) (*Router, error) {
	r := &Router{mode: cfg.Unmatched, cache: make(map[string]result)}
	var errs []error
	for i, p := range cfg.Patterns {
		pat, err := parsePattern(p)
		errs = append(errs, wrapIndex("patterns", i, err))
		r.patterns = append(r.patterns, pat)
	}
	for i, p := range cfg.Ignore {
		pat, err := parsePattern(p)
		errs = append(errs, wrapIndex("ignore", i, err))
		r.ignore = append(r.ignore, pat)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

func wrapIndex(key string, i int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s[%d]: %w", key, i, err)
}

// Route returns the route of path (without its query) and whether the
// request is to be ignored. The route is "" only for an empty path.
func (r *Router) Route(path string) (route string, ignore bool) {
	if path == "" {
		return "", false
	}
	if res, ok := r.cache[path]; ok {
		return res.route, res.ignore
	}
	res := r.resolve(path)
	if len(r.cache) >= maxCached {
		clear(r.cache)
	}
	r.cache[strings.Clone(path)] = res
	return res.route, res.ignore
}

func (r *Router) resolve(path string) result {
	for i := range r.ignore {
		if r.ignore[i].match(path) {
			return result{ignore: true}
		}
	}
	for i := range r.patterns {
		if r.patterns[i].match(path) {
			return result{route: r.patterns[i].text}
		}
	}
	switch r.mode {
	case Path:
		return result{route: strings.Clone(path)}
	case Wildcard:
		return result{route: "/*"}
	default:
		return result{route: collapse(path)}
	}
}
