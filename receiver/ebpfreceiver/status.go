package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// statusReporter reports the receiver's health to the host after Start:
// degraded (recoverable error) while probes fail to attach, data is being
// lost (kernel buffer or span queue full) or the next consumer refuses data,
// OK again when all clear. It reports changes of state only, never one event
// per failed export.
type statusReporter struct {
	host component.Host

	mu         sync.Mutex
	probesErr  error
	lossErr    error
	exportErrs [signalCount]error
	last       healthState
	lost       [2]uint64 // totals at the last losses call: kernel samples, spans
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
	losing        bool
	exportFailing [signalCount]bool
}

func newStatusReporter(host component.Host) *statusReporter {
	return &statusReporter{host: host}
}

// probes records the probe counters from the engine and the names of the
// probes that failed.
func (s *statusReporter) probes(attached, failed int, names []string) {
	var err error
	if failed > 0 {
		err = fmt.Errorf("%d of %d kernel probes failed to load or attach (%s); capture continues with the others",
			failed, attached+failed, strings.Join(names, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probesErr = err
	state := s.last
	state.probesFailed = failed
	s.report(state)
}

// losses records the loss totals; data lost since the previous call makes
// the receiver degraded until a call sees no new loss.
func (s *statusReporter) losses(lostSamples, droppedSpans uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	samples, spans := lostSamples-s.lost[0], droppedSpans-s.lost[1]
	s.lost = [2]uint64{lostSamples, droppedSpans}
	s.lossErr = nil
	if samples > 0 || spans > 0 {
		s.lossErr = fmt.Errorf("losing data: %d kernel samples lost (capture buffer full; raise capture::buffer_size), "+
			"%d spans dropped (queue full: the next consumer is too slow) since the last check", samples, spans)
	}
	state := s.last
	state.losing = s.lossErr != nil
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
	if err := errors.Join(s.probesErr, s.lossErr, s.exportErrs[signalTraces], s.exportErrs[signalMetrics]); err != nil {
		componentstatus.ReportStatus(s.host, componentstatus.NewRecoverableErrorEvent(err))
		return
	}
	componentstatus.ReportStatus(s.host, componentstatus.NewEvent(componentstatus.StatusOK))
}
