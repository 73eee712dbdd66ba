//go:build linux

package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
)

// newEngineCapture creates the real capture engine.
func newEngineCapture(cfg engine.Config, logger *zap.Logger, emit func(*call.Call)) (capture, error) {
	e, err := engine.New(cfg, logger, emit)
	if err != nil {
		return nil, err // never a typed nil in the interface
	}
	return e, nil
}
