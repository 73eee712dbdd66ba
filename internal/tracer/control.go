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
