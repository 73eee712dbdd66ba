package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"strconv"
	"strings"

	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// collectURLAttributes gathers what an HTTP span says of the URL: a server
// span the path, route and scheme; a client span url.full, and url.scheme
// when opted in. Neither ever carries the query string as sent.
func (s *spanConverter) collectURLAttributes(a *attrList, c *call.Call, server serverEndpoint) {
	h := &c.HTTP
	if c.Kind == call.KindServer {
		a.str(string(semconv.URLPathKey), h.Path)
		a.str(string(semconv.HTTPRouteKey), h.Route)
		a.str(string(semconv.URLSchemeKey), urlScheme(h))
		return
	}
	a.str(string(semconv.URLFullKey), urlFull(urlScheme(h), s.serverAddress(server), server.port, h.Path, redactedQuery(h)))
	if s.optIn.clientURLScheme {
		a.str(string(semconv.URLSchemeKey), urlScheme(h))
	}
}

// redactedQuery is the query string url.full carries: its keys, with
// every value already replaced by the capture.
func redactedQuery(h *call.HTTP) string { return h.Query }

// urlFull renders url.full, scheme://host[:port]path[?query]: the port is
// left out when it is the scheme's default, an IPv6 host is bracketed, and
// query must already be redacted.
func urlFull(scheme, host string, port uint16, path, query string) string {
	var b strings.Builder
	b.Grow(len(scheme) + len(host) + len(path) + len(query) + 12)
	b.WriteString(scheme)
	b.WriteString("://")
	if strings.IndexByte(host, ':') >= 0 {
		b.WriteByte('[')
		b.WriteString(host)
		b.WriteByte(']')
	} else {
		b.WriteString(host)
	}
	if port != 0 && port != defaultPort(scheme) {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(port)))
	}
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String()
}

// defaultPort is the port a URL of scheme leaves out.
func defaultPort(scheme string) uint16 {
	if scheme == schemeHTTPS {
		return 443
	}
	return 80
}
