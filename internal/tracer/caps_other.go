//go:build !linux

package tracer

import "errors"

// Preflight fails: the capture runs on Linux only.
func Preflight(Transport) error {
	return errors.New("check capabilities: the ebpf receiver runs on Linux only")
}

// CheckCapabilities fails: the capture runs on Linux only.
func CheckCapabilities() error { return Preflight(TransportAuto) }

// CheckNetAdmin fails: the capture runs on Linux only.
func CheckNetAdmin() error { return Preflight(TransportAuto) }
