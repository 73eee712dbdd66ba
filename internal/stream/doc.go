// Package stream turns the segments the probes capture (what one read- or
// write-family syscall moved on a socket, truncated to the capture size)
// into calls. A Tracker keeps one small state per connection: the kernel's
// classifier names the protocol in every segment, and the first segment
// where its decoder (decoders.go) sees a message start opens a protocol
// session, which frames each
// direction's byte stream (lengths come from the syscall's byte count, not
// from the captured prefix, so bodies larger than the capture are skipped
// exactly), pairs requests with responses and emits one call.Call per
// exchange. Sessions are per protocol (HTTP/1.x; HTTP/2 with gRPC, whose
// streams are paired by stream id; the client connections of PostgreSQL and
// MySQL/MariaDB, whose statements internal/protocol/sqltext describes, of
// Redis, MongoDB and Kafka) and allocate nothing per segment in steady
// state. Connections carried over
// TLS arrive as plaintext segments from the TLS library probes and take the
// same path.
package stream
