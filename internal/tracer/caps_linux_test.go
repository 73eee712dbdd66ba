package tracer

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEffectiveCapabilities(t *testing.T) {
	status := "Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000000c000080004\nCapBnd:\t000001ffffffffff\n"
	eff, err := effectiveCapabilities(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	for _, bit := range []uint{unix.CAP_SYS_PTRACE, unix.CAP_DAC_READ_SEARCH, unix.CAP_PERFMON, unix.CAP_BPF} {
		if eff&(1<<bit) == 0 {
			t.Errorf("bit %d not set in %#x", bit, eff)
		}
	}
	if eff&(1<<unix.CAP_SYS_ADMIN) != 0 {
		t.Errorf("CAP_SYS_ADMIN set in %#x", eff)
	}
	for _, bad := range []string{"Name:\tx\n", "CapEff:\tzz\n"} {
		if _, err := effectiveCapabilities(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func allRequired() uint64 {
	var eff uint64
	for _, c := range RequiredCapabilities {
		eff |= 1 << c.Bit
	}
	return eff
}

func TestMissingCapabilitiesAreNamed(t *testing.T) {
	if err := missingCapabilities(allRequired()); err != nil {
		t.Fatalf("every capability present: %v", err)
	}
	for _, c := range RequiredCapabilities {
		err := missingCapabilities(allRequired() &^ (1 << c.Bit))
		if err == nil {
			t.Fatalf("without CAP_%s: no error", c.Name)
		}
		msg := err.Error()
		if !strings.Contains(msg, "CAP_"+c.Name+" (") || !strings.Contains(msg, "securityContext.capabilities.add") {
			t.Errorf("without CAP_%s: %v", c.Name, err)
		}
		for _, other := range RequiredCapabilities {
			if other != c && strings.Contains(msg, "CAP_"+other.Name+" (") {
				t.Errorf("without CAP_%s, CAP_%s also named missing: %v", c.Name, other.Name, err)
			}
		}
	}
	if err := missingCapabilities(0); err == nil || strings.Count(err.Error(), "CAP_") != len(RequiredCapabilities) {
		t.Errorf("no capability: %v", err)
	}
}

func TestSysAdminStandsInForBPFAndPerfmon(t *testing.T) {
	eff := allRequired()&^(1<<unix.CAP_BPF|1<<unix.CAP_PERFMON) | 1<<unix.CAP_SYS_ADMIN
	if err := missingCapabilities(eff); err != nil {
		t.Errorf("CAP_SYS_ADMIN instead of CAP_BPF and CAP_PERFMON: %v", err)
	}
}

func TestMissingKernelFeaturesAreNamed(t *testing.T) {
	err := checkKernel(filepath.Join(t.TempDir(), "vmlinux"), TransportRingbuf)
	if err == nil || !strings.Contains(err.Error(), "kernel BTF at") || !strings.Contains(err.Error(), "CONFIG_DEBUG_INFO_BTF") {
		t.Errorf("without BTF: %v", err)
	}
}
