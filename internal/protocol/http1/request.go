package http1

import "bytes"

// RequestHead holds the facts of a request head. Path, Host and UserAgent
// alias the buffer given to ParseRequestHead: copy them to keep them.
type RequestHead struct {
	Method    string // the standard methods are constants, others are allocated
	Path      []byte // target without query string; "/" for an absolute form without path; empty for CONNECT's authority form
	Query     []byte // the target's query string, without '?'; nil when none
	Version   string // "1.0" or "1.1"; "" when the request line was cut before it
	Host      []byte // Host field, or the authority of an absolute or authority form target
	UserAgent []byte
	// TraceParent and TraceState are the W3C trace context fields, not
	// validated; TraceParent is empty when absent or sent more than once.
	TraceParent    []byte
	TraceState     []byte
	ContentLength  int64 // -1 when absent or overridden by Transfer-Encoding
	Chunked        bool  // chunked is the final transfer coding
	Close          bool  // Connection: close
	ExpectContinue bool  // Expect: 100-continue
	// HeaderLen is the length of the head including the blank line that ends
	// it: the body starts at this offset. 0 when an error was returned.
	HeaderLen int
	// transferEncoding records a Transfer-Encoding field without chunked.
	transferEncoding bool
}

// ParseRequestHead parses the request head at the start of b. When b ends
// before the head does, it returns what the complete lines (and a cut request
// line) held together with ErrIncomplete; on ErrMalformed it returns what was
// parsed before the fault.
func ParseRequestHead(b []byte) (RequestHead, error) {
	h := RequestHead{ContentLength: -1}
	line, n, ok := nextLine(b)
	if !ok {
		if err := h.parseRequestLine(trimCR(b), true); err != nil {
			return h, err
		}
		return h, ErrIncomplete
	}
	if err := h.parseRequestLine(line, false); err != nil {
		return h, err
	}
	var f fields
	err := parseFields(b[n:], &f)
	h.apply(&f)
	if err != nil {
		return h, err
	}
	h.HeaderLen = n + f.headerLen
	return h, nil
}

// Body says how the request's body is delimited (RFC 9112 section 6.3): a
// request without Content-Length or chunked coding has no body, and one whose
// final coding is not chunked cannot be delimited (the server answers 400 and
// closes).
func (h *RequestHead) Body() Body {
	switch {
	case h.Chunked:
		return BodyChunked
	case h.transferEncoding:
		return BodyUntilClose
	case h.ContentLength > 0:
		return BodyLength
	}
	return BodyNone
}

// parseRequestLine reads "method SP target SP HTTP/1.x". A cut line (partial)
// may end anywhere after the method's space: the target is then what was
// captured and the version is left empty unless it is complete.
func (h *RequestHead) parseRequestLine(line []byte, partial bool) error {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 && partial && (len(line) == 0 || isToken(line)) {
		return nil // cut inside the method: nothing to report yet
	}
	if sp <= 0 || !isToken(line[:sp]) {
		return errRequestLine
	}
	target, version, found := bytes.Cut(line[sp+1:], []byte{' '})
	if len(target) == 0 && partial && !found {
		h.Method = internMethod(line[:sp]) // cut right after the method
		return nil
	}
	if len(target) == 0 || (!found && !partial) {
		return errRequestLine
	}
	h.Method = internMethod(line[:sp])
	h.splitTarget(target)
	h.Version = versionOf(version)
	if h.Version == "" && !partial {
		return errRequestLine
	}
	return nil
}

// slash is the path of an absolute-form target that has none.
var slash = []byte{'/'}

// splitTarget sets Path, Query and, for the absolute and authority forms,
// Host (RFC 9112 section 3.2).
func (h *RequestHead) splitTarget(t []byte) {
	if t[0] != '/' && t[0] != '*' {
		i := bytes.Index(t, []byte("://"))
		if i < 0 { // authority form, as in CONNECT host:443
			h.Host = t
			return
		}
		t = t[i+3:]
		end := bytes.IndexAny(t, "/?")
		if end < 0 {
			end = len(t)
		}
		h.Host, t = t[:end], t[end:]
	}
	path, query, hasQuery := bytes.Cut(t, []byte{'?'})
	if len(path) == 0 {
		path = slash
	}
	h.Path = path
	if hasQuery {
		h.Query = query[:len(query):len(query)]
	}
}

// apply copies what the fields said. The authority of the target takes
// precedence over a Host field (RFC 9112 section 3.2.2).
func (h *RequestHead) apply(f *fields) {
	if h.Host == nil {
		h.Host = f.host
	}
	h.UserAgent = f.userAgent
	if f.traceParents == 1 {
		h.TraceParent, h.TraceState = f.traceParent, f.traceState
	}
	h.ContentLength = f.contentLength
	h.Chunked = f.chunked
	h.transferEncoding = f.transferEncoding && !f.chunked
	h.Close = f.close
	h.ExpectContinue = f.expectContinue
}
