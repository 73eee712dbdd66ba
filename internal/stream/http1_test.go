package stream

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

const server, client = call.KindServer, call.KindClient

func TestHTTP1KeepAlive(t *testing.T) {
	h := newHarness(t, RoleServer)
	var want []summary
	for i := range 5 {
		path := fmt.Sprintf("/items/%d", i)
		start := h.send(Ingress, get(path))
		end := h.send(Egress, goHello)
		want = append(want, summary{server, "GET", path, 200, start, end, 0, 12})
	}
	h.expect(want...)
	c := h.calls[0]
	if c.Protocol != call.ProtocolHTTP1 || c.PID != testPID || c.Local != testLocal || c.Peer != testPeer ||
		c.HTTP.Version != "1.1" || c.HTTP.Host != "localhost:8080" || c.HTTP.UserAgent != "curl/7.88.1" || c.HTTP.Query != "" {
		t.Errorf("call fields: %+v", c)
	}
	h.close()
	h.expectStats(0, 0, 0, 0)
}

func TestHTTP1QueryAndVersion(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.send(Ingress, curlGet)
	h.send(Egress, strings.Replace(goHello, "HTTP/1.1", "HTTP/1.0", 1))
	if c := h.calls[0].HTTP; c.Path != "/api/users" || c.Query != "id=REDACTED" || c.Version != "1.1" {
		t.Errorf("HTTP = %+v", c)
	}
}

func TestHTTP1Pipelined(t *testing.T) {
	h := newHarness(t, RoleServer)
	t1 := h.send(Ingress, get("/a")+get("/b")+get("/c"))
	t2 := h.send(Egress, goHello+goNotFound)
	t3 := h.send(Egress, goHello)
	h.expect(
		summary{server, "GET", "/a", 200, t1, t2, 0, 12},
		summary{server, "GET", "/b", 404, t1, t2, 0, 19},
		summary{server, "GET", "/c", 200, t1, t3, 0, 12},
	)
}

func TestHTTP1PipelinedPOSTBodies(t *testing.T) {
	h := newHarness(t, RoleClient)
	post := "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd"
	t1 := h.send(Egress, post+"\r\n"+post) // a stray CRLF between requests is tolerated
	t2 := h.send(Ingress, goHello+goHello)
	h.expect(summary{client, "POST", "/p", 200, t1, t2, 4, 12}, summary{client, "POST", "/p", 200, t1, t2, 4, 12})
	h.expectStats(1, 0, 0, 0)
}

func TestHTTP1ChunkedResponseManyWrites(t *testing.T) {
	h := newHarness(t, RoleServer)
	start := h.send(Ingress, get("/stream"))
	body := []string{"5\r\nhello\r\n", "6\r\n world\r\n", "1a\r\n" + strings.Repeat("z", 26) + "\r\n", "0\r\n\r\n"}
	h.send(Egress, goChunkedHead)
	size := 0
	var end uint64
	for _, w := range body {
		end = h.send(Egress, w)
		size += len(w)
	}
	h.expect(summary{server, "GET", "/stream", 200, start, end, 0, int64(size)})
}

func TestHTTP1ChunkedBeyondCapture(t *testing.T) {
	big := "1000\r\n" + strings.Repeat("x", 4096) + "\r\n" + "800\r\n" + strings.Repeat("y", 2048) + "\r\n"
	t.Run("tail shows the last chunk", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		start := h.send(Ingress, get("/big"))
		end := h.cut(Egress, goChunkedHead+big+"0\r\n\r\n", 256)
		h.expect(summary{server, "GET", "/big", 200, start, end, 0, int64(len(big) + 5)})
	})
	t.Run("no tail, last chunk written alone", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		start := h.send(Ingress, get("/big"))
		h.feed(&Segment{Dir: Egress, Len: uint32(len(goChunkedHead + big)), Data: []byte(goChunkedHead + big[:100])})
		h.expect()
		end := h.send(Egress, "0\r\n\r\n")
		h.expect(summary{server, "GET", "/big", 200, start, end, 0, int64(len(big) + 5)})
	})
	t.Run("never seen, ends at next response", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		s1 := h.send(Ingress, get("/big"))
		e1 := h.feed(&Segment{Dir: Egress, Len: uint32(len(goChunkedHead + big + "0\r\n\r\n")), Data: []byte(goChunkedHead)})
		s2 := h.send(Ingress, get("/next"))
		e2 := h.send(Egress, goHello)
		h.expect(summary{server, "GET", "/big", 200, s1, e1, 0, int64(len(big) + 5)},
			summary{server, "GET", "/next", 200, s2, e2, 0, 12})
	})
}

