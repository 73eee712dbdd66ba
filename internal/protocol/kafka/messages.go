package kafka

import "encoding/binary"

// Summary is what a Produce or Fetch, request or response, names.
type Summary struct {
	Topics int // topics listed
	// Topic is the first topic's name, nil when it is named by id
	// (versions 13 and later) or not captured; TopicID is its id then.
	Topic   []byte
	TopicID [16]byte
	ByID    bool
	// Partitions counts the partitions listed under all topics, as far
	// as captured; Partition is the first one's index.
	Partitions int
	Partition  int32
	// Messages counts the messages of the record batches, -1 when not all
	// of them were captured.
	Messages int64
	Acks     int16 // Produce requests: 0 asks for no response
	// Error is the first error code that is not 0 (responses).
	Error int16
}

// Produce reads the body of a Produce request of version (after
// RequestBody): the topics and partitions it writes to and its messages.
func Produce(version int16, b []byte) Summary {
	r := reader{b: b, flex: flexible(KeyProduce, version)}
	s := Summary{ByID: version >= 13}
	if version >= 3 {
		r.str() // transactional id
	}
	s.Acks = r.int16()
	r.skip(4) // timeout
	s.Topics = r.array()
	counted := true
	for t := 0; t < s.Topics && counted; t++ {
		topicRef(&r, &s, t)
		n := r.array()
		for p := 0; p < n; p++ {
			if r.bad {
				counted = false
				break
			}
			notePartition(&s, r.int32())
			counted = r.records(&s) && counted
			r.endStruct()
		}
		r.endStruct()
	}
	if !counted || r.bad && s.Topics == 0 {
		s.Messages = -1
	}
	return s
}

// Fetch reads the body of a Fetch request of version (after RequestBody):
// the topics and partitions it asks for. A request of an incremental
// fetch session lists only what changed, often nothing.
func Fetch(version int16, b []byte) Summary {
	r := reader{b: b, flex: flexible(KeyFetch, version)}
	s := Summary{ByID: version >= 13, Messages: -1}
	if version <= 14 {
		r.skip(4) // replica id
	}
	r.skip(8) // max wait, min bytes
	if version >= 3 {
		r.skip(4) // max bytes
	}
	if version >= 4 {
		r.skip(1) // isolation level
	}
	if version >= 7 {
		r.skip(8) // session id and epoch
	}
	s.Topics = r.array()
	for t := 0; t < s.Topics && !r.bad; t++ {
		topicRef(&r, &s, t)
		n := r.array()
		for p := 0; p < n && !r.bad; p++ {
			notePartition(&s, r.int32())
			if version >= 9 {
				r.skip(4) // current leader epoch
			}
			r.skip(8) // fetch offset
			if version >= 12 {
				r.skip(4) // last fetched epoch
			}
			if version >= 5 {
				r.skip(8) // log start offset
			}
			r.skip(4) // partition max bytes
			r.endStruct()
		}
		r.endStruct()
	}
	return s
}

// ProduceResponse reads the body of a Produce response of version (after
// ResponseBody): its partitions and the first error among them.
func ProduceResponse(version int16, b []byte) Summary {
	r := reader{b: b, flex: flexible(KeyProduce, version)}
	s := Summary{ByID: version >= 13, Messages: -1}
	s.Topics = r.array()
	for t := 0; t < s.Topics && !r.bad; t++ {
		topicRef(&r, &s, t)
		n := r.array()
		for p := 0; p < n && !r.bad; p++ {
			notePartition(&s, r.int32())
			noteError(&s, r.int16())
			r.skip(8) // base offset
			if version >= 2 {
				r.skip(8) // log append time
			}
			if version >= 5 {
				r.skip(8) // log start offset
			}
			if version >= 8 {
				for e := r.array(); e > 0 && !r.bad; e-- {
					r.skip(4) // batch index
					r.str()   // its error message
					r.endStruct()
				}
				r.str() // error message
			}
			r.endStruct()
		}
		r.endStruct()
	}
	return s
}

// FetchResponse reads the body of a Fetch response of version (after
// ResponseBody): the topics and partitions it returns, the messages of
// their record batches, and the first error.
func FetchResponse(version int16, b []byte) Summary {
	r := reader{b: b, flex: flexible(KeyFetch, version)}
	s := Summary{ByID: version >= 13}
	if version >= 1 {
		r.skip(4) // throttle time
	}
	if version >= 7 {
		noteError(&s, r.int16())
		r.skip(4) // session id
	}
	s.Topics = r.array()
	counted := !r.bad
	for t := 0; t < s.Topics && counted; t++ {
		topicRef(&r, &s, t)
		n := r.array()
		for p := 0; p < n; p++ {
			if r.bad {
				counted = false
				break
			}
			notePartition(&s, r.int32())
			noteError(&s, r.int16())
			r.skip(8) // high watermark
			if version >= 4 {
				r.skip(8) // last stable offset
			}
			if version >= 5 {
				r.skip(8) // log start offset
			}
			if version >= 4 {
				for a := r.array(); a > 0 && !r.bad; a-- {
					r.skip(16) // producer id, first offset
					r.endStruct()
				}
			}
			if version >= 11 {
				r.skip(4) // preferred read replica
			}
			counted = r.records(&s) && counted
			r.endStruct()
		}
		r.endStruct()
	}
	if !counted {
		s.Messages = -1
	}
	return s
}

