package http2

import "strings"

// gRPC status codes (google.golang.org/grpc/codes), as carried in the
// grpc-status trailer.
const (
	StatusOK                 uint32 = 0
	StatusCancelled          uint32 = 1
	StatusUnknown            uint32 = 2
	StatusInvalidArgument    uint32 = 3
	StatusDeadlineExceeded   uint32 = 4
	StatusNotFound           uint32 = 5
	StatusAlreadyExists      uint32 = 6
	StatusPermissionDenied   uint32 = 7
	StatusResourceExhausted  uint32 = 8
	StatusFailedPrecondition uint32 = 9
	StatusAborted            uint32 = 10
	StatusOutOfRange         uint32 = 11
	StatusUnimplemented      uint32 = 12
	StatusInternal           uint32 = 13
	StatusUnavailable        uint32 = 14
	StatusDataLoss           uint32 = 15
	StatusUnauthenticated    uint32 = 16
)

// statusNames are the canonical names of the status codes, by code.
var statusNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
}

// StatusName returns the canonical name of a gRPC status code, such as
// "DEADLINE_EXCEEDED"; ok is false for codes gRPC does not define.
func StatusName(code uint32) (name string, ok bool) {
	if int64(code) < int64(len(statusNames)) {
		return statusNames[code], true
	}
	return "", false
}

// ParseStatus reads a grpc-status value: decimal digits, at most 10.
func ParseStatus(v string) (uint32, bool) {
	if v == "" || len(v) > 10 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(v[i]-'0')
	}
	if n > 1<<32-1 {
		return 0, false
	}
	return uint32(n), true
}

// IsGRPCContentType reports whether a content-type names gRPC:
// "application/grpc", optionally followed by "+format" or parameters.
func IsGRPCContentType(ct string) bool {
	rest, ok := strings.CutPrefix(ct, "application/grpc")
	return ok && (rest == "" || rest[0] == '+' || rest[0] == ';')
}

// RST_STREAM error codes that gRPC maps to a status of its own.
const (
	errCodeRefusedStream      = 0x7
	errCodeCancel             = 0x8
	errCodeEnhanceYourCalm    = 0xb
	errCodeInadequateSecurity = 0xc
)

// ResetStatus is the status of a gRPC call ended by RST_STREAM with the
// given error code before any grpc-status was sent, as the gRPC over
// HTTP/2 specification maps them.
func ResetStatus(errCode uint32) uint32 {
	switch errCode {
	case errCodeRefusedStream:
		return StatusUnavailable
	case errCodeCancel:
		return StatusCancelled
	case errCodeEnhanceYourCalm:
		return StatusResourceExhausted
	case errCodeInadequateSecurity:
		return StatusPermissionDenied
	default:
		return StatusInternal
	}
}