func TestHTTP1ContentLengthBeyondCapture(t *testing.T) {
	h := newHarness(t, RoleClient)
	upload := "POST /upload HTTP/1.1\r\nHost: store:9000\r\nUser-Agent: Go-http-client/1.1\r\n" +
		"Content-Length: 10000\r\nContent-Type: application/octet-stream\r\n\r\n" + strings.Repeat("u", 10000)
	download := "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n" + strings.Repeat("d", 20000)
	s1 := h.cut(Egress, upload, 160) // the head fits, the body does not
	e1 := h.cut(Ingress, download, 128)
	s2 := h.cut(Egress, get("/second"), 128)
	e2 := h.send(Ingress, goNotFound)
	h.expect(summary{client, "POST", "/upload", 200, s1, e1, 10000, 20000},
		summary{client, "GET", "/second", 404, s2, e2, 0, 19})
	h.expectStats(1, 0, 0, 0)
}

func TestHTTP1ResponseSplitOverWrites(t *testing.T) {
	resp := nginxHead + strings.Repeat("<p>", 205)
	t.Run("head, then body in two writes", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		start := h.send(Ingress, get("/"))
		h.send(Egress, nginxHead)
		h.send(Egress, resp[len(nginxHead):len(nginxHead)+300])
		h.expect()
		end := h.send(Egress, resp[len(nginxHead)+300:])
		h.expect(summary{server, "GET", "/", 200, start, end, 0, 615})
	})
	t.Run("head itself split: joined with the next write", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		s1 := h.send(Ingress, get("/"))
		h.send(Egress, resp[:40])
		e1 := h.send(Egress, resp[40:])
		s2 := h.send(Ingress, get("/2"))
		e2 := h.send(Egress, goHello)
		h.expect(summary{server, "GET", "/", 200, s1, e1, 0, 615}, summary{server, "GET", "/2", 200, s2, e2, 0, 12})
	})
}

func TestHTTP1RequestSplitByReadAhead(t *testing.T) {
	// A Go server reads one byte ahead while a handler runs: the next
	// request arrives as "G" then "ET /2 ...".
	h := newHarness(t, RoleServer)
	s1 := h.send(Ingress, get("/1"))
	e1 := h.send(Egress, goHello)
	req := get("/2")
	s2 := h.send(Ingress, req[:1])
	h.send(Ingress, req[1:])
	e2 := h.send(Egress, goHello)
	h.expect(summary{server, "GET", "/1", 200, s1, e1, 0, 12}, summary{server, "GET", "/2", 200, s2, e2, 0, 12})
}

func TestHTTP1SendfileBody(t *testing.T) {
	h := newHarness(t, RoleServer)
	start := h.send(Ingress, get("/index.html"))
	h.send(Egress, nginxHead)
	end := h.sendfile(Egress, 615)
	s2 := h.send(Ingress, get("/again"))
	h.send(Egress, nginxHead)
	e2 := h.sendfile(Egress, 615)
	h.expect(summary{server, "GET", "/index.html", 200, start, end, 0, 615},
		summary{server, "GET", "/again", 200, s2, e2, 0, 615})
}

func TestHTTP1NoBodyResponses(t *testing.T) {
	h := newHarness(t, RoleServer)
	s1 := h.send(Ingress, strings.Replace(get("/index.html"), "GET", "HEAD", 1))
	e1 := h.send(Egress, nginxHead) // Content-Length: 615 but no body after HEAD
	s2 := h.send(Ingress, get("/gone"))
	e2 := h.send(Egress, "HTTP/1.1 204 No Content\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\n\r\n")
	s3 := h.send(Ingress, get("/cached"))
	e3 := h.send(Egress, "HTTP/1.1 304 Not Modified\r\nServer: nginx/1.22.1\r\nETag: \"x\"\r\n\r\n")
	h.expect(summary{server, "HEAD", "/index.html", 200, s1, e1, 0, 0},
		summary{server, "GET", "/gone", 204, s2, e2, 0, 0},
		summary{server, "GET", "/cached", 304, s3, e3, 0, 0})
	h.expectStats(1, 0, 0, 0)
}

