package http1

import "testing"

func TestLooksLike(t *testing.T) {
	tests := []struct {
		in            string
		request, resp bool
	}{
		{curlGet, true, false},
		{"OPTIONS * HTTP/1.1\r\n", true, false},
		{"GET http://x/ HTTP/1.1\r\n", true, false},
		{"PATCH /a", true, false},
		{"TRACE /", true, false},
		{"GET /", true, false},
		{"GET ", false, false},
		{"GET x HTTP/1.1", false, false},
		{"get / HTTP/1.1", false, false},
		{"GETS / HTTP/1.1", false, false},
		{"PRI * HTTP/2.0\r\n", false, false},
		{"CONNECT db:5432 HTTP/1.1", false, false}, // authority forms are not sniffed
		{nginxOK, false, true},
		{"HTTP/1.0 200", false, true},
		{"HTTP/1.1 20", false, false},
		{"HTTP/1.2 200 OK", false, false},
		{"HTTP/2 200", false, false},
		{"HTTP/1.1 2x0 OK", false, false},
		{"\x16\x03\x01\x02\x00", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		if got := LooksLikeRequest(b); got != tt.request {
			t.Errorf("LooksLikeRequest(%q) = %v", tt.in, got)
		}
		if got := LooksLikeResponse(b); got != tt.resp {
			t.Errorf("LooksLikeResponse(%q) = %v", tt.in, got)
		}
	}
}

func TestStartsRequestAndResponse(t *testing.T) {
	for _, tc := range []struct {
		in       string
		req, rsp bool
	}{
		{"G", true, false}, {"GE", true, false}, {"GET ", true, false}, {"OPTIONS ", true, false},
		{"GET /", false, false}, {"X", false, false}, {"", false, false}, {"get", false, false},
		{"H", true, true}, {"HTTP/1.", false, true}, {"HTTP/1.0 2", false, true}, {"HTTP/1.1 200", false, true},
		{"HTTP/2", false, false}, {"HTTP/1.1 20x", false, false}, {"HTTP/1.1 200 OK", false, false},
	} {
		if got := StartsRequest([]byte(tc.in)); got != tc.req {
			t.Errorf("StartsRequest(%q) = %v", tc.in, got)
		}
		if got := StartsResponse([]byte(tc.in)); got != tc.rsp {
			t.Errorf("StartsResponse(%q) = %v", tc.in, got)
		}
	}
}
