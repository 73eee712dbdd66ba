// Command loopclient calls helloworld.Greeter/SayHello over one connection
// every -interval until -n calls were made (0: forever), printing one line
// per call, so that a capture can start while the connection is in use.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pb "google.golang.org/grpc/examples/helloworld/helloworld"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "the greeter's address")
	n := flag.Int("n", 0, "calls to make; 0 for no end")
	interval := flag.Duration("interval", 5*time.Millisecond, "pause between calls")
	flag.Parse()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("connect: %v", err)
	}
	defer conn.Close()
	c := pb.NewGreeterClient(conn)
	for i := 0; *n == 0 || i < *n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.SayHello(ctx, &pb.HelloRequest{Name: fmt.Sprintf("call-%d", i)})
		cancel()
		if err != nil {
			log.Fatalf("call %d: %v", i, err)
		}
		fmt.Println(i)
		time.Sleep(*interval)
	}
}
