package engine

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// The kernel names protocols by call.Protocol's ids (records carry them
// as they are), and takes the enabled ones as a set of those ids.
func TestKernelProtocolIDs(t *testing.T) {
	for kernel, user := range map[uint8]call.Protocol{
		tracer.ProtoUnknown: call.ProtocolUnknown, tracer.ProtoHTTP1: call.ProtocolHTTP1,
		tracer.ProtoHTTP2: call.ProtocolHTTP2, tracer.ProtoPostgres: call.ProtocolPostgres,
		tracer.ProtoMySQL: call.ProtocolMySQL, tracer.ProtoRedis: call.ProtocolRedis,
		tracer.ProtoMongoDB: call.ProtocolMongoDB, tracer.ProtoKafka: call.ProtocolKafka,
	} {
		if call.Protocol(kernel) != user {
			t.Errorf("kernel id %d is call.Protocol %s's id %d", kernel, user, user)
		}
	}
	p := stream.Protocols{GRPC: true, Redis: true}
	if got, want := tracer.Protocols(p.Mask()), tracer.ProtocolsOf(tracer.ProtoHTTP2, tracer.ProtoRedis); got != want {
		t.Errorf("gRPC and Redis enable kernel protocols %b, want %b (gRPC travels as HTTP/2)", got, want)
	}
}
