package mysql

import (
	"bytes"
	"encoding/binary"
)

// HeaderLen is the size of a packet header: a 3-byte little-endian payload
// length and a sequence number.
const HeaderLen = 4

// MaxPayload is the largest payload of one packet; a payload of exactly
// this length continues in the next packet.
const MaxPayload = 0xFFFFFF

// ParseHeader returns the sequence number and payload length of the packet
// header at the start of b, which needs HeaderLen bytes.
func ParseHeader(b []byte) (seq byte, payloadLen int, ok bool) {
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	return b[3], int(b[0]) | int(b[1])<<8 | int(b[2])<<16, true
}

// Commands a client sends, the first byte of a command packet.
const (
	ComQuit        = 0x01
	ComInitDB      = 0x02
	ComQuery       = 0x03
	ComFieldList   = 0x04
	ComStatistics  = 0x09
	ComPing        = 0x0e
	ComChangeUser  = 0x11
	ComStmtPrepare = 0x16
	ComStmtExecute = 0x17
	ComStmtSendLng = 0x18
	ComStmtClose   = 0x19
	ComStmtReset   = 0x1a
	ComSetOption   = 0x1b
	ComStmtFetch   = 0x1c
	ComResetConn   = 0x1f
)

// Answer headers, the first byte of a server packet.
const (
	OKHeader    = 0x00
	EOFHeader   = 0xFE
	ErrHeader   = 0xFF
	LocalInfile = 0xFB
)

// protocolVersion10 is the first byte of every greeting since MySQL 3.21.
const protocolVersion10 = 10

// maxGreeting bounds the payload of a plausible greeting.
const maxGreeting = 1024

// LooksLikeGreeting reports whether b starts with a server greeting
// (HandshakeV10): sequence 0, protocol 10, a printable version string.
func LooksLikeGreeting(b []byte) bool {
	seq, n, ok := ParseHeader(b)
	if !ok || seq != 0 || n < 40 || n > maxGreeting || len(b) < HeaderLen+2 || b[HeaderLen] != protocolVersion10 {
		return false
	}
	v := b[HeaderLen+1 : min(len(b), HeaderLen+n)]
	end := bytes.IndexByte(v, 0)
	if end < 1 {
		return end < 0 && len(v) > 0 && printable(v)
	}
	return printable(v[:end])
}

// LooksLikeCommand reports whether b starts with a command packet a client
// sends on an established connection: sequence 0 and a statement-carrying
// command with text where text is expected.
func LooksLikeCommand(b []byte) bool {
	seq, n, ok := ParseHeader(b)
	if !ok || seq != 0 || n < 1 || len(b) < HeaderLen+1 {
		return false
	}
	switch b[HeaderLen] {
	case ComQuery, ComStmtPrepare, ComInitDB:
		text := b[HeaderLen+1 : min(len(b), HeaderLen+n)]
		return n > 1 && printable(text[:min(len(text), 16)])
	case ComStmtExecute:
		return n >= 10
	case ComPing, ComQuit:
		return n == 1
	}
	return false
}

func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// lenenc reads a length-encoded integer at the start of b; ok is false
// when b is cut or starts with a byte that is no integer.
func lenenc(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch c := b[0]; {
	case c < 0xfb:
		return uint64(c), 1, true
	case c == 0xfc && len(b) >= 3:
		return uint64(binary.LittleEndian.Uint16(b[1:3])), 3, true
	case c == 0xfd && len(b) >= 4:
		return uint64(b[1]) | uint64(b[2])<<8 | uint64(b[3])<<16, 4, true
	case c == 0xfe && len(b) >= 9:
		return binary.LittleEndian.Uint64(b[1:9]), 9, true
	}
	return 0, 0, false
}
