package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

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
			if !strings.Contains(out, "start: start capture: missing capabilities: CAP_"+c.Name+" (") ||
				strings.Count(out, " (to ") != 1 {
				t.Errorf("without CAP_%s, Start must fail naming it alone:\n%s", c.Name, out)
			}
			if strings.Count(out, ": ok\n") != 2 {
				t.Errorf("without CAP_%s, exactly one guarded operation must fail:\n%s", c.Name, out)
			}
		})
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
	tr, err := tracer.New(tracer.Config{MaxPayload: 256, BufferSize: 1 << 16, Protocols: tracer.Protocols{HTTP1: true}}, zap.NewNop())
	if err == nil {
		err = tr.Close()
	}
	fmt.Println("load:", outcome(err))
	_, err = os.Readlink("/proc/" + other + "/exe")
	fmt.Println("exe:", outcome(err))
	_, err = os.ReadFile("/proc/" + other + "/environ")
	fmt.Println("environ:", outcome(err))
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
