//go:build !linux

package tracer

import "errors"

// ensureTracefs: tracefs exists on Linux only.
func ensureTracefs() error {
	return errors.New("tracefs: Linux only")
}
