//go:build linux

package tracer

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// tracefsEvents are where tracepoint ids are found, newest layout first.
var tracefsEvents = []string{"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"}

// ensureTracefs makes tracepoint ids readable: tracefs is mounted on most
// hosts, but not on all. Mounting it needs CAP_SYS_ADMIN; the mount is left
// in place (other tools expect it there, and it holds nothing of ours).
func ensureTracefs() error {
	for _, dir := range tracefsEvents {
		if _, err := os.Stat(dir); err == nil {
			return nil
		}
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		if errors.Is(err, unix.EPERM) {
			return fmt.Errorf("mount tracefs at /sys/kernel/tracing: %w (needs CAP_SYS_ADMIN; or mount it on the host and into the container)", err)
		}
		return fmt.Errorf("mount tracefs at /sys/kernel/tracing: %w", err)
	}
	return nil
}
