package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

var (
	methodOther = semconv.HTTPRequestMethodOther.Value.AsString()
	schemeHTTP  = "http"  // url.scheme of plaintext HTTP
	schemeHTTPS = "https" // url.scheme of HTTP decoded from a TLS library's plaintext
	errorOther  = semconv.ErrorTypeOther.Value.AsString()
	// spanNameOther names spans whose method is not a known one, as the
	// HTTP semantic conventions ask.
	spanNameOther = "HTTP"
)

// knownMethods maps each method the semantic conventions know to itself, so
// that normalised methods are constant strings that never pin a call's
// buffers.
var knownMethods = func() map[string]string {
	m := make(map[string]string)
	for _, name := range []string{
		semconv.HTTPRequestMethodConnect.Value.AsString(),
		semconv.HTTPRequestMethodDelete.Value.AsString(),
		semconv.HTTPRequestMethodGet.Value.AsString(),
		semconv.HTTPRequestMethodHead.Value.AsString(),
		semconv.HTTPRequestMethodOptions.Value.AsString(),
		semconv.HTTPRequestMethodPatch.Value.AsString(),
		semconv.HTTPRequestMethodPost.Value.AsString(),
		semconv.HTTPRequestMethodPut.Value.AsString(),
		semconv.HTTPRequestMethodTrace.Value.AsString(),
		semconv.HTTPRequestMethodQuery.Value.AsString(),
	} {
		m[name] = name
	}
	return m
}()

// normalizeMethod returns the http.request.method value for a method as
// sent: the method itself when known (case-sensitive), else "_OTHER".
func normalizeMethod(sent string) (method string, known bool) {
	if m, ok := knownMethods[sent]; ok {
		return m, true
	}
	return methodOther, false
}

// isError tells whether an HTTP call failed.
func isError(c *call.Call) bool { return isErrorStatus(c.Kind, c.HTTP.Status) }

// isErrorStatus tells whether a call with this status failed: no response
// at all, a 5xx on either side, or a 4xx seen by a client.
func isErrorStatus(kind call.Kind, status int) bool {
	switch {
	case status == 0 || status >= 500:
		return true
	case status >= 400:
		return kind == call.KindClient
	default:
		return false
	}
}

// splitHostHeader splits a Host header into name and port (0 when absent or
// malformed) without allocating; brackets around IPv6 literals are removed.
func splitHostHeader(h string) (string, uint16) {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return h, 0
		}
		return h[1:end], parsePort(strings.TrimPrefix(h[end+1:], ":"))
	}
	i := strings.LastIndexByte(h, ':')
	if i < 0 || strings.IndexByte(h, ':') != i {
		return h, 0 // no port, or a bare IPv6 literal
	}
	return h[:i], parsePort(h[i+1:])
}

func parsePort(s string) uint16 {
	if s == "" || len(s) > 5 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > 0xffff {
		return 0
	}
	return uint16(n)
}

// serverEndpoint is server.address and server.port of a call: taken from the
// Host header when it carries them, else from the socket (the local end for
// a server, the peer for a client). Exactly one of host and addr is set.
type serverEndpoint struct {
	host string
	addr netip.Addr
	port uint16
}

// peerServerOf is the server of a client call whose server is the other
// end of the connection (a database, a broker): its address, never a name.
func peerServerOf(c *call.Call) serverEndpoint {
	return serverEndpoint{addr: c.Peer.Addr().Unmap(), port: c.Peer.Port()}
}

// collectServer gathers server.address and server.port (when known) in a.
func (s *spanConverter) collectServer(a *attrList, server serverEndpoint) {
	a.str(string(semconv.ServerAddressKey), s.serverAddress(server))
	if server.port != 0 {
		a.int(string(semconv.ServerPortKey), int64(server.port))
	}
}

// putServer writes server.address and server.port (when known) of a
// series.
func putServer(attrs pcommon.Map, server serverEndpoint) {
	putNonEmpty(attrs, string(semconv.ServerAddressKey), server.address())
	if server.port != 0 {
		attrs.PutInt(string(semconv.ServerPortKey), int64(server.port))
	}
}

// serverOf is the server of an HTTP or RPC call: the Host header's or
// :authority's when sent, else the socket's (the local end for a server,
// the peer for a client).
func serverOf(c *call.Call) serverEndpoint {
	sock := c.Peer
	if c.Kind == call.KindServer {
		sock = c.Local
	}
	host, port := splitHostHeader(c.HTTP.Host)
	if port == 0 {
		port = sock.Port()
	}
	if host == "" {
		return serverEndpoint{addr: sock.Addr().Unmap(), port: port}
	}
	return serverEndpoint{host: host, port: port}
}

// address renders server.address; empty when nothing is known.
func (s serverEndpoint) address() string {
	if s.host != "" {
		return s.host
	}
	if s.addr.IsValid() {
		return s.addr.String()
	}
	return ""
}

// maxAddrNames bounds the remembered address strings; the cache is cleared
// when full.
const maxAddrNames = 4096

// addrNames renders IP addresses, remembering the strings: the same peers
// come back call after call, and rendering allocates each time. The last
// address is checked before the map, since consecutive calls often share
// their peer. It is owned by one goroutine.
type addrNames struct {
	names    map[netip.Addr]string
	last     netip.Addr
	lastName string
}

func newAddrNames() *addrNames { return &addrNames{names: make(map[netip.Addr]string)} }

// name returns addr as a string.
func (a *addrNames) name(addr netip.Addr) string {
	if addr == a.last && a.lastName != "" {
		return a.lastName
	}
	s, ok := a.names[addr]
	if !ok {
		if len(a.names) >= maxAddrNames {
			clear(a.names)
		}
		s = addr.String()
		a.names[addr] = s
	}
	a.last, a.lastName = addr, s
	return s
}
