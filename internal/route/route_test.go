package route

import (
	"strconv"
	"testing"
)

func TestCollapse(t *testing.T) {
	tests := map[string]string{
		"/":                  "/",
		"/users":             "/users",
		"/users/42":          "/users/{id}",
		"/users/42/orders/7": "/users/{id}/orders/{id}",
		"/users/42/":         "/users/{id}/",
		"/api/v2/items":      "/api/v2/items",
		"/page1":             "/page1",
		"/obj/5f3c9a1b2e7d":  "/obj/{id}",
		"/facade/deadbeef":   "/facade/deadbeef",
		"/u/123e4567-e89b-12d3-a456-426614174000": "/u/{id}",
		"/reports/2026-11-23":                     "/reports/{date}",
		"/s/aB3dE5gH7jK9mN1pQ":                    "/s/{id}",
		"/hello-world-of-long-words":              "/hello-world-of-long-words",
		"/factorial/20":                           "/factorial/{id}",
		"//x":                                     "//x",
	}
	for path, want := range tests {
		if got := collapse(path); got != want {
			t.Errorf("collapse(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestRouterPatternsFirst(t *testing.T) {
	r, err := New(Config{
		Patterns: []string{"/users/{id}", "/factorial/{n}", "/static/*", "/"},
		Ignore:   []string{"/health", "/ready/*"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		route  string
		ignore bool
	}{
		{"/users/abc", "/users/{id}", false},
		{"/users/abc/x", "/users/abc/x", false},
		{"/users", "/users", false},
		{"/factorial/20", "/factorial/{n}", false},
		{"/static", "/static/*", false},
		{"/static/css/a.css", "/static/*", false},
		{"/", "/", false},
		{"/health", "", true},
		{"/healthz", "/healthz", false},
		{"/ready/db", "", true},
		{"/orders/99", "/orders/{id}", false},
	}
	for _, tt := range tests {
		route, ignore := r.Route(tt.path)
		if route != tt.route || ignore != tt.ignore {
			t.Errorf("Route(%q) = %q, %v; want %q, %v", tt.path, route, ignore, tt.route, tt.ignore)
		}
	}
}

func TestRouterModes(t *testing.T) {
	for mode, want := range map[Mode]string{Heuristic: "/users/{id}", Path: "/users/17", Wildcard: "/*"} {
		r, err := New(Config{Unmatched: mode})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Route("/users/17"); got != want {
			t.Errorf("mode %d: Route = %q, want %q", mode, got, want)
		}
	}
}

func TestHeuristicBoundsCardinality(t *testing.T) {
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for i := 1; i <= 5000; i++ {
		route, _ := r.Route("/users/" + strconv.Itoa(i))
		routes[route] = true
	}
	if len(routes) != 1 || !routes["/users/{id}"] {
		t.Fatalf("routes = %v, want only /users/{id}", routes)
	}
}

func TestNewRejectsBadPatterns(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Patterns: []string{"users"}}, `patterns[0]: pattern "users": must start with /`},
		{Config{Patterns: []string{"/a/*/b"}}, `patterns[0]: pattern "/a/*/b": * is allowed only as the last segment`},
		{Config{Ignore: []string{"/x/{id"}}, `ignore[0]: pattern "/x/{id": a parameter is a whole segment, as in /users/{id}`},
	} {
		if _, err := New(tc.cfg); err == nil || err.Error() != tc.want {
			t.Errorf("New(%v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestParseMode(t *testing.T) {
	if m, err := ParseMode("wildcard"); err != nil || m != Wildcard {
		t.Fatalf("ParseMode(wildcard) = %v, %v", m, err)
	}
	if _, err := ParseMode("exact"); err == nil {
		t.Fatal("ParseMode(exact) accepted")
	}
}

func TestRouteCachedDoesNotAllocate(t *testing.T) {
	r, _ := New(Config{Patterns: []string{"/users/{id}"}})
	r.Route("/orders/1")
	if n := testing.AllocsPerRun(100, func() { r.Route("/orders/1") }); n != 0 {
		t.Fatalf("cached Route allocates %v times", n)
	}
}

func FuzzRoute(f *testing.F) {
	for _, s := range []string{"/", "/users/1", "//", "/a/b/", "*", "/2026-01-01/x", ""} {
		f.Add(s)
	}
	r, _ := New(Config{Patterns: []string{"/users/{id}", "/s/*"}, Ignore: []string{"/health"}})
	f.Fuzz(func(t *testing.T, path string) {
		route, ignore := r.Route(path)
		if path != "" && !ignore && route == "" {
			t.Fatalf("Route(%q) gave no route", path)
		}
		if len(collapse(path)) > len(path)+len(path)*len(placeholderDate) {
			t.Fatalf("collapse(%q) grew unreasonably", path)
		}
	})
}
