package kafka

import (
	"encoding/binary"
	"testing"
)

// enc builds messages as the protocol lays them out, in the encoding of
// one version: flexible (compact lengths, tagged fields) or not.
type enc struct {
	b    []byte
	flex bool
}

func (e *enc) i8(v int8)   { e.b = append(e.b, byte(v)) }
func (e *enc) i16(v int16) { e.b = binary.BigEndian.AppendUint16(e.b, uint16(v)) }
func (e *enc) i32(v int32) { e.b = binary.BigEndian.AppendUint32(e.b, uint32(v)) }
func (e *enc) i64(v int64) { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }

func (e *enc) length(n int, wide bool) {
	switch {
	case e.flex:
		e.b = binary.AppendUvarint(e.b, uint64(n+1))
	case wide:
		e.i32(int32(n))
	default:
		e.i16(int16(n))
	}
}

func (e *enc) str(s string)   { e.length(len(s), false); e.b = append(e.b, s...) }
func (e *enc) array(n int)    { e.length(n, true) }
func (e *enc) bytes(b []byte) { e.length(len(b), true); e.b = append(e.b, b...) }
func (e *enc) tags() {
	if e.flex {
		e.b = append(e.b, 0)
	}
}
func (e *enc) uuid(id byte) { e.b = append(e.b, id, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }

// batch returns a record batch (magic 2) of count records whose bodies
// are filler bytes of size each.
func batch(count, size int) []byte {
	body := make([]byte, count*size)
	for i := range body {
		body[i] = 'v'
	}
	b := make([]byte, batchHeaderLen, batchHeaderLen+len(body))
	binary.BigEndian.PutUint32(b[batchLengthAt:], uint32(batchHeaderLen-legacyEntryHead+len(body)))
	b[batchMagicAt] = 2
	binary.BigEndian.PutUint32(b[batchCountAt:], uint32(count))
	return append(b, body...)
}

// request returns a whole request of key and version with client id
// "app" around body.
func request(key, version int16, body []byte) []byte {
	e := enc{}
	e.i32(0) // length, below
	e.i16(key)
	e.i16(version)
	e.i32(7)
	e.str("app")
	if flexible(key, version) {
		e.b = append(e.b, 0)
	}
	e.b = append(e.b, body...)
	binary.BigEndian.PutUint32(e.b, uint32(len(e.b)-4))
	return e.b
}

// produce returns a Produce body of version writing batches to topics
// (named, or by ids 1, 2, ... from version 13), one partition each.
func produce(version int16, acks int16, topics []string, batches ...[]byte) []byte {
	e := enc{flex: flexible(KeyProduce, version)}
	if version >= 3 {
		e.length(-1, false) // no transactional id
	}
	e.i16(acks)
	e.i32(30000)
	e.array(len(topics))
	for i, t := range topics {
		if version >= 13 {
			e.uuid(byte(i + 1))
		} else {
			e.str(t)
		}
		e.array(1)
		e.i32(int32(i))
		e.bytes(batches[i])
		e.tags()
		e.tags()
	}
	e.tags()
	return e.b
}

func TestRequestHeaders(t *testing.T) {
	apiVersions := request(KeyAPIVersions, 3, []byte{4, 'k', 'g', 'o', 3, '1', '.', '0', 0})
	h, ok := ParseRequestHeader(apiVersions)
	if !ok || h.Key != KeyAPIVersions || h.Version != 3 || h.Correlation != 7 || h.Length != len(apiVersions)-4 {
		t.Fatalf("header %+v %v", h, ok)
	}
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"ApiVersions v3", apiVersions, true},
		{"Produce v9", request(KeyProduce, 9, produce(9, -1, []string{"orders"}, batch(1, 10))), true},
		{"null client id", []byte{0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff}, true},
		{"PostgreSQL startup", []byte("\x00\x00\x00\x29\x00\x03\x00\x00user\x00postgres\x00database\x00shop\x00\x00"), false},
		{"SSLRequest", []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, false},
		{"HTTP/2 preface", []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), false},
		{"Redis", []byte("*1\r\n$4\r\nPING\r\n"), false},
		{"client id past the message", []byte{0, 0, 0, 12, 0, 18, 0, 3, 0, 0, 0, 1, 0, 9, 'a', 'b'}, false},
		{"negative correlation", []byte{0, 0, 0, 12, 0, 18, 0, 3, 0x80, 0, 0, 1, 0, 2, 'a', 'b'}, false},
		{"unknown key", []byte{0, 0, 0, 12, 0, 200, 0, 3, 0, 0, 0, 1, 0, 2, 'a', 'b'}, false},
	} {
		if got := LooksLikeRequest(c.b); got != c.want {
			t.Errorf("%s: LooksLikeRequest = %v", c.name, got)
		}
	}
}

