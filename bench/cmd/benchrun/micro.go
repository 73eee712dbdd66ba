package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
)

// microPackages are the main module's packages whose Benchmark functions
// the report includes: decoders, connection state, call→pdata.
var microPackages = []string{"./internal/protocol/...", "./internal/stream/...", "./receiver/ebpfreceiver/..."}

// runMicro runs the micro-benchmarks with allocation counts in the main
// module and returns their output, or why they failed.
func runMicro(ctx context.Context, repo string) (out, failure string) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-timeout", "5m"}, microPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repo
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	b, err := cmd.CombinedOutput()
	if err != nil {
		return string(b), fmt.Sprintf("go %s: %v", strings.Join(args, " "), err)
	}
	return string(b), ""
}
