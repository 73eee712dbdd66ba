package discovery

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

func TestMappedLibSSL(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"7f1c2a000000-7f1c2a01f000 r--p 00000000 fd:01 1234 /usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3"},
		{"7f1c2a000000-7f1c2a01f000 r-xp 00000000 00:2a 99 /opt/app/lib/libssl.so.1.1", "/opt/app/lib/libssl.so.1.1"},
		{"7f1c2a000000-7f1c2a01f000 r--p 00000000 fd:01 1235 /usr/lib/x86_64-linux-gnu/libcrypto.so.3", ""},
		{"7ffd1c9e8000-7ffd1ca09000 rw-p 00000000 00:00 0 [stack]", ""},
		{"7f1c2a000000-7f1c2a01f000 rw-p 00000000 00:00 0", ""},
	}
	for _, tt := range tests {
		got, ok := mappedLibSSL(tt.line)
		if ok != (tt.want != "") || (ok && got != tt.want) {
			t.Errorf("mappedLibSSL(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
		}
	}
}

func TestReadGoTLS(t *testing.T) {
	g, err := ReadGoTLS(goTLSProgram(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.ReadRets) == 0 {
		t.Fatalf("ReadGoTLS = %+v, want RETs in Read", g)
	}
	if runtime.GOARCH == "amd64" && !g.ReadSpilled {
		t.Errorf("ReadGoTLS = %+v, want Read's spilled arguments found", g)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if _, err := ReadGoTLS(sh); !errors.Is(err, errNoGoTLS) {
		t.Errorf("ReadGoTLS(%s) error = %v, want errNoGoTLS", sh, err)
	}
}

// TestTLSFinderFindsLibSSL runs python with its ssl module loaded, which
// maps libssl, and finds it.
func TestTLSFinderFindsLibSSL(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is missing")
	}
	cmd := exec.Command(python, "-c", "import ssl, sys; print('ready', flush=True); sys.stdin.read()")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	// python prints once ssl is imported, so libssl is mapped.
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("python did not start: %q, %v", line, err)
	}
	targets, err := NewTLSFinder("/proc").Find(uint32(cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Go != nil || !strings.Contains(targets[0].Path, "libssl.so") {
		t.Fatalf("Find = %+v, want one libssl target", targets)
	}
	if _, err := os.Stat(targets[0].Path); err != nil {
		t.Errorf("target path: %v", err)
	}
}

// TestTLSFinderFindsGo finds crypto/tls in a running Go HTTPS server.
func TestTLSFinderFindsGo(t *testing.T) {
	cert, key := peers.SelfSignedCert(t)
	server := exec.Command(goTLSProgram(t), "127.0.0.1:0", cert, key)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { server.Process.Kill(); server.Wait() }()
	targets, err := NewTLSFinder("/proc").Find(uint32(server.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Go == nil || len(targets[0].Go.ReadRets) == 0 {
		t.Fatalf("Find = %+v, want the Go executable", targets)
	}
}

// TestNeededLibSSL finds curl's libssl through libcurl, as ldd does.
func TestNeededLibSSL(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is missing")
	}
	out, err := exec.Command("ldd", curl).Output()
	if err != nil {
		t.Skipf("ldd: %v", err)
	}
	want := ""
	for _, line := range strings.Split(string(out), "\n") {
		if _, path, ok := strings.Cut(line, "=> "); ok && strings.Contains(line, "libssl.so") {
			want, _, _ = strings.Cut(path, " ")
		}
	}
	if want == "" {
		t.Skip("curl links no libssl")
	}
	got, ok := neededLibSSL("/", curl)
	if !ok {
		t.Fatalf("neededLibSSL(%s) found nothing, ldd says %s", curl, want)
	}
	g, err1 := FileOf(got)
	w, err2 := FileOf(want)
	if err1 != nil || err2 != nil || g != w {
		t.Errorf("neededLibSSL(%s) = %s, ldd says %s", curl, got, want)
	}
	if _, ok := neededLibSSL("/", "/bin/sh"); ok {
		t.Error("neededLibSSL(/bin/sh) found a libssl")
	}
}

// TestTLSFinderFindsExitedGoByExecPath finds crypto/tls in a Go program
// that already exited, by the path its execve was given: its procfs entry
// is gone, and the target's path stays valid to attach to.
func TestTLSFinderFindsExitedGoByExecPath(t *testing.T) {
	prog := goTLSProgram(t)
	cmd := exec.Command(prog) // exits at once: no arguments
	_ = cmd.Run()
	pid := uint32(cmd.Process.Pid)
	f := NewTLSFinder("/proc")
	if targets, _ := f.Find(pid); len(targets) != 0 {
		t.Fatalf("Find of an exited process = %+v, want nothing", targets)
	}
	targets, err := f.FindExec(pid, prog)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Go == nil || len(targets[0].Go.ReadRets) == 0 {
		t.Fatalf("FindExec = %+v, want the Go executable", targets)
	}
	if id, err := FileOf(targets[0].Path); err != nil || id != targets[0].File {
		t.Errorf("target path %s: %v, identity %v want %v", targets[0].Path, err, id, targets[0].File)
	}
}