// body returns the body of a request built by request, after its header.
func body(t *testing.T, req []byte) []byte {
	t.Helper()
	h, ok := ParseRequestHeader(req)
	if !ok {
		t.Fatal("header")
	}
	id, rest, ok := RequestBody(h.Key, h.Version, req[RequestHeaderLen:])
	if !ok || string(id) != "app" {
		t.Fatalf("client id %q %v", id, ok)
	}
	return rest
}

func TestProduce(t *testing.T) {
	for _, v := range []int16{3, 7, 9, 11, 13} {
		one := body(t, request(KeyProduce, v, produce(v, -1, []string{"orders"}, batch(3, 20))))
		s := Produce(v, one)
		if s.Topics != 1 || s.Partitions != 1 || s.Partition != 0 || s.Messages != 3 || s.Acks != -1 || s.ByID != (v >= 13) {
			t.Errorf("v%d one topic: %+v", v, s)
		}
		if v < 13 && string(s.Topic) != "orders" || v >= 13 && s.TopicID[0] != 1 {
			t.Errorf("v%d topic %q %x", v, s.Topic, s.TopicID)
		}
		two := body(t, request(KeyProduce, v, produce(v, 1, []string{"orders", "audit"}, append(batch(2, 5), batch(4, 5)...), batch(1, 5))))
		if s := Produce(v, two); s.Topics != 2 || s.Partitions != 2 || s.Messages != 7 || s.Acks != 1 {
			t.Errorf("v%d two topics: %+v", v, s)
		}
		// Cut by the capture inside the second topic's batch header: the
		// first topic is named, the messages are not all known.
		cut := two[:len(two)-len(batch(1, 5))+20]
		if s := Produce(v, cut); s.Topics != 2 || s.Messages != -1 || v < 13 && string(s.Topic) != "orders" {
			t.Errorf("v%d cut: %+v", v, s)
		}
		// Cut inside the last batch's records, past its header: counted.
		big := body(t, request(KeyProduce, v, produce(v, -1, []string{"orders"}, batch(1000, 50))))
		if s := Produce(v, big[:200]); s.Messages != 1000 {
			t.Errorf("v%d big: %+v", v, s)
		}
	}
}

// fetchRequest returns a Fetch body of version asking for partitions 0
// and 1 of each topic (named, or by ids 1, 2, ... from version 13).
func fetchRequest(version int16, topics ...string) []byte {
	e := enc{flex: flexible(KeyFetch, version)}
	if version <= 14 {
		e.i32(-1)
	}
	e.i32(500)
	e.i32(1)
	if version >= 3 {
		e.i32(50 << 20)
	}
	if version >= 4 {
		e.i8(0)
	}
	if version >= 7 {
		e.i32(0)
		e.i32(-1)
	}
	e.array(len(topics))
	for i, t := range topics {
		if version >= 13 {
			e.uuid(byte(i + 1))
		} else {
			e.str(t)
		}
		e.array(2)
		for p := range 2 {
			e.i32(int32(p))
			if version >= 9 {
				e.i32(-1)
			}
			e.i64(0)
			if version >= 12 {
				e.i32(-1)
			}
			if version >= 5 {
				e.i64(-1)
			}
			e.i32(1 << 20)
			e.tags()
		}
		e.tags()
	}
	return e.b
}

