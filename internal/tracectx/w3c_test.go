package tracectx

import "testing"

func TestParseTraceParent(t *testing.T) {
	const valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for _, tc := range []struct {
		in   string
		ok   bool
		flag uint8
	}{
		{valid, true, 1},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true, 0},
		{"01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", true, 1}, // a later version
		{valid + "-extra", false, 0}, // version 00 has no more
		{"ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false, 0},
		{"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false, 0},
		{"00-00000000000000000000000000000000-b7ad6b7169203331-01", false, 0},
		{"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false, 0},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", false, 0},
		{"00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false, 0},
		{"", false, 0},
	} {
		p, ok := ParseTraceParent([]byte(tc.in))
		if ok != tc.ok || (ok && p.Flags != tc.flag) {
			t.Errorf("ParseTraceParent(%q) = %+v, %v; want ok %v flags %d", tc.in, p, ok, tc.ok, tc.flag)
		}
	}
}

func FuzzParseTraceParent(f *testing.F) {
	f.Add([]byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := ParseTraceParent(b)
		if ok && (p.TraceID.IsZero() || p.SpanID.IsZero()) {
			t.Fatalf("accepted zero ids from %q", b)
		}
	})
}
