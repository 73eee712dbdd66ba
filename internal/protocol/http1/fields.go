package http1

import "bytes"

// fields collects what the header fields of a head say. Slices alias the
// parsed buffer.
type fields struct {
	host, userAgent  []byte
	seenHost         bool
	traceParent      []byte // nil when absent or repeated
	traceParents     int    // traceparent fields seen
	traceState       []byte
	contentLength    int64 // -1 when absent
	transferEncoding bool  // a Transfer-Encoding field was present
	chunked          bool  // chunked is the final transfer coding
	close            bool  // Connection lists "close"
	expectContinue   bool
	headerLen        int // bytes up to and including the blank line; 0 until seen
}

// parseFields reads header field lines from b up to the blank line that ends
// the head into f. Lines that are not fields (no colon, obsolete folding)
// are skipped, as a lenient recipient would. f is filled in place rather than
// returned: it is parsed for every message.
func parseFields(b []byte, f *fields) error {
	*f = fields{contentLength: -1}
	off := 0
	for {
		line, n, ok := nextLine(b[off:])
		if !ok {
			return ErrIncomplete
		}
		off += n
		if len(line) == 0 {
			f.headerLen = off
			f.settle()
			return nil
		}
		if err := f.add(line); err != nil {
			return err
		}
	}
}

// add records one field line if its name matters to us. Names are matched
// case-insensitively. The first byte picks the candidate names, and a
// candidate is checked where its colon must be, so the lines of other fields
// (most of them) are passed over without searching for their colon. Lines
// that start with whitespace (obsolete folding) or a colon match nothing.
func (f *fields) add(line []byte) error {
	switch line[0] | 0x20 { // ASCII lower case for letters
	case 'h':
		if v, ok := fieldValue(line, "host"); ok && !f.seenHost {
			f.host, f.seenHost = v, true
		}
	case 'e':
		if v, ok := fieldValue(line, "expect"); ok {
			f.expectContinue = equalFold(v, "100-continue")
		}
	case 'u':
		if v, ok := fieldValue(line, "user-agent"); ok && f.userAgent == nil {
			f.userAgent = v
		}
	case 'c':
		return f.addC(line)
	case 't':
		f.addT(line)
	}
	return nil
}

// addT handles the three interesting names that start with t. A repeated
// traceparent is invalid (W3C Trace Context, section 3.2) and counts as
// none.
func (f *fields) addT(line []byte) {
	if v, ok := fieldValue(line, "transfer-encoding"); ok {
		f.transferEncoding = true
		f.chunked = equalFold(lastToken(v), "chunked")
		return
	}
	if v, ok := fieldValue(line, "traceparent"); ok {
		f.traceParents++
		f.traceParent = v
		return
	}
	if v, ok := fieldValue(line, "tracestate"); ok && f.traceState == nil {
		f.traceState = v
	}
}

// addC handles the two interesting names that start with c.
func (f *fields) addC(line []byte) error {
	if v, ok := fieldValue(line, "content-length"); ok {
		return f.addContentLength(v)
	}
	if v, ok := fieldValue(line, "connection"); ok {
		f.close = f.close || hasToken(v, "close")
	}
	return nil
}

// fieldValue returns the value of a field line, without surrounding
// whitespace, when the line's field name is name (lower case), ignoring case.
// A field name ends at the colon, with no whitespace before it (RFC 9112
// section 5.1).
func fieldValue(line []byte, name string) ([]byte, bool) {
	if len(line) <= len(name) || line[len(name)] != ':' || !equalFold(line[:len(name)], name) {
		return nil, false
	}
	return trimSpace(line[len(name)+1:]), true
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
