// Command mongoclient makes MongoDB calls with the official Go driver (v2)
// on one connection: a drop of the collection it then fills, inserts, a find whose cursor needs getMore, an
// update, a delete, an aggregation and a command the server does not
// know. It prints, from the driver's own command monitor, how many times
// it sent each command ("command NAME N") and how many failed
// ("failed NAME N"), the connections its pool opened ("connections N"),
// then its process id. Each connection, the pool's and the monitor's,
// begins with a handshake the command monitor does not see.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func main() {
	uri := flag.String("uri", "mongodb://127.0.0.1:27017/?directConnection=true", "the server")
	flag.Parse()
	var mu sync.Mutex
	started, failed := map[string]int{}, map[string]int{}
	monitor := &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			mu.Lock()
			started[e.CommandName]++
			mu.Unlock()
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			mu.Lock()
			failed[e.CommandName]++
			mu.Unlock()
		},
	}
	ctx := context.Background()
	var pooled int
	pool := &event.PoolMonitor{Event: func(e *event.PoolEvent) {
		if e.Type == event.ConnectionCreated {
			mu.Lock()
			pooled++
			mu.Unlock()
		}
	}}
	client, err := mongo.Connect(options.Client().ApplyURI(*uri).SetMonitor(monitor).SetPoolMonitor(pool).SetMaxPoolSize(1))
	if err != nil {
		log.Fatal(err)
	}
	items := client.Database("shop").Collection("items")
	if err := items.Drop(ctx); err != nil {
		log.Fatal(err)
	}
	if _, err := items.InsertOne(ctx, bson.D{{Key: "_id", Value: 0}, {Key: "name", Value: "go-secret-value"}}); err != nil {
		log.Fatal(err)
	}
	var docs []any
	for i := 1; i <= 250; i++ {
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "n", Value: i}})
	}
	if _, err := items.InsertMany(ctx, docs); err != nil {
		log.Fatal(err)
	}
	cur, err := items.Find(ctx, bson.D{{Key: "n", Value: bson.D{{Key: "$gte", Value: 0}}}}, options.Find().SetBatchSize(100))
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for cur.Next(ctx) {
		n++
	}
	if err := cur.Close(ctx); err != nil || n != 250 {
		log.Fatalf("find: %d documents, %v", n, err)
	}
	if _, err := items.UpdateOne(ctx, bson.D{{Key: "_id", Value: 0}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "changed"}}}}); err != nil {
		log.Fatal(err)
	}
	if _, err := items.DeleteOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		log.Fatal(err)
	}
	agg, err := items.Aggregate(ctx, mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "n", Value: 7}}}}})
	if err != nil {
		log.Fatal(err)
	}
	for agg.Next(ctx) {
	}
	_ = agg.Close(ctx)
	if err := client.Database("shop").RunCommand(ctx, bson.D{{Key: "noSuchCommand", Value: 1}}).Err(); err == nil {
		log.Fatal("noSuchCommand succeeded")
	}
	if err := client.Disconnect(ctx); err != nil {
		log.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(started))
	for name := range started {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("command %s %d\n", name, started[name])
		if failed[name] > 0 {
			fmt.Printf("failed %s %d\n", name, failed[name])
		}
	}
	fmt.Printf("connections %d\n", pooled)
	fmt.Printf("pid %d\n", os.Getpid())
}
