package http1

// ResponseHead holds the facts of a response head.
type ResponseHead struct {
	Version       string // "1.0" or "1.1"
	Status        int    // 100..999; 0 when the status line was not complete
	ContentLength int64  // -1 when absent or overridden by Transfer-Encoding
	Chunked       bool   // chunked is the final transfer coding
	Close         bool   // Connection: close
	// HeaderLen is the length of the head including the blank line that ends
	// it. 0 when an error was returned.
	HeaderLen int
}

// Body is how a message body is delimited.
type Body uint8

// Ways a body can be delimited (RFC 9112 section 6.3).
const (
	BodyNone       Body = iota // no body
	BodyLength                 // ContentLength bytes
	BodyChunked                // chunked coding, see ChunkWalker
	BodyUntilClose             // everything until the connection closes
)

// ParseResponseHead parses the response head at the start of b, with the same
// rules for cut input as ParseRequestHead.
func ParseResponseHead(b []byte) (ResponseHead, error) {
	h := ResponseHead{ContentLength: -1}
	line, n, ok := nextLine(b)
	if !ok {
		return h, h.parsePartialStatusLine(trimCR(b))
	}
	if err := h.parseStatusLine(line); err != nil {
		return h, err
	}
	var f fields
	err := parseFields(b[n:], &f)
	h.ContentLength, h.Chunked, h.Close = f.contentLength, f.chunked, f.close
	if err != nil {
		return h, err
	}
	h.HeaderLen = n + f.headerLen
	return h, nil
}

// parseStatusLine reads "HTTP/1.x SP 3DIGIT [SP reason]". A missing reason
// phrase, even without its space, is tolerated.
func (h *ResponseHead) parseStatusLine(line []byte) error {
	if !LooksLikeResponse(line) || (len(line) > 12 && line[12] != ' ') {
		return errStatusLine
	}
	status := int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	if status < 100 {
		return errStatusLine
	}
	h.Version, h.Status = versionOf(line[:8]), status
	return nil
}

// parsePartialStatusLine reads a status line cut by the end of the input:
// the status is kept when its three digits were captured.
func (h *ResponseHead) parsePartialStatusLine(b []byte) error {
	if len(b) < 12 {
		const prefix = "HTTP/1."
		if string(b[:min(len(b), len(prefix))]) != prefix[:min(len(b), len(prefix))] {
			return errStatusLine
		}
		return ErrIncomplete
	}
	if err := h.parseStatusLine(b); err != nil {
		return err
	}
	return ErrIncomplete
}

// Interim reports a 1xx response other than 101: it is followed by the final
// response to the same request.
func (h *ResponseHead) Interim() bool {
	return h.Status >= 100 && h.Status < 200 && h.Status != 101
}

// SwitchesProtocol reports a response after which the connection no longer
// carries HTTP/1: 101 Switching Protocols, or a 2xx answer to CONNECT (a
// tunnel).
func (h *ResponseHead) SwitchesProtocol(method string) bool {
	return h.Status == 101 || (method == "CONNECT" && h.Status/100 == 2)
}

// Body says how the body of this response to a request with the given method
// is delimited: never a body for HEAD, 1xx, 204 and 304; otherwise chunked,
// Content-Length, or until the connection closes.
func (h *ResponseHead) Body(method string) Body {
	switch {
	case method == "HEAD", h.Status < 200, h.Status == 204, h.Status == 304,
		h.SwitchesProtocol(method):
		return BodyNone
	case h.Chunked:
		return BodyChunked
	case h.ContentLength == 0:
		return BodyNone
	case h.ContentLength > 0:
		return BodyLength
	}
	return BodyUntilClose
}
