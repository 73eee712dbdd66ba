package peers

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// NetPair is two network namespaces joined by a veth pair: two nodes on
// one machine. Processes started in them are the only ones using their
// addresses.
type NetPair struct {
	A, B         string // namespace names
	AddrA, AddrB string // the veth ends' addresses
	id           string // names the veth ends: ebpfra<id> in A, ebpfrb<id> in B
}

// NewNetPair creates the namespaces and the link between them, and
// removes both when the test ends.
func NewNetPair(t testing.TB) *NetPair {
	t.Helper()
	privtest.RequireTool(t, "/usr/sbin/ip")
	id := strconv.Itoa(os.Getpid() % 100000)
	p := &NetPair{A: "ebpfr-a-" + id, B: "ebpfr-b-" + id, AddrA: "10.231.0.1", AddrB: "10.231.0.2", id: id}
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", p.A).Run()
		_ = exec.Command("ip", "netns", "del", p.B).Run()
	})
	va, vb := "ebpfra"+id, "ebpfrb"+id
	for _, args := range [][]string{
		{"netns", "add", p.A},
		{"netns", "add", p.B},
		{"link", "add", va, "type", "veth", "peer", "name", vb},
		{"link", "set", va, "netns", p.A},
		{"link", "set", vb, "netns", p.B},
		{"-n", p.A, "addr", "add", p.AddrA + "/30", "dev", va},
		{"-n", p.B, "addr", "add", p.AddrB + "/30", "dev", vb},
		{"-n", p.A, "link", "set", va, "up"},
		{"-n", p.B, "link", "set", vb, "up"},
		{"-n", p.A, "link", "set", "lo", "up"},
		{"-n", p.B, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return p
}

// In returns the command that runs name with args in namespace ns.
func In(ns, name string, args ...string) (string, []string) {
	return "ip", append([]string{"netns", "exec", ns, name}, args...)
}

// StartIn starts a server in namespace ns, as Start does, and waits until
// addr:port accepts connections there.
func StartIn(t testing.TB, ns, addr string, port int, name string, args ...string) *Server {
	t.Helper()
	ip, argv := In(ns, name, args...)
	s := Background(t, ip, argv...)
	s.Port = port
	deadline := time.Now().Add(10 * time.Second)
	probe := fmt.Sprintf("exec 3<>/dev/tcp/%s/%d", addr, port)
	for exec.Command("ip", "netns", "exec", ns, "bash", "-c", probe).Run() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s:%d in %s within 10s:\n%s", name, addr, port, ns, s.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// PythonIn, GoServerIn, NginxIn and NodeIn start the servers of the
// across-nodes tests on addr:port in namespace ns.

func PythonIn(t testing.TB, ns, addr string, port int, dir string) *Server {
	t.Helper()
	return StartIn(t, ns, addr, port, lookPath(t, "python3"), "-m", "http.server", strconv.Itoa(port), "--bind", addr, "--directory", dir)
}

func GoServerIn(t testing.TB, ns, addr string, port int) *Server {
	t.Helper()
	return StartIn(t, ns, addr, port, GoProgram(t, "httpserver"), addr+":"+strconv.Itoa(port))
}

func NginxIn(t testing.TB, ns, addr string, port int, root string) *Server {
	t.Helper()
	privtest.RequireTool(t, "/usr/sbin/nginx")
	dir := t.TempDir()
	path := writeNginxConf(t, dir, fmt.Sprintf("server {\n\tlisten %s:%d;\n\troot %s;\n}", addr, port, root))
	return StartIn(t, ns, addr, port, "/usr/sbin/nginx", "-c", path, "-p", dir)
}

func NodeIn(t testing.TB, ns, addr string, port int) *Server {
	t.Helper()
	script := strings.Replace(nodeLeaf, `"127.0.0.1"`, strconv.Quote(addr), 1)
	return StartIn(t, ns, addr, port, lookPath(t, "node"), "-e", script, strconv.Itoa(port))
}

// sniffer prints the trace option (kind 25) of every TCP segment with
// payload arriving on an interface for a port, in hex, one per line.
const sniffer = `
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
s.bind((sys.argv[1], 0))
port = int(sys.argv[2])
print("ready", flush=True)
while True:
    ip = s.recv(65535)[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        continue
    tcp = ip[ihl:]
    off = (tcp[12] >> 4) * 4
    if struct.unpack("!H", tcp[2:4])[0] != port or struct.unpack("!H", ip[2:4])[0] - ihl - off <= 0:
        continue
    opts, i = tcp[20:off], 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        n = opts[i + 1]
        if opts[i] == 25:
            print(opts[i:i + n].hex(), flush=True)
        i += max(n, 2)
`

// SniffOptions captures, on the veth end of namespace B, the trace options
// of the segments sent to port there, with a raw packet socket; Output
// lists them.
func (p *NetPair) SniffOptions(t testing.TB, port int) *Server {
	t.Helper()
	ip, args := In(p.B, lookPath(t, "python3"), "-c", sniffer, "ebpfrb"+p.id, strconv.Itoa(port))
	s := Background(t, ip, args...)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(s.Output(), "ready\n") {
		if time.Now().After(deadline) {
			t.Fatalf("packet capture did not start:\n%s", s.Output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// pythonFanout answers GET /fan/<i> after calling <downstream>/fan/<i>/one
// and then /two, each on a connection of its own, on the thread that reads
// the request.
const pythonFanout = `
import http.server, sys, urllib.request
addr, port, downstream = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200
        for leg in ("one", "two"):
            req = urllib.request.Request(downstream + self.path + "/" + leg, headers={"Connection": "close"})
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
            except Exception as e:
                print("fan", self.path, leg, e, flush=True)
                code = 502
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((addr, port), Handler).serve_forever()
`

// PythonFanoutIn starts, in namespace ns on addr:port, a python server
// whose every request calls downstream twice.
func PythonFanoutIn(t testing.TB, ns, addr string, port int, downstream string) *Server {
	t.Helper()
	return StartIn(t, ns, addr, port, lookPath(t, "python3"), "-c", pythonFanout, addr, strconv.Itoa(port), downstream)
}
