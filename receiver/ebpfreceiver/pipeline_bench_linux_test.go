//go:build linux

package ebpfreceiver

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
)

// Messages as wrk and a Go net/http server exchange them.
const (
	wrkRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
	goResponse = "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 13:00:00 GMT\r\nContent-Length: 2\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nok"
	pipelineConns = 50
	// pipelineBacklog is how many calls the feeder may be ahead of the span
	// sink: less than the batcher's queue, so nothing is dropped.
	pipelineBacklog = 2048
)

// BenchmarkPipeline measures the user-space path of one call without the
// kernel: a wrk request and a Go server's response through a tracker that
// lends its calls, then the receiver's emit, span batcher and aggregator, to
// nop sinks, with the pipelines' goroutines running. µs-cpu/call is this
// process's CPU (every goroutine, GC included) per call; ns/op is wall time
// on the feeding goroutine only, which waits for the span sink to keep up.
func BenchmarkPipeline(b *testing.B) {
	for _, v := range []loadVariant{
		{name: "traces_metrics", traces: true, metrics: true},
		{name: "metrics", metrics: true},
		{name: "traces", traces: true},
	} {
		b.Run(v.name, func(b *testing.B) { benchPipeline(b, v) })
	}
}

func benchPipeline(b *testing.B, v loadVariant) {
	sink := &countingSink{}
	engines := &fakeEngines{}
	f := engines.factory()
	_, stop := startPipelines(b, f, f.CreateDefaultConfig().(*Config), v, sink)
	emit := engines.captures()[0].emit
	proc := &call.Process{PID: 4242, ExecutableName: "httpserver", ExecutablePath: "/tmp/httpserver", ServiceName: "httpserver", RuntimeName: "go"}
	tr := stream.NewTracker(stream.Config{LendCalls: true}, func(c *call.Call) {
		c.Process = proc // as the engine's deliver does
		emit(c)
	})
	req, resp := pipelineSegments()
	b.ReportAllocs()
	before := processCPU()
	for i := 0; b.Loop(); i++ {
		conn := uint64(i % pipelineConns)
		req.ConnID, resp.ConnID = conn, conn
		req.Time, resp.Time = uint64(2*i), uint64(2*i+1)
		tr.Segment(&req)
		tr.Segment(&resp)
		if v.traces && i%256 == 0 {
			sink.waitSpans(int64(i) - pipelineBacklog)
		}
	}
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	cpu := processCPU().total() - before.total()
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "µs-cpu/call")
	if v.traces {
		b.ReportMetric(float64(sink.spans.Load())/float64(b.N), "spans/call")
	}
}

// pipelineSegments returns a request and a response segment of a server
// connection.
func pipelineSegments() (req, resp stream.Segment) {
	local, peer := netip.MustParseAddrPort("127.0.0.1:8080"), netip.MustParseAddrPort("127.0.0.1:51234")
	seg := func(dir stream.Direction, data string) stream.Segment {
		return stream.Segment{Protocol: call.ProtocolHTTP1, PID: 4242, Dir: dir, Role: stream.RoleServer, Len: uint32(len(data)), Data: []byte(data), Local: local, Peer: peer}
	}
	return seg(stream.Ingress, wrkRequest), seg(stream.Egress, goResponse)
}

// waitSpans sleeps until at least n spans were consumed.
func (s *countingSink) waitSpans(n int64) {
	for s.spans.Load() < n {
		time.Sleep(50 * time.Microsecond)
	}
}
