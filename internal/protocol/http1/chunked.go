package http1

import "bytes"

// ChunkWalker follows a chunked body (RFC 9112 section 7.1) segment by
// segment, without buffering, to find where it ends. Chunk data is skipped by
// count, so it may lie outside the captured prefix of a segment; only the
// framing (chunk-size lines, the CRLF after each chunk, trailers) must be
// read. When framing lies beyond a segment's captured prefix the walker falls
// back to a weaker rule for this and every later segment: the body ends with
// the segment whose last bytes are the last chunk "0\r\n\r\n".
//
// The zero value is ready to walk a new body.
type ChunkWalker struct {
	state    chunkState
	remain   int64 // chunk-size being read, then bytes left of chunk data + CRLF
	fallback bool
}

type chunkState uint8

const (
	chunkSize    chunkState = iota // start of a chunk-size line
	chunkDigits                    // reading hex digits
	chunkExt                       // skipping an extension or whitespace up to LF
	chunkSizeLF                    // CR seen, expecting LF
	chunkData                      // skipping remain bytes
	trailerStart                   // start of a trailer line, or the final CRLF
	trailerLine                    // inside a trailer field line
	trailerEndLF                   // CR at line start seen, expecting LF
	chunkDone                      // the body ended
)

// maxChunkSize bounds a chunk size so that counts never overflow.
const maxChunkSize = 1 << 56

// lastChunk is the end of every chunked body without trailers.
const lastChunk = "0\r\n\r\n"

// Feed consumes the next segment of the body: data is its captured prefix,
// n the number of bytes the segment moved (n >= len(data)), tail its last
// bytes when n > len(data) (possibly empty: unknown). It returns how many
// bytes of the segment belong to the body (less than n when the next message
// follows in the same segment) and whether the body ended. A framing error
// switches the walker to the fallback rule; the error is returned once.
func (w *ChunkWalker) Feed(data []byte, n int, tail []byte) (used int, done bool, err error) {
	n = max(n, 0)
	data = data[:min(len(data), n)]
	if w.state == chunkDone {
		return 0, true, nil
	}
	if w.fallback {
		return n, w.endsAtTail(data, n, tail), nil
	}
	for pos := 0; pos < n; {
		if w.state == chunkData {
			pos, err = w.skipData(data, n, pos)
		} else if pos >= len(data) {
			w.fallback = true // framing we cannot read
			return n, w.endsAtTail(data, n, tail), nil
		} else {
			err = w.step(data[pos])
			pos++
		}
		if err != nil {
			w.fallback = true
			return n, w.endsAtTail(data, n, tail), err
		}
		if w.state == chunkDone {
			return pos, true, nil
		}
	}
	return n, false, nil
}

// Fallback reports whether the walker lost the framing and now relies on the
// last bytes of each segment.
func (w *ChunkWalker) Fallback() bool { return w.fallback }

// Reset prepares the walker for a new body.
func (w *ChunkWalker) Reset() { *w = ChunkWalker{} }

// skipData skips chunk data and its CRLF, checking the CRLF when it was
// captured in this segment.
func (w *ChunkWalker) skipData(data []byte, n, pos int) (int, error) {
	k := int(min(w.remain, int64(n-pos)))
	start := pos
	pos += k
	w.remain -= int64(k)
	if w.remain > 0 {
		return pos, nil
	}
	w.state = chunkSize
	if (pos-1 >= start && pos-1 < len(data) && data[pos-1] != '\n') ||
		(pos-2 >= start && pos-2 < len(data) && data[pos-2] != '\r') {
		return pos, errChunkData
	}
	return pos, nil
}

// step advances the framing state machine by one byte.
func (w *ChunkWalker) step(c byte) error {
	switch w.state {
	case chunkSize, chunkDigits:
		return w.sizeByte(c)
	case chunkExt:
		if c == '\n' {
			w.endSizeLine()
		}
	case chunkSizeLF:
		if c != '\n' {
			return errChunkSize
		}
		w.endSizeLine()
	default:
		return w.trailerByte(c)
	}
	return nil
}

// sizeByte reads one byte of a chunk-size line before any extension.
func (w *ChunkWalker) sizeByte(c byte) error {
	if d, ok := hexDigit(c); ok {
		if w.remain = w.remain<<4 | d; w.remain >= maxChunkSize {
			return errChunkSize
		}
		w.state = chunkDigits
		return nil
	}
	if w.state == chunkSize {
		return errChunkSize // a size line needs at least one digit
	}
	switch c {
	case ';', ' ', '\t':
		w.state = chunkExt
	case '\r':
		w.state = chunkSizeLF
	case '\n':
		w.endSizeLine()
	default:
		return errChunkSize
	}
	return nil
}

// endSizeLine moves to the chunk's data, or to the trailers after the last
// chunk.
func (w *ChunkWalker) endSizeLine() {
	if w.remain == 0 {
		w.state = trailerStart
		return
	}
	w.remain += 2 // the CRLF after the data
	w.state = chunkData
}

// trailerByte reads one byte of the trailer section, which ends with an
// empty line.
func (w *ChunkWalker) trailerByte(c byte) error {
	switch w.state {
	case trailerStart:
		switch c {
		case '\r':
			w.state = trailerEndLF
		case '\n':
			w.state = chunkDone
		default:
			w.state = trailerLine
		}
	case trailerLine:
		if c == '\n' {
			w.state = trailerStart
		}
	case trailerEndLF:
		if c != '\n' {
			return errTrailer
		}
		w.state = chunkDone
	}
	return nil
}

// endsAtTail applies the fallback rule to one segment: its last bytes (all
// of data when the segment was captured whole, else tail) are the last
// chunk, and the "0" starts a line when the byte before it is known.
func (w *ChunkWalker) endsAtTail(data []byte, n int, tail []byte) bool {
	last := tail
	if len(data) == n {
		last = data
	}
	if !bytes.HasSuffix(last, []byte(lastChunk)) {
		return false
	}
	if len(last) > len(lastChunk) && last[len(last)-len(lastChunk)-1] != '\n' {
		return false
	}
	w.state = chunkDone
	return true
}

// hexDigit returns the value of a hexadecimal digit.
func hexDigit(c byte) (int64, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int64(c - '0'), true
	case 'a' <= c && c <= 'f':
		return int64(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return int64(c-'A') + 10, true
	}
	return 0, false
}
