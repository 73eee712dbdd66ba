// Package tracectx gives every call its place in a trace: a span id, the
// trace it belongs to and its parent, from facts the capture sees and never
// from guesses.
//
// A span's context is made when its request starts, since its children
// start before it ends. The parent comes, in this order of trust, from:
//
//   - a W3C traceparent the request carries (a server joins the caller's
//     trace; a client whose application already set one keeps its ids);
//   - for a server request, the client request on this node whose first
//     byte has the same TCP sequence number on the same client port: the
//     two ends of one request, whatever pools, keep-alive, pipelining or
//     multiplexing do to the connection;
//   - for a client request, the server request its process is handling on
//     the same execution context: the thread in thread-per-request
//     runtimes, the goroutine in Go (with net/http's hand-off from the
//     caller's goroutine to the connection's writeLoop followed), never in
//     event-loop runtimes, and never a request already answered.
//
// The records of the two ends of a request can reach user space in either
// order, so a server request without a match waits a bounded time (Grace,
// in record time) for its client's; a call whose trace cannot be told yet
// is held by the caller (Resolve says so) and then becomes a root. Every
// decision is counted, by mechanism or by the reason there is no parent.
package tracectx
