package discovery

import (
	"errors"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
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
		{"*/python3.1[!1]", "/usr/bin/python3.11", false}, // '!' negates as '^' does
		{"*/python3.1[!1]", "/usr/bin/python3.12", true},
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
// may only be stricter (its '*' never splits a character). A class opened by
// "[!" is a negation here and a set holding '!' there, so such patterns are
// only checked for not matching when malformed.
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
		case err != nil || strings.Contains(name, "/") || strings.Contains(pattern, "[!"):
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

func TestCompiledGlobAlternation(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*/{python3*,node}", "/usr/bin/python3.11", true},
		{"*/{python3*,node}", "/usr/local/bin/node", true},
		{"*/{python3*,node}", "/usr/local/bin/nodejs", false},
		{"*/{python3*,node}", "/usr/bin/python2.7", false},
		{"/usr/bin/{python3*,node}", "/usr/bin/python3.11", true},
		{"/usr/{bin,sbin}/nginx", "/usr/sbin/nginx", true},
		{"/usr/{bin,sbin}/nginx", "/usr/lib/nginx", false},
		{"/opt/{a,{b,c}x}", "/opt/cx", true}, // nested
		{"/opt/{a,{b,c}x}", "/opt/c", false},
		{"/opt/{,x}y", "/opt/y", true},      // an empty option
		{"/opt/[{]x}", "/opt/{x}", true},    // braces in a class are literal
		{`/opt/\{a,b}`, "/opt/{a,b}", true}, // and so are escaped ones
		{"*/{python3*", "/usr/bin/python3", false},
		{"*/python3}", "/usr/bin/python3}", true}, // a '}' closing nothing is literal
		{"{a,b}}", "b}", true},
		{"{[,a}", "[", false}, // the alternation never closes: the class swallows the brace
	}
	for _, tt := range tests {
		if got := compileGlob(tt.pattern).matches(tt.name); got != tt.want {
			t.Errorf("compileGlob(%q).matches(%q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestExpandGlob(t *testing.T) {
	got, err := expandGlob("/{a,b}/{c,d{e,f}}")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a/c", "/a/de", "/a/df", "/b/c", "/b/de", "/b/df"}
	if !slices.Equal(got, want) {
		t.Fatalf("expandGlob = %q, want %q", got, want)
	}
	if _, err := expandGlob(strings.Repeat("{a,b}", 7)); !errors.Is(err, errTooManyAlternatives) {
		t.Fatalf("2^7 alternatives: err %v", err)
	}
	for _, bad := range []string{"{a", "{a,{b}", "x}{a,b"} {
		if _, err := expandGlob(bad); !errors.Is(err, path.ErrBadPattern) {
			t.Errorf("expandGlob(%q): err %v, want path.ErrBadPattern", bad, err)
		}
	}
}

func TestRuleAlternation(t *testing.T) {
	r := Rule{ExePath: "*/{python3*,node}", CmdArgs: "*{manage.py,app.js}*"}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	compiled := r.clone()
	for _, p := range []struct {
		exe, cmd string
		want     bool
	}{
		{"/usr/bin/python3.11", "python3 manage.py runserver", true},
		{"/usr/bin/node", "node app.js", true},
		{"/usr/bin/node", "node other.js", false},
		{"/usr/bin/ruby", "ruby app.js", false},
	} {
		proc := &call.Process{ExecutablePath: p.exe, CommandLine: p.cmd}
		if got := compiled.matches(proc); got != p.want {
			t.Errorf("compiled rule on %s %q = %v, want %v", p.exe, p.cmd, got, p.want)
		}
		if got := r.matches(proc); got != p.want {
			t.Errorf("uncompiled rule on %s %q = %v, want %v", p.exe, p.cmd, got, p.want)
		}
	}
}

func TestRuleValidateAlternation(t *testing.T) {
	for _, bad := range []string{"*/{python3,node", "*/{python3,[}", strings.Repeat("{a,b}", 7)} {
		if err := (Rule{ExePath: bad}).Validate(); err == nil {
			t.Errorf("Validate(%q) accepted it", bad)
		}
	}
	if err := (Rule{ExePath: "*/{python3*,node}"}).Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// FuzzExpandGlob checks that expansion never panics, stays bounded and
// leaves no alternation behind.
func FuzzExpandGlob(f *testing.F) {
	for _, s := range []string{"*/{python3*,node}", "{a,{b,c}}", `\{a,b}`, "[{]{x,y}", "{[,]}", "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		alternatives, err := expandGlob(pattern)
		if err != nil {
			return
		}
		if len(alternatives) > maxAlternatives {
			t.Fatalf("%q: %d alternatives", pattern, len(alternatives))
		}
		for _, a := range alternatives {
			if firstAlternation(a) >= 0 {
				t.Fatalf("%q: alternative %q still alternates", pattern, a)
			}
		}
	})
}
