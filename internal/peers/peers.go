// Package peers starts the real programs the privileged tests observe:
// python's http.server, nginx, curl, and small Go net/http programs run as
// their own processes (the collector's own process is never captured).
// Every process started is stopped when its test ends.
package peers

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// Server is a started server process.
type Server struct {
	Port int
	PID  int
	log  string
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a server process and waits until port accepts connections.
// The server is started by a shell that exits at once, so it is not a child
// of the test process: the collector never captures its own children, and
// in these tests the test process plays the collector.
func Start(t testing.TB, port int, name string, args ...string) *Server {
	t.Helper()
	s := &Server{Port: port, log: filepath.Join(t.TempDir(), "server.log")}
	script := `"$@" >` + s.log + ` 2>&1 </dev/null & echo $!`
	out, err := exec.Command("/bin/sh", append([]string{"-c", script, "sh", name}, args...)...).Output()
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	if s.PID, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
		t.Fatalf("start %s: pid %q: %v", name, out, err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			msg, _ := os.ReadFile(s.log)
			t.Logf("%s output:\n%s", name, msg)
		}
	})
	waitListening(t, port, name)
	return s
}

// Stop kills the server and waits until it is gone; safe to call twice.
func (s *Server) Stop() {
	if syscall.Kill(s.PID, syscall.SIGKILL) != nil {
		return
	}
	for i := 0; i < 200; i++ {
		if syscall.Kill(s.PID, 0) != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitListening(t testing.TB, port int, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on port %d within 10s: %v", name, port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PythonHTTPServer serves dir with `python3 -m http.server`.
func PythonHTTPServer(t testing.TB, dir string) *Server {
	t.Helper()
	return PythonHTTPServerOn(t, FreePort(t), dir)
}

// PythonHTTPServerOn is PythonHTTPServer on a given port.
func PythonHTTPServerOn(t testing.TB, port int, dir string) *Server {
	t.Helper()
	python := lookPath(t, "python3")
	return Start(t, port, python, "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", dir)
}

// Nginx serves root with sendfile on, one worker, everything under a
// temporary directory.
func Nginx(t testing.TB, root string) *Server {
	t.Helper()
	return startNginx(t, func(_ string, port int) string {
		return fmt.Sprintf("sendfile on;\nserver {\n\tlisten 127.0.0.1:%d;\n\troot %s;\n}", port, root)
	})
}

// startNginx runs nginx in the foreground, one process, everything under a
// temporary directory, with the http block's contents that block returns
// for that directory and a free port.
func startNginx(t testing.TB, block func(dir string, port int) string) *Server {
	t.Helper()
	privtest.RequireTool(t, "/usr/sbin/nginx")
	port := FreePort(t)
	dir := t.TempDir()
	path := writeNginxConf(t, dir, block(dir, port))
	return Start(t, port, "/usr/sbin/nginx", "-c", path, "-p", dir)
}

// writeNginxConf writes, in dir, the configuration of a foreground nginx
// of one process keeping everything under dir, with http block's contents
// given, and returns its path.
func writeNginxConf(t testing.TB, dir, block string) string {
	t.Helper()
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, block)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Curl runs curl with args and returns what it printed.
func Curl(t testing.TB, args ...string) string {
	t.Helper()
	curl := lookPath(t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := grandchild(ctx, curl, append([]string{"-sS"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	return string(out)
}

func lookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		privtest.RequireTool(t, name)
	}
	return path
}

// GoProgramGlob matches the executables GoProgram builds for this test
// process, and no other process's.
func GoProgramGlob() string {
	return fmt.Sprintf("*/ebpfreceiver-peer-*-%d", os.Getpid())
}

// GoProgram builds one of this package's Go programs (cmd/NAME) once per
// test binary and returns its path.
func GoProgram(t testing.TB, name string) string {
	t.Helper()
	return buildGoProgram(t, name)
}

// buildGoProgram is GoProgram with extra environment for the build, such
// as CGO_ENABLED=0.
func buildGoProgram(t testing.TB, name string, env ...string) string {
	t.Helper()
	return buildIn(t, filepath.Join(peersDir(), "cmd", name), ".", fmt.Sprintf("ebpfreceiver-peer-%s", name), env...)
}

// peersDir is this package's directory, beside its programs and scripts.
func peersDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// buildIn builds package pkg of the module at dir, with extra
// environment env, once per test binary, into a file of the temporary
// directory named after name and this process, and returns its path.
func buildIn(t testing.TB, dir, pkg, name string, env ...string) string {
	t.Helper()
	out := filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d", name, os.Getpid()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	build := exec.Command("go", "build", "-C", dir, "-o", out, pkg)
	build.Env = append(os.Environ(), env...)
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// Run runs a program to completion and returns its standard output.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := grandchild(ctx, name, args...).Output()
	if err != nil {
		t.Fatalf("run %s %v: %v", name, args, err)
	}
	return string(out)
}

// grandchild runs a program under a shell that waits for it, so the program
// is not a child of the test process (see Start).
func grandchild(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", `"$@"; exit $?`, "sh", name}, args...)...)
}
