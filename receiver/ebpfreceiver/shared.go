package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// sharedReceivers gives every pipeline created from the same *Config the
// same receiver, so one set of probes serves traces and metrics. An entry
// lives from the first create to the last pipeline's Shutdown.
type sharedReceivers struct {
	mu      sync.Mutex
	entries map[*Config]*sharedEntry
}

type sharedEntry struct {
	rcv  *ebpfReceiver
	refs int
}

func newSharedReceivers() *sharedReceivers {
	return &sharedReceivers{entries: make(map[*Config]*sharedEntry)}
}

// acquire returns a handle on the receiver of cfg, creating it with create
// on first use; configure runs under the lock to attach a consumer.
func (s *sharedReceivers) acquire(cfg *Config, create func() (*ebpfReceiver, error), configure func(*ebpfReceiver)) (*sharedHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[cfg]
	if !ok {
		rcv, err := create()
		if err != nil {
			return nil, err
		}
		e = &sharedEntry{rcv: rcv}
		s.entries[cfg] = e
	}
	configure(e.rcv)
	e.refs++
	return &sharedHandle{owner: s, cfg: cfg, rcv: e.rcv}, nil
}

// release drops one reference; the last one shuts the receiver down.
func (s *sharedReceivers) release(ctx context.Context, cfg *Config) error {
	s.mu.Lock()
	e, ok := s.entries[cfg]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	e.refs--
	last := e.refs == 0
	if last {
		delete(s.entries, cfg)
	}
	s.mu.Unlock()
	if !last {
		return nil
	}
	return e.rcv.Shutdown(ctx)
}

// sharedHandle is one pipeline's view of a shared receiver.
type sharedHandle struct {
	owner    *sharedReceivers
	cfg      *Config
	rcv      *ebpfReceiver
	shutdown sync.Once
}

// Start starts the shared receiver; only the first call does the work.
func (h *sharedHandle) Start(ctx context.Context, host component.Host) error {
	return h.rcv.Start(ctx, host)
}

// Shutdown releases this pipeline's reference; the shared receiver stops
// with the last one. Safe without Start and more than once.
func (h *sharedHandle) Shutdown(ctx context.Context) error {
	var err error
	h.shutdown.Do(func() { err = h.owner.release(ctx, h.cfg) })
	return err
}
