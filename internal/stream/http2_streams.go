package stream

import (
	"strings"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// h2Stream is one open stream: the request's facts and what was seen of
// the response.
type h2Stream struct {
	id          uint32
	reqDir      Direction
	start, last uint64
	queued      uint64 // when the request's first frame began to wait, 0 unknown
	pid         uint32
	method      string
	path        string // :path as sent, query included
	authority   string
	userAgent   string
	grpc        bool // a gRPC content-type or status was seen
	plain       bool // a block showed the stream is not gRPC
	identified  bool // :path was decoded
	status      int  // final :status, 0 until seen
	statusLost  bool // a response block had unknown fields and no :status
	responded   bool // a response block was seen
	grpcStatus  uint32
	hasGRPC     bool // grpcStatus was seen
	reqBody     int64
	respBody    int64
	span        *tracectx.Span // its trace context, nil without
}

// addBody counts the DATA payload bytes of one frame.
func (st *h2Stream) addBody(d Direction, n uint32) {
	if d == st.reqDir {
		st.reqBody += int64(n)
	} else {
		st.respBody += int64(n)
	}
}

func (h *h2Session) find(id uint32) *h2Stream {
	for i := range h.streams {
		if h.streams[i].id == id {
			return &h.streams[i]
		}
	}
	return nil
}

// applyBlock applies the fields of a complete header block of stream
// r.blockID that travelled in direction s.Dir.
func (h *h2Session) applyBlock(c *conn, r *h2Reader, s *Segment, f *http2.Fields) {
	st := h.find(r.blockID)
	if st == nil {
		kind := f.Kind()
		if kind != http2.BlockRequest && (kind != http2.BlockUnknown || h.reqDir != s.Dir) {
			return // the response of a request sent before the capture began
		}
		st = h.open(c, r, s, f)
	} else if s.Dir != st.reqDir {
		st.setResponse(f, s.Time)
	}
	if r.blockEnd && s.Dir != st.reqDir {
		h.complete(c, st)
	}
}

// open starts a stream whose request block f began at r.blockAt; s is the
// segment that ended the block.
func (h *h2Session) open(c *conn, r *h2Reader, s *Segment, f *http2.Fields) *h2Stream {
	if len(h.streams) >= h.sh.maxPending {
		h.sh.stats.pendingDropped.Add(1)
		h.sh.dropped(h.streams[0].span)
		h.streams = append(h.streams[:0], h.streams[1:]...)
	}
	h.reqDir = s.Dir
	h.streams = append(h.streams, h2Stream{id: r.blockID, reqDir: s.Dir, start: r.blockAt, last: r.blockAt, queued: r.blockQueued, pid: r.blockPID})
	st := &h.streams[len(h.streams)-1]
	st.setRequest(f)
	st.span = h.sh.startSpan(c, s, &spanStart{
		server: s.Dir == Ingress, multiplexed: true, offered: true,
		seq: r.blockSeq, hasSeq: r.blockHasSeq, at: r.blockAt, queued: r.blockQueued,
		traceParent: []byte(f.TraceParent), traceState: []byte(f.TraceState),
	})
	return st
}

func (st *h2Stream) setRequest(f *http2.Fields) {
	st.method, st.path, st.authority, st.userAgent = f.Method, f.Path, f.Authority, f.UserAgent
	// A :path is absolute or "*" (RFC 9113 section 8.3.1): anything else
	// is not a request we can tell.
	st.identified = (strings.HasPrefix(f.Path, "/") || f.Path == "*") && f.Method != ""
	st.grpc = http2.IsGRPCContentType(f.ContentType)
	st.plain = notGRPC(f)
}

// notGRPC reports whether a request or response head block shows that its
// stream is not gRPC, whose heads always carry a gRPC content-type: a
// content-type of another kind, or none in a block decoded in full.
func notGRPC(f *http2.Fields) bool {
	return !f.GRPC() && (f.ContentType != "" || f.Unknown == 0)
}

// setResponse applies a response block: headers (with :status), trailers
// or both (a trailers-only response). Interim 1xx headers change nothing.
func (st *h2Stream) setResponse(f *http2.Fields, at uint64) {
	st.last, st.responded = at, true
	if f.Status >= 200 && st.status == 0 {
		st.status = f.Status
	}
	if f.Status == 0 && st.status == 0 && f.Unknown > 0 {
		st.statusLost = true
	}
	st.grpc = st.grpc || f.GRPC()
	st.plain = st.plain || (f.Status >= 200 && notGRPC(f))
	if f.HasGRPCStatus {
		st.grpcStatus, st.hasGRPC = f.GRPCStatus, true
	}
}

// endStream handles END_STREAM on a DATA frame.
func (h *h2Session) endStream(c *conn, s *Segment, id uint32) {
	if st := h.find(id); st != nil && s.Dir != st.reqDir {
		st.last = s.Time
		h.complete(c, st)
	}
}

// reset handles RST_STREAM from either side: the call ends there.
func (h *h2Session) reset(c *conn, s *Segment, id, code uint32, codeKnown bool) {
	st := h.find(id)
	if st == nil {
		return
	}
	st.last = s.Time
	if st.grpc && !st.hasGRPC && codeKnown {
		st.grpcStatus, st.hasGRPC = http2.ResetStatus(code), true
	}
	h.complete(c, st)
}

// complete ends stream st and emits its call when its request was
// identified and its protocol is enabled.
func (h *h2Session) complete(c *conn, st *h2Stream) {
	done := *st
	i := 0
	for h.streams[i].id != st.id {
		i++
	}
	h.streams = append(h.streams[:i], h.streams[i+1:]...)
	grpc, known := h.kindOf(&done)
	p := call.ProtocolHTTP2
	if grpc {
		p = call.ProtocolGRPC
	}
	switch {
	case !done.identified || !known || (!grpc && done.status == 0 && done.statusLost):
		h.sh.stats.h2Unidentified.Add(1)
	case grpc && h.sh.protocols.GRPC, !grpc && h.sh.protocols.HTTP2:
		done.grpc = grpc
		h.emit(c, &done, p)
	}
}

// kindOf tells whether a completed stream is gRPC, from its own blocks or
// else from the other streams of its connection; known is false when
// neither tells.
func (h *h2Session) kindOf(st *h2Stream) (grpc, known bool) {
	switch {
	case st.grpc:
		h.sawGRPC = true
		return true, true
	case st.plain:
		h.sawPlain = true
		return false, true
	}
	return h.sawGRPC, h.sawGRPC != h.sawPlain
}

// emit hands the call of a completed stream to the tracker's consumer.
func (h *h2Session) emit(c *conn, st *h2Stream, p call.Protocol) {
	kind := call.KindClient
	if st.reqDir == Ingress {
		kind = call.KindServer
	}
	path, query := http2.SplitPath(st.path)
	h.sh.stats.callsEmitted.Add(1)
	out := h.sh.newCall()
	*out = call.Call{
		Protocol: p, Kind: kind, Start: st.start, End: max(st.start, st.last),
		Queued: serverQueued(kind == call.KindServer, st.queued, st.start),
		PID:    st.pid, Local: c.local, Peer: c.peer, Span: st.span,
		HTTP: call.HTTP{
			Method: st.method, Path: path, Query: h.sh.query(query), Version: "2", Host: st.authority,
			UserAgent: st.userAgent, Status: st.status, RequestBodySize: st.reqBody, ResponseBodySize: st.respBody,
		},
	}
	if p == call.ProtocolGRPC {
		out.RPC = call.RPC{Method: strings.TrimPrefix(path, "/"), Status: st.grpcStatus, HasStatus: st.hasGRPC}
	}
	h.sh.emit(out)
}
