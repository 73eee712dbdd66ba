package http2

import "testing"

func TestStatusName(t *testing.T) {
	for code, want := range map[uint32]string{
		StatusOK: "OK", StatusCancelled: "CANCELLED", StatusNotFound: "NOT_FOUND",
		StatusDeadlineExceeded: "DEADLINE_EXCEEDED", StatusUnimplemented: "UNIMPLEMENTED",
		StatusUnauthenticated: "UNAUTHENTICATED",
	} {
		if got, ok := StatusName(code); !ok || got != want {
			t.Errorf("StatusName(%d) = %q, %v", code, got, ok)
		}
	}
	if got, ok := StatusName(17); ok || got != "" {
		t.Errorf("StatusName(17) = %q, %v", got, ok)
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]struct {
		code uint32
		ok   bool
	}{
		"0": {0, true}, "12": {12, true}, "4294967295": {1<<32 - 1, true},
		"4294967296": {0, false}, "": {0, false}, "1a": {0, false}, "-1": {0, false}, "12345678901": {0, false},
	} {
		code, ok := ParseStatus(in)
		if code != want.code || ok != want.ok {
			t.Errorf("ParseStatus(%q) = %d, %v", in, code, ok)
		}
	}
}

func TestIsGRPCContentType(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/grpc": true, "application/grpc+proto": true, "application/grpc;charset=utf-8": true,
		"application/grpc-web": false, "application/json": false, "": false,
	} {
		if got := IsGRPCContentType(ct); got != want {
			t.Errorf("IsGRPCContentType(%q) = %v", ct, got)
		}
	}
}

func TestResetStatus(t *testing.T) {
	for code, want := range map[uint32]uint32{
		0x0: StatusInternal, 0x2: StatusInternal, 0x7: StatusUnavailable, 0x8: StatusCancelled,
		0xb: StatusResourceExhausted, 0xc: StatusPermissionDenied,
	} {
		if got := ResetStatus(code); got != want {
			t.Errorf("ResetStatus(%#x) = %d, want %d", code, got, want)
		}
	}
}
