// Package kafka decodes the Apache Kafka protocol from captured bytes: the
// request and response headers, and of the bodies what a messaging call
// is named by: the topics and partitions a Produce or Fetch addresses, the
// messages its record batches hold, the errors its response carries, and
// the topic ids a Metadata response names (Produce and Fetch name topics by
// id from versions 13).
//
// Functions work on a message or a prefix of one (the capture keeps the
// first bytes of each syscall), allocate nothing, return slices of their
// input, and never panic on hostile input. Record keys and values are never
// returned.
//
// Calls are made from the client's side of a connection only: the broker
// reads the same requests.
package kafka

import "encoding/binary"

// API keys the decoder reads bodies of.
const (
	KeyProduce     = 0
	KeyFetch       = 1
	KeyMetadata    = 3
	KeyAPIVersions = 18
)

// Bounds of a request a client writes today: API keys and versions in use
// (with room for those to come), and the broker's default limit on a
// request's size (socket.request.max.bytes).
const (
	MaxAPIKey     = 100
	MaxAPIVersion = 31
	MaxMessage    = 100 << 20
)

// RequestHeaderLen is the fixed part of a request header: length, API key,
// version, correlation id. The client id follows.
const RequestHeaderLen = 12

// ResponseHeaderLen is the fixed part of a response header: length and
// correlation id.
const ResponseHeaderLen = 8

// RequestHeader is the fixed part of a request header.
type RequestHeader struct {
	Length      int // the message after its length field
	Key         int16
	Version     int16
	Correlation int32
}

// ParseRequestHeader reads a request header; false when b is shorter than
// one or it cannot be a request's.
func ParseRequestHeader(b []byte) (RequestHeader, bool) {
	if len(b) < RequestHeaderLen {
		return RequestHeader{}, false
	}
	h := RequestHeader{
		Length:      int(int32(binary.BigEndian.Uint32(b))),
		Key:         int16(binary.BigEndian.Uint16(b[4:])),
		Version:     int16(binary.BigEndian.Uint16(b[6:])),
		Correlation: int32(binary.BigEndian.Uint32(b[8:])),
	}
	ok := h.Length >= RequestHeaderLen-4+2 && h.Length <= MaxMessage &&
		h.Key >= 0 && h.Key <= MaxAPIKey && h.Version >= 0 && h.Version <= MaxAPIVersion && h.Correlation >= 0
	return h, ok
}

// ResponseHeader is the fixed part of a response header.
type ResponseHeader struct {
	Length      int // the message after its length field
	Correlation int32
}

// ParseResponseHeader reads a response header; false when b is shorter
// than one or its length cannot be.
func ParseResponseHeader(b []byte) (ResponseHeader, bool) {
	if len(b) < ResponseHeaderLen {
		return ResponseHeader{}, false
	}
	h := ResponseHeader{
		Length:      int(int32(binary.BigEndian.Uint32(b))),
		Correlation: int32(binary.BigEndian.Uint32(b[4:])),
	}
	return h, h.Length >= ResponseHeaderLen-4 && h.Length <= MaxMessage
}

// LooksLikeRequest reports whether b starts a request: a sane header and a
// client id that is null, or fits the message and starts printable. The
// first bytes of a PostgreSQL startup message read as a Metadata v0
// request, which no client of the last decade sends, and are refused.
func LooksLikeRequest(b []byte) bool {
	h, ok := ParseRequestHeader(b)
	if !ok || len(b) < RequestHeaderLen+2 || h.Key == KeyMetadata && h.Version == 0 {
		return false
	}
	id := int(int16(binary.BigEndian.Uint16(b[RequestHeaderLen:])))
	switch {
	case id == -1:
		return true
	case id < 0 || id > h.Length-(RequestHeaderLen-4+2):
		return false
	}
	return id == 0 || len(b) == RequestHeaderLen+2 || b[RequestHeaderLen+2] >= 0x20 && b[RequestHeaderLen+2] < 0x7f
}

// flexible tells whether version of API key uses the compact encodings
// and tagged fields of KIP-482, for the APIs whose bodies are read.
func flexible(key, version int16) bool {
	switch key {
	case KeyProduce:
		return version >= 9
	case KeyFetch:
		return version >= 12
	case KeyMetadata:
		return version >= 9
	}
	return false
}

// RequestBody returns the client id of a request whose body (the message
// after its fixed header) b holds from its start, and the rest of the body
// after the header's tagged fields; false when b does not hold the header.
func RequestBody(key, version int16, b []byte) (clientID, rest []byte, ok bool) {
	r := reader{b: b}
	clientID = r.legacyString()
	if flexible(key, version) {
		r.tags()
	}
	if r.bad {
		return nil, nil, false
	}
	return clientID, b[r.off:], true
}

// ResponseBody returns the body of a response to a request of key and
// version after the header's tagged fields (responses to flexible
// versions carry them, but for ApiVersions); false when b does not hold
// them.
func ResponseBody(key, version int16, b []byte) ([]byte, bool) {
	r := reader{b: b}
	if flexible(key, version) {
		r.tags()
	}
	return b[min(r.off, len(b)):], !r.bad
}
