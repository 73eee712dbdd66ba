package stream

import (
	"encoding/binary"

	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

// h2Reader follows the frames of one direction of an HTTP/2 connection
// through segments. Frame lengths come from the headers and counts from
// Segment.Len, so payload bytes beyond the captured prefix are skipped
// exactly; a frame header beyond the capture loses the framing until a
// segment starts with plausible frames again.
type h2Reader struct {
	dec     *http2.Decoder // this direction's header blocks
	started bool           // a segment of this direction was seen
	synced  bool           // the next byte is known to start a frame (or the preface)
	preface int            // preface bytes still to skip
	hdr     [http2.FrameHeaderLen]byte
	hn      int    // bytes of a frame header split across segments
	hdrAt   uint64 // time of the segment that carried the header's first byte
	// hdrQueued is when the header's first byte began to wait in the
	// socket, when the header began its segment (Segment.Queued), else 0.
	hdrQueued uint64
	hdrPID    uint32
	hdrSeq    uint32 // TCP sequence number of the header's first byte, when hdrHasSeq
	hdrHasSeq bool
	inFrame   bool
	frame     http2.FrameHeader
	off       uint32 // payload bytes of frame consumed
	// The header block in progress (HEADERS or PUSH_PROMISE, then
	// CONTINUATION frames until END_HEADERS).
	inBlock     bool
	promise     bool   // a PUSH_PROMISE block: decoded for the table only
	blockID     uint32 // its stream
	blockEnd    bool   // its HEADERS frame ended the stream
	blockAt     uint64 // time of the segment that carried its first frame
	blockQueued uint64 // when its first frame began to wait (hdrQueued), 0 unknown
	blockPID    uint32
	blockSeq    uint32 // TCP sequence number of its first frame, when blockHasSeq
	blockHasSeq bool
	lo, hi      uint32 // block bytes of the current frame's payload: [lo, hi)
	needPad     bool   // the pad length byte is still to be read
	rstCode     [4]byte
	rstKnown    int // RST_STREAM error code bytes captured
}

// start looks at the first segment of the direction: the client preface,
// frames from a connection's start (a SETTINGS frame first), or frames
// joined mid-stream, whose table entries are not known.
func (r *h2Reader) start(s *Segment, data []byte) {
	r.started = true
	switch {
	case http2.LooksLikePreface(data):
		r.synced, r.preface = true, len(http2.Preface)
		r.dec.Reset(true)
	case http2.LooksLikeFrames(data, int(s.Len)):
		h, _ := http2.ParseFrameHeader(data)
		r.synced = true
		r.dec.Reset(s.Role != RoleUnknown || (h.Type == http2.FrameSettings && !h.Has(http2.FlagAck)))
	default:
		r.dec.Reset(false)
	}
}

// lose gives up the framing: the header block in progress, and any block
// skipped until the framing is found again, leave the table unknown.
func (r *h2Reader) lose() {
	r.synced, r.inFrame, r.inBlock, r.hn, r.preface = false, false, false, 0, 0
	r.dec.Reset(false)
}

// readHeader reads the frame header at pos of s, possibly completing one split
// across segments. It returns the offset after the bytes used and whether
// a frame started; ok is false when the header lies beyond the capture.
func (r *h2Reader) readHeader(s *Segment, v *segView, pos int) (next int, started, ok bool) {
	n := int(s.Len)
	k := min(http2.FrameHeaderLen-r.hn, n-pos)
	got := v.bytes(pos, k)
	if len(got) < k {
		return n, false, false
	}
	if r.hn == 0 {
		r.hdrAt, r.hdrPID, r.hdrQueued = s.Time, s.PID, 0
		if pos == 0 {
			r.hdrQueued = s.Queued
		}
		r.hdrSeq, r.hdrHasSeq = s.Seq+uint32(pos), s.HasSeq
	}
	r.hn += copy(r.hdr[r.hn:], got)
	if r.hn < http2.FrameHeaderLen {
		return n, false, true
	}
	r.hn = 0
	h, _ := http2.ParseFrameHeader(r.hdr[:])
	if !h.Acceptable() {
		return n, false, false
	}
	r.frame, r.off, r.inFrame = h, 0, true
	return pos + k, true, true
}

// beginBlock sets up the block bytes of a HEADERS, PUSH_PROMISE or
// CONTINUATION frame that just started; ok is false for a CONTINUATION
// that continues nothing.
func (r *h2Reader) beginBlock() bool {
	h := &r.frame
	prefix := uint32(0)
	switch h.Type {
	case http2.FrameHeaders, http2.FramePushPromise:
		if r.inBlock {
			return false
		}
		r.inBlock, r.promise, r.blockID = true, h.Type == http2.FramePushPromise, h.StreamID
		r.blockEnd, r.blockAt, r.blockPID = h.Has(http2.FlagEndStream), r.hdrAt, r.hdrPID
		r.blockQueued = r.hdrQueued
		r.blockSeq, r.blockHasSeq = r.hdrSeq, r.hdrHasSeq
		if h.Has(http2.FlagPriority) && h.Type == http2.FrameHeaders {
			prefix = 5
		}
		if r.promise {
			prefix = 4
		}
	case http2.FrameContinuation:
		if !r.inBlock || h.StreamID != r.blockID {
			return false
		}
	}
	r.needPad = h.Type != http2.FrameContinuation && h.Has(http2.FlagPadded)
	if r.needPad {
		prefix++
	}
	r.lo, r.hi = prefix, h.Length
	return prefix <= h.Length
}

// blockBytes feeds the captured block bytes of the payload chunk
// [r.off, r.off+k), of which got were captured, to the decoder.
func (r *h2Reader) blockBytes(got []byte, k uint32) {
	if r.needPad && r.off == 0 {
		if len(got) == 0 {
			r.dec.Lose()
			r.hi = r.lo
		} else {
			r.hi = max(r.lo, r.frame.Length-uint32(got[0]))
		}
		r.needPad = false
	}
	a, b := max(r.off, r.lo), min(r.off+k, r.hi)
	if a >= b {
		return
	}
	capEnd := r.off + uint32(len(got))
	if capEnd > a {
		r.dec.Write(got[a-r.off : min(b, capEnd)-r.off])
	}
	if capEnd < b {
		r.dec.Lose()
	}
}

// rstBytes keeps the captured bytes of a RST_STREAM error code.
func (r *h2Reader) rstBytes(got []byte) {
	if r.off < 4 {
		r.rstKnown = int(r.off) + copy(r.rstCode[r.off:], got)
	}
}

// resetCode returns the RST_STREAM error code, ok false when not captured.
func (r *h2Reader) resetCode() (uint32, bool) {
	if r.rstKnown < 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(r.rstCode[:]), true
}
