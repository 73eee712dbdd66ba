package http1

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Request heads as real clients send them, written from protocol knowledge.
const (
	curlGet = "GET /api/users?id=7 HTTP/1.1\r\nHost: localhost:8080\r\n" +
		"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
	curlPost = "POST /api/items HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\n" +
		"Accept: */*\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
	curlUpload = "PUT /upload/big.bin HTTP/1.1\r\nHost: 10.0.0.5:9000\r\nUser-Agent: curl/7.88.1\r\n" +
		"Accept: */*\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n"
	pythonRequests = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: python-requests/2.31.0\r\n" +
		"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"
	goChunkedPost = "POST /ingest HTTP/1.1\r\nHost: svc:9000\r\nUser-Agent: Go-http-client/1.1\r\n" +
		"Transfer-Encoding: chunked\r\nAccept-Encoding: gzip\r\n\r\n"
	wget10 = "GET /file.tar.gz HTTP/1.0\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n" +
		"Accept-Encoding: identity\r\nHost: mirror.local\r\nConnection: close\r\n\r\n"
	proxyAbsolute = "GET http://example.com:8080?x=1 HTTP/1.1\r\nHost: ignored.example\r\n" +
		"User-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n"
	connectTunnel = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n" +
		"User-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n"
	optionsStar = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"
	nodeLower   = "DELETE /items/3 HTTP/1.1\r\nhost: api:3000\r\nuser-agent: node\r\n" +
		"content-length: 0\r\nconnection: Close\r\n\r\n"
	bareLF       = "GET /lf HTTP/1.1\nHost: lf\n\n"
	teAndCL      = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	lengthList   = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n"
	teGzipOnly   = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"
	customMethod = "PROPFIND /dav/ HTTP/1.1\r\nHost: dav\r\nDepth: 1\r\n\r\n"
)

// requestCase is what ParseRequestHead must report for one input, with
// byte fields written as strings.
type requestCase struct {
	method, path, version, host, ua string
	query                           string
	chunked, close, expect          bool
	length                          int64
	body                            Body
}

