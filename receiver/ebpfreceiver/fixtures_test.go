package ebpfreceiver

import (
	"flag"
	"net/netip"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// testHost is the node the golden data was made on.
var testHost = hostInfo{name: testHostName, id: "2f1c6a9e0b7d4c3a8e5f6a7b8c9d0e1f"}

// update rewrites the golden files: go test ./receiver/ebpfreceiver -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	testHostName = "node-1"
	testVersion  = "v0.0.0-test"
	baseNs       = uint64(1_767_225_600_000_000_000) // 2026-01-01T00:00:00Z
	msNs         = uint64(1_000_000)
)

// pythonApp is a server that sets OTEL_SERVICE_NAME and resource attributes.
var pythonApp = &call.Process{
	PID:            4242,
	ParentPID:      1,
	StartTime:      123456,
	ExecutableName: "python3.11",
	ExecutablePath: "/usr/bin/python3.11",
	Command:        "python3",
	ServiceName:    "checkout",
	RuntimeName:    "python",
	ContainerID:    "0f1e2d3c4b5a",
	ResourceAttributes: map[string]string{
		"deployment.environment.name": "prod",
		"service.version":             "1.2.3",
	},
}

// goClient is a Go client without any OTEL_* variable.
var goClient = &call.Process{
	PID:            777,
	ParentPID:      4242,
	StartTime:      99,
	ExecutableName: "loadgen",
	ExecutablePath: "/opt/loadgen",
	Command:        "/opt/loadgen",
	ServiceName:    "loadgen",
	RuntimeName:    "go",
	// service.namespace from the rule that selected it
	ServiceNamespace: "tools",
}

func addrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// httpCall builds a call of p lasting ms milliseconds from startMs.
func httpCall(p *call.Process, kind call.Kind, startMs, ms uint64, h call.HTTP) *call.Call {
	c := &call.Call{
		Protocol: call.ProtocolHTTP1,
		Kind:     kind,
		Start:    baseNs + startMs*msNs,
		End:      baseNs + (startMs+ms)*msNs,
		Process:  p,
		HTTP:     h,
	}
	if p != nil {
		c.PID = p.PID
	}
	if kind == call.KindServer {
		c.Local, c.Peer = addrPort("10.0.0.2:8080"), addrPort("10.0.0.7:51234")
	} else {
		c.Local, c.Peer = addrPort("10.0.0.2:40000"), addrPort("10.0.0.9:9000")
	}
	return c
}

// callValues copies calls into the batch form the span converter takes.
func callValues(calls []*call.Call) []call.Call {
	out := make([]call.Call, len(calls))
	for i, c := range calls {
		out[i] = *c
	}
	return out
}

// goldenCalls covers the mapping rules of the output contract.
func goldenCalls() []*call.Call {
	noProcess := httpCall(nil, call.KindServer, 60, 1, call.HTTP{
		Method: "GET", Path: "/health", Version: "1.1", Status: 200, ResponseBodySize: 2,
	})
	noProcess.PID = 999
	mapped := httpCall(goClient, call.KindClient, 40, 3, call.HTTP{
		Method: "PURGE", Path: "/cache/item", Version: "1.1", Status: 200, ResponseBodySize: -1,
	})
	mapped.Peer = addrPort("[::ffff:127.0.0.1]:6081")
	return []*call.Call{
		httpCall(pythonApp, call.KindServer, 0, 12, call.HTTP{
			Method: "GET", Path: "/users/42", Route: "/users/{id}", Query: "q=REDACTED", Version: "1.1", Host: "api.example.com:8080",
			UserAgent: "curl/8.5.0", Status: 200, RequestBodySize: 0, ResponseBodySize: 42,
		}),
		httpCall(pythonApp, call.KindServer, 20, 300, call.HTTP{
			Method: "POST", Path: "/orders", Version: "1.1", Status: 503, RequestBodySize: 10, ResponseBodySize: 0,
		}),
		httpCall(goClient, call.KindClient, 30, 7, call.HTTP{
			Method: "GET", Path: "/users/7", Route: "/users/{id}", Version: "1.1", Host: "users", Status: 404, ResponseBodySize: 9,
		}),
		mapped,
		httpCall(pythonApp, call.KindServer, 50, 2, call.HTTP{
			Method: "get", Path: "/slow", Version: "1.0", Status: 0, ResponseBodySize: -1,
		}),
		noProcess,
		{Protocol: call.ProtocolUnknown, Kind: call.KindServer, PID: 4242, Process: pythonApp},
	}
}
