package postgres

import "encoding/binary"

// HeaderLen is the size of a typed message header: one type byte and a
// big-endian int32 length that counts itself but not the type byte.
const HeaderLen = 5

// StartupHeaderLen is the size of the header of the untyped messages a
// client sends first: an int32 length that counts itself, then an int32
// code.
const StartupHeaderLen = 8

// Codes of the untyped first messages.
const (
	ProtocolVersion3 = 196608   // StartupMessage, protocol 3.0
	SSLRequestCode   = 80877103 // SSLRequest
	GSSENCRequest    = 80877104 // GSSENCRequest
	CancelRequest    = 80877102 // CancelRequest
)

// MaxMessageLen bounds the length a header may announce before it is taken
// for garbage: the server itself refuses messages over 1 GiB.
const MaxMessageLen = 1 << 30

// maxStartupLen bounds a startup message, as the server does.
const maxStartupLen = 10000

// Frontend (client to server) message types.
const (
	Query     = 'Q'
	Parse     = 'P'
	Bind      = 'B'
	Execute   = 'E'
	Describe  = 'D'
	Sync      = 'S'
	Close     = 'C'
	Flush     = 'H'
	Terminate = 'X'
	CopyData  = 'd'
	CopyDone  = 'c'
	CopyFail  = 'f'
	Password  = 'p' // also SASL and GSS responses
	FuncCall  = 'F'
)

// Backend (server to client) message types.
const (
	CommandComplete   = 'C'
	ErrorResponse     = 'E'
	ReadyForQuery     = 'Z'
	EmptyQuery        = 'I'
	PortalSuspended   = 's'
	ParseComplete     = '1'
	BindComplete      = '2'
	CloseComplete     = '3'
	DataRow           = 'D'
	RowDescription    = 'T'
	NoData            = 'n'
	ParamDescription  = 't'
	Authentication    = 'R'
	ParameterStatus   = 'S'
	BackendKeyData    = 'K'
	NoticeResponse    = 'N'
	Notification      = 'A'
	CopyInResponse    = 'G'
	CopyOutResponse   = 'H'
	CopyBothResponse  = 'W'
	NegotiateProtocol = 'v'
)

// SSL answers: the single byte a server sends back to an SSLRequest.
const (
	SSLAccepted = 'S'
	SSLRefused  = 'N'
)

// frontendTypes and backendTypes mark the message types of each direction.
var frontendTypes, backendTypes = typeSet("QPBEDSCHXdcfpF"), typeSet("CEZIs123DTnAtRSKNGHWvdc")

func typeSet(s string) (set [256]bool) {
	for i := range len(s) {
		set[s[i]] = true
	}
	return set
}

// LooksLikeReady reports whether b starts with a ReadyForQuery message, as
// a server sends at the end of every answer.
func LooksLikeReady(b []byte) bool {
	typ, n, ok := ParseHeader(b, false)
	return ok && typ == ReadyForQuery && n == 1 && len(b) > HeaderLen && ReadyStatus(b[HeaderLen:HeaderLen+1]) != 0
}

// ParseHeader reads a typed message header from b, which needs HeaderLen
// bytes. It returns the type, the body length, and whether the header is
// plausible for the direction (frontend: sent by the client).
func ParseHeader(b []byte, frontend bool) (typ byte, bodyLen int, ok bool) {
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	typ = b[0]
	n := binary.BigEndian.Uint32(b[1:5])
	known := backendTypes[typ]
	if frontend {
		known = frontendTypes[typ]
	}
	if !known || n < 4 || n > MaxMessageLen {
		return typ, 0, false
	}
	return typ, int(n) - 4, true
}

// ParseStartupHeader reads the header of an untyped first message from b,
// which needs StartupHeaderLen bytes. It returns the code, the length of
// what follows the code, and whether the header is plausible.
func ParseStartupHeader(b []byte) (code uint32, rest int, ok bool) {
	if len(b) < StartupHeaderLen {
		return 0, 0, false
	}
	n := binary.BigEndian.Uint32(b[0:4])
	code = binary.BigEndian.Uint32(b[4:8])
	switch {
	case n < StartupHeaderLen || n > maxStartupLen:
		return code, 0, false
	case code == ProtocolVersion3 || code>>16 == 3:
	case code == SSLRequestCode || code == GSSENCRequest:
		if n != StartupHeaderLen {
			return code, 0, false
		}
	case code == CancelRequest:
	default:
		return code, 0, false
	}
	return code, int(n) - StartupHeaderLen, true
}

// LooksLikeStartup reports whether b starts with a startup message, an
// SSLRequest or a GSSENCRequest: how a client opens a connection.
func LooksLikeStartup(b []byte) bool {
	code, _, ok := ParseStartupHeader(b)
	return ok && code != CancelRequest
}

// LooksLikeQuery reports whether b starts with a Query, Parse or Bind
// message of sane length, as a client joined mid-connection sends.
func LooksLikeQuery(b []byte) bool {
	typ, n, ok := ParseHeader(b, true)
	if !ok || (typ != Query && typ != Parse && typ != Bind) || n < 1 {
		return false
	}
	// A statement starts with a printable byte (Query) or a statement name
	// or its end (Parse); binary bytes rule out other protocols.
	return len(b) == HeaderLen || b[HeaderLen] == 0 || (b[HeaderLen] >= 0x20 && b[HeaderLen] < 0x7f) || b[HeaderLen] == '\t' || b[HeaderLen] == '\n'
}
