// Package peers starts the real programs the privileged tests observe:
// python's http.server, nginx, curl, and small Go net/http programs run as
// their own processes (the collector's own process is never captured).
// Every process started is stopped when its test ends.
package peers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// Server is a started server process.
type Server struct {
	Port int
	PID  int
	cmd  *exec.Cmd
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
func Start(t testing.TB, port int, name string, args ...string) *Server {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	s := &Server{Port: port, PID: cmd.Process.Pid, cmd: cmd}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, stderr.String())
		}
	})
	waitListening(t, port, name)
	return s
}

// Stop kills the server and reaps it; safe to call twice.
func (s *Server) Stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
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
	python := lookPath(t, "python3")
	port := FreePort(t)
	return Start(t, port, python, "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", dir)
}

// Nginx serves root with sendfile on, one worker, everything under a
// temporary directory.
func Nginx(t testing.TB, root string) *Server {
	t.Helper()
	privtest.RequireTool(t, "/usr/sbin/nginx")
	port := FreePort(t)
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen 127.0.0.1:%[2]d;
		root %[3]s;
	}
}
`, dir, port, root)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return Start(t, port, "/usr/sbin/nginx", "-c", path, "-p", dir)
}

// Curl runs curl with args and returns what it printed.
func Curl(t testing.TB, args ...string) string {
	t.Helper()
	curl := lookPath(t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, append([]string{"-sS"}, args...)...).Output()
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

// GoProgram builds one of this package's Go programs (cmd/NAME) once per
// test binary and returns its path.
func GoProgram(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "cmd", name)
	out := filepath.Join(os.TempDir(), fmt.Sprintf("ebpfreceiver-peer-%s-%d", name, os.Getpid()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	build := exec.Command("go", "build", "-o", out, ".")
	build.Dir = src
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	return out
}
