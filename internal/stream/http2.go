package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

// h2Session decodes HTTP/2, and gRPC over it, on one connection. Each
// direction has its own frame reader and HPACK decoder; streams are paired
// by id, so multiplexed and interleaved streams each make one call, from
// the request's first HEADERS frame to the frame that ends the response
// (END_STREAM, or RST_STREAM from either side).
type h2Session struct {
	sh      *shared
	in, out h2Reader
	streams []h2Stream // open streams, oldest first
	reqDir  Direction  // the direction requests travel, once a request was seen
	// Kinds of the streams completed so far. A connection of a gRPC
	// client carries only gRPC, so a stream whose content-type is an
	// unknown table entry takes the kind its connection showed, if only one.
	sawGRPC, sawPlain bool
}

// newH2Session returns a session for a new connection.
func newH2Session(sh *shared) *h2Session {
	h := &h2Session{sh: sh}
	h.in.dec, h.out.dec = http2.NewDecoder(), http2.NewDecoder()
	return h
}

func (h *h2Session) reader(d Direction) *h2Reader {
	if d == Ingress {
		return &h.in
	}
	return &h.out
}

func (h *h2Session) feed(c *conn, s *Segment) {
	r := h.reader(s.Dir)
	data, n := captured(s), int(s.Len)
	if !r.started {
		r.start(s, data)
	}
	pos := 0
	if !r.synced {
		var ok bool
		if pos, ok = h.resync(s, data); !ok {
			return
		}
		r.synced = true
	}
	v := newSegView(s)
	for pos < n {
		pos = h.step(c, r, s, &v, pos)
	}
}

// resync finds where frames start in a segment of a direction whose
// framing was lost (or never known): where the kernel's frame walk says
// the first frame header starts, else at the segment's start when its
// first bytes look like frames.
func (h *h2Session) resync(s *Segment, data []byte) (int, bool) {
	if s.Frames != nil {
		return framesFirst(s.Frames)
	}
	return 0, http2.LooksLikeFrames(data, int(s.Len))
}

// finish ends the connection's open streams: one whose response had begun
// completes at its last frame seen, without the status its trailers would
// have carried (a gRPC call then has none); one never answered is dropped
// and counted, as an unanswered HTTP/1 request is.
func (h *h2Session) finish(c *conn) {
	for len(h.streams) > 0 {
		st := &h.streams[0]
		if !st.responded {
			h.sh.stats.pendingDropped.Add(1)
			h.streams = h.streams[1:]
			continue
		}
		h.complete(c, st)
	}
	for i := range h.streams {
		h.sh.dropped(h.streams[i].span)
	}
	h.streams = h.streams[:0]
}

// step consumes the preface, a frame header or payload bytes at pos and
// returns the offset after them.
func (h *h2Session) step(c *conn, r *h2Reader, s *Segment, v *segView, pos int) int {
	n := int(s.Len)
	if r.preface > 0 {
		k := min(r.preface, n-pos)
		r.preface -= k
		return pos + k
	}
	if !r.inFrame {
		next, started, ok := r.readHeader(s, v, pos)
		if !ok || (started && !h.frameStarted(r, s)) {
			h.desync(r)
			return n
		}
		if started && r.frame.Length == 0 {
			r.inFrame = false
			h.frameEnded(c, r, s)
		}
		return next
	}
	k := min(r.frame.Length-r.off, uint32(n-pos))
	got := v.bytes(pos, int(k))
	switch r.frame.Type {
	case http2.FrameHeaders, http2.FramePushPromise, http2.FrameContinuation:
		r.blockBytes(got, k)
	case http2.FrameRSTStream:
		r.rstBytes(got)
	}
	r.off += k
	if r.off == r.frame.Length {
		r.inFrame = false
		h.frameEnded(c, r, s)
	}
	return pos + int(k)
}

// frameStarted handles a frame whose header was just read; false means
// the frame cannot follow what came before, so the framing is lost.
func (h *h2Session) frameStarted(r *h2Reader, s *Segment) bool {
	switch r.frame.Type {
	case http2.FrameHeaders, http2.FramePushPromise, http2.FrameContinuation:
		return r.beginBlock()
	}
	if r.inBlock {
		return false // only CONTINUATION may follow an unfinished block
	}
	switch r.frame.Type {
	case http2.FrameData:
		if st := h.find(r.frame.StreamID); st != nil {
			st.addBody(s.Dir, r.frame.Length)
		}
	case http2.FrameRSTStream:
		r.rstKnown = 0
	}
	return true
}

// frameEnded handles a frame whose last payload byte was just consumed.
func (h *h2Session) frameEnded(c *conn, r *h2Reader, s *Segment) {
	f := &r.frame
	switch f.Type {
	case http2.FrameHeaders, http2.FramePushPromise, http2.FrameContinuation:
		if f.Has(http2.FlagEndHeaders) {
			h.endBlock(c, r, s)
		}
	case http2.FrameData:
		if f.Has(http2.FlagEndStream) {
			h.endStream(c, s, f.StreamID)
		}
	case http2.FrameRSTStream:
		code, ok := r.resetCode()
		h.reset(c, s, f.StreamID, code, ok)
	}
}

// desync records that a direction's framing was lost.
func (h *h2Session) desync(r *h2Reader) {
	h.sh.stats.desyncs.Add(1)
	h.sh.stats.h2TableResets.Add(1)
	r.lose()
}

// endBlock decodes the end of a header block and applies its fields.
func (h *h2Session) endBlock(c *conn, r *h2Reader, s *Segment) {
	r.inBlock = false
	fields, intact := r.dec.End()
	if !intact {
		h.sh.stats.h2TableResets.Add(1)
	}
	h.sh.stats.h2UnknownFields.Add(uint64(fields.Unknown))
	if r.promise {
		return
	}
	h.applyBlock(c, r, s, &fields)
}
