package http1

import (
	"bytes"
	"errors"
	"testing"
)

// aliases reports whether f is empty or lies inside b.
func aliases(b, f []byte) bool {
	if len(f) == 0 {
		return true
	}
	i := bytes.Index(b, f)
	for i >= 0 {
		if &b[i] == &f[0] {
			return true
		}
		j := bytes.Index(b[i+1:], f)
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// checkHeadError checks the error contract shared by both parsers.
func checkHeadError(t *testing.T, b []byte, headerLen int, err error) {
	t.Helper()
	if err != nil {
		if headerLen != 0 || (!errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrMalformed)) {
			t.Fatalf("%q: HeaderLen=%d err=%v", b, headerLen, err)
		}
		return
	}
	if headerLen <= 0 || headerLen > len(b) || b[headerLen-1] != '\n' {
		t.Fatalf("%q: HeaderLen=%d on success", b, headerLen)
	}
}

func FuzzParseRequestHead(f *testing.F) {
	for _, s := range []string{curlGet, curlPost, curlUpload, pythonRequests, goChunkedPost, wget10,
		proxyAbsolute, connectTunnel, optionsStar, nodeLower, bareLF, teAndCL, lengthList, customMethod,
		"GET /a HTTP/1.1\r", "", "GET", "POST /x HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseRequestHead(b)
		checkHeadError(t, b, h.HeaderLen, err)
		if h.ContentLength < -1 || !aliases(b, h.Host) || !aliases(b, h.UserAgent) ||
			!(aliases(b, h.Path) || string(h.Path) == "/") {
			t.Fatalf("%q: bad facts %+v", b, h)
		}
		if err != nil || len(b) > 512 {
			return
		}
		if h.Method == "" || h.Version == "" {
			t.Fatalf("%q: success without method or version", b)
		}
		for k := range h.HeaderLen { // every cut of a valid head is incomplete
			if _, err := ParseRequestHead(b[:k]); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("%q cut at %d: err=%v, want ErrIncomplete", b, k, err)
			}
		}
	})
}

func FuzzParseResponseHead(f *testing.F) {
	for _, s := range []string{pythonOK, pythonNotFound, pythonBare, nginxOK, nginxNotModified, nginxChunked,
		goHello, goChunked, goNoContent, continue100, websocket, tomcatNoReason, noReasonNoSP, "HTTP/1.1 20", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseResponseHead(b)
		checkHeadError(t, b, h.HeaderLen, err)
		if h.ContentLength < -1 || (h.Status != 0 && (h.Status < 100 || h.Status > 999)) {
			t.Fatalf("%q: bad facts %+v", b, h)
		}
		if err != nil || len(b) > 512 {
			return
		}
		if h.Version == "" || h.Status == 0 {
			t.Fatalf("%q: success without version or status", b)
		}
		for k := range h.HeaderLen {
			if _, err := ParseResponseHead(b[:k]); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("%q cut at %d: err=%v, want ErrIncomplete", b, k, err)
			}
		}
	})
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\nGET /"), uint16(4), uint8(8))
	f.Add(chunkedBody(f, "X-A: b\r\n", "abc", "defghijkl"), uint16(9), uint8(3))
	f.Add([]byte("3e8;x=y\r\n"), uint16(2), uint8(0))
	f.Add([]byte("0\n\n"), uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, body []byte, cut uint16, capture uint8) {
		var a ChunkWalker
		usedA, doneA, errA := a.Feed(body, len(body), nil)
		if usedA < 0 || usedA > len(body) || (!doneA && usedA != len(body)) {
			t.Fatalf("%q: used=%d done=%v", body, usedA, doneA)
		}
		checkSplit(t, body, int(cut)%(len(body)+1), usedA, doneA, errA)
		checkCaptured(t, body, int(capture), usedA, doneA, errA)
	})
}

// checkSplit feeds the body as two whole writes: without framing errors the
// walk must not depend on where the body was split.
func checkSplit(t *testing.T, body []byte, cut, usedA int, doneA bool, errA error) {
	var b ChunkWalker
	u1, d1, e1 := b.Feed(body[:cut], cut, nil)
	u2, d2, e2 := 0, d1, error(nil)
	if !d1 {
		u2, d2, e2 = b.Feed(body[cut:], len(body)-cut, nil)
	}
	if errA == nil && (e1 != nil || e2 != nil || d2 != doneA || u1+u2 != usedA) {
		t.Fatalf("%q cut %d: used=%d+%d done=%v err=%v,%v; whole used=%d done=%v",
			body, cut, u1, u2, d2, e1, e2, usedA, doneA)
	}
}

// checkCaptured feeds the body as one write of which only a prefix and the
// last 8 bytes were captured: an exact (non-fallback) result must agree with
// the whole walk.
func checkCaptured(t *testing.T, body []byte, capture, usedA int, doneA bool, errA error) {
	var c ChunkWalker
	tail := body[len(body)-min(8, len(body)):]
	u, d, _ := c.Feed(body[:min(capture, len(body))], len(body), tail)
	if u < 0 || u > len(body) {
		t.Fatalf("%q capture %d: used=%d", body, capture, u)
	}
	if errA == nil && !c.Fallback() && (u != usedA || d != doneA) {
		t.Fatalf("%q capture %d: used=%d done=%v; whole used=%d done=%v", body, capture, u, d, usedA, doneA)
	}
}
