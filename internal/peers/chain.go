package peers

import (
	"strconv"
	"testing"
	"time"
)

// The trace-chain tests run a request through three runtimes on the node:
// curl -> python (threaded http.server) -> Go (cmd/chainsvc: PostgreSQL,
// then a pooled HTTP client) -> node (http module).

// pythonChain is a thread-per-request server (ThreadingHTTPServer): GET
// /chain/{i} calls GET {go}/work/{i} with urllib on a fresh connection
// ("Connection: close") from the handler's thread and answers 200 when
// that call did, 502 otherwise.
const pythonChain = `
import http.server, sys, urllib.request
port, downstream = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if not self.path.startswith("/chain/"):
            self.send_error(404)
            return
        i = self.path[len("/chain/"):]
        req = urllib.request.Request(downstream + "/work/" + i, headers={"Connection": "close"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
                code = 200 if resp.status == 200 else 502
        except Exception as e:
            print("chain", i, e, flush=True)
            code = 502
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
`

// nodeLeaf answers 200 "ok" to every request, on node's http module with
// keep-alive (the default).
const nodeLeaf = `
const http = require("http");
http.createServer((req, res) => {
  res.writeHead(200, {"content-type": "text/plain", "content-length": "2"});
  res.end("ok");
}).listen(Number(process.argv[1]), "127.0.0.1");
`

// PythonChainServer runs the python step of the chain, calling the Go
// service at goBase (http://host:port).
func PythonChainServer(t testing.TB, goBase string) *Server {
	t.Helper()
	python := lookPath(t, "python3")
	port := FreePort(t)
	return Start(t, port, python, "-c", pythonChain, strconv.Itoa(port), goBase)
}

// NodeLeafServer runs the last step of the chain on node.
func NodeLeafServer(t testing.TB) *Server {
	t.Helper()
	node := lookPath(t, "node")
	port := FreePort(t)
	return Start(t, port, node, "-e", nodeLeaf, strconv.Itoa(port))
}

// ChainService runs cmd/chainsvc, built without cgo, on a free port: it
// queries PostgreSQL at dsn and calls nodeBase; ticks background calls,
// one every tickEvery, follow the first request.
func ChainService(t testing.TB, dsn, nodeBase string, ticks int, tickEvery time.Duration) *Server {
	t.Helper()
	exe := buildGoProgram(t, "chainsvc", "CGO_ENABLED=0")
	port := FreePort(t)
	return Start(t, port, exe, "-ticks", strconv.Itoa(ticks), "-tick-every", tickEvery.String(), "127.0.0.1:"+strconv.Itoa(port), dsn, nodeBase)
}
