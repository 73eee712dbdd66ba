// Command redisclient makes Redis calls with go-redis v9, which speaks
// RESP3 (HELLO 3), pipelines on connections of its own and subscribes on
// another: commands, a pipeline, a transaction, an error, and with
// -publish a subscription that receives two messages (RESP3 pushes). The
// end-to-end tests count what the server executed (INFO commandstats).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "the server")
	publish := flag.String("publish", "", "a second address of the server to publish through, for a subscription")
	flag.Parse()
	ctx := context.Background()
	// No CLIENT SETINFO nor CLIENT MAINT_NOTIFICATIONS, which this
	// server rejects without counting them in its statistics.
	rdb := redis.NewClient(&redis.Options{
		Addr: *addr, DB: 3, PoolSize: 1, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	defer rdb.Close()
	must(rdb.Set(ctx, "go:key", "go-secret-value", 0).Err())
	must(rdb.Get(ctx, "go:key").Err())
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 4 {
			p.Incr(ctx, fmt.Sprintf("go:counter:%d", i))
		}
		return nil
	})
	must(err)
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "go:hash", "field", "value")
		p.HGetAll(ctx, "go:hash")
		return nil
	})
	must(err)
	if err := rdb.LPop(ctx, "go:key").Err(); err == nil || errors.Is(err, redis.Nil) {
		log.Fatalf("LPOP of a string: %v, want WRONGTYPE", err)
	}
	if *publish != "" {
		pub := redis.NewClient(&redis.Options{
			Addr: *publish, DisableIdentity: true,
			MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		})
		defer pub.Close()
		sub := rdb.Subscribe(ctx, "go:news")
		if _, err := sub.Receive(ctx); err != nil { // the confirmation
			log.Fatal(err)
		}
		must(pub.Publish(ctx, "go:news", "first").Err())
		must(pub.Publish(ctx, "go:news", "second").Err())
		for range 2 {
			if _, err := sub.ReceiveMessage(ctx); err != nil {
				log.Fatal(err)
			}
		}
		must(sub.Ping(ctx))
		if _, err := sub.Receive(ctx); err != nil { // the pong
			log.Fatal(err)
		}
		must(sub.Close())
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
