//go:build linux

package tracer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"
)

// Capability is a Linux capability the capture needs, with what it is for.
type Capability struct {
	Name string // as written in a Kubernetes securityContext, e.g. "BPF"
	Bit  uint   // bit in the capability sets
	Why  string
}

// RequiredCapabilities are the capabilities Start checks for, the minimal
// set found by starting the capture without each one in turn.
var RequiredCapabilities = []Capability{
	{"BPF", unix.CAP_BPF, "create BPF maps and load the capture programs"},
	{"PERFMON", unix.CAP_PERFMON, "load tracing programs that read kernel memory, and attach them to tracepoints"},
	{"SYS_PTRACE", unix.CAP_SYS_PTRACE, "read the executable, environment and cgroup of other users' processes under /proc"},
	{"DAC_READ_SEARCH", unix.CAP_DAC_READ_SEARCH, "read /proc/<pid>/environ of processes owned by other users"},
}

// capSysAdmin stands in for CAP_BPF and CAP_PERFMON on kernels before 5.8.
const capSysAdmin = unix.CAP_SYS_ADMIN

// Preflight checks, before anything is loaded, that the process has the
// capabilities the capture needs and the kernel the features it needs for
// transport t; the error names each one missing and how to get it.
func Preflight(t Transport) error {
	if err := CheckCapabilities(); err != nil {
		return err
	}
	return checkKernel(btfPath, t)
}

// btfPath is where the kernel describes its types; CO-RE reads need it.
const btfPath = "/sys/kernel/btf/vmlinux"

// checkKernel names the missing kernel features: the ring buffer only when
// transport t insists on it (auto falls back to perf buffers). Probing
// program and map types needs the capabilities, so it runs after
// CheckCapabilities.
func checkKernel(btf string, t Transport) error {
	var missing []string
	if _, err := os.Stat(btf); err != nil {
		missing = append(missing, fmt.Sprintf("kernel BTF at %s (a kernel built with CONFIG_DEBUG_INFO_BTF=y)", btf))
	}
	if err := features.HaveProgramType(ebpf.RawTracepoint); err != nil {
		missing = append(missing, fmt.Sprintf("raw tracepoint programs (%v)", err))
	}
	switch t {
	case TransportRingbuf:
		if err := features.HaveMapType(ebpf.RingBuf); err != nil {
			missing = append(missing, fmt.Sprintf("BPF ring buffer, kernel 5.8 or later, or capture::transport perf (%v)", err))
		}
	case TransportPerf:
		if err := features.HaveMapType(ebpf.PerfEventArray); err != nil {
			missing = append(missing, fmt.Sprintf("perf event arrays (%v)", err))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing kernel features: %s", strings.Join(missing, "; "))
}

// CheckCapabilities reads the process's effective capability set and
// returns an error naming every required capability that is missing and how
// to grant it; nil when none is.
func CheckCapabilities() error {
	eff, err := ownCapabilities()
	if err != nil {
		return err
	}
	return missingCapabilities(eff)
}

// ownCapabilities returns the process's effective capability set.
func ownCapabilities() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read effective capabilities: %w", err)
	}
	defer f.Close()
	return effectiveCapabilities(f)
}

// effectiveCapabilities parses the CapEff line of /proc/<pid>/status.
func effectiveCapabilities(r io.Reader) (uint64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		hex, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		eff, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("parse effective capabilities %q: %w", hex, err)
		}
		return eff, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read effective capabilities: %w", err)
	}
	return 0, errors.New("read effective capabilities: no CapEff line in /proc/self/status")
}

// missingCapabilities names the required capabilities absent from eff.
// CAP_SYS_ADMIN grants what CAP_BPF and CAP_PERFMON grant.
func missingCapabilities(eff uint64) error {
	has := func(bit uint) bool { return eff&(1<<bit) != 0 }
	var missing []string
	for _, c := range RequiredCapabilities {
		if has(c.Bit) || (has(capSysAdmin) && (c.Bit == unix.CAP_BPF || c.Bit == unix.CAP_PERFMON)) {
			continue
		}
		missing = append(missing, fmt.Sprintf("CAP_%s (to %s)", c.Name, c.Why))
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing capabilities: %s; grant them to the collector (Kubernetes: securityContext.capabilities.add: [%s]; "+
		"systemd: AmbientCapabilities=; or run as root)", strings.Join(missing, ", "), capabilityNames())
}

// CheckNetAdmin fails, naming the fix, when the process lacks
// CAP_NET_ADMIN, which loading the trace option's sockops program needs.
func CheckNetAdmin() error {
	eff, err := ownCapabilities()
	if err != nil {
		return err
	}
	if eff&(1<<unix.CAP_NET_ADMIN) == 0 {
		return errors.New("missing capability CAP_NET_ADMIN (to load the trace option's sockops program and attach it to the cgroup v2 root); " +
			"grant it (Kubernetes: securityContext.capabilities.add: [NET_ADMIN]) or set traces::propagation to none")
	}
	return nil
}

// capabilityNames lists the required capabilities as a securityContext
// wants them.
func capabilityNames() string {
	names := make([]string, len(RequiredCapabilities))
	for i, c := range RequiredCapabilities {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
