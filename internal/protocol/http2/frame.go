package http2

import "encoding/binary"

// Preface is the client connection preface (RFC 9113 section 3.4).
const Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// FrameHeaderLen is the size of a frame header.
const FrameHeaderLen = 9

// FrameType is the type of a frame.
type FrameType uint8

// Frame types (RFC 9113 section 6).
const (
	FrameData         FrameType = 0x0
	FrameHeaders      FrameType = 0x1
	FramePriority     FrameType = 0x2
	FrameRSTStream    FrameType = 0x3
	FrameSettings     FrameType = 0x4
	FramePushPromise  FrameType = 0x5
	FramePing         FrameType = 0x6
	FrameGoAway       FrameType = 0x7
	FrameWindowUpdate FrameType = 0x8
	FrameContinuation FrameType = 0x9
)

// Frame flags; each is defined only for some frame types.
const (
	FlagEndStream  uint8 = 0x1  // DATA, HEADERS
	FlagAck        uint8 = 0x1  // SETTINGS, PING
	FlagEndHeaders uint8 = 0x4  // HEADERS, PUSH_PROMISE, CONTINUATION
	FlagPadded     uint8 = 0x8  // DATA, HEADERS, PUSH_PROMISE
	FlagPriority   uint8 = 0x20 // HEADERS
)

// DefaultMaxFrameLength is the largest frame payload a peer may send before
// it learns of a larger SETTINGS_MAX_FRAME_SIZE.
const DefaultMaxFrameLength = 1 << 14

// FrameHeader is the fixed 9-byte header of a frame.
type FrameHeader struct {
	Length   uint32 // payload bytes after the header
	Type     FrameType
	Flags    uint8
	StreamID uint32
}

// ParseFrameHeader reads a frame header from the first FrameHeaderLen bytes
// of b; ok is false when b is shorter.
func ParseFrameHeader(b []byte) (h FrameHeader, ok bool) {
	if len(b) < FrameHeaderLen {
		return h, false
	}
	h.Length = uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	h.Type, h.Flags = FrameType(b[3]), b[4]
	h.StreamID = binary.BigEndian.Uint32(b[5:9]) & 0x7fffffff
	return h, true
}

// Has reports whether flag is set.
func (h FrameHeader) Has(flag uint8) bool { return h.Flags&flag != 0 }

// Plausible reports whether h could be a frame a conforming peer sends with
// the default maximum frame size. Streams of bytes that are not HTTP/2
// rarely pass it twice in a row.
func (h FrameHeader) Plausible() bool {
	return h.Length <= DefaultMaxFrameLength && h.Valid()
}

// Valid reports whether h could be a frame of a conforming peer, whatever
// its maximum frame size: a known type, a stream id that is zero exactly
// for connection-level frames, and the fixed length of fixed-size frames.
func (h FrameHeader) Valid() bool {
	if h.Type > FrameContinuation {
		return false
	}
	connLevel := h.Type == FrameSettings || h.Type == FramePing || h.Type == FrameGoAway
	if connLevel != (h.StreamID == 0) && h.Type != FrameWindowUpdate {
		return false
	}
	switch h.Type {
	case FrameSettings:
		return h.Length%6 == 0 && (!h.Has(FlagAck) || h.Length == 0)
	case FramePing:
		return h.Length == 8
	case FrameRSTStream, FrameWindowUpdate:
		return h.Length == 4
	case FramePriority:
		return h.Length == 5
	case FrameGoAway:
		return h.Length >= 8
	}
	return true
}

// Acceptable reports whether a frame with header h may come next where the
// framing is known: a valid frame, or one of a type not known here (an
// extension such as PRIORITY_UPDATE), which a receiver must ignore (RFC
// 9113 section 4.1). Sniffing for frames uses Plausible instead.
func (h FrameHeader) Acceptable() bool {
	return h.Type > FrameContinuation || h.Valid()
}

// LooksLikePreface reports whether data starts with the client connection
// preface.
func LooksLikePreface(data []byte) bool {
	return len(data) >= len(Preface) && string(data[:len(Preface)]) == Preface
}

// LooksLikeFrames reports whether data, the captured start of n bytes moved
// by one syscall, starts at a frame boundary: every frame header that lies
// within data is plausible. Frames may run past n, since a read can end
// inside a frame. It is the check for a connection joined mid-stream.
func LooksLikeFrames(data []byte, n int) bool {
	if len(data) < FrameHeaderLen || n < len(data) {
		return false
	}
	pos := 0
	for pos+FrameHeaderLen <= len(data) {
		h, _ := ParseFrameHeader(data[pos:])
		if !h.Plausible() {
			return false
		}
		pos += FrameHeaderLen + int(h.Length)
	}
	return true
}
