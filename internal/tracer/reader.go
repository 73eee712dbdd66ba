package tracer

import (
	"bytes"
	"errors"
	"time"
	"unsafe"
)

// Event kinds, directions, roles and flags as the programs write them.
const (
	EventData    = uint8(captureEventKindEVENT_DATA)
	EventClose   = uint8(captureEventKindEVENT_CLOSE)
	EventExec    = uint8(captureEventKindEVENT_EXEC)
	EventExit    = uint8(captureEventKindEVENT_EXIT)
	EventListen  = uint8(captureEventKindEVENT_LISTEN)
	EventFork    = uint8(captureEventKindEVENT_FORK)
	EventHandoff = uint8(captureEventKindEVENT_HANDOFF)

	DirIngress = uint8(captureDirectionDIR_INGRESS)
	DirEgress  = uint8(captureDirectionDIR_EGRESS)

	RoleUnknown = uint8(captureConnRoleROLE_UNKNOWN)
	RoleClient  = uint8(captureConnRoleROLE_CLIENT)
	RoleServer  = uint8(captureConnRoleROLE_SERVER)

	FlagNoPayload = uint8(captureDataFlagsFLAG_NO_PAYLOAD)
	// FlagSeq says ConnEvent.Seq holds the TCP sequence number of the
	// record's first byte.
	FlagSeq = uint8(captureDataFlagsFLAG_SEQ)
	// FlagPeerCaptured marks records of a server connection whose client
	// end is a connection of a captured process of this node.
	FlagPeerCaptured = uint8(captureDataFlagsFLAG_PEER_CAPTURED)
	// FlagH2Frames marks the records of HTTP/2 connections whose payload
	// is the pieces of the frame walk (bpf/h2walk.h), not a prefix.
	FlagH2Frames = uint8(captureDataFlagsFLAG_H2FRAMES)
	// FlagWire says ConnEvent.Wire holds the trace option a segment among
	// the record's bytes carried (bpf/wire.h).
	FlagWire = uint8(captureDataFlagsFLAG_WIRE)
	// FlagThreadTrace says ConnEvent.Wire.Trace holds the trace the kernel
	// drew for the request the record begins (bpf/wire.h).
	FlagThreadTrace = uint8(captureDataFlagsFLAG_THREAD_TRACE)

	// Protocols the kernel's classifier names (bpf/classify.h), in
	// ConnEvent.Protocol of data records: the ids of call.Protocol.
	ProtoUnknown  = uint8(captureProtocolPROTO_UNKNOWN)
	ProtoHTTP1    = uint8(captureProtocolPROTO_HTTP1)
	ProtoHTTP2    = uint8(captureProtocolPROTO_HTTP2)
	ProtoPostgres = uint8(captureProtocolPROTO_POSTGRES)
	ProtoMySQL    = uint8(captureProtocolPROTO_MYSQL)
	ProtoRedis    = uint8(captureProtocolPROTO_REDIS)
	ProtoMongoDB  = uint8(captureProtocolPROTO_MONGODB)
	ProtoKafka    = uint8(captureProtocolPROTO_KAFKA)

	// VerdictPendingFork is the verdict of a child forked by a process that
	// waited for judgement, until it is judged or execs; fork records
	// report what the child inherited.
	VerdictPendingFork = uint8(captureVerdictVERDICT_PENDING_FORK)
)

// ConnEvent is the header of a data or close record.
type ConnEvent = captureConnEvent

// ProcessEvent is an exec, exit, listen or fork record.
type ProcessEvent = captureProcessEvent

// ExecEvent is an exec record: the process event and what execve was given.
type ExecEvent = captureExecEvent

// Path returns the path the program was executed by, as given to
// execve; it allocates.
func (e *ExecEvent) Path() string { return cString(e.Filename[:]) }

// Argv returns the command line's arguments; it allocates.
func (e *ExecEvent) Argv() []string {
	b := e.Args[:min(int(e.ArgsLen), len(e.Args))]
	var argv []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			i = len(b)
		}
		argv = append(argv, string(b[:i]))
		b = b[min(i+1, len(b)):]
	}
	return argv
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// ExecHandler is implemented by a Handler that wants exec records whole;
// other handlers get their process event through Process.
type ExecHandler interface {
	Exec(ev *ExecEvent)
}

// PollInterval bounds how long a record can wait in the ring buffer: the
// programs do not wake the reader for each record.
const PollInterval = 5 * time.Millisecond

// Handler receives the events, one at a time, on the goroutine running Run.
// Slices alias the reader's buffer and are valid only during the call.
type Handler interface {
	Conn(ev *ConnEvent, payload, tail []byte)
	Process(ev *ProcessEvent)
	// Idle is called whenever the buffer has been drained, at least every
	// PollInterval.
	Idle()
}

var (
	connEventSize    = int(unsafe.Sizeof(ConnEvent{}))
	processEventSize = int(unsafe.Sizeof(ProcessEvent{}))
	execEventSize    = int(unsafe.Sizeof(ExecEvent{}))
	handoffEventSize = int(unsafe.Sizeof(HandoffEvent{}))
)

// Run reads records until Close is called, then returns nil. Records are
// decoded in place: no allocation per record. It drains the buffer, then
// sleeps PollInterval: reads never block, because blocking in epoll for a
// few milliseconds at a time costs more thread hand-offs than sleeping does.
func (t *Tracer) Run(h Handler) error {
	reader := t.reader
	for {
		raw, err := reader.read()
		switch {
		case err == nil:
			t.dispatch(h, raw)
		case errors.Is(err, errDrained):
			h.Idle()
			time.Sleep(PollInterval)
		case errors.Is(err, errReaderClosed):
			return nil
		default:
			return err
		}
	}
}

// dispatch decodes one record. Records shorter than their header are ignored:
// the programs never write them.
func (t *Tracer) dispatch(h Handler, raw []byte) {
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case EventData, EventClose:
		if len(raw) < connEventSize {
			return
		}
		ev := (*ConnEvent)(unsafe.Pointer(&raw[0]))
		payload := raw[connEventSize:]
		if int(ev.Captured) < len(payload) {
			payload = payload[:ev.Captured]
		}
		h.Conn(ev, payload, ev.Tail[:min(int(ev.TailLen), len(ev.Tail))])
	case EventHandoff:
		if hh, ok := h.(HandoffHandler); ok && len(raw) >= handoffEventSize {
			hh.Handoff((*HandoffEvent)(unsafe.Pointer(&raw[0])))
		}
	case EventExec, EventExit, EventListen, EventFork:
		if len(raw) < processEventSize {
			return
		}
		if eh, ok := h.(ExecHandler); ok && raw[0] == EventExec && len(raw) >= execEventSize {
			eh.Exec((*ExecEvent)(unsafe.Pointer(&raw[0])))
			return
		}
		h.Process((*ProcessEvent)(unsafe.Pointer(&raw[0])))
	}
}