// fetchResponse returns a Fetch response body of version returning
// records (nil for none) from partition 3 of each topic, with the
// partition error code.
func fetchResponse(version int16, code int16, records []byte, topics ...string) []byte {
	e := enc{flex: flexible(KeyFetch, version)}
	e.tags() // the response header's
	if version >= 1 {
		e.i32(0)
	}
	if version >= 7 {
		e.i16(0)
		e.i32(1)
	}
	e.array(len(topics))
	for i, t := range topics {
		if version >= 13 {
			e.uuid(byte(i + 1))
		} else {
			e.str(t)
		}
		e.array(1)
		e.i32(3)
		e.i16(code)
		e.i64(10)
		if version >= 4 {
			e.i64(10)
		}
		if version >= 5 {
			e.i64(0)
		}
		if version >= 4 {
			e.array(1) // one aborted transaction
			e.i64(9)
			e.i64(2)
			e.tags()
		}
		if version >= 11 {
			e.i32(-1)
		}
		e.bytes(records)
		e.tags()
		e.tags()
	}
	e.tags()
	return e.b
}

func TestFetch(t *testing.T) {
	for _, v := range []int16{4, 7, 11, 12, 13, 16, 17} {
		s := Fetch(v, body(t, request(KeyFetch, v, fetchRequest(v, "orders"))))
		if s.Topics != 1 || s.Partitions != 2 || s.Partition != 0 || v < 13 && string(s.Topic) != "orders" || v >= 13 && s.TopicID[0] != 1 {
			t.Errorf("v%d request: %+v", v, s)
		}
		if s := Fetch(v, body(t, request(KeyFetch, v, fetchRequest(v)))); s.Topics != 0 || s.Partitions != 0 {
			t.Errorf("v%d incremental request: %+v", v, s)
		}
		resp, ok := ResponseBody(KeyFetch, v, fetchResponse(v, 0, append(batch(2, 30), batch(3, 30)...), "orders"))
		if !ok {
			t.Fatalf("v%d response body", v)
		}
		if s := FetchResponse(v, resp); s.Topics != 1 || s.Partitions != 1 || s.Partition != 3 || s.Messages != 5 || s.Error != 0 {
			t.Errorf("v%d response: %+v", v, s)
		}
		// A broker may end a response inside a batch: that batch holds
		// nothing a consumer sees yet.
		partial := append(batch(2, 30), batch(3, 30)[:70]...)
		resp, _ = ResponseBody(KeyFetch, v, fetchResponse(v, 0, partial, "orders", "audit"))
		if s := FetchResponse(v, resp); s.Topics != 2 || s.Partitions != 2 || s.Messages != 4 {
			t.Errorf("v%d partial batch: %+v", v, s)
		}
		resp, _ = ResponseBody(KeyFetch, v, fetchResponse(v, 1, nil, "orders"))
		if s := FetchResponse(v, resp); s.Messages != 0 || s.Error != 1 || ErrorName(s.Error) != "OFFSET_OUT_OF_RANGE" {
			t.Errorf("v%d error: %+v", v, s)
		}
		resp, _ = ResponseBody(KeyFetch, v, fetchResponse(v, 0, nil))
		if s := FetchResponse(v, resp); s.Topics != 0 || s.Messages != 0 {
			t.Errorf("v%d empty: %+v", v, s)
		}
		// Records past the capture: their count is not known.
		resp, _ = ResponseBody(KeyFetch, v, fetchResponse(v, 0, append(batch(2, 300), batch(3, 30)...), "orders"))
		if s := FetchResponse(v, resp[:400]); s.Messages != -1 || s.Topics != 1 {
			t.Errorf("v%d cut: %+v", v, s)
		}
	}
}

