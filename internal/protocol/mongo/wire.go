// Package mongo decodes the MongoDB wire protocol from captured bytes: the
// message header, OP_MSG with its sections, the legacy OP_QUERY and
// OP_REPLY of the handshake, and enough of a BSON document to name a
// command (its first field), the collection it addresses, its database
// ($db) and, in a reply, whether it failed and with which code.
//
// Functions work on a message or a prefix of one (the capture keeps the
// first bytes of each syscall), allocate nothing, return slices of their
// input, and never panic on hostile input. Document values are never
// returned beyond the names above.
//
// Calls are made from the client's side of a connection only: the server
// reads the same commands.
package mongo

import "encoding/binary"

// HeaderLen is the size of a message header: length, request id, the id
// of the request answered, operation code.
const HeaderLen = 16

// Operation codes.
const (
	OpReply      = 1
	OpQuery      = 2004
	OpCompressed = 2012
	OpMsg        = 2013
)

// MaxMessage bounds a message's declared length (the server's limit).
const MaxMessage = 48 << 20

// Header is a message header.
type Header struct {
	Length     int // the whole message, header included
	RequestID  uint32
	ResponseTo uint32
	OpCode     uint32
}

// ParseHeader reads a header; false when b is shorter than one or its
// length or operation cannot be.
func ParseHeader(b []byte) (Header, bool) {
	if len(b) < HeaderLen {
		return Header{}, false
	}
	h := Header{
		Length:     int(int32(binary.LittleEndian.Uint32(b))),
		RequestID:  binary.LittleEndian.Uint32(b[4:]),
		ResponseTo: binary.LittleEndian.Uint32(b[8:]),
		OpCode:     binary.LittleEndian.Uint32(b[12:]),
	}
	switch h.OpCode {
	case OpReply, OpQuery, OpCompressed, OpMsg:
	default:
		return Header{}, false
	}
	return h, h.Length >= HeaderLen && h.Length <= MaxMessage
}

// LooksLikeRequest reports whether b starts a message a client sends: a
// header of OP_MSG, OP_QUERY or OP_COMPRESSED that answers nothing.
func LooksLikeRequest(b []byte) bool {
	h, ok := ParseHeader(b)
	return ok && h.ResponseTo == 0 && h.OpCode != OpReply
}

// MoreToCome is the OP_MSG flag saying no reply follows (a request) or
// that more replies follow (a reply).
const MoreToCome = 1 << 1

// MsgBody returns the flags of an OP_MSG body (the message after its
// header) and its body section's document, as far as b holds it; false
// when b holds no body section at its start.
func MsgBody(b []byte) (flags uint32, doc []byte, ok bool) {
	if len(b) < 5+4 {
		return 0, nil, false
	}
	flags = binary.LittleEndian.Uint32(b)
	// Sections: kind 0 is the body, kind 1 a document sequence (size,
	// identifier, documents). Drivers put the body first; a sequence
	// before it is skipped by its size.
	for pos := 4; pos+5 <= len(b); {
		switch b[pos] {
		case 0:
			return flags, b[pos+1:], true
		case 1:
			size := int(int32(binary.LittleEndian.Uint32(b[pos+1:])))
			if size < 4 {
				return flags, nil, false
			}
			pos += 1 + size
		default:
			return flags, nil, false
		}
	}
	return flags, nil, false
}

// QueryBody returns the full collection name ("admin.$cmd") and the
// query document of an OP_QUERY body, as far as b holds them.
func QueryBody(b []byte) (collection, doc []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	name, rest, ok := cstring(b[4:])
	if !ok || len(rest) < 8 {
		return name, nil, ok
	}
	return name, rest[8:], true
}

// ReplyBody returns the first document of an OP_REPLY body.
func ReplyBody(b []byte) (doc []byte, ok bool) {
	const fixed = 4 + 8 + 4 + 4 // flags, cursor id, starting from, number returned
	if len(b) < fixed {
		return nil, false
	}
	return b[fixed:], true
}

// cstring splits b at its first NUL.
func cstring(b []byte) (s, rest []byte, ok bool) {
	for i, c := range b {
		if c == 0 {
			return b[:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

// LooksLikeReply reports whether b starts a message a server sends: an
// OP_MSG or OP_REPLY header that answers a request.
func LooksLikeReply(b []byte) bool {
	h, ok := ParseHeader(b)
	return ok && h.ResponseTo != 0 && (h.OpCode == OpMsg || h.OpCode == OpReply)
}
