// Package postgres decodes the PostgreSQL frontend/backend protocol
// (version 3) from captured bytes: message headers, the startup and SSL
// requests, the simple and extended query messages, and the backend's
// CommandComplete, ErrorResponse and ReadyForQuery.
//
// The framing is written here rather than taken from
// github.com/jackc/pgx/v5/pgproto3: pgproto3's Frontend and Backend read
// from an io.Reader and need whole messages, and its Decode methods copy
// strings out of the body, while the capture hands over the first bytes of
// each syscall buffer and the true length, so bodies must be parsed from a
// prefix, in place, and skipped by count without ever being seen. Each
// function here works on a body or a prefix of one, allocates nothing,
// returns slices of its input, and never panics on hostile input.
//
// Calls are made from the client's side of a connection only (the
// frontend messages it writes, the backend messages it reads). The
// server's process sees the same operations; decoding its side too would
// report each one twice, so its connections are recognised (it reads the
// startup message, or the kernel saw it accept) and ignored. A connection
// whose SSLRequest or GSSENCRequest is accepted carries encrypted bytes
// from then on and is skipped.
package postgres
