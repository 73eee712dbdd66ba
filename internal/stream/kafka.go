package stream

import (
	"strconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/kafka"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// kafkaSession decodes the client side of a Kafka connection. Every
// request carries a correlation id its response repeats, and a broker
// answers a connection's requests in order; a response does not say what
// it answers, so requests wait, with their API key and version, until it
// comes. Produce and Fetch become calls; Metadata responses teach the
// tracker the names of topic ids, which Produce and Fetch use from their
// version 13; other requests are only matched. A Produce with acks 0 is
// answered by nothing and ends when written.
type kafkaSession struct {
	sh      *shared
	ignore  bool
	out, in msgFramer
	req     kafka.RequestHeader  // the header of the request being framed
	resp    kafka.ResponseHeader // the header of the response being framed
	waiting []kafkaOp
	seg     *Segment
	c       *conn
	ending  *kafkaOp // a Fetch whose response runs on: the call ends with it
}

// kafkaOp is a request waiting for its response.
type kafkaOp struct {
	correlation  int32
	key, version int16
	start        uint64
	pid          uint32
	span         *tracectx.Span
	msg          call.Messaging // Produce and Fetch: what the request named
	topicID      [16]byte       // the topic named by id, when msg names none yet
	byID         bool
}

// kafkaWaitMax bounds the requests waiting for responses on a connection;
// clients keep a few in flight (five by default for producers).
const kafkaWaitMax = 128

// kafkaTopicsMax bounds the topic names the tracker keeps by id: past it
// they are forgotten and learnt again from the next Metadata responses.
const kafkaTopicsMax = 4096

// Kafka's names in the messaging conventions.
const (
	msgSystemKafka = "kafka"
	kafkaSend      = "send"
	kafkaPoll      = "poll"
)

// newKafka returns a session for a Kafka connection whose first captured
// bytes s carries. The process is the broker when it read a request or
// the kernel saw it accept.
func newKafka(t *Tracker, s *Segment, data []byte) *kafkaSession {
	k := &kafkaSession{sh: &t.sh}
	request := kafka.LooksLikeRequest(data)
	k.ignore = s.Role == RoleServer || (s.Role == RoleUnknown && request == (s.Dir == Ingress))
	if k.ignore {
		t.stats.dbServerSessions.Add(1)
	}
	k.out.reset(kafka.RequestHeaderLen, k.requestHeader)
	k.in.reset(kafka.ResponseHeaderLen, k.responseHeader)
	return k
}

func (k *kafkaSession) requestHeader(b []byte) (byte, int, bool) {
	h, ok := kafka.ParseRequestHeader(b)
	k.req = h
	return byte(h.Key), h.Length - (kafka.RequestHeaderLen - 4), ok
}

func (k *kafkaSession) responseHeader(b []byte) (byte, int, bool) {
	h, ok := kafka.ParseResponseHeader(b)
	k.resp = h
	return 0, h.Length - (kafka.ResponseHeaderLen - 4), ok
}

func kafkaWantAll(byte) bool { return true }

func (k *kafkaSession) feed(c *conn, s *Segment) {
	if k.ignore {
		return
	}
	k.seg, k.c = s, c
	defer func() { k.seg, k.c = nil, nil }()
	f, egress := &k.out, s.Dir == Egress
	if !egress {
		f = &k.in
	}
	if f.lost {
		if !k.resumesAt(egress, captured(s)) {
			return
		}
		f.resync()
	}
	cur := newCursor(s)
	for {
		msg, ok := f.next(&cur, kafkaWantAll)
		if !ok {
			break
		}
		if egress {
			k.request(&msg)
		} else {
			k.response(&msg)
		}
	}
	if f.lost {
		k.sh.stats.desyncs.Add(1)
		if f.malformed {
			k.sh.stats.decodeError(call.ProtocolKafka)
		}
	}
	if !egress && k.ending != nil && f.remain == 0 {
		k.emit(k.ending) // the long response ended in this segment
		k.ending = nil
	}
}

// resumesAt tells whether a direction whose framing was lost starts a
// message at data: a request, or the response of a request waiting.
func (k *kafkaSession) resumesAt(egress bool, data []byte) bool {
	if egress {
		return kafka.LooksLikeRequest(data)
	}
	h, ok := kafka.ParseResponseHeader(data)
	return ok && k.find(h.Correlation) >= 0
}

// request reads a message the client wrote.
func (k *kafkaSession) request(msg *message) {
	h := k.req
	op := kafkaOp{correlation: h.Correlation, key: h.Key, version: h.Version, start: k.seg.Time, pid: k.seg.PID}
	if h.Key == kafka.KeyProduce || h.Key == kafka.KeyFetch {
		clientID, body, ok := kafka.RequestBody(h.Key, h.Version, msg.body)
		if !ok {
			k.sh.stats.decodeError(call.ProtocolKafka)
			return
		}
		op.span = k.sh.dbSpan(k.seg)
		op.msg = call.Messaging{System: msgSystemKafka, ClientID: k.sh.names.string(clientID), Partition: -1, Messages: -1}
		var sum kafka.Summary
		if h.Key == kafka.KeyProduce {
			sum = kafka.Produce(h.Version, body)
			op.msg.Operation, op.msg.Type, op.msg.Messages = kafkaSend, call.MessagingSend, sum.Messages
		} else {
			sum = kafka.Fetch(h.Version, body)
			op.msg.Operation, op.msg.Type = kafkaPoll, call.MessagingReceive
		}
		k.destination(&op, &sum)
		if h.Key == kafka.KeyProduce && sum.Acks == 0 {
			k.emit(&op) // no response will come
			return
		}
	}
	if len(k.waiting) == kafkaWaitMax {
		k.drop(&k.waiting[0])
		k.waiting = append(k.waiting[:0], k.waiting[1:]...)
	}
	k.waiting = append(k.waiting, op)
}

// destination names the topic and partition of op from what a request or
// response listed: when it lists exactly one.
func (k *kafkaSession) destination(op *kafkaOp, sum *kafka.Summary) {
	if sum.Topics == 1 {
		op.msg.Destination, op.byID, op.topicID = k.sh.names.string(sum.Topic), sum.ByID, sum.TopicID
	}
	if sum.Topics == 1 && sum.Partitions == 1 {
		op.msg.Partition = sum.Partition
	}
}

// find returns the index of the request waiting with correlation id, -1
// when none is.
func (k *kafkaSession) find(correlation int32) int {
	for i := range k.waiting {
		if k.waiting[i].correlation == correlation {
			return i
		}
	}
	return -1
}

// response reads a message the broker wrote, ending the request it
// answers.
func (k *kafkaSession) response(msg *message) {
	if k.ending != nil { // the long response before this one ended here
		k.emit(k.ending)
		k.ending = nil
	}
	i := k.find(k.resp.Correlation)
	if i < 0 {
		return // a request written before the capture
	}
	op := k.waiting[i]
	k.waiting = append(k.waiting[:i], k.waiting[i+1:]...)
	body, ok := kafka.ResponseBody(op.key, op.version, msg.body)
	switch op.key {
	case kafka.KeyMetadata:
		if ok {
			kafka.MetadataTopics(op.version, body, k.learn)
		}
		return
	case kafka.KeyProduce:
		sum := kafka.ProduceResponse(op.version, body)
		op.msg.ErrorCode = k.errorName(sum.Error)
	case kafka.KeyFetch:
		sum := kafka.FetchResponse(op.version, body)
		op.msg.ErrorCode = k.errorName(sum.Error)
		if sum.Topics > 0 { // an incremental fetch names what it returns
			op.msg.Destination, op.msg.Partition, op.byID = "", -1, false
			k.destination(&op, &sum)
		}
		op.msg.Messages = sum.Messages
		if !msg.complete && k.in.remain > 0 {
			k.ending = &op // ends with its last byte
			return
		}
	default:
		return
	}
	k.emit(&op)
}

// learn keeps the name of a topic id a Metadata response gave.
func (k *kafkaSession) learn(id [16]byte, name []byte) {
	topics := &k.sh.kafkaTopics
	if *topics == nil || len(*topics) >= kafkaTopicsMax {
		*topics = make(map[[16]byte]string)
	}
	if _, ok := (*topics)[id]; !ok {
		(*topics)[id] = string(name)
	}
}

// errorName names an error code: the protocol's name, or the number when
// the name is not known; "" for no error.
func (k *kafkaSession) errorName(code int16) string {
	if code == 0 {
		return ""
	}
	if name := kafka.ErrorName(code); name != "" {
		return name
	}
	return k.sh.names.string(strconv.AppendInt(nil, int64(code), 10))
}

// drop gives up a request that will never be matched.
func (k *kafkaSession) drop(op *kafkaOp) {
	if op.key == kafka.KeyProduce || op.key == kafka.KeyFetch {
		k.sh.dropped(op.span)
		k.sh.stats.pendingDropped.Add(1)
	}
}

func (k *kafkaSession) finish(*conn) {
	for i := range k.waiting {
		k.drop(&k.waiting[i])
	}
	k.waiting = k.waiting[:0]
	if k.ending != nil {
		k.drop(k.ending)
		k.ending = nil
	}
}

// emit hands a Produce or Fetch call, whose response ended in the current
// segment (or whose request needs none), to the tracker's consumer.
func (k *kafkaSession) emit(op *kafkaOp) {
	if op.byID {
		op.msg.Destination = k.sh.kafkaTopics[op.topicID] // "" until a Metadata response named it
	}
	k.sh.stats.callsEmitted.Add(1)
	out := k.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolKafka, Kind: call.KindClient,
		Start: op.start, End: max(op.start, k.seg.Time), PID: op.pid, Local: k.c.local, Peer: k.c.peer, Span: op.span,
		Msg: op.msg,
	}
	k.sh.emit(out)
}
