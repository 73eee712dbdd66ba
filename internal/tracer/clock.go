package tracer

import (
	"time"

	"golang.org/x/sys/unix"
)

// clock converts the programs' CLOCK_MONOTONIC timestamps to Unix time.
type clock struct {
	offset int64 // Unix ns minus monotonic ns, measured once
}

func newClock() clock {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return clock{offset: time.Now().UnixNano() - ts.Nano()}
}

// UnixNano converts a timestamp taken by the programs to Unix nanoseconds.
func (t *Tracer) UnixNano(monotonic uint64) uint64 {
	return uint64(int64(monotonic) + t.clock.offset)
}
