//go:build !linux

package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"fmt"
	"runtime"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
)

// newEngineCapture fails: eBPF capture needs a Linux kernel. The receiver
// can still be created, so a configuration validates on any OS.
func newEngineCapture(engine.Config, *zap.Logger, func(*call.Call)) (capture, error) {
	return nil, fmt.Errorf("the ebpf receiver runs on Linux only, not on %s", runtime.GOOS)
}
