package ebpfreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

// queueGoldenCalls covers queue time: HTTP and gRPC server calls that
// waited (two of one route, so their series is one), one whose wait is not
// known, and a client call, whose Queued means nothing and is ignored.
func queueGoldenCalls() []*call.Call {
	waited := func(c *call.Call, ms uint64) *call.Call {
		c.Queued = c.Start - ms*msNs
		return c
	}
	return []*call.Call{
		waited(httpCall(pythonApp, call.KindServer, 100, 20, call.HTTP{
			Method: "GET", Path: "/users/42", Route: "/users/{id}", Version: "1.1", Status: 200, ResponseBodySize: 2,
		}), 60),
		waited(httpCall(pythonApp, call.KindServer, 130, 20, call.HTTP{
			Method: "GET", Path: "/users/7", Route: "/users/{id}", Version: "1.1", Status: 500, ResponseBodySize: 2,
		}), 3),
		httpCall(pythonApp, call.KindServer, 160, 20, call.HTTP{
			Method: "GET", Path: "/users/9", Route: "/users/{id}", Version: "1.1", Status: 200, ResponseBodySize: 2,
		}),
		waited(grpcCall(pythonApp, call.KindServer, 200, 5, "helloworld.Greeter/SayHello", http2.StatusOK, true), 1),
		waited(httpCall(goClient, call.KindClient, 30, 7, call.HTTP{
			Method: "GET", Path: "/users/7", Version: "1.1", Host: "users", Status: 200, ResponseBodySize: 9,
		}), 2),
	}
}

func TestQueueTimeOnlyForServerCallsThatWaited(t *testing.T) {
	calls := queueGoldenCalls()
	td := newSpanConverter(testHost, testVersion).convert(callValues(calls))
	var events []int
	forEachSpan(td, func(s ptrace.Span) { events = append(events, s.Events().Len()) })
	assert.Equal(t, []int{2, 2, 0, 2, 0}, events)

	later := *calls[0]
	later.Queued = later.Start + 1 // a stamp after the read is not the request's
	assert.False(t, queued(&later))
	assert.Equal(t, later.Start, spanStart(&later))
}

// TestQueueSeriesHaveTheirOwnLimit: the queue time histogram keeps its
// own cardinality_limit attribute sets, as every histogram does, rather
// than sharing the duration histogram's.
func TestQueueSeriesHaveTheirOwnLimit(t *testing.T) {
	agg := newAggregator(false, baseNs)
	agg.limit = 2
	for i, route := range []string{"/a", "/b", "/c"} {
		c := httpCall(pythonApp, call.KindServer, uint64(10*i+5), 1, call.HTTP{Method: "GET", Path: route, Route: route, Version: "1.1", Status: 200})
		c.Queued = c.Start - msNs
		agg.record(c)
	}
	var duration, queue, overflow int
	for _, s := range agg.collect(baseNs + secNs) {
		switch {
		case s.key.overflow:
			overflow++
		case s.key.queue:
			queue++
		default:
			duration++
		}
	}
	assert.Equal(t, [3]int{2, 2, 2}, [3]int{duration, queue, overflow}, "two series of each histogram, and an overflow series each")
}
