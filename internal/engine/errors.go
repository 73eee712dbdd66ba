package engine

import (
	"errors"
	"fmt"
	"os"
)

// explainLoadError names the capability or kernel feature behind a load
// failure and what to do about it.
func explainLoadError(err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%w (the collector needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN on kernels before 5.8, plus CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to read other processes' /proc entries; run as root or grant them)", err)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w (a raw tracepoint is missing: the kernel needs CONFIG_FTRACE_SYSCALLS and BTF at /sys/kernel/btf/vmlinux)", err)
	default:
		return err
	}
}
