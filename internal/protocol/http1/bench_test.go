package http1

import "testing"

func BenchmarkParseRequestHead(b *testing.B) {
	in := []byte(pythonRequests)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ParseRequestHead(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResponseHead(b *testing.B) {
	in := []byte(nginxOK)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ParseResponseHead(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLooksLike(b *testing.B) {
	req, resp := []byte(curlGet), []byte(nginxOK)
	b.ReportAllocs()
	for b.Loop() {
		if !LooksLikeRequest(req) || !LooksLikeResponse(resp) || LooksLikeRequest(resp) {
			b.Fatal("misclassified")
		}
	}
}

func BenchmarkChunkWalker(b *testing.B) {
	body := chunkedBody(b, "", "first chunk of data", "second chunk of data", "third")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var w ChunkWalker
		if _, done, _ := w.Feed(body, len(body), nil); !done {
			b.Fatal("body not ended")
		}
	}
}
