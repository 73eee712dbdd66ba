package http1

import (
	"errors"
	"testing"
)

// Response heads as real servers write them, written from protocol knowledge.
const (
	pythonOK = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nContent-type: text/html; charset=utf-8\r\n" +
		"Content-Length: 394\r\nLast-Modified: Sun, 23 Nov 2025 12:00:00 GMT\r\n\r\n"
	pythonNotFound = "HTTP/1.0 404 File not found\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nConnection: close\r\n" +
		"Content-Type: text/html;charset=utf-8\r\nContent-Length: 335\r\n\r\n"
	pythonBare = "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\n\r\n"
	nginxOK = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\n" +
		"Content-Type: text/html\r\nContent-Length: 615\r\nLast-Modified: Tue, 13 Jun 2023 15:08:10 GMT\r\n" +
		"Connection: keep-alive\r\nETag: \"6488865a-267\"\r\nAccept-Ranges: bytes\r\n\r\n"
	nginxNotModified = "HTTP/1.1 304 Not Modified\r\nServer: nginx/1.22.1\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nLast-Modified: Tue, 13 Jun 2023 15:08:10 GMT\r\n" +
		"Connection: keep-alive\r\nETag: \"6488865a-267\"\r\n\r\n"
	nginxChunked = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\n" +
		"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
	nginxBadGateway = "HTTP/1.1 502 Bad Gateway\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n" +
		"Content-Length: 157\r\nConnection: close\r\n\r\n"
	goHello = "HTTP/1.1 200 OK\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\nContent-Length: 12\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"
	goChunked = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
	goNoContent = "HTTP/1.1 204 No Content\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\n\r\n"
	continue100 = "HTTP/1.1 100 Continue\r\n\r\n"
	websocket   = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	tomcatNoReason = "HTTP/1.1 200 \r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n"
	noReasonNoSP   = "HTTP/1.1 503\r\ncontent-length: 0\r\n\r\n"
)

// responseCase is what ParseResponseHead must report for one input.
type responseCase struct {
	version       string
	status        int
	length        int64
	chunked       bool
	close         bool
	body, headRsp Body // for a GET, for a HEAD
	interim       bool
}

func TestParseResponseHead(t *testing.T) {
	tests := map[string]struct {
		in   string
		want responseCase
	}{
		"python OK":        {pythonOK, responseCase{"1.0", 200, 394, false, false, BodyLength, BodyNone, false}},
		"python 404":       {pythonNotFound, responseCase{"1.0", 404, 335, false, true, BodyLength, BodyNone, false}},
		"python bare":      {pythonBare, responseCase{"1.0", 200, -1, false, false, BodyUntilClose, BodyNone, false}},
		"nginx OK":         {nginxOK, responseCase{"1.1", 200, 615, false, false, BodyLength, BodyNone, false}},
		"nginx 304":        {nginxNotModified, responseCase{"1.1", 304, -1, false, false, BodyNone, BodyNone, false}},
		"nginx chunked":    {nginxChunked, responseCase{"1.1", 200, -1, true, false, BodyChunked, BodyNone, false}},
		"nginx 502":        {nginxBadGateway, responseCase{"1.1", 502, 157, false, true, BodyLength, BodyNone, false}},
		"go hello":         {goHello, responseCase{"1.1", 200, 12, false, false, BodyLength, BodyNone, false}},
		"go chunked":       {goChunked, responseCase{"1.1", 200, -1, true, false, BodyChunked, BodyNone, false}},
		"go 204":           {goNoContent, responseCase{"1.1", 204, -1, false, false, BodyNone, BodyNone, false}},
		"100 continue":     {continue100, responseCase{"1.1", 100, -1, false, false, BodyNone, BodyNone, true}},
		"101 websocket":    {websocket, responseCase{"1.1", 101, -1, false, false, BodyNone, BodyNone, false}},
		"tomcat no reason": {tomcatNoReason, responseCase{"1.1", 200, 2, false, false, BodyLength, BodyNone, false}},
		"no reason no SP":  {noReasonNoSP, responseCase{"1.1", 503, 0, false, false, BodyNone, BodyNone, false}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h, err := ParseResponseHead([]byte(tt.in + "<html>"))
			if err != nil {
				t.Fatalf("ParseResponseHead: %v", err)
			}
			if h.HeaderLen != len(tt.in) {
				t.Errorf("HeaderLen = %d, want %d", h.HeaderLen, len(tt.in))
			}
			got := responseCase{h.Version, h.Status, h.ContentLength, h.Chunked, h.Close,
				h.Body("GET"), h.Body("HEAD"), h.Interim()}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseResponseHeadTruncated(t *testing.T) {
	tests := map[string]struct {
		in      string
		status  int
		wantErr error
	}{
		"cut in fields":      {nginxOK[:100], 200, ErrIncomplete},
		"cut in reason":      {"HTTP/1.1 404 Not Fo", 404, ErrIncomplete},
		"cut in status":      {"HTTP/1.1 40", 0, ErrIncomplete},
		"cut in version":     {"HTTP/", 0, ErrIncomplete},
		"empty":              {"", 0, ErrIncomplete},
		"not HTTP":           {"SSH-2.0-OpenSSH_9.2\r\n", 0, ErrMalformed},
		"short garbage":      {"HTX", 0, ErrMalformed},
		"HTTP/2 status":      {"HTTP/2.0 200 OK\r\n\r\n", 0, ErrMalformed},
		"two digit status":   {"HTTP/1.1 20 OK\r\n\r\n", 0, ErrMalformed},
		"status below 100":   {"HTTP/1.1 099 Odd\r\n\r\n", 0, ErrMalformed},
		"bad content-length": {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, ErrMalformed},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h, err := ParseResponseHead([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if h.Status != tt.status || h.HeaderLen != 0 {
				t.Errorf("Status = %d HeaderLen = %d, want %d and 0", h.Status, h.HeaderLen, tt.status)
			}
		})
	}
}

func TestResponseSwitchesProtocol(t *testing.T) {
	tests := []struct {
		status int
		method string
		want   bool
	}{
		{101, "GET", true}, {200, "CONNECT", true}, {407, "CONNECT", false}, {200, "GET", false},
	}
	for _, tt := range tests {
		h := ResponseHead{Status: tt.status}
		if got := h.SwitchesProtocol(tt.method); got != tt.want {
			t.Errorf("%d to %s: SwitchesProtocol = %v, want %v", tt.status, tt.method, got, tt.want)
		}
	}
}

func TestParseResponseHeadAllocs(t *testing.T) {
	b := []byte(nginxOK)
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseResponseHead(b) }); n != 0 {
		t.Errorf("ParseResponseHead allocates %v times, want 0", n)
	}
}
