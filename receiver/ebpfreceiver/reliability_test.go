package ebpfreceiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"

	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
)

func TestLossesMakeStatusDegradedUntilTheyStop(t *testing.T) {
	engines := &fakeEngines{stats: engine.Stats{ProbesAttached: 4}}
	rcv := newTestReceiver(t, engines)
	rcv.checkEvery = time.Millisecond
	host := newStatusHost()
	require.NoError(t, rcv.Start(context.Background(), host))
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	c := engines.captures()[0]

	c.setStats(engine.Stats{ProbesAttached: 4, LostSamples: 3})
	ev := host.next(t)
	assert.Equal(t, componentstatus.StatusRecoverableError, ev.Status())
	assert.ErrorContains(t, ev.Err(), "3 kernel samples lost")
	assert.Equal(t, componentstatus.StatusOK, host.next(t).Status(), "no new loss")

	rcv.drops.queueFull.Add(7)
	ev = host.next(t)
	assert.Equal(t, componentstatus.StatusRecoverableError, ev.Status())
	assert.ErrorContains(t, ev.Err(), "7 spans dropped")
	assert.Equal(t, componentstatus.StatusOK, host.next(t).Status(), "no new drop")
}
