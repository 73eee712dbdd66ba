// Package privtest gates tests that need the real kernel: they skip when not
// run as root, unless EBPFRECEIVER_PRIVILEGED=1 says they must run, in which
// case a missing privilege fails them. CI sets it, so these tests cannot be
// skipped silently there.
package privtest

import (
	"os"
	"testing"
)

// EnvRequired is the variable that turns skips into failures.
const EnvRequired = "EBPFRECEIVER_PRIVILEGED"

// Require skips or fails t when the process cannot load BPF programs.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv(EnvRequired) == "1" {
		t.Fatalf("%s=1 but the test is not running as root", EnvRequired)
	}
	t.Skip("needs root to load BPF programs (set " + EnvRequired + "=1 to make this a failure)")
}

// RequireTool skips or fails t when an external program is missing.
func RequireTool(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv(EnvRequired) == "1" {
		t.Fatalf("%s=1 but %s is missing (see .ci/run for the packages to install)", EnvRequired, path)
	}
	t.Skipf("%s is missing", path)
}
