// Package call defines the domain values that travel from the capture engine
// to the telemetry adapter: one Call per request/response exchange seen on a
// connection, and the Process that made it. Nothing here knows of the kernel
// or of the collector API.
package call

import (
	"net/netip"

	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// Protocol is the application protocol a call was decoded from.
type Protocol uint8

// Protocols known to the decoders.
const (
	ProtocolUnknown Protocol = iota
	ProtocolHTTP1
	ProtocolHTTP2    // HTTP/2 without gRPC
	ProtocolGRPC     // gRPC over HTTP/2
	ProtocolPostgres // PostgreSQL frontend/backend protocol
	ProtocolMySQL    // MySQL / MariaDB client/server protocol
	ProtocolRedis    // Redis serialization protocol, RESP2 and RESP3
	ProtocolMongoDB  // MongoDB wire protocol
	ProtocolKafka    // Apache Kafka protocol
)

// Family is the kind of exchange a protocol carries, the group of the
// semantic conventions its calls are exported by: it chooses a call's
// attributes, span and metric, so a new protocol of a known family needs
// no new mapping.
type Family uint8

// Families of protocols.
const (
	FamilyNone      Family = iota // not exported
	FamilyHTTP                    // HTTP fields: http.* attributes and metrics
	FamilyRPC                     // RPC fields over an HTTP transport: rpc.*
	FamilyDB                      // DB fields: db.* attributes and metrics
	FamilyMessaging               // Messaging fields: messaging.* attributes and metrics
)

// protocols describe each protocol: its short name and its family.
var protocols = [...]struct {
	name   string
	family Family
}{
	ProtocolUnknown:  {"unknown", FamilyNone},
	ProtocolHTTP1:    {"http1", FamilyHTTP},
	ProtocolHTTP2:    {"http2", FamilyHTTP},
	ProtocolGRPC:     {"grpc", FamilyRPC},
	ProtocolPostgres: {"postgres", FamilyDB},
	ProtocolMySQL:    {"mysql", FamilyDB},
	ProtocolRedis:    {"redis", FamilyDB},
	ProtocolMongoDB:  {"mongodb", FamilyDB},
	ProtocolKafka:    {"kafka", FamilyMessaging},
}

// NumProtocols is one past the largest protocol id: the size of a table
// indexed by protocol.
const NumProtocols = len(protocols)

// String returns the protocol's short name, used in self-telemetry.
func (p Protocol) String() string {
	if int(p) >= len(protocols) {
		return protocols[ProtocolUnknown].name
	}
	return protocols[p].name
}

// Family returns the protocol's family.
func (p Protocol) Family() Family {
	if int(p) >= len(protocols) {
		return FamilyNone
	}
	return protocols[p].family
}

// Kind tells which side of the exchange the observed process was on.
type Kind uint8

// Kinds of calls.
const (
	KindServer Kind = iota + 1 // the process read the request and wrote the response
	KindClient                 // the process wrote the request and read the response
)

// Call is one request/response exchange on one connection, observed in one
// process. Times are Unix nanoseconds taken by the kernel when the syscalls
// that carried the first request byte and the last response byte returned.
type Call struct {
	Protocol Protocol
	Kind     Kind
	Start    uint64
	End      uint64
	// Queued, for a server call, is when the request's first bytes began
	// to wait in the socket (Unix nanoseconds, at most Start): Start -
	// Queued is the time the request was in queue, before the process
	// read it. 0 when not known.
	Queued  uint64
	PID     uint32         // process (thread group) the call was observed in
	Process *Process       // filled by the engine from PID; nil until then
	Local   netip.AddrPort // the observed process's end of the connection
	Peer    netip.AddrPort // the other end
	HTTP    HTTP           // Protocol HTTP1 and HTTP2, and the transport of GRPC
	RPC     RPC            // Protocol GRPC
	DB      DB             // family DB
	Msg     Messaging      // family Messaging
	// Trace is the call's place in its trace, filled by the engine before
	// the call leaves it.
	Trace tracectx.Context
	// Span is the capture's handle on the call's trace context, used
	// inside the engine only; nil once the call has left it, and in calls
	// made without trace context.
	Span *tracectx.Span
}

// RPC holds the facts of a gRPC call. Zero values mean "not seen".
type RPC struct {
	Method string // "package.Service/Method", from :path
	// Status is the grpc-status code; HasStatus says whether one was seen
	// (code 0 is OK).
	Status    uint32
	HasStatus bool
}

// DB holds the facts of one database operation. Zero values mean "not seen".
type DB struct {
	System     string // "postgresql", "mysql", "mariadb"
	Namespace  string // database / default schema of the connection
	Operation  string // e.g. "SELECT"
	Summary    string // low-cardinality summary, e.g. "SELECT users"
	Collection string // main table, when one
	// QueryText is the statement as configured: sanitised (literals
	// replaced by "?"), raw, or empty.
	QueryText string
	// ErrorCode is the database's error code (SQLSTATE for PostgreSQL, the
	// numeric error for MySQL), empty when the operation succeeded.
	ErrorCode string
	Rows      int64 // rows returned or affected, -1 when unknown
}

// Messaging holds the facts of one messaging operation: a batch sent or
// a poll for messages. Zero values mean "not seen".
type Messaging struct {
	System string // messaging.system: "kafka"
	// Operation is messaging.operation.name, the system's own name ("send",
	// "poll"); Type its messaging.operation.type.
	Operation string
	Type      MessagingType
	// Destination is the topic when the operation addressed one, empty
	// when it addressed several or its name is not known.
	Destination string
	// Partition is the partition when the operation addressed one, else -1.
	Partition int32
	ClientID  string // messaging.client.id, as the client named itself
	// Messages counts the messages sent or received, -1 when unknown.
	Messages int64
	// ErrorCode is the system's name of the error the operation ended
	// with (Kafka: "UNKNOWN_TOPIC_OR_PARTITION"), empty on success.
	ErrorCode string
}

// MessagingType is messaging.operation.type; it also chooses the span's
// kind.
type MessagingType uint8

// Messaging operation types.
const (
	MessagingSend    MessagingType = iota + 1 // a producer's send: PRODUCER span
	MessagingReceive                          // a consumer's pull: CLIENT span
)

// HTTP holds the facts of an HTTP exchange. Zero values mean "not seen".
type HTTP struct {
	Method string // as sent, e.g. "GET"
	Path   string // request target without the query string
	Route  string // http.route: matched pattern or collapsed path; "" when unknown
	// Query is the target's query string with every value replaced by
	// "REDACTED" (keys kept); empty when it had none. The query as sent
	// never leaves the capture.
	Query     string
	Version   string // "1.0", "1.1"
	Host      string // Host header, port included when sent
	UserAgent string
	Status    int // 0 when no response was seen
	// RequestBodySize and ResponseBodySize count body bytes after the headers,
	// -1 when unknown.
	RequestBodySize  int64
	ResponseBodySize int64
	TLS              bool // carried over TLS: the URL scheme is https
}

// Process identifies the process a call was observed in.
type Process struct {
	PID            uint32
	ParentPID      uint32
	StartTime      uint64 // process start, clock ticks since boot (from /proc/<pid>/stat)
	ExecutableName string // base name of the executable
	ExecutablePath string // resolved /proc/<pid>/exe
	Command        string // argv[0]
	// CommandLine is every argument joined by spaces; it is matched by
	// selection rules and never exported.
	CommandLine string
	// ServiceName is the resolved service.name: OTEL_SERVICE_NAME, else
	// service.name in OTEL_RESOURCE_ATTRIBUTES, else the selecting rule's
	// service_name, else the executable name.
	ServiceName string
	// ServiceNameDeclared says the process named itself through its
	// environment, which no rule overrides.
	ServiceNameDeclared bool
	// ServiceNamespace is service.namespace from the selecting rule, unless
	// OTEL_RESOURCE_ATTRIBUTES sets it.
	ServiceNamespace string
	RuntimeName      string   // "go", "python", "node", ... when known
	ContainerID      string   // from /proc/<pid>/cgroup, empty outside containers
	CgroupPath       string   // the cgroup v2 path (or the first v1 one)
	ListenPorts      []uint16 // listening TCP ports, sorted; read only when rules need them
	// ResourceAttributes are the process's OTEL_RESOURCE_ATTRIBUTES, parsed.
	ResourceAttributes map[string]string
}
