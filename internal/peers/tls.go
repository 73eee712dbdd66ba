package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// SelfSignedCert makes a certificate for 127.0.0.1 and its key with the
// openssl command and returns their paths.
func SelfSignedCert(t testing.TB) (cert, key string) {
	t.Helper()
	openssl := lookPath(t, "openssl")
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cmd := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
		"-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
		"-keyout", key, "-out", cert)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make certificate: %v\n%s", err, msg)
	}
	return cert, key
}

// pythonHTTPS is an HTTP/1.1 server over python's ssl module (libssl):
// GET /status/{code} answers with that code, anything else answers "ok".
const pythonHTTPS = `
import http.server, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        code = int(self.path[8:]) if self.path.startswith("/status/") else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
`

// PythonHTTPSServer runs an HTTPS server on python's ssl module.
func PythonHTTPSServer(t testing.TB, cert, key string) *Server {
	t.Helper()
	python := lookPath(t, "python3")
	port := FreePort(t)
	return Start(t, port, python, "-c", pythonHTTPS, strconv.Itoa(port), cert, key)
}

// GoHTTPSServer runs cmd/httpsserver, a Go net/http server over crypto/tls.
func GoHTTPSServer(t testing.TB, cert, key string) *Server {
	t.Helper()
	exe := GoProgram(t, "httpsserver")
	port := FreePort(t)
	return Start(t, port, exe, "127.0.0.1:"+strconv.Itoa(port), cert, key)
}

// NginxTLS serves HTTPS with nginx (libssl), one worker, everything under a
// temporary directory: /status/201 answers 201, other paths are files of an
// empty root (404).
func NginxTLS(t testing.TB, cert, key string) *Server {
	t.Helper()
	return startNginx(t, func(dir string, port int) string {
		if err := os.Mkdir(filepath.Join(dir, "www"), 0o755); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`server {
	listen 127.0.0.1:%d ssl;
	ssl_certificate %s;
	ssl_certificate_key %s;
	root %s/www;
	location = /status/201 { return 201 "ok"; }
	location = / { return 200 "ok"; }
}`, port, cert, key, dir)
	})
}
