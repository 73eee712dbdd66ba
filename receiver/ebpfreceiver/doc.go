//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package ebpfreceiver is the collector-facing side of the eBPF capture: it
// turns the user's configuration into an engine configuration, starts one
// capture engine shared by the traces and the metrics pipelines, and converts
// each call the engine assembles from socket syscalls (HTTP/1.x, HTTP/2,
// gRPC, PostgreSQL, MySQL/MariaDB, in plaintext or read from TLS libraries)
// into a span and into duration histograms aggregated here and flushed on an
// interval, following the OpenTelemetry semantic conventions v1.44. The
// capture itself (probes, ring buffer, decoders) lives in internal/engine and
// knows nothing of the collector.
package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"
