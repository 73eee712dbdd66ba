// Package http2 decodes HTTP/2 from captured bytes: the client connection
// preface, frame headers, header blocks (HPACK) and the gRPC facts carried
// in them.
//
// The capture keeps only the first bytes of every syscall, so a header
// block may be cut short and a connection may be joined after its HPACK
// dynamic tables were filled. Decoder keeps one direction's table in step
// and, when entries are unknown, fills the table with placeholder entries
// so that a reference to an unknown entry is reported as unknown, never
// resolved to a wrong one. Everything is pure (bytes in, facts out) and
// never panics on hostile input.
package http2
