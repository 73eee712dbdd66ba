package tracer

import (
	"errors"
	"os"
	"time"
	"unsafe"

	"github.com/cilium/ebpf/ringbuf"
)

// Event kinds, directions, roles and flags as the programs write them.
const (
	EventData   = uint8(captureEventKindEVENT_DATA)
	EventClose  = uint8(captureEventKindEVENT_CLOSE)
	EventExec   = uint8(captureEventKindEVENT_EXEC)
	EventExit   = uint8(captureEventKindEVENT_EXIT)
	EventListen = uint8(captureEventKindEVENT_LISTEN)

	DirIngress = uint8(captureDirectionDIR_INGRESS)
	DirEgress  = uint8(captureDirectionDIR_EGRESS)

	RoleUnknown = uint8(captureConnRoleROLE_UNKNOWN)
	RoleClient  = uint8(captureConnRoleROLE_CLIENT)
	RoleServer  = uint8(captureConnRoleROLE_SERVER)

	FlagNoPayload = uint8(captureDataFlagsFLAG_NO_PAYLOAD)
)

// ConnEvent is the header of a data or close record.
type ConnEvent = captureConnEvent

// ProcessEvent is an exec, exit or listen record.
type ProcessEvent = captureProcessEvent

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
)

// Run reads records until Close is called, then returns nil. Records are
// decoded in place: no allocation per record. It drains the buffer, then
// sleeps PollInterval: a deadline in the past makes every read return at
// once, because blocking in epoll for a few milliseconds at a time costs
// more thread hand-offs than sleeping does.
func (t *Tracer) Run(h Handler) error {
	var rec ringbuf.Record
	reader := t.reader
	reader.SetDeadline(time.Unix(1, 0))
	for {
		err := reader.ReadInto(&rec)
		switch {
		case err == nil:
			t.dispatch(h, rec.RawSample)
		case errors.Is(err, os.ErrDeadlineExceeded):
			h.Idle()
			time.Sleep(PollInterval)
		case errors.Is(err, ringbuf.ErrClosed):
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
	case EventExec, EventExit, EventListen:
		if len(raw) < processEventSize {
			return
		}
		h.Process((*ProcessEvent)(unsafe.Pointer(&raw[0])))
	}
}
