package tracer

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// Capture marks a process as selected (true) or excluded (false),
// overriding CaptureAll for it. The kernel forgets it when the process exits.
func (t *Tracer) Capture(pid uint32, selected bool) error {
	verdict := uint8(captureVerdictVERDICT_IGNORE)
	if selected {
		verdict = uint8(captureVerdictVERDICT_CAPTURE)
	}
	if err := t.maps[captureMapPidVerdicts].Put(pid, verdict); err != nil {
		return fmt.Errorf("set verdict of pid %d: %w", pid, err)
	}
	return nil
}

// Verdict returns the kernel's verdict for pid; false when it has none.
func (t *Tracer) Verdict(pid uint32) (uint8, bool) {
	var v uint8
	if err := t.maps[captureMapPidVerdicts].Lookup(pid, &v); err != nil {
		return 0, false
	}
	return v, true
}

// Forget removes a process's verdict.
func (t *Tracer) Forget(pid uint32) error {
	err := t.maps[captureMapPidVerdicts].Delete(pid)
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("forget pid %d: %w", pid, err)
	}
	return nil
}

// Counters are the programs' own counts since load.
type Counters struct {
	LostData     uint64 // data records dropped: ring buffer full
	LostControl  uint64 // close, exec and exit records dropped
	Unclassified uint64 // segments of connections of no known protocol, not sent
	// LostRequests are the dropped data records that started an HTTP/1
	// request (part of LostData).
	LostRequests uint64
	// Ciphertext counts segments of TLS connections dropped because their
	// plaintext comes from the TLS probes.
	Ciphertext uint64
	// TLSUndecoded counts connections that began with TLS records and
	// ended without any plaintext from the TLS probes: their process's TLS
	// library was not probed (yet, or at all).
	TLSUndecoded uint64
	// WireNoRoom counts requests whose first segment had no room for the
	// trace option; WireOldConns connections opened before capture, whose
	// requests carry none (see Config.Propagate).
	WireNoRoom   uint64
	WireOldConns uint64
}

// Counters sums the programs' per-CPU counters.
func (t *Tracer) Counters() (Counters, error) {
	var c Counters
	fields := []struct {
		index captureCounter
		value *uint64
	}{
		{captureCounterCOUNTER_LOST_DATA, &c.LostData},
		{captureCounterCOUNTER_LOST_CONTROL, &c.LostControl},
		{captureCounterCOUNTER_UNCLASSIFIED, &c.Unclassified},
		{captureCounterCOUNTER_LOST_REQUESTS, &c.LostRequests},
		{captureCounterCOUNTER_CIPHERTEXT, &c.Ciphertext},
		{captureCounterCOUNTER_TLS_UNDECODED, &c.TLSUndecoded},
		{captureCounterCOUNTER_WIRE_NO_ROOM, &c.WireNoRoom},
		{captureCounterCOUNTER_WIRE_OLD_CONN, &c.WireOldConns},
	}
	for _, f := range fields {
		var perCPU []uint64
		if err := t.maps[captureMapCounters].Lookup(uint32(f.index), &perCPU); err != nil {
			return c, fmt.Errorf("read counter %d: %w", f.index, err)
		}
		for _, v := range perCPU {
			*f.value += v
		}
	}
	return c, nil
}

// VerdictPIDs lists the processes with a verdict in the kernel and counts
// the connections it tracks, for tests and diagnostics: it walks both maps,
// so it is not cheap.
func (t *Tracer) VerdictPIDs() (pids []uint32, conns int, err error) {
	var pid uint32
	var verdict uint8
	it := t.maps[captureMapPidVerdicts].Iterate()
	for it.Next(&pid, &verdict) {
		pids = append(pids, pid)
	}
	if err := it.Err(); err != nil {
		return nil, 0, fmt.Errorf("list verdicts: %w", err)
	}
	var key uint64
	var value []byte
	it = t.maps[captureMapConns].Iterate()
	for it.Next(&key, &value) {
		conns++
	}
	if err := it.Err(); err != nil {
		return nil, 0, fmt.Errorf("count connections: %w", err)
	}
	return pids, conns, nil
}
