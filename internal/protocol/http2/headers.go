package http2

import "strings"

// Fields are the facts of one header block that calls are made of.
// Strings are the decoder's own (never the captured bytes).
type Fields struct {
	Method      string // :method
	Path        string // :path, query included
	Authority   string // :authority, else host
	ContentType string
	UserAgent   string
	Status      int // :status, 0 when absent
	// GRPCStatus is grpc-status when HasGRPCStatus.
	GRPCStatus    uint32
	HasGRPCStatus bool
	// TraceParent and TraceState are the W3C trace context fields (gRPC
	// metadata included); TraceParent is empty when sent more than once.
	TraceParent, TraceState string
	traceParents            int
	// Unknown counts the fields whose name came from a table entry that is
	// not known: any of the fields above may be among them.
	Unknown int
	// Fields counts every field of the block, unknown ones included.
	Fields int
}

// BlockKind says what a header block opens or closes.
type BlockKind uint8

// Kinds of header blocks.
const (
	BlockUnknown  BlockKind = iota // no pseudo-header field was decoded
	BlockRequest                   // :method or :path
	BlockResponse                  // :status
	BlockTrailers                  // only regular fields, all known
)

// Kind tells a request from a response or trailers by the pseudo-header
// fields, whose names always come from the static table.
func (f *Fields) Kind() BlockKind {
	switch {
	case f.Method != "" || f.Path != "":
		return BlockRequest
	case f.Status != 0:
		return BlockResponse
	case f.Unknown == 0 && f.Fields > 0:
		return BlockTrailers
	default:
		return BlockUnknown
	}
}

// GRPC reports whether the block names gRPC: its content-type, or a
// grpc-status.
func (f *Fields) GRPC() bool { return IsGRPCContentType(f.ContentType) || f.HasGRPCStatus }

// SplitPath returns the path without its query, and the query without
// '?' (nil when there was none).
func SplitPath(p string) (path string, query []byte) {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i], []byte(p[i+1:])
	}
	return p, nil
}

// set records one decoded field.
func (f *Fields) set(name, value string) {
	f.Fields++
	switch name {
	case "":
		f.Unknown++
	case ":method":
		f.Method = value
	case ":path":
		f.Path = value
	case ":authority":
		f.Authority = value
	case "host":
		if f.Authority == "" {
			f.Authority = value
		}
	case ":status":
		f.Status = parseHTTPStatus(value)
	case "content-type":
		f.ContentType = value
	case "user-agent":
		f.UserAgent = value
	case "grpc-status":
		f.GRPCStatus, f.HasGRPCStatus = ParseStatus(value)
	case "traceparent":
		if f.traceParents++; f.traceParents == 1 {
			f.TraceParent = value
		} else {
			f.TraceParent = ""
		}
	case "tracestate":
		f.TraceState = value
	}
}

// parseHTTPStatus reads a three-digit status, 0 when malformed.
func parseHTTPStatus(v string) int {
	if len(v) != 3 {
		return 0
	}
	n := 0
	for i := 0; i < 3; i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0
		}
		n = n*10 + int(v[i]-'0')
	}
	if n < 100 {
		return 0
	}
	return n
}
