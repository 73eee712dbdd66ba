package http1

import (
	"bytes"
	"errors"
	"net/http/httputil"
	"strings"
	"testing"
)

// chunkedBody encodes parts the way net/http does, then ends the body with
// trailers (each "Name: value\r\n") and the final CRLF.
func chunkedBody(t testing.TB, trailers string, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := httputil.NewChunkedWriter(&buf)
	for _, p := range parts {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatalf("write chunk: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close chunked writer: %v", err)
	}
	buf.WriteString(trailers + "\r\n")
	return buf.Bytes()
}

// seg is one segment given to the walker: captured prefix, length, tail.
type seg struct {
	data string
	n    int
	tail string
}

// whole is a segment captured completely.
func whole(s string) seg { return seg{data: s, n: len(s)} }

// walk feeds segs and returns the total bytes used, whether the body ended,
// in which segment, and the first error.
func walk(segs []seg) (used int, done bool, at int, err error) {
	var w ChunkWalker
	for i, s := range segs {
		u, d, e := w.Feed([]byte(s.data), s.n, []byte(s.tail))
		used += u
		if err == nil {
			err = e
		}
		if d {
			return used, true, i, err
		}
	}
	return used, false, -1, err
}

func TestChunkWalkerWholeBodies(t *testing.T) {
	bodies := map[string]string{
		"one chunk":      string(chunkedBody(t, "", "hello world")),
		"many chunks":    string(chunkedBody(t, "", "a", strings.Repeat("b", 300), "c")),
		"empty":          string(chunkedBody(t, "")),
		"trailers":       string(chunkedBody(t, "X-Checksum: abc\r\nX-Other: 1\r\n", "data")),
		"extension":      "5;name=value\r\nhello\r\n0\r\n\r\n",
		"upper hex":      "A\r\n0123456789\r\n0\r\n\r\n",
		"bare LF":        "5\nhello\r\n0\n\n",
		"leading zeros":  "0005\r\nhello\r\n000\r\n\r\n",
		"size then tabs": "5\t \r\nhello\r\n0\r\n\r\n",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			used, done, _, err := walk([]seg{whole(body + "GET / HTTP/1.1\r\n")})
			if err != nil || !done || used != len(body) {
				t.Fatalf("whole: used=%d done=%v err=%v, want %d true nil", used, done, err, len(body))
			}
			for cut := 1; cut < len(body); cut++ { // every split in two writes
				used, done, at, err := walk([]seg{whole(body[:cut]), whole(body[cut:])})
				if err != nil || !done || at != 1 || used != len(body) {
					t.Fatalf("cut %d: used=%d done=%v at=%d err=%v", cut, used, done, at, err)
				}
			}
		})
	}
}

func TestChunkWalkerBeyondCapture(t *testing.T) {
	big := string(chunkedBody(t, "", strings.Repeat("x", 1000), strings.Repeat("y", 1000)))
	const capture = 64
	tests := map[string]struct {
		segs     []seg
		done     bool
		at       int
		fallback bool
	}{
		"tail shows last chunk": {[]seg{{big[:capture], len(big), big[len(big)-8:]}}, true, 0, true},
		"tail unknown then last chunk write": {
			[]seg{{big[:capture], len(big) - 5, ""}, whole("0\r\n\r\n")}, true, 1, true},
		"tail unknown, never ends": {[]seg{{big[:capture], len(big), ""}}, false, -1, true},
		"tail is chunk data ending in 10": {
			[]seg{{big[:capture], len(big), "x10\r\n\r\n"}}, false, -1, true},
		// A 1000-byte chunk skipped beyond capture, whose end lines up with the
		// end of the write: the next size line is read exactly.
		"data beyond capture, aligned": {
			[]seg{{"3e8\r\n" + strings.Repeat("x", capture-5), 1005 + 2, ""}, whole("0\r\n\r\n")}, true, 1, false},
		"sendfile inside a chunk": {
			[]seg{whole("3e8\r\n"), {"", 1000, ""}, whole("\r\n0\r\n\r\n")}, true, 2, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var w ChunkWalker
			done, at := false, -1
			for i, s := range tt.segs {
				_, d, _ := w.Feed([]byte(s.data), s.n, []byte(s.tail))
				if d {
					done, at = true, i
					break
				}
			}
			if done != tt.done || at != tt.at || w.Fallback() != tt.fallback {
				t.Errorf("done=%v at=%d fallback=%v, want %v %d %v", done, at, w.Fallback(), tt.done, tt.at, tt.fallback)
			}
		})
	}
}

func TestChunkWalkerMalformed(t *testing.T) {
	for _, body := range []string{"zz\r\n", "5\r\nhelloXX0\r\n\r\n", "\r\n", "5\rX", "0\r\n\rX"} {
		var w ChunkWalker
		used, done, err := w.Feed([]byte(body), len(body), nil)
		if !errors.Is(err, ErrMalformed) || used != len(body) || done || !w.Fallback() {
			t.Errorf("%q: used=%d done=%v err=%v fallback=%v", body, used, done, err, w.Fallback())
		}
	}
}

func TestChunkWalkerDoneAndReset(t *testing.T) {
	var w ChunkWalker
	if _, done, _ := w.Feed([]byte("0\r\n\r\n"), 5, nil); !done {
		t.Fatal("last chunk not seen")
	}
	if used, done, _ := w.Feed([]byte("more"), 4, nil); used != 0 || !done {
		t.Errorf("after end: used=%d done=%v, want 0 true", used, done)
	}
	w.Reset()
	if used, done, _ := w.Feed([]byte("2\r\nab"), 5, nil); used != 5 || done {
		t.Errorf("after Reset: used=%d done=%v, want 5 false", used, done)
	}
}

func TestChunkWalkerAllocs(t *testing.T) {
	body := chunkedBody(t, "", "hello", "world")
	n := testing.AllocsPerRun(100, func() {
		var w ChunkWalker
		_, _, _ = w.Feed(body, len(body), nil)
	})
	if n != 0 {
		t.Errorf("Feed allocates %v times, want 0", n)
	}
}
