package stream

// msgFramer walks the length-prefixed messages of one direction of a
// database connection (PostgreSQL, MySQL, MongoDB) through its segments. Headers
// are read from the captured prefix or the tail; a header split between two
// segments is held; bodies are handed over in place when captured, gathered
// across segments when small, and otherwise skipped by count, so a result
// set far larger than the capture costs one step per captured header. When
// a header lies in bytes that were never captured the framing is lost, and
// the session decides where it resumes.
type msgFramer struct {
	header  func(h []byte) (typ byte, bodyLen int, ok bool) // decodes a header of hdrLen bytes
	hdrLen  int
	hdr     [16]byte
	hdrN    int
	typ     byte
	remain  int  // body bytes of the current message still to come
	gather  bool // the current body is being copied into buf
	cut     bool // part of the gathered body was never captured
	bodyLen int
	// deferred says a large body starts with the next segment: its header
	// ended this one, as a client reads that reads the header first.
	deferred bool
	lost     bool
	// malformed says the framing was lost to a header that made no sense,
	// rather than to bytes that were not captured.
	malformed bool
	buf       [gatherMax]byte
	bufN      int
}

// gatherMax bounds a body gathered across segments: enough for the
// messages a session reads (tags, errors, statements cut by the capture
// are taken from their prefix instead).
const gatherMax = 512

// message is one message of a direction: its type, its body length, and
// what was captured of its body from the start (whole when complete).
type message struct {
	typ      byte
	bodyLen  int
	body     []byte
	complete bool
}

// cursor is a framer's position in one segment.
type cursor struct {
	s    *Segment
	data []byte // the captured prefix
	pos  int
}

func newCursor(s *Segment) cursor { return cursor{s: s, data: captured(s)} }

func (c *cursor) done() bool { return c.pos >= int(c.s.Len) }

// byteAt returns the segment's byte at offset i when it was captured, in
// the prefix or the tail.
func (c *cursor) byteAt(i int) (byte, bool) {
	if i < len(c.data) {
		return c.data[i], true
	}
	if t := int(c.s.Len) - len(c.s.Tail); i >= t && i < int(c.s.Len) {
		return c.s.Tail[i-t], true
	}
	return 0, false
}

// reset prepares the framer for a new connection.
func (f *msgFramer) reset(hdrLen int, header func([]byte) (byte, int, bool)) {
	*f = msgFramer{header: header, hdrLen: hdrLen}
}

// lose gives up the framing until resync.
func (f *msgFramer) lose() {
	f.lost, f.malformed, f.hdrN, f.remain, f.gather, f.deferred = true, false, 0, 0, false, false
}

// resync declares that the next byte starts a message.
func (f *msgFramer) resync() {
	f.lost, f.hdrN, f.remain, f.gather, f.deferred = false, 0, 0, false, false
}

// next returns the next message that starts or completes in the segment;
// ok is false when the segment is used up or the framing was lost in it
// (f.lost tells which). want says which bodies are worth gathering.
func (f *msgFramer) next(c *cursor, want func(typ byte) bool) (m message, ok bool) {
	for !f.lost && !c.done() {
		if f.remain > 0 && f.deferred {
			f.deferred = false
			if m, ok := f.startBody(c, want); ok {
				return m, true
			}
			continue
		}
		if f.remain > 0 {
			if m, ok := f.skip(c); ok {
				return m, true
			}
			continue
		}
		if !f.readHeader(c) {
			continue
		}
		if m, ok := f.startBody(c, want); ok {
			return m, true
		}
	}
	return message{}, false
}

// readHeader reads header bytes at the cursor and reports whether a whole
// header is now known; a header in uncaptured bytes loses the framing.
func (f *msgFramer) readHeader(c *cursor) bool {
	if f.hdrN == 0 && c.pos+f.hdrLen <= min(len(c.data), int(c.s.Len)) { // the usual case
		f.hdrN = copy(f.hdr[:f.hdrLen], c.data[c.pos:])
		c.pos += f.hdrLen
	}
	for f.hdrN < f.hdrLen && !c.done() {
		b, ok := c.byteAt(c.pos)
		if !ok {
			f.lose()
			return false
		}
		f.hdr[f.hdrN] = b
		f.hdrN++
		c.pos++
	}
	if f.hdrN < f.hdrLen {
		return false
	}
	f.hdrN = 0
	typ, n, ok := f.header(f.hdr[:f.hdrLen])
	if !ok {
		f.lose()
		f.malformed = true
		return false
	}
	f.typ, f.bodyLen, f.remain = typ, n, n
	return true
}

// startBody hands over a body found whole in the capture, starts gathering
// a small one split across segments, or hands over the captured prefix of
// a large one and skips the rest.
func (f *msgFramer) startBody(c *cursor, want func(byte) bool) (message, bool) {
	n, end := f.bodyLen, c.pos+f.bodyLen
	if end <= len(c.data) {
		c.pos, f.remain = end, 0
		return message{typ: f.typ, bodyLen: n, body: c.data[end-n : end], complete: true}, true
	}
	if n <= gatherMax && want(f.typ) {
		f.gather, f.cut, f.bufN = true, false, 0
		return message{}, false
	}
	f.remain = n
	if !want(f.typ) {
		return message{}, false
	}
	if c.done() { // handed over from the next segment, with its first bytes
		f.deferred = true
		return message{}, false
	}
	prefix := c.data[min(c.pos, len(c.data)):]
	return message{typ: f.typ, bodyLen: n, body: prefix}, true
}

// skip advances over body bytes, gathering them when asked; it returns the
// gathered message once its last byte is seen.
func (f *msgFramer) skip(c *cursor) (message, bool) {
	used := min(f.remain, int(c.s.Len)-c.pos)
	if f.gather && !f.cut { // past a gap the bytes would not follow on
		have := c.data[min(c.pos, len(c.data)):min(c.pos+used, len(c.data))]
		f.bufN += copy(f.buf[f.bufN:], have)
		f.cut = len(have) < used
	}
	c.pos += used
	if f.remain -= used; f.remain > 0 || !f.gather {
		return message{}, false
	}
	f.gather = false
	return message{typ: f.typ, bodyLen: f.bodyLen, body: f.buf[:f.bufN], complete: !f.cut}, true
}
