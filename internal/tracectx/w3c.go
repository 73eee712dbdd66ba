package tracectx

// TraceID and SpanID are the W3C (and OpenTelemetry) identifiers.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

// IsZero says the id is the invalid all-zero one.
func (t TraceID) IsZero() bool { return t == TraceID{} }

// IsZero says the id is the invalid all-zero one.
func (s SpanID) IsZero() bool { return s == SpanID{} }

// FlagSampled is the sampled bit of trace flags.
const FlagSampled = 0x01

// Parent is a traceparent read from a request: the caller's trace, its
// span and flags.
type Parent struct {
	TraceID TraceID
	SpanID  SpanID
	Flags   uint8
}

// ParseTraceParent reads a W3C traceparent value ("00-<32 hex>-<16 hex>-
// <2 hex>"). Versions other than 00 are read as 00 where their prefix has
// that shape; ff, upper-case hex and all-zero ids are invalid.
func ParseTraceParent(v []byte) (Parent, bool) {
	var p Parent
	if len(v) < 55 || (len(v) > 55 && (v[0] == '0' && v[1] == '0' || v[55] != '-')) {
		return p, false
	}
	version, ok := hexByte(v[0], v[1])
	if !ok || version == 0xff || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return p, false
	}
	if !hexInto(p.TraceID[:], v[3:35]) || !hexInto(p.SpanID[:], v[36:52]) {
		return p, false
	}
	if p.Flags, ok = hexByte(v[53], v[54]); !ok || p.TraceID.IsZero() || p.SpanID.IsZero() {
		return Parent{}, false
	}
	return p, true
}

// hexInto decodes lower-case hex src into dst, len(src) == 2*len(dst).
func hexInto(dst, src []byte) bool {
	for i := range dst {
		b, ok := hexByte(src[2*i], src[2*i+1])
		if !ok {
			return false
		}
		dst[i] = b
	}
	return true
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexDigit(hi)
	l, ok2 := hexDigit(lo)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
