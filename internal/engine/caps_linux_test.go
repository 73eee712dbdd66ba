package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// envCapsChild makes TestCapabilitiesChild run: the parent re-runs this test
// binary under setpriv with a reduced capability bounding set.
const envCapsChild = "EBPFRECEIVER_CAPS_CHILD_OTHER_PID"

// TestEachRequiredCapabilityIsNeeded starts the engine without each
// required capability in turn: Start must fail at once naming exactly that
// capability, and the work it guards must really fail without it, so the
// list is minimal. With exactly the listed set, Start succeeds.
func TestEachRequiredCapabilityIsNeeded(t *testing.T) {
	privtest.Require(t)
	privtest.RequireTool(t, "/usr/bin/setpriv")
	other := otherUserProcess(t)
	t.Run("all", func(t *testing.T) {
		out := runWithCapabilities(t, other, tracer.RequiredCapabilities)
		for _, want := range []string{"start: ok", "load: ok", "exe: ok", "environ: ok"} {
			if !strings.Contains(out, want+"\n") {
				t.Errorf("with every listed capability, want %q:\n%s", want, out)
			}
		}
	})
	for i, c := range tracer.RequiredCapabilities {
		t.Run(c.Name, func(t *testing.T) {
			var kept []tracer.Capability
			kept = append(append(kept, tracer.RequiredCapabilities[:i]...), tracer.RequiredCapabilities[i+1:]...)
			out := runWithCapabilities(t, other, kept)
			start, _, _ := strings.Cut(out[strings.Index(out, "start:"):], "\n")
			if !strings.HasPrefix(start, "start: start capture: missing capabilities: CAP_"+c.Name+" (") ||
				strings.Count(start, " (to ") != 1 {
				t.Errorf("without CAP_%s, Start must fail naming it alone:\n%s", c.Name, out)
			}
			if strings.Count(out, ": ok\n") != 2 {
				t.Errorf("without CAP_%s, exactly one guarded operation must fail:\n%s", c.Name, out)
			}
		})
	}
}

// TestTracePropagationNeedsNetAdmin: with traces::propagation on, Start
// fails at once naming CAP_NET_ADMIN when the process lacks it, and a
// sockops program really cannot be loaded and attached to the cgroup v2
// root without it; with it, both work.
func TestTracePropagationNeedsNetAdmin(t *testing.T) {
	privtest.Require(t)
	privtest.RequireTool(t, "/usr/bin/setpriv")
	other := otherUserProcess(t)
	out := runWithCapabilities(t, other, tracer.RequiredCapabilities)
	if !strings.Contains(out, "propagate: start capture: trace propagation: missing capability CAP_NET_ADMIN (") {
		t.Errorf("without CAP_NET_ADMIN, Start with propagation must fail naming it:\n%s", out)
	}
	if sockops, _, _ := strings.Cut(out[strings.Index(out, "sockops:"):], "\n"); !strings.Contains(sockops, "operation not permitted") {
		t.Errorf("without CAP_NET_ADMIN, loading and attaching sockops must be refused:\n%s", out)
	}
	netAdmin := tracer.Capability{Name: "NET_ADMIN", Bit: unix.CAP_NET_ADMIN}
	out = runWithCapabilities(t, other, append(slices.Clone(tracer.RequiredCapabilities), netAdmin))
	for _, want := range []string{"propagate: ok", "sockops: ok"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("with CAP_NET_ADMIN, want %q:\n%s", want, out)
		}
	}
}

// otherUserProcess starts a process owned by nobody: reading its /proc
// entries is what CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH are needed for.
func otherUserProcess(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Wait until setpriv has become sleep, owned by nobody.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", cmd.Process.Pid)); strings.HasSuffix(exe, "/sleep") {
			return cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			t.Fatal("setpriv did not exec sleep")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runWithCapabilities runs TestCapabilitiesChild with only caps in the
// bounding set (root then gets exactly them) and returns its report.
func runWithCapabilities(t *testing.T, other int, caps []tracer.Capability) string {
	t.Helper()
	bounding := "-all"
	for _, c := range caps {
		bounding += ",+" + strings.ToLower(c.Name)
	}
	cmd := exec.Command("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set="+bounding, "--",
		os.Args[0], "-test.run=^TestCapabilitiesChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCapsChild+"="+strconv.Itoa(other))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return string(out)
}

// TestCapabilitiesChild reports, one line each, whether Start succeeds and
// whether each operation a capability guards works when attempted without
// the check: loading the programs, reading another user's executable link
// and environment.
func TestCapabilitiesChild(t *testing.T) {
	other := os.Getenv(envCapsChild)
	if other == "" {
		t.Skip("run by TestEachRequiredCapabilityIsNeeded")
	}
	fmt.Println("start:", outcome(startBriefly()))
	tr, err := tracer.New(tracer.Config{MaxPayload: 256, BufferSize: 1 << 16, Protocols: tracer.ProtocolsOf(tracer.ProtoHTTP1)}, zap.NewNop())
	if err == nil {
		err = tr.Close()
	}
	fmt.Println("load:", outcome(err))
	_, err = os.Readlink("/proc/" + other + "/exe")
	fmt.Println("exe:", outcome(err))
	_, err = os.ReadFile("/proc/" + other + "/environ")
	fmt.Println("environ:", outcome(err))
	fmt.Println("propagate:", outcome(startPropagating()))
	fmt.Println("sockops:", outcome(attachSockops()))
}

// startPropagating starts an engine with trace propagation on and shuts it
// down.
func startPropagating() error {
	cfg := Config{Protocols: stream.Protocols{HTTP1: true}, MaxPayloadBytes: 256, BufferSize: 1 << 16, TraceContext: true, Propagate: true}
	e, err := New(cfg, zap.NewNop(), func(*call.Call) {})
	if err != nil {
		return err
	}
	if err := e.Start(context.Background()); err != nil {
		return err
	}
	return e.Shutdown(context.Background())
}

// attachSockops loads a sockops program that does nothing and attaches it
// to the cgroup v2 root, without the capability check, then detaches it.
func attachSockops() error {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return err
	}
	root := ""
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[2] == "cgroup2" {
			root = f[1]
		}
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.SockOps, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()},
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := link.AttachCgroup(link.CgroupOptions{Path: root, Attach: ebpf.AttachCGroupSockOps, Program: prog})
	if err != nil {
		return err
	}
	return l.Close()
}

// startBriefly starts an engine and shuts it down; Start must fail fast
// when a capability is missing.
func startBriefly() error {
	e, err := New(Config{Protocols: stream.Protocols{HTTP1: true}, MaxPayloadBytes: 256, BufferSize: 1 << 16}, zap.NewNop(), func(*call.Call) {})
	if err != nil {
		return err
	}
	began := time.Now()
	err = e.Start(context.Background())
	if err != nil && time.Since(began) > time.Second {
		return fmt.Errorf("failed after %v, not at once: %w", time.Since(began), err)
	}
	if err != nil {
		return err
	}
	return e.Shutdown(context.Background())
}

func outcome(err error) string {
	if err != nil {
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
	return "ok"
}
