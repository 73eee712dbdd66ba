package http2

import (
	"bytes"
	"testing"

	"golang.org/x/net/http2"
)

// frames writes frames as golang.org/x/net/http2 does.
func frames(t testing.TB, write func(f *http2.Framer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	write(http2.NewFramer(&buf, nil))
	return buf.Bytes()
}

func TestParseFrameHeader(t *testing.T) {
	b := frames(t, func(f *http2.Framer) {
		_ = f.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: []byte{0x83, 0x84},
			EndStream: true, EndHeaders: true})
	})
	h, ok := ParseFrameHeader(b)
	want := FrameHeader{Length: 2, Type: FrameHeaders, Flags: FlagEndStream | FlagEndHeaders, StreamID: 5}
	if !ok || h != want || !h.Has(FlagEndHeaders) || h.Has(FlagPadded) {
		t.Fatalf("got %+v %v, want %+v", h, ok, want)
	}
	if _, ok := ParseFrameHeader(b[:8]); ok {
		t.Fatal("parsed 8 bytes")
	}
	// The reserved bit is not part of the stream id.
	if h, _ := ParseFrameHeader([]byte{0, 0, 0, 0, 0, 0x80, 0, 0, 3}); h.StreamID != 3 {
		t.Fatalf("stream id %d", h.StreamID)
	}
}

func TestPlausible(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    FrameHeader
		want bool
	}{
		{"settings", FrameHeader{Length: 18, Type: FrameSettings}, true},
		{"settings ack", FrameHeader{Type: FrameSettings, Flags: FlagAck}, true},
		{"settings ack with payload", FrameHeader{Length: 6, Type: FrameSettings, Flags: FlagAck}, false},
		{"settings on a stream", FrameHeader{Length: 6, Type: FrameSettings, StreamID: 1}, false},
		{"settings odd length", FrameHeader{Length: 7, Type: FrameSettings}, false},
		{"headers", FrameHeader{Length: 100, Type: FrameHeaders, StreamID: 1}, true},
		{"headers on stream 0", FrameHeader{Length: 100, Type: FrameHeaders}, false},
		{"data too long", FrameHeader{Length: DefaultMaxFrameLength + 1, Type: FrameData, StreamID: 1}, false},
		{"ping", FrameHeader{Length: 8, Type: FramePing}, true},
		{"ping short", FrameHeader{Length: 4, Type: FramePing}, false},
		{"window update on connection", FrameHeader{Length: 4, Type: FrameWindowUpdate}, true},
		{"window update on stream", FrameHeader{Length: 4, Type: FrameWindowUpdate, StreamID: 3}, true},
		{"rst", FrameHeader{Length: 4, Type: FrameRSTStream, StreamID: 3}, true},
		{"goaway", FrameHeader{Length: 8, Type: FrameGoAway}, true},
		{"unknown type", FrameHeader{Length: 4, Type: 0x20, StreamID: 3}, false},
	} {
		if got := tc.h.Plausible(); got != tc.want {
			t.Errorf("%s: Plausible() = %v", tc.name, got)
		}
	}
}

func TestLooksLike(t *testing.T) {
	start := append([]byte(Preface), frames(t, func(f *http2.Framer) {
		_ = f.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	})...)
	if !LooksLikePreface(start) || LooksLikePreface(start[:20]) || LooksLikePreface([]byte("GET / HTTP/1.1\r\n\r\n")) {
		t.Fatal("LooksLikePreface")
	}
	mid := frames(t, func(f *http2.Framer) {
		_ = f.WriteHeaders(http2.HeadersFrameParam{StreamID: 7, BlockFragment: []byte{0x88, 0xc0}, EndHeaders: true})
		_ = f.WriteData(7, false, bytes.Repeat([]byte{0}, 300))
		_ = f.WriteHeaders(http2.HeadersFrameParam{StreamID: 7, BlockFragment: []byte{0xc1}, EndStream: true, EndHeaders: true})
	})
	for _, tc := range []struct {
		name string
		data []byte
		n    int
		want bool
	}{
		{"whole", mid, len(mid), true},
		{"cut by the capture", mid[:64], len(mid), true},
		{"split by a read", mid[:100], 100, true},
		{"ping", frames(t, func(f *http2.Framer) { _ = f.WritePing(false, [8]byte{}) }), 17, true},
		{"http1", []byte("HTTP/1.1 200 OK\r\n\r\n"), 19, false},
		{"postgres query", []byte("Q\x00\x00\x00\x0dSELECT 1\x00"), 14, false},
		{"second header implausible", append(mid[:11:11], 0xff, 0xff, 0xff, 9, 0, 0, 0, 0, 1), 20, false},
		{"short", mid[:8], 8, false},
	} {
		if got := LooksLikeFrames(tc.data, tc.n); got != tc.want {
			t.Errorf("%s: LooksLikeFrames = %v", tc.name, got)
		}
	}
}

func FuzzLooksLikeFrames(f *testing.F) {
	f.Add([]byte(Preface), 24)
	f.Add([]byte{0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, 17)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if LooksLikeFrames(data, n) {
			h, ok := ParseFrameHeader(data)
			if !ok || !h.Plausible() || n < len(data) {
				t.Fatalf("%x (%d bytes) accepted", data, n)
			}
		}
		LooksLikePreface(data)
	})
}