func TestProduceResponse(t *testing.T) {
	for _, v := range []int16{3, 7, 8, 9, 12, 13} {
		e := enc{flex: flexible(KeyProduce, v)}
		e.tags()
		e.array(2)
		for i, code := range []int16{0, 3} {
			if v >= 13 {
				e.uuid(byte(i + 1))
			} else {
				e.str("orders")
			}
			e.array(1)
			e.i32(0)
			e.i16(code)
			e.i64(41)
			if v >= 2 {
				e.i64(-1)
			}
			if v >= 5 {
				e.i64(0)
			}
			if v >= 8 {
				e.array(1)
				e.i32(0)
				e.str("bad record")
				e.tags()
				e.str("bad batch")
			}
			e.tags()
			e.tags()
		}
		e.i32(0)
		e.tags()
		resp, ok := ResponseBody(KeyProduce, v, e.b)
		if s := ProduceResponse(v, resp); !ok || s.Topics != 2 || s.Partitions != 2 || s.Error != 3 {
			t.Errorf("v%d: %+v", v, s)
		}
	}
}

func TestMetadataTopics(t *testing.T) {
	for _, v := range []int16{9, 10, 12, 13} {
		e := enc{flex: flexible(KeyMetadata, v)}
		e.tags()
		e.i32(0)
		e.array(1)
		e.i32(0)
		e.str("127.0.0.1")
		e.i32(9092)
		e.length(-1, false)
		e.tags()
		e.str("cluster")
		e.i32(0)
		e.array(2)
		for i, name := range []string{"orders", "audit"} {
			e.i16(0)
			e.str(name)
			if v >= 10 {
				e.uuid(byte(i + 1))
			}
			e.i8(0)
			e.array(2)
			for p := range 2 {
				e.i16(0)
				e.i32(int32(p))
				e.i32(0)
				e.i32(0)
				for range 3 { // replicas, in-sync, offline
					e.array(1)
					e.i32(0)
				}
				e.tags()
			}
			e.i32(-2147483648)
			e.tags()
		}
		if v >= 13 {
			e.i16(0)
		}
		e.tags()
		resp, _ := ResponseBody(KeyMetadata, v, e.b)
		got := map[byte]string{}
		MetadataTopics(v, resp, func(id [16]byte, name []byte) { got[id[0]] = string(name) })
		want := map[byte]string{1: "orders", 2: "audit"}
		if v < 10 {
			want = map[byte]string{}
		}
		if len(got) != len(want) || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("v%d: %v", v, got)
		}
	}
}

// FuzzMessages feeds any bytes to every reader at every version: none may
// panic, and a prefix may only know less: a count it gives is the whole
// message's.
func FuzzMessages(f *testing.F) {
	f.Add(request(KeyProduce, 9, produce(9, -1, []string{"orders"}, batch(3, 20))), int16(9), 40)
	f.Add(fetchResponse(16, 0, batch(2, 30), "orders"), int16(16), 60)
	f.Add(fetchRequest(11, "orders", "audit"), int16(11), 10)
	f.Fuzz(func(t *testing.T, b []byte, version int16, cut int) {
		LooksLikeRequest(b)
		ParseRequestHeader(b)
		ParseResponseHeader(b)
		RequestBody(KeyProduce, version, b)
		MetadataTopics(version, b, func([16]byte, []byte) {})
		cut = min(max(cut, 0), len(b))
		for _, read := range []func(int16, []byte) Summary{Produce, Fetch, ProduceResponse, FetchResponse} {
			whole, part := read(version, b), read(version, b[:cut])
			if part.Messages >= 0 && whole.Messages >= 0 && part.Messages != whole.Messages && part.Topics == whole.Topics {
				t.Fatalf("prefix of %d bytes counts %d messages, the whole %d", cut, part.Messages, whole.Messages)
			}
		}
	})
}