func TestHTTP1ExpectContinue(t *testing.T) {
	h := newHarness(t, RoleClient)
	start := h.send(Egress, "PUT /blob HTTP/1.1\r\nHost: s3\r\nUser-Agent: curl/7.88.1\r\n"+
		"Content-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
	h.send(Ingress, "HTTP/1.1 100 Continue\r\n\r\n")
	h.expect()
	for range 2 {
		h.sendfile(Egress, 1000000)
	}
	end := h.send(Ingress, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
	h.expect(summary{client, "PUT", "/blob", 201, start, end, 2000000, 0})
}

func TestHTTP1ResponseUntilClose(t *testing.T) {
	h := newHarness(t, RoleServer)
	start := h.send(Ingress, "GET /report HTTP/1.0\r\nHost: py\r\n\r\n")
	h.send(Egress, pythonBareHead)
	h.send(Egress, "line one\n")
	end := h.send(Egress, "line two\n")
	h.expect()
	h.close()
	h.expect(summary{server, "GET", "/report", 200, start, end, 0, 18})
	h.expectStats(0, 0, 0, 0)
}

func TestHTTP1RoleInference(t *testing.T) {
	t.Run("request read: server", func(t *testing.T) {
		h := newHarness(t, RoleUnknown)
		start := h.send(Ingress, get("/in"))
		end := h.send(Egress, goHello)
		h.expect(summary{server, "GET", "/in", 200, start, end, 0, 12})
	})
	t.Run("request written: client", func(t *testing.T) {
		h := newHarness(t, RoleUnknown)
		start := h.send(Egress, get("/out"))
		end := h.send(Ingress, goHello)
		h.expect(summary{client, "GET", "/out", 200, start, end, 0, 12})
	})
	t.Run("joined mid-response: server", func(t *testing.T) {
		h := newHarness(t, RoleUnknown)
		h.send(Egress, "tail of an earlier body")
		h.send(Egress, goHello) // answers a request read before capture
		start := h.send(Ingress, get("/next"))
		end := h.send(Egress, goHello)
		h.expect(summary{server, "GET", "/next", 200, start, end, 0, 12})
	})
	t.Run("response read: client", func(t *testing.T) {
		h := newHarness(t, RoleUnknown)
		h.send(Ingress, goNotFound)
		start := h.send(Egress, get("/x"))
		end := h.send(Ingress, goHello)
		h.expect(summary{client, "GET", "/x", 200, start, end, 0, 12})
	})
}

func TestHTTP1RequestHeadTruncated(t *testing.T) {
	h := newHarness(t, RoleServer)
	head := "GET /dashboard?tab=2 HTTP/1.1\r\nHost: app\r\nCookie: " + strings.Repeat("c", 3000) + "\r\n\r\n"
	s1 := h.cut(Ingress, head, 64)
	e1 := h.send(Egress, goHello)
	s2 := h.send(Ingress, get("/after"))
	e2 := h.send(Egress, goHello)
	h.expect(summary{server, "GET", "/dashboard", 200, s1, e1, -1, 12},
		summary{server, "GET", "/after", 200, s2, e2, 0, 12})
	if h.calls[0].HTTP.Query != "tab=REDACTED" || h.calls[0].HTTP.Host != "app" {
		t.Errorf("HTTP = %+v", h.calls[0].HTTP)
	}
	t.Run("cut inside the path", func(t *testing.T) {
		h := newHarness(t, RoleServer)
		s := h.cut(Ingress, "GET /"+strings.Repeat("p", 200)+" HTTP/1.1\r\n\r\n", 20)
		e := h.send(Egress, goHello)
		h.expect(summary{server, "GET", "/" + strings.Repeat("p", 15), 200, s, e, -1, 12})
	})
}

func TestHTTP1ResponseHeadTruncated(t *testing.T) {
	h := newHarness(t, RoleClient)
	s1 := h.send(Egress, get("/cookies"))
	big := "HTTP/1.1 200 OK\r\nSet-Cookie: " + strings.Repeat("k", 2000) + "\r\nContent-Length: 3\r\n\r\nabc"
	e1 := h.cut(Ingress, big, 64)
	s2 := h.send(Egress, get("/next"))
	h.expect()
	e2 := h.send(Ingress, goHello)
	h.expect(summary{client, "GET", "/cookies", 200, s1, e1, 0, -1},
		summary{client, "GET", "/next", 200, s2, e2, 0, 12})
}

func TestHTTP1Upgrade(t *testing.T) {
	h := newHarness(t, RoleServer)
	start := h.send(Ingress, "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	end := h.send(Egress, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello")
	h.send(Ingress, get("/inside-the-websocket"))
	h.send(Egress, goHello)
	h.expect(summary{server, "GET", "/ws", 101, start, end, 0, 0})
	h.expectStats(1, 0, 0, 0)
}

func TestHTTP1DesyncRecovers(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.send(Ingress, get("/a")+"\x00\x01garbage")
	h.send(Egress, goHello)
	h.send(Ingress, "more garbage")
	s := h.send(Ingress, get("/b"))
	e := h.send(Egress, goHello)
	if len(h.calls) != 2 || summarize(h.calls[1]) != (summary{server, "GET", "/b", 200, s, e, 0, 12}) {
		t.Fatalf("calls %v", h.calls)
	}
	h.expectStats(1, 1, 0, 0)
}

func TestHTTP1MalformedContentLength(t *testing.T) {
	h := newHarness(t, RoleServer)
	s1 := h.send(Ingress, "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\nbody")
	e1 := h.send(Egress, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	h.expect(summary{server, "POST", "/x", 400, s1, e1, -1, 0})
	h.expectStats(1, 0, 1, 0)
}

func TestHTTP1MaxPending(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.tr = NewTracker(Config{MaxPending: 4}, func(c *call.Call) { h.calls = append(h.calls, c) })
	for i := range 6 {
		h.send(Egress, get(fmt.Sprintf("/%d", i)))
	}
	h.send(Ingress, goHello)
	if len(h.calls) != 1 || h.calls[0].HTTP.Path != "/2" {
		t.Fatalf("calls %v", h.calls)
	}
	h.close()
	h.expectStats(0, 0, 0, 2+3)
}

func TestHTTP1StartNotAfterEnd(t *testing.T) {
	tr := NewTracker(Config{}, func(c *call.Call) {
		if c.Start > c.End {
			t.Errorf("Start %d > End %d", c.Start, c.End)
		}
	})
	tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: 1, Dir: Ingress, Role: RoleServer, Time: 500, Len: uint32(len(curlGet)), Data: []byte(curlGet)})
	tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: 1, Dir: Egress, Role: RoleServer, Time: 400, Len: uint32(len(goHello)), Data: []byte(goHello)})
	if s := tr.Stats(); s.CallsEmitted != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestHTTP1SegmentsLostInTheKernel: the kernel dropped the response of the
