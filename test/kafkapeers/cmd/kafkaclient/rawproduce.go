package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// produceToMissingPartition sends a Produce of one record to the partition
// just past topic's last, which the broker answers with
// UNKNOWN_TOPIC_OR_PARTITION. kgo's producer never sends a record the
// metadata gives no partition for (to a topic the broker lacks it sends
// only Metadata requests, then fails the record), so this builds the
// request itself.
func produceToMissingPartition(ctx context.Context, cl *kgo.Client, topic string) error {
	meta := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	meta.Topics = append(meta.Topics, mt)
	mresp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("metadata of %s: %w", topic, err)
	}
	if len(mresp.Topics) != 1 || mresp.Topics[0].ErrorCode != 0 {
		return fmt.Errorf("metadata of %s: %v", topic, mresp.Topics)
	}
	p := kmsg.NewProduceRequestTopicPartition()
	p.Partition = int32(len(mresp.Topics[0].Partitions))
	p.Records = recordBatch([]byte("lost"))
	t := kmsg.NewProduceRequestTopic()
	t.Topic, t.TopicID = topic, mresp.Topics[0].TopicID // a name up to v12, the id from v13
	t.Partitions = append(t.Partitions, p)
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = -1, 5000 // kgo sets acks to its own, all
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("produce to %s/%d: %w", topic, p.Partition, err)
	}
	if code := resp.Topics[0].Partitions[0].ErrorCode; code != kerr.UnknownTopicOrPartition.Code {
		return fmt.Errorf("produce to %s/%d: want UNKNOWN_TOPIC_OR_PARTITION, got %v", topic, p.Partition, kerr.ErrorForCode(code))
	}
	return nil
}

// recordBatch encodes a record batch (magic 2, uncompressed, no producer
// id) of one record holding value.
func recordBatch(value []byte) []byte {
	r := kmsg.Record{Value: value}
	r.Length = int32(len(r.AppendTo(nil)) - 1) // everything after the length, a one-byte varint 0 here
	now := time.Now().UnixMilli()
	b := kmsg.RecordBatch{
		Magic: 2, FirstTimestamp: now, MaxTimestamp: now,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1,
		NumRecords: 1, Records: r.AppendTo(nil),
	}
	raw := b.AppendTo(nil)
	// Length counts what follows it; the CRC-32C covers what follows it,
	// from the attributes on.
	binary.BigEndian.PutUint32(raw[8:], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:], crc32.Checksum(raw[21:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}
