package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// statusReporter reports the receiver's health to the host after Start:
// degraded (recoverable error) while probes fail to attach or the next
// consumer refuses data, OK again when both clear. It reports changes of
// state only, never one event per failed export.
type statusReporter struct {
	host component.Host

	mu         sync.Mutex
	probesErr  error
	exportErrs [signalCount]error
	last       healthState
}

// signal tells the traces and the metrics exports apart, so that one
// succeeding does not hide the other failing.
type signal int

const (
	signalTraces signal = iota
	signalMetrics
	signalCount
)

// healthState is what a status event depends on.
type healthState struct {
	probesFailed  int
	exportFailing [signalCount]bool
}

func newStatusReporter(host component.Host) *statusReporter {
	return &statusReporter{host: host}
}

// probes records the probe counters from the engine.
func (s *statusReporter) probes(attached, failed int) {
	var err error
	if failed > 0 {
		err = fmt.Errorf("%d of %d kernel probes failed to load or attach; capture continues with the others",
			failed, attached+failed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probesErr = err
	state := s.last
	state.probesFailed = failed
	s.report(state)
}

// export records the outcome of sending one signal to its next consumer.
func (s *statusReporter) export(sig signal, err error) {
	if err != nil {
		err = fmt.Errorf("send %s to next consumer: %w", sig, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exportErrs[sig] = err
	state := s.last
	state.exportFailing[sig] = err != nil
	s.report(state)
}

func (sig signal) String() string {
	if sig == signalTraces {
		return "spans"
	}
	return "metrics"
}

// report sends an event when the state changed. The initial state is
// healthy: the collector itself reports OK once Start returns.
func (s *statusReporter) report(state healthState) {
	if state == s.last {
		return
	}
	s.last = state
	if err := errors.Join(s.probesErr, s.exportErrs[signalTraces], s.exportErrs[signalMetrics]); err != nil {
		componentstatus.ReportStatus(s.host, componentstatus.NewRecoverableErrorEvent(err))
		return
	}
	componentstatus.ReportStatus(s.host, componentstatus.NewEvent(componentstatus.StatusOK))
}