// MetadataTopics calls visit with the id and name of each topic a
// Metadata response of version (after ResponseBody) describes, as far as
// captured; versions before 10 carry no ids and visit nothing.
func MetadataTopics(version int16, b []byte, visit func(id [16]byte, name []byte)) {
	if version < 10 {
		return
	}
	r := reader{b: b, flex: flexible(KeyMetadata, version)}
	r.skip(4) // throttle time (version 3 and later)
	for n := r.array(); n > 0 && !r.bad; n-- {
		r.skip(4) // node id
		r.str()   // host
		r.skip(4) // port
		r.str()   // rack
		r.endStruct()
	}
	r.str()   // cluster id
	r.skip(4) // controller id
	for n := r.array(); n > 0 && !r.bad; n-- {
		r.skip(2) // error code
		name := r.str()
		id := r.take(16)
		r.skip(1) // is internal
		if r.bad {
			return
		}
		if name != nil {
			visit([16]byte(id), name)
		}
		for p := r.array(); p > 0 && !r.bad; p-- {
			r.skip(2 + 4 + 4) // error code, partition, leader
			if version >= 7 {
				r.skip(4) // leader epoch
			}
			r.skip(4 * r.array()) // replicas
			r.skip(4 * r.array()) // in-sync replicas
			if version >= 5 {
				r.skip(4 * r.array()) // offline replicas
			}
			r.endStruct()
		}
		if version >= 8 {
			r.skip(4) // authorized operations
		}
		r.endStruct()
	}
}

// topicRef reads the topic of element t into s when it is the first.
func topicRef(r *reader, s *Summary, t int) {
	var name []byte
	var id [16]byte
	r.topic(s.ByID, &name, &id)
	if t == 0 {
		s.Topic, s.TopicID = name, id
	}
}

// notePartition counts a partition, keeping the first one's index.
func notePartition(s *Summary, p int32) {
	if s.Partitions == 0 {
		s.Partition = p
	}
	s.Partitions++
}

// noteError keeps the first error code that is not 0.
func noteError(s *Summary, code int16) {
	if s.Error == 0 {
		s.Error = code
	}
}

// records reads a records field, adding its messages to s; false when
// some of its batches were not captured.
func (r *reader) records(s *Summary) bool {
	n := r.length(true)
	if n <= 0 {
		return !r.bad
	}
	start := r.off
	r.skip(n)
	m, ok := countMessages(r.b[start:min(start+n, len(r.b))], n)
	if s.Messages >= 0 {
		s.Messages += m
	}
	return ok
}

// Offsets in a record batch (magic 2) and in a legacy message set entry.
const (
	batchLengthAt   = 8  // int32, the batch after this field and itself
	batchMagicAt    = 16 // int8
	batchCountAt    = 57 // int32, records in the batch
	batchHeaderLen  = 61
	legacyEntryHead = 12 // offset and message size
	legacyCodec     = 7  // the compression bits of a legacy message's attributes
)

// countMessages counts the messages of the record batches (or legacy
// message sets) in the n bytes of a records field, of which b holds the
// first; false when a header was not captured. A batch cut short at the
// end (a broker may return one) holds no message a consumer sees.
func countMessages(b []byte, n int) (int64, bool) {
	var total int64
	for off := 0; off+legacyEntryHead <= n; {
		if off+batchMagicAt+1 > len(b) {
			return total, false
		}
		size := int(int32(binary.BigEndian.Uint32(b[off+batchLengthAt:])))
		if size <= 0 || off+legacyEntryHead+size > n {
			return total, true // cut short
		}
		switch b[off+batchMagicAt] {
		case 2:
			if off+batchHeaderLen > len(b) {
				return total, false
			}
			if c := int32(binary.BigEndian.Uint32(b[off+batchCountAt:])); c > 0 {
				total += int64(c)
			}
		default: // a legacy message, whose wrapper hides how many it holds when compressed
			if off+batchMagicAt+2 > len(b) || b[off+batchMagicAt+1]&legacyCodec != 0 {
				return total, false
			}
			total++
		}
		off += legacyEntryHead + size
	}
	return total, true
}
