package stream

import (
	"bytes"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Peer writes the frames of one endpoint as golang.org/x/net/http2 does,
// with its own HPACK encoder, and hands out what was written since the last
// call.
type h2Peer struct {
	buf bytes.Buffer
	fr  *http2.Framer
	hb  bytes.Buffer
	enc *hpack.Encoder
}

func newH2Peer() *h2Peer {
	p := &h2Peer{}
	p.fr = http2.NewFramer(&p.buf, nil)
	p.enc = hpack.NewEncoder(&p.hb)
	return p
}

// take returns the bytes written since the last take.
func (p *h2Peer) take() string {
	s := p.buf.String()
	p.buf.Reset()
	return s
}

func (p *h2Peer) block(kv ...string) []byte {
	p.hb.Reset()
	for i := 0; i+1 < len(kv); i += 2 {
		_ = p.enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return bytes.Clone(p.hb.Bytes())
}

func (p *h2Peer) preface() *h2Peer {
	p.buf.WriteString(http2.ClientPreface)
	return p.settings()
}

func (p *h2Peer) settings() *h2Peer {
	_ = p.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	return p
}

// headers writes one HEADERS frame with the whole block.
func (p *h2Peer) headers(id uint32, end bool, kv ...string) *h2Peer {
	_ = p.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: p.block(kv...), EndStream: end, EndHeaders: true})
	return p
}

// split writes one block as a HEADERS frame (padded, with priority) and
// CONTINUATION frames of at most 5 bytes each.
func (p *h2Peer) split(id uint32, end bool, kv ...string) *h2Peer {
	b := p.block(kv...)
	first := min(5, len(b))
	_ = p.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: b[:first], EndStream: end, PadLength: 3,
		Priority: http2.PriorityParam{StreamDep: 0, Weight: 15}})
	for b = b[first:]; len(b) > 0; {
		n := min(5, len(b))
		_ = p.fr.WriteContinuation(id, n == len(b), b[:n])
		b = b[n:]
	}
	return p
}

func (p *h2Peer) data(id uint32, end bool, n int) *h2Peer {
	_ = p.fr.WriteData(id, end, bytes.Repeat([]byte{'x'}, n))
	return p
}

func (p *h2Peer) rst(id uint32, code http2.ErrCode) *h2Peer {
	_ = p.fr.WriteRSTStream(id, code)
	return p
}

// grpcReq is the request block grpc-go sends.
func grpcReq(method string) []string {
	return []string{":method", "POST", ":scheme", "http", ":path", "/" + method, ":authority", "127.0.0.1:50051",
		"content-type", "application/grpc", "user-agent", "grpc-go/1.85.0", "te", "trailers", "grpc-timeout", "999863u"}
}

var (
	grpcRespHead = []string{":status", "200", "content-type", "application/grpc"}
	grpcOK       = []string{"grpc-status", "0", "grpc-message", ""}
)

// h2Summary is the part of an HTTP/2 or gRPC call tests compare.
type h2Summary struct {
	protocol   string
	kind       string
	rpcMethod  string
	path       string
	status     int
	grpcStatus int // -1 when no status was seen
	start, end uint64
}
