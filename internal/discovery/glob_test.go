package discovery

import (
	"path"
	"strings"
	"testing"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*/python3*", "/usr/bin/python3.11", true},
		{"*/python3*", "/usr/bin/python2.7", false},
		{"*", "/any/path/at/all", true},
		{"*", "", true},
		{"", "", true},
		{"", "/bin/sh", false},
		{"/usr/bin/node", "/usr/bin/node", true},
		{"/usr/bin/node", "/usr/bin/nodejs", false},
		{"/usr/*/java", "/usr/lib/jvm/java-17/bin/java", true},
		{"*otelcol*", "/opt/otelcol-custom", true},
		{"*/bin/?ava", "/usr/bin/java", true},
		{"/usr?bin/java", "/usr/bin/java", true}, // '?' matches '/'
		{"*/python3.1[0-9]", "/usr/bin/python3.11", true},
		{"*/python3.1[^1]", "/usr/bin/python3.11", false},
		{"*/python3.1[a-z]", "/usr/bin/python3.11", false},
		{"/opt/[/]x", "/opt//x", true},
		{`*\*`, "/tmp/a*", true},
		{`*\*`, "/tmp/ab", false},
		{`/tmp/\[x]`, "/tmp/[x]", true},
		{"*a*b*c", "/xaybzc", true},
		{"*a*b*c", "/xaybzcd", false},
		{"/é*", "/été", true},
		{"/?té", "/été", true},
		{"/[é]té", "/été", true},
		{"[", "[", false}, // malformed patterns match nothing
		{"*[", "x[", false},
		{`a\`, `a\`, false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestMatchGlobIsNotExponential(t *testing.T) {
	pattern := strings.Repeat("*a", 30) + "b"
	name := strings.Repeat("a", 5000)
	if matchGlob(pattern, name) {
		t.Fatal("matched")
	}
}

// FuzzMatchGlob checks matchGlob against path.Match where the two must
// agree: on ASCII names without '/'. On other names without '/', matchGlob
// may only be stricter (its '*' never splits a character).
func FuzzMatchGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*python3*", "python3.11"}, {"[a-c]?x", "bzx"}, {`\*[^x]`, "*y"},
		{"*a*b", "aab"}, {"[é-ü]", "ö"}, {"?", "\xff"}, {"[\\]]", "]"},
		{"*????", "0\U0007b48f0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := matchGlob(pattern, name)
		want, err := path.Match(pattern, name)
		switch {
		case err != nil && got:
			t.Fatalf("malformed pattern %q matched %q", pattern, name)
		case err != nil || strings.Contains(name, "/"):
		case isASCII(name) && got != want:
			t.Fatalf("matchGlob(%q, %q) = %v, path.Match says %v", pattern, name, got, want)
		case got && !want:
			t.Fatalf("matchGlob(%q, %q) matched, path.Match did not", pattern, name)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
