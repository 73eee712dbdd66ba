package mysql

import (
	"encoding/binary"
	"strconv"
)

// ServerMoreResultsExists is the status flag saying another result follows.
const ServerMoreResultsExists = 0x0008

// eofPayloadLen is the payload length of a classic EOF packet.
const eofPayloadLen = 5

// IsEOF reports whether a payload of length n starting with b is the
// classic EOF packet that ends column definitions or rows.
func IsEOF(b []byte, n int) bool { return n == eofPayloadLen && len(b) > 0 && b[0] == EOFHeader }

// IsTerminator reports whether a payload of length n starting with b ends
// a result set's rows: a classic EOF, or an OK packet with the EOF header
// when the client asked for CLIENT_DEPRECATE_EOF. A row starting with 0xFE
// would need a 16 MiB first value.
func IsTerminator(b []byte, n int) bool {
	return len(b) > 0 && b[0] == EOFHeader && n < MaxPayload && n >= eofPayloadLen
}

// Status returns the server status flags of an OK or EOF payload; ok is
// false when cut.
func Status(b []byte) (status uint16, ok bool) {
	if len(b) == eofPayloadLen && b[0] == EOFHeader {
		return binary.LittleEndian.Uint16(b[3:5]), true
	}
	_, _, status, ok = ParseOK(b)
	return status, ok
}

// ParseOK reads an OK payload (header 0x00, or 0xFE when it ends rows):
// affected rows and status flags.
func ParseOK(b []byte) (header byte, affected uint64, status uint16, ok bool) {
	if len(b) < 1 {
		return 0, 0, 0, false
	}
	affected, n1, ok1 := lenenc(b[1:])
	if !ok1 {
		return b[0], 0, 0, false
	}
	_, n2, ok2 := lenenc(b[1+n1:])
	at := 1 + n1 + n2
	if !ok2 || len(b) < at+2 {
		return b[0], affected, 0, false
	}
	return b[0], affected, binary.LittleEndian.Uint16(b[at : at+2]), true
}

// ErrorCode returns the error number of an ERR payload as text, e.g.
// "1146"; empty when cut.
func ErrorCode(b []byte, buf []byte) []byte {
	if len(b) < 3 || b[0] != ErrHeader {
		return nil
	}
	return strconv.AppendUint(buf[:0], uint64(binary.LittleEndian.Uint16(b[1:3])), 10)
}

// ColumnCount reads the first packet of a result set: the number of
// columns, and whether column definitions follow. They do not when a
// MariaDB client that caches metadata gets a flag byte 0 after the count.
func ColumnCount(b []byte) (columns uint64, defs bool, ok bool) {
	n, w, ok := lenenc(b)
	return n, len(b) != w+1 || b[w] != 0, ok
}

// PrepareOK is what a COM_STMT_PREPARE answer's first packet says.
type PrepareOK struct {
	StatementID uint32
	Columns     uint16
	Params      uint16
}

// ParsePrepareOK reads the first packet of a COM_STMT_PREPARE answer.
func ParsePrepareOK(b []byte) (PrepareOK, bool) {
	if len(b) < 9 || b[0] != OKHeader {
		return PrepareOK{}, false
	}
	return PrepareOK{
		StatementID: binary.LittleEndian.Uint32(b[1:5]),
		Columns:     binary.LittleEndian.Uint16(b[5:7]),
		Params:      binary.LittleEndian.Uint16(b[7:9]),
	}, true
}

// StatementID returns the statement of a COM_STMT_EXECUTE, COM_STMT_CLOSE
// or COM_STMT_RESET payload.
func StatementID(b []byte) (uint32, bool) {
	if len(b) < 5 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[1:5]), true
}

// maxEndScan bounds how far from the end LastPacket looks for a header.
const maxEndScan = 128

// LastPacket returns the payload of the packet that ends b when it ends a
// result (an EOF, OK-with-EOF-header or ERR packet), found by looking for
// a header whose length reaches exactly the end of b; nil when none does.
// A reader that lost the framing inside a large result uses it on a
// segment captured whole.
func LastPacket(b []byte) []byte {
	for i := len(b) - HeaderLen - 1; i >= 0 && i >= len(b)-maxEndScan; i-- {
		_, n, _ := ParseHeader(b[i:])
		if i+HeaderLen+n != len(b) {
			continue
		}
		p := b[i+HeaderLen:]
		if IsTerminator(p, n) || p[0] == ErrHeader {
			return p
		}
	}
	return nil
}

// TailEndsResult reports whether tail, the last 8 bytes of a server write
// whose middle was not captured, ends with the packet that ends a result
// set: a classic EOF (length 5 00 00, sequence, 0xFE, warnings, status)
// or an OK packet with the EOF header and no affected rows.
func TailEndsResult(tail []byte) bool {
	if len(tail) != 8 {
		return false
	}
	classic := tail[0] == 0 && tail[1] == 0 && tail[3] == EOFHeader
	ok := tail[1] == EOFHeader && tail[2] == 0 && tail[3] == 0
	return classic || ok
}