// first request; the next segment says so, the request is dropped and
// counted, and the connection is decoded again from the next request.
func TestHTTP1SegmentsLostInTheKernel(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.send(Ingress, get("/lost"))
	// The response to /lost never arrived: the next request carries the
	// count of segments dropped before it.
	h.now += 1000
	s2 := h.feed(&Segment{Dir: Ingress, Len: uint32(len(get("/next"))), Data: []byte(get("/next")), Lost: 1})
	e2 := h.send(Egress, goHello)
	h.expect(summary{server, "GET", "/next", 200, s2, e2, 0, 12})
	if s := h.tr.Stats(); s.PendingDropped != 1 || s.Restarts != 1 {
		t.Fatalf("stats %+v: want the lost request dropped and counted, one restart", s)
	}
}

// TestHTTP1LossBeforeAReadAheadByte: a Go server reads the first byte of
// the next request on its own; when segments were lost just before it, the
// restarted session still joins that byte with the rest of the request.
func TestHTTP1LossBeforeAReadAheadByte(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.send(Ingress, get("/a")) // its response is lost
	req := get("/b")
	h.now += 1000
	s2 := h.feed(&Segment{Dir: Ingress, Len: 1, Data: []byte(req[:1]), Lost: 1})
	h.send(Ingress, req[1:])
	e2 := h.send(Egress, goHello)
	h.expect(summary{server, "GET", "/b", 200, s2, e2, 0, 12})
	if s := h.tr.Stats(); s.PendingDropped != 1 {
		t.Fatalf("stats %+v: want /a dropped and counted", s)
	}
}
