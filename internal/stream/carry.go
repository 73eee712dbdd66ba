package stream

// carryMax bounds the bytes of a message head held back for the next
// segment of the same direction.
const carryMax = 256

// carry holds the start of a message head that ended a fully captured
// segment, such as the single byte a Go server reads ahead of the next
// request, so the head can be parsed once the next segment completes it.
type carry struct {
	buf [carryMax]byte
	n   int
	at  uint64 // time of the segment that carried the first byte
	// queued is when the first byte began to wait in the socket, when it
	// began its segment (Segment.Queued), else 0.
	queued uint64
	pid    uint32
	// seq is the TCP sequence number of the first byte held, when hasSeq.
	seq    uint32
	hasSeq bool
}

// hold keeps data[pos:] when the segment was captured whole and the rest is
// small enough; it reports whether it did.
func (c *carry) hold(s *Segment, data []byte, pos int) bool {
	if len(data) != int(s.Len) || pos >= len(data) || len(data)-pos > carryMax {
		return false
	}
	c.n = copy(c.buf[:], data[pos:])
	c.at, c.pid, c.queued = s.Time, s.PID, 0
	if pos == 0 {
		c.queued = s.Queued
	}
	c.seq, c.hasSeq = s.Seq+uint32(pos), s.HasSeq
	return true
}

// join returns s with the held bytes in front of its captured data, using
// buf for the joined bytes; the carry is emptied. Without held bytes it
// returns s. The joined segment keeps s's time when atEnd (a response ends
// with its last bytes), else the held bytes' time and position (a request
// starts with its first); it keeps s's thread and goroutine, which
// completed the head (a Go server reads ahead one byte of the next request
// on another goroutine than the one that handles it).
func (c *carry) join(s *Segment, buf []byte, out *Segment, atEnd bool) *Segment {
	if c.n == 0 {
		return s
	}
	*out = *s
	out.Data = append(append(buf[:0], c.buf[:c.n]...), captured(s)...)
	out.Len = uint32(c.n) + s.Len
	if !atEnd {
		out.Time, out.PID, out.Queued = c.at, c.pid, c.queued
		out.Seq, out.HasSeq = c.seq, c.hasSeq && s.HasSeq && c.seq+uint32(c.n) == s.Seq
	}
	c.n = 0
	return out
}

// maxCaptured is the most bytes the probes capture from one syscall.
const maxCaptured = 4096
