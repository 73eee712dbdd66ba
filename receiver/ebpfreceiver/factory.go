package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// NewFactory returns the factory of the ebpf receiver. The traces and the
// metrics receivers created from one configuration share one capture.
func NewFactory() receiver.Factory {
	return newFactory(newEngineCapture)
}

// factory holds the shared receivers of one collector; it is not a
// package-level singleton so that each NewFactory is independent.
type factory struct {
	shared     *sharedReceivers
	newCapture newCaptureFunc
}

func newFactory(newCapture newCaptureFunc) receiver.Factory {
	f := &factory{shared: newSharedReceivers(), newCapture: newCapture}
	return receiver.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithTraces(f.createTraces, metadata.TracesStability),
		receiver.WithMetrics(f.createMetrics, metadata.MetricsStability),
	)
}

func (f *factory) createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	return f.acquire(set, cfg, func(r *ebpfReceiver) { r.nextTraces = next })
}

func (f *factory) createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	return f.acquire(set, cfg, func(r *ebpfReceiver) { r.nextMetrics = next })
}

func (f *factory) acquire(set receiver.Settings, cfg component.Config, configure func(*ebpfReceiver)) (*sharedHandle, error) {
	rCfg := cfg.(*Config)
	create := func() (*ebpfReceiver, error) { return newReceiver(rCfg, set, f.newCapture) }
	return f.shared.acquire(rCfg, create, configure)
}
