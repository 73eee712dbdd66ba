package discovery

import (
	"maps"
	"net/url"
	"strings"
	"testing"
)

func TestParseResourceAttributes(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"", nil},
		{"service.name=checkout", map[string]string{"service.name": "checkout"}},
		{
			"service.name=checkout,deployment.environment.name=prod",
			map[string]string{"service.name": "checkout", "deployment.environment.name": "prod"},
		},
		{" k = v , l=w ", map[string]string{"k": "v", "l": "w"}},
		{"k=a%2Cb%3Dc%20d", map[string]string{"k": "a,b=c d"}},
		{"k=a+b", map[string]string{"k": "a+b"}}, // '+' is not a space here
		{"k=a=b", map[string]string{"k": "a=b"}},
		{"k=", map[string]string{"k": ""}},
		{"k=%zz", map[string]string{"k": "%zz"}}, // bad escape kept as written
		{"k=1,k=2", map[string]string{"k": "2"}},
		{"novalue,=empty-key, =x,,ok=1", map[string]string{"ok": "1"}},
		{",,,", nil},
	}
	for _, tt := range tests {
		if got := parseResourceAttributes(tt.in); !maps.Equal(got, tt.want) {
			t.Errorf("parseResourceAttributes(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseEnviron(t *testing.T) {
	tests := []struct {
		name      string
		environ   string
		wantName  string
		wantAttrs map[string]string
	}{
		{"none", "PATH=/bin\x00HOME=/root\x00", "", nil},
		{"empty", "", "", nil},
		{"service name", "OTEL_SERVICE_NAME=cart\x00", "cart", nil},
		{"attributes", "OTEL_RESOURCE_ATTRIBUTES=a=1,b=2\x00", "", map[string]string{"a": "1", "b": "2"}},
		{"first wins", "OTEL_SERVICE_NAME=one\x00OTEL_SERVICE_NAME=two\x00", "one", nil},
		{"name is trimmed", "OTEL_SERVICE_NAME= cart \x00", "cart", nil},
		{"longer name not confused", "OTEL_SERVICE_NAME_X=no\x00XOTEL_SERVICE_NAME=no\x00", "", nil},
		{"no trailing NUL", "A=b\x00OTEL_SERVICE_NAME=cart", "cart", nil},
		{"bare name", "OTEL_SERVICE_NAME\x00", "", nil},
	}
	for _, tt := range tests {
		name, attrs := parseEnviron([]byte(tt.environ))
		if name != tt.wantName || !maps.Equal(attrs, tt.wantAttrs) {
			t.Errorf("%s: parseEnviron = %q, %v; want %q, %v", tt.name, name, attrs, tt.wantName, tt.wantAttrs)
		}
	}
}

func TestServiceName(t *testing.T) {
	attrs := map[string]string{"service.name": "from-attrs"}
	tests := []struct {
		env   string
		attrs map[string]string
		want  string
	}{
		{"from-env", attrs, "from-env"},
		{"", attrs, "from-attrs"},
		{"", map[string]string{"service.name": ""}, "python3.11"},
		{"", nil, "python3.11"},
	}
	for _, tt := range tests {
		if got := serviceName(tt.env, tt.attrs, "python3.11"); got != tt.want {
			t.Errorf("serviceName(%q, %v) = %q, want %q", tt.env, tt.attrs, got, tt.want)
		}
	}
}

// FuzzParseResourceAttributes checks that any input parses without panic
// into well-formed keys, and that the result survives a round trip through
// its own percent-encoded form.
func FuzzParseResourceAttributes(f *testing.F) {
	for _, s := range []string{
		"service.name=checkout,a=b", " k = v ", "k=%2C%zz", "=,,=", "k=a=b", "%", "k=\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		attrs := parseResourceAttributes(s)
		members := make([]string, 0, len(attrs))
		for k, v := range attrs {
			if k == "" || k != strings.TrimSpace(k) || strings.ContainsAny(k, ",=") {
				t.Fatalf("malformed key %q from %q", k, s)
			}
			members = append(members, k+"="+url.PathEscape(v))
		}
		again := parseResourceAttributes(strings.Join(members, ","))
		if !maps.Equal(attrs, again) {
			t.Fatalf("round trip of %q: %v became %v", s, attrs, again)
		}
	})
}
