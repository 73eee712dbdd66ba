package stream

import "github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1"

// bodyMode is where one direction's message framing stands.
type bodyMode uint8

const (
	awaitStart  bodyMode = iota // the next byte starts a message
	bodyLength                  // remain bytes of body are left
	bodyChunked                 // a chunked body, followed by a ChunkWalker
	bodyUnknown                 // until close, or until a segment starts with a message
)

// framer follows the bodies of one direction of a connection. Counts come
// from Segment.Len, so body bytes beyond the captured prefix (or sent with
// sendfile, which captures nothing) are skipped exactly.
type framer struct {
	mode      bodyMode
	remain    int64
	chunks    http1.ChunkWalker
	size      int64 // body bytes consumed so far
	sizeKnown bool  // size counts only body bytes
	held      carry // the start of a head split across segments
}

// begin sets the framing for a body announced by a complete head.
func (f *framer) begin(b http1.Body, length int64) {
	f.size, f.sizeKnown = 0, true
	switch b {
	case http1.BodyLength:
		f.mode, f.remain = bodyLength, length
	case http1.BodyChunked:
		f.mode = bodyChunked
		f.chunks.Reset()
	case http1.BodyUntilClose:
		f.mode = bodyUnknown
	default:
		f.mode = awaitStart
	}
}

// lose gives up the framing: the stream is skipped until a segment starts
// with a message, and the size of what is skipped means nothing.
func (f *framer) lose() {
	f.mode, f.size, f.sizeKnown = bodyUnknown, 0, false
}

// uncertain reports a body whose end is only known when the next message
// starts (or the connection closes).
func (f *framer) uncertain() bool {
	return f.mode == bodyUnknown || (f.mode == bodyChunked && f.chunks.Fallback())
}

// bodySize returns the body bytes consumed, or -1 when unknown.
func (f *framer) bodySize() int64 {
	if !f.sizeKnown {
		return -1
	}
	return f.size
}

// consume advances over the body bytes of s from offset pos. It returns the
// offset after them and whether the body ended there; err reports framing
// that the chunk walker could not read (it then relies on the segment ends).
func (f *framer) consume(s *Segment, data []byte, pos int) (next int, done bool, err error) {
	n := int(s.Len)
	used := n - pos
	switch f.mode {
	case bodyLength:
		used = int(min(f.remain, int64(used)))
		f.remain -= int64(used)
		done = f.remain == 0
	case bodyChunked:
		tail := s.Tail[max(0, len(s.Tail)-used):]
		used, done, err = f.chunks.Feed(data[min(pos, len(data)):], used, tail)
	}
	f.size += int64(used)
	if done {
		f.mode = awaitStart
	}
	return pos + used, done, err
}
