package http1

import "bytes"

// fields collects what the header fields of a head say. Slices alias the
// parsed buffer.
type fields struct {
	host, userAgent  []byte
	seenHost         bool
	contentLength    int64 // -1 when absent
	transferEncoding bool  // a Transfer-Encoding field was present
	chunked          bool  // chunked is the final transfer coding
	close            bool  // Connection lists "close"
	expectContinue   bool
	headerLen        int // bytes up to and including the blank line; 0 until seen
}

// parseFields reads header field lines from b up to the blank line that ends
// the head. Lines that are not fields (no colon, obsolete folding) are
// skipped, as a lenient recipient would.
func parseFields(b []byte) (fields, error) {
	f := fields{contentLength: -1}
	off := 0
	for {
		line, n, ok := nextLine(b[off:])
		if !ok {
			return f, ErrIncomplete
		}
		off += n
		if len(line) == 0 {
			f.headerLen = off
			f.settle()
			return f, nil
		}
		if err := f.add(line); err != nil {
			return f, err
		}
	}
}

// add records one field line if its name matters to us. Names are matched
// case-insensitively; dispatching on length first keeps the common miss to
// one comparison.
func (f *fields) add(line []byte) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || line[0] == ' ' || line[0] == '\t' {
		return nil
	}
	name, value := line[:colon], trimSpace(line[colon+1:])
	switch len(name) {
	case 4:
		if equalFold(name, "host") && !f.seenHost {
			f.host, f.seenHost = value, true
		}
	case 6:
		if equalFold(name, "expect") {
			f.expectContinue = equalFold(value, "100-continue")
		}
	case 10:
		f.addLen10(name, value)
	case 14:
		if equalFold(name, "content-length") {
			return f.addContentLength(value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			f.transferEncoding = true
			f.chunked = equalFold(lastToken(value), "chunked")
		}
	}
	return nil
}

// addLen10 handles the two interesting names of length 10.
func (f *fields) addLen10(name, value []byte) {
	switch {
	case equalFold(name, "user-agent"):
		if f.userAgent == nil {
			f.userAgent = value
		}
	case equalFold(name, "connection"):
		f.close = f.close || hasToken(value, "close")
	}
}

// addContentLength accepts a value, a list of equal values ("5, 5") and
// repeated fields with equal values, as RFC 9112 section 6.3 allows.
func (f *fields) addContentLength(value []byte) error {
	n, ok := parseLengthList(value)
	if !ok || (f.contentLength >= 0 && f.contentLength != n) {
		return errContentLength
	}
	f.contentLength = n
	return nil
}

// settle applies precedence once every field was read: Transfer-Encoding
// overrides Content-Length (RFC 9112 section 6.3).
func (f *fields) settle() {
	if f.transferEncoding {
		f.contentLength = -1
	}
}

// nextLine returns the line at the start of b without its terminator (LF,
// optionally preceded by CR) and the bytes consumed; ok is false when b holds
// no LF.
func nextLine(b []byte) (line []byte, n int, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, 0, false
	}
	return trimCR(b[:i]), i + 1, true
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
