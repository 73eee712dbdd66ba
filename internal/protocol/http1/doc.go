// Package http1 decodes HTTP/1.0 and HTTP/1.1 from captured bytes: message
// heads (request line or status line plus header fields), the framing they
// announce, and chunked bodies.
//
// The capture keeps only the first bytes of every syscall, so every function
// here works on a prefix: a head cut short by the capture size is reported
// with what was parsed and ErrIncomplete, and ChunkWalker follows a chunked
// body through segments whose middle was never seen, falling back to the
// segment's last bytes when a chunk-size line lies beyond the prefix.
// Everything is pure (bytes in, facts out), allocates nothing for the
// standard methods, and never panics on hostile input.
package http1
