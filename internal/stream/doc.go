// Package stream turns the segments the probes capture (what one read- or
// write-family syscall moved on a socket, truncated to the capture size)
// into calls. A Tracker keeps one small state per connection: until a
// classifier recognises the protocol from the first bytes of a segment the
// connection costs one map entry; afterwards a protocol session frames each
// direction's byte stream (lengths come from the syscall's byte count, not
// from the captured prefix, so bodies larger than the capture are skipped
// exactly), pairs requests with responses and emits one call.Call per
// exchange. Sessions are per protocol (HTTP/1.x; HTTP/2 with gRPC, whose
// streams are paired by stream id; PostgreSQL and MySQL/MariaDB client
// connections, whose statements are described by internal/protocol/sqltext)
// and allocate nothing per segment in steady state. Connections carried over
// TLS arrive as plaintext segments from the TLS library probes and take the
// same path.
package stream
