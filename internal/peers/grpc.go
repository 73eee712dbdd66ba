package peers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// GRPCProgramGlob matches the executables GRPCProgram builds for this test
// process, and no other process's.
func GRPCProgramGlob() string {
	return fmt.Sprintf("*/ebpfreceiver-grpc-*-%d", os.Getpid())
}

// GRPCProgram builds a program of the test/grpcpeers module, such as
// "google.golang.org/grpc/examples/helloworld/greeter_server" or
// "./cmd/loopclient", once per test binary and returns its path. The
// module pins google.golang.org/grpc/examples, whose programs are real
// gRPC peers we did not write.
func GRPCProgram(t testing.TB, pkg string) string {
	t.Helper()
	name := strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(pkg, "google.golang.org/grpc/examples/"), "./cmd/"), "/", "_")
	return buildIn(t, filepath.Join(peersDir(), "..", "..", "test", "grpcpeers"), pkg, "ebpfreceiver-grpc-"+name)
}

// RunStatus runs a program to completion, as Run does, and returns its
// combined output and exit error instead of failing on a non-zero exit:
// for clients whose calls are expected to fail.
func RunStatus(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := grandchild(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// Background runs a program that serves no port, such as a client calling
// in a loop, detached as Start does, and stops it when the test ends.
func Background(t testing.TB, name string, args ...string) *Server {
	t.Helper()
	s := &Server{log: filepath.Join(t.TempDir(), "background.log")}
	script := `"$@" >` + s.log + ` 2>&1 </dev/null & echo $!`
	out, err := exec.Command("/bin/sh", append([]string{"-c", script, "sh", name}, args...)...).Output()
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	if _, err := fmt.Sscan(string(out), &s.PID); err != nil {
		t.Fatalf("start %s: pid %q: %v", name, out, err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Output returns what a program started by Start or Background printed so
// far.
func (s *Server) Output() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}
