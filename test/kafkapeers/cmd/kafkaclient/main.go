// Command kafkaclient makes Kafka calls with franz-go's kgo client, at the
// protocol versions it negotiates with the broker: a producer client sends
// records one at a time, then a batch in one call, to the first topic,
// records to the second, and a record to a partition the broker does not
// have; then a consumer client (no group) reads both topics from the start
// until it has every record produced, and closes with a fetch in flight.
// The broker is expected to hold no records before. A hook on every request
// counts, by API name, those whose response was read ("request NAME N")
// and those written whose response never came, such as the fetch in
// flight when the consumer closes ("noresponse NAME N"). It prints those,
// the records produced and consumed, then its process id.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "comma-separated seed brokers")
	topics := flag.String("topics", "orders,audit", "the two topics to produce to and consume from")
	single := flag.Int("single", 5, "records produced one at a time to the first topic")
	batch := flag.Int("batch", 20, "records produced in one call to the first topic")
	flag.Parse()
	names := strings.Split(*topics, ",")
	if len(names) != 2 {
		log.Fatalf("-topics %q: want two topics", *topics)
	}
	seeds := strings.Split(*brokers, ",")
	counts := newRequestCounter()
	produced := produce(seeds, counts, names[0], names[1], *single, *batch)
	consumed := consume(seeds, counts, names, produced)
	counts.print(os.Stdout)
	fmt.Printf("records produced %d\n", produced)
	fmt.Printf("records consumed %d\n", consumed)
	fmt.Printf("pid %d\n", os.Getpid())
}

// produce runs the producer's session and returns how many records the
// broker acknowledged.
func produce(seeds []string, counts *requestCounter, a, b string, single, batch int) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.WithHooks(counts), kgo.ProducerLinger(0))
	if err != nil {
		log.Fatalf("new producer: %v", err)
	}
	defer counts.close(cl)
	ctx := context.Background()
	n := 0
	for i := range single {
		value := fmt.Sprintf("single-%d", i)
		if i == 0 {
			value = "franz-secret-value"
		}
		n += mustProduce(ctx, cl, &kgo.Record{Topic: a, Key: []byte("k"), Value: []byte(value)})
	}
	records := make([]*kgo.Record, batch)
	for i := range records {
		records[i] = &kgo.Record{Topic: a, Value: fmt.Appendf(nil, "batch-%d", i)}
	}
	n += mustProduce(ctx, cl, records...)
	n += mustProduce(ctx, cl, &kgo.Record{Topic: b, Value: []byte("audit-0")}, &kgo.Record{Topic: b, Value: []byte("audit-1")})
	if err := produceToMissingPartition(ctx, cl, a); err != nil {
		log.Fatal(err)
	}
	return n
}

func mustProduce(ctx context.Context, cl *kgo.Client, rs ...*kgo.Record) int {
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		log.Fatalf("produce to %s: %v", rs[0].Topic, err)
	}
	return len(rs)
}

// consume reads topics from the start, outside any group, until it has
// want records, and returns how many it read.
func consume(seeds []string, counts *requestCounter, topics []string, want int) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.WithHooks(counts),
		kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		log.Fatalf("new consumer: %v", err)
	}
	defer counts.close(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	for n < want {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			log.Fatalf("consume: %d of %d records: %v", n, want, err)
		}
		fetches.EachError(func(topic string, p int32, err error) { log.Fatalf("fetch %s/%d: %v", topic, p, err) })
		n += fetches.NumRecords()
	}
	// Having handed over its records, the consumer long-polls again; close
	// with that fetch in flight, as a consumer shutting down does.
	fetch := int16(kmsg.Fetch)
	if !waitFor(5*time.Second, func() bool { return counts.inFlight(fetch) }) {
		log.Fatal("consume: no fetch in flight after the last records")
	}
	return n
}