func TestParseRequestHead(t *testing.T) {
	tests := map[string]struct {
		in   string
		want requestCase
	}{
		"curl GET":        {curlGet, requestCase{method: "GET", path: "/api/users", version: "1.1", host: "localhost:8080", ua: "curl/7.88.1", query: "id=7", length: -1}},
		"curl POST":       {curlPost, requestCase{method: "POST", path: "/api/items", version: "1.1", host: "example.com", ua: "curl/8.5.0", length: 12, body: BodyLength}},
		"curl upload":     {curlUpload, requestCase{method: "PUT", path: "/upload/big.bin", version: "1.1", host: "10.0.0.5:9000", ua: "curl/7.88.1", length: 2000000, expect: true, body: BodyLength}},
		"python requests": {pythonRequests, requestCase{method: "GET", path: "/", version: "1.1", host: "127.0.0.1:8000", ua: "python-requests/2.31.0", length: -1}},
		"go chunked":      {goChunkedPost, requestCase{method: "POST", path: "/ingest", version: "1.1", host: "svc:9000", ua: "Go-http-client/1.1", length: -1, chunked: true, body: BodyChunked}},
		"wget 1.0":        {wget10, requestCase{method: "GET", path: "/file.tar.gz", version: "1.0", host: "mirror.local", ua: "Wget/1.21.3", length: -1, close: true}},
		"absolute form":   {proxyAbsolute, requestCase{method: "GET", path: "/", version: "1.1", host: "example.com:8080", ua: "curl/8.5.0", query: "x=1", length: -1}},
		"connect":         {connectTunnel, requestCase{method: "CONNECT", version: "1.1", host: "example.com:443", ua: "curl/8.5.0", length: -1}},
		"options star":    {optionsStar, requestCase{method: "OPTIONS", path: "*", version: "1.1", host: "h", length: -1}},
		"lower case":      {nodeLower, requestCase{method: "DELETE", path: "/items/3", version: "1.1", host: "api:3000", ua: "node", length: 0, close: true}},
		"bare LF":         {bareLF, requestCase{method: "GET", path: "/lf", version: "1.1", host: "lf", length: -1}},
		"TE over CL":      {teAndCL, requestCase{method: "POST", path: "/x", version: "1.1", host: "h", length: -1, chunked: true, body: BodyChunked}},
		"length list":     {lengthList, requestCase{method: "POST", path: "/x", version: "1.1", host: "h", length: 7, body: BodyLength}},
		"TE not chunked":  {teGzipOnly, requestCase{method: "POST", path: "/x", version: "1.1", host: "h", length: -1, body: BodyUntilClose}},
		"custom method":   {customMethod, requestCase{method: "PROPFIND", path: "/dav/", version: "1.1", host: "dav", length: -1}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := tt.in + "body after head"
			h, err := ParseRequestHead([]byte(in))
			if err != nil {
				t.Fatalf("ParseRequestHead: %v", err)
			}
			if h.HeaderLen != len(tt.in) {
				t.Errorf("HeaderLen = %d, want %d", h.HeaderLen, len(tt.in))
			}
			if got := requestFacts(&h); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func requestFacts(h *RequestHead) requestCase {
	return requestCase{
		method: h.Method, path: string(h.Path), version: h.Version, host: string(h.Host),
		ua: string(h.UserAgent), query: string(h.Query), chunked: h.Chunked, close: h.Close,
		expect: h.ExpectContinue, length: h.ContentLength, body: h.Body(),
	}
}

// TestParseRequestHeadAgreesWithNetHTTP cross-checks the realistic heads
// that net/http accepts against its own parser.
func TestParseRequestHeadAgreesWithNetHTTP(t *testing.T) {
	for _, in := range []string{curlGet, curlPost, curlUpload, pythonRequests, goChunkedPost, wget10, nodeLower} {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			t.Fatalf("net/http rejects %q: %v", in, err)
		}
		h, err := ParseRequestHead([]byte(in))
		if err != nil {
			t.Fatalf("ParseRequestHead(%q): %v", in, err)
		}
		// net/http reports 0 for a request without length, -1 for chunked.
		cl := max(h.ContentLength, 0)
		if h.Chunked {
			cl = -1
		}
		if h.Method != req.Method || string(h.Path) != req.URL.Path || string(h.Host) != req.Host ||
			string(h.UserAgent) != req.UserAgent() || cl != req.ContentLength || h.Close != req.Close {
			t.Errorf("%q: got %+v, net/http %s %s host=%s cl=%d close=%v", in, requestFacts(&h),
				req.Method, req.URL.Path, req.Host, req.ContentLength, req.Close)
		}
	}
}

func TestParseRequestHeadTruncated(t *testing.T) {
	tests := map[string]struct {
		in         string
		want       requestCase
		wantErr    error
		headerLenZ bool
	}{
		"cut in headers":     {curlGet[:60], requestCase{method: "GET", path: "/api/users", version: "1.1", host: "localhost:8080", query: "id=7", length: -1}, ErrIncomplete, true},
		"cut in path":        {"GET /very/long/pa", requestCase{method: "GET", path: "/very/long/pa", length: -1}, ErrIncomplete, true},
		"cut in query":       {"POST /search?q=abc", requestCase{method: "POST", path: "/search", query: "q=abc", length: -1}, ErrIncomplete, true},
		"cut before LF":      {"GET /a HTTP/1.1\r", requestCase{method: "GET", path: "/a", version: "1.1", length: -1}, ErrIncomplete, true},
		"cut in method":      {"DELE", requestCase{length: -1}, ErrIncomplete, true},
		"cut before blank":   {"GET / HTTP/1.1\r\nHost: h\r\n", requestCase{method: "GET", path: "/", version: "1.1", host: "h", length: -1}, ErrIncomplete, true},
		"bad content-length": {"POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n", requestCase{method: "POST", path: "/", version: "1.1", length: -1}, ErrMalformed, true},
		"conflicting length": {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", requestCase{method: "POST", path: "/", version: "1.1", length: 1, body: BodyLength}, ErrMalformed, true},
		"HTTP/0.9":           {"GET /\r\n\r\n", requestCase{length: -1}, ErrMalformed, true},
		"HTTP/2 preface":     {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", requestCase{method: "PRI", path: "*", length: -1}, ErrMalformed, true},
		"space in method":    {" GET / HTTP/1.1\r\n\r\n", requestCase{length: -1}, ErrMalformed, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h, err := ParseRequestHead([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if h.HeaderLen != 0 {
				t.Errorf("HeaderLen = %d, want 0", h.HeaderLen)
			}
			if got := requestFacts(&h); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseRequestHeadAliasesInput(t *testing.T) {
	b := []byte(curlGet)
	h, err := ParseRequestHead(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range [][]byte{h.Path, h.Host, h.UserAgent} {
		if i := bytes.Index(b, f); i < 0 || &b[i] != &f[0] {
			t.Errorf("%q does not alias the input", f)
		}
	}
}

func TestParseRequestHeadAllocs(t *testing.T) {
	b := []byte(pythonRequests)
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseRequestHead(b) }); n != 0 {
		t.Errorf("ParseRequestHead allocates %v times, want 0", n)
	}
}
