//go:build linux

package ebpfreceiver

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// TestHTTPSPythonServerAndCurlAreTraced decodes HTTPS between python's ssl
// module and curl, both on libssl, from the plaintext the uprobes see.
func TestHTTPSPythonServerAndCurlAreTraced(t *testing.T) {
	c := startCapture(t, nil, "*python3*", "*/curl")
	cert, key := peers.SelfSignedCert(t)
	// Started after the receiver: python maps libssl after its exec, when
	// it imports ssl, and is probed when it starts listening.
	srv := peers.PythonHTTPSServer(t, cert, key)
	checkHTTPS(t, c, srv, "curl")
}

// TestHTTPSGoServerAndCurlAreTraced decodes HTTPS between a Go server
// (crypto/tls, probed at its RET instructions) and curl (libssl).
func TestHTTPSGoServerAndCurlAreTraced(t *testing.T) {
	c := startCapture(t, nil, peers.GoProgramGlob(), "*/curl")
	cert, key := peers.SelfSignedCert(t)
	srv := peers.GoHTTPSServer(t, cert, key)
	checkHTTPS(t, c, srv, "curl")
}

// checkHTTPS makes two HTTPS requests with curl and expects exactly one
// server span and one client span for each, with url.scheme https: the
// ciphertext of the same connections gives nothing.
func checkHTTPS(t *testing.T, c *captured, srv *peers.Server, client string) {
	t.Helper()
	base := "https://127.0.0.1:" + strconv.Itoa(srv.Port)
	warmUp(t, c, base, srv.PID)
	peers.Curl(t, "-k", "--http1.1", "-o", "/dev/null", base+"/status/201")
	peers.Curl(t, "-k", "--http1.1", "-o", "/dev/null", base+"/status/404")

	checked := func(s span) bool { return strings.HasPrefix(s.path(), "/status/") }
	server := c.waitSpans(t, 2, func(s span) bool {
		return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) && checked(s)
	})
	clients := c.waitSpans(t, 2, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.service == client && s.int("server.port") == int64(srv.Port) && checked(s)
	})
	for _, spans := range [][]span{server, clients} {
		byPath := map[string]span{}
		for _, s := range spans {
			byPath[s.path()] = s
		}
		for path, status := range map[string]int64{"/status/201": 201, "/status/404": 404} {
			s, ok := byPath[path]
			if !ok {
				t.Fatalf("no %s span for %s in %v", spans[0].kind, path, byPath)
			}
			if s.url().Scheme != "https" || s.str("http.request.method") != "GET" || s.int("http.response.status_code") != status {
				t.Errorf("%s span %s: scheme %q method %q status %d, want https GET %d", s.kind, path,
					s.url().Scheme, s.str("http.request.method"), s.int("http.response.status_code"), status)
			}
			if s.int("server.port") != int64(srv.Port) {
				t.Errorf("%s span %s: server.port %d, want %d", s.kind, path, s.int("server.port"), srv.Port)
			}
		}
	}
}

// warmUp requests /warmup until both sides of one request are traced: the
// receiver places the uprobes after it has judged a new process, which
// happens while that process already runs, so a process's first requests
// may be missed. Requests made after that are all traced.
func warmUp(t *testing.T, c *captured, base string, pid int) {
	t.Helper()
	seen := func(kind ptrace.SpanKind) bool {
		return len(filterSpans(c.spans(), func(s span) bool {
			return s.kind == kind && s.path() == "/warmup" && (kind != ptrace.SpanKindServer || s.pid == int64(pid))
		})) > 0
	}
	for deadline := time.Now().Add(20 * time.Second); !seen(ptrace.SpanKindServer) || !seen(ptrace.SpanKindClient); {
		if time.Now().After(deadline) {
			t.Fatal("no TLS request traced on both sides within 20s")
		}
		peers.Curl(t, "-k", "--http1.1", "-o", "/dev/null", base+"/warmup")
		time.Sleep(100 * time.Millisecond)
	}
}

// TestHTTPSNginxAndCurlAreTraced decodes HTTPS between nginx and curl, both
// on libssl.
func TestHTTPSNginxAndCurlAreTraced(t *testing.T) {
	c := startCapture(t, nil, "*/nginx", "*/curl")
	cert, key := peers.SelfSignedCert(t)
	srv := peers.NginxTLS(t, cert, key)
	checkHTTPS(t, c, srv, "curl")
}
